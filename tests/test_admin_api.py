"""The admin API for units, areas, the catalogue and staff: what an admin may do, and every refusal (a Chinese
4xx, nothing written)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from dispatch.models import CatalogueEntry
from hotline.database import session_scope
from hotline.models import Area, Department, Staff

pytestmark = pytest.mark.usefixtures("reference_restored")  # its units and accounts are put back


def _code(prefix: str = "t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def _count(model, *where) -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def admin(login):
    return login("admin")


def _unit(admin, **fields):
    body = {"code": _code("u"), "name": f"测试单位{uuid.uuid4().hex[:6]}", "kind": "bureau", **fields}
    response = admin.post("/api/admin/units", json=body)
    assert response.status_code == 201, response.text
    return response.json()


# -- units ----------------------------------------------------------------------------------------------------------

def test_an_admin_creates_edits_and_deactivates_a_unit(admin):
    parent = _unit(admin)
    unit = _unit(admin, duty_phone="0730-812 3456", parent_code=parent["code"])
    assert unit["duty_phone"] == "07308123456" and unit["parent_code"] == parent["code"]
    assert unit["kind_label"] == "县直部门" and unit["active"] is True

    edited = admin.client.put(f"/api/admin/units/{unit['id']}", headers=admin.headers,
                              json={"name": unit["name"] + "（改）", "kind": "enterprise"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["name"] == unit["name"] + "（改）" and edited.json()["parent_code"] is None
    assert edited.json()["duty_phone"] is None  # the whole record: what is left out is cleared

    stopped = admin.post(f"/api/admin/units/{unit['id']}/deactivate")
    assert stopped.status_code == 200 and stopped.json()["active"] is False
    assert admin.post(f"/api/admin/units/{unit['id']}/reactivate").json()["active"] is True
    listed = {u["code"]: u for u in admin.get("/api/admin/units").json()}
    assert listed[unit["code"]]["name"] == unit["name"] + "（改）"


def test_bad_units_are_refused_field_by_field_and_nothing_is_written(admin):
    code = _code("u")
    response = admin.post("/api/admin/units", json={"code": code, "name": "", "kind": "palace",
                                                   "parent_code": "nosuchunit"})
    assert response.status_code == 400
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert fields["name"] == "单位名称不能为空，最长 64 个字"
    assert fields["kind"] == "未知的单位类型「palace」"
    assert "上级单位编码「nosuchunit」不存在" in fields["parent_code"]
    assert _count(Department, Department.code == code) == 0

    phone = admin.post("/api/admin/units", json={"code": code, "name": "某单位", "kind": "bureau",
                                                "duty_phone": "12ab"})
    assert phone.status_code == 400 and phone.json()["errors"][0]["field"] == "duty_phone"
    assert _count(Department, Department.code == code) == 0


def test_a_duplicate_unit_code_is_409_and_an_unknown_unit_404(admin):
    unit = _unit(admin)
    again = admin.post("/api/admin/units", json={"code": unit["code"], "name": "另一个名字", "kind": "bureau"})
    assert again.status_code == 409 and again.json()["detail"] == f"单位编码「{unit['code']}」已存在"
    same_name = admin.post("/api/admin/units", json={"code": _code("u"), "name": unit["name"], "kind": "bureau"})
    assert same_name.status_code == 400 and "已被单位" in same_name.json()["detail"]
    assert admin.post("/api/admin/units/999999/deactivate").status_code == 404
    missing = admin.client.put("/api/admin/units/999999", headers=admin.headers, json={"name": "x", "kind": "bureau"})
    assert missing.status_code == 404


def test_a_unit_the_catalogue_sends_work_to_is_not_deactivated(admin):
    unit = _unit(admin)
    entry = admin.post("/api/admin/catalogue", json={"category_code": "0101", "township": "城关街道",
                                                     "lead_code": unit["code"]})
    assert entry.status_code in (201, 409), entry.text
    if entry.status_code == 409:  # an earlier run left the override: point it here
        existing = next(e for e in admin.get("/api/admin/catalogue").json()
                        if e["category_code"] == "0101" and e["township"] == "城关街道")
        assert admin.client.put(f"/api/admin/catalogue/{existing['id']}", headers=admin.headers,
                                json={"lead_code": unit["code"]}).status_code == 200
    refused = admin.post(f"/api/admin/units/{unit['id']}/deactivate")
    assert refused.status_code == 409
    assert "派单目录0101（城关街道）" in refused.json()["detail"]
    assert _count(Department, Department.id == unit["id"], Department.active) == 1
    entry_id = next(e["id"] for e in admin.get("/api/admin/catalogue").json()
                    if e["category_code"] == "0101" and e["township"] == "城关街道")
    assert admin.client.delete(f"/api/admin/catalogue/{entry_id}", headers=admin.headers).status_code == 204
    assert admin.post(f"/api/admin/units/{unit['id']}/deactivate").status_code == 200


@pytest.mark.parametrize("username", ["operator1", "commander", "h_zjj", "auditor"])
def test_only_admins_reach_the_admin_api(login, username):
    other = login(username)
    for path in ("/api/admin/units", "/api/admin/areas", "/api/admin/catalogue", "/api/admin/staff"):
        assert other.get(path).status_code == 403
    assert other.post("/api/admin/units", json={"code": _code(), "name": "x", "kind": "bureau"}).status_code == 403


# -- areas ----------------------------------------------------------------------------------------------------------

def test_areas_are_created_renamed_and_removed_only_when_unused(admin):
    township = f"测试{uuid.uuid4().hex[:4]}镇"
    created = admin.post("/api/admin/areas", json={"township": township})
    assert created.status_code == 201 and created.json()["kind"] == "township"
    village = admin.post("/api/admin/areas", json={"township": township, "village": "新民社区"})
    assert village.status_code == 201 and village.json() == {
        "id": village.json()["id"], "name": "新民社区", "kind": "community", "township": township}
    assert admin.post("/api/admin/areas", json={"township": township}).status_code == 409

    in_use = admin.client.delete(f"/api/admin/areas/{created.json()['id']}", headers=admin.headers)
    assert in_use.status_code == 409 and "新民社区" in in_use.json()["detail"]
    renamed = admin.client.put(f"/api/admin/areas/{village.json()['id']}", headers=admin.headers,
                               json={"name": "新民村"})
    assert renamed.status_code == 200 and renamed.json()["kind"] == "village"
    assert admin.client.delete(f"/api/admin/areas/{village.json()['id']}", headers=admin.headers).status_code == 204
    assert admin.client.delete(f"/api/admin/areas/{created.json()['id']}", headers=admin.headers).status_code == 204
    assert _count(Area, Area.name == township) == 0


def test_bad_areas_are_refused(admin):
    orphan = admin.post("/api/admin/areas", json={"township": "没有这个镇", "village": "某村"})
    assert orphan.status_code == 400 and orphan.json()["errors"][0]["field"] == "township"
    assert _count(Area, Area.name == "某村") == 0
    # a township tickets were recorded under keeps its name
    used = next(a for a in admin.get("/api/admin/areas").json() if a["name"] == "城关街道")
    admin_units = admin.client.put(f"/api/admin/areas/{used['id']}", headers=admin.headers, json={"name": "城关镇"})
    assert admin_units.status_code == 409 and "不能改名" in admin_units.json()["detail"]
    assert admin.client.delete("/api/admin/areas/999999", headers=admin.headers).status_code == 404


# -- catalogue ------------------------------------------------------------------------------------------------------

def test_catalogue_entries_point_only_at_active_known_units(admin):
    lead, co, stopped = _unit(admin), _unit(admin), _unit(admin)
    assert admin.post(f"/api/admin/units/{stopped['id']}/deactivate").status_code == 200
    township = f"测试{uuid.uuid4().hex[:4]}乡"
    assert admin.post("/api/admin/areas", json={"township": township}).status_code == 201

    body = {"category_code": "0102", "township": township, "lead_code": lead["code"], "co_codes": [co["code"]],
            "time_limits": {"complaint": 8}}
    created = admin.post("/api/admin/catalogue", json=body)
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry["lead"]["code"] == lead["code"] and [c["code"] for c in entry["co"]] == [co["code"]]
    assert entry["time_limits"] == {"complaint": 8} and entry["category_name"]
    assert admin.post("/api/admin/catalogue", json=body).status_code == 409

    url = f"/api/admin/catalogue/{entry['id']}"
    to_stopped = admin.client.put(url, headers=admin.headers, json={"lead_code": stopped["code"]})
    assert to_stopped.status_code == 400 and to_stopped.json()["errors"][0]["field"] == "lead_code"
    assert "已停用" in to_stopped.json()["detail"]
    unknown = admin.client.put(url, headers=admin.headers, json={"lead_code": "nosuchunit", "co_codes": ["nope"],
                                                                 "time_limits": {"complaint": 99}})
    assert unknown.status_code == 400
    assert {e["field"] for e in unknown.json()["errors"]} == {"lead_code", "co_codes", "time_limits.complaint"}
    with session_scope() as session:
        kept = session.get(CatalogueEntry, entry["id"])
        assert kept.lead_department.code == lead["code"] and kept.time_limits == {"complaint": 8}

    assert admin.client.put(url, headers=admin.headers, json={"lead_code": co["code"]}).json()["co"] == []
    used = admin.client.delete(f"/api/admin/areas/{next(a['id'] for a in admin.get('/api/admin/areas').json() if a['name'] == township)}",
                               headers=admin.headers)
    assert used.status_code == 409 and "派单目录" in used.json()["detail"]
    assert admin.client.delete(url, headers=admin.headers).status_code == 204
    assert admin.client.delete(url, headers=admin.headers).status_code == 404


def test_an_unknown_category_is_refused(admin):
    unit = _unit(admin)
    response = admin.post("/api/admin/catalogue", json={"category_code": "9999", "lead_code": unit["code"]})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "category_code"
    assert _count(CatalogueEntry, CatalogueEntry.category_code == "9999") == 0


# -- staff ----------------------------------------------------------------------------------------------------------

def _staff(admin, **fields):
    body = {"username": _code("s"), "display_name": "测试人员", "role": "operator", **fields}
    response = admin.post("/api/admin/staff", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _sign_in(client, username, password):
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    return response


def test_a_new_account_gets_a_generated_password_once_and_signs_in(admin, client):
    created = _staff(admin, phone="138 0013 8000")
    assert len(created["password"]) == 12 and created["staff"]["phone"] == "13800138000"
    assert _sign_in(client, created["staff"]["username"], created["password"]).status_code == 200
    chosen = _staff(admin, password="a-long-enough-password")
    assert chosen["password"] is None
    assert _sign_in(client, chosen["staff"]["username"], "a-long-enough-password").status_code == 200
    listed = {s["username"]: s for s in admin.get("/api/admin/staff").json()}
    assert listed[created["staff"]["username"]]["phone"] == "13800138000"  # admins see phones (docs/admin.md)
    with session_scope() as session:
        row = session.scalars(select(Staff).where(Staff.username == created["staff"]["username"])).one()
        assert created["password"] not in row.password_hash


def test_bad_accounts_are_refused_and_nothing_is_written(admin, login):
    existing = login("operator1").staff["username"]
    assert admin.post("/api/admin/staff", json={"username": existing, "display_name": "重名", "role": "operator"}
                      ).status_code == 409
    name = _code("s")
    cases = [
        ({"username": name, "display_name": "某人", "role": "operator", "password": "short"}, "password",
         "密码太短：至少 10 个字符（现在 5 个）"),
        ({"username": name, "display_name": "某人", "role": "handler"}, "unit_code", "承办人员必须填写所在单位的单位编码"),
        ({"username": name, "display_name": "某人", "role": "king"}, "role", None),
        ({"username": "有 空格", "display_name": "某人", "role": "operator"}, "username", None),
        ({"username": name, "display_name": "", "role": "operator"}, "display_name", "姓名不能为空，最长 32 个字"),
        ({"username": name, "display_name": "某人", "role": "handler", "unit_code": "nosuchunit"}, "unit_code", None),
        ({"username": name, "display_name": "某人", "role": "operator", "phone": "abc"}, "phone", None),
    ]
    for body, field, message in cases:
        response = admin.post("/api/admin/staff", json=body)
        assert response.status_code == 400, (body, response.text)
        errors = {e["field"]: e["message"] for e in response.json()["errors"]}
        assert field in errors, (body, errors)
        if message:
            assert errors[field] == message
    assert _count(Staff, Staff.username == name) == 0
    assert admin.post("/api/admin/staff/999999/deactivate").status_code == 404


def test_role_unit_deactivation_and_password_reset_each_revoke_the_old_sign_in(admin, client):
    unit, other_unit = _unit(admin), _unit(admin)
    created = _staff(admin, role="handler", unit_code=unit["code"], password="first-password-1")
    staff_id, username = created["staff"]["id"], created["staff"]["username"]

    def token(password="first-password-1"):
        response = _sign_in(client, username, password)
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def edit(**fields):
        body = {"display_name": "测试人员", "role": "handler", "unit_code": unit["code"], **fields}
        response = client.put(f"/api/admin/staff/{staff_id}", headers=admin.headers, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    headers = token()
    assert client.get("/api/tickets/", headers=headers).status_code == 200
    edit(display_name="改名不影响登录", phone="13900139000")
    assert client.get("/api/tickets/", headers=headers).status_code == 200

    for change in ({"unit_code": other_unit["code"]}, {"role": "operator"}):
        headers = token()
        assert edit(**{"unit_code": other_unit["code"], **change})["unit_code"] in (other_unit["code"], None)
        refused = client.get("/api/tickets/", headers=headers)
        assert refused.status_code == 401
        assert refused.json()["detail"] == "登录已失效（账号已停用、角色或单位已变更，或密码已重置），请重新登录"
        unit = other_unit  # the next change starts from here
        edit(role="handler")  # back, for the next round (itself a revocation)

    headers = token()
    reset = admin.post(f"/api/admin/staff/{staff_id}/password", json={})
    assert reset.status_code == 200 and len(reset.json()["password"]) == 12
    assert client.get("/api/tickets/", headers=headers).status_code == 401
    assert _sign_in(client, username, "first-password-1").status_code == 401
    headers = token(reset.json()["password"])

    stopped = admin.post(f"/api/admin/staff/{staff_id}/deactivate")
    assert stopped.status_code == 200 and stopped.json()["active"] is False
    assert client.get("/api/tickets/", headers=headers).status_code == 401
    assert _sign_in(client, username, reset.json()["password"]).status_code == 401
    assert admin.post(f"/api/admin/staff/{staff_id}/reactivate").json()["active"] is True
    assert client.get("/api/tickets/", headers=headers).status_code == 401  # that sign-in stays revoked
    assert _sign_in(client, username, reset.json()["password"]).status_code == 200


def test_an_admin_cannot_deactivate_or_demote_themselves(admin, client):
    me = admin.staff["id"]
    assert admin.post(f"/api/admin/staff/{me}/deactivate").status_code == 409
    demoted = client.put(f"/api/admin/staff/{me}", headers=admin.headers,
                         json={"display_name": admin.staff["display_name"], "role": "operator"})
    assert demoted.status_code == 409 and "不能修改自己的账号" in demoted.json()["detail"]
    assert _count(Staff, Staff.id == me, Staff.role == "admin", Staff.active) == 1
    assert admin.get("/api/admin/units").status_code == 200
