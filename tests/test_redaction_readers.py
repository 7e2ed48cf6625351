"""The other readers of issue 18: the monthly export, the history-import problem echo and the log.

The export holds department figures only, never a ticket's words or caller; a cell echoed in an import problem
and a log line are redacted by the same hotline.redaction as the screens.
"""

from __future__ import annotations

import io
import logging

from openpyxl import load_workbook

from hotline.clock import local, now
from hotline.history import _shown
from hotline.privacy import MaskPersonalData
from tests.fixtures import CALL

WORDS = "我叫欧阳建国，电话139-1234-5679，身份证430102198001011234，小区门口路灯坏了"
SECRETS = ("欧阳建国", "139-1234-5679", "13912345679", "430102198001011234", "周晓梅", "13700009999")


def test_the_monthly_export_carries_no_ticket_words_or_caller(operator, login):
    number = operator.post("/api/tickets", json={**CALL, "content": WORDS, "caller_name": "周晓梅",
                                                 "caller_phone": "13700009999"}).json()["number"]
    assert operator.act(number, "dispatch", {"category_code": "0107"}).status_code == 200
    auditor, month = login("auditor"), local(now()).strftime("%Y-%m")  # the county's month
    csv = auditor.get("/api/reports/monthly", params={"month": month, "format": "csv"})
    xlsx = auditor.get("/api/reports/monthly", params={"month": month, "format": "xlsx"})
    assert csv.status_code == xlsx.status_code == 200
    cells = " ".join(str(c.value) for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows() for c in row)
    assert "县城市管理和综合执法局" in csv.content.decode("utf-8-sig") and "县城市管理和综合执法局" in cells
    for secret in SECRETS:
        assert secret not in csv.content.decode("utf-8-sig") and secret not in cells, secret


def test_an_import_problem_echoes_a_cell_redacted():
    shown = _shown("139-1234-5679")
    assert "139-1234-5679" not in shown and shown.startswith("139****5679")


def test_a_log_line_is_redacted_and_a_model_version_stays(caplog):
    logger = logging.getLogger("hotline.test.redaction")
    with caplog.at_level(logging.INFO, logger="hotline.test.redaction"):
        caplog.handler.addFilter(MaskPersonalData())
        logger.info("来电 %s；身份证 %s；模型 %s", "139-1234-5679", "430102198001011234", "20261203T051212123456Z")
    assert "139-1234-5679" not in caplog.text and "430102198001011234" not in caplog.text
    assert "139****5679" in caplog.text and "20261203T051212123456Z" in caplog.text
