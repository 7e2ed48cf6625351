"""The one scheduler: every package's periodic jobs, registered with RQ's cron scheduler."""

from __future__ import annotations

from rq.cron import CronScheduler

from dispatch.jobs import HISTORY_JOB_TIMEOUT, retrain_model
from dispatch.jobs import SCHEDULE as DISPATCH_SCHEDULE
from hotline.jobs import SCHEDULE as HOTLINE_SCHEDULE
from hotline.jobs import get_queue
from open311.submit import SCHEDULE as OPEN311_SCHEDULE

SCHEDULES = [*HOTLINE_SCHEDULE, *DISPATCH_SCHEDULE, *OPEN311_SCHEDULE]


def build_scheduler() -> CronScheduler:
    queue = get_queue()
    scheduler = CronScheduler(connection=queue.connection, name="hotline-scheduler")
    for func, cron in SCHEDULES:
        # the nightly retrain on a county's history takes minutes, far past RQ's default 180 s
        timeout = HISTORY_JOB_TIMEOUT if func is retrain_model else None
        scheduler.register(func, queue.name, cron=cron, job_timeout=timeout)
    return scheduler
