"""`hotline12345 createadmin` and the SECRET_KEY refusal of `run` / `serve`, as an operator meets them: the
worktree's CLI (`python -m web.cli`) in a child process, against a scratch SQLite file or an unreachable
PostgreSQL URL."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select as query
from sqlalchemy.orm import Session

from hotline.accounts import authenticate
from hotline.database import make_engine
from hotline.models import Staff
from tests.harness import ROOT, free_port
from web.cli import ADMIN_PASSWORD_VARIABLE, admin_password

PASSWORD = "qingjiang-12345-admin"
COMPOSE_PLACEHOLDER = "change-me-to-a-long-random-string"
KEY_31_CHARS = "Q1B8zvssF2HYnVaNLTU15wlSt6JG7M3"
HOW_TO_MAKE_ONE = 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The suite's own database, Redis and test variables are not the child's business."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL", ADMIN_PASSWORD_VARIABLE)
           and not key.startswith(("TEST_", "PYTEST"))}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'county.db'}", "HOTLINE_VAR_DIR": str(tmp_path / "var"),
                "REDIS_URL": "", **extra})
    return env


def _cli(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """No terminal and a session of its own: a prompt could never wait for a person who is not there."""
    return subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL, start_new_session=True)


def _staff(env: dict[str, str]) -> list[tuple[str, str, str, int | None]]:
    engine = make_engine(env["DATABASE_URL"])
    try:
        with Session(engine) as session:
            rows = session.execute(query(Staff.username, Staff.display_name, Staff.role, Staff.department_id))
            return [tuple(row) for row in rows]
    finally:
        engine.dispose()


def _signs_in(env: dict[str, str], username: str, password: str) -> Staff | None:
    engine = make_engine(env["DATABASE_URL"])
    try:
        with Session(engine) as session:
            return authenticate(session, username, password)
    finally:
        engine.dispose()


def test_createadmin_from_the_variable_migrates_and_makes_an_admin_who_signs_in(tmp_path):
    env = _env(tmp_path, **{ADMIN_PASSWORD_VARIABLE: PASSWORD})
    result = _cli(env, "createadmin")
    assert result.returncode == 0, result.stderr
    assert "数据库已迁移到最新版本" in result.stdout
    assert "已创建管理员 admin（系统管理员）" in result.stdout
    assert _staff(env) == [("admin", "系统管理员", "admin", None)]
    admin = _signs_in(env, "admin", PASSWORD)
    assert admin is not None and admin.role == "admin" and admin.department_id is None
    assert _signs_in(env, "admin", PASSWORD + "x") is None


def test_a_too_short_password_is_refused_and_nothing_is_written(tmp_path):
    env = _env(tmp_path, **{ADMIN_PASSWORD_VARIABLE: "short-pw1"})
    result = _cli(env, "createadmin")
    assert result.returncode != 0
    assert "拒绝创建管理员：密码太短：至少 10 个字符（现在 9 个）" in result.stderr
    assert _staff(env) == []


def test_an_existing_username_is_refused_and_keeps_its_password(tmp_path):
    env = _env(tmp_path, **{ADMIN_PASSWORD_VARIABLE: PASSWORD})
    first = _cli(env, "createadmin", "--username", "ops_admin", "--display-name", "运维管理员")
    assert first.returncode == 0, first.stderr
    env[ADMIN_PASSWORD_VARIABLE] = "another-long-password"
    again = _cli(env, "createadmin", "--username", "ops_admin")
    assert again.returncode != 0
    assert "拒绝创建管理员：用户名 ops_admin 已存在，未做任何修改" in again.stderr
    assert _staff(env) == [("ops_admin", "运维管理员", "admin", None)]
    assert _signs_in(env, "ops_admin", PASSWORD) is not None
    assert _signs_in(env, "ops_admin", "another-long-password") is None


def test_an_empty_username_is_refused(tmp_path):
    env = _env(tmp_path, **{ADMIN_PASSWORD_VARIABLE: PASSWORD})
    result = _cli(env, "createadmin", "--username", "  ")
    assert result.returncode != 0
    assert "拒绝创建管理员：用户名不能为空" in result.stderr
    assert _staff(env) == []


def _read_until(fd: int, text: str, seconds: float = 60) -> str:
    seen = b""
    deadline = time.monotonic() + seconds
    while text.encode() not in seen:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise AssertionError(f"no {text!r} on the terminal; it showed:\n{seen.decode(errors='replace')}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed its terminal
            chunk = b""
        if not chunk:
            raise AssertionError(f"the terminal closed before {text!r}:\n{seen.decode(errors='replace')}")
        seen += chunk
    return seen.decode(errors="replace")


def test_the_prompt_asks_twice_without_echo(tmp_path):
    """On a terminal (a pseudo-terminal here) the password is typed twice and never shown."""
    env = _env(tmp_path)
    controller, terminal = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "web.cli", "createadmin", "--username", "chief"], cwd=ROOT,
                             env=env, stdin=terminal, stdout=terminal, stderr=terminal, start_new_session=True)
    os.close(terminal)
    try:
        shown = _read_until(controller, "管理员密码（至少 10 个字符）：")
        os.write(controller, f"{PASSWORD}\n".encode())
        shown += _read_until(controller, "再输入一次：")
        os.write(controller, f"{PASSWORD}\n".encode())
        shown += _read_until(controller, "已创建管理员 chief")
        assert child.wait(60) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
        os.close(controller)
    assert PASSWORD not in shown
    assert _signs_in(env, "chief", PASSWORD) is not None


@pytest.mark.pure
def test_two_different_answers_are_refused(monkeypatch):
    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.delenv(ADMIN_PASSWORD_VARIABLE, raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(SystemExit, match="拒绝创建管理员：两次输入的密码不一致"):
        admin_password()


@pytest.mark.pure
def test_the_variable_wins_even_when_empty(monkeypatch):
    """A script that set it empty gets 'too short', never a prompt it cannot answer."""
    monkeypatch.setenv(ADMIN_PASSWORD_VARIABLE, "")
    monkeypatch.setattr("getpass.getpass", lambda prompt="": pytest.fail("prompted although the variable is set"))
    assert admin_password() == ""


@pytest.mark.parametrize(("command", "secret_key", "reason"), [
    (["serve"], COMPOSE_PLACEHOLDER, "SECRET_KEY 是占位值"),
    (["serve"], None, "SECRET_KEY 未设置"),
    (["run", "--web-workers", "1", "--rq-workers", "1"], KEY_31_CHARS, "SECRET_KEY 太短（31 个字符，至少 32 个）"),
], ids=["serve-compose-placeholder", "serve-missing", "run-31-chars"])
def test_a_server_database_with_a_weak_key_refuses_to_start_before_connecting(tmp_path, command, secret_key,
                                                                               reason):
    """The database need not exist: the check comes before any connection, any migration and any port."""
    port = free_port()
    env = _env(tmp_path, DATABASE_URL=f"postgresql://nobody@127.0.0.1:{free_port()}/no_such_database")
    env.pop("SECRET_KEY", None)
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    result = _cli(env, *command, "--host", "127.0.0.1", "--port", str(port), timeout=60)
    assert result.returncode != 0
    assert reason in result.stderr
    assert HOW_TO_MAKE_ONE in result.stderr
    assert "Uvicorn running" not in result.stdout + result.stderr
    assert "数据库已迁移" not in result.stdout
    assert free_port(port, port) == port  # nobody bound it
    assert not (tmp_path / "var" / "secret_key").exists()  # nothing was even set up on disk
