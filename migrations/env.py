"""Alembic environment: batch mode so SQLite can alter tables too."""

from __future__ import annotations

from alembic import context

import command.models  # noqa: F401  - each package's tables register on the shared metadata
import dispatch.models  # noqa: F401
import hotline.city_management.models
import hotline.grid_cells
import hotline.knowledge  # noqa: F401
import open311.models  # noqa: F401
from hotline.database import make_engine
from hotline.models import Base
from hotline.search_index import not_modelled

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True, include_name=not_modelled)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
run_migrations_online()
