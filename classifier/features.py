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
    "n_jobs": None,  # train() sets 2 for big inputs: process start-up costs more than it saves on small ones
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
    union = FeatureUnion([("word", word), ("char", char)], n_jobs=cfg["n_jobs"])
    union.config_ = {k: v for k, v in cfg.items() if k != "n_jobs"}  # to rebuild it from saved state
    return union


def export_state(features: FeatureUnion) -> dict[str, Any]:
    """Plain data (config, terms in column order, idf) that fully describes a fitted union.

    Why not pickle/skops: this loads in milliseconds and cannot execute code.
    """
    blocks = {}
    for name, vec in features.transformer_list:
        terms = [""] * len(vec.vocabulary_)
        for term, j in vec.vocabulary_.items():
            terms[j] = term
        blocks[name] = {"terms": terms, "idf": [float(x) for x in vec.idf_]}
    return {"config": {k: list(v) if isinstance(v, tuple) else v for k, v in features.config_.items()},
            "blocks": blocks}


def import_state(state: dict[str, Any]) -> FeatureUnion:
    """Rebuild a fitted union from ``export_state`` output."""
    import numpy as np

    union = build_features(**state["config"])
    for name, vec in union.transformer_list:
        block = state["blocks"][name]
        vec.vocabulary_ = {t: j for j, t in enumerate(block["terms"])}
        vec.idf_ = np.asarray(block["idf"], dtype=np.float64)
    return union


def slim(features: FeatureUnion) -> FeatureUnion:
    """Ready a fitted union for predicting: drop ``stop_words_`` (every pruned term, most of the
    file size) and turn off process parallelism."""
    features.n_jobs = None  # parallel fitting only; predicting in subprocesses would cost latency
    for _name, vec in features.transformer_list:
        if hasattr(vec, "stop_words_"):
            delattr(vec, "stop_words_")
    return features


def _f32() -> Any:
    import numpy as np

    return np.float32
