"""Bulk-loading rows for the benchmarks: COPY on PostgreSQL, executemany elsewhere. In hotline so both the web
benchmarks and command's hotspot benchmark reach it without importing upward."""

from __future__ import annotations

import io
from collections.abc import Iterable

from sqlalchemy import text

from hotline.database import get_engine


def insert_rows(table: str, columns: tuple[str, ...], rows: Iterable[tuple[object, ...]]) -> None:
    """Load rows (read once) into ``table``."""
    engine = get_engine()
    if engine.dialect.name != "postgresql":
        marks = ", ".join(f":{c}" for c in columns)
        with engine.begin() as connection:
            connection.execute(text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"),
                               [dict(zip(columns, row, strict=True)) for row in rows])
        return
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(v) for v in row) + "\n")
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        raw.commit()
    finally:
        raw.close()


def _copy_value(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[union-attr]
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
