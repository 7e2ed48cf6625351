"""One logging set-up for every process: JSON lines (or plain text for a person at a terminal), phones masked,
no secret in any line (hotline/log_secrets.py).

LOG_FORMAT=json (default) gives one JSON object per line with time (Asia/Shanghai), level, logger, message and
process, which a log collector can index; LOG_FORMAT=text is for reading the demo in a terminal.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime

from pythonjsonlogger.json import JsonFormatter

from hotline.privacy import install_log_masking
from hotline.settings import TIME_ZONE

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class LocalJsonFormatter(JsonFormatter):
    """Times in the county's zone, with the offset, so a line reads the same wherever it is collected."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, TIME_ZONE).isoformat(timespec="milliseconds")


def make_formatter(kind: str | None = None) -> logging.Formatter:
    kind = (kind or os.environ.get("LOG_FORMAT", "json")).lower()
    if kind == "text":
        return logging.Formatter(TEXT_FORMAT)
    return LocalJsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(process)d",
                              rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                              json_ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> None:
    """Idempotent: a second call (the app factory runs once per test) changes nothing."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(make_formatter())
        root.addHandler(handler)
    root.setLevel(level)
    install_log_masking()
