"""HTTP endpoints of the workflow actions, the handler's inbox, departments and the citizen's supplement."""

from __future__ import annotations

from collections.abc import Callable

from litestar import Controller, Request, get, post
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dispatch import (
    actions,
    admin_controllers,
    callback_controllers,
    catalogue_controllers,
    co_handling,
    commander_controllers,
    instruction_controllers,
    model_controllers,
    review,
    review_controllers,
    routing,
)
from dispatch.schemas import (
    AnswerRequest,
    CategoryRequest,
    CoReport,
    DepartmentRead,
    DispatchRequest,
    ExtensionDecision,
    ExtensionRequest,
    MergeRequest,
    NoteRequest,
    ReasonRequest,
    ReplyRequest,
    ReviewChecks,
    ReviewReturn,
    SuggestRequest,
    SupplementRequest,
    TransferRequest,
    WaitRequest,
)
from hotline import access_log
from hotline.access import load_led_ticket, load_ticket, visible_tickets
from hotline.citizen import find_for_citizen, ticket_events
from hotline.controllers import full_ticket
from hotline.dependencies import roles
from hotline.models import Department, Ticket
from hotline.schemas import CallbackCreate, PublicTicket, RatingCreate, TicketRead
from hotline.views import public_ticket, ticket_read
from hotline.vocabulary import Action, Role, Status
from hotline.workflow import CITIZEN_ACTOR, Actor

OPERATOR, HANDLER, COMMANDER = Role.OPERATOR, Role.HANDLER, Role.COMMANDER
Loader = Callable[[Session, str, Actor], Ticket]
INBOX_STATUSES = (Status.PENDING_SIGN, Status.IN_PROGRESS, Status.EXTENSION_PENDING, Status.WAITING_CITIZEN)


def _act(session: Session, number: str, actor: Actor, change: Callable[[Ticket], None],
         load: Loader = load_led_ticket) -> TicketRead:
    """Load the ticket the actor may act on, change it, commit once, answer with the fresh state.

    If someone else changed the ticket in between (most often the routing job recording its suggestion while the
    operator still has the call), the action is tried once more on the fresh ticket: the state machine checks it
    again, so an action the other change made wrong is refused with its reason rather than lost or doubled.
    """
    try:
        return _act_once(session, number, actor, change, load)
    except StaleDataError:
        session.rollback()
        return _act_once(session, number, actor, change, load)


def _act_once(session: Session, number: str, actor: Actor, change: Callable[[Ticket], None],
              load: Loader) -> TicketRead:
    ticket = load(session, number, actor)
    change(ticket)
    session.commit()
    return full_ticket(session, ticket, actor)


def _checks(data: ReviewChecks) -> review.Checks:
    return review.Checks(answers_request=data.answers_request, complete=data.complete, courteous=data.courteous,
                         cites_basis=data.cites_basis)


