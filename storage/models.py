"""SQLAlchemy 2.0 models: the bot's whole database schema.

Every timestamp is stored in UTC (timezone-aware in Python; `UTCDateTime` keeps SQLite honest, since it
has no timezone type). Migrations in `storage/migrations/` are generated from these classes.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, MetaData, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    Writes reject naive datetimes (a naive value is a bug: we never guess its zone); reads from SQLite,
    which drops the offset, come back tagged as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware UTC values only")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class ProcessedEvent(Base):
    """A webhook event already handled, keyed by LINE's `webhookEventId`, so a redelivery is a no-op."""

    __tablename__ = "processed_events"

    webhook_event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"ProcessedEvent({self.webhook_event_id!r}, {self.event_type!r})"


class ContentItem(Base):
    """One curated content item (standard, indicator, criterion, PMQA category/item, rubric, …).

    `key` is stable across reloads (e.g. ``criterion:1.1.4``); `content_hash` lets the loader update only
    what changed. `payload` holds the item's curated fields as in `content/*.yaml`.
    """

    __tablename__ = "content_items"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    parent_key: Mapped[str | None] = mapped_column(ForeignKey("content_items.key"))
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(Text)
    gap: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"ContentItem({self.key!r})"


class UnansweredQuery(Base):
    """A question the bot could not answer with confidence. No user ID is kept, by design."""

    __tablename__ = "unanswered_queries"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(String(500))
    chat_kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_unanswered_queries_normalized", "normalized"),)

    def __repr__(self) -> str:
        return f"UnansweredQuery({self.text!r}, {self.chat_kind!r})"


class OutboxMessage(Base):
    """A message to send that is not a reply (push, multicast or broadcast), written in the same
    transaction as the change that caused it and sent by the delivery job (`scheduler.delivery`).

    `retry_key` is the stable `X-Line-Retry-Key` of every attempt, so LINE accepts the request at most
    once (a repeat gets 409, which counts as sent). `status`: pending → sending → sent | failed | dead.
    A `sending` row whose `lease_until` has passed was claimed by a worker that died; it is claimed again.
    `recipients` holds user/group/room IDs (one for push, up to 500 for multicast, none for broadcast);
    `messages` holds LINE message objects as JSON. `cost` is the LINE messages it uses from the quota.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    recipients: Mapped[list[str]] = mapped_column(JSON)
    messages: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    retry_key: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    cost: Mapped[int] = mapped_column(Integer, default=0)
    origin: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    def __repr__(self) -> str:
        return f"OutboxMessage({self.id}, {self.kind}, {self.status}, attempts={self.attempts})"
