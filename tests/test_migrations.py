"""Alembic migrations go up and down on the test database, and match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import command.models  # noqa: F401  - every package's tables are part of the metadata
import dispatch.models  # noqa: F401
import hotline.city_management.models
import hotline.grid_cells
import hotline.knowledge  # noqa: F401
import open311.models  # noqa: F401
from hotline.database import make_engine
from hotline.migrate import downgrade, upgrade
from hotline.models import Base
from hotline.search_index import not_modelled
from hotline.settings import get_settings


def _fresh_url(tmp_path) -> str:
    settings = get_settings()
    if settings.is_sqlite:
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    return settings.database_url  # PostgreSQL: the suite's own database, restored at the end


def _search_index_is_whole(connection) -> None:
    """A batch migration on SQLite copies the ticket table and silently leaves its search triggers behind."""
    if connection.dialect.name != "sqlite":
        return
    triggers = set(connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars())
    assert {"ticket_fts_insert", "ticket_fts_delete", "ticket_fts_update"} <= triggers


def test_up_down_up_and_models_match(tmp_path):
    url = _fresh_url(tmp_path)
    engine = make_engine(url)
    try:
        upgrade(url)
        with engine.connect() as connection:
            # the search index's FTS5 table and expression index are migration-only (hotline.search_index)
            context = MigrationContext.configure(connection, opts={"include_name": not_modelled})
            diff = compare_metadata(context, Base.metadata)
            assert diff == [], f"models and migrations disagree: {diff}"
            assert {"ticket", "ticket_event", "staff", "catalogue_entry"} <= set(inspect(connection).get_table_names())
            _search_index_is_whole(connection)
        downgrade(url)
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        upgrade(url)
        with engine.connect() as connection:
            _search_index_is_whole(connection)
    finally:
        engine.dispose()
    if not get_settings().is_sqlite:  # put the shared database's demo data back for the other tests
        from hotline.database import session_scope
        from tests.fixtures import without_reply_review
        from web.demo.seed import seed_reference

        with session_scope() as session:
            seed_reference(session)
            without_reply_review(session)
