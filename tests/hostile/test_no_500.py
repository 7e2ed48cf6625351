"""Each 500 issue 18 found is a clear 4xx with a Chinese message: an impossible month, a deeply nested JSON body,
a NUL in a static path, a signed token that names no role or no account. Written before the fix."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from litestar.security.jwt import Token

from hotline.clock import now
from hotline.settings import get_settings
from tests.hostile.conftest import login

DEEP = 100_000
DEEP_OBJECTS = 40_000  # `{"a":` is five bytes: deeper would pass the 256 KiB body limit (a 413, as it should)


@pytest.mark.parametrize("month", ["9999-12", "0000-01"])
def test_a_month_the_calendar_cannot_hold_is_a_400(live_server, month):
    response = httpx.get(f"{live_server}/api/reports/monthly", params={"month": month},
                         headers=login(live_server, "commander"))
    assert response.status_code == 400, response.text
    assert "月份" in response.json()["detail"]


@pytest.mark.parametrize(("path", "user"), [("/api/public/letters", None), ("/api/public/lookup", None),
                                            ("/api/tickets", "operator1"), ("/api/auth/login", None)])
@pytest.mark.parametrize("shape", ["[" * DEEP + "]" * DEEP, '{"a":' * DEEP_OBJECTS + "1" + "}" * DEEP_OBJECTS])
def test_a_deeply_nested_json_body_is_a_400(live_server, path, user, shape):
    headers = {"content-type": "application/json", **(login(live_server, user) if user else {})}
    response = httpx.post(f"{live_server}{path}", content=shape.encode(), headers=headers, timeout=30)
    assert response.status_code == 400, response.text[:300]
    assert "嵌套" in response.json()["detail"]


def test_ordinary_nesting_still_passes(live_server):
    """The depth check must not refuse a real body: a letter is two levels at most."""
    response = httpx.post(f"{live_server}/api/public/letters", json={
        "title": "反映问题", "content": "[[[{\"不是\": \"嵌套\"}]]] 这是文字里的括号", "phone": "13700137000",
        "township": "城关街道"})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("path", ["/static/board/index.html%00.js", "/static/board/%00", "/static/vendor/%00x.js",
                                  "/board%00", "/static/board/..%2f..%2fapp.py", "/static/board/%2e%2e/%2e%2e/app.py"])
def test_a_bad_static_or_page_path_is_a_4xx(live_server, path):
    response = httpx.get(f"{live_server}{path}")
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:200])
    assert "import" not in response.text  # no source file either


def _token(sub: str, **extras: object) -> str:
    token = Token(sub=sub, exp=now() + timedelta(hours=1), extras=extras)
    return token.encode(get_settings().secret_key, "HS256")


@pytest.mark.parametrize(("sub", "extras"), [
    ("1", {"dept": None, "name": "无角色", "ver": 0}),  # no role claim
    ("1", {"role": "superuser", "ver": 0}),  # a role we do not have
    ("987654", {"role": "operator", "dept": None, "name": "不存在", "ver": 0}),  # no such account
    ("not-a-number", {"role": "operator", "ver": 0}),
])
@pytest.mark.parametrize("path", ["/api/tickets", "/api/reference/me"])
def test_a_signed_token_that_names_no_role_or_account_is_a_401(live_server, sub, extras, path):
    response = httpx.get(f"{live_server}{path}", headers={"Authorization": f"Bearer {_token(sub, **extras)}"})
    assert response.status_code == 401, response.text
    assert "登录已失效" in response.json()["detail"] and "请重新登录" in response.json()["detail"]


def test_an_unknown_account_cannot_record_a_call(live_server):
    from tests.fixtures import CALL

    headers = {"Authorization": f"Bearer {_token('987654', role='operator', dept=None, name='不存在', ver=0)}"}
    response = httpx.post(f"{live_server}/api/tickets", json=CALL, headers=headers)
    assert response.status_code == 401, response.text
