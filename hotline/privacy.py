"""Personal data in structured fields: phone normalisation, masks for a caller's name and phone, and the log filter.

Free text is redacted by `hotline.redaction`, the one redaction every reader and the log go through.
"""

from __future__ import annotations

import logging
import re
import unicodedata

import phonenumbers

from hotline.log_secrets import scrub
from hotline.redaction import redact


class PhoneError(ValueError):
    pass


def normalize_phone(raw: str) -> str:
    """Accept what people type (full-width digits, +86, spaces, dashes, brackets) and store one form."""
    text = unicodedata.normalize("NFKC", raw).strip()
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise PhoneError("电话号码格式不正确，请填写11位手机号或带区号的固定电话") from exc
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        raise PhoneError("电话号码格式不正确，请填写11位手机号或带区号的固定电话")
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return re.sub(r"\D", "", national)


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    if len(phone) <= 7:
        return phone[:2] + "*" * (len(phone) - 2)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    if len(name) == 1:
        return "*"
    return name[0] + "*" * (len(name) - 1)


class MaskPersonalData(logging.Filter):
    """For a handler of one's own (tests use it); the process-wide masking is `install_log_masking`."""

    def filter(self, record: logging.LogRecord) -> bool:
        _mask_record(record)
        return True


def _mask_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # arguments that do not fit the format: the handler reports that, not the caller's code
        return
    masked = scrub(redact(message))
    if masked != message:
        record.msg, record.args = masked, None


def install_log_masking() -> None:
    """Mask personal data and blank secrets (hotline.log_secrets) in every record as it is made, in one pass,
    whatever handlers exist now or later.

    A filter on the root's handlers was not enough: Litestar's logging set-up replaces the root handlers when the
    app starts, and the full numbers came back in the web process's log. The record factory sits before every
    handler, uvicorn's and Litestar's included. Installed once per process.
    """
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "masks_personal_data", False):
        return

    def masked_record(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        _mask_record(record)
        return record

    masked_record.masks_personal_data = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masked_record)
