"""Cached LINE facts: the channel's quota and usage (`LineFact` rows) and each group chat's name and head
count (`ChatGroup.name` / `member_count`, read at `facts_at`).

Handlers read these inside the event's transaction through `CachedFacts` (it implements
`handlers.core.types.LineInfo`) and never wait on LINE. A read of a fact that is missing or older than its
age limit is remembered as a miss; the bot re-reads the misses from LINE after the event's commit
(`bot.runtime.BotRuntime.refresh_facts`), and the "refresh-line-facts" job keeps the rest fresh. Times
are UTC. `session` first; functions add and flush, never commit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.models import ChatGroup, LineFact

CHANNEL_MAX_AGE = timedelta(minutes=15)  # quota and usage older than this are re-read after the event
CHAT_MAX_AGE = timedelta(hours=24)  # member events refresh a group's count; the job catches the rest
QUOTA, USAGE = "quota", "usage"


def channel(session: Session) -> dict[str, LineFact]:
    """The cached channel facts by key ("quota", "usage"); a key never fetched is absent."""
    return {f.key: f for f in session.scalars(select(LineFact).where(LineFact.key.in_((QUOTA, USAGE))))}


def put(session: Session, key: str, value: dict, now: datetime) -> LineFact:
    """Store fact `key` = `value` (JSON-able), fetched at `now` (UTC)."""
    row = session.get(LineFact, key)
    if row is None:
        row = LineFact(key=key, value=value, fetched_at=now)
        session.add(row)
    row.value, row.fetched_at = dict(value), now
    session.flush()
    return row


def put_chat(session: Session, chat_id: str, name: str | None, count: int | None, now: datetime) -> bool:
    """Cache what LINE said of `chat_id` (None = not known: the cached value stays) at `now`; False
    when the bot has no record of the chat. `facts_at` moves only when LINE answered something."""
    row = session.get(ChatGroup, chat_id)
    if row is None:
        return False
    if name:
        row.name = name[:200]
    if count is not None:
        row.member_count = count
    if name or count is not None:
        row.facts_at = now
    session.flush()
    return True


def stale_chats(session: Session, now: datetime, limit: int = 200) -> list[str]:
    """IDs of the active group chats whose head count is unknown or older than `CHAT_MAX_AGE`, the
    longest-unread first (never read first), at most `limit`."""
    stmt = (select(ChatGroup.chat_id).where(ChatGroup.active.is_(True),
                                            or_(ChatGroup.member_count.is_(None), ChatGroup.facts_at.is_(None),
                                                ChatGroup.facts_at < now - CHAT_MAX_AGE))
            .order_by(ChatGroup.facts_at.is_not(None), ChatGroup.facts_at, ChatGroup.chat_id).limit(limit))
    return list(session.scalars(stmt))


def is_stale(fetched_at: datetime | None, now: datetime, max_age: timedelta) -> bool:
    """True when a fact fetched at `fetched_at` (None: never) is older than `max_age` at `now`."""
    return fetched_at is None or fetched_at < now - max_age


@dataclass
class CachedFacts:
    """`handlers.core.types.LineInfo` over the database: what LINE last said, and the misses to re-read.

    `chats` collects the chat IDs whose facts should be re-read after the event (unknown, stale, or
    asked for with `refresh`); `channel_stale` is True when the quota or usage was missing or stale.
    """

    session: Session
    now: datetime
    chats: list[str] = field(default_factory=list)
    channel_stale: bool = False

    def _channel(self, key: str) -> dict | None:
        row = self.session.get(LineFact, key)
        if row is None or is_stale(row.fetched_at, self.now, CHANNEL_MAX_AGE):
            self.channel_stale = True
        return row.value if row is not None else None

    def quota(self) -> int | None:
        """The month's message limit as last read (None: unlimited, or never read)."""
        value = self._channel(QUOTA)
        return value.get("limit") if value else None

    def usage(self) -> int | None:
        """Messages used this month as last read (None: never read)."""
        value = self._channel(USAGE)
        return value.get("total") if value else None

    def _chat(self, chat_id: str) -> ChatGroup | None:
        row = self.session.get(ChatGroup, chat_id)
        if row is None or row.member_count is None or is_stale(row.facts_at, self.now, CHAT_MAX_AGE):
            self.refresh(chat_id)
        return row

    def group_member_count(self, chat_id: str) -> int | None:
        """The chat's head count as last read (None: never read)."""
        row = self._chat(chat_id)
        return row.member_count if row is not None else None

    def group_name(self, chat_id: str) -> str | None:
        """The group's name as last read (None: unknown; rooms have none)."""
        row = self._chat(chat_id)
        return (row.name or None) if row is not None else None

    def refresh(self, chat_id: str) -> None:
        """Re-read `chat_id`'s name and head count from LINE after this event (a join, a member event)."""
        if chat_id not in self.chats:
            self.chats.append(chat_id)
