"""Submissions without an account: who may send one, how often, and how many receipt SMS one phone gets.

Per client address every attempt counts; per phone only a letter that was stored counts (a typo the citizen fixes
at once is not held against them), and a second letter from the same phone inside the window is refused with a
sentence that says when to try again and how to add to the first one. A phone on the block list is refused with
a neutral sentence that does not say why; the refusal is logged with the phone masked. Receipt SMS (number and
query code) are capped per phone over every channel; a ticket's own later notices are not. Redis being away
never stops a citizen's letter: the limit is skipped with a warning.
"""

from __future__ import annotations

import logging

import redis
from sqlalchemy.orm import Session

from hotline import blocklist, throttle
from hotline.privacy import mask_phone
from hotline.settings import get_settings
from hotline.throttle import Throttled, in_words

log = logging.getLogger("hotline.abuse")
HOTLINE = "紧急情况请直接拨打 12345 热线。"


class Blocked(Exception):
    """Refused without saying why: the sender learns nothing they could work around."""

    detail = "您的留言暂时无法在线受理，请拨打 12345 热线反映。"
    status_code = 403  # read by Litestar's exception logging: no stack trace

    def __init__(self) -> None:
        super().__init__(self.detail)


def _wait(spec: str, *identifiers: str, count: bool = False) -> int:
    """The wait before one more is allowed (0: allowed, and counted if `count`)."""
    try:
        return (throttle.take if count else throttle.wait_seconds)(spec, *identifiers)
    except redis.RedisError:
        log.warning("limit %s not checked: Redis unavailable", identifiers[0])
        return 0


def admit_address(address: str) -> None:
    """Before a public letter is read any further: every attempt from the address counts."""
    if wait := _wait(get_settings().throttle.letters_per_address, "letter-address", throttle.key(address), count=True):
        raise Throttled(f"提交过于频繁，请{in_words(wait)}后再试。{HOTLINE}", wait)


def admit_upload(address: str) -> None:
    """A citizen's photo or recording: its own limit (a letter with nine photos is ten submissions)."""
    if wait := _wait(get_settings().throttle.uploads_per_address, "upload-address", throttle.key(address), count=True):
        raise Throttled(f"上传过于频繁，请{in_words(wait)}后再试。{HOTLINE}", wait)


def admit_phone(phone: str | None) -> None:
    """Inside intake, once the letter is known not to be a resend: the phone's limit (counted when stored)."""
    if phone and (wait := _wait(get_settings().throttle.letters_per_phone, "letter-phone", throttle.key(phone))):
        raise Throttled(f"该手机号刚刚提交过诉求，请{in_words(wait)}后再试。要补充已提交的诉求，请凭工单号和查询码"
                        f"在「查询」中补充材料。{HOTLINE}", wait)


def letter_stored(phone: str | None) -> None:
    """A public letter from this phone was stored: it counts against the phone's limit."""
    if phone:
        try:
            throttle.count(get_settings().throttle.letters_per_phone, "letter-phone", throttle.key(phone))
        except redis.RedisError:
            log.warning("letter from %s not counted: Redis unavailable", mask_phone(phone))


def refuse_blocked(session: Session, phone: str | None) -> None:
    """Inside intake's transaction, before anything is written."""
    if blocklist.is_blocked(session, phone):
        log.warning("public submission refused: %s is on the block list", mask_phone(phone))
        raise Blocked


def receipt_allowed(phone: str) -> bool:
    """Counts one receipt SMS to `phone`; False (and nothing counted) once the hour's or the day's cap is reached."""
    if wait := _wait(get_settings().throttle.receipts_per_phone, "receipt", throttle.key(phone), count=True):
        log.info("receipt SMS to %s not sent: the cap for this phone is reached (the receipt is on the screen)",
                 mask_phone(phone))
    return not wait
