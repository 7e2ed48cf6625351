"""Messages to citizens and staff leave through a Sender; the SMS gateway is a boundary we do not own."""

from __future__ import annotations

import logging
from typing import Protocol

from hotline.privacy import mask_phone

log = logging.getLogger("hotline.notify")


class Sender(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LogSender:
    """The default: writes the message to the log, with the phone number masked."""

    sent: list[tuple[str, str]]

    def __init__(self) -> None:
        self.sent = []

    def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))
        log.info("SMS to %s: %s", mask_phone(phone), text)


_sender: Sender = LogSender()


def get_sender() -> Sender:
    return _sender


def set_sender(sender: Sender) -> None:
    global _sender
    _sender = sender
