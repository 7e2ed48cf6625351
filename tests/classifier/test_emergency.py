from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.dataset import load_corpus
from classifier.emergency import detect

pytestmark = pytest.mark.pure

EVAL = Path(__file__).resolve().parents[2] / "classifier" / "data" / "emergency_eval.jsonl"
RECALL_FLOOR = 0.97
FALSE_ALARM_CEILING = 0.03
CORPUS_FALSE_ALARM_CEILING = 0.02


def _rows() -> list[dict]:
    return [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_recall_and_false_alarms_on_handwritten_sets() -> None:
    rows = _rows()
    pos = [r for r in rows if r["emergency"]]
    neg = [r for r in rows if not r["emergency"]]
    assert len(pos) >= 100 and len(neg) >= 100
    recall = sum(detect(r["text"]) is not None for r in pos) / len(pos)
    false_alarm = sum(detect(r["text"]) is not None for r in neg) / len(neg)
    assert recall >= RECALL_FLOOR
    assert false_alarm <= FALSE_ALARM_CEILING


def test_routing_line() -> None:
    rows = [r for r in _rows() if r["emergency"]]
    right = sum((d := detect(r["text"])) is not None and d.kind == r["kind"] for r in rows)
    assert right / len(rows) >= 0.9


def test_ordinary_tickets_rarely_alarm() -> None:
    """The generated corpus holds no emergencies; alarms there are false alarms."""
    texts = [ex.text for ex in load_corpus()]
    rate = sum(detect(t) is not None for t in texts) / len(texts)
    assert rate <= CORPUS_FALSE_ALARM_CEILING


@pytest.mark.parametrize(("text", "line"), [
    ("楼下着火了冒黑烟", "119"), ("煤气泄漏了，好大的味", "119"), ("有人拿刀砍人", "110"),
    ("我爸晕倒了叫不醒", "120"), ("河堤决堤了，水冲进村", "119"),
])
def test_examples(text: str, line: str) -> None:
    em = detect(text)
    assert em is not None and em.line == line and em.evidence


@pytest.mark.parametrize("text", ["楼道堆放杂物有火灾隐患", "燃气费太贵了", "去年着过火，理赔还没下来", "工厂烟囱冒黑烟"])
def test_look_alikes(text: str) -> None:
    assert detect(text) is None
