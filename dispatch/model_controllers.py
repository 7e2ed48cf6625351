"""The admin's routing-model actions: train on the county's history as an RQ job and follow that job; list the
stored versions with their figures, roll back to an earlier one, prune old ones."""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

import msgspec
import redis
from litestar import Controller, Request, get, post
from litestar.exceptions import ClientException, HTTPException, NotFoundException
from sqlalchemy.orm import Session

from classifier.store import AlreadyCurrent, UnknownVersion, VersionRead
from dispatch import history_training, jobs
from dispatch.routing import get_store
from hotline.dependencies import roles
from hotline.vocabulary import Role

log = logging.getLogger("dispatch.model")
ID = re.compile(r"[A-Za-z0-9_-]{1,80}")  # what RQ's ids look like; anything else is no job of ours


class RollbackWrite(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class RollbackRead(msgspec.Struct):
    current: str
    previous: str | None


class PruneRead(msgspec.Struct):
    deleted: list[str]


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


    @get("/versions", sync_to_thread=True)
    def versions(self) -> list[VersionRead]:
        """Stored versions, newest first: figures from training, which one is current, the journal's verdicts."""
        return get_store().listing()

    @post("/versions/{version:str}/rollback", sync_to_thread=True, status_code=200)
    def rollback(self, version: str, data: RollbackWrite, request: Request) -> RollbackRead:
        """Make an earlier stored version current on the admin's word; 404 unknown, 409 already current."""
        if not data.reason.strip():
            raise ClientException("请填写回滚原因")
        try:
            previous = get_store().rollback(version, actor=f"staff:{request.user.id}", reason=data.reason.strip())
        except UnknownVersion:
            raise NotFoundException(f"模型版本 {version[:80]} 不存在") from None
        except AlreadyCurrent:
            raise HTTPException(status_code=409, detail=f"模型版本 {version} 已是当前版本") from None
        log.info("model rolled back to %s (was %s) by staff %s", version, previous, request.user.id)
        return RollbackRead(current=version, previous=previous)

    @post("/prune", sync_to_thread=True, status_code=200)
    def prune(self) -> PruneRead:
        """Delete old versions now (also done after each retrain): the newest ones, the current one and the one
        before it stay."""
        return PruneRead(deleted=jobs.prune_models())


ROUTES = [ModelController]
