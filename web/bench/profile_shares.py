"""Where a process's time went, from a py-spy sample: each function's share of the samples it is on the stack of.

    py-spy record -p <worker pid> --subprocesses -d 40 -r 50 -f raw -o worker.txt   # while a benchmark runs
    python -m web.bench.profile_shares worker.txt                                   # our code and RQ's
    python -m web.bench.profile_shares worker.txt --match similarity --top 10

Inclusive shares (a function counts once per sample however deep it recurs), so the table reads top-down: route
57 %, of which the duplicate search 25 %, of which cosine 13 %. py-spy's raw format is one line per distinct stack,
frames separated by ';' from the outermost, then a space and the sample count.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Iterable

OURS = ("dispatch/", "classifier/", "hotline/", "command/", "web/", "rq/")
_LINE_NUMBER = re.compile(r":\d+\)$")


def shares(lines: Iterable[str]) -> tuple[int, Counter[str]]:
    """The number of samples and, per function (its line number dropped), how many samples it was in."""
    total, inclusive = 0, Counter()
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        for frame in {_LINE_NUMBER.sub(")", frame) for frame in stack.split(";")}:
            inclusive[frame] += samples
    return total, inclusive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sample", help="py-spy record -f raw output")
    parser.add_argument("--match", action="append", help="only frames containing this (repeatable); default: ours")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    with open(args.sample, encoding="utf-8") as sample:
        total, inclusive = shares(sample)
    wanted = tuple(args.match or OURS)
    print(f"{total} samples")
    shown = [(frame, n) for frame, n in inclusive.most_common() if any(part in frame for part in wanted)]
    for frame, n in shown[:args.top]:
        print(f"{n / total:6.1%}  {frame}")


if __name__ == "__main__":
    main()
