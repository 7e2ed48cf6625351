"""The auto-dispatch gate: a category is dispatched without a person only once people's judgments show the
model is right often enough on it (docs/classifier.md, "The auto-dispatch gate").

Why a lower confidence bound and not the plain share: 10 confirmations out of 10 are a precision of 100 %, and
also what a model right only four times in five produces one time in nine. The gate opens when the lower Wilson
bound of the judged precision (one-sided, z = GATE_Z, 1.645: wrong at most one time in twenty) reaches
GATE_TARGET_PRECISION (0.95), over at least GATE_MIN_JUDGED (30) judged tickets. With no correction at all that
takes 52 confirmations (n / (n + z²) ≥ 0.95), so a county with no history starts in suggest-only mode, and a few
corrections close a category whose evidence is still thin. Wilson rather than the normal approximation because
it stays inside [0, 1] and is honest near 100 %, which is where the gate works.

What is judged: only tickets the model called confident (the ones the gate would release), each once
(`routing_judgment`, one row per ticket). A person's dispatch or category change confirms the suggestion when
it keeps its category (or, with a department only, the catalogue's department for it) and corrects it
otherwise. An auto-dispatched ticket is confirmed when its department signs for it, and turned into a correction
if a person later re-dispatches it elsewhere.

Evidence belongs to a model family (`family_of`): retrains of the same family (the nightly retrain on the corpus
plus corrections; a history retrain) are promoted only when no worse on the family's fixed slice, so the live
evidence carries across them; a model of another family starts from its own evidence.
"""

from __future__ import annotations

from math import sqrt

import msgspec
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from dispatch.models import CatalogueEntry, GateEvidence, GateJudgment
from hotline.clock import now
from hotline.settings import get_settings

HISTORY, CORPUS = "history", "corpus"


def family_of(source: str | None) -> str:
    """The evidence family of a model from its meta's `source`: `history` (trained on the county's own
    tickets), `corpus` (the shipped corpus, with or without corrections), or `csv:<file name>`."""
    if source == HISTORY:
        return HISTORY
    if not source or source == CORPUS:
        return CORPUS
    return "csv:" + source.replace("\\", "/").rsplit("/", 1)[-1][:56]


def wilson_lower(successes: float, n: float, z: float) -> float:
    """Lower Wilson score bound of a proportion (0 with no trials)."""
    if n <= 0:
        return 0.0
    p = successes / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, (centre - spread) / (1 + z2 / n))


class Standing(msgspec.Struct, kw_only=True):
    """One category's evidence and the gate's verdict on it, for routing, the commander and /metrics."""

    family: str
    category_code: str
    category_name: str | None = None
    judged: int  # seeded + live
    confirmed: int
    live_judged: int
    live_confirmed: int
    seeded_judged: int
    seeded_confirmed: int
    seeded_from: str | None
    precision: float | None  # confirmed / judged, None with nothing judged
    lower_bound: float
    open: bool  # dispatched without a person


def _standing(family: str, code: str, row: GateEvidence | None, name: str | None = None) -> Standing:
    rules = get_settings().gate
    seeded_n = row.seeded_judged if row else 0
    seeded_k = row.seeded_confirmed if row else 0
    live_n = row.judged if row else 0
    live_k = row.confirmed if row else 0
    n, k = seeded_n + live_n, seeded_k + live_k
    bound = wilson_lower(k, n, rules.z)
    return Standing(family=family, category_code=code, category_name=name, judged=n, confirmed=k,
                    live_judged=live_n, live_confirmed=live_k, seeded_judged=seeded_n, seeded_confirmed=seeded_k,
                    seeded_from=row.seeded_from if row else None, precision=round(k / n, 4) if n else None,
                    lower_bound=round(bound, 4), open=n >= rules.min_judged and bound >= rules.target_precision)


def standing(session: Session, family: str, code: str) -> Standing:
    row = session.scalar(select(GateEvidence).where(GateEvidence.family == family,
                                                    GateEvidence.category_code == code))
    return _standing(family, code, row)


def standing_of_ticket(session: Session, ticket_id: int) -> Standing | None:
    """The gate's standing for the category and family the model was confident about on this ticket; None
    when it was not confident (or a suspected emergency), which the gate then has no say on."""
    row = session.get(GateJudgment, ticket_id)
    return standing(session, row.family, row.category_code) if row else None


def standings(session: Session, family: str) -> list[Standing]:
    """Every catalogue category (judged or not) and every category with evidence, for one family."""
    names = dict(session.execute(select(CatalogueEntry.category_code, CatalogueEntry.category_name)
                                 .where(CatalogueEntry.township.is_(None))).all())
    rows = {row.category_code: row for row in session.scalars(select(GateEvidence)
                                                             .where(GateEvidence.family == family))}
    return [_standing(family, code, rows.get(code), names.get(code)) for code in sorted(set(names) | set(rows))]


