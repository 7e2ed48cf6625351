"""Versioned model store with guarded promotion and cheap hot reload.

Layout under the caller's directory::

    versions/<version>/features.json    vectoriser config, vocabularies and idf (plain data, no pickle)
    versions/<version>/weights.npz      coef, intercept, classes
    versions/<version>/meta.json        ModelMeta
    CURRENT                             the promoted version's name (replaced atomically)
    journal.jsonl                       every pointer change and refused promotion, append-only (who, why, when)
    holdout.jsonl                       optional fixed evaluation slice for promotion

Why a pointer file: promotion in one process (the retraining worker) becomes
visible to every web and worker process through one ``stat`` at most once a
second, without restarts or a message bus.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from classifier.dataset import Example, split_xy
from classifier.features import export_state, import_state
from classifier.model import TextClassifier
from classifier.train import ModelMeta


class PromotionResult(msgspec.Struct, frozen=True):
    """Outcome of a promotion attempt, for logs and the admin page."""

    promoted: bool
    candidate: str
    current: str | None
    candidate_f1: float
    current_f1: float | None
    reason: str
    candidate_accuracy: float | None = None
    current_accuracy: float | None = None
    slice_size: int = 0


class VersionRead(msgspec.Struct, frozen=True):
    """One stored version with the figures its training measured, for the admin's list."""

    version: str
    trained_at: str
    source: str
    n_samples: int
    n_classes: int
    macro_f1_holdout: float
    accuracy_holdout: float
    threshold: float
    temperature: float
    target_precision: float
    confident_precision: float
    confident_coverage: float
    current: bool
    verdicts: list[dict] = []  # the journal's entries about this version (promotion verdicts, rollbacks), oldest first


class UnknownVersion(LookupError):
    pass


class AlreadyCurrent(ValueError):
    pass


KEEP_VERSIONS = 10  # newest versions pruning keeps, besides the current one and the one before it


