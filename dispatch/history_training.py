"""Training the routing model on a county's own history: its catalogue codes as labels, judged on a fixed slice.

History tickets are rows of `ticket` with `imported_at` set (the import of a county's earlier tickets), their
`content` the citizen's words and `category_code` a code of the county's catalogue, or NULL. Why a hash of the
ticket number picks the judging slice: membership is a property of each ticket, so the slice is the same on every
run and in every process, does not move as more history arrives (a new ticket lands on the side its own number
gives it), and no ticket is ever on both sides. Once any history exists, the guard judges on it and never on the
shipped corpus (docs/classifier.md, "Training on the county's history").
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable

import msgspec
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classifier import emergency
from classifier.dataset import Example
from classifier.model import TextClassifier
from classifier.service import retrain_on_slice
from classifier.store import load_model
from dispatch import gate, routing
from dispatch.models import CatalogueEntry
from hotline.database import session_scope
from hotline.models import Department, Ticket

log = logging.getLogger("dispatch.history_training")
MIN_PER_CODE = 20  # history tickets a catalogue code needs to be learnt (and judged at all); fewer: left out
MIN_HISTORY = 200  # usable history tickets (labelled with a kept code) before a model is trained on them
MIN_SLICE = 10  # of which at least this many fall in the judging slice
SLICE_BUCKETS = 10  # one ticket in ten judges, never trains
READ_BATCH = 5000

Progress = Callable[[str, dict[str, int]], None]


class HistoryRefused(Exception):
    """Too little history to train on; the message (Chinese) says what is missing."""


class Census(msgspec.Struct, kw_only=True):
    """What the history holds, by code, before anything is read in full."""

    history: int  # imported tickets
    unlabelled: int  # of which without a category
    codes: dict[str, int]  # kept: active catalogue codes with at least MIN_PER_CODE tickets
    too_few: dict[str, int]  # active catalogue codes with fewer
    not_in_catalogue: dict[str, int]  # codes no active catalogue entry has

    @property
    def usable(self) -> int:
        return sum(self.codes.values())


class HistoryTraining(msgspec.Struct, kw_only=True):
    """The outcome, for the CLI, the job's result and the log."""

    census: Census
    training: int
    slice: int
    corrections: int
    dry_run: bool
    candidate: str
    promoted: bool  # on a dry run: whether the guard would promote it
    reason: str
    candidate_f1: float
    candidate_accuracy: float | None
    current: str | None
    current_f1: float | None
    current_accuracy: float | None
    seconds: float
    gate_open: list[str] = []  # categories the slice opened the auto-dispatch gate for (promoted runs only)


def in_slice(number: str) -> bool:
    """Whether the ticket numbered `number` belongs to the judging slice: the same answer everywhere, always."""
    return int.from_bytes(hashlib.sha256(number.encode()).digest()[:8], "big") % SLICE_BUCKETS == 0


def active_codes(session: Session) -> set[str]:
    """Catalogue codes the county dispatches today: an entry whose lead unit is still active."""
    return set(session.scalars(select(CatalogueEntry.category_code).distinct()
                               .join(Department, CatalogueEntry.lead_department_id == Department.id)
                               .where(Department.active)))


def has_history(session: Session) -> bool:
    return session.scalar(select(Ticket.id).where(Ticket.imported_at.is_not(None)).limit(1)) is not None


def census(session: Session) -> Census:
    counts = dict(session.execute(select(Ticket.category_code, func.count()).where(Ticket.imported_at.is_not(None))
                                  .group_by(Ticket.category_code)).all())
    unlabelled = counts.pop(None, 0)
    active = active_codes(session)
    return Census(history=unlabelled + sum(counts.values()), unlabelled=unlabelled,
                  codes={c: n for c, n in sorted(counts.items()) if c in active and n >= MIN_PER_CODE},
                  too_few={c: n for c, n in sorted(counts.items()) if c in active and n < MIN_PER_CODE},
                  not_in_catalogue={c: n for c, n in sorted(counts.items()) if c not in active})


def refusal(found: Census) -> str | None:
    """Why this history cannot be trained on yet (Chinese, for the admin), or None."""
    if not found.history:
        return "没有历史工单：请先用 hotline12345 import tickets 导入本县的历史工单，再训练分类模型"
    if len(found.codes) < 2 or found.usable < MIN_HISTORY:
        return (f"历史工单太少，无法训练：可用的有 {found.usable} 张、{len(found.codes)} 个分类（需要至少 "
                f"{MIN_HISTORY} 张、2 个分类，每个分类至少 {MIN_PER_CODE} 张且是派单目录中在用的分类）；"
                f"共 {found.history} 张历史工单，其中 {found.unlabelled} 张没有分类，"
                f"{sum(found.too_few.values())} 张的分类样本不足，{sum(found.not_in_catalogue.values())} 张的分类不在派单目录中")
    return None


