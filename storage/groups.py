"""Group-chat queries: the LINE groups and rooms the bot is in, and what each is bound to.

`session` first; functions may add and flush, never commit. Times are timezone-aware UTC.
A chat's `binding` is None (not set up), "work_group" (with `work_group`, an id of `content/groups.yaml`),
"all_staff" (the room of every staff member), "admins" (the admins' room) or "complaints" (the complaint
officers' room, told of each new case).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ChatGroup

WORK_GROUP, ALL_STAFF, ADMINS, COMPLAINTS = "work_group", "all_staff", "admins", "complaints"
BINDINGS = (WORK_GROUP, ALL_STAFF, ADMINS, COMPLAINTS)


def get(session: Session, chat_id: str) -> ChatGroup | None:
    """The group chat `chat_id` (a group "C…" or room "R…" ID), or None if the bot never saw it."""
    return session.get(ChatGroup, chat_id)


def ensure(session: Session, chat_id: str, kind: str, now: datetime) -> ChatGroup:
    """The row of `chat_id`, created (active, unbound) when the bot is in a chat it has no record of,
    e.g. one it joined before group chats were recorded. An existing row is returned unchanged."""
    row = session.get(ChatGroup, chat_id)
    if row is None:
        row = ChatGroup(chat_id=chat_id, kind=kind, name="", binding=None, work_group=None, active=True,
                        joined_at=now)
        session.add(row)
        session.flush()
    return row


def record_join(session: Session, chat_id: str, kind: str, now: datetime, name: str | None = None,
                member_count: int | None = None) -> ChatGroup:
    """Record that the bot joined `chat_id` (kind "group" or "room") at `now`: a new row, or the old one
    reactivated (its binding is kept, `left_at` cleared, `joined_at` set to `now`). `name` and
    `member_count` (from the LINE API; None when unknown) replace the cached values when given."""
    row = ensure(session, chat_id, kind, now)
    row.kind = kind
    row.active = True
    row.left_at = None
    row.joined_at = now
    refresh(session, row, name, member_count)
    return row


def mark_left(session: Session, chat_id: str, now: datetime) -> ChatGroup | None:
    """Record that the bot was removed from `chat_id` at `now` (inactive; binding kept for a rejoin).
    Returns the row, or None when the chat was never recorded."""
    row = session.get(ChatGroup, chat_id)
    if row is not None:
        row.active = False
        row.left_at = now
        session.flush()
    return row


def refresh(session: Session, row: ChatGroup, name: str | None = None, member_count: int | None = None) -> None:
    """Cache LINE's facts about `row`: its `name` and head count (what a push to it costs). A value of
    None (unknown, e.g. offline or the API failed) keeps the cached one."""
    if name:
        row.name = name[:200]
    if member_count is not None:
        row.member_count = member_count
    session.flush()


def bind(session: Session, row: ChatGroup, binding: str | None, work_group: str | None = None) -> None:
    """Bind `row` to `binding` (one of `BINDINGS`, or None to unbind). `work_group` (an id of
    `content/groups.yaml`) is required with "work_group" and must be None otherwise; ValueError if not."""
    if binding is not None and binding not in BINDINGS:
        raise ValueError(f"unknown binding {binding!r}")
    if (binding == WORK_GROUP) != bool(work_group):
        raise ValueError("a work_group binding needs a work group, and only it")
    row.binding = binding
    row.work_group = work_group if binding == WORK_GROUP else None
    session.flush()


def all_groups(session: Session) -> list[ChatGroup]:
    """Every group chat ever recorded: active ones first, then by name and ID."""
    stmt = select(ChatGroup).order_by(ChatGroup.active.desc(), ChatGroup.name, ChatGroup.chat_id)
    return list(session.scalars(stmt))


def active_groups(session: Session, binding: str | None = None, work_group: str | None = None) -> list[ChatGroup]:
    """The group chats the bot is in now (active), by name and ID.

    `binding` keeps only chats with that binding ("work_group", "all_staff", "admins"); `work_group`
    keeps only chats bound to that work group (it implies ``binding="work_group"``). With neither, every
    active chat, bound or not. This is what a broadcast to group chats asks for, e.g.
    ``active_groups(s, work_group="policy")`` or ``active_groups(s, binding="all_staff")``.
    """
    stmt = select(ChatGroup).where(ChatGroup.active.is_(True))
    if work_group is not None:
        if binding not in (None, WORK_GROUP):
            return []
        stmt = stmt.where(ChatGroup.binding == WORK_GROUP, ChatGroup.work_group == work_group)
    elif binding is not None:
        stmt = stmt.where(ChatGroup.binding == binding)
    return list(session.scalars(stmt.order_by(ChatGroup.name, ChatGroup.chat_id)))
