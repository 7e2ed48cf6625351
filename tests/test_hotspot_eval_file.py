"""The hotspot evaluation set (tests/data/hotspot_eval.jsonl) is the fixed answer key the clustering of issue 21
will be scored on. It was written by a helper who never read the code, before any clustering existed, and is
not to be edited to suit a result. This checks only that it stays whole and readable."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure
PATH = Path(__file__).parent / "data" / "hotspot_eval.jsonl"


def test_the_answer_key_is_whole():
    lines = [json.loads(line) for line in PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    tickets = [row for row in lines if "id" in row]
    defs = {row["cluster_def"]: row for row in lines if "cluster_def" in row}
    assert len(tickets) == 445 and len(defs) == 57
    assert len({t["id"] for t in tickets}) == len(tickets)
    sizes = Counter(t["cluster"] for t in tickets if t["cluster"])
    assert set(sizes) == set(defs) and min(sizes.values()) >= 2
    assert sum(1 for t in tickets if t["cluster"] is None) == 141
    for t in tickets:
        assert t["text"].strip() and t["received_raw"].strip() and len(t["category"]) == 4
        assert datetime.fromisoformat(t["received_at"]).utcoffset().total_seconds() == 8 * 3600
