"""RQ jobs of hotline/ and the one place that enqueues them. The database row stays the truth."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import redis
from rq import Queue, Retry

from hotline.database import session_scope
from hotline.intake import receipt_text
from hotline.models import Ticket
from hotline.notify import get_sender
from hotline.redis_conn import get_redis
from hotline.settings import get_settings

log = logging.getLogger("hotline.jobs")


@lru_cache(maxsize=1)
def get_queue() -> Queue:
    return Queue(get_settings().queue_name, connection=get_redis())


def enqueue(func: Callable[..., Any], *args: Any) -> bool:
    """Enqueue after the commit; if Redis is away the ticket is already safe and the job can be re-run."""
    try:
        get_queue().enqueue(func, *args, retry=Retry(max=3, interval=[5, 30, 120]))
    except redis.RedisError:
        log.warning("could not enqueue %s%r: Redis unavailable", func.__name__, args)
        return False
    return True


def send_receipt(ticket_id: int) -> None:
    """Text the caller the ticket number and query code."""
    with session_scope() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or not ticket.caller_phone:
            return
        get_sender().send(ticket.caller_phone, receipt_text(ticket))
