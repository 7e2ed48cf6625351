"""Hotspot quality on the fixed evaluation set (tests/data/hotspot_eval.jsonl), optionally drowned in real letters.

    python -m command.hotspot_eval                                  # the set alone
    python -m command.hotspot_eval --real ../shared/data/teddycup2020c_dev.csv   # plus 3,431 real letters

Purity: of the tickets in clusters of two or more, the share that belong to their cluster's majority label (a
singleton of the set is a label of its own, so a stray ticket pulled into a cluster counts against it).
Recall: of the tickets of the set's labelled clusters, the share found in the one cluster holding most of their
label. Names: of the set's labelled clusters, the share whose cluster (the one holding most of their tickets) is
named by a place that the set's own name (written by hand, e.g. «白沙镇龙潭村 自来水浑浊发黄») contains. With ``--real``, each real letter gets a township and a time in the set's month at random (seeded) and its
category from the shipped routing model, and is mined together with the set; the figures are still over the set.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from classifier.service import ensure_model
from command.hotspot_mining import Cluster, Item, mine, named, ticket_text
from hotline.settings import get_settings

EVAL_FILE = Path(__file__).resolve().parents[1] / "tests" / "data" / "hotspot_eval.jsonl"


def load_eval(path: Path = EVAL_FILE) -> tuple[list[Item], dict[str, str]]:
    """The set's tickets as mining items, and each ticket's label (its cluster, or its own id)."""
    items, labels = [], {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if "id" not in row:
            continue
        items.append(Item(key=row["id"], at=datetime.fromisoformat(row["received_at"]),
                          text=ticket_text(row["title"], row["text"], row["village"], row["address"]),
                          township=row["township"] or None, category=row["category"] or None, caller=row["caller"],
                          places=tuple(p for p in (row["village"], row["address"]) if p)))
        labels[row["id"]] = row["cluster"] or row["id"]
    return items, labels


def score(clusters: Sequence[Cluster], labels: dict[str, str]) -> dict[str, float]:
    keys_of = [[i.key for i in c.items if i.key in labels] for c in clusters]
    grouped = [keys for keys in keys_of if len(keys) > 1]
    in_groups = sum(len(keys) for keys in grouped)
    pure = sum(Counter(labels[k] for k in keys).most_common(1)[0][1] for keys in grouped)
    where = {k: n for n, keys in enumerate(keys_of) for k in keys}
    members: dict[str, list[str]] = defaultdict(list)
    for key, label in labels.items():
        if label != key:
            members[label].append(key)
    labelled = sum(len(keys) for keys in members.values())
    found = sum(Counter(where[k] for k in keys).most_common(1)[0][1] for keys in members.values())
    return {"purity": pure / in_groups if in_groups else 1.0, "recall": found / labelled,
            "clusters_of_two_or_more": len(grouped), "set_clusters": len(members)}


def set_names(path: Path = EVAL_FILE) -> dict[str, str]:
    """The name the set's author gave each labelled cluster."""
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    return {row["cluster_def"]: row["name"] for row in rows if "cluster_def" in row}


def name_places(clusters: Sequence[Cluster], labels: dict[str, str], names: dict[str, str]) -> dict[str, object]:
    """Does each labelled cluster's name start with a place its hand-written name holds? The misses, to read."""
    holding: dict[str, Counter[int]] = defaultdict(Counter)
    for n, cluster in enumerate(clusters):
        for item in cluster.items:
            if item.key in labels and labels[item.key] != item.key:
                holding[labels[item.key]][n] += 1
    hits, misses = 0, []
    for label, counts in sorted(holding.items()):
        cluster = clusters[counts.most_common(1)[0][0]]
        ours = named(cluster.centroid, (" ".join(i.places) for i in cluster.items), (i.text for i in cluster.items),
                     cluster.township)
        if ours.split()[0] in names[label]:
            hits += 1
        else:
            misses.append(f"{names[label]} ≠ {ours}")
    return {"names_place_right": hits / len(holding), "name_misses": misses}


def shipped_categories(texts: Sequence[str]) -> list[str]:
    """The leaf the shipped routing model puts first: what a live ticket carries when it is placed."""
    with tempfile.TemporaryDirectory(prefix="hotspot-eval-") as tmp:
        model = ensure_model(Path(tmp) / "store", progress=None).current()
        assert model is not None
        proba = model.predict_proba(list(texts))
    return [model.classes[i] for i in proba.argmax(axis=1)]


def real_items(csv_path: Path, items: Sequence[Item], seed: int = 7) -> list[Item]:
    rng = random.Random(seed)
    townships = sorted({i.township for i in items if i.township})
    start, end = min(i.at for i in items), max(i.at for i in items)
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    texts = [ticket_text(row["title"], row["body"], None, None) for row in rows]
    categories = shipped_categories(texts)
    span = (end - start).total_seconds()
    return [Item(key=row["id"], at=start + timedelta(seconds=rng.uniform(0, span)), text=text,
                 township=rng.choice(townships), category=category)
            for row, text, category in zip(rows, texts, categories, strict=True)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--real", type=Path, help="a CSV of real letters (id,title,body,label) mined alongside")
    parser.add_argument("--threshold", type=float, default=get_settings().hotspots.threshold)
    parser.add_argument("--categories", choices=("labelled", "routed", "none"), default="labelled",
                        help="the set's own leaves, the shipped model's first leaf, or no category at all")
    parser.add_argument("--misses", action="store_true", help="list the clusters whose name misses the place")
    args = parser.parse_args(argv)
    items, labels = load_eval()
    if args.categories == "routed":
        items = [replace(i, category=c) for i, c in zip(items, shipped_categories([i.text for i in items]), strict=True)]
    elif args.categories == "none":
        items = [replace(i, category=None) for i in items]
    window = timedelta(days=get_settings().hotspots.window_days)
    extra = real_items(args.real, items) if args.real else []
    clusters = mine([*items, *extra], args.threshold, window)
    figures = score(clusters, labels)
    places = name_places(clusters, labels, set_names())
    if extra:
        real = [[i for i in c.items if i.key not in labels] for c in clusters]
        mixed = sum(1 for c in clusters if len(c.items) > 1 and any(i.key in labels for i in c.items)
                    and any(i.key not in labels for i in c.items))
        figures.update(real_letters=len(extra), real_in_clusters=sum(len(r) for r in real if len(r) > 1),
                       clusters_mixing_set_and_real=mixed)
    print(json.dumps({"threshold": args.threshold, "categories": args.categories, **{k: round(v, 3) if isinstance(v, float) else v
                                                         for k, v in figures.items()},
                      "names_place_right": round(places["names_place_right"], 3)}, ensure_ascii=False))
    if args.misses:
        print("\n".join(places["name_misses"]))


if __name__ == "__main__":
    main()