class TicketActionController(Controller):
    path = "/api/tickets/{number:str}"
    tags = ["workflow"]

    @post("/submit", guards=[roles(OPERATOR)], sync_to_thread=True, status_code=200)
    def submit(self, number: str, db_session: Session, request: Request) -> TicketRead:
        """Hand a recorded call to the dispatch queue; routing dispatches it if the classifier is sure."""
        return _act(db_session, number, request.user, lambda t: actions.submit(db_session, t, request.user))

    @post("/category", guards=[roles(OPERATOR, COMMANDER)], sync_to_thread=True, status_code=200)
    def correct_category(self, number: str, data: CategoryRequest, db_session: Session,
                         request: Request) -> TicketRead:
        """A person corrects the category; the correction becomes a training example."""
        def change(ticket: Ticket) -> None:
            routing.record_correction(db_session, ticket, request.user, data.category_code)
            actions.correct_category(db_session, ticket, request.user, data.category_code)

        return _act(db_session, number, request.user, change)

    @post("/answer", guards=[roles(OPERATOR, COMMANDER)], sync_to_thread=True, status_code=200)
    def answer(self, number: str, data: AnswerRequest, db_session: Session, request: Request) -> TicketRead:
        """直接答复: answered on the spot (citing a knowledge-base article if one was used), closed at once."""
        return _act(db_session, number, request.user,
                    lambda t: actions.answer_on_the_spot(db_session, t, request.user, data.reply, data.article_id))

    @post("/transfer", guards=[roles(OPERATOR, COMMANDER)], sync_to_thread=True, status_code=200)
    def transfer(self, number: str, data: TransferRequest, db_session: Session, request: Request) -> TicketRead:
        return _act(db_session, number, request.user,
                    lambda t: actions.transfer(db_session, t, request.user, data.line, data.note))

    @post("/hand-back", guards=[roles(OPERATOR, COMMANDER)], sync_to_thread=True, status_code=200)
    def hand_back(self, number: str, data: ReasonRequest, db_session: Session, request: Request) -> TicketRead:
        """联动退回 (非警务): recorded by whoever takes the line's call or reads its platform's return."""
        return _act(db_session, number, request.user,
                    lambda t: actions.hand_back(db_session, t, request.user, data.reason))

    @post("/dispatch", guards=[roles(OPERATOR, COMMANDER)], sync_to_thread=True, status_code=200)
    def dispatch(self, number: str, data: DispatchRequest, db_session: Session, request: Request) -> TicketRead:
        def change(ticket: Ticket) -> None:
            if data.category_code:
                routing.record_correction(db_session, ticket, request.user, data.category_code)
            actions.dispatch(db_session, ticket, request.user, department_id=data.department_id,
                             co_department_ids=data.co_department_ids, category_code=data.category_code,
                             note=data.note)

        return _act(db_session, number, request.user, change)

    @post("/redispatch", guards=[roles(COMMANDER)], sync_to_thread=True, status_code=200)
    def redispatch(self, number: str, data: DispatchRequest, db_session: Session, request: Request) -> TicketRead:
        """Accept a return and send the ticket to the right department."""
        return _act(db_session, number, request.user, lambda t: actions.dispatch(
            db_session, t, request.user, department_id=data.department_id,
            co_department_ids=data.co_department_ids, category_code=data.category_code, note=data.note,
            action=Action.REDISPATCH))

    @post("/force", guards=[roles(COMMANDER)], sync_to_thread=True, status_code=200)
    def force(self, number: str, data: NoteRequest, db_session: Session, request: Request) -> TicketRead:
        return _act(db_session, number, request.user, lambda t: actions.force(db_session, t, request.user, data.note))

    @post("/sign", guards=[roles(HANDLER)], sync_to_thread=True, status_code=200)
    def sign(self, number: str, db_session: Session, request: Request) -> TicketRead:
        return _act(db_session, number, request.user, lambda t: actions.sign(db_session, t, request.user))

    @post("/return", guards=[roles(HANDLER)], sync_to_thread=True, status_code=200)
    def return_(self, number: str, data: ReasonRequest, db_session: Session, request: Request) -> TicketRead:
        return _act(db_session, number, request.user,
                    lambda t: actions.return_ticket(db_session, t, request.user, data.reason))

    @post("/extension", guards=[roles(HANDLER)], sync_to_thread=True, status_code=200)
    def request_extension(self, number: str, data: ExtensionRequest, db_session: Session,
                          request: Request) -> TicketRead:
        return _act(db_session, number, request.user,
                    lambda t: actions.request_extension(db_session, t, request.user, data.days, data.reason))

    @post("/extension/decision", guards=[roles(COMMANDER)], sync_to_thread=True, status_code=200)
    def decide_extension(self, number: str, data: ExtensionDecision, db_session: Session,
                         request: Request) -> TicketRead:
        return _act(db_session, number, request.user,
                    lambda t: actions.decide_extension(db_session, t, request.user, data.approve, data.note))

    @post("/wait", guards=[roles(HANDLER)], sync_to_thread=True, status_code=200)
    def wait(self, number: str, data: WaitRequest, db_session: Session, request: Request) -> TicketRead:
        return _act(db_session, number, request.user,
                    lambda t: actions.wait_for_citizen(db_session, t, request.user, data.message))

    @post("/resume", guards=[roles(HANDLER)], sync_to_thread=True, status_code=200)
    def resume(self, number: str, data: NoteRequest, db_session: Session, request: Request) -> TicketRead:
        return _act(db_session, number, request.user,
                    lambda t: actions.resume(db_session, t, request.user, data.note))

    @post("/reply", guards=[roles(HANDLER)], sync_to_thread=True, status_code=200)
    def reply(self, number: str, data: ReplyRequest, db_session: Session, request: Request) -> TicketRead:
        return _act(db_session, number, request.user,
                    lambda t: actions.reply(db_session, t, request.user, data.reply))

    @post("/review/approve", guards=[roles(OPERATOR, COMMANDER)], sync_to_thread=True, status_code=200)
    def approve_reply(self, number: str, data: ReviewChecks, db_session: Session, request: Request) -> TicketRead:
        """办结审核 通过: the ticket closes, the citizen is told and may rate; the checks score the reply."""
        return _act(db_session, number, request.user,
                    lambda t: review.approve(db_session, t, request.user, _checks(data)))

    @post("/review/return", guards=[roles(OPERATOR, COMMANDER)], sync_to_thread=True, status_code=200)
    def return_reply(self, number: str, data: ReviewReturn, db_session: Session, request: Request) -> TicketRead:
        """办结审核 退回: back to the same unit with the reason, under the original deadline."""
        return _act(db_session, number, request.user,
                    lambda t: review.return_reply(db_session, t, request.user, _checks(data), data.reason))

    @post("/reopen", guards=[roles(COMMANDER)], sync_to_thread=True, status_code=200)
    def reopen(self, number: str, data: ReasonRequest, db_session: Session, request: Request) -> TicketRead:
        return _act(db_session, number, request.user,
                    lambda t: actions.reopen(db_session, t, request.user, data.reason))

    @post("/archive", guards=[roles(COMMANDER)], sync_to_thread=True, status_code=200)
    def archive(self, number: str, db_session: Session, request: Request) -> TicketRead:
        return _act(db_session, number, request.user, lambda t: actions.archive(db_session, t, request.user))

    @post("/merge", guards=[roles(OPERATOR, COMMANDER)], sync_to_thread=True, status_code=200)
    def merge(self, number: str, data: MergeRequest, db_session: Session, request: Request) -> TicketRead:
        def change(ticket: Ticket) -> None:
            parent = load_ticket(db_session, data.parent_number, request.user)
            actions.merge(db_session, ticket, parent, request.user, data.note)

        return _act(db_session, number, request.user, change)

    @post("/notes", guards=[roles(OPERATOR, HANDLER, COMMANDER)], sync_to_thread=True, status_code=200)
    def note(self, number: str, data: ReasonRequest, db_session: Session, request: Request) -> TicketRead:
        """An internal note; co-handling departments may add one too."""
        ticket = load_ticket(db_session, number, request.user)
        actions.note(db_session, ticket, request.user, data.reason)
        db_session.commit()
        return full_ticket(db_session, ticket, request.user)

    @post("/co-report", guards=[roles(HANDLER)], sync_to_thread=True, status_code=200)
    def co_report(self, number: str, data: CoReport, db_session: Session, request: Request) -> TicketRead:
        """协办反馈: a co-unit's part, once per dispatch (the lead unit loads the ticket too, and is refused)."""
        return _act(db_session, number, request.user,
                    lambda t: co_handling.report(db_session, t, request.user, data.report), load=load_ticket)

    @post("/callback", guards=[roles(OPERATOR)], sync_to_thread=True, status_code=200)
    def callback(self, number: str, data: CallbackCreate, db_session: Session, request: Request) -> TicketRead:
        """回访: the operator phones the citizen back and records the rating."""
        ticket = load_ticket(db_session, number, request.user)
        actions.rate(db_session, ticket, request.user, data.satisfaction, data.solved, data.comment,
                     data.contacted)
        db_session.commit()
        return full_ticket(db_session, ticket, request.user)


