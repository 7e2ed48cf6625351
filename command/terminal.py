"""The board in a terminal: prints the live stream, for an operator without a wall screen.

Also the reference client: it does what any board must do — fetch a one-time pass, take the snapshot, follow
the events, and on a dropped connection come back with `after` set to the last event it saw.

    python -m command.terminal --server http://127.0.0.1:8000 --user commander       # password asked for
    BOARD_DEVICE_TOKEN=bd_... python -m command.terminal --server http://10.0.0.5:8000
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TextIO
from urllib.parse import urlencode

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from command.retry import backoff, retrying
from hotline.vocabulary import Status

RETRY_MAX = 15.0


class AuthError(Exception):
    pass


class Credentials:
    """A staff sign-in (JWT, refreshed when refused) or a device token; either buys one-time passes."""

    def __init__(self, server: str, user: str | None, password: str | None, device_token: str | None) -> None:
        self.server = server.rstrip("/")
        self.user, self.password, self.device_token = user, password, device_token
        self._jwt: str | None = None

    def board_pass(self) -> str:
        with httpx.Client(base_url=self.server, timeout=10) as http:
            if self.device_token:
                response = http.post("/api/board/device-pass", json={"token": self.device_token})
            else:
                response = http.post("/api/board/pass", headers={"Authorization": f"Bearer {self._login(http)}"})
                if response.status_code == 401:
                    self._jwt = None
                    response = http.post("/api/board/pass", headers={"Authorization": f"Bearer {self._login(http)}"})
        if response.status_code in (401, 403):
            raise AuthError(response.json().get("detail", response.text))
        response.raise_for_status()
        return response.json()["pass"]

    def _login(self, http: httpx.Client) -> str:
        if self._jwt is None:
            response = http.post("/api/auth/login", json={"username": self.user, "password": self.password})
            if response.status_code != 200:
                raise AuthError(response.json().get("detail", response.text))
            self._jwt = response.json()["access_token"]
        return self._jwt


def _time(value: str | None) -> str:
    return datetime.fromisoformat(value).strftime("%H:%M:%S") if value else "--:--:--"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def describe_snapshot(frame: dict[str, Any]) -> list[str]:
    board = frame["board"]
    open_by = "，".join(f"{c['label']} {c['count']}" for c in board["open_by_status"] if c["count"])
    cards = board["cards"]
    lines = [
        f"== 指挥大屏快照 {board['day']}（截至事件 #{frame['last_event_id']}）==",
        f"今日受理 {board['intake_today']} 件；在办 {board['open_total']} 件（{open_by or '无'}）",
        f"黄牌 {sum(c['card'] == 'yellow' for c in cards)} 件，红牌 {sum(c['card'] == 'red' for c in cards)} 件",
    ]
    for period, name in (("today", "今日"), ("month", "本月"), ("year", "本年")):
        rates = board["measures"].get(period)
        if rates:
            lines.append(f"{name}：按期办结率 {_rate(rates['on_time_rate'])}  响应率 {_rate(rates['response_rate'])}  "
                         f"解决率 {_rate(rates['resolution_rate'])}  满意率 {_rate(rates['satisfaction_rate'])}")
    lines.extend(f"  最新 {t['ticket']} {t['township'] or ''} {t['type_label']} {t['status_label']}：{t['summary']}"
                 for t in board["latest"][:5])
    return lines


def status_label(code: str | None) -> str:
    """The Chinese word a person reads for a state code (received → 受理); an unknown code is shown as it came."""
    try:
        return Status(code).label
    except ValueError:
        return code or ""


def describe_event(frame: dict[str, Any]) -> str:
    status = frame.get("status_label") or ""
    moved = ""
    if frame.get("to_status") and frame.get("from_status") != frame.get("to_status"):  # a note moves nothing
        moved = f"{status_label(frame.get('from_status')) or '新'}→{status_label(frame['to_status'])}"
    parts = [f"#{frame['id']}", _time(frame.get("at")), frame["ticket"], frame["action_label"], status, moved,
             frame.get("department") or "", frame.get("township") or ""]
    line = " ".join(p for p in parts if p)
    return f"{line} | {frame['summary']}" if frame.get("summary") else line


class Follower:
    def __init__(self, credentials: Credentials, out: TextIO, *, raw: bool, count: int | None,
                 after: int | None) -> None:
        self.credentials, self.out, self.raw, self.count = credentials, out, raw, count
        self.last = after
        self.events = 0
        self.asked_to_reconnect = False
        self._shown_snapshot: list[str] | None = None  # the server resends it every BOARD_REFRESH_SECONDS
        self._backoff = backoff(1.0, RETRY_MAX)
        self._retry = retrying((OSError, ConnectionClosed, InvalidStatus, httpx.HTTPError, TimeoutError), self._backoff)

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    async def run(self) -> int:
        try:
            while not await self._retry.call_with_retry(self._session, self._dropped, with_failure_count=True):
                pass  # the server asked to reconnect: at once, and the next drop waits the shortest time again
        except AuthError as exc:
            self.say(f"!! 无法登录看板：{exc}")
            return 2
        return 0

    async def _session(self) -> bool:
        return await self._follow(await asyncio.to_thread(self.credentials.board_pass))

    async def _dropped(self, exc: Exception, failures: int) -> None:
        delay = self._backoff.compute(failures)
        self.say(f"!! 连接中断（{exc.__class__.__name__}），{delay:.0f} 秒后重连，从事件 #{self.last} 之后续传")

    async def _follow(self, board_pass: str) -> bool:
        """True once `count` events were shown; False when the server asks to reconnect."""
        query = {"pass": board_pass} | ({"after": self.last} if self.last is not None else {})
        url = self.credentials.server.replace("http", "ws", 1) + "/api/board/ws?" + urlencode(query)
        async with connect(url, open_timeout=10, max_queue=1024) as socket:
            try:
                return await self._read(socket)
            except ConnectionClosed:
                if self.asked_to_reconnect:
                    return False
                raise

    async def _read(self, socket: Any) -> bool:
        self.asked_to_reconnect = False
        async for message in socket:  # one or more frames, one per line
            for text in str(message).split("\n"):
                if self._show(text):
                    return True
        return False

    def _show(self, text: str) -> bool:
        """Print one frame; True when enough events were shown."""
        frame = json.loads(text)
        if self.raw:
            self.say(text)
        kind = frame["type"]
        if kind == "snapshot":
            self.last = frame["last_event_id"]
            if not self.raw:
                self._show_snapshot(describe_snapshot(frame))
        elif kind == "resumed" and not self.raw:
            self.say(f"== 已续传：补发事件 #{frame['after']} 之后的 {frame['replayed']} 条 ==")
        elif kind == "event":
            self.last = frame["id"]
            self.events += 1
            if not self.raw:
                self.say(describe_event(frame))
            return self.count is not None and self.events >= self.count
        elif kind == "resnapshot":
            self.say(f"== 需要重新取快照（{frame['reason']}）==")
            self.last, self.asked_to_reconnect, self._shown_snapshot = None, True, None
        elif kind == "reauth":
            self.say("== 连接到期，重新取通行证续传 ==")
            self.asked_to_reconnect = True
        return False

    def _show_snapshot(self, lines: list[str]) -> None:
        """A snapshot that says nothing new is not printed again: the server resends the same one on its refresh
        timer (the first one within seconds of connecting), and a person would read the screen twice."""
        if lines != self._shown_snapshot:
            for line in lines:
                self.say(line)
            self._shown_snapshot = lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hotline12345 board", description="在终端里查看指挥大屏的实时事件流")
    parser.add_argument("--server", default=os.environ.get("BOARD_SERVER", "http://127.0.0.1:8000"))
    parser.add_argument("--user", default=os.environ.get("BOARD_USER"), help="指挥中心或监察账号")
    parser.add_argument("--device-token-file", help="大屏设备令牌文件（或环境变量 BOARD_DEVICE_TOKEN）")
    parser.add_argument("--after", type=int, help="从该事件之后续传，不取快照")
    parser.add_argument("--count", type=int, help="收到这么多条事件后退出")
    parser.add_argument("--json", action="store_true", help="每行输出一条原始 JSON")
    args = parser.parse_args(argv)
    device_token = os.environ.get("BOARD_DEVICE_TOKEN")
    if args.device_token_file:
        with open(args.device_token_file, encoding="utf-8") as handle:
            device_token = handle.read().strip()
    password = None
    if not device_token:
        if not args.user:
            parser.error("需要 --user，或设备令牌（--device-token-file / BOARD_DEVICE_TOKEN）")
        password = os.environ.get("HOTLINE_PASSWORD") or getpass.getpass(f"{args.user} 的密码：")
    follower = Follower(Credentials(args.server, args.user, password, device_token), sys.stdout, raw=args.json,
                        count=args.count, after=args.after)
    try:
        return asyncio.run(follower.run())
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
