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

from classifier.hotspot_terms import add, cosine, group, ticket_terms, words

# a word naming a place: a housing estate, a road, a village, a school, a market …
_PLACE = re.compile(r"(小区|花园|苑|府|湾|公寓|大厦|路|街|巷|大道|村|组|镇|乡|广场|公园|桥|市场|中学|小学|学校|幼儿园|医院|车站|KTV)$")
_SITE = re.compile(r"(小区|花园|苑|府|湾|公寓|大厦|广场|公园|市场|中学|小学|学校|幼儿园|医院|车站|KTV)$")
_NUMBERED = re.compile(r"^[0-9０-９]")
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
    return [w for text in texts for w in words(text) if _PLACE.search(w) and not _NUMBERED.match(w)]


def name(centroid: Mapping[str, float], places: Sequence[str], township: str | None) -> str:
    """Place + problem, e.g. «丽景小区 搅拌站 噪音 罐车»: the place most members name, the heaviest words."""
    counted = Counter(places)
    # the narrowest place many members name: an estate or a building before the road or the community it is on
    place = max(counted, key=lambda w: (counted[w] * (2 if _SITE.search(w) else 1), len(w))) if counted \
        else (township or "")
    problem = [w for w, _ in sorted(((k, x) for k, x in centroid.items() if k[0] not in "~#"), key=lambda kv: -kv[1])
               if w not in place and place not in w and not _PLACE.search(w)][:NAME_WORDS]
    return f"{place} {' '.join(problem)}".strip()[:80] or "未命名热点"


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
