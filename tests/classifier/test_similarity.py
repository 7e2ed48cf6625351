from __future__ import annotations

import pytest

from classifier.similarity import find_similar, similarity

pytestmark = pytest.mark.pure

NEW = "人民路和解放路交叉口有个井盖不见了，晚上很危险，请尽快处理"
OPEN = {
    "T1": "人民路解放路交叉口那个井盖不见了，晚上好危险，你们快来处理",
    "T2": "人民路有个烧烤摊油烟很大，熏得人受不了",
    "T3": "我家停水三天了，自来水公司不接电话",
}


def test_finds_near_duplicate_not_unrelated() -> None:
    hits = find_similar(NEW, OPEN)
    assert [h.id for h in hits] == ["T1"]
    assert hits[0].score > 0.5


def test_threshold_and_limit_are_configurable() -> None:
    everything = find_similar(NEW, OPEN, threshold=0.0)
    assert everything[0].id == "T1" and len(everything) == 3
    assert len(find_similar(NEW, OPEN, threshold=0.0, limit=1)) == 1
    assert find_similar(NEW, list(OPEN.items()), threshold=0.99) == []


def test_symmetric_and_bounded() -> None:
    a, b = NEW, OPEN["T1"]
    assert abs(similarity(a, b) - similarity(b, a)) < 1e-9
    assert abs(similarity(a, a) - 1.0) < 1e-9
    assert similarity(a, "") == 0.0
