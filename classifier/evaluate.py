"""Evaluation: per-class precision/recall/F1, macro-F1, confusion matrix (CSV + PNG), k-fold CV.

Why a separate module: the CLI, the tests and the benchmark all need the same
numbers computed the same way.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold, train_test_split

from classifier.dataset import Example, split_xy
from classifier.taxonomy import LEAVES
from classifier.train import Progress, fit_plain, stderr_progress

_NAMES = {lf.code: lf.name for lf in LEAVES}


class ClassScore(msgspec.Struct, frozen=True):
    label: str
    name: str
    precision: float
    recall: float
    f1: float
    support: int


class Report(msgspec.Struct):
    """An evaluation's numbers; ``folds`` is filled for cross-validation."""

    macro_f1: float
    accuracy: float
    n: int
    per_class: list[ClassScore]
    labels: list[str]
    confusion: list[list[int]]
    folds: list[float] = []


def report(y_true: Sequence[str], y_pred: Sequence[str]) -> Report:
    """Scores for one set of predictions."""
    labels = sorted(set(y_true) | set(y_pred))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    per = [ClassScore(lb, _NAMES.get(lb, ""), round(float(p[i]), 4), round(float(r[i]), 4), round(float(f[i]), 4),
                      int(s[i])) for i, lb in enumerate(labels)]
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    acc = float(np.mean(np.array(y_true) == np.array(y_pred)))
    macro = float(f1_score(y_true, y_pred, labels=sorted(set(y_true)), average="macro", zero_division=0))
    return Report(round(macro, 4), round(acc, 4), len(y_true), per, labels, cm.tolist())


def holdout_eval(examples: Sequence[Example], test_size: float = 0.2, seed: int = 0,
                 progress: Progress | None = stderr_progress, **fit_kw: Any) -> Report:
    """Train on a stratified share, score on the rest (fixed seed: comparable runs)."""
    texts, labels = split_xy(examples)
    a, b, ya, yb = train_test_split(texts, labels, test_size=test_size, random_state=seed, stratify=labels)
    t0 = time.perf_counter()
    model = fit_plain(a, ya, **fit_kw)
    rep = report(yb, model.predict_labels(b))
    if progress:
        progress(f"[evaluate] held-out {len(b)}: macro-F1 {rep.macro_f1:.4f} ({time.perf_counter() - t0:.1f}s)")
    return rep


def cross_validate(examples: Sequence[Example], k: int = 5, seed: int = 0,
                   progress: Progress | None = stderr_progress, **fit_kw: Any) -> Report:
    """Stratified k-fold; pooled out-of-fold predictions give the report, ``folds`` the per-fold macro-F1."""
    texts, labels = split_xy(examples)
    X, y = np.array(texts, dtype=object), np.array(labels, dtype=object)
    pred = np.empty(len(y), dtype=object)
    folds: list[float] = []
    t0 = time.perf_counter()
    for i, (tr, te) in enumerate(StratifiedKFold(k, shuffle=True, random_state=seed).split(X, y), 1):
        model = fit_plain(list(X[tr]), list(y[tr]), **fit_kw)
        pred[te] = model.predict_labels(list(X[te]))
        folds.append(round(float(f1_score(y[te], pred[te], average="macro", zero_division=0)), 4))
        if progress:
            progress(f"[cv] fold {i}/{k}: macro-F1 {folds[-1]:.4f} ({time.perf_counter() - t0:.1f}s)")
    rep = report(list(y), list(pred))
    rep.folds = folds
    return rep


def write_report(rep: Report, out: Path, plot: bool = True) -> list[Path]:
    """per_class.csv, confusion.csv, report.json and (if matplotlib is there) confusion.png."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "per_class.csv", out / "confusion.csv", out / "report.json"]
    with paths[0].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["label", "name", "precision", "recall", "f1", "support"])
        w.writerows([c.label, c.name, c.precision, c.recall, c.f1, c.support] for c in rep.per_class)
    with paths[1].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["true\\pred", *rep.labels])
        w.writerows([lb, *row] for lb, row in zip(rep.labels, rep.confusion, strict=True))
    paths[2].write_bytes(msgspec.json.format(msgspec.json.encode(rep)))
    if plot:
        png = plot_confusion(rep, out / "confusion.png")
        if png:
            paths.append(png)
    return paths


def plot_confusion(rep: Report, path: Path) -> Path | None:
    """Row-normalised confusion heat map; None when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    cm = np.array(rep.confusion, dtype=float)
    cm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    n = len(rep.labels)
    fig, ax = plt.subplots(figsize=(max(6, n * 0.22), max(5, n * 0.2)))
    im = ax.imshow(cm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(n), rep.labels, rotation=90, fontsize=6)
    ax.set_yticks(range(n), rep.labels, fontsize=6)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"macro-F1 {rep.macro_f1:.4f}, n={rep.n}")
    fig.colorbar(im, ax=ax, fraction=0.03)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
