"""Database wiring: one engine and one sessionmaker per app, Alembic migrations, and `flask db` commands."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import click
from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Storage:
    """The app's database handle: `engine` and `Session` (a sessionmaker; use `with Session.begin()`)."""

    engine: Engine
    Session: sessionmaker[Session]


def normalize_url(url: str) -> str:
    """`postgres://` and `postgresql://` URLs use psycopg 3 (the driver we ship); others unchanged."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    """Create an engine for `url`; SQLite gets foreign keys on and a busy timeout (seconds) for threads."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str) -> AlembicConfig:
    """An Alembic config pointing at our migrations and `url` (no alembic.ini needed)."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Run Alembic migrations up to `revision` on `engine` (idempotent; safe on every start)."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its per-start chatter; we log what changed
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        before = MigrationContext.configure(conn).get_current_heads()
        command.upgrade(cfg, revision)
        after = MigrationContext.configure(conn).get_current_heads()
    if before != after:
        log.info("database migrated from %s to %s", before or "empty", after)


def get_storage(app: Flask | None = None) -> Storage:
    """The `Storage` of `app` (default: the current app)."""
    return (app or current_app).extensions["storage"]


def ping(storage: Storage) -> None:
    """Raise if the database cannot answer `SELECT 1`."""
    with storage.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def init_app(app: Flask) -> Storage:
    """Create the engine and sessionmaker for `app`, migrate if `AUTO_MIGRATE`, register `flask db`."""
    url = make_url(normalize_url(app.config["DATABASE_URL"]))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)  # e.g. a fresh clone's instance/
    engine = make_engine(url.render_as_string(hide_password=False))
    storage = Storage(engine, sessionmaker(engine, expire_on_commit=False))
    app.extensions["storage"] = storage
    if app.config.get("AUTO_MIGRATE", True):
        upgrade(engine)
    app.cli.add_command(db_cli)
    return storage


@click.group("db", help="Database schema commands (Alembic).")
def db_cli() -> None:
    pass


@db_cli.command("upgrade", help="Apply migrations up to REVISION (default: head).")
@with_appcontext
@click.argument("revision", default="heads")
def upgrade_command(revision: str) -> None:
    upgrade(get_storage().engine, revision)
    click.echo(f"database at {revision}")
