"""Loading labelled text: the shipped corpus, a county's CSV history, corrections.

Why one module: every training path (CLI, tests, the app's retraining job)
must join title and body and read labels the same way.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import msgspec

CORPUS_DIR = Path(__file__).parent / "corpus"
CORPUS_FILES = ("messages.jsonl", "handwritten.jsonl")


class Example(msgspec.Struct, frozen=True):
    """One labelled text (e.g. an operator's correction of a ticket's category)."""

    text: str
    label: str


def join_title_body(title: str | None, body: str | None) -> str:
    """One text from a message's title and body, title first (it is the densest part)."""
    title, body = (title or "").strip(), (body or "").strip()
    if title and body and not body.startswith(title):
        return f"{title}。{body}"
    return body or title


def load_corpus(directory: Path = CORPUS_DIR) -> list[Example]:
    """The corpus that ships in the repo (generated + hand-written)."""
    out: list[Example] = []
    for name in CORPUS_FILES:
        path = directory / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    rec = json.loads(line)
                    out.append(Example(rec["text"], rec["label"]))
    return out


def load_csv(path: Path | str, text_cols: Sequence[str] = ("title", "body"), label_col: str = "label") -> list[Example]:
    """A county's history as CSV with title/body/label columns; labels are kept as they are.

    Rows with an empty label or empty text are skipped, since they cannot teach anything.
    """
    out: list[Example] = []
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            label = (row.get(label_col) or "").strip()
            if len(text_cols) == 2:
                text = join_title_body(row.get(text_cols[0]), row.get(text_cols[1]))
            else:
                text = "。".join((row.get(c) or "").strip() for c in text_cols if row.get(c))
            if label and text:
                out.append(Example(text, label))
    return out


def split_xy(examples: Iterable[Example]) -> tuple[list[str], list[str]]:
    """Texts and labels as two parallel lists."""
    texts: list[str] = []
    labels: list[str] = []
    for ex in examples:
        texts.append(ex.text)
        labels.append(ex.label)
    return texts, labels
