"""The realistic corpus the team wrote by hand, and the held-out set that training never sees.

Why apart from ``dataset.load_corpus``: these texts read like real letters, board posts and typed-up calls
(long, specific, rambling), unlike the template corpus. Issue 19 is to train on them and fit the temperature and
confidence threshold on them: ``service.retrain`` passes them to ``train`` as its realistic slice. The held-out
set (``heldout_realistic.jsonl``, 5 hard texts per leaf by a writer who wrote none of the training texts)
is read only by the benchmark and the tests; nothing that trains reads it.

Each line: {"leaf", "style", "title", "text"}; the text a model sees is ``title。text`` the way
``dataset.join_title_body`` joins a county's CSV rows.
"""

from __future__ import annotations

import json
from pathlib import Path

from classifier.dataset import Example, join_title_body

CORPUS_DIR = Path(__file__).parent
WRITTEN_FILES = tuple(f"written_w{n}.jsonl" for n in range(1, 24))  # w1-w3; issue 19: w4-w15 two rounds, w16 the 4 GB/T leaves, w17-w23 rounds 3-4
# One writer of each pair that wrote the same leaves (w4/w7, w5/w8, w6/w9; w10/w13, w11/w14, w12/w15): their
# texts fit the temperature and the threshold in the first fit, so the confidence is judged on authors the model
# has not read, the way every real citizen is new to it. The final refit trains on them too.
CALIBRATION_FILES = ("written_w7.jsonl", "written_w8.jsonl", "written_w9.jsonl",
                     "written_w13.jsonl", "written_w14.jsonl", "written_w15.jsonl")
HELDOUT_FILE = "heldout_realistic.jsonl"


def _read(path: Path) -> list[Example]:
    out: list[Example] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                text = join_title_body(rec.get("title"), rec.get("text"))
                if text and rec.get("leaf"):
                    out.append(Example(text, str(rec["leaf"])))
    return out


def load_written(directory: Path = CORPUS_DIR, *, calibration: bool | None = None) -> list[Example]:
    """The team-written realistic training texts (all writers' files that exist); ``calibration`` True or
    False: only the calibration writers' files, or only the others."""
    names = [n for n in WRITTEN_FILES if calibration is None or (n in CALIBRATION_FILES) == calibration]
    return [ex for name in names if (directory / name).exists() for ex in _read(directory / name)]


def load_heldout(directory: Path = CORPUS_DIR) -> list[Example]:
    """The hand-written held-out set: for evaluation only, never for training or calibration."""
    path = directory / HELDOUT_FILE
    return _read(path) if path.exists() else []
