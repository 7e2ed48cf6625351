"""Logs are JSON lines a collector can index, in the county's time, with no full phone number in them."""

from __future__ import annotations

import io
import json
import logging

from hotline.logs import make_formatter
from hotline.privacy import MaskPersonalData


def _line(kind: str, message: str, *args: object) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(make_formatter(kind))
    handler.addFilter(MaskPersonalData())
    logger = logging.getLogger(f"test.logs.{kind}")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.warning(message, *args)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue().strip()


def test_json_lines_carry_chinese_as_is_and_mask_phones():
    record = json.loads(_line("json", "来电人 %s 反映路灯不亮", "13912345678"))
    assert record["message"] == "来电人 139****5678 反映路灯不亮"
    assert record["level"] == "WARNING" and record["logger"] == "test.logs.json" and record["process"] > 0
    assert record["time"].endswith("+08:00")


def test_text_format_for_a_terminal_is_masked_too():
    line = _line("text", "回拨 0737-6221234 失败")
    assert "0737-****1234" in line and "6221234" not in line and not line.startswith("{")


def test_in_the_running_app_every_handler_gets_masked_records(client):
    """Litestar replaces the root handlers at start-up; the masking must not depend on which handlers exist."""
    received = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            received.append(record.getMessage())

    logger = logging.getLogger("test.logs.app")
    keep = Keep()
    logger.addHandler(keep)
    try:
        assert client.get("/health").status_code == 200
        logger.warning("来电 %s 反映噪声", "13912345678")
    finally:
        logger.removeHandler(keep)
    assert received == ["来电 139****5678 反映噪声"]


def test_a_record_whose_arguments_do_not_fit_is_still_made(client):
    """Masking happens when the record is made: arguments that do not fit must not raise there, at the caller."""
    make_record = logging.getLogRecordFactory()
    record = make_record("test.logs.bad", logging.WARNING, __file__, 1, "%d tickets from %s", ("many", "13912345678"),
                         None)
    assert record.args == ("many", "13912345678")  # left for the handler, which reports the mistake
    assert make_record("x", logging.INFO, __file__, 1, "来电 %s", ("13912345678",), None).getMessage() == "来电 139****5678"


def test_secrets_are_blanked_and_ordinary_text_is_kept():
    """The record-level rule (hotline/log_secrets.py) blanks what would let a reader in, and nothing else."""
    from hotline.log_secrets import scrub

    assert scrub("工单号 2026120300001，查询码 25627924。") == "工单号 2026120300001，查询码 ********。"
    assert scrub("GET /open311/v2/requests.json?api_key=k_123&status=open") == \
        "GET /open311/v2/requests.json?api_key=********&status=open"
    assert scrub("Authorization: Bearer abc.def-ghi") == "Authorization: Bearer ********"
    assert scrub('{"password": "hunter2", "username": "operator1"}') == '{"password": "********", "username": "operator1"}'
    for ordinary in ("token versions: Redis unavailable (ConnectionError); read from the database",
                     "board connected: commander 指挥长 (after=12)", "2026-11-24 12:00 金额 300 元，工单 2026120300001",
                     "bypass: 3", "passes 2 of 3", "SMS to 139****7777: 您的工单 2026120300001 已办结"):
        assert scrub(ordinary) == ordinary
