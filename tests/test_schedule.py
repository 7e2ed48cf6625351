"""The one scheduler registers every package's periodic jobs, the nightly retrain with room to finish."""

from __future__ import annotations

from dispatch.jobs import retrain_model
from web.schedule import SCHEDULES, build_scheduler


def test_every_periodic_job_is_registered_and_the_nightly_retrain_may_run_an_hour():
    scheduler = build_scheduler()
    timeouts = {job.func: job.job_options.get("job_timeout") for job in scheduler.get_jobs()}
    assert set(timeouts) == {func for func, _ in SCHEDULES}
    assert timeouts[retrain_model] == 3600  # 100,000 history tickets train in about a minute on 2 cores
    assert {timeout for func, timeout in timeouts.items() if func is not retrain_model} == {None}
