"""Benchmark: does the knowledge search offer the right article, or nothing, for what callers actually say?

    python -m web.bench.knowledge_answers                # the fixed set and the development set
    python -m web.bench.knowledge_answers --misses       # and every sentence it gets wrong

Two sets of caller sentences, each labelled with the article titles that answer it (or none):

- `web/bench/data/knowledge_questions.jsonl`: 222 sentences by a writer who had not read the code, kept
  byte for byte as delivered (labels are 1-based positions in `web.demo.knowledge.ARTICLES`), with
  `knowledge_questions_titles.json` resolving each number to its title once, when the set was committed. The
  benchmark matches by title, so reordering the articles does not silently change the labels.
- `web/bench/data/knowledge_dev.jsonl`: 33 sentences written by the search's developer before any tuning,
  labelled by title; the set one may look at while tuning.

For the answerable sentences it prints hit@3 (a labelled article among the first three offered) and top-1
(the first one offered is labelled); for the others, the share where the search offers nothing at all, which
is what the console must show. Then the per-query search time. The articles are indexed as the demo county
seeds them, and searched on `--today` (default 2026-09-30, a day on which every demo article is in force, so
that a label is never unreachable because its article has since expired).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from hotline.knowledge_search import Document, KnowledgeIndex
from web.demo.knowledge import ARTICLES

DATA = Path(__file__).parent / "data"
GOALS = {"hit@3": 0.90, "top-1": 0.80, "nothing offered": 0.90}


@dataclass(frozen=True)
class Case:
    text: str
    titles: frozenset[str]  # empty: no article answers it


def fixed_set() -> list[Case]:
    """The outside writer's sentences, their numbers resolved through the titles recorded at commit time."""
    titles = json.loads((DATA / "knowledge_questions_titles.json").read_text(encoding="utf-8"))["titles"]
    rows = [json.loads(line) for line in (DATA / "knowledge_questions.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return [Case(row["text"], frozenset(titles[str(n)] for n in row["articles"])) for row in rows]


def development_set() -> list[Case]:
    rows = [json.loads(line) for line in (DATA / "knowledge_dev.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return [Case(row["text"], frozenset(row["titles"])) for row in rows]


def demo_index() -> tuple[KnowledgeIndex, dict[int, str]]:
    documents = [Document(id=i + 1, title=title, answer=answer, keywords=keywords, valid_until=valid)
                 for i, (title, _, keywords, valid, answer) in enumerate(ARTICLES)]
    known = {d.title for d in documents}
    for case in fixed_set() + development_set():
        missing = case.titles - known
        if missing:
            raise SystemExit(f"label names an article the demo county no longer has: {sorted(missing)}")
    return KnowledgeIndex(documents), {d.id: d.title for d in documents}


def evaluate(cases: list[Case], index: KnowledgeIndex, titles: dict[int, str], today: date,
             limit: int = 6) -> dict:
    """Figures for one set, plus the sentences it gets wrong and each search's time in seconds."""
    answerable = [c for c in cases if c.titles]
    others = [c for c in cases if not c.titles]
    hit3 = top1 = silent = 0
    misses: list[str] = []
    timings: list[float] = []
    for case in cases:
        started = time.perf_counter()
        hits = index.search(case.text, today=today, limit=limit)
        timings.append(time.perf_counter() - started)
        offered = [titles[h.id] for h in hits]
        if case.titles:
            top1 += bool(offered) and offered[0] in case.titles
            hit3 += bool(case.titles & set(offered[:3]))
            if not offered or offered[0] not in case.titles:
                misses.append(f"  answerable  {case.text}  → {offered[:3]}  (label {sorted(case.titles)})")
        else:
            silent += not offered
            if offered:
                misses.append(f"  none        {case.text}  → {offered[:3]}")
    return {"answerable": len(answerable), "others": len(others),
            "hit@3": hit3 / len(answerable) if answerable else 0.0,
            "top-1": top1 / len(answerable) if answerable else 0.0,
            "nothing offered": silent / len(others) if others else 0.0,
            "misses": misses, "timings": timings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 9, 30))
    parser.add_argument("--rounds", type=int, default=20, help="timing rounds over every sentence")
    parser.add_argument("--misses", action="store_true", help="print every sentence answered wrongly")
    args = parser.parse_args()
    index, titles = demo_index()
    everything: list[Case] = []
    for name, cases in (("fixed (outside writer)", fixed_set()), ("development (ours)", development_set())):
        everything += cases
        r = evaluate(cases, index, titles, args.today)
        print(f"{name}: {r['answerable']} answerable, {r['others']} answered by no article")
        print("  " + ", ".join(f"{key} {r[key]:.3f}" + (" ok" if r[key] >= goal else f" (goal {goal:.2f})")
                               for key, goal in GOALS.items()))
        if args.misses:
            print("\n".join(r["misses"]))
    timings = [t for _ in range(args.rounds) for t in evaluate(everything, index, titles, args.today)["timings"]]
    timings.sort()
    print(f"search over {len(ARTICLES)} articles, {len(timings)} queries: median "
          f"{statistics.median(timings) * 1000:.3f} ms, p99 {timings[int(len(timings) * 0.99)] * 1000:.3f} ms")


if __name__ == "__main__":
    main()
