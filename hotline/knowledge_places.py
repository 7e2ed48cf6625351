"""The parts of a caller's sentence that say where, or who, rather than what: masked before a knowledge search.

Callers locate a problem by what stands near it: 人民路, 社保大厦旁边, 医保局对面, 燃气公司那栋楼下面. The words
inside those names (人民, 社保, 医保, 燃气) are article words, so an unmasked search answers 「人民路又有人摆摊占道了」
with 低保 (乡镇人民政府) and 「社保大厦旁边的饭店油烟太大」 with 社保卡补办. A place or a person is never what an
article answers, so their spans are blanked out of the query (the rest of the sentence is searched as it is):

- a road or street: two characters before 路/街/大道/大街/巷/胡同 (人民路, 滨江路, 解放大道); not 路灯, 路口 words,
  nor the common words that end in 路 (线路, 马路, 道路, 公路, 这条路, 走路);
- a building or body used as a landmark: a name ending in 局/大厦/中心/公司/医院/大厅/营业厅/站/… followed by a
  position word (旁边, 对面, 门口, 边上, 附近, 后面, 楼下, 那栋楼 …). Only the positional use is masked: in
  「政务中心周六上班吗」 the body itself is what the caller asks about;
- a person's name that `hotline.name_finder` finds after 我叫, 姓名 … (我叫王公积), or a surname and a two-character given name that
  opens a clause and is then spoken of as a person or household (张社保是我们村的, 刘低保家的狗): a given name may be
  any word, 社保 and 低保 included.
"""

from __future__ import annotations

import re

from hotline.name_finder import STRONG, find_names
from hotline.surnames import SINGLE

_CJK = "\u4e00-\u9fff"
# Two characters and a road word, unless the two are a word that ends in it (线路, 马路 …) or 路 starts a word.
ROAD = re.compile(rf"([{_CJK}]{{2}})(大道|大街|胡同|路|街|巷)(?![灯口面边况费线段])")
NOT_A_ROAD_NAME = frozenset({"这条", "那条", "一条", "哪条", "这段", "那段", "门口", "前面", "后面", "对面", "旁边"})
COMMON_ROAD_WORDS = frozenset({"马路", "线路", "道路", "公路", "走路", "修路", "半路", "山路", "水路", "铁路", "网路", "思路",
                               "出路", "一路", "小路", "大路", "土路", "带路", "让路", "堵路", "占路", "上街", "逛街", "大街"})
# Bodies and buildings that serve as landmarks, then the words that use them as one.
_BODY = r"(?:局|大厦|大楼|中心|公司|医院|大厅|营业厅|办事处|车站|站|学校|银行|超市|市场|广场|小区|派出所|政府)"
_POSITION = r"(?:那栋楼下面|那栋楼|旁边|对面|门口|边上|附近|后面|背后|前面|楼下|隔壁|里面|那边|这边)"
LANDMARK = re.compile(rf"[{_CJK}]{{0,6}}?{_BODY}(?:的?[{_CJK}]{{0,4}}?{_BODY})*(?:那个|那家|这个)?(?={_POSITION})")

PERSON = re.compile(rf"(?:^|(?<=[，。,.!?！？；;\s]))[{''.join(sorted(SINGLE))}][{_CJK}]{{2}}(?=家的|家里|家门口|家那|是我|是个)")


def place_spans(text: str) -> list[tuple[int, int]]:
    """Where roads, landmarks and people's names stand in the text, as (start, end) offsets."""
    spans = []
    for match in ROAD.finditer(text):
        name, road = match.groups()
        if name not in NOT_A_ROAD_NAME and name[-1] + road[0] not in COMMON_ROAD_WORDS:
            spans.append(match.span())
    spans += [m.span() for m in LANDMARK.finditer(text)]
    spans += [m.span() for m in PERSON.finditer(text)]
    # Only names after the strongest phrases (我叫, 姓名:): elsewhere the finder also takes 房本丢 of 「房本丢了」
    # for a name, which a redaction may afford and a search may not.
    introduced = {m.end() for m in STRONG.finditer(text)}
    spans += [(start, end) for start, end, _ in find_names(text) if start in introduced]
    return spans


def mask_places(text: str) -> str:
    """The text with every place and name span replaced by spaces (same length, so offsets still hold)."""
    chars = list(text)
    for start, end in place_spans(text):
        chars[start:end] = " " * (end - start)
    return "".join(chars)
