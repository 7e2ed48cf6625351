"""The workbook's 人员 sheet through the admin's rules: 手机 is stored, and a re-import that gives an account a
new role revokes its sign-in, as the admin API does."""

from __future__ import annotations

import uuid

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from hotline.database import session_scope
from hotline.models import Staff
from web.county_workbook import SHEETS, STAFF, import_county, write_template

pytestmark = pytest.mark.usefixtures("reference_restored")  # its units and accounts are put back


def _staff_only(path, rows) -> None:
    """The template with its example rows taken out, and only these 人员 rows: nothing else of the suite's county
    is touched."""
    write_template(path)
    workbook = load_workbook(path)
    for sheet in SHEETS:
        workbook[sheet.title].delete_rows(2, workbook[sheet.title].max_row)
    for row in rows:
        workbook[STAFF.title].append(list(row))
    workbook.save(path)


def test_the_phone_is_stored_and_a_new_role_revokes_the_sign_in(tmp_path, client):
    username = f"w{uuid.uuid4().hex[:8]}"
    path = tmp_path / "staff.xlsx"
    _staff_only(path, [(username, "李四", "话务员", None, "139-0013-9000")])
    with session_scope() as session:
        outcome = import_county(session, path)
    assert outcome.problems == [], outcome.problems
    password = next(p for u, _, p in outcome.passwords if u == username)
    with session_scope() as session:
        assert session.scalars(select(Staff.phone).where(Staff.username == username)).one() == "13900139000"

    signed_in = client.post("/api/auth/login", json={"username": username, "password": password})
    headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    assert client.get("/api/tickets/", headers=headers).status_code == 200

    _staff_only(path, [(username, "李四", "监察审计", None, None)])
    with session_scope() as session:
        outcome = import_county(session, path)
    assert outcome.problems == [] and outcome.passwords == []
    assert client.get("/api/tickets/", headers=headers).status_code == 401
    with session_scope() as session:
        account = session.scalars(select(Staff).where(Staff.username == username)).one()
        assert (account.role, account.phone, account.token_version) == ("auditor", None, 1)


def test_a_bad_phone_in_the_sheet_is_reported_by_row_and_nothing_written(tmp_path):
    username = f"w{uuid.uuid4().hex[:8]}"
    path = tmp_path / "staff.xlsx"
    _staff_only(path, [(username, "王五", "话务员", None, "电话坏了")])
    with session_scope() as session:
        outcome = import_county(session, path)
    assert [(p.sheet, p.row, p.column) for p in outcome.problems] == [("人员", 2, "手机")]
    with session_scope() as session:
        assert session.scalars(select(Staff.id).where(Staff.username == username)).first() is None


def test_the_workbook_through_the_api_dry_run_then_for_real(tmp_path, login, client):
    admin = login("admin")
    username = f"w{uuid.uuid4().hex[:8]}"
    path = tmp_path / "staff.xlsx"
    _staff_only(path, [(username, "赵六", "话务员", None, "13700137000")])
    url = "/api/admin/county/import"

    dry = client.post(f"{url}?dry_run=true", content=path.read_bytes(), headers=admin.headers)
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True and dry.json()["changes"]["人员"]["created"] == [username]
    assert dry.json()["passwords"] == []
    with session_scope() as session:
        assert session.scalars(select(Staff.id).where(Staff.username == username)).first() is None

    done = client.post(url, content=path.read_bytes(), headers=admin.headers)
    assert done.status_code == 200, done.text
    [handed] = done.json()["passwords"]
    assert handed["username"] == username and len(handed["password"]) == 12
    assert client.post("/api/auth/login", json={"username": username, "password": handed["password"]}
                       ).status_code == 200

    _staff_only(path, [(username, "", "国王", None, None)])
    refused = client.post(url, content=path.read_bytes(), headers=admin.headers)
    assert refused.status_code == 400
    assert {(p["sheet"], p["row"], p["column"]) for p in refused.json()["problems"]} == {
        ("人员", 2, "姓名"), ("人员", 2, "角色")}
    with session_scope() as session:
        assert session.scalars(select(Staff.display_name).where(Staff.username == username)).one() == "赵六"

    assert client.post(url, content=b"not a workbook", headers=admin.headers).status_code == 400
    assert login("operator1").post(url, content=path.read_bytes()).status_code == 403
