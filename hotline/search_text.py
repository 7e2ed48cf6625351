"""The words a ticket is found by: jieba tokens of its title, description and address, joined by spaces.

Stored in `ticket.search_text` and indexed by the database (PostgreSQL: a GIN index over its 'simple' tsvector;
SQLite: the FTS5 table `ticket_fts`, kept by triggers; migration 0012). Both split on the spaces put here, so one
tokeniser decides what a word is on every dialect. The column is filled on every write of those fields through
the ORM (the mapper hooks below) and by the history import's bulk insert, which calls `refresh` itself.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event

from classifier.segment import STOPWORDS, jieba_instance

TEXT_FIELDS = ("title", "content", "address")
_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaffA-Za-z0-9]")  # a token with something to find in it
_SPLIT = re.compile(r"[^\u3400-\u9fff\uf900-\ufaffA-Za-z0-9]+")


def _words(pieces: Any) -> list[str]:
    """Tokens with a letter, digit or Han character, less the stop words; cut at what the parsers would cut."""
    out: list[str] = []
    for piece in pieces:
        out.extend(w.lower() for w in _SPLIT.split(piece) if w and _WORD.search(w) and w not in STOPWORDS)
    return out


def index_text(*texts: str | None) -> str:
    """Search-mode cut (a long word and its shorter words), so a query cut in normal mode finds them."""
    tokenizer = jieba_instance()
    words: list[str] = []
    for text in texts:
        if text:
            words.extend(_words(tokenizer.cut_for_search(text, HMM=False)))
    return " ".join(dict.fromkeys(words))


def query_words(query: str) -> list[str]:
    """The words of a search box, each of which a ticket must contain (the same cleaning as the index)."""
    return list(dict.fromkeys(_words(jieba_instance().cut(query, HMM=False))))


def refresh(ticket: Any) -> None:
    ticket.search_text = index_text(*(getattr(ticket, name) for name in TEXT_FIELDS))


def _changed(ticket: Any) -> bool:
    from sqlalchemy import inspect

    state = inspect(ticket)
    return any(state.attrs[name].history.has_changes() for name in TEXT_FIELDS)


def keep_in_step(model: type) -> None:
    """Register the hooks on the Ticket model: a new ticket and any change to its text recompute the column."""

    @event.listens_for(model, "before_insert")
    def _on_insert(mapper: Any, connection: Any, ticket: Any) -> None:
        refresh(ticket)

    @event.listens_for(model, "before_update")
    def _on_update(mapper: Any, connection: Any, ticket: Any) -> None:
        if _changed(ticket):
            refresh(ticket)