class InboxController(Controller):
    path = "/api"
    tags = ["workflow"]

    @get("/inbox", guards=[roles(HANDLER)], sync_to_thread=True)
    def inbox(self, db_session: Session, request: Request) -> list[TicketRead]:
        """The department's open tickets, the nearest deadline first."""
        query = (
            visible_tickets(request.user)
            .where(Ticket.status.in_(INBOX_STATUSES))
            .order_by(Ticket.due_at.asc().nulls_last(), Ticket.id)
            .limit(500)
        )
        tickets = list(db_session.scalars(query))
        access_log.record(db_session, request.user, [t.id for t in tickets], access_log.INBOX)  # one INSERT
        db_session.commit()
        return [ticket_read(t, request.user) for t in tickets]

    @get("/departments", guards=[roles(OPERATOR, HANDLER, COMMANDER, Role.ADMIN, Role.AUDITOR, Role.LEADER)],
         sync_to_thread=True, cache=60)
    def departments(self, db_session: Session) -> list[DepartmentRead]:
        rows = db_session.scalars(select(Department).where(Department.active).order_by(Department.id))
        return [DepartmentRead(id=d.id, code=d.code, name=d.name, kind=d.kind, township=d.township) for d in rows]


class SuggestController(Controller):
    path = "/api/classifier"
    tags = ["routing"]

    @post("/suggest", guards=[roles(OPERATOR, COMMANDER)], sync_to_thread=True, status_code=200)
    def suggest(self, data: SuggestRequest, db_session: Session, request: Request) -> dict:
        """While the caller talks: category, department, confidence, the words that weighed most, an
        emergency flag, similar open tickets and the caller's earlier tickets."""
        hints = routing.suggest(db_session, data.text, data.township, data.phone)
        # the caller's earlier tickets, found by their phone: a look-up of personal data, so it is recorded
        access_log.record_numbers(db_session, request.user, hints["earlier_tickets"], access_log.CALLER_HISTORY)
        db_session.commit()
        return hints


