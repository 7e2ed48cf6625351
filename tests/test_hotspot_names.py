"""A hotspot's name on the wall starts with the place, as an operator would say it. The addresses are typed the way
clerks and callers write them (a road before the estate, a house number, a 社区 in the village field, 那个小区);
the expected places are written here by hand. The figure over the fixed evaluation set's hand-written names is in
docs/hotspots.md (`python -m command.hotspot_eval`)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from classifier.hotspot_terms import ticket_terms
from command.hotspot_eval import load_eval, name_places, set_names
from command.hotspot_mining import mine, named, place_words
from hotline.settings import HotspotSettings

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(("address", "place"), [
    ("建设路丽景小区", "丽景小区"),  # jieba: 建设路 / 丽 / 景 / 小区
    ("丽景小区3栋2单元", "丽景小区"),
    ("城关镇人民路128号锦绣华府5栋", "锦绣华府"),  # not 号锦绣华府
    ("幸福里小区北门", "幸福里小区"),
    ("江南街道南湖小区", "南湖小区"),
    ("河西社区锦江苑7栋", "锦江苑"),
    ("桥头菜市场", "桥头菜市场"),
    ("白沙镇龙潭村3组", "龙潭村"),
    ("龙潭村到龙潭桥那一段", "龙潭桥"),
    ("县第二中学", "县第二中学"),
])
def test_an_estate_jieba_cuts_into_pieces_is_read_whole(address, place):
    assert place in place_words([address])


@pytest.mark.parametrize("said", ["我们小区的电梯", "这个小区", "住的小区门口", "就是那边那个小区"])
def test_a_bare_小区_is_no_place(said):
    assert not [p for p in place_words([said]) if p.endswith("小区")]


def test_the_estate_names_the_cluster_before_the_road_and_the_社区():
    members = [("新华社区 建设路丽景小区", "来电人反映丽景小区北边搅拌站晚上噪音大"),
               ("新华社区 丽景小区7栋", "后面搅拌站晚上又开工了，罐车进进出出"),
               ("新华社区 建设路", "建设路那边丽景那个小区后面搅拌站晚上吵死了")]
    centroid: dict[str, float] = {}
    for _, text in members:
        for term, weight in ticket_terms(text, "0303").items():
            centroid[term] = centroid.get(term, 0.0) + weight
    name = named(centroid, [a for a, _ in members], [t for _, t in members], "城关街道")
    assert name.split()[0] == "丽景小区" and "搅拌站" in name, name


def test_a_phone_or_a_name_in_the_text_never_reaches_the_wall():
    centroid = ticket_terms("刘秀英 13912345678 反映丽景小区搅拌站噪音", "0303")
    name = named(centroid, [], ["刘秀英 13912345678 反映丽景小区搅拌站噪音"], "城关街道")
    assert "13912345678" not in name and "丽景小区" in name


def test_most_of_the_evaluation_sets_clusters_are_named_by_their_own_place():
    """The set's author named each cluster (e.g. «白沙镇龙潭村 自来水浑浊发黄»); our name's place must be in it."""
    items, labels = load_eval()
    defaults = HotspotSettings()
    clusters = mine(items, defaults.threshold, timedelta(days=defaults.window_days))
    assert name_places(clusters, labels, set_names())["names_place_right"] >= 0.95
