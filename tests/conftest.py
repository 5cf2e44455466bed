"""Fixtures: the app on a real database, a fake LINE Messaging API on loopback, signed webhook posts.

The database is SQLite in a temp folder, or PostgreSQL when `TEST_DATABASE_URL` is set (CI sets it): a
fresh database beside the given one for each test session, dropped at the end.
One app per test session (migrations and content load once); mutable tables are emptied after each test.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import delete, make_url, text
from sqlalchemy.exc import SQLAlchemyError

from bot import create_app
from storage import get_storage, make_engine, normalize_url
from storage.models import Base, ContentItem
from tests import line_events as ev
from tests.fake_line import FakeLine

SECRET = "test-channel-secret"
TOKEN = "test-channel-access-token"
ADMIN = "U" + "a" * 32


def _reset_database(url: str) -> None:
    """Drop everything so migrations run from scratch on a reused PostgreSQL database."""
    engine = make_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@contextmanager
def _private_postgres_database(url: str) -> Iterator[str]:
    """A fresh database next to `url`'s for this test session (so parallel runs never meet), dropped
    afterwards; where the role may not create databases, `url`'s own database, emptied first."""
    admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"{make_url(normalize_url(url)).database}_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except SQLAlchemyError:
        admin.dispose()
        _reset_database(url)
        yield url
        return
    try:
        yield make_url(normalize_url(url)).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        with _private_postgres_database(url) as private:
            yield private
        return
    yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def fake_line() -> Iterator[FakeLine]:
    with FakeLine(access_token=TOKEN) as fake:
        yield fake


@pytest.fixture(scope="session")
def app(database_url: str, fake_line: FakeLine, tmp_path_factory: pytest.TempPathFactory):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "LINE_CHANNEL_SECRET": SECRET,
                      "EXPORTS_DIR": str(tmp_path_factory.mktemp("exports")),
                      "LINE_CHANNEL_ACCESS_TOKEN": TOKEN, "LINE_API_BASE_URL": fake_line.url,
                      "LINE_API_DATA_URL": fake_line.data_url, "LINE_ADMIN_USER_IDS": ADMIN})
    yield app
    get_storage(app).engine.dispose()


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        with get_storage(app).Session.begin() as session:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name != ContentItem.__tablename__:
                    session.execute(delete(table))


@pytest.fixture
def line(fake_line: FakeLine) -> Iterator[FakeLine]:
    """The fake LINE API, emptied before the test; asserts afterwards that every request was valid."""
    fake_line.reset()
    yield fake_line
    fake_line.assert_all_valid()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def flask_cli(app):
    """Run a `flask` command in the test app: `flask_cli("rounds", "list")` returns its output and asserts
    it exited 0 (or, with `ok=False`, that it failed)."""
    runner = app.test_cli_runner()

    def run(*args: str, ok: bool = True) -> str:
        result = runner.invoke(args=list(args))
        assert (result.exit_code == 0) == ok, (result.output, result.exception)
        return result.output

    return run


@dataclass
class Webhook:
    """Posts events to `/callback` signed with the channel secret, as LINE does."""

    client: object

    def post(self, *events: dict, signature: str | None = None, raw: bytes | None = None):
        body = raw if raw is not None else ev.body(*events)
        sig = ev.sign(body, SECRET) if signature is None else signature
        return self.client.post("/callback", data=body,
                                headers={"X-Line-Signature": sig, "Content-Type": "application/json"})


@pytest.fixture
def webhook(client, line) -> Webhook:
    return Webhook(client)


@dataclass
class Chat:
    """A conversation through the real webhook: `say` a line, get the texts LINE was asked to send."""

    webhook: Webhook
    line: FakeLine
    user_id: str = "U" + "1" * 32
    group_id: str | None = None

    def say(self, text: str) -> list[dict]:
        """Send `text`; the messages of the bot's reply (LINE message objects as dicts)."""
        before = len(self.line.requests)
        resp = self.webhook.post(ev.text_event(text, user_id=self.user_id, group_id=self.group_id))
        assert resp.status_code == 200, resp.data
        return self._sent_since(before)

    def press(self, data: str) -> list[dict]:
        """Press a postback button carrying `data`."""
        before = len(self.line.requests)
        resp = self.webhook.post(ev.postback_event(data, user_id=self.user_id, group_id=self.group_id))
        assert resp.status_code == 200, resp.data
        return self._sent_since(before)

    def _sent_since(self, before: int) -> list[dict]:
        out = []
        for r in self.line.requests[before:]:
            if r.status == 200 and r.path in ("/v2/bot/message/reply", "/v2/bot/message/push"):
                out.extend(r.json["messages"])
        return out


@pytest.fixture
def chat(webhook, line) -> Chat:
    return Chat(webhook, line)


def flex_nodes(node):
    """Every dict in a Flex tree (a message's `contents`), depth first."""
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from flex_nodes(v)
    elif isinstance(node, list):
        for v in node:
            yield from flex_nodes(v)


def bubbles(messages: list[dict]) -> list[dict]:
    """The Flex bubbles of `messages`, carousels opened."""
    out = []
    for m in messages:
        if m["type"] == "flex":
            c = m["contents"]
            out.extend(c["contents"] if c["type"] == "carousel" else [c])
    return out


def texts(messages: list[dict]) -> str:
    """Everything a person would read in `messages`: texts, Flex texts and button labels, one per line."""
    out: list[str] = []
    for m in messages:
        if m["type"] == "text":
            out.append(m["text"])
            continue
        for node in flex_nodes(m.get("contents")):
            if node.get("type") == "text" and "text" in node:
                out.append(node["text"])
            if node.get("type") == "button":
                out.append(node["action"]["label"])
    return "\n".join(out)


def quick_replies(messages: list[dict]) -> list[dict]:
    """The quick-reply actions of the last message."""
    if not messages or "quickReply" not in messages[-1]:
        return []
    return [item["action"] for item in messages[-1]["quickReply"]["items"]]
