"""Benchmark: knowledge search time against the size of the knowledge base.

    python -m web.bench.knowledge --copies 1 30

Builds one index from the demo articles and one from `--copies` times as many (renamed copies), runs every
demo query against each, and prints the build time and median / p95 search time per size, then the ratio of
the largest to the smallest. An operator searches while the caller is on the line, so a search should stay
well under 20 ms even at a thousand articles.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

from hotline.knowledge_search import Document, KnowledgeIndex
from web.demo.knowledge import ARTICLES

QUERIES = ["社保卡丢了怎么办", "公积金怎么取出来", "房本丢了", "孩子上小学怎么报名", "外地看病能报销吗", "煤气开户",
           "小区没水了什么时候来水", "家里没电了", "包工头不给工钱", "驾照到期换证", "路灯坏了", "政务中心周六上班吗",
           "出生证明丢了", "水是黄的", "过期食品", "退休金怎么领"]


def _documents(copies: int) -> list[Document]:
    return [Document(id=i * len(ARTICLES) + j, title=f"{title}（{i}）" if i else title, answer=answer,
                     keywords=keywords)
            for i in range(copies) for j, (title, _, keywords, _, answer) in enumerate(ARTICLES)]


def measure(copies: int, rounds: int) -> dict[str, float]:
    documents = _documents(copies)
    started = time.perf_counter()
    index = KnowledgeIndex(documents)
    build = time.perf_counter() - started
    timings = []
    for _ in range(rounds):
        for query in QUERIES:
            started = time.perf_counter()
            index.search(query, today=date(2026, 11, 24))
            timings.append(time.perf_counter() - started)
    timings.sort()
    return {"articles": len(documents), "build_ms": build * 1000, "median_ms": statistics.median(timings) * 1000,
            "p95_ms": timings[int(len(timings) * 0.95)] * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 30])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    results = [measure(copies, args.rounds) for copies in args.copies]
    for r in results:
        print(f"{r['articles']:>6} articles: build {r['build_ms']:8.1f} ms, search median {r['median_ms']:6.2f} ms, "
              f"p95 {r['p95_ms']:6.2f} ms")
    print(f"ratio {results[-1]['articles']}/{results[0]['articles']} articles: median "
          f"{results[-1]['median_ms'] / results[0]['median_ms']:.2f}x")


if __name__ == "__main__":
    main()
