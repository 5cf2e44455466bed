"""The boot lock: one process at a time migrates the schema and syncs content, however many start at once.

Several web workers (`gunicorn -w 4`), the job process and a release command may all start together on the
same database. Each one runs its start-up work inside `boot_lock(engine)`; the first does the work, the
others wait, then find the schema at head and the content unchanged, and do nothing.

- PostgreSQL: a session-level `pg_advisory_lock(BOOT_LOCK_KEY)` held on a dedicated connection (not one
  the work itself uses) until the block ends; the server frees it if the process dies.
- SQLite on a file: an exclusive `fcntl.flock` on `<database file>.lock` beside the database; the kernel
  frees it if the process dies. Separate opens conflict, so threads of one process serialise too.
- In-memory SQLite (one process by definition) and other backends: no lock.

Do not nest `boot_lock` on one database: the inner call would wait for the outer one forever.

`leader_lock(engine, key)` is the non-blocking sibling for jobs that one process at a time should run
(the reminder sweep): `pg_try_advisory_lock` / `flock(LOCK_NB)` on `<database file>.<key>.lock`; the
block learns whether it leads, and a second scheduler started by mistake just skips its turn.
"""
from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

BOOT_LOCK_KEY = 72_557_001  # any constant shared by all our processes (a bigint for pg_advisory_lock)
log = logging.getLogger(__name__)


def lock_file(engine: Engine) -> Path | None:
    """The file `boot_lock` flocks for a SQLite file database (`<file>.lock`), else None."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") \
            or url.database.startswith("file::memory:"):
        return None
    return Path(url.database).with_name(Path(url.database).name + ".lock")


@contextmanager
def boot_lock(engine: Engine) -> Iterator[None]:
    """Hold the database-wide boot lock for the block, waiting (without a timeout) while another has it."""
    started = time.monotonic()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": BOOT_LOCK_KEY})
            _waited(started)
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": BOOT_LOCK_KEY})
        return
    path = lock_file(engine)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        _waited(started)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextmanager
def leader_lock(engine: Engine, key: int) -> Iterator[bool]:
    """Try to take the database-wide lock `key` (a bigint) for the block without waiting: yields True
    when this process leads (and holds it until the block ends), False when another holds it. In-memory
    SQLite (one process) always leads."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        return
    path = lock_file(engine)
    if path is None:
        yield True
        return
    path = path.with_name(f"{path.stem}.{key}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _waited(started: float) -> None:
    waited = time.monotonic() - started
    if waited > 0.5:
        log.info("boot lock acquired after waiting %.1f s for another process", waited)
