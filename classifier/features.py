"""The feature pipeline: jieba word TF-IDF plus character n-gram TF-IDF.

Why both: words carry meaning (物业费, 拖欠工资), while character n-grams survive
typos, homophones and words jieba splits badly (路登, 底保).
"""

from __future__ import annotations

from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from classifier.segment import JiebaTokenizer

DEFAULTS: dict[str, Any] = {
    "word_ngrams": (1, 2),
    "char_ngrams": (1, 3),
    "word_max_features": 60_000,
    "char_max_features": 120_000,
    "min_df": 2,
}


def build_features(**overrides: Any) -> FeatureUnion:
    """A fresh, unfitted FeatureUnion; ``overrides`` replace DEFAULTS."""
    cfg = {**DEFAULTS, **overrides}
    word = TfidfVectorizer(
        tokenizer=JiebaTokenizer(), token_pattern=None, lowercase=False,
        ngram_range=tuple(cfg["word_ngrams"]), min_df=cfg["min_df"], max_features=cfg["word_max_features"],
        sublinear_tf=True, dtype=_f32(),
    )
    char = TfidfVectorizer(
        analyzer="char", ngram_range=tuple(cfg["char_ngrams"]), min_df=cfg["min_df"], lowercase=False,
        max_features=cfg["char_max_features"], sublinear_tf=True, dtype=_f32(),
    )
    return FeatureUnion([("word", word), ("char", char)])


def _f32() -> Any:
    import numpy as np

    return np.float32
