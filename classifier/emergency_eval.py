"""Measure the emergency rules on the hand-written evaluation files: ``python -m classifier.emergency_eval``.

Two files, kept apart because they say different things:

- ``emergency_eval.jsonl``, written alongside the rules and tuned against, so its figures are optimistic;
- ``emergency_independent.jsonl``, written by an outside writer who had not read the rules. It is split by a
  fixed rule chosen before any failure was looked at: every third line (0-based index % 3 == 2) is the
  held-out part, never used to change a rule; the rest is the tuning part. The held-out figure is the honest
  one for phrasing nobody tuned against.

"Right line" counts an emergency whose detected primary line is one of the row's acceptable lines (a miss
counts as wrong). The old file has no ``lines`` field; there the line of the row's kind stands in.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from classifier.emergency import RULES, Emergency, detect

DATA = Path(__file__).resolve().parent / "data"
OLD = DATA / "emergency_eval.jsonl"
INDEPENDENT = DATA / "emergency_independent.jsonl"
HELD_OUT_EVERY = 3  # the fixed split: 0-based line index % 3 == 2 is held out


def rows(path: Path) -> list[dict]:
    """The file's rows in file order; every row keeps its line index for the split."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def split(all_rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(tuning, held_out) by line position alone, so nobody can move a hard case to the easy side."""
    tuning = [r for i, r in enumerate(all_rows) if i % HELD_OUT_EVERY != HELD_OUT_EVERY - 1]
    held_out = [r for i, r in enumerate(all_rows) if i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1]
    return tuning, held_out


def acceptable_lines(row: dict) -> list[str]:
    if "lines" in row:
        return list(row["lines"])
    return [RULES[row["kind"]][0]] if row["kind"] in RULES else []


@dataclass(frozen=True)
class Score:
    n_pos: int
    n_neg: int
    recall: float
    false_alarm: float
    right_line: float
    misses: list[str]
    false_alarms: list[str]

    def line(self, name: str) -> str:
        return (f"{name:<28} emergencies {self.n_pos:>3}  look-alikes {self.n_neg:>3}  "
                f"recall {self.recall:.3f}  false alarms {self.false_alarm:.3f}  right line {self.right_line:.3f}")


def score(sample: list[dict], find: Callable[[str], Emergency | None] = detect) -> Score:
    pos = [r for r in sample if r["emergency"]]
    neg = [r for r in sample if not r["emergency"]]
    found = {r["text"]: find(r["text"]) for r in sample}
    hit = [r for r in pos if found[r["text"]] is not None]
    right = [r for r in hit if found[r["text"]].line in acceptable_lines(r)]  # type: ignore[union-attr]
    alarms = [r["text"] for r in neg if found[r["text"]] is not None]
    return Score(len(pos), len(neg), len(hit) / max(len(pos), 1), len(alarms) / max(len(neg), 1),
                 len(right) / max(len(pos), 1), [r["text"] for r in pos if found[r["text"]] is None], alarms)


def per_kind(sample: list[dict], find: Callable[[str], Emergency | None] = detect) -> dict[str, tuple[int, int]]:
    """kind -> (detected, total) over the sample's emergencies."""
    out: dict[str, tuple[int, int]] = {}
    for r in sample:
        if r["emergency"]:
            got, total = out.get(r["kind"], (0, 0))
            out[r["kind"]] = (got + (find(r["text"]) is not None), total + 1)
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the figures; ``-v`` lists the tuning part's failures only (the held-out part stays unread)."""
    verbose = "-v" in (argv if argv is not None else sys.argv[1:])
    tuning, held_out = split(rows(INDEPENDENT))
    for name, sample in (("old file (tuned against)", rows(OLD)), ("independent, tuning part", tuning),
                         ("independent, held-out part", held_out), ("independent, all", tuning + held_out)):
        s = score(sample)
        print(s.line(name))
        if name.startswith("independent, all"):
            print("    recall by kind: " + "  ".join(f"{k} {g}/{t}" for k, (g, t) in sorted(per_kind(sample).items())))
        if verbose and name == "independent, tuning part":
            for t in s.misses:
                print(f"    miss: {t}")
            for t in s.false_alarms:
                print(f"    false alarm: {t}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
