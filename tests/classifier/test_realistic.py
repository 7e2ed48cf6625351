"""The written corpus and its held-out set: kept apart, complete, and what the confidence is fitted on."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from classifier.corpus.written import HELDOUT_FILE, WRITTEN_FILES, load_heldout, load_written
from classifier.dataset import Example, load_corpus
from classifier.taxonomy import LEAVES
from classifier.train import train

pytestmark = pytest.mark.pure


def test_heldout_set_is_never_a_training_file_and_shares_no_text() -> None:
    assert HELDOUT_FILE not in WRITTEN_FILES
    assert not {e.text for e in load_written()} & {e.text for e in load_heldout()}


def test_every_leaf_of_the_tree_has_written_texts_and_the_heldout_covers_the_66_it_was_written_for() -> None:
    written, held = Counter(e.label for e in load_written()), Counter(e.label for e in load_heldout())
    tree = {lf.code for lf in LEAVES}
    assert set(written) == tree and min(written.values()) >= 12
    assert set(held) <= tree and len(held) == 67  # 66 written for, plus 0112 公积金 split out of 0703 since
    assert {"0108", "0109", "0110", "0111", "0205", "0504", "0505", "0706", "0803", "0804", "0905", "0906"} <= set(held)


def _labelled(n: int, words: dict[str, str], seed: int, noisy: bool) -> list[Example]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        label = sorted(words)[i % len(words)]
        shown = rng.choice(sorted(words)) if noisy else label  # noisy: the text says nothing about its label
        filler = rng.choice(("又一次", "再次", "多次", "今天", "昨天", "上周"))  # never the index: it would leak the label
        out.append(Example(f"{words[shown]}的问题{filler}反映，{words[shown]}还是没人管", label))
    return out


def test_temperature_and_threshold_are_fitted_on_the_written_slice_not_the_template_text() -> None:
    """Template text is easy; the written texts here are deliberately unlearnable. The held-out figures and the
    threshold must come from the written slice: near-chance F1, and nothing called confident."""
    words = {"0101": "物业费", "0201": "停水", "0303": "噪音", "0601": "入学"}
    template = _labelled(400, words, 1, noisy=False)
    realistic = _labelled(200, words, 2, noisy=True)
    _model, plain = train(template, progress=None, refit=False)
    assert plain.macro_f1_holdout >= 0.99 and plain.confident_coverage >= 0.9
    _model, meta = train(template, realistic=realistic, progress=None, refit=False)
    assert meta.macro_f1_holdout <= 0.5 and meta.params["realistic"] == 200
    assert meta.confident_coverage <= 0.1 or meta.threshold > 1.0


def test_the_shipped_model_is_calibrated_on_the_written_texts() -> None:
    """``retrain`` on the shipped corpus passes the team's written texts as the realistic slice."""
    from pathlib import Path
    from tempfile import TemporaryDirectory

    from classifier.service import retrain

    with TemporaryDirectory() as tmp:
        meta, _ = retrain(Path(tmp), progress=None, promote=False, refit=False)
    assert meta.params["realistic"] == len(load_written())
    assert meta.params["calibration"] == len(load_written(calibration=True)) > 0
    assert meta.n_classes == len(LEAVES) and meta.n_samples > len(load_written()) + 0.8 * len(load_corpus())
