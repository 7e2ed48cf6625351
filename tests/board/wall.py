"""The big screen opened in Chromium as the commander signs in to it, with what the page complains about."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Wall:
    page: Any
    errors: list[str] = field(default_factory=list)  # script errors and console errors
    dialogs: list[str] = field(default_factory=list)  # alert() messages, dismissed


def open_wall(chromium: Any, base: str, width: int = 1920, height: int = 1080) -> Wall:
    page = chromium.new_page(viewport={"width": width, "height": height}, locale="zh-CN", timezone_id="Asia/Shanghai")
    wall = Wall(page)
    page.on("dialog", lambda dialog: (wall.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: wall.errors.append(str(error)))
    page.on("console", lambda message: wall.errors.append(message.text) if message.type == "error" else None)
    page.goto(base + "/board")
    page.fill("input[name=username]", "commander")
    page.fill("input[name=password]", "demo12345")
    page.click("button[name=staff]")
    return wall