def all_standings(session: Session) -> list[Standing]:
    """Every category with evidence in any family (the /metrics scrape)."""
    rows = session.scalars(select(GateEvidence).order_by(GateEvidence.family, GateEvidence.category_code))
    return [_standing(row.family, row.category_code, row) for row in rows]


def refusal(found: Standing, name: str | None = None) -> str | None:
    """Why the category is not dispatched without a person (Chinese, for the commander's queue), or None."""
    if found.open:
        return None
    rules = get_settings().gate
    label = f"{name}：" if name else ""
    need = f"要求至少核对 {rules.min_judged} 张且准确率下限达到 {rules.target_precision:.0%}"
    if not found.judged:
        return f"该分类自动派单尚未达到准确率要求（{label}尚无人工核对记录，{need}）"
    return (f"该分类自动派单尚未达到准确率要求（{label}已核对 {found.judged} 张，确认 {found.confirmed} 张，"
            f"准确率 {found.precision:.1%}，下限 {found.lower_bound:.1%}；{need}）")


def expect(session: Session, ticket_id: int, family: str, code: str) -> None:
    """The model was confident about this ticket: people's next decision on it is a judgment of the gate."""
    session.add(GateJudgment(ticket_id=ticket_id, family=family, category_code=code, correct=None))


def judge(session: Session, ticket_id: int, correct: bool) -> None:
    """Record a person's verdict on a ticket the model was confident about (nothing if it was not).

    Each change is one conditional UPDATE on the ticket's row, and the counters move only when it changed a
    row: two processes judging the same ticket at once count it once, and a correction is never undone."""
    row = session.get(GateJudgment, ticket_id)
    if row is None:
        return
    family, code = row.family, row.category_code
    if _set_verdict(session, ticket_id, was=None, correct=correct):
        _count(session, family, code, judged=1, confirmed=int(correct))
    elif not correct and _set_verdict(session, ticket_id, was=True, correct=False):
        _count(session, family, code, judged=0, confirmed=-1)


def _set_verdict(session: Session, ticket_id: int, *, was: bool | None, correct: bool) -> bool:
    """One conditional UPDATE: the verdict moves from `was` to `correct` only if it still is `was`."""
    condition = GateJudgment.correct.is_(None) if was is None else GateJudgment.correct.is_(was)
    return bool(session.execute(update(GateJudgment).where(GateJudgment.ticket_id == ticket_id, condition)
                                .values(correct=correct, judged_at=now())
                                .execution_options(synchronize_session="fetch")).rowcount)


def suggested_category(session: Session, ticket_id: int) -> str | None:
    """The category the model was confident about for this ticket, if any."""
    row = session.get(GateJudgment, ticket_id)
    return row.category_code if row else None


def _upsert(session: Session, values: dict[str, object], changes: dict[str, object]) -> None:
    """INSERT the family's category row, or change it in the same statement: no lost update, no race."""
    table = GateEvidence.__table__
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).values(**values, updated_at=now())
    session.execute(statement.on_conflict_do_update(index_elements=[table.c.family, table.c.category_code],
                                                    set_={**changes, "updated_at": now()}))


def _count(session: Session, family: str, code: str, *, judged: int, confirmed: int) -> None:
    table = GateEvidence.__table__
    _upsert(session, {"family": family, "category_code": code, "judged": max(judged, 0),
                      "confirmed": max(confirmed, 0), "seeded_judged": 0, "seeded_confirmed": 0},
            {"judged": table.c.judged + judged, "confirmed": table.c.confirmed + confirmed})


def seed(session: Session, family: str, counts: dict[str, tuple[int, int]], source: str) -> None:
    """Set a family's starting evidence per category, {code: (judged, confirmed)}, replacing earlier starting
    evidence (the family's model was judged again; a category missing from `counts` starts from nothing) and
    keeping the live judgments."""
    session.execute(update(GateEvidence).where(GateEvidence.family == family)
                    .values(seeded_judged=0, seeded_confirmed=0, seeded_from=None))
    for code, (judged, confirmed) in counts.items():
        if not 0 <= confirmed <= judged:
            raise ValueError(f"{code}: confirmed {confirmed} outside 0..{judged}")
        _upsert(session, {"family": family, "category_code": code, "judged": 0, "confirmed": 0,
                          "seeded_judged": judged, "seeded_confirmed": confirmed, "seeded_from": source},
                {"seeded_judged": judged, "seeded_confirmed": confirmed, "seeded_from": source})
