"""The full-text index behind ticket search, per dialect, and the one condition that uses it.

Neither object is in the models' metadata (an FTS5 table and an expression index are not portable), so the
migrations create them and `not_modelled` keeps them out of Alembic's comparison.

- PostgreSQL: GIN over to_tsvector('simple', search_text); the 'simple' configuration lower-cases and keeps every
  word, which is what jieba's tokens joined by spaces need. The configuration is written into the SQL as a
  literal, so the planner sees the index's own expression.
- SQLite: FTS5 with content=ticket (no second copy of the words), triggers on insert, on an update of the words
  and on delete.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, func, literal_column, select, text

from hotline.models import Ticket

PG_INDEX = "ix_ticket_search_text"
PG_NUMBER_INDEX = "ix_ticket_number_prefix"  # LIKE 'prefix%' under any collation, not only C
FTS_TABLE = "ticket_fts"

_SQLITE = [
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, content='ticket', content_rowid='id')",
    f"CREATE TRIGGER ticket_fts_insert AFTER INSERT ON ticket BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER ticket_fts_delete AFTER DELETE ON ticket BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER ticket_fts_update AFTER UPDATE OF search_text ON ticket BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]


def create_full_text(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"CREATE INDEX {PG_INDEX} ON ticket USING gin "
                                "(to_tsvector('simple'::regconfig, search_text))"))
        connection.execute(text(f"CREATE INDEX {PG_NUMBER_INDEX} ON ticket (number text_pattern_ops)"))
        return
    for statement in _SQLITE:
        connection.execute(text(statement))


def drop_full_text(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"DROP INDEX IF EXISTS {PG_INDEX}"))
        connection.execute(text(f"DROP INDEX IF EXISTS {PG_NUMBER_INDEX}"))
        return
    for name in ("ticket_fts_insert", "ticket_fts_delete", "ticket_fts_update"):
        connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    connection.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))


def not_modelled(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's include_name: False for the search index's own objects, which the models do not describe."""
    if type_ == "table" and name is not None and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name in (PG_INDEX, PG_NUMBER_INDEX))


def matches(dialect: str, words: list[str]) -> ColumnElement[bool]:
    """Tickets holding every one of `words` (already cut by hotline.search_text)."""
    if dialect == "postgresql":
        vector = func.to_tsvector(literal_column("'simple'::regconfig"), Ticket.search_text)
        return vector.op("@@")(func.plainto_tsquery(literal_column("'simple'::regconfig"), " ".join(words)))
    phrase = " ".join('"' + w.replace('"', '""') + '"' for w in words)
    hits = (select(literal_column("rowid")).select_from(text(FTS_TABLE))
            .where(text(f"{FTS_TABLE} MATCH :fts").bindparams(fts=phrase)))
    return Ticket.id.in_(hits)
