"""A wall display and the board: a caller's stated name, dashed phone and ID number never reach them.

The old masking caught only 11 unbroken digits, so "139-1234-5679" and "我叫欧阳建国" went to the wall in full
(issue 18). Over a real web process: a device token from a commander, its one-time pass, the socket's receive
frame and the snapshot's latest list; and the payload functions the auditor's board uses.
"""

from __future__ import annotations

import asyncio
import json

import httpx
from websockets.asyncio.client import connect

from command.board import take_snapshot
from command.payloads import Names, event_rows, frame
from hotline.clock import now
from hotline.database import session_scope
from tests.board.conftest import Board, next_events, next_frame

WORDS = "我叫欧阳建国，电话139-1234-5679，身份证430102198001011234，小区门口路灯坏了"
SECRETS = ("欧阳建国", "139-1234-5679", "13912345679", "430102198001011234")


def _no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def test_a_wall_device_gets_the_stated_personal_data_redacted(board: Board):
    created = httpx.post(board.base + "/api/board/devices", json={"name": "大厅主屏"}, headers=board.headers("commander"))
    assert created.status_code == 201, created.text
    device_pass = httpx.post(board.base + "/api/board/device-pass", json={"token": created.json()["token"]})
    assert device_pass.status_code == 200, device_pass.text

    async def scenario():
        async with connect(board.url(device_pass.json()["pass"]), open_timeout=10, max_queue=4096) as ws:
            assert (await next_frame(ws))["type"] == "snapshot"
            number = await asyncio.to_thread(board.call, WORDS)
            return number, await next_events(ws, 1)

    number, events = asyncio.run(scenario())
    receive = next(e for e in events if e["ticket"] == number and e["action"] == "receive")
    _no_secret(json.dumps(receive, ensure_ascii=False))
    assert receive["summary"].startswith("我叫欧***，电话139****5679")


def test_the_board_payloads_redact_the_stated_personal_data(operator):
    response = operator.post("/api/tickets", json={"content": WORDS, "caller_name": "周晓梅",
                                                   "caller_phone": "13700009999", "type": "complaint"})
    assert response.status_code == 201, response.text
    snapshot = take_snapshot(0, now(), Names())
    with session_scope() as session:
        frames = [frame(row, 0, Names().refresh(session)) for row in event_rows(session, 0)]
    latest = [t.summary for t in snapshot.board.latest]
    assert latest and latest[0].startswith("我叫欧***")
    for summary in [*latest, *(f.summary for f in frames if f.summary)]:
        _no_secret(summary)