def read_examples(session: Session, codes: set[str], progress: Progress) -> tuple[list[Example], list[Example]]:
    """(training side, judging slice), read in batches. A training text that is word for word a slice text is
    dropped, so the slice judges texts the model has not seen."""
    query = (select(Ticket.number, Ticket.title, Ticket.content, Ticket.category_code)
             .where(Ticket.imported_at.is_not(None), Ticket.category_code.in_(sorted(codes))).order_by(Ticket.id)
             .execution_options(yield_per=READ_BATCH))
    training: list[Example] = []
    held: list[Example] = []
    for rows in session.execute(query).partitions():
        for row in rows:
            if text := routing.text_of(row).strip():
                (held if in_slice(row.number) else training).append(Example(text, row.category_code))
        progress("reading", {"training": len(training), "slice": len(held)})
    held_texts = {ex.text for ex in held}
    return [ex for ex in training if ex.text not in held_texts], held


def train_history(dry_run: bool = False, progress: Progress | None = None) -> HistoryTraining:
    """Train on the history (+ people's corrections) and promote the model only if it does no worse than the
    current one on the history's slice. Raises HistoryRefused, having written nothing, when there is too little."""
    say = progress or (lambda _stage, _counts: None)
    started = time.monotonic()
    with session_scope() as session:  # read, then let the transaction go before the long training
        found = census(session)
        say("counting", {"history": found.history, "usable": found.usable, "codes": len(found.codes)})
        if problem := refusal(found):
            raise HistoryRefused(problem)
        training, held = read_examples(session, set(found.codes), say)
        # a person's correction of a live ticket is the county's word too: on the training side, kept codes only
        corrections = [ex for ex in routing.corrections_as_examples(session) if ex.label in found.codes]
    if len(held) < MIN_SLICE:
        raise HistoryRefused(f"历史工单太少，无法评估：评估切片只有 {len(held)} 张（需要至少 {MIN_SLICE} 张）")
    say("training", {"training": len(training), "slice": len(held), "corrections": len(corrections)})
    meta, result = retrain_on_slice(routing.get_store(), training, held, extra=corrections, source="history",
                                    dry_run=dry_run, progress=None)
    opened = seed_gate(load_model(routing.get_store().path_of(meta.version))[0], held) \
        if result.promoted and not dry_run else []
    outcome = HistoryTraining(
        census=found, training=len(training), slice=len(held), corrections=len(corrections), dry_run=dry_run,
        candidate=meta.version, promoted=result.promoted, reason=result.reason, candidate_f1=result.candidate_f1,
        candidate_accuracy=result.candidate_accuracy, current=result.current, current_f1=result.current_f1,
        current_accuracy=result.current_accuracy, seconds=round(time.monotonic() - started, 1), gate_open=opened)
    say("done", {"training": len(training), "slice": len(held), "corrections": len(corrections)})
    log.info("history training: %s examples, slice %s, candidate %s %s (%s)%s", len(training), len(held),
             meta.version, "promoted" if result.promoted else "kept current", result.reason,
             " [dry run]" if dry_run else "")
    return outcome


def slice_evidence(model: TextClassifier, held: list[Example]) -> dict[str, tuple[int, int]]:
    """Per predicted category, (confident predictions, of which right) on the judging slice: what the live gate
    would have counted had these been live tickets (a suspected emergency is never confident there either)."""
    counts: dict[str, list[int]] = {}
    for example, prediction in zip(held, model.predict_many([ex.text for ex in held], n_evidence=0), strict=True):
        if prediction.confident and emergency.detect(example.text) is None:
            tally = counts.setdefault(prediction.code, [0, 0])
            tally[0] += 1
            tally[1] += prediction.code == example.label
    return {code: (judged, right) for code, (judged, right) in sorted(counts.items())}


def seed_gate(model: TextClassifier, held: list[Example]) -> list[str]:
    """The promoted history model's starting evidence for the gate, from the slice; returns the categories it
    opens. A category the model never predicted confidently on the slice starts with nothing (suggest-only)."""
    evidence = slice_evidence(model, held)
    with session_scope() as session:
        gate.seed(session, gate.HISTORY, evidence, source="history")
        session.flush()
        return [s.category_code for s in gate.standings(session, gate.HISTORY) if s.open]


def verdict(outcome: HistoryTraining) -> str:
    """The guard's verdict in one Chinese sentence, with both models' figures on the same slice."""
    def figures(f1: float | None, accuracy: float | None) -> str:
        return f"宏平均 F1 {f1:.4f}、准确率 {accuracy:.4f}" if f1 is not None and accuracy is not None else "—"

    if outcome.current is None:
        decision = "没有当前模型，新模型直接采用"
    elif outcome.promoted:
        decision = "新模型不差于当前模型，" + ("将被采用（试运行，未保存）" if outcome.dry_run else "已采用")
    else:
        decision = "新模型不如当前模型，" + ("不会被采用（试运行）" if outcome.dry_run else "未采用，仍用当前模型")
    current = f"；当前模型 {outcome.current}：{figures(outcome.current_f1, outcome.current_accuracy)}" \
        if outcome.current else ""
    return (f"{decision}。评估切片 {outcome.slice} 张：新模型 {outcome.candidate}："
            f"{figures(outcome.candidate_f1, outcome.candidate_accuracy)}{current}")
