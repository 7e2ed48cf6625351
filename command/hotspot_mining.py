"""Hotspot mining without a database: the join rule, the cluster's name and its heat.

One pass in time order (a leader clustering): a ticket joins the most alike cluster of its township and
catalogue family if the cosine with the cluster's centroid reaches the threshold, else it starts one. The live path
(command.hotspots) applies the same rule one ticket at a time as tickets arrive; ``mine`` replays it over any
list of tickets, which is how a past window of imported history gets the same table.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from classifier.hotspot_terms import GENERIC, add, cosine, group, ticket_terms, words
from classifier.segment import STOPWORDS, cut
from hotline.redaction import redact

# a word naming a place: a housing estate, a road, a village, a school, a market …
_PLACE = re.compile(r"(小区|社区|园|苑|府|湾|公寓|大厦|路|街|街道|巷|大道|村|组|镇|乡|广场|桥|市场|中学|小学|学校|医院|车站|KTV)$")
_SITE = re.compile(r"(小区|园|苑|府|湾|公寓|大厦|广场|市场|中学|小学|学校|医院|车站|KTV)$")
_NUMBERED = re.compile(r"^[0-9０-９]")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
_NOT_A_NAME = frozenset("住在往向和与及跟后前外旁对号栋楼层")  # single characters that end a name read backwards
GLUE_CHARS = 8  # the longest estate name glued together
GLUED_ENDING = 4  # 小区, 华府, 菜市场, 中心小学: a place ending jieba keeps whole, glued to the name before it
NAME_WORDS = 3


@dataclass(frozen=True)
class Item:
    """What mining needs of one ticket."""

    key: str  # the ticket number
    at: datetime
    text: str  # title, content, village and address
    township: str | None
    category: str | None
    caller: str | None = None
    closed_at: datetime | None = None
    places: tuple[str, ...] = ()  # the village and address as written


def ticket_text(title: str | None, content: str, village: str | None, address: str | None) -> str:
    return " ".join(part for part in (title, content, village, address) if part)


def may_join(township: str | None, category: str | None, cluster_township: str | None,
             cluster_category: str | None) -> bool:
    """Blocking: another township or another family of the catalogue is never the same hotspot."""
    if township and cluster_township and township != cluster_township:
        return False
    return not (category and cluster_category and group(category) != group(cluster_category))


def best(vector: Mapping[str, float], candidates: Iterable[tuple[int, Mapping[str, float]]],
         threshold: float) -> tuple[int, float] | None:
    """The candidate whose centroid is most alike, if it reaches ``threshold``."""
    found, top = None, 0.0
    for key, centroid in candidates:
        score = cosine(vector, centroid)
        if score > top:
            found, top = key, score
    return (found, top) if found is not None and top >= threshold else None


def place_words(texts: Iterable[str]) -> list[str]:
    """Places named in the texts. jieba cuts an estate it does not know into pieces (丽景小区 → 丽 景 小区, 小区 alone
    being no name), so a short place ending is glued to the pieces before it, back to the first word that is
    not part of a name (a road, a stopword, 那个)."""
    found = []
    for text in texts:
        found.extend(w for w in words(text) if _PLACE.search(w) and not _NUMBERED.match(w))
        found.extend(_glued(cut(text)))
    return found


def _glued(tokens: Sequence[str]) -> list[str]:
    out = []
    for i, token in enumerate(tokens):
        if len(token) > GLUED_ENDING or not _PLACE.search(token):
            continue
        start = i
        while start > 0 and _part_of_name(tokens[start - 1]) and len("".join(tokens[start - 1:i + 1])) <= GLUE_CHARS:
            start -= 1
        if start < i:
            out.append("".join(tokens[start:i + 1]))
    return out


def _part_of_name(token: str) -> bool:
    if not _HAN.match(token) or token in STOPWORDS or token in GENERIC or _PLACE.search(token):
        return False
    return not (len(token) == 1 and token in _NOT_A_NAME)


def _narrowness(place: str) -> float:
    """An estate or a building names a hotspot better than the road it is on, a road better than the 社区 (which
    every ticket of the town carries in its village field)."""
    return 2.0 if _SITE.search(place) else 0.5 if place.endswith("社区") else 1.0


def name(centroid: Mapping[str, float], places: Sequence[str], township: str | None) -> str:
    """Place + problem, e.g. «丽景小区 搅拌站 噪音 罐车»: the place most members name, the heaviest words."""
    counted = Counter(places)
    # the narrowest place many members name: an estate or a building before the road or the community it is on
    place = max(counted, key=lambda w: (counted[w] * _narrowness(w), len(w))) if counted else (township or "")
    problem = [w for w, _ in sorted(((k, x) for k, x in centroid.items() if k[0] not in "~#"), key=lambda kv: -kv[1])
               if w not in place and place not in w and not _PLACE.search(w)][:NAME_WORDS]
    return f"{place} {' '.join(problem)}".strip()[:80] or "未命名热点"


def named(centroid: Mapping[str, float], addresses: Iterable[str], texts: Iterable[str], township: str | None) -> str:
    """The wall's name: places from the members' village and address as written, else from their text; masked,
    since it goes on the board."""
    places = place_words(addresses) or place_words(texts)
    return redact(name(centroid, places, township)) or ""


@dataclass(frozen=True)
class Figures:
    size: int
    callers: int
    last_day: int  # tickets of the 24 hours before ``at``
    repeats: int  # tickets received after a member was closed (the problem came back)
    heat: float


def figures(items: Sequence[Item], at: datetime) -> Figures:
    """How urgently a cluster wants the commander: each ticket, each different caller, each ticket of the last
    24 hours twice, each repeat after closing three times."""
    closes = sorted(i.closed_at for i in items if i.closed_at)
    size, callers = len(items), len({i.caller for i in items if i.caller})
    last_day = sum(1 for i in items if i.at >= at - timedelta(days=1))
    repeats = sum(1 for i in items if closes and i.at > closes[0])
    return Figures(size, callers, last_day, repeats, size + callers + 2 * last_day + 3 * repeats)


@dataclass
class Cluster:
    township: str | None
    category: str | None
    centroid: dict[str, float]
    items: list[Item] = field(default_factory=list)

    @property
    def last_at(self) -> datetime:
        return self.items[-1].at


def mine(items: Iterable[Item], threshold: float, window: timedelta) -> list[Cluster]:
    """Replay the live rule over ``items`` (sorted here by time), with the same blocking as the live query."""
    clusters: list[Cluster] = []
    blocks: dict[tuple[str | None, str | None], list[int]] = defaultdict(list)  # (category, township) → clusters
    for item in sorted(items, key=lambda i: i.at):
        vector = ticket_terms(item.text, item.category)
        keys = [k for k in blocks if may_join(item.township, item.category, k[1], k[0])]
        open_ones = ((n, clusters[n].centroid) for k in keys for n in blocks[k]
                     if item.at - clusters[n].last_at <= window)
        match = best(vector, open_ones, threshold)
        if match is None:
            blocks[(item.category, item.township)].append(len(clusters))
            clusters.append(Cluster(item.township, item.category, dict(vector), [item]))
            continue
        cluster = clusters[match[0]]
        cluster.items.append(item)
        cluster.centroid = add(cluster.centroid, vector)
    return clusters
