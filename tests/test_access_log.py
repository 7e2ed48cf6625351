"""Access records: every answer with a caller's fields in full leaves one, listed by ticket, staff, date, in pages."""

from __future__ import annotations

from hotline.clock import local, now
from tests.fixtures import CALL


def _records(auditor, **params) -> list[dict]:
    response = auditor.get("/api/audit/access", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_reads_actions_lists_and_caller_history_are_recorded(operator, login):
    auditor = login("auditor")
    number = operator.post("/api/tickets", json=CALL).json()["number"]
    assert _records(auditor, ticket=number) == []  # recording a call answers a receipt, not the caller's fields
    operator.get(f"/api/tickets/{number}")
    operator.act(number, "dispatch", {"category_code": "0107"})
    operator.get("/api/tickets")
    login("h_cgj").get("/api/inbox")
    hints = operator.post("/api/classifier/suggest", json={"text": "路灯坏了", "phone": CALL["caller_phone"]})
    assert hints.status_code == 200 and hints.json()["earlier_tickets"] == [number]
    views = [(r["staff"], r["view"]) for r in _records(auditor, ticket=number)]
    assert views == [("operator1", "caller_history"), ("h_cgj", "inbox"), ("operator1", "list"),
                     ("operator1", "action"), ("operator1", "detail")]
    auditor.get(f"/api/tickets/{number}")
    login("admin").get(f"/api/tickets/{number}")
    assert len(_records(auditor, ticket=number)) == 5  # redacted reads are no access to personal data


def test_filters_and_pages(operator, login):
    auditor = login("auditor")
    number = operator.post("/api/tickets", json=CALL).json()["number"]
    for _ in range(5):
        operator.get(f"/api/tickets/{number}")
    first = _records(auditor, limit=2)
    second = _records(auditor, limit=2, before_id=first[-1]["id"])
    assert len(first) == len(second) == 2 and first[-1]["id"] > second[0]["id"]
    today = local(now()).date().isoformat()  # the filter's days are Shanghai days
    assert len(_records(auditor, staff="operator1", date_from=today, date_to=today)) == 5
    assert _records(auditor, date_to="2020-01-01") == [] and _records(auditor, staff="h_jyj") == []
    assert auditor.get("/api/audit/access", params={"date_from": "yesterday"}).status_code == 400
    assert login("commander").get("/api/audit/access").status_code == 403