def save_model(model: TextClassifier, meta: ModelMeta, directory: Path) -> Path:
    """Write one model version into ``directory`` (created; written via a temp dir, then renamed)."""
    directory = Path(directory)
    tmp = directory.with_name(directory.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    (tmp / "features.json").write_bytes(msgspec.json.encode(export_state(model.features)))
    np.savez_compressed(tmp / "weights.npz", coef=model.coef, intercept=model.intercept,
                        classes=np.array(model.classes))
    (tmp / "meta.json").write_bytes(msgspec.json.format(msgspec.json.encode(meta)))
    if directory.exists():
        shutil.rmtree(directory)
    tmp.rename(directory)
    return directory


def load_model(directory: Path) -> tuple[TextClassifier, ModelMeta]:
    """Read a model version (plain JSON and arrays: nothing in the files can execute)."""
    directory = Path(directory)
    meta = msgspec.json.decode((directory / "meta.json").read_bytes(), type=ModelMeta)
    features = import_state(msgspec.json.decode((directory / "features.json").read_bytes()))
    w = np.load(directory / "weights.npz", allow_pickle=False)
    model = TextClassifier(features, w["coef"], w["intercept"], [str(c) for c in w["classes"]],
                           meta.temperature, meta.threshold, meta.version)
    return model, meta


def macro_f1(model: TextClassifier, examples: Sequence[Example]) -> float:
    """Macro-F1 of ``model`` on labelled examples (labels it does not know count as errors)."""
    return scores(model, examples)[0]


def scores(model: TextClassifier, examples: Sequence[Example]) -> tuple[float, float]:
    """(macro-F1, accuracy) of ``model`` on labelled examples, predicted once."""
    texts, labels = split_xy(examples)
    predicted = model.predict_labels(texts)
    return (float(f1_score(labels, predicted, average="macro", zero_division=0)),
            float(accuracy_score(labels, predicted)))


def judge(candidate: TextClassifier, name: str, current: TextClassifier | None, current_name: str | None,
          slice_: Sequence[Example], tolerance: float = 0.0, force: bool = False) -> PromotionResult:
    """The guard's verdict on two models already in memory (``promote`` and a dry run share it)."""
    cand_f1, cand_acc = scores(candidate, slice_) if slice_ else (float("nan"), None)
    if current is None or force or not slice_:
        why = "forced" if force else "no current model" if current is None else "no held-out slice"
        return PromotionResult(True, name, current_name, cand_f1, None, why, cand_acc, None, len(slice_))
    cur_f1, cur_acc = scores(current, slice_)
    if cand_f1 + tolerance < cur_f1:
        return PromotionResult(False, name, current_name, cand_f1, cur_f1,
                               f"macro-F1 {cand_f1:.4f} < current {cur_f1:.4f}", cand_acc, cur_acc, len(slice_))
    return PromotionResult(True, name, current_name, cand_f1, cur_f1,
                           f"macro-F1 {cand_f1:.4f} >= current {cur_f1:.4f}", cand_acc, cur_acc, len(slice_))


class ModelStore:
    """A directory of model versions plus the pointer to the promoted one."""

    def __init__(self, root: Path | str, check_interval: float = 1.0) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "versions").mkdir(exist_ok=True)
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._checked_at = 0.0
        self._stamp: tuple[int, int, int] | None = None
        self._loaded: tuple[TextClassifier, ModelMeta] | None = None

    # -- paths ---------------------------------------------------------------
    @property
    def pointer(self) -> Path:
        return self.root / "CURRENT"

    def path_of(self, version: str) -> Path:
        return self.root / "versions" / version

    def versions(self) -> list[str]:
        """Stored versions, oldest first (names sort by time)."""
        return sorted(p.name for p in (self.root / "versions").iterdir() if (p / "meta.json").exists())

    # -- writing -------------------------------------------------------------
    def add(self, model: TextClassifier, meta: ModelMeta) -> str:
        """Store a candidate version (not yet promoted); returns its version name."""
        save_model(model, meta, self.path_of(meta.version))
        return meta.version

    def set_holdout(self, examples: Sequence[Example]) -> None:
        """Fix the slice that promotion compares models on."""
        path = self.root / "holdout.jsonl"
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for ex in examples:
                fh.write(json.dumps({"text": ex.text, "label": ex.label}, ensure_ascii=False) + "\n")
        os.replace(tmp, path)

    def holdout(self) -> list[Example]:
        """The stored promotion slice (empty if none was set)."""
        path = self.root / "holdout.jsonl"
        if not path.exists():
            return []
        with path.open(encoding="utf-8") as fh:
            return [Example(**json.loads(line)) for line in fh if line.strip()]

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        with (self.root / ".lock").open("w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def promote(self, candidate: str, holdout: Sequence[Example] | None = None,
                tolerance: float = 0.0, force: bool = False) -> PromotionResult:
        """Make ``candidate`` current unless it scores worse than the current model.

        Compared by macro-F1 on ``holdout`` (or the stored slice). Equal or
        better (within ``tolerance``) is promoted; worse is refused and the
        current version stays. With no current model, or ``force``, it is promoted.
        """
        slice_ = list(holdout) if holdout is not None else self.holdout()
        with self._exclusive():
            cand_model, _ = load_model(self.path_of(candidate))
            current = self.current_version()
            cur_model = load_model(self.path_of(current))[0] if current is not None and not force else None
            result = judge(cand_model, candidate, cur_model, current, slice_, tolerance, force)
            if result.promoted:
                self._write_pointer(candidate)
            self._journal({"action": "promote" if result.promoted else "refuse", "version": candidate,
                           "previous": current, "reason": result.reason,
                           "candidate_f1": None if result.candidate_f1 != result.candidate_f1 else result.candidate_f1,
                           "current_f1": result.current_f1, "slice_size": result.slice_size})
            return result

    def rollback(self, version: str, actor: str, reason: str) -> str | None:
        """Make an earlier stored version current on a person's word (no guard: they have seen the figures).
        Returns the version it replaced. UnknownVersion / AlreadyCurrent when there is nothing to do; every
        process picks the change up through the pointer, as after a promotion."""
        with self._exclusive():
            if version not in self.versions():  # a listed name only: no path of the caller's making
                raise UnknownVersion(version)
            previous = self.current_version()
            if previous == version:
                raise AlreadyCurrent(version)
            self._write_pointer(version)
            self._journal({"action": "rollback", "version": version, "previous": previous, "actor": actor,
                           "reason": reason})
            return previous

    def prune(self, keep: int = KEEP_VERSIONS) -> list[str]:
        """Delete all but the newest ``keep`` versions, never the current one nor the one current before it (the
        rollback a bad promotion needs). Returns the deleted names, oldest first."""
        with self._exclusive():
            names = self.versions()
            current = self.current_version()
            kept = set(names[-keep:] if keep > 0 else []) | {current, self._previous_current(current)}
            gone = [name for name in names if name not in kept]
            for name in gone:
                shutil.rmtree(self.path_of(name), ignore_errors=True)
            if gone:
                self._journal({"action": "prune", "deleted": gone, "kept": len(names) - len(gone)})
            return gone

    def listing(self) -> list[VersionRead]:
        """Every stored version, newest first, with its figures, whether it is current, and its journal."""
        current = self.current_version()
        entries = self.journal()
        out = []
        for name in reversed(self.versions()):
            try:
                meta = msgspec.json.decode((self.path_of(name) / "meta.json").read_bytes(), type=ModelMeta)
            except (FileNotFoundError, msgspec.DecodeError):  # pruned meanwhile, or half written
                continue
            out.append(VersionRead(
                version=name, trained_at=meta.trained_at, source=meta.source, n_samples=meta.n_samples,
                n_classes=meta.n_classes, macro_f1_holdout=meta.macro_f1_holdout,
                accuracy_holdout=meta.accuracy_holdout, threshold=meta.threshold, temperature=meta.temperature,
                target_precision=meta.target_precision, confident_precision=meta.confident_precision,
                confident_coverage=meta.confident_coverage, current=name == current,
                verdicts=[e for e in entries if e.get("version") == name]))
        return out

    def journal(self) -> list[dict]:
        """The journal's entries, oldest first (empty before the first promotion)."""
        try:
            with (self.root / "journal.jsonl").open(encoding="utf-8") as fh:
                return [json.loads(line) for line in fh if line.strip()]
        except FileNotFoundError:
            return []

    def _previous_current(self, current: str | None) -> str | None:
        """The version that was current before ``current`` became so, from the journal."""
        for entry in reversed(self.journal()):
            if entry.get("action") in ("promote", "rollback") and entry.get("version") == current:
                return entry.get("previous")
        return None

    def _journal(self, entry: dict) -> None:
        """One line per event, appended under the store's lock (a line this short is written whole)."""
        entry = {"at": datetime.now(UTC).isoformat(timespec="seconds"), **entry}
        with (self.root / "journal.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def _write_pointer(self, version: str) -> None:
        tmp = self.pointer.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(version, encoding="utf-8")
        os.replace(tmp, self.pointer)

    # -- reading -------------------------------------------------------------
    def current_version(self) -> str | None:
        """The promoted version name, read from disk now."""
        try:
            return self.pointer.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def current(self) -> TextClassifier | None:
        """The promoted model; re-checks the pointer at most every ``check_interval`` seconds.

        Cheap on the hot path: usually a clock read; at most one ``stat`` per
        interval; a reload only when another process promoted a new version.
        """
        now = time.monotonic()
        if self._loaded is not None and now - self._checked_at < self.check_interval:
            return self._loaded[0]
        with self._lock:
            self._checked_at = now
            try:
                st = self.pointer.stat()
            except FileNotFoundError:
                return self._loaded[0] if self._loaded else None
            stamp = (st.st_mtime_ns, st.st_ino, st.st_size)
            if stamp != self._stamp or self._loaded is None:
                version = self.current_version()
                if version and (self._loaded is None or self._loaded[1].version != version):
                    self._loaded = load_model(self.path_of(version))
                self._stamp = stamp
        return self._loaded[0] if self._loaded else None

    def current_meta(self) -> ModelMeta | None:
        """Metadata of the model ``current()`` returns."""
        self.current()
        return self._loaded[1] if self._loaded else None
