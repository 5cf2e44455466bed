"""Plain query functions: `session` first, `select()`, they may add/flush but never commit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import ProcessedEvent, UnansweredQuery

MAX_LOGGED_CHARS = 500
_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}  # dialects with ON CONFLICT


def insert_for(session: Session):
    """The `insert` construct of this session's dialect, with `on_conflict_do_nothing` and
    `on_conflict_do_update` (PostgreSQL and SQLite, the two databases the bot runs on)."""
    return _INSERTS[session.get_bind().dialect.name]


def claim_event(session: Session, webhook_event_id: str, event_type: str, now: datetime) -> bool:
    """Record `webhook_event_id` as handled; False when it was already (a redelivery).

    One `INSERT … ON CONFLICT DO NOTHING` on PostgreSQL and SQLite (a concurrent duplicate waits for
    the first and then inserts nothing); elsewhere a SELECT and an insert in a savepoint. Either way a
    duplicate does not spoil the caller's transaction.
    """
    values = {"webhook_event_id": webhook_event_id, "event_type": event_type[:40], "received_at": now}
    upsert = _INSERTS.get(session.get_bind().dialect.name)
    if upsert is not None:
        stmt = (upsert(ProcessedEvent.__table__).values(**values)
                .on_conflict_do_nothing(index_elements=["webhook_event_id"])
                .returning(ProcessedEvent.__table__.c.webhook_event_id))
        return session.execute(stmt).first() is not None
    if session.get(ProcessedEvent, webhook_event_id) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(**values))
    except IntegrityError:
        return False
    return True


def log_unanswered(session: Session, text: str, normalized: str, chat_kind: str, now: datetime,
                   outcome: str = "nothing", shown: Sequence[str] = (), score: float | None = None) -> None:
    """Keep a question the bot could not answer with confidence: text and its `normalized` form
    (grouping key), each cut to 500 characters, the chat kind, the time (UTC), and what the bot showed:
    `outcome` ("nothing", "suggested", "answered"), the item keys `shown` and the best `score` (0–100).
    No user ID, by design."""
    session.add(UnansweredQuery(text=text[:MAX_LOGGED_CHARS], normalized=normalized[:MAX_LOGGED_CHARS],
                                chat_kind=chat_kind, created_at=now, outcome=outcome,
                                shown=",".join(shown)[:MAX_LOGGED_CHARS], score=score))


@dataclass(frozen=True)
class UnansweredSummary:
    """One unanswered question as admins see it: an example `text`, how often (`count`) and when last
    (`last`, UTC) it was asked, and what the bot showed the last time (`outcome`, `shown` keys, `score`)."""

    text: str
    count: int
    last: datetime
    outcome: str
    shown: tuple[str, ...]
    score: float | None


def top_unanswered(session: Session, since: datetime, limit: int = 10) -> list[UnansweredSummary]:
    """The most frequent unanswered questions since `since`, most frequent first, grouped by their
    normalised form; what was shown comes from the latest row of each group."""
    groups = session.execute(
        select(UnansweredQuery.normalized, func.count(), func.max(UnansweredQuery.id))
        .where(UnansweredQuery.created_at >= since)
        .group_by(UnansweredQuery.normalized)
        .order_by(func.count().desc(), func.max(UnansweredQuery.created_at).desc())
        .limit(limit)
    ).all()
    latest = {row.id: row for row in session.scalars(
        select(UnansweredQuery).where(UnansweredQuery.id.in_([last_id for _n, _c, last_id in groups])))}
    out = []
    for _norm, count, last_id in groups:
        row = latest[last_id]
        out.append(UnansweredSummary(row.text, count, row.created_at, row.outcome,
                                     tuple(k for k in row.shown.split(",") if k), row.score))
    return out


def prune_processed_events(session: Session, now: datetime, keep: timedelta = timedelta(days=7)) -> int:
    """Delete processed-event markers older than `keep` (LINE redelivers within a day); returns count."""
    return session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < now - keep)
                           .execution_options(synchronize_session=False)).rowcount
