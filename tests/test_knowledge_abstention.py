"""The knowledge search offers nothing rather than a wrong article: places and names are masked, and an article
needs a subject word of its own as evidence. The figures are in `web.bench.knowledge_answers`; these check the
mechanisms on small hand-made articles."""

from __future__ import annotations

from datetime import date

import pytest

from hotline.knowledge_places import mask_places
from hotline.knowledge_search import Document, KnowledgeIndex

pytestmark = pytest.mark.pure

TODAY = date(2026, 11, 24)
ARTICLES = [
    Document(id=1, title="最低生活保障（低保）申请条件", keywords="低保 最低生活保障",
             answer="可向户籍所在地乡镇人民政府（街道办事处）申请低保。"),
    Document(id=2, title="社保卡丢失挂失与补办", keywords="社保卡 补卡 挂失", answer="社保卡丢失后请先挂失。"),
    Document(id=3, title="机动车驾驶证换证与补证", keywords="驾驶证 驾照", answer="驾驶证有效期满前90日内可换证。"),
    Document(id=4, title="路灯不亮报修", keywords="路灯 照明", answer="报修时请说明道路名称。"),
    Document(id=5, title="国庆假期政务服务安排", keywords="国庆 放假", answer="国庆期间暂停窗口服务。",
             valid_until=date(2026, 10, 8)),
]


@pytest.fixture(scope="module")
def index() -> KnowledgeIndex:
    return KnowledgeIndex(ARTICLES)


def offered(index: KnowledgeIndex, query: str, today: date = TODAY) -> list[int]:
    return [hit.id for hit in index.search(query, today=today)]


@pytest.mark.parametrize(("text", "masked"), [
    ("人民路又有人摆摊占道了", "   又有人摆摊占道了"),  # a road
    ("社保大厦旁边的饭店油烟太大", "    旁边的饭店油烟太大"),  # a building used as a landmark
    ("医保局门口路灯不亮", "   门口路灯不亮"),  # 路灯 is not a road
    ("张社保是我们村的", "   是我们村的"),  # a person spoken of
    ("我叫王公积，想问问", "我叫   ，想问问"),
    ("公交线路怎么走", "公交线路怎么走"),  # 线路 is a word, not a road's name
    ("政务中心周六上班吗", "政务中心周六上班吗"),  # the body itself is what is asked about
])
def test_places_and_names_are_masked(text, masked):
    assert mask_places(text) == masked


def test_a_place_name_sharing_characters_with_an_article_offers_nothing(index):
    assert offered(index, "人民路又有人摆摊占道了") == []  # 人民 of 人民政府, the baseline's 低保
    assert offered(index, "社保大厦旁边的饭店油烟太大") == []
    assert offered(index, "医保局门口路灯不亮") == [4]  # the landmark goes, the matter stays


def test_generic_request_words_and_word_fragments_are_no_evidence(index):
    assert offered(index, "快递丢了找谁") == []  # 丢了 fits any lost thing
    assert offered(index, "电动车被偷了") == []  # 动车 is inside 电动车 and 机动车, whole in neither
    assert offered(index, "社保卡丢了") == [2]
    assert offered(index, "社保") == [2]  # a whole word of the query, inside the article's 社保卡
    assert offered(index, "驾照到期换证") == [3]  # through the synonym 驾照 → 驾驶证


def test_an_expired_article_is_never_offered(index):
    assert offered(index, "国庆放假", today=date(2026, 10, 8)) == [5]  # in force all of its last day
    assert offered(index, "国庆放假", today=date(2026, 10, 9)) == []
