"""The one scheduler: every package's periodic jobs, registered with RQ's cron scheduler.

RQ reads a cron expression in the scheduler process's local time zone, so "30 1 * * *" meant 01:30 wherever the
server's TZ happened to point (09:30 in Shanghai on a UTC host: mid-morning, on the operators' CPU). Here every
expression is read in the county's zone (hotline.settings.TIME_ZONE), whatever TZ says.
"""

from __future__ import annotations

from datetime import UTC, datetime

from croniter import croniter
from rq.cron import CronJob, CronScheduler
from rq.utils import now as rq_now

from command.hotspots import SCHEDULE as HOTSPOT_SCHEDULE
from dispatch.jobs import SCHEDULE as DISPATCH_SCHEDULE
from dispatch.jobs import TRAINING
from hotline.city_management.delivery import SCHEDULE as CITY_MANAGEMENT_SCHEDULE
from hotline.jobs import SCHEDULE as HOTLINE_SCHEDULE
from hotline.jobs import get_queue, get_training_queue
from hotline.settings import TIME_ZONE
from open311.submit import SCHEDULE as OPEN311_SCHEDULE

SCHEDULES = [*HOTLINE_SCHEDULE, *DISPATCH_SCHEDULE, *OPEN311_SCHEDULE, *CITY_MANAGEMENT_SCHEDULE, *HOTSPOT_SCHEDULE]


class CountyCronJob(CronJob):
    """A cron job whose fields are read in the county's time zone."""

    def get_next_enqueue_time(self) -> datetime:
        if not self.cron:
            return super().get_next_enqueue_time()
        base = (self.latest_enqueue_time or rq_now()).astimezone(TIME_ZONE)
        return croniter(self.cron, base).get_next(datetime).astimezone(UTC)


class CountyCronScheduler(CronScheduler):
    def register(self, func, queue_name, *, cron: str, job_timeout: int | None = None) -> CronJob:  # type: ignore[override]
        job = CountyCronJob(queue_name=queue_name, func=func, cron=cron, job_timeout=job_timeout)
        self._cron_jobs.append(job)
        self.log.info("Registered '%s' on %s with cron '%s' (%s)", job.func_name, queue_name, cron, TIME_ZONE)
        return job


def build_scheduler() -> CronScheduler:
    queue, training = get_queue(), get_training_queue()
    scheduler = CountyCronScheduler(connection=queue.connection, name="hotline-scheduler")
    for func, cron in SCHEDULES:
        # training takes minutes (far past RQ's default 180 s) and has a worker of its own
        if func in TRAINING:
            scheduler.register(func, training.name, cron=cron, job_timeout=TRAINING[func])
        else:
            scheduler.register(func, queue.name, cron=cron)
    return scheduler
