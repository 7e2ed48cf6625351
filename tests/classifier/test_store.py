from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from classifier.dataset import Example, load_corpus
from classifier.model import TextClassifier
from classifier.store import ModelStore, load_model
from classifier.train import ModelMeta, train

pytestmark = pytest.mark.pure


@pytest.fixture(scope="module")
def data() -> tuple[list[Example], list[Example]]:
    """A small train share and a fixed evaluation slice (fast to fit: about 2 s)."""
    examples = load_corpus()
    rng = random.Random(3)
    rng.shuffle(examples)
    return examples[:2500], examples[-600:]


def _train(examples: list[Example], version: str) -> tuple[TextClassifier, ModelMeta]:
    return train(examples, refit=False, progress=None, version=version)


@pytest.fixture(scope="module")
def good(data: tuple[list[Example], list[Example]]) -> tuple[TextClassifier, ModelMeta]:
    return _train(data[0], "v2-good")


@pytest.fixture(scope="module")
def bad(data: tuple[list[Example], list[Example]]) -> tuple[TextClassifier, ModelMeta]:
    """Trained on shuffled labels: a regression the store must refuse."""
    texts = [ex.text for ex in data[0]][:1500]
    labels = [ex.label for ex in data[0]][:1500]
    random.Random(1).shuffle(labels)
    return _train([Example(t, lb) for t, lb in zip(texts, labels, strict=True)], "v3-bad")


def test_save_load_roundtrip(tmp_path: Path, good: tuple[TextClassifier, ModelMeta]) -> None:
    store = ModelStore(tmp_path)
    store.add(*good)
    model, meta = load_model(store.path_of("v2-good"))
    assert meta == good[1]
    text = "小区电梯经常坏，物业不修"
    assert model.predict(text) == good[0].predict(text)


def test_promote_refuses_worse_accepts_equal_or_better(tmp_path: Path, data, good, bad) -> None:
    _train_set, held = data
    store = ModelStore(tmp_path)
    store.set_holdout(held)
    for m in (good, bad):
        store.add(*m)
    first = store.promote("v2-good")
    assert first.promoted and store.current_version() == "v2-good"

    worse = store.promote("v3-bad")
    assert not worse.promoted and worse.candidate_f1 < worse.current_f1
    assert store.current_version() == "v2-good"

    same_model, same_meta = good
    store.add(same_model, ModelMeta(**{**_asdict(same_meta), "version": "v4-same"}))
    equal = store.promote("v4-same")
    assert equal.promoted and equal.candidate_f1 == equal.current_f1
    assert store.current_version() == "v4-same"


def test_hot_reload_across_two_store_instances(tmp_path: Path, data, good) -> None:
    writer = ModelStore(tmp_path)
    reader = ModelStore(tmp_path, check_interval=0.2)
    assert reader.current() is None
    writer.add(*good)
    writer.promote("v2-good", holdout=data[1])
    time.sleep(0.25)
    assert reader.current() is not None and reader.current_meta().version == "v2-good"

    model, meta = good
    writer.add(model, ModelMeta(**{**_asdict(meta), "version": "v5-next"}))
    assert writer.promote("v5-next", holdout=data[1]).promoted
    assert reader.current_meta().version == "v2-good" or True  # may still be inside the interval
    time.sleep(0.25)
    assert reader.current_meta().version == "v5-next"
    assert reader.current().predict("停水了").model_version == "v5-next"


def _asdict(meta: ModelMeta) -> dict:
    import msgspec

    return msgspec.structs.asdict(meta)
