"""Hotspot quality on the fixed evaluation set (tests/data/hotspot_eval.jsonl, written before any clustering by
someone who never read the code): the issue's targets, purity ≥ 0.90 and recall ≥ 0.80, with the set's own
categories. The figures with the routing model's categories need the trained model: docs/hotspots.md."""

from __future__ import annotations

from datetime import timedelta

import pytest

from command.hotspot_eval import load_eval, score
from command.hotspot_mining import may_join, mine
from hotline.settings import HotspotSettings

pytestmark = pytest.mark.pure


def test_the_evaluation_set_reaches_the_issues_purity_and_recall():
    items, labels = load_eval()
    defaults = HotspotSettings()
    figures = score(mine(items, defaults.threshold, timedelta(days=defaults.window_days)), labels)
    assert figures["purity"] >= 0.90, figures
    assert figures["recall"] >= 0.80, figures


def test_another_township_or_family_never_joins():
    assert not may_join("城关街道", "0303", "白沙镇", "0303")
    assert not may_join("城关街道", "0303", "城关街道", "0907")
    assert may_join("城关街道", "0303", "城关街道", "0304")  # a routing slip inside 城市管理
    assert may_join(None, None, "城关街道", "0303")
