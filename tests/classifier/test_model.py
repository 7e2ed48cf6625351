from __future__ import annotations

import numpy as np
import pytest

from classifier.corpus.generate import OUT
from classifier.dataset import CORPUS_DIR, load_corpus
from classifier.evaluate import report
from classifier.model import TextClassifier
from classifier.train import ModelMeta, fit_plain, tune_threshold

pytestmark = pytest.mark.pure

# Floors document today's level (see docs/classifier.md); a drop below them is a regression.
HELDOUT_MACRO_F1_FLOOR = 0.95
HANDWRITTEN_MACRO_F1_FLOOR = 0.70


def test_heldout_macro_f1(corpus_model: tuple[TextClassifier, ModelMeta]) -> None:
    _model, meta = corpus_model
    assert meta.macro_f1_holdout >= HELDOUT_MACRO_F1_FLOOR
    assert meta.n_classes == 73 and meta.n_samples == len(load_corpus())
    assert 0.5 <= meta.threshold <= 1.0 and meta.confident_precision >= meta.target_precision


def test_out_of_template_handwritten_set() -> None:
    """Trained on generated text only, scored on the hand-written messages."""
    import json

    gen = [json.loads(x) for x in OUT.read_text(encoding="utf-8").splitlines()]
    hand = [json.loads(x) for x in (CORPUS_DIR / "handwritten.jsonl").read_text(encoding="utf-8").splitlines()]
    model = fit_plain([r["text"] for r in gen], [r["label"] for r in gen])
    rep = report([r["label"] for r in hand], model.predict_labels([r["text"] for r in hand]))
    assert rep.macro_f1 >= HANDWRITTEN_MACRO_F1_FLOOR


def test_prediction_shape_and_evidence(corpus_model: tuple[TextClassifier, ModelMeta]) -> None:
    model, meta = corpus_model
    pred = model.predict("喂，你好，我们文昌社区停水三天了，也没有通知，自来水公司电话打不通")
    assert pred.code == "0201" and pred.confident
    assert len(pred.top) == 3 and pred.top[0].probability >= pred.top[1].probability >= pred.top[2].probability
    assert sum(c.probability for c in pred.top) <= 1.0001
    assert "停水" in pred.evidence
    assert pred.model_version == meta.version == "test-full" and pred.threshold == meta.threshold


def test_unsure_text_is_not_confident(corpus_model: tuple[TextClassifier, ModelMeta]) -> None:
    model, _ = corpus_model
    for text in ("今天天气不错", "你好", "我想问一下那个事情", "喂喂，听得到吗"):
        pred = model.predict(text)
        assert not pred.confident, (text, pred)


def test_batch_and_single_agree(corpus_model: tuple[TextClassifier, ModelMeta]) -> None:
    model, _ = corpus_model
    texts = [ex.text for ex in load_corpus()[:40]]
    batch = model.predict_many(texts)
    single = [model.predict(t) for t in texts]
    assert [p.code for p in batch] == [p.code for p in single]
    assert np.allclose([p.probability for p in batch], [p.probability for p in single], atol=1e-3)


def test_tune_threshold_meets_target() -> None:
    p = np.array([0.99, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    ok = np.array([1, 1, 1, 1, 0, 1, 0, 0], dtype=bool)
    thr, prec, cov = tune_threshold(p, ok, 0.95)
    assert thr == 0.8 and prec == 1.0 and cov == 0.5
    assert tune_threshold(p, np.zeros(8, dtype=bool), 0.95)[0] > 1.0


def test_a_long_letter_is_read_up_to_max_chars_on_both_paths(corpus_model: tuple[TextClassifier, ModelMeta]) -> None:
    """Only the first 400 characters count (latency), the same way one by one and in a batch."""
    from classifier.model import MAX_CHARS

    model, _ = corpus_model
    head = "尊敬的领导：我们小区已经停水三天了，自来水公司一直没有人来。" * 40
    assert MAX_CHARS == 400 and len(head) > MAX_CHARS
    letter = head[:MAX_CHARS] + "另外学校乱收费补课费的问题也请教育局管一管。" * 30
    one, cut = model.predict(letter), model.predict(letter[:MAX_CHARS])
    assert one.code == cut.code == "0201" and one.probability == cut.probability
    batch = model.predict_many([letter] * 16)
    assert batch[0].code == "0201" and abs(batch[0].probability - one.probability) < 1e-3
