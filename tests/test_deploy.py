"""Deploying is safe: `gunicorn -w 4` on a fresh database boots every worker, and the schema is migrated and
the content synced exactly once (the boot lock serialises the workers); the release step does it by hand.

Runs on a fresh SQLite file, and on a fresh PostgreSQL database when `TEST_DATABASE_URL` is set.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, make_url, select, text
from sqlalchemy.orm import sessionmaker

from bot import release
from content.loader import iter_rows, load_content
from storage import Storage, alembic_config, make_engine
from storage.models import ContentItem

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 4
BOOT_TIMEOUT = 90  # seconds; four workers take about 14 s on two idle cores, 50 s on a very busy machine
HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
N_ITEMS = len(list(iter_rows(load_content())))
GUNICORN_CONF = '''
def post_worker_init(worker):
    worker.log.info("worker ready: %s", worker.pid)
'''


@contextmanager
def _fresh_postgres(url: str) -> Iterator[str]:
    """A uniquely named empty database beside `url`'s (created with psycopg), dropped afterwards."""
    admin = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"deploy_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database that nobody else uses: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("PostgreSQL: set TEST_DATABASE_URL to run this on PostgreSQL too")
    with _fresh_postgres(url) as fresh:
        yield fresh


def _state(url: str) -> tuple[list[str], int, int, int]:
    """(alembic versions, content rows, distinct keys, live rows) of the database at `url`."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            versions = list(conn.scalars(text("SELECT version_num FROM alembic_version")))
            rows, keys, live = conn.execute(select(
                func.count(), func.count(ContentItem.key.distinct()),
                func.count().filter(ContentItem.live()))).one()
        return versions, rows, keys, live
    finally:
        engine.dispose()


@contextmanager
def _gunicorn(url: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen, Path]]:
    """`gunicorn -w 4 wsgi:app` on loopback (a free port) against `url`, its stderr in a file; stopped after."""
    (tmp_path / "gunicorn_conf.py").write_text(GUNICORN_CONF)
    env = {**os.environ, "DATABASE_URL": url, "LINE_CHANNEL_SECRET": "dummy-secret",
           "LINE_CHANNEL_ACCESS_TOKEN": "dummy-token",
           "LINE_API_BASE_URL": "http://127.0.0.1:9",  # the discard port: nothing should be sent on boot
           "LINE_ADMIN_USER_IDS": "", "SCHEDULER_EMBEDDED": ""}
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", "127.0.0.1:0", "--no-control-socket",
             "-c", str(tmp_path / "gunicorn_conf.py"), "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
    try:
        yield proc, log
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_until_booted(proc: subprocess.Popen, log: Path) -> str:
    """Wait (at most BOOT_TIMEOUT s) until every worker loaded the app; gunicorn's stderr so far."""
    deadline = time.monotonic() + BOOT_TIMEOUT
    while True:
        out = log.read_text(errors="replace")
        if len(set(re.findall(r"worker ready: (\d+)", out))) >= WORKERS or proc.poll() is not None:
            return out
        if time.monotonic() > deadline:
            pytest.fail(f"not all {WORKERS} workers booted within {BOOT_TIMEOUT} s:\n{out}")
        time.sleep(0.2)


def test_gunicorn_with_four_workers_boots_on_a_fresh_database_and_migrates_and_syncs_once(fresh_database,
                                                                                           tmp_path):
    with _gunicorn(fresh_database, tmp_path) as (proc, log):
        out = _wait_until_booted(proc, log)
        assert proc.poll() is None, f"the gunicorn master exited:\n{out}"
        port = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", out)[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as resp:
            assert resp.status == 200 and b'"ok"' in resp.read()
        out = log.read_text(errors="replace")
        assert proc.poll() is None
    assert "Worker failed to boot" not in out and "Traceback" not in out and "ERROR" not in out, out
    assert len(set(re.findall(r"worker ready: (\d+)", out))) == WORKERS
    assert out.count(f"database migrated from empty to {HEAD}") == 1, out
    assert out.count("database migrated") == 1, out
    assert len(re.findall(rf"content synced: inserted {N_ITEMS}, ", out)) == 1, out
    assert out.count("content synced") == 1, out
    assert _state(fresh_database) == ([HEAD], N_ITEMS, N_ITEMS, N_ITEMS)


def test_two_processes_running_the_release_at_once_both_succeed_and_only_one_does_the_work(fresh_database):
    content = load_content()
    stores = [Storage(e, sessionmaker(e, expire_on_commit=False)) for e in (make_engine(fresh_database),
                                                                           make_engine(fresh_database))]
    start = threading.Barrier(len(stores))
    reports, errors = [], []

    def boot(store: Storage) -> None:
        start.wait()
        try:
            reports.append(release.run(store, content))
        except Exception as exc:  # the assertion below shows it
            errors.append(exc)

    threads = [threading.Thread(target=boot, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for s in stores:
        s.engine.dispose()
    assert errors == [] and len(reports) == 2
    first, second = sorted(reports, key=lambda r: r.revision_before or "")
    assert (first.revision_before, first.revision_after, first.content.inserted) == (None, HEAD, N_ITEMS)
    assert (second.revision_before, second.revision_after) == (HEAD, HEAD)
    assert (second.content.inserted, second.content.unchanged) == (0, N_ITEMS)
    assert _state(fresh_database) == ([HEAD], N_ITEMS, N_ITEMS, N_ITEMS)


def test_the_release_command_reports_the_schema_and_the_content(app):
    out = app.test_cli_runner().invoke(args=["release"]).output
    assert re.fullmatch(rf"database (migrated from empty to|at) {HEAD}.*; content: inserted \d+, updated \d+, "
                        rf"retired \d+, restored \d+, unchanged \d+\n", out), out
    again = app.test_cli_runner().invoke(args=["sync-content"]).output
    assert again == f"inserted 0, updated 0, retired 0, restored 0, unchanged {N_ITEMS}\n"
