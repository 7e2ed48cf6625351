"""The calls the app makes: bootstrap, retrain with corrections and promote, predict.

Why here: the app (hotline/dispatch workers, web) should not know about
features, thresholds or file layouts; it holds a ModelStore and calls these.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from classifier.corpus.written import load_written
from classifier.dataset import Example, load_corpus, load_csv
from classifier.model import Prediction
from classifier.store import ModelStore, PromotionResult, judge
from classifier.train import ModelMeta, Progress, stderr_progress, train

PROMOTION_SHARE = 0.1


def split_promotion_slice(examples: Sequence[Example], share: float = PROMOTION_SHARE,
                          seed: int = 7) -> tuple[list[Example], list[Example]]:
    """Stratified, seeded split into (train, fixed promotion slice)."""
    by_label: dict[str, list[Example]] = defaultdict(list)
    for ex in examples:
        by_label[ex.label].append(ex)
    rng = random.Random(seed)
    rest: list[Example] = []
    held: list[Example] = []
    for label in sorted(by_label):
        group = by_label[label][:]
        rng.shuffle(group)
        k = int(len(group) * share) if len(group) >= 5 else 0
        held += group[:k]
        rest += group[k:]
    return rest, held


def retrain(store: ModelStore | Path | str, base: Sequence[Example] | None = None,
            extra: Sequence[Example] = (), csv: Path | str | None = None, promote: bool = True,
            tolerance: float = 0.0, progress: Progress | None = stderr_progress,
            **train_kw: Any) -> tuple[ModelMeta, PromotionResult | None]:
    """Train a candidate on ``base`` (default: the shipped corpus, or ``csv``) plus ``extra``
    (operator corrections), store it, and promote it unless it does worse than the current
    model on the store's fixed slice. The slice is drawn from ``base`` on the first run and
    then never trained on, so every later candidate is judged on the same texts.
    """
    store = store if isinstance(store, ModelStore) else ModelStore(store)
    if base is None:
        base = load_csv(csv) if csv else load_corpus()
    held = store.holdout()
    if not held:
        base, held = split_promotion_slice(base)
        store.set_holdout(held)
    else:
        held_texts = {ex.text for ex in held}
        base = [ex for ex in base if ex.text not in held_texts]
    source = str(csv) if csv else "corpus"
    if not csv and "realistic" not in train_kw:  # the shipped corpus: calibrate on the team's written texts
        train_kw["realistic"] = load_written(calibration=False)
        train_kw["calibration"] = load_written(calibration=True)
    model, meta = train(base, extra=extra, source=source, progress=progress, **train_kw)
    store.add(model, meta)
    result = store.promote(meta.version, held, tolerance=tolerance) if promote else None
    if progress and result:
        progress(f"[store] {'promoted' if result.promoted else 'kept current'}: {result.reason}")
    return meta, result


def retrain_on_slice(store: ModelStore, base: Sequence[Example], held: Sequence[Example],
                     extra: Sequence[Example] = (), source: str = "", dry_run: bool = False,
                     tolerance: float = 0.0, progress: Progress | None = stderr_progress,
                     **train_kw: Any) -> tuple[ModelMeta, PromotionResult]:
    """Train on ``base`` + ``extra`` and judge against the current model on ``held``, a slice the caller
    keeps out of ``base`` and chooses itself (a county's history has its own, not the store's corpus slice).

    ``dry_run``: nothing is stored or promoted; the verdict is the one promotion would give.
    """
    model, meta = train(base, extra=extra, source=source, progress=progress, **train_kw)
    if dry_run:
        current = store.current()
        return meta, judge(model, meta.version, current, current.version if current else None, held, tolerance)
    store.add(model, meta)
    return meta, store.promote(meta.version, held, tolerance=tolerance)


def ensure_model(store: ModelStore | Path | str, progress: Progress | None = stderr_progress) -> ModelStore:
    """A store with a current model, training one on the shipped corpus if it is empty."""
    store = store if isinstance(store, ModelStore) else ModelStore(store)
    if store.current() is None:
        retrain(store, progress=progress)
    return store


def classify(store: ModelStore, text: str) -> Prediction | None:
    """Predict with the store's current model (hot-reloaded); None if no model is promoted yet."""
    model = store.current()
    return model.predict(text) if model else None
