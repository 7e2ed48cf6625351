"""The grid worker (网格员) through the API: report an event from their cell, add photos, follow the cell's
tickets, and check on the spot that a closed one is really fixed (核查).

Written from issue 21 and docs/grid.md, not from the code: a report is a ticket of the 网格上报 channel placed in
the worker's own cell and routed like any other; a worker sees their own cell's tickets and nothing else (another
cell's ticket answers exactly as an unknown number); 核查通过 leaves the ticket closed, 核查未通过 sends it back to
the same unit with the worker's words on the record, and each closure is checked once.
"""

from __future__ import annotations

import pytest
from rq import SimpleWorker
from sqlalchemy import delete, select

from hotline.accounts import create_staff
from hotline.database import session_scope
from hotline.grid_cells import CellRow, GridWorker, upsert_cell
from hotline.jobs import get_queue
from hotline.models import Staff
from hotline.vocabulary import Role
from tests import upload_samples as s
from tests.fixtures import department_id
from web.demo.county import DEMO_PASSWORD

REPORT = {"content": "望江花园南门人行道井盖破损，边上有个大坑，晚上容易绊倒行人", "address": "望江花园南门",
          "latitude": 28.5512, "longitude": 112.3345, "type": "help"}
UNKNOWN = "2026112499999"


@pytest.fixture(scope="module")
def other_cell(reference_restored):
    """A second cell in another township, with its own worker `grid2`, and a worker with no cell, `grid0`."""
    with session_scope() as session:
        create_staff(session, "grid2", "钱网格", DEMO_PASSWORD, Role.GRID, None)
        create_staff(session, "grid0", "孙网格", DEMO_PASSWORD, Role.GRID, None)
        session.flush()
        upsert_cell(session, CellRow(code="JN-01", name="江南街道第一网格", township="江南街道", workers=("grid2",)))


@pytest.fixture
def grid(login, other_cell):
    return login("grid1")


@pytest.fixture
def grid2(login, other_cell):
    return login("grid2")


def _report(api, **extra):
    return api.post("/api/grid/reports", json=REPORT | extra)


def _closed(login, commander, number: str) -> None:
    """The unit the center dispatched it to signs for it and replies."""
    assert commander.act(number, "dispatch", {"department_id": department_id("cgj")}).status_code == 200
    handler = login("h_cgj")
    assert handler.act(number, "sign").status_code == 200
    response = handler.act(number, "reply", {"reply": "已更换井盖并填平坑洞"})
    assert response.json()["status"] == "closed", response.text


def test_a_worker_sees_their_own_cell(grid):
    response = grid.get("/api/grid/me")
    assert response.status_code == 200, response.text
    assert response.json() == {"code": "CG-WJ-01", "name": "望江社区第一网格", "township": "城关街道",
                               "village": "望江社区"}


def test_a_report_is_a_grid_ticket_in_the_workers_cell_and_is_routed_like_any_other(grid, commander):
    response = _report(grid)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["township"], body["village"], body["address"]) == ("城关街道", "望江社区", "望江花园南门")
    assert (body["latitude"], body["longitude"]) == (28.5512, 112.3345)
    assert body["status"] == "pending_dispatch"
    staff_view = commander.get(f"/api/tickets/{body['number']}").json()
    assert staff_view["channel"] == "grid"
    assert staff_view["caller_name"] == "刘网格"
    assert [e["action"] for e in staff_view["events"]][:2] == ["receive", "submit"]
    assert staff_view["events"][0]["actor_role"] == "grid_worker"

    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)  # the routing job, as for any ticket
    routed = commander.get(f"/api/tickets/{body['number']}").json()
    assert "classify" in [e["action"] for e in routed["events"]]
    assert routed["suggested_category"]


