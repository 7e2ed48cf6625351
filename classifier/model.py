"""The fitted text classifier and its prediction result.

Scores are a linear model's decision values over the FeatureUnion features,
turned into probabilities with a softmax at a temperature fitted on held-out
data (temperature scaling: one number, cheap at predict time, and it keeps the
ranking of the linear model). ``confident`` compares the top probability with
a threshold tuned on held-out data so the confident slice meets a precision
target; below it, a person dispatches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
import numpy as np
from scipy import sparse

from classifier.taxonomy import LEAVES

_LEAF_NAMES = {lf.code: lf.name for lf in LEAVES}


class Candidate(msgspec.Struct, frozen=True):
    """One ranked category."""

    code: str
    probability: float
    name: str = ""


class Prediction(msgspec.Struct, frozen=True):
    """What the app stores on a ticket: ranked categories, confidence and why."""

    top: list[Candidate]
    confident: bool
    evidence: list[str]
    model_version: str
    threshold: float

    @property
    def code(self) -> str:
        """The top category code."""
        return self.top[0].code

    @property
    def probability(self) -> float:
        """The top category's probability."""
        return self.top[0].probability


class TextClassifier:
    """Vectoriser + linear weights + temperature + threshold, with fast predict and explanations."""

    def __init__(self, features: Any, coef: np.ndarray, intercept: np.ndarray, classes: Sequence[str],
                 temperature: float = 1.0, threshold: float = 0.5, version: str = "dev") -> None:
        self.features = features
        self.coef = np.ascontiguousarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.classes = [str(c) for c in classes]
        self.temperature = float(temperature)
        self.threshold = float(threshold)
        self.version = version
        self._names: np.ndarray | None = None

    # -- scoring -------------------------------------------------------------
    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Feature matrix for ``texts``."""
        return sparse.csr_matrix(self.features.transform(list(texts)))

    def decision(self, X: sparse.csr_matrix) -> np.ndarray:
        """Raw linear scores, shape (n, classes)."""
        return np.asarray(X @ self.coef.T) + self.intercept

    def proba_from_scores(self, scores: np.ndarray, temperature: float | None = None) -> np.ndarray:
        """Softmax of scores at the fitted temperature."""
        z = scores / (temperature or self.temperature)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities in ``self.classes`` order."""
        return self.proba_from_scores(self.decision(self.transform(texts)))

    def predict_labels(self, texts: Sequence[str]) -> list[str]:
        """Top-1 labels, for evaluation."""
        scores = self.decision(self.transform(texts))
        return [self.classes[i] for i in scores.argmax(axis=1)]

    # -- the app's entry point ----------------------------------------------
    def predict(self, text: str, k: int = 3, n_evidence: int = 6) -> Prediction:
        """Rank categories for one ticket text and say which words weighed most."""
        return self.predict_many([text], k, n_evidence)[0]

    def predict_many(self, texts: Sequence[str], k: int = 3, n_evidence: int = 6) -> list[Prediction]:
        """Batch form of ``predict`` (one matrix product for all texts)."""
        X = self.transform(texts)
        proba = self.proba_from_scores(self.decision(X))
        out: list[Prediction] = []
        for i in range(len(texts)):
            order = np.argsort(-proba[i])[:k]
            top = [Candidate(self.classes[j], round(float(proba[i, j]), 4), _LEAF_NAMES.get(self.classes[j], ""))
                   for j in order]
            evidence = self.evidence(X[i], int(order[0]), n_evidence) if n_evidence else []
            out.append(Prediction(top, bool(proba[i, order[0]] >= self.threshold), evidence, self.version,
                                  self.threshold))
        return out

    # -- explanations -------------------------------------------------------
    def feature_names(self) -> np.ndarray:
        """Readable feature names (prefix 'word__'/'char__' removed), computed once."""
        if self._names is None:
            raw = self.features.get_feature_names_out()
            self._names = np.array([n.split("__", 1)[-1] for n in raw], dtype=object)
        return self._names

    def evidence(self, row: sparse.csr_matrix, cls: int, n: int = 6) -> list[str]:
        """Words whose feature value x weight pushed hardest towards class ``cls``.

        Overlapping pieces (a char n-gram inside a chosen word) are dropped so the
        list reads as words, not fragments.
        """
        row = sparse.csr_matrix(row)
        idx, vals = row.indices, row.data
        if not len(idx):
            return []
        contrib = vals * self.coef[cls, idx]
        names = self.feature_names()
        chosen: list[str] = []
        for j in np.argsort(-contrib):
            if contrib[j] <= 0 or len(chosen) >= n:
                break
            word = str(names[idx[j]]).replace(" ", "")
            if len(word) < 2 or any(word in c or c in word for c in chosen):
                continue
            chosen.append(word)
        return chosen

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._names = None

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_names"}
