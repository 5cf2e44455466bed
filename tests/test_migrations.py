"""Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and
step down and up again cleanly."""
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage import alembic_config, get_storage, make_engine, upgrade
from storage.models import Base


def test_the_migrated_database_matches_the_models(app):
    with get_storage(app).engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_migrations_go_down_to_nothing_and_up_again(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")
    try:
        upgrade(engine)
        assert {"outbox", "members", "broadcasts", "audit_log"} <= set(inspect(engine).get_table_names())
        cfg = alembic_config(engine.url.render_as_string(hide_password=False))
        command.downgrade(cfg, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    finally:
        engine.dispose()
