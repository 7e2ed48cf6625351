"""Every log record the process makes while a block runs, whatever logger, handler or propagation made it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    logger: str
    level: int
    text: str  # the message as a handler would write it, traceback included
    traceback: bool


class Captured(list[Line]):
    def containing(self, fragment: str) -> list[Line]:
        return [line for line in self if fragment in line.text]


@contextmanager
def captured_logs() -> Iterator[Captured]:
    """Wraps the record factory (the one place every record passes, in every thread of this process, the live
    server's included) rather than a handler, so no logger can slip past by not propagating."""
    lines = Captured()
    lock = threading.Lock()
    make_record = logging.getLogRecordFactory()
    formatter = logging.Formatter("%(message)s")

    def keeping(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            text = formatter.format(record)
        except Exception:  # a record that does not format is still a record
            text = str(record.msg)
        with lock:
            lines.append(Line(record.name, record.levelno, text, record.exc_info is not None))
        return record

    logging.setLogRecordFactory(keeping)
    try:
        yield lines
    finally:
        logging.setLogRecordFactory(make_record)
