"""Who may watch: commanders, auditors and registered wall displays; everyone else is turned away."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.board.conftest import Board, next_frame


@pytest.mark.parametrize("username", ["commander", "auditor"])
def test_commander_and_auditor_get_a_pass(board: Board, username: str):
    response = httpx.post(board.base + "/api/board/pass", headers=board.headers(username))
    assert response.status_code == 200
    body = response.json()
    assert body["ws_path"] == "/api/board/ws" and body["expires_in"] == 30 and len(body["pass"]) >= 40


@pytest.mark.parametrize("username", ["operator1", "h_zjj", "admin"])
def test_other_staff_are_turned_away_from_pass_and_socket(board: Board, username: str):
    headers = board.headers(username)
    response = httpx.post(board.base + "/api/board/pass", headers=headers)
    assert response.status_code == 403 and "无权访问" in response.json()["detail"]
    jwt = headers["Authorization"].removeprefix("Bearer ")
    assert _rejected(board.ws_base + f"/api/board/ws?pass={jwt}") == 403  # a staff token is no pass
    assert _rejected(board.ws_base + "/api/board/ws") == 403


def test_a_citizen_is_turned_away(board: Board):
    """A citizen holds a ticket number and a query code, never a staff token: neither opens the board."""
    receipt = httpx.post(board.base + "/api/public/letters", json={
        "title": "路灯", "content": "路灯坏了", "phone": "13800138000", "township": "城关街道"}).json()
    assert httpx.post(board.base + "/api/board/pass").status_code == 401  # not signed in at all
    assert httpx.post(board.base + "/api/board/pass", json=receipt).status_code == 401
    fake = {"token": receipt["query_code"] * 3}
    assert httpx.post(board.base + "/api/board/device-pass", json=fake).status_code == 401
    assert _rejected(board.ws_base + f"/api/board/ws?pass={receipt['query_code']}") == 403
    assert _rejected(board.ws_base + "/api/board/ws") == 403


def _rejected(url: str) -> int:
    async def attempt() -> int:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(url, open_timeout=5):
                pass
        return refused.value.response.status_code

    return asyncio.run(attempt())


def test_the_socket_refuses_a_forged_or_used_pass(board: Board):
    assert _rejected(board.ws_base + "/api/board/ws?pass=forged-pass-forged-pass-forged-pass") == 403

    board_pass = board.board_pass()

    async def use_once():
        async with connect(board.url(board_pass), open_timeout=5) as first:
            return (await next_frame(first))["type"]

    assert asyncio.run(use_once()) == "snapshot"
    assert _rejected(board.url(board_pass)) == 403  # one use only: a pass copied from a log is worthless


def test_a_pass_expires(board: Board):
    from redis.asyncio import Redis

    from command.access import Grant, PassOffice
    from hotline.redis_conn import redis_url

    async def scenario():
        redis = Redis.from_url(redis_url())
        try:
            office = PassOffice(redis, lifetime=1)
            board_pass = await office.issue(Grant(role="commander", subject=1, name="测试"))
            await asyncio.sleep(1.2)
            return await office.redeem(board_pass)
        finally:
            await redis.aclose()

    assert asyncio.run(scenario()) is None


def test_a_wall_display_connects_with_its_device_token_until_revoked(board: Board):
    commander = board.headers("commander")
    created = httpx.post(board.base + "/api/board/devices", json={"name": "指挥大厅主屏"}, headers=commander)
    assert created.status_code == 201, created.text
    token, device = created.json()["token"], created.json()["device"]
    assert token.startswith("bd_") and device["name"] == "指挥大厅主屏"
    listed = httpx.get(board.base + "/api/board/devices", headers=commander).json()
    assert any(d["id"] == device["id"] for d in listed) and token not in str(listed)

    grant = httpx.post(board.base + "/api/board/device-pass", json={"token": token})
    assert grant.status_code == 200

    async def watch():
        async with connect(board.url(grant.json()["pass"]), open_timeout=5) as ws:
            return (await next_frame(ws))["type"]

    assert asyncio.run(watch()) == "snapshot"
    listed = httpx.get(board.base + "/api/board/devices", headers=commander).json()
    assert next(d for d in listed if d["id"] == device["id"])["last_used_at"] is not None

    assert httpx.delete(board.base + f"/api/board/devices/{device['id']}", headers=commander).status_code == 204
    assert httpx.post(board.base + "/api/board/device-pass", json={"token": token}).status_code == 401


@pytest.mark.parametrize("username", ["operator1", "h_zjj", "auditor"])
def test_only_commanders_and_admins_manage_devices(board: Board, username: str):
    response = httpx.post(board.base + "/api/board/devices", json={"name": "x"}, headers=board.headers(username))
    assert response.status_code == 403

