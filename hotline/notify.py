"""Senders: the SMS gateway is a boundary we do not own, so it sits behind one small interface."""

from __future__ import annotations

import logging
import os
from typing import Protocol

import httpx

from hotline.log_secrets import sms_for_log
from hotline.privacy import mask_phone

log = logging.getLogger("hotline.notify")


class SendFailed(Exception):
    pass


class Sender(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LogSender:
    """The default: writes the message to the log, with the phone number masked and the query code blanked
    (whoever reads the log must not be able to open the ticket; `sent` keeps the text as sent)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))
        log.info("SMS to %s: %s", mask_phone(phone), sms_for_log(text))


class HttpSmsSender:
    """POSTs {"phone", "text"} as JSON to the county's SMS gateway; any non-2xx answer is a failure."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 5.0) -> None:
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, phone: str, text: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = httpx.post(self.url, json={"phone": phone, "text": text}, headers=headers,
                                  timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise SendFailed(f"SMS gateway unreachable: {exc}") from exc
        if not response.is_success:
            raise SendFailed(f"SMS gateway answered {response.status_code}")
        log.info("SMS to %s sent through gateway", mask_phone(phone))


def _from_environment() -> Sender:
    if url := os.environ.get("SMS_GATEWAY_URL"):
        return HttpSmsSender(url, os.environ.get("SMS_GATEWAY_TOKEN"))
    return LogSender()


_sender: Sender | None = None


def get_sender() -> Sender:
    global _sender
    if _sender is None:
        _sender = _from_environment()
    return _sender


def set_sender(sender: Sender | None) -> None:
    """Swap the sender (tests, or a county's own gateway); None goes back to the environment's choice."""
    global _sender
    _sender = sender
