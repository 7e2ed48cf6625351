"""The store's versions list, rollback and pruning: on disk, with one small real model stored under many names."""

from __future__ import annotations

import random
from pathlib import Path

import msgspec
import pytest

from classifier.dataset import load_corpus
from classifier.store import AlreadyCurrent, ModelStore, UnknownVersion
from classifier.train import train

pytestmark = pytest.mark.pure


@pytest.fixture(scope="module")
def small():
    examples = load_corpus()
    random.Random(5).shuffle(examples)
    return train(examples[:800], refit=False, progress=None, version="small")


def _store(tmp_path: Path, small, names: list[str]) -> ModelStore:
    store = ModelStore(tmp_path)
    model, meta = small
    for i, name in enumerate(names):
        store.add(model, msgspec.structs.replace(meta, version=name, source=f"s{i}", n_samples=100 + i))
    return store


def test_listing_is_newest_first_with_figures_and_the_current_one_marked(tmp_path, small):
    store = _store(tmp_path, small, ["20260101T000000Z", "20260102T000000Z", "20260103T000000Z"])
    store.promote("20260101T000000Z", holdout=[])
    store.promote("20260102T000000Z", holdout=[])
    listed = store.listing()
    assert [v.version for v in listed] == ["20260103T000000Z", "20260102T000000Z", "20260101T000000Z"]
    assert [v.current for v in listed] == [False, True, False]
    assert [v.n_samples for v in listed] == [102, 101, 100]
    assert [v.source for v in listed] == ["s2", "s1", "s0"]
    assert listed[1].threshold == small[1].threshold and listed[1].temperature == small[1].temperature
    assert [e["action"] for e in listed[1].verdicts] == ["promote"]
    assert listed[1].verdicts[0]["previous"] == "20260101T000000Z"
    assert listed[0].verdicts == []  # stored, never judged


def test_rollback_moves_the_pointer_and_is_journaled_and_another_process_follows(tmp_path, small):
    store = _store(tmp_path, small, ["a1", "a2"])
    store.promote("a1", holdout=[])
    store.promote("a2", holdout=[])
    other = ModelStore(tmp_path, check_interval=0)  # another process's view of the same directory
    assert other.current_meta().version == "a2"
    assert store.rollback("a1", actor="staff:7", reason="新模型把燃气泄漏派到了土地承包") == "a2"
    assert store.current_version() == "a1"
    assert other.current_meta().version == "a1"
    last = store.journal()[-1]
    assert (last["action"], last["version"], last["previous"], last["actor"]) == ("rollback", "a1", "a2", "staff:7")
    assert last["reason"] == "新模型把燃气泄漏派到了土地承包"


def test_rollback_refuses_unknown_and_current_versions(tmp_path, small):
    store = _store(tmp_path, small, ["a1"])
    store.promote("a1", holdout=[])
    with pytest.raises(UnknownVersion):
        store.rollback("nope", actor="staff:1", reason="x")
    with pytest.raises(UnknownVersion):
        store.rollback("../versions/a1", actor="staff:1", reason="x")
    with pytest.raises(AlreadyCurrent):
        store.rollback("a1", actor="staff:1", reason="x")
    assert store.current_version() == "a1"


def test_prune_keeps_the_newest_the_current_and_the_one_before_it(tmp_path, small):
    names = [f"v{i:02d}" for i in range(1, 16)]  # v01 … v15
    store = _store(tmp_path, small, names)
    store.promote("v02", holdout=[])
    store.promote("v03", holdout=[])  # current v03, the one before it v02
    gone = store.prune(keep=4)
    assert gone == ["v01", *[f"v{i:02d}" for i in range(4, 12)]]
    assert store.versions() == ["v02", "v03", "v12", "v13", "v14", "v15"]
    assert store.current_version() == "v03"
    assert store.current() is not None
    assert store.prune(keep=4) == []  # nothing more to do


def test_prune_after_a_rollback_keeps_the_version_rolled_back_from(tmp_path, small):
    store = _store(tmp_path, small, ["v1", "v2", "v3", "v4"])
    store.promote("v4", holdout=[])
    store.rollback("v1", actor="staff:1", reason="v4 routes badly")
    assert store.prune(keep=0) == ["v2", "v3"]
    assert store.versions() == ["v1", "v4"]
