"""Seeds the demo county and a few days of tickets in every state, played through the real workflow."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifier.corpus.places import STREETS, TOWNSHIPS
from classifier.taxonomy import LEAVES
from dispatch import actions, gate, review, routing
from dispatch.models import CatalogueEntry
from dispatch.policy import PolicyRules, publish
from hotline import clock, intake
from hotline.accounts import actor_of, create_staff
from hotline.grid_cells import CellRow, upsert_cell
from hotline.models import Area, Department, Staff, Ticket
from hotline.schemas import CallCreate, LetterCreate
from hotline.settings import TIME_ZONE
from hotline.vocabulary import Action, Channel, Role, Status, TicketType, Urgency
from hotline.workflow import Actor, apply
from web.demo.county import (
    BUREAUS,
    CATALOGUE,
    DEMO_PASSWORD,
    FALLBACK,
    GRID_CELLS,
    STAFF,
    TOWNSHIP_FIRST,
    is_rural,
    townships,
)
from web.demo.knowledge import seed_knowledge

SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
MOBILE_PREFIXES = ["130", "131", "133", "135", "136", "137", "138", "139", "150", "151", "158", "159", "186", "187",
                   "188", "189", "177", "180", "182", "183"]
GIVEN = ["建国", "秀英", "桂兰", "志强", "丽华", "海燕", "小红", "伟", "芳", "军", "敏", "静", "强", "磊", "洋", "勇"]


# The demo county's auto-dispatch gate, per catalogue category, for the shipped corpus's model family: what a county
# whose history slice held 300 tickets of the category, 297 of them right, would start with (lower bound 97.5 %, so
# open; about ten corrections in a row would close it). A county without history starts with nothing: suggest-only.
DEMO_GATE_EVIDENCE = (300, 297)


def is_seeded(session: Session) -> bool:
    return session.scalar(select(Department.id).limit(1)) is not None


def seed_reference(session: Session) -> None:
    """Departments, townships and villages, the catalogue, the default policy and one account per role."""
    departments = {code: Department(code=code, name=name, kind=kind, duty_phone=f"0737{6220000 + i:07d}")
                   for i, (code, name, kind) in enumerate(BUREAUS)}
    for code, township in townships():
        departments[code] = Department(code=code, name=f"{township}人民政府" if "街道" not in township
                                       else f"{township}办事处", kind="township", township=township,
                                       duty_phone=f"0737{6230000 + len(departments):07d}")
    session.add_all(departments.values())
    for township, villages in TOWNSHIPS.items():
        parent = Area(name=township, kind="township")
        session.add(parent)
        session.flush()
        session.add_all(Area(name=v, kind="community" if v.endswith("社区") else "village", parent_id=parent.id)
                        for v in villages)
    session.flush()
    names = {leaf.code: leaf.name for leaf in LEAVES}
    for category, (lead, co) in CATALOGUE.items():
        session.add(CatalogueEntry(category_code=category, category_name=names[category],
                                   lead_department_id=departments[lead].id,
                                   co_department_ids=[departments[c].id for c in co]))
    for code, township in townships():
        if is_rural(township):
            for category in TOWNSHIP_FIRST:
                session.add(CatalogueEntry(category_code=category, category_name=names[category], township=township,
                                           lead_department_id=departments[code].id, co_department_ids=[]))
    gate.seed(session, gate.CORPUS, dict.fromkeys(CATALOGUE, DEMO_GATE_EVIDENCE), source="demo")
    publish(session, PolicyRules(leadership_department_code=FALLBACK), created_by=None)  # escalations go to 县政府办
    for username, display, role, dept in STAFF:
        create_staff(session, username, display, DEMO_PASSWORD, Role(role),
                     departments[dept].id if dept else None)
    for (code, department), name in zip(departments.items(), _handler_names(), strict=False):
        create_staff(session, f"h_{code}", name, DEMO_PASSWORD, Role.HANDLER, department.id)
    session.flush()
    for code, name, township, village, workers in GRID_CELLS:
        upsert_cell(session, CellRow(code=code, name=name, township=township, village=village, workers=workers))
    seed_knowledge(session)


def _handler_names() -> Iterator[str]:
    """A person's name for each unit's handler, as the header shows it («县住建局 · 承办员 张明»), never the unit's."""
    for given in ("明", "伟", "芳", "静", "强", "磊"):
        for surname in "张王刘陈杨赵黄周吴徐孙马胡朱郭何":
            yield surname + given