def test_a_worker_adds_a_photo_with_the_attachment_api_and_sees_it(grid):
    number = _report(grid).json()["number"]
    upload = grid.client.post(f"/api/tickets/{number}/attachments", headers=grid.headers,
                              files={"file": ("井盖.jpg", s.phone_photo(), "image/jpeg")})
    assert upload.status_code == 201, upload.text
    assert upload.json()["source"] == "grid_worker"
    detail = grid.get(f"/api/grid/tickets/{number}").json()
    assert [a["name"] for a in detail["attachments"]] == ["井盖.jpg"]
    assert grid.client.get(detail["attachments"][0]["thumb_url"]).headers["content-type"] == "image/jpeg"
    assert "已上传照片" in [step["text"] for step in detail["timeline"]]


def test_the_list_holds_the_cells_tickets_only(grid, grid2, operator):
    mine = _report(grid).json()["number"]
    theirs = _report(grid2, content="江南街道菜市场门口垃圾堆了三天没人清运").json()["number"]
    call = operator.post("/api/tickets", json={"content": "望江社区路灯不亮", "township": "城关街道",
                                               "village": "望江社区", "type": "complaint"}).json()["number"]
    assert [t["number"] for t in grid.get("/api/grid/tickets").json()] == [mine]
    assert [t["number"] for t in grid2.get("/api/grid/tickets").json()] == [theirs]
    for path in (f"/api/grid/tickets/{theirs}", f"/api/grid/tickets/{call}"):
        foreign, unknown = grid.get(path), grid.get(f"/api/grid/tickets/{UNKNOWN}")
        assert foreign.status_code == unknown.status_code == 404
        assert foreign.text.replace(path.rsplit("/", 1)[1], UNKNOWN) == unknown.text


def test_another_cells_ticket_takes_no_photo_and_no_check(grid, grid2):
    theirs = _report(grid2).json()["number"]
    upload = grid.client.post(f"/api/tickets/{theirs}/attachments", headers=grid.headers,
                              files={"file": ("a.jpg", s.phone_photo(), "image/jpeg")})
    assert upload.status_code == 404
    assert grid.post(f"/api/grid/tickets/{theirs}/check", json={"passed": True}).status_code == 404
    assert grid2.get(f"/api/grid/tickets/{theirs}").json()["attachments"] == []


def test_a_worker_is_kept_off_the_rest_of_the_api(grid):
    for path in ("/api/tickets", "/api/inbox", "/api/callbacks", "/api/admin/grid-cells", "/api/audit/events",
                 "/api/tickets/search?number=20"):
        assert grid.get(path).status_code == 403, path
    assert grid.post("/api/tickets", json={"content": "路灯坏了"}).status_code == 403


def test_bad_reports_are_refused_in_chinese_and_leave_no_ticket(grid):
    for body, words in [({"content": ""}, "事件描述不能为空"), ({"content": "  \u3000 "}, "事件描述不能为空"),
                        ({"content": "坑" * 4001}, "4000"), ({"content": "井盖坏了", "latitude": 28.5}, "经纬度"),
                        ({"content": "井盖坏了", "latitude": 200, "longitude": 112}, None),
                        ({"content": "井盖坏了", "township": "白沙镇"}, None),
                        ({"content": "井盖坏了", "type": "praise"}, "类型")]:
        response = grid.post("/api/grid/reports", json=body)
        assert response.status_code == 400, (body, response.text)
        if words:
            assert words in response.json()["detail"] + str(response.json().get("errors", "")), response.text
    assert grid.get("/api/grid/tickets").json() == []


def test_emoji_and_the_longest_text_are_kept_as_written(grid):
    emoji = _report(grid, content="🚧 井盖没了 🕳️ 请尽快处理👷").json()
    assert grid.get(f"/api/grid/tickets/{emoji['number']}").json()["content"] == "🚧 井盖没了 🕳️ 请尽快处理👷"
    longest = _report(grid, content="坑" * 4000)
    assert longest.status_code == 201 and len(longest.json()["content"]) == 4000


