"""The full-text index behind ticket search, per dialect, and the one condition that uses it.

Neither object is in the models' metadata (an FTS5 table and an expression index are not portable), so the
migrations create them and `not_modelled` keeps them out of Alembic's comparison.

- PostgreSQL: a stored generated column `search_vector` = to_tsvector('simple', search_text), with a GIN index;
  the 'simple' configuration lower-cases and keeps every word, which is what jieba's tokens joined by spaces need.
  Stored, not an expression index: when the planner walks the newest tickets and tests each row (the cheap plan
  for common words) an expression index would cut every row's text again, about 60 µs a row under load
  (docs/search.md has the figures).
- SQLite: FTS5 with content=ticket (no second copy of the words), triggers on insert, on an update of the words
  and on delete.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, func, literal_column, select, text

from hotline.models import Ticket

PG_COLUMN = "search_vector"
PG_INDEX = "ix_ticket_search_vector"
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
        connection.execute(text(f"ALTER TABLE ticket ADD COLUMN {PG_COLUMN} tsvector GENERATED ALWAYS AS "
                                "(to_tsvector('simple'::regconfig, coalesce(search_text, ''))) STORED"))
        create_pg_indexes(connection)
        return
    for statement in _SQLITE:
        connection.execute(text(statement))


def drop_full_text(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        drop_pg_indexes(connection)
        connection.execute(text(f"ALTER TABLE ticket DROP COLUMN IF EXISTS {PG_COLUMN}"))
        return
    for name in ("ticket_fts_insert", "ticket_fts_delete", "ticket_fts_update"):
        connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    connection.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))


def create_pg_indexes(connection: Connection) -> None:
    """Also for a bulk load (web.bench.search), which drops them first and builds them once after."""
    connection.execute(text(f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON ticket USING gin ({PG_COLUMN})"))
    connection.execute(text(f"CREATE INDEX IF NOT EXISTS {PG_NUMBER_INDEX} ON ticket (number text_pattern_ops)"))


def drop_pg_indexes(connection: Connection) -> None:
    connection.execute(text(f"DROP INDEX IF EXISTS {PG_INDEX}"))
    connection.execute(text(f"DROP INDEX IF EXISTS {PG_NUMBER_INDEX}"))


def not_modelled(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's include_name: False for the search index's own objects, which the models do not describe."""
    if type_ == "table" and name is not None and name.startswith(FTS_TABLE):
        return False
    if type_ == "column" and name == PG_COLUMN:
        return False
    return not (type_ == "index" and name in (PG_INDEX, PG_NUMBER_INDEX))


def matches(dialect: str, words: list[str]) -> ColumnElement[bool]:
    """Tickets holding every one of `words` (already cut by hotline.search_text)."""
    if dialect == "postgresql":
        vector = literal_column(f"ticket.{PG_COLUMN}")
        return vector.op("@@")(func.plainto_tsquery(literal_column("'simple'::regconfig"), " ".join(words)))
    phrase = " ".join('"' + w.replace('"', '""') + '"' for w in words)
    hits = (select(literal_column("rowid")).select_from(text(FTS_TABLE))
            .where(text(f"{FTS_TABLE} MATCH :fts").bindparams(fts=phrase)))
    return Ticket.id.in_(hits)
