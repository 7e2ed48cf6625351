"""The fitted text classifier and its prediction result.

Scores are a linear model's decision values over the FeatureUnion features,
turned into probabilities with a softmax at a temperature fitted on held-out
data (temperature scaling: one number, cheap at predict time, and it keeps the
ranking of the linear model). ``confident`` compares the top probability with
a threshold tuned on held-out data so the confident slice meets a precision
target; below it, a person dispatches.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import msgspec
import numpy as np
from scipy import sparse

from classifier.features import block_weight
from classifier.taxonomy import LEAVES

# Only the first MAX_CHARS characters are read: the title and the opening say what a message is about, and jieba
# on a 2,500-character letter alone took the real-text p99 past 5 ms. On the real dev share the leaf -> group
# macro-F1 was 0.794 (whole text), 0.795 (500), 0.796 (400); predict() p99 9.9 / 5.8 / 4.9 ms (bench_real).
MAX_CHARS = 400
BATCH_MIN = 16  # from this many texts on, sklearn's batch transform beats the per-text path
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_LEAF_NAMES = {lf.code: lf.name for lf in LEAVES}


def clip(texts: Sequence[str]) -> list[str]:
    """What the model reads of each text: training and predicting must cut the same way."""
    return [t[:MAX_CHARS] for t in texts]


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
        self._fast: list[tuple[Any, dict[str, int], np.ndarray, bool, int, float]] | None = None
        self._coef_t: np.ndarray | None = None

    # -- scoring -------------------------------------------------------------
    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Feature matrix for ``texts`` (each cut to MAX_CHARS)."""
        return sparse.csr_matrix(self.features.transform(clip(texts)))

    def decision(self, X: sparse.csr_matrix) -> np.ndarray:
        """Raw linear scores, shape (n, classes)."""
        return np.asarray(X @ self.coef.T) + self.intercept

    def proba_from_scores(self, scores: np.ndarray, temperature: float | None = None) -> np.ndarray:
        """Softmax of scores at the fitted temperature."""
        z = scores / (temperature or self.temperature)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def _blocks(self) -> list[tuple[Any, dict[str, int], np.ndarray, bool, int, float]]:
        """Per vectoriser: analyzer, vocabulary, idf, sublinear flag, column offset, block weight (built once)."""
        if self._fast is None:
            blocks, offset = [], 0
            for name, vec in self.features.transformer_list:
                idf = np.asarray(vec.idf_, dtype=np.float32)
                blocks.append((vec.build_analyzer(), vec.vocabulary_, idf, bool(vec.sublinear_tf), offset,
                               block_weight(self.features, name)))
                offset += len(idf)
            self._fast = blocks
            self._coef_t = np.ascontiguousarray(self.coef.T)
        return self._fast

    def vectorize_one(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(column indices, values) of one text, equal to ``transform`` but without sklearn's
        per-call overhead: this is what keeps single-ticket latency around a millisecond."""
        text = text[:MAX_CHARS]
        all_idx: list[np.ndarray] = []
        all_val: list[np.ndarray] = []
        for analyze, vocab, idf, sublinear, offset, weight in self._blocks():
            if not vocab:
                continue
            pairs = [(vocab[t], c) for t, c in Counter(analyze(text)).items() if t in vocab]
            if not pairs:
                continue
            idx = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
            tf = np.fromiter((p[1] for p in pairs), dtype=np.float32, count=len(pairs))
            if sublinear:
                tf = 1.0 + np.log(tf)
            val = tf * idf[idx]
            val /= np.sqrt((val * val).sum()) or 1.0
            if weight != 1.0:
                val *= weight
            all_idx.append(idx + offset)
            all_val.append(val)
        if not all_idx:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        idx = np.concatenate(all_idx)
        order = np.argsort(idx)
        return idx[order], np.concatenate(all_val)[order]

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
        """``predict`` for several texts: per-text fast path for a few, one sparse product for many."""
        self._blocks()
        assert self._coef_t is not None
        rows: list[tuple[np.ndarray, np.ndarray]] = []
        if len(texts) >= BATCH_MIN:
            X = self.transform(texts)
            all_proba = self.proba_from_scores(self.decision(X))
            rows = [(X.indices[X.indptr[i]:X.indptr[i + 1]], X.data[X.indptr[i]:X.indptr[i + 1]])
                    for i in range(len(texts))]
        else:
            rows = [self.vectorize_one(t) for t in texts]
            all_proba = np.vstack([self.proba_from_scores((val @ self._coef_t[idx] + self.intercept)[None, :])
                                   for idx, val in rows]) if rows else np.zeros((0, len(self.classes)))
        out: list[Prediction] = []
        for (idx, val), proba in zip(rows, all_proba, strict=True):
            order = np.argsort(-proba)[:k]
            top = [Candidate(self.classes[j], round(float(proba[j]), 4), _LEAF_NAMES.get(self.classes[j], ""))
                   for j in order]
            evidence = self._evidence(idx, val, int(order[0]), n_evidence) if n_evidence else []
            out.append(Prediction(top, bool(proba[order[0]] >= self.threshold), evidence, self.version,
                                  self.threshold))
        return out

    # -- explanations -------------------------------------------------------
    def feature_names(self) -> np.ndarray:
        """Readable feature names, computed once; word features keep their 'word__' / 'title_word__' prefix."""
        if self._names is None:
            self._names = np.array(self.features.get_feature_names_out(), dtype=object)
        return self._names

    def evidence(self, row: sparse.csr_matrix, cls: int, n: int = 6) -> list[str]:
        """Words whose feature value x weight pushed hardest towards class ``cls``.

        Jieba words come first; character n-grams only fill up, and only when
        they are pure CJK and do not overlap a chosen word, so the list reads
        as words, not fragments.
        """
        row = sparse.csr_matrix(row)
        return self._evidence(row.indices, row.data, cls, n)

    def _evidence(self, idx: np.ndarray, vals: np.ndarray, cls: int, n: int) -> list[str]:
        if not len(idx):
            return []
        contrib = vals * self.coef[cls, idx]
        names = self.feature_names()
        ranked = [j for j in np.argsort(-contrib) if contrib[j] > 0]
        words: list[str] = []
        for want_word in (True, False):
            for j in ranked:
                if len(words) >= n:
                    return words
                kind, _, word = str(names[idx[j]]).partition("__")
                if kind.endswith("word") != want_word or len(word.replace(" ", "")) < 2:
                    continue
                word = word.replace(" ", "")
                if not want_word and (len(word) < 2 or not _CJK.fullmatch(word)):
                    continue
                if any(word in c or c in word for c in words):
                    continue
                words.append(word)
        return words

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._names = self._fast = self._coef_t = None

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("_names", "_fast", "_coef_t")}
