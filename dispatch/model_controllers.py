"""The admin's routing-model actions: train on the county's history as an RQ job, and follow that job."""

from __future__ import annotations

import re
from typing import Any

import msgspec
import redis
from litestar import Controller, get, post
from litestar.exceptions import ClientException, HTTPException, NotFoundException
from sqlalchemy.orm import Session

from dispatch import history_training, jobs
from hotline.dependencies import roles
from hotline.vocabulary import Role

ID = re.compile(r"[A-Za-z0-9_-]{1,80}")  # what RQ's ids look like; anything else is no job of ours


class TrainingJobRead(msgspec.Struct):
    id: str
    status: str  # queued, started, finished, failed …
    stage: str | None  # counting, reading, training, done; refused or failed when it stopped
    counts: dict[str, int]
    error: str | None
    result: dict[str, Any] | None  # history_training.HistoryTraining, once finished


def _read(job: Any) -> TrainingJobRead:
    meta = job.get_meta(refresh=True)
    status = job.get_status(refresh=False)
    return TrainingJobRead(id=job.id, status=str(status.value if status else "unknown"), stage=meta.get("stage"),
                           counts=meta.get("counts", {}), error=meta.get("error"),
                           result=job.return_value() if status == "finished" else None)


def _unavailable() -> HTTPException:
    return HTTPException(status_code=503, detail="任务队列（Redis）暂不可用，请稍后再试")


class ModelController(Controller):
    path = "/api/admin/model"
    tags = ["admin"]
    guards = [roles(Role.ADMIN)]

    @post("/train-history", sync_to_thread=True, status_code=202)
    def train_history(self, db_session: Session, dry_run: bool = False) -> TrainingJobRead:
        """Train the routing model on the county's history in a worker; 400 when there is none or too little,
        409 while another training job is queued or running. Follow it at `jobs/{id}`."""
        if problem := history_training.refusal(history_training.census(db_session)):
            raise ClientException(problem)
        db_session.rollback()  # nothing to keep: let the connection go before talking to Redis
        try:
            job = jobs.start_history_training(dry_run)
        except jobs.TrainingRunning as running:
            raise HTTPException(status_code=409, detail=str(running), extra={"job_id": running.job_id}) from None
        except redis.RedisError:
            raise _unavailable() from None
        return _read(job)

    @get("/jobs/{job_id:str}", sync_to_thread=True)
    def job(self, job_id: str) -> TrainingJobRead:
        try:
            job = jobs.history_job(job_id) if ID.fullmatch(job_id) else None
            if job is None:
                raise NotFoundException(f"训练任务 {job_id if len(job_id) <= 80 else job_id[:80] + '…'} 不存在或已过期")
            return _read(job)
        except redis.RedisError:
            raise _unavailable() from None


ROUTES = [ModelController]
