"""The shipped routing model on real citizen text: ``python -m classifier.bench_real CSV [--heldout PATH]``.

Why a benchmark and not a test: the figures come from a real data set we may not ship
(``../shared/data/teddycup2020c_dev.csv``, 7 coarse labels), so they are printed, never asserted, and
nothing trained here is written inside the repository (the model goes to a temporary directory).

The model is trained exactly as the product trains it on a county's first day
(``service.ensure_model`` on an empty store: the shipped corpus, its promotion slice set aside), then
the real messages (``title。body``, joined by ``dataset.load_csv``) are classified. Each predicted leaf is
mapped to one of the data set's 7 coarse groups through ``COARSE`` below. The mapping is the benchmark's
own, not the product's: the product routes leaves to departments and never needs these 7 names. A leaf
that maps to no coarse group (public security, agriculture, finance, ...) counts as wrong.

Printed: macro-F1 and accuracy on coarse groups, per-group F1, the confident slice (top-1 probability at
or above the model's threshold) with its coarse-group precision and coverage, the expected calibration
error of the confidence (``Prediction.probability``) against coarse-group correctness (10 equal-width
bins on [0, 1], each bin's |accuracy - mean probability| weighted by its share of messages), and single-text ``predict()``
latency p50/p99. ``--ceiling`` adds what no mapping and no threshold can get past (see ``ceiling``). With ``--heldout`` the same leaf-level and group-level figures on the hand-written
held-out set (leaf labels, so correctness there is the leaf, and the coarse group through ``COARSE``).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from classifier.dataset import load_csv
from classifier.service import ensure_model

GROUPS7 = ("城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生")

# leaf code -> coarse group of the real data set; decided from the leaf's meaning, not tuned on the data.
# Absent: no coarse group (counted wrong when predicted). Revised once, on 2026-12-03, after an error analysis
# on the dev share: 0106 道路桥梁 and 0906 快递物流 moved from 城乡建设/商贸旅游 to 交通运输, because our own demo
# catalogue sends both to the 交通运输局 (roads, and the postal and courier sector that the transport ministry
# oversees). Since that revision was made after looking at the data, ``COARSE_BEFORE`` (the mapping as first
# decided) is scored too and both figures are printed.
COARSE: dict[str, str] = {
    **{c: "城乡建设" for c in ("0101", "0102", "0103", "0104", "0105", "0107", "0108", "0109", "0110",
                             "0111", "0112", "0201", "0202", "0203", "0205", "0401", "0402", "1001")},
    **{c: "环境保护" for c in ("0301", "0302", "0303", "0304", "0305")},
    **{c: "交通运输" for c in ("0106", "0501", "0502", "0503", "0504", "0505", "0506", "0906")},
    **{c: "教育文体" for c in ("0601", "0602", "0603", "0604", "1402")},
    **{c: "劳动和社会保障" for c in ("0701", "0702", "0703", "0704", "0705", "0706", "1101", "1102", "1104",
                                    "1105")},
    **{c: "商贸旅游" for c in ("0204", "0901", "0902", "0903", "0904", "0905", "0907", "1401")},
    **{c: "卫生计生" for c in ("0801", "0802", "0803", "0804")},
}
COARSE_BEFORE: dict[str, str] = {**COARSE, "0106": "城乡建设", "0906": "商贸旅游"}
NONE = "(无对应)"


def ece(top_p: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: 10 equal-width bins, |accuracy - mean p| weighted by bin share."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(top_p, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.mean() * abs(correct[m].mean() - top_p[m].mean())
    return float(total)


def report(name: str, gold: Sequence[str], pred: Sequence[str], top_p: np.ndarray, threshold: float,
           labels: Sequence[str]) -> dict[str, float]:
    """Print and return the figures for one set (gold/pred already at the level being judged)."""
    gold_a, pred_a = np.array(gold), np.array(pred)
    correct = gold_a == pred_a
    macro = float(f1_score(gold_a, pred_a, labels=list(labels), average="macro", zero_division=0))
    per = f1_score(gold_a, pred_a, labels=list(labels), average=None, zero_division=0)
    sure = top_p >= threshold
    out = {"macro_f1": macro, "accuracy": float(correct.mean()),
           "confident_precision": float(correct[sure].mean()) if sure.any() else 0.0,
           "confident_coverage": float(sure.mean()), "ece": ece(top_p, correct)}
    print(f"== {name}: {len(gold)} texts")
    print(f"macro-F1 {out['macro_f1']:.4f}  accuracy {out['accuracy']:.4f}")
    print(f"confident (p >= {threshold:.3f}): precision {out['confident_precision']:.4f}, "
          f"coverage {out['confident_coverage']:.4f}")
    print(f"ECE (10 equal-width bins) {out['ece']:.4f}; mean top-1 p {top_p.mean():.3f}")
    if len(labels) <= 10:
        print("per group F1: " + ", ".join(f"{g} {f:.3f}" for g, f in zip(labels, per, strict=True)))
        print("predicted with no coarse group:", int((pred_a == NONE).sum()))
    return out


def confident_at(conf: np.ndarray, correct: np.ndarray, coverages: Sequence[float]) -> str:
    """Precision of the most confident share of the texts, for each share in ``coverages``."""
    order = np.argsort(-conf)
    return ", ".join(f"{c:.0%}: {correct[order[: max(1, int(c * len(conf)))]].mean():.3f}" for c in coverages)


def ceiling(texts: Sequence[str], gold: np.ndarray, leaf_pred: Sequence[str], conf: np.ndarray) -> None:
    """Two bounds on the confident slice, printed beside the real figure.

    Oracle mapping: each predicted leaf mapped to the coarse group most of *its* dev-share messages carry,
    i.e. the best mapping there is, fitted on the very data it is scored on. If even that leaves the most
    confident 20-40 % short of 95 %, no honest mapping and no threshold can reach it: the errors left are
    leaves whose messages the data set itself splits across its groups (buses under 城乡建设, 交通运输 and
    商贸旅游 alike). In-domain: the same features trained on the data set in 5 folds (a county's own history),
    which shows whether the labels allow a confident slice at all.
    """
    from collections import defaultdict

    from sklearn.model_selection import StratifiedKFold

    from classifier.train import fit_plain

    shares = (0.2, 0.4, 0.6)
    by_leaf: dict[str, Counter[str]] = defaultdict(Counter)
    for lf, g in zip(leaf_pred, gold, strict=True):
        by_leaf[lf][str(g)] += 1
    oracle = {lf: c.most_common(1)[0][0] for lf, c in by_leaf.items()}
    ocorrect = np.array([oracle[lf] for lf in leaf_pred]) == gold
    print(f"ceiling, oracle mapping (fitted on the share itself): accuracy {ocorrect.mean():.4f}, macro-F1 "
          f"{f1_score(gold, [oracle[lf] for lf in leaf_pred], labels=list(GROUPS7), average='macro'):.4f}; "
          f"precision of the most confident {confident_at(conf, ocorrect, shares)}; ECE {ece(conf, ocorrect):.4f}")
    iconf, icorrect = np.zeros(len(texts)), np.zeros(len(texts), dtype=bool)
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(texts, gold):
        m = fit_plain([texts[i] for i in tr], gold[tr], C=1.0, nb=True)
        p = m.predict_proba([texts[i] for i in te])
        iconf[te], icorrect[te] = p.max(axis=1), np.array(m.classes)[p.argmax(axis=1)] == gold[te]
    print(f"in-domain (5-fold on the share, NB-weighted, C=1): accuracy {icorrect.mean():.4f}; precision of the "
          f"most confident {confident_at(iconf, icorrect, shares)}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", help="id,title,body,label with the 7 coarse labels")
    ap.add_argument("--heldout", default=str(Path(__file__).parent / "corpus" / "heldout_realistic.jsonl"))
    ap.add_argument("--latency-n", type=int, default=1000)
    ap.add_argument("--ceiling", action="store_true", help="also the oracle-mapping and in-domain bounds")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-real-") as tmp:
        t = time.perf_counter()
        model = ensure_model(Path(tmp) / "store", progress=None).current()
        assert model is not None
        print(f"trained the shipped model in {time.perf_counter() - t:.1f}s "
              f"({len(model.classes)} leaves, T={model.temperature:.3f}, threshold {model.threshold:.3f})")
        real = load_csv(args.csv)
        texts = [ex.text for ex in real]
        proba = model.predict_proba(texts)
        leaf_pred = [model.classes[i] for i in proba.argmax(axis=1)]
        coarse_pred = [COARSE.get(c, NONE) for c in leaf_pred]
        conf = proba.max(axis=1)  # the product's confidence today: the top leaf's probability
        report("real dev share, coarse groups", [ex.label for ex in real], coarse_pred, conf,
               model.threshold, GROUPS7)
        before = [COARSE_BEFORE.get(c, NONE) for c in leaf_pred]
        print("with the mapping as first decided (COARSE_BEFORE): macro-F1 "
              f"{f1_score([ex.label for ex in real], before, labels=list(GROUPS7), average='macro', zero_division=0):.4f}")
        wrong = Counter((ex.label, p) for ex, p in zip(real, coarse_pred, strict=True) if ex.label != p)
        print("commonest confusions (gold -> predicted):",
              "; ".join(f"{g}->{p} {n}" for (g, p), n in wrong.most_common(6)))
        print("leaves predicted most often with no coarse group:",
              dict(Counter(c for c in leaf_pred if c not in COARSE).most_common(5)))
        gold7 = np.array([ex.label for ex in real])
        print(f"real dev share, most confident: {confident_at(conf, np.array(coarse_pred) == gold7, (0.2, 0.4, 0.6))}")
        if args.ceiling:
            ceiling(texts, gold7, leaf_pred, conf)

        held_path = Path(args.heldout)
        if held_path.exists():
            rows = [json.loads(line) for line in held_path.open(encoding="utf-8") if line.strip()]
            htexts = [f"{r['title']}。{r['text']}" if r.get("title") else r["text"] for r in rows]
            hp = model.predict_proba(htexts)
            hpred = [model.classes[i] for i in hp.argmax(axis=1)]
            gold = [r["leaf"] for r in rows]
            report("hand-written held-out, leaves (top leaf's own probability)", gold, hpred, hp.max(axis=1),
                   model.threshold,
                   sorted(set(gold)))
            report("hand-written held-out, coarse groups", [COARSE.get(g, NONE) for g in gold],
                   [COARSE.get(c, NONE) for c in hpred], hp.max(axis=1), model.threshold, GROUPS7)

        sample = texts[: args.latency_n]
        model.predict(sample[0])
        lat = []
        for text in sample:
            t = time.perf_counter()
            model.predict(text)
            lat.append((time.perf_counter() - t) * 1000)
        print(f"predict() latency over {len(lat)} real texts: p50 {np.percentile(lat, 50):.2f} ms, "
              f"p99 {np.percentile(lat, 99):.2f} ms")


if __name__ == "__main__":
    main()
