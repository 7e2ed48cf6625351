"""Throughput and latency figures: ``python -m classifier.benchmark [--train-n 100000]``.

One run, same texts: jieba-only segmentation throughput, batch classification
throughput, single-text latency p50/p99, and training time on N generated texts.
Why: the goals (classification >= 0.5x jieba-only, p99 < 5 ms, training on
100k < 60 s) are checked with one command whose output goes into the docs.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from classifier.corpus.generate import generate
from classifier.dataset import load_corpus, split_xy
from classifier.segment import cut, jieba_instance
from classifier.train import fit_plain


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f} texts/s"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--train-n", type=int, default=100_000)
    ap.add_argument("--latency-n", type=int, default=2000)
    args = ap.parse_args(argv)
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.processor() or ''}")

    texts, labels = split_xy(load_corpus())
    jieba_instance()
    t = time.perf_counter()
    model = fit_plain(texts, labels)
    print(f"train on shipped corpus ({len(texts)}): {time.perf_counter() - t:.1f}s")

    t = time.perf_counter()
    for x in texts:
        cut(x)
    jieba_s = time.perf_counter() - t
    print(f"jieba-only segmentation: {_rate(len(texts), jieba_s)}")

    t = time.perf_counter()
    model.predict_many(texts, n_evidence=0)
    batch_s = time.perf_counter() - t
    print(f"classification (batch, no evidence): {_rate(len(texts), batch_s)} "
          f"= {jieba_s / batch_s:.2f}x jieba-only")

    t = time.perf_counter()
    for i in range(0, len(texts), 64):
        model.predict_many(texts[i:i + 64])
    print(f"classification (batches of 64, with evidence): {_rate(len(texts), time.perf_counter() - t)}")

    lat = []
    for x in texts[: args.latency_n]:
        t = time.perf_counter()
        model.predict(x)
        lat.append((time.perf_counter() - t) * 1000)
    p50, p99 = np.percentile(lat, [50, 99])
    print(f"single text predict() with evidence: p50 {p50:.2f} ms, p99 {p99:.2f} ms (n={len(lat)})")

    t = time.perf_counter()
    big = list(generate(args.train_n, seed=99, unique=False))
    gen_s = time.perf_counter() - t
    bx, by = [r["text"] for r in big], [r["label"] for r in big]
    t = time.perf_counter()
    fit_plain(bx, by)
    print(f"training on {args.train_n:,} generated texts: {time.perf_counter() - t:.1f}s "
          f"(generation {gen_s:.1f}s not included)")


if __name__ == "__main__":
    main()