def test_the_same_report_sent_twice_is_one_ticket(grid):
    first = _report(grid, idempotency_key="grid-report-0001").json()["number"]
    again = _report(grid, idempotency_key="grid-report-0001")
    assert again.status_code == 409 and first in again.text
    assert len(grid.get("/api/grid/tickets").json()) == 1


def test_a_worker_without_a_cell_is_told_to_ask_the_admin(login, other_cell):
    nobody = login("grid0")
    for response in (nobody.get("/api/grid/me"), nobody.get("/api/grid/tickets"), _report(nobody)):
        assert response.status_code == 403
        assert "尚未分配网格" in response.json()["detail"]


def test_check_passed_keeps_it_closed_once_per_closure(login, grid, commander):
    number = _report(grid).json()["number"]
    early = grid.post(f"/api/grid/tickets/{number}/check", json={"passed": True})
    assert early.status_code == 409 and "不能执行「网格员核查」" in early.json()["detail"]
    _closed(login, commander, number)
    before = grid.get(f"/api/grid/tickets/{number}").json()
    assert before["can_check"] and before["reply"] == "已更换井盖并填平坑洞"
    response = grid.post(f"/api/grid/tickets/{number}/check",
                         json={"passed": True, "comment": "现场看过，井盖已换", "latitude": 28.55, "longitude": 112.33})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "closed" and not body["can_check"]
    assert body["last_check"]["passed"] is True and body["last_check"]["comment"] == "现场看过，井盖已换"
    assert "网格员现场核查通过" in [step["text"] for step in body["timeline"]]
    again = grid.post(f"/api/grid/tickets/{number}/check", json={"passed": False, "comment": "又坏了"})
    assert again.status_code == 409 and "已核查过" in again.json()["detail"]
    event = commander.get(f"/api/tickets/{number}").json()["events"][-1]
    assert (event["action"], event["actor_role"]) == ("grid_check", "grid_worker")