def _messages() -> list[dict[str, str]]:
    raw = resources.files("classifier.corpus").joinpath("handwritten.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in raw.splitlines() if line.strip()]


# What happens to a seeded ticket, and how often.
PATHS = [
    ("received", 3), ("pending_dispatch", 6), ("answered", 10), ("answered_rated", 6), ("pending_sign", 8),
    ("returned", 3), ("in_progress", 14), ("extension_pending", 3), ("waiting_citizen", 3), ("closed", 8),
    ("rated", 10), ("unsatisfied", 3), ("reopened", 2), ("archived", 6), ("merged", 2), ("transferred", 2),
]


ALL_CHECKS_PASSED = review.Checks(answers_request=True, complete=True, courteous=True, cites_basis=True)
TODAY_PATHS = ("answered", "pending_sign", "returned", "in_progress", "transferred", "merged")
# What waits for a person at the desk, as on a normal morning: calls an operator is still recording, and tickets
# routing left to the commander (unsure, a likely duplicate, ...), all filed in the last hours. Nothing older is
# left waiting: a county does not leave tickets undispatched for days.
WAITING = (("received", 2, (0.1, 0.5)), ("pending_dispatch", 6, (0.3, 3.0)))
# Calls that say too little for the model to be sure of: the desk's first screen shows that reason too.
VAGUE = [{"text": "你好，我想问一下上次反映的那个事情现在怎么样了，一直没人联系我。", "label": "1603"},
         {"text": "我们这边的问题拖了很久了，希望政府重视一下，尽快给个说法。", "label": "1603"}]


class _Player:
    """Plays one ticket's story through the real services, moving a frozen clock between steps."""

    def __init__(self, session: Session, rng: random.Random, box: list[datetime]) -> None:
        self.session, self.rng, self.box = session, rng, box
        self.staff = {s.username: s for s in session.scalars(select(Staff))}
        self.by_department = {s.department_id: s for s in self.staff.values() if s.department_id}
        self.operator = actor_of(self.staff["operator1"])
        self.commander = actor_of(self.staff["commander"])
        self.open_numbers: list[str] = []
        self.replied_for_review = 0

    def wait(self, minutes: float) -> None:
        self.box[0] += timedelta(minutes=minutes)

    def handler(self, ticket: Ticket) -> Actor:
        return actor_of(self.by_department[ticket.lead_department_id])

    def create(self, message: dict[str, str], *, letter: bool = True) -> Ticket:
        rng = self.rng
        township = next((t for t in TOWNSHIPS if t in message["text"]), rng.choice(list(TOWNSHIPS)))
        village = next((v for v in TOWNSHIPS[township] if v in message["text"]), rng.choice(TOWNSHIPS[township]))
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        phone = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
        kind = rng.choice([TicketType.CONSULTATION, TicketType.HELP, TicketType.COMPLAINT, TicketType.COMPLAINT,
                           TicketType.SUGGESTION, TicketType.REPORT])
        if rng.random() < 0.25 and letter:
            sent = LetterCreate(title=message["text"][:18], content=message["text"], phone=phone, name=name,
                                  channel=rng.choice([Channel.MAILBOX, Channel.WEB, Channel.APP]), type=kind,
                                  township=township, village=village)
            return intake.receive_letter(self.session, sent)
        call = CallCreate(content=message["text"], caller_name=name, caller_phone=phone, type=kind,
                          channel=rng.choice([Channel.CALL_12345] * 6 + [Channel.CALL_12315, Channel.CALL_12369,
                                                                         Channel.CALL_12333, Channel.CITY_MANAGEMENT]),
                          township=township, village=village, address=f"{township}{rng.choice(STREETS)}附近",
                          urgency=Urgency.URGENT if rng.random() < 0.05 else Urgency.NORMAL)
        return intake.record_call(self.session, call, self.operator)

    def play(self, path: str, message: dict[str, str]) -> None:
        s, op, cmd = self.session, self.operator, self.commander
        ticket = self.create(message, letter=path != "received")  # a letter is submitted as it arrives
        routing.classify_ticket(s, ticket)  # as the worker does after intake: the suggestion, flags, duplicates
        if path == "received":
            return
        self.wait(2)
        if path in ("answered", "answered_rated"):
            actions.answer_on_the_spot(s, ticket, op, "已按政策当场解答：请携带身份证到县政务服务中心相关窗口办理。")
            if path == "answered_rated":
                self.wait(60 * 5)
                actions.rate(s, ticket, op, "satisfied", "solved", None)
            return
        if path == "transferred":
            actions.transfer(s, ticket, op, "110", "来电人称现场有人打架，已三方转接110")
            return
        if path == "merged" and self.open_numbers:
            parent = s.scalars(select(Ticket).where(Ticket.number == self.rng.choice(self.open_numbers))).one()
            actions.merge(s, ticket, parent, op, "同一事项重复来电")
            return
        if ticket.status == "received":
            apply(s, ticket, Action.SUBMIT, op)
        routing.route_ticket(s, ticket)  # dispatched by itself when sure and the gate is open, else left to a person
        if path == "pending_dispatch":
            return
        if ticket.status == Status.PENDING_DISPATCH:
            self.wait(self.rng.uniform(5, 90))
            actions.dispatch(s, ticket, cmd, department_id=None, co_department_ids=[], category_code=message["label"])
        self.open_numbers.append(ticket.number)
        if path == "pending_sign":
            return
        self.wait(self.rng.uniform(10, 100))
        if path == "returned":
            actions.return_ticket(s, ticket, self.handler(ticket), "该事项不属于我单位职责，建议转属地乡镇办理")
            return
        actions.sign(s, ticket, self.handler(ticket))
        # an extension is asked for while the time limit still runs (an urgent ticket has two hours)
        self.wait(self.rng.uniform(5, 15) if path == "extension_pending" else self.rng.uniform(60, 60 * 20))
        if path == "in_progress":
            return
        if path == "extension_pending":
            actions.request_extension(s, ticket, self.handler(ticket), 5, "需协调多个部门现场勘查，申请延期5个工作日")
            return
        if path == "waiting_citizen":
            actions.wait_for_citizen(s, ticket, self.handler(ticket), "请补充具体门牌号和问题发生的时间段")
            return
        actions.reply(s, ticket, self.handler(ticket), "经现场核查，已责成相关责任单位整改到位，感谢您对我县工作的支持。")
        if ticket.status == Status.PENDING_REVIEW:  # the county reviews this type (办结审核)
            self.replied_for_review += 1
            if path == "closed" and self.replied_for_review % 2:
                return  # every other one still waits for the hotline's review
            self.wait(30)
            review.approve(s, ticket, op, ALL_CHECKS_PASSED)
        if path == "closed":
            return
        self.wait(60 * 24)
        unhappy = path in ("unsatisfied", "reopened")
        actions.rate(s, ticket, op, "unsatisfied" if unhappy else "satisfied",
                              "unsolved" if unhappy else "solved", "问题没有解决" if unhappy else None)
        if path == "reopened":
            actions.reopen(s, ticket, cmd, "经核实承办单位未实际处理，退回重办")
        elif path == "archived":
            actions.archive(s, ticket, cmd)


def seed_tickets(session: Session, *, days: int = 4, per_day: int = 30, seed: int = 12345) -> int:
    """A few days of tickets in every state, with events at realistic past times, and today's handful waiting."""
    rng = random.Random(seed)
    messages = _messages()
    weights = [w for _, w in PATHS]
    count = 0
    real_now = clock.now()
    today = clock.local(real_now).date()
    with clock.frozen(real_now) as box:
        player = _Player(session, rng, box)
        for day_offset in range(days, -1, -1):
            day = today - timedelta(days=day_offset)
            for _ in range(per_day if day_offset else per_day // 3):
                path = rng.choices([p for p, _ in PATHS], weights)[0]
                if day_offset:
                    box[0] = datetime.combine(day, time(8, 30), TIME_ZONE) + timedelta(hours=rng.uniform(0, 9))
                    path = "in_progress" if path in ("received", "pending_dispatch") else path
                else:  # today: recent calls whose story is still short enough to end before now
                    box[0] = real_now - timedelta(hours=rng.uniform(3.5, 8))
                    path = path if path in TODAY_PATHS else "in_progress"
                player.play(path, rng.choice(messages))
                session.commit()
                count += 1
        count += _seed_waiting(session, player, rng, messages, real_now)
    return count


def _seed_waiting(session: Session, player: _Player, rng: random.Random, messages: list[dict[str, str]],
                  real_now: datetime) -> int:
    """The last hours' calls still waiting, oldest first; a call the model dispatched by itself is kept (the desk
    sees only what it left to a person), up to a few tries for each one that waits."""
    plays = []
    for path, wanted, (earliest, latest) in WAITING:
        plays += [(path, wanted, real_now - timedelta(hours=rng.uniform(earliest, latest))) for _ in range(4 * wanted)]
    plays.sort(key=lambda play: play[2])
    left = {path: wanted for path, wanted, _ in WAITING}
    vague = list(VAGUE)
    count = 0
    for path, _, at in plays:
        if not left[path]:
            continue
        player.box[0] = at
        player.play(path, vague.pop() if vague and path == "pending_dispatch" else rng.choice(messages))
        session.commit()
        count += 1
        waiting = session.scalar(select(Ticket.status).order_by(Ticket.id.desc()).limit(1)) == path
        left[path] -= waiting
    return count
