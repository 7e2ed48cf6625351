"""Training runs on a queue and a worker of its own, at 01:30 Shanghai time; the admin lists, rolls back and
prunes model versions through the API."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime

import msgspec
import pytest
from rq import SimpleWorker
from rq.job import Job

from dispatch import jobs
from dispatch.routing import get_store
from hotline.jobs import get_queue, get_training_queue
from hotline.settings import get_settings
from tests.fixtures import CALL
from tests.harness import ROOT, wait_until
from web.schedule import build_scheduler

RELEASE_KEY = "test:training-may-finish"


def hold_until_released() -> str:
    """A training job that lasts as long as the test wants: it waits for the test's word in Redis."""
    get_training_queue().connection.blpop([RELEASE_KEY], timeout=120)
    return "released"


@pytest.fixture
def server_tz():
    """The scheduler's process in some other zone than the county's."""
    before = os.environ.get("TZ")

    def set_tz(zone: str) -> None:
        os.environ["TZ"] = zone
        time.tzset()

    yield set_tz
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Shanghai"])
def test_the_nightly_retrain_runs_at_0130_shanghai_on_the_training_queue_whatever_the_server_tz(server_tz, zone):
    server_tz(zone)
    [retrain] = [job for job in build_scheduler().get_jobs() if job.func_name == "dispatch.jobs.retrain_model"]
    assert retrain.queue_name == "hotline-training" != get_settings().queue_name
    assert retrain.job_options["job_timeout"] == jobs.HISTORY_JOB_TIMEOUT
    retrain.latest_enqueue_time = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    assert retrain.get_next_enqueue_time() == datetime(2026, 12, 3, 17, 30, tzinfo=UTC)  # 01:30 on 4 Dec there
    retrain.latest_enqueue_time = datetime(2026, 12, 3, 17, 20, tzinfo=UTC)  # 01:20 in Shanghai
    assert retrain.get_next_enqueue_time() == datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
    [sweep] = [job for job in build_scheduler().get_jobs() if job.func_name == "dispatch.jobs.sweep_deadlines"]
    assert sweep.queue_name == get_settings().queue_name  # everything else stays with the routing workers


def test_the_admins_history_training_goes_to_the_training_queue():
    job = jobs.start_history_training()
    assert get_training_queue().job_ids == [job.id] and get_queue().job_ids == []
    job.cancel()


def test_a_ticket_is_routed_while_a_long_training_job_holds_the_training_worker(operator):
    training = get_training_queue()
    long_job = training.enqueue(hold_until_released, job_timeout=300)
    worker = subprocess.Popen([sys.executable, "-m", "web.cli", "worker", "--training"], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until(lambda: long_job.get_status(refresh=True) == "started", 60, "the training worker to take the job")
        receipt = operator.post("/api/tickets", json=CALL).json()
        assert "dispatch.jobs.route" in [job.func_name for job in get_queue().jobs]
        queue = get_queue()  # the routing worker: `worker` without --training, burst here
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        ticket = operator.get(f"/api/tickets/{receipt['number']}").json()
        assert ticket["suggested_category"] is not None  # routed (classified) ...
        assert long_job.get_status(refresh=True) == "started"  # ... while the training job still runs
        assert queue.count == 0
        training.connection.rpush(RELEASE_KEY, "go")
        wait_until(lambda: long_job.get_status(refresh=True) == "finished", 60, "the training job to end")
        assert Job.fetch(long_job.id, connection=training.connection).return_value() == "released"
    finally:
        training.connection.rpush(RELEASE_KEY, "go")  # a failed assertion must not leave the job waiting
        os.killpg(worker.pid, 15)
        worker.wait(timeout=30)


# -- versions, rollback, prune through the admin API ---------------------------------------------------------

@pytest.fixture
def two_versions():
    """The suite's model, stored again under a second name and promoted: two versions, the newer current."""
    store = get_store()
    before = store.current_version()
    model, meta = store.current(), store.current_meta()
    newer = "99991231T000000000000Z"
    store.add(model, msgspec.structs.replace(meta, version=newer, source="history", n_samples=4321))
    store.promote(newer, holdout=[], force=True)
    yield before, newer
    store.pointer.write_text(before, encoding="utf-8")
    import shutil

    shutil.rmtree(store.path_of(newer), ignore_errors=True)


def test_the_admin_lists_versions_and_rolls_back(login, two_versions):
    before, newer = two_versions
    admin = login("admin")
    listed = admin.get("/api/admin/model/versions")
    assert listed.status_code == 200
    versions = listed.json()
    assert versions[0]["version"] == newer and versions[0]["current"] and versions[0]["n_samples"] == 4321
    assert versions[0]["source"] == "history" and versions[0]["verdicts"][-1]["action"] == "promote"
    old = next(v for v in versions if v["version"] == before)
    assert not old["current"] and 0 < old["threshold"] < 1 and old["temperature"] > 0
    assert {"trained_at", "macro_f1_holdout", "confident_precision", "confident_coverage"} <= old.keys()

    no_reason = admin.post(f"/api/admin/model/versions/{before}/rollback", json={"reason": "  "})
    assert no_reason.status_code == 400 and no_reason.json()["detail"] == "请填写回滚原因"
    done = admin.post(f"/api/admin/model/versions/{before}/rollback", json={"reason": "新版本把煤气泄漏判成土地承包"})
    assert done.status_code == 200 and done.json() == {"current": before, "previous": newer}
    assert get_store().current_version() == before
    assert get_store().current_meta().version == before or get_store().current_version() == before
    entry = get_store().journal()[-1]
    assert entry["action"] == "rollback" and entry["reason"] == "新版本把煤气泄漏判成土地承包"
    assert entry["actor"].startswith("staff:")

    again = admin.post(f"/api/admin/model/versions/{before}/rollback", json={"reason": "再来一次"})
    assert again.status_code == 409
    unknown = admin.post("/api/admin/model/versions/nope/rollback", json={"reason": "x"})
    assert unknown.status_code == 404 and unknown.json()["detail"] == "模型版本 nope 不存在"


def test_only_an_admin_sees_or_changes_model_versions(login, operator, client, two_versions):
    before, _ = two_versions
    assert operator.get("/api/admin/model/versions").status_code == 403
    assert operator.post(f"/api/admin/model/versions/{before}/rollback", json={"reason": "x"}).status_code == 403
    assert operator.post("/api/admin/model/prune").status_code == 403
    assert client.get("/api/admin/model/versions").status_code == 401
    assert get_store().current_version() == two_versions[1]


def test_prune_through_the_api_keeps_the_current_and_previous(login, two_versions):
    before, newer = two_versions
    pruned = login("admin").post("/api/admin/model/prune")
    assert pruned.status_code == 200
    assert before not in pruned.json()["deleted"] and newer not in pruned.json()["deleted"]
    assert {before, newer} <= set(get_store().versions())