class CitizenActionController(Controller):
    """What a citizen does to a ticket with its number and query code: rate it, answer a 待补充 request."""

    path = "/api/public"
    tags = ["public"]

    @post("/rating", sync_to_thread=True, status_code=200)
    def rate(self, data: RatingCreate, db_session: Session) -> PublicTicket:
        ticket = find_for_citizen(db_session, data.number, data.query_code)
        actions.rate(db_session, ticket, CITIZEN_ACTOR, data.satisfaction, data.solved, data.comment)
        db_session.commit()
        return public_ticket(ticket, ticket_events(db_session, ticket))

    @post("/supplement", sync_to_thread=True, status_code=200)
    def supplement(self, data: SupplementRequest, db_session: Session) -> PublicTicket:
        """The citizen answers a 待补充 request; the handler's clock starts again."""
        ticket = find_for_citizen(db_session, data.number, data.query_code)
        actions.resume(db_session, ticket, CITIZEN_ACTOR, data.content)
        db_session.commit()
        return public_ticket(ticket, ticket_events(db_session, ticket))


ROUTES = [TicketActionController, InboxController, CitizenActionController, SuggestController, *commander_controllers.ROUTES,
          *review_controllers.ROUTES, *callback_controllers.ROUTES, *instruction_controllers.ROUTES, *admin_controllers.ROUTES,
          *model_controllers.ROUTES, *catalogue_controllers.ROUTES]
