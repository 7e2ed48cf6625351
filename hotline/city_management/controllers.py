"""The platform's API: file an event (idempotent on its event id), read it back. Authenticated by the platform's
key (X-Api-Key), checked before the body is read, so a wrong key is a 401 whatever it sent."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotAuthorizedException, NotFoundException, ValidationException
from litestar.params import Parameter
from sqlalchemy.orm import Session

from hotline.city_management import intake, keys
from hotline.city_management.models import CitySystem
from hotline.city_management.schemas import EventCreate, EventRead
from hotline.city_management.views import event_read

KEY_HEADER = "X-Api-Key"


def _system(session: Session, request: Request) -> CitySystem:
    try:
        return keys.authenticate(session, request.headers.get(KEY_HEADER))
    except keys.KeyRefused as refused:
        raise NotAuthorizedException(refused.detail) from None


def _event(body: bytes) -> EventCreate:
    """Decoded after the key is checked; msgspec's message goes to web/errors.py's translator like any body's."""
    try:
        return msgspec.json.decode(body, type=EventCreate)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise ValidationException(str(exc), extra=[{"message": str(exc), "key": None}]) from None


class CityManagementController(Controller):
    path = "/api/intake/city-management"
    tags = ["city-management"]
    opt = {"public": True}  # no staff sign-in: the platform's key is checked on every request

    @post("/events", sync_to_thread=True)
    def file_event(self, body: bytes, request: Request, db_session: Session) -> Response[EventRead]:
        """201 with the new ticket; 200 with the same ticket when this platform sent this event id before."""
        system = _system(db_session, request)
        link, ticket, created = intake.file_event(db_session, system, _event(body))
        return Response(event_read(db_session, link, ticket), status_code=201 if created else 200)

    @get("/events/{event_id:str}", sync_to_thread=True)
    def read_event(self, event_id: Annotated[str, Parameter(max_length=64)], request: Request,
                   db_session: Session) -> EventRead:
        system = _system(db_session, request)
        found = intake.find(db_session, system, event_id)
        if found is None:
            raise NotFoundException(f"本平台没有提交过案件「{event_id}」")
        answer = event_read(db_session, *found)
        db_session.commit()  # the key's last use
        return answer
