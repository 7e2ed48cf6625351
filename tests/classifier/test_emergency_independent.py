"""The emergency rules on the outside writer's file, and the kinds and second lines added for issue 19.

Floors sit below the measured figures (docs/classifier.md) so a rule change that loses ground fails; the
held-out part (every third line) was never used to change a rule, so its floor is the honest one.
"""

from __future__ import annotations

import pytest

from classifier.emergency import Emergency, detect
from classifier.emergency_eval import INDEPENDENT, rows, score, split

pytestmark = pytest.mark.pure


def test_split_is_fixed_by_position() -> None:
    tuning, held_out = split(rows(INDEPENDENT))
    assert (len(tuning), len(held_out)) == (129, 64)
    assert held_out[0] == rows(INDEPENDENT)[2]


def test_floors_on_the_independent_file() -> None:
    tuning, held_out = split(rows(INDEPENDENT))
    t, h, a = score(tuning), score(held_out), score(tuning + held_out)
    assert t.recall >= 0.95 and t.false_alarm <= 0.05
    assert h.recall >= 0.50 and h.false_alarm <= 0.15
    assert a.recall >= 0.80 and a.false_alarm <= 0.06 and a.right_line >= 0.80


@pytest.mark.parametrize(("text", "kind", "line", "also"), [
    ("两车相撞，有人受伤躺在地上", "traffic", "122", ["120"]),
    ("被车撞了，腿在流血", "traffic", "122", ["120"]),
    ("两辆车剐了，没人受伤，停在路中间", "traffic", "122", []),
    ("高速上有辆车逆行，开着大灯冲过来", "traffic", "122", []),
    ("他喝醉了还要开车走，拦不住", "traffic", "122", []),
    ("人被压在车下面", "trapped", "119", ["120"]),
    ("我们被困在电梯里出不来", "trapped", "119", []),
    ("追尾了，司机卡在驾驶室里出不来", "traffic", "122", ["119", "120"]),
    ("楼下着火了，里面还有个老太太", "fire", "119", ["120"]),
])
def test_new_kinds_and_second_lines(text: str, kind: str, line: str, also: list[str]) -> None:
    em = detect(text)
    assert em is not None and em.evidence
    assert (em.kind, em.line, sorted(em.also)) == (kind, line, sorted(also))
    assert em.lines == [line, *em.also]


@pytest.mark.parametrize("text", [
    "我家隔壁煤气泄漏了", "煤气漏了应该怎么办", "可能是煤气漏了，一股味", "楼道里全是燃气味",
])
def test_a_gas_leak_is_always_raised(text: str) -> None:
    em = detect(text)
    assert em is not None and em.kind == "gas_leak" and em.line == "119"


@pytest.mark.parametrize("text", [
    "车祸理赔怎么走流程", "去年我被车撞了，医药费还没给", "这条路经常出车祸，能不能装个红绿灯",
    "路灯杆被车撞歪了，一直没人修", "酒驾的人很多，希望多查", "小区电梯经常坏，困过几次人",
    "去年燃气泄漏的赔偿还没到", "我被单位气得要吐血了", "救命啊，我的社保卡办了一个月还没好",
    "车子过去都要跳起来", "我想了解一下燃气泄漏了应该怎么办",
])
def test_look_alikes_stay_quiet(text: str) -> None:
    assert detect(text) is None


def test_callers_reading_only_the_old_fields_still_work() -> None:
    """routing.py builds its dict from kind/line/label/evidence; a struct built without ``also`` still works."""
    em = Emergency("fire", "119", "火警", ["着火"])
    assert em.also == [] and em.lines == ["119"]
