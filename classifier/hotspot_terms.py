"""The text side of hotspot mining: one sparse vector per ticket for "same problem at the same place".

Jieba words carry the problem (搅拌站, 电梯) and the place names (丽景, 锦绣华府); character pairs catch what
callers say differently (搅拌站 / 搅拌厂, 丽景小区 / 丽景花园). Both are weighted by how rare they are in our
own routing corpus, so 来电人, 反映 and 晚上 weigh little and a place name weighs much. The category code is
two more coordinates, its group (the first two digits: 03 城市管理) and its leaf: two tickets routed to the same
group need less shared text to be one problem, the same leaf a little less again, and a routing slip between two
leaves of a group (0303 噪声 / 0304 环境卫生) does not split a hotspot.

The document frequencies are a shipped table (``data/hotspot_idf.json``), built from the corpus by
``python -m classifier.hotspot_terms``: no model to fit, and the same ticket always gets the same vector.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from classifier.dataset import CORPUS_DIR
from classifier.segment import _KEEP, STOPWORDS, cut
from classifier.similarity import normalise

IDF_FILE = Path(__file__).parent / "data" / "hotspot_idf.json"
LEAF_WEIGHT, GROUP_WEIGHT = 0.3, 0.4  # chosen on tests/data/hotspot_eval.jsonl, see docs/hotspots.md
PAIR_WEIGHT = 1.0
KEEP_TERMS = 200  # a cluster's centroid keeps its heaviest terms only: bounded rows, same ranking
# Words every ticket has, whatever the problem or place.
GENERIC = frozenset(
    ["来电人", "来电", "来电人称", "反映", "称", "要求", "希望", "尽快", "处理", "解决", "问题", "相关", "部门", "现在", "已经", "一直", "每天", "晚上", "今天", "昨天", "网格员", "上报", "复报", "再次", "居民", "市民", "我家", "住户", "附近", "旁边", "那边", "这边", "能不能", "帮忙", "情况", "数字", "城管", "小区", "社区"]
)


def words(text: str) -> list[str]:
    return [w for w in cut(text) if len(w) > 1 and _KEEP.search(w) and w not in STOPWORDS and w not in GENERIC]


def pairs(text: str) -> list[str]:
    return [chunk[i:i + 2] for chunk in normalise(text).split() for i in range(len(chunk) - 1)]


class Rarity:
    """Inverse document frequency of words and character pairs in the routing corpus."""

    def __init__(self, documents: int, word_df: Mapping[str, int], pair_df: Mapping[str, int]) -> None:
        self.documents, self.word_df, self.pair_df = documents, word_df, pair_df

    def word(self, w: str) -> float:
        return math.log((self.documents + 1) / (self.word_df.get(w, 0) + 1)) + 1

    def pair(self, p: str) -> float:
        return math.log((self.documents + 1) / (self.pair_df.get(p, 0) + 1)) + 1

    @classmethod
    def count(cls, texts: Iterable[str]) -> Rarity:
        word_df: Counter[str] = Counter()
        pair_df: Counter[str] = Counter()
        documents = 0
        for text in texts:
            documents += 1
            word_df.update(set(words(text)))
            pair_df.update(set(pairs(text)))
        # a term seen once says as much as one never seen: leave it out and keep the file small
        return cls(documents, {w: n for w, n in word_df.items() if n > 1}, {p: n for p, n in pair_df.items() if n > 1})


@cache
def rarity() -> Rarity:
    data = json.loads(IDF_FILE.read_text(encoding="utf-8"))
    return Rarity(data["documents"], data["words"], data["pairs"])


def unit(vector: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(x * x for x in vector.values())) or 1.0
    return {k: x / norm for k, x in vector.items()}


def ticket_terms(text: str, category: str | None, rare: Rarity | None = None) -> dict[str, float]:
    """The unit vector of one ticket: title, content, village and address as one ``text``."""
    rare = rare or rarity()
    vector = {w: (1 + math.log(n)) * rare.word(w) for w, n in Counter(words(text)).items()}
    vector.update({"~" + p: PAIR_WEIGHT * (1 + math.log(n)) * rare.pair(p) for p, n in Counter(pairs(text)).items()})
    vector = unit(vector)
    if category:
        vector["#" + category] = LEAF_WEIGHT
        vector["#" + group(category)] = GROUP_WEIGHT
    return unit(vector)


def group(category: str) -> str:
    """The catalogue's first level: the two digits every leaf of one family shares."""
    return category[:2]


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine of any two sparse vectors (a cluster's centroid is a sum, not a unit vector)."""
    shared = sum(a[k] * b[k] for k in a.keys() & b.keys())
    if not shared:
        return 0.0
    return shared / math.sqrt(sum(x * x for x in a.values()) * sum(x * x for x in b.values()))


def add(total: dict[str, float], vector: Mapping[str, float]) -> dict[str, float]:
    """The sum of a centroid and a member, cut to its heaviest ``KEEP_TERMS`` terms."""
    summed = dict(total)
    for k, x in vector.items():
        summed[k] = summed.get(k, 0.0) + x
    if len(summed) > KEEP_TERMS:
        summed = dict(sorted(summed.items(), key=lambda kv: -kv[1])[:KEEP_TERMS])
    return summed


def subtract(total: Mapping[str, float], vector: Mapping[str, float]) -> dict[str, float]:
    return {k: x - vector.get(k, 0.0) for k, x in total.items() if x - vector.get(k, 0.0) > 1e-9}


def build(path: Path = IDF_FILE) -> Rarity:
    """Count the routing corpus (our own written messages) into the shipped table."""
    texts = [json.loads(line)["text"] for file in sorted(CORPUS_DIR.glob("*.jsonl"))
             for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
    rare = Rarity.count(texts)
    path.write_text(json.dumps({"documents": rare.documents, "words": dict(sorted(rare.word_df.items())),
                                "pairs": dict(sorted(rare.pair_df.items()))}, ensure_ascii=False,
                               separators=(",", ":")), encoding="utf-8")
    return rare


if __name__ == "__main__":
    built = build()
    print(f"{IDF_FILE}: {built.documents} documents, {len(built.word_df)} words, {len(built.pair_df)} pairs")
