"""Duplicate detection: how alike a new ticket's text is to open tickets' texts.

Character 2-3 gram vectors with log term frequency and cosine similarity.
Why characters: callers describe the same pothole with different words,
typos and word orders; shared character runs (place names, 井盖, 停水) survive
all of that, and no fitted model is needed, so these are pure functions.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping

import msgspec

_NOISE = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]+")
# Phrases every caller uses; they say nothing about *which* problem it is.
BOILERPLATE = (
    "你好", "您好", "喂", "请问", "谢谢", "麻烦", "请相关部门", "尽快处理", "尽快解决", "希望", "反映", "投诉",
    "我想", "一下", "你们", "我们", "那个", "就是", "尊敬的", "领导", "此致敬礼", "管不管",
)


class Match(msgspec.Struct, frozen=True):
    """A candidate ticket that looks like the new text."""

    id: str
    score: float


def normalise(text: str) -> str:
    """Strip punctuation and boilerplate so only the substance is compared."""
    for phrase in BOILERPLATE:
        text = text.replace(phrase, " ")
    return _NOISE.sub(" ", text).strip()


def ngram_vector(text: str, ns: tuple[int, ...] = (2, 3)) -> dict[str, float]:
    """Log-tf weighted, L2-normalised character n-grams of ``text`` (not crossing spaces)."""
    counts: Counter[str] = Counter()
    for chunk in normalise(text).split():
        for n in ns:
            counts.update(chunk[i:i + n] for i in range(len(chunk) - n + 1))
    vec = {g: 1.0 + math.log(c) for g, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {g: v / norm for g, v in vec.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine of two normalised sparse vectors.

    Only the shared n-grams add anything, and the key views intersect in C: two short texts share a handful of
    n-grams, so this is several times faster than looking up each of one vector's n-grams in the other."""
    return sum(a[g] * b[g] for g in a.keys() & b.keys())


def similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two texts."""
    return cosine(ngram_vector(a), ngram_vector(b))


def find_similar(text: str, candidates: Mapping[str, str] | Iterable[tuple[str, str]],
                 threshold: float = 0.25, limit: int = 5) -> list[Match]:
    """Candidates (id -> text) scoring at least ``threshold``, best first, at most ``limit``."""
    items = candidates.items() if isinstance(candidates, Mapping) else candidates
    query = ngram_vector(text)
    scored = [Match(str(cid), round(cosine(query, ngram_vector(ctext)), 4)) for cid, ctext in items]
    hits = [m for m in scored if m.score >= threshold]
    hits.sort(key=lambda m: -m.score)
    return hits[:limit]