def test_check_failed_sends_it_back_to_the_same_unit_with_the_workers_words(login, grid, commander, operator):
    number = _report(grid).json()["number"]
    _closed(login, commander, number)
    assert number in operator.get("/api/callbacks").text  # the control: its 回访 is due
    no_words = grid.post(f"/api/grid/tickets/{number}/check", json={"passed": False, "comment": "  "})
    assert no_words.status_code == 400 and "核查意见" in no_words.text
    response = grid.post(f"/api/grid/tickets/{number}/check",
                         json={"passed": False, "comment": "井盖换了但坑没填，还是会绊倒人"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "in_progress"
    assert any("核查未通过：井盖换了但坑没填" in step["text"] for step in response.json()["timeline"])

    staff_view = commander.get(f"/api/tickets/{number}").json()
    assert staff_view["lead_department"]["id"] == department_id("cgj")
    assert staff_view["reply"] is None and staff_view["due_at"]
    event = staff_view["events"][-1]
    assert (event["action"], event["to_status"], event["note"]) == ("grid_check", "in_progress",
                                                                    "井盖换了但坑没填，还是会绊倒人")
    handler = login("h_cgj")
    assert number in [t["number"] for t in handler.get("/api/inbox").json()]
    callbacks = operator.get("/api/callbacks").text
    assert number not in callbacks  # nobody calls back about a closure the worker found unfixed
    assert handler.act(number, "reply", {"reply": "坑已填平"}).json()["status"] == "closed"
    assert grid.get(f"/api/grid/tickets/{number}").json()["can_check"]  # the new closure is checked again
    passed = grid.post(f"/api/grid/tickets/{number}/check", json={"passed": True}).json()
    assert passed["status"] == "closed" and passed["last_check"]["passed"] is True and not passed["can_check"]


def test_unknown_ids_and_bad_checks(grid):
    assert grid.get(f"/api/grid/tickets/{UNKNOWN}").status_code == 404
    assert grid.get("/api/grid/tickets/" + "9" * 200).status_code == 404
    assert grid.post(f"/api/grid/tickets/{UNKNOWN}/check", json={"passed": True}).status_code == 404
    number = _report(grid).json()["number"]
    for body in ({}, {"passed": "yes"}, {"passed": True, "comment": "x" * 1001}, {"passed": True, "extra": 1}):
        assert grid.post(f"/api/grid/tickets/{number}/check", json=body).status_code == 400, body


# -- the admin's grid cells ----------------------------------------------------------------------------------------

def test_admin_creates_edits_and_deactivates_a_cell(login, other_cell):
    admin = login("admin")
    created = admin.post("/api/admin/grid-cells", json={"code": "BS-01", "name": "白沙镇第一网格",
                                                        "township": "白沙镇", "workers": ["grid0"]})
    assert created.status_code == 201, created.text
    cell = created.json()
    assert [w["username"] for w in cell["workers"]] == ["grid0"] and cell["active"]
    assert login("grid0").get("/api/grid/me").json()["name"] == "白沙镇第一网格"
    assert "BS-01" in [c["code"] for c in admin.get("/api/admin/grid-cells").json()]

    moved = admin.client.put(f"/api/admin/grid-cells/{cell['id']}", headers=admin.headers,
                             json={"name": "白沙镇一网格", "township": "白沙镇", "workers": []})
    assert moved.status_code == 200 and moved.json()["workers"] == []
    assert login("grid0").get("/api/grid/me").status_code == 403

    admin.client.put(f"/api/admin/grid-cells/{cell['id']}", headers=admin.headers,
                     json={"name": "白沙镇一网格", "township": "白沙镇", "workers": ["grid0"]})
    assert admin.post(f"/api/admin/grid-cells/{cell['id']}/deactivate").json()["active"] is False
    assert login("grid0").get("/api/grid/me").status_code == 403
    assert admin.post(f"/api/admin/grid-cells/{cell['id']}/reactivate").json()["active"] is True
    assert login("grid0").get("/api/grid/me").status_code == 200
    with session_scope() as session:
        session.execute(delete(GridWorker).where(GridWorker.staff_id == session.scalar(
            select(Staff.id).where(Staff.username == "grid0"))))


def test_admin_refusals_name_the_field(login, other_cell):
    admin = login("admin")
    assert admin.post("/api/admin/grid-cells", json={"code": "CG-WJ-01", "name": "重复", "township": "城关街道"}) \
        .status_code == 409
    bad = admin.post("/api/admin/grid-cells", json={"code": "坏 编码", "name": "", "township": "火星镇",
                                                    "workers": ["operator1", "nobody"]})
    assert bad.status_code == 400
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"code", "name", "township", "workers"}
    village = admin.post("/api/admin/grid-cells", json={"code": "X-1", "name": "某网格", "township": "白沙镇",
                                                        "village": "望江社区"})
    assert village.status_code == 400 and "白沙镇没有「望江社区」" in village.text
    assert admin.client.put("/api/admin/grid-cells/2147480000", headers=admin.headers,
                            json={"name": "x", "township": "白沙镇"}).status_code == 404
    assert admin.post("/api/admin/grid-cells/2147480000/deactivate").status_code == 404
    nul = admin.post("/api/admin/grid-cells", json={"code": "N-1", "name": "\u0000", "township": "白沙\u0000镇"})
    assert nul.status_code == 400 and {e["field"] for e in nul.json()["errors"]} == {"name"}
    assert login("operator1").get("/api/admin/grid-cells").status_code == 403


def test_an_area_with_a_cell_is_not_removed(login, other_cell):
    admin = login("admin")
    area = next(a for a in admin.get("/api/admin/areas").json() if a["name"] == "江南街道")
    response = admin.client.delete(f"/api/admin/areas/{area['id']}", headers=admin.headers)
    assert response.status_code == 409 and "江南街道第一网格" in response.text
