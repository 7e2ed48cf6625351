from __future__ import annotations

import json
from collections import Counter
from itertools import islice

import pytest

from classifier.corpus.generate import PHRASES, generate
from classifier.corpus.places import COUNTY, STREETS, TOWNSHIPS
from classifier.dataset import CORPUS_DIR, load_corpus
from classifier.taxonomy import GROUPS, LEAVES, leaf

pytestmark = pytest.mark.pure


def test_taxonomy_shape() -> None:
    assert len(GROUPS) >= 12 and len(LEAVES) >= 40
    codes = [lf.code for lf in LEAVES]
    assert len(set(codes)) == len(codes)
    for lf in LEAVES:
        assert len(lf.code) == 4 and lf.code[:2] == lf.group_code and GROUPS[lf.group_code] == lf.group
    assert leaf("0101").name == "物业管理"
    with pytest.raises(KeyError):
        leaf("9999")


def test_places() -> None:
    assert COUNTY == "清江县" and len(TOWNSHIPS) >= 12 and STREETS
    assert all(3 <= len(v) <= 5 for v in TOWNSHIPS.values())


def test_generator_is_reproducible_and_covers_every_leaf() -> None:
    first = list(islice(generate(200, seed=5), 50))
    again = list(islice(generate(200, seed=5), 50))
    assert first == again
    assert set(PHRASES) == {lf.code for lf in LEAVES}


def test_shipped_corpus_is_balanced_and_complete() -> None:
    examples = load_corpus()
    counts = Counter(ex.label for ex in examples)
    assert len(examples) >= 8000
    assert set(counts) == {lf.code for lf in LEAVES}
    assert max(counts.values()) <= 1.5 * min(counts.values())
    with (CORPUS_DIR / "handwritten.jsonl").open(encoding="utf-8") as fh:
        hand = Counter(json.loads(line)["label"] for line in fh)
    assert min(hand[lf.code] for lf in LEAVES) >= 3
