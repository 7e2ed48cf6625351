"""SECRET_KEY on a server database: set, at least 32 characters, not a placeholder; SQLite keeps its generated one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hotline.settings import MAKE_SECRET_KEY, secret_key_problem

pytestmark = pytest.mark.pure

POSTGRES = "postgresql://hotline:hotline@db:5432/hotline"
GOOD = "Q1B8zvssF2HYnVaNLTU15wlSt6JG7M3Ge9WmKy5NzyupKu6qyE23pasOH3AhxwrH"  # one secrets.token_urlsafe(48)
COMPOSE = Path(__file__).resolve().parents[1] / "docs" / "deploy" / "compose.yaml"


def _compose_key() -> str:
    found = re.search(r"^\s*SECRET_KEY:\s*(\S+)\s*$", COMPOSE.read_text(), re.MULTILINE)
    assert found, "docs/deploy/compose.yaml should set SECRET_KEY"
    return found.group(1)


@pytest.mark.parametrize(("environ", "reason"), [
    ({"DATABASE_URL": POSTGRES}, "SECRET_KEY 未设置"),
    ({"DATABASE_URL": POSTGRES, "SECRET_KEY": ""}, "SECRET_KEY 未设置"),
    ({"DATABASE_URL": POSTGRES, "SECRET_KEY": "   "}, "SECRET_KEY 未设置"),
    ({"DATABASE_URL": POSTGRES, "SECRET_KEY": GOOD[:31]}, "SECRET_KEY 太短（31 个字符，至少 32 个）"),
    ({"DATABASE_URL": POSTGRES, "SECRET_KEY": "change-me-to-a-long-random-string"}, "占位值"),
    ({"DATABASE_URL": POSTGRES, "SECRET_KEY": "..."}, "占位值"),
    ({"DATABASE_URL": POSTGRES, "SECRET_KEY": "changeme"}, "占位值"),
    ({"DATABASE_URL": POSTGRES, "SECRET_KEY": "Secret"}, "占位值"),
    ({"DATABASE_URL": POSTGRES, "SECRET_KEY": "please-change-this-before-going-live-2026"}, "占位值"),
    ({"DATABASE_URL": "mysql://db/hotline", "SECRET_KEY": "x" * 48}, "不像随机生成的（只有 1 种字符）"),
], ids=["missing", "empty", "blank", "31-chars", "compose-placeholder", "readme-dots", "changeme", "secret",
        "please-change", "one-char-repeated"])
def test_a_server_database_refuses_a_weak_key_and_says_how_to_make_one(environ, reason):
    problem = secret_key_problem(environ)
    assert problem is not None
    assert reason in problem
    assert "SECRET_KEY" in problem
    assert 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"' in problem
    assert MAKE_SECRET_KEY in problem


def test_the_key_compose_ships_is_refused():
    problem = secret_key_problem({"DATABASE_URL": POSTGRES, "SECRET_KEY": _compose_key()})
    assert problem is not None and "占位值" in problem


@pytest.mark.parametrize("key", [
    GOOD,
    GOOD[:32],
    "fault-tests-secret-key-long-enough-for-hs256",  # tests/faults/services.py runs `run` on PostgreSQL with it
    "test-secret-key-that-is-long-enough-for-hs256",  # tests/conftest.py, with TEST_DATABASE_URL
    "benchmark-secret-" + "x" * 40,  # web/bench/setup.py
], ids=["token-64", "token-32", "fault-tests", "suite", "benchmarks"])
def test_a_long_random_key_passes(key):
    assert secret_key_problem({"DATABASE_URL": POSTGRES, "SECRET_KEY": key}) is None


@pytest.mark.parametrize("environ", [
    {},
    {"DATABASE_URL": ""},
    {"DATABASE_URL": "sqlite:////srv/hotline/var/hotline.db"},
    {"DATABASE_URL": "sqlite:///var/hotline.db", "SECRET_KEY": "change-me"},
], ids=["default", "empty-url", "sqlite-no-key", "sqlite-placeholder"])
def test_sqlite_keeps_its_generated_key(environ):
    assert secret_key_problem(environ) is None

