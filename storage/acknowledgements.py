"""Acknowledgement queries: who pressed "รับทราบ" on a broadcast and when, who has not, and the one
reminder to them. `session` first; functions add and flush, never commit. Times are UTC."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from storage import outbox
from storage.broadcasts import origin
from storage.models import Broadcast, BroadcastRecipient, Member, OutboxMessage

ACK_WINDOW = timedelta(days=7)  # a "รับทราบ" typed in a group answers an announcement at most this old


def record_ack(session: Session, bc: Broadcast, user_id: str, now: datetime, work_group: str | None = None,
               chat_id: str | None = None) -> tuple[BroadcastRecipient, bool]:
    """Record that `user_id` acknowledged `bc` at `now`: (the row, True the first time). A later press
    keeps the first time. Someone not on the list (a follower, a guest in a group) is added."""
    row = session.get(BroadcastRecipient, (bc.id, user_id))
    if row is None:
        row = BroadcastRecipient(broadcast_id=bc.id, user_id=user_id, work_group=work_group, chat_id=chat_id,
                                 acked_at=now)
        session.add(row)
        session.flush()
        return row, True
    first = session.execute(update(BroadcastRecipient).where(
        BroadcastRecipient.broadcast_id == bc.id, BroadcastRecipient.user_id == user_id,
        BroadcastRecipient.acked_at.is_(None)).values(acked_at=now)
        .execution_options(synchronize_session=False)).rowcount == 1
    session.refresh(row)
    return row, first


def recipients(session: Session, broadcast_id: int) -> list[tuple[BroadcastRecipient, str]]:
    """(recipient, name or "") of a broadcast, by work group then name: the real name typed at
    registration, else the LINE display name (as `storage.members.name_of`)."""
    name = func.coalesce(func.nullif(Member.full_name, ""), Member.display_name, "")
    stmt = (select(BroadcastRecipient, name)
            .outerjoin(Member, Member.user_id == BroadcastRecipient.user_id)
            .where(BroadcastRecipient.broadcast_id == broadcast_id)
            .order_by(BroadcastRecipient.work_group, name, BroadcastRecipient.user_id))
    return [(r, n) for r, n in session.execute(stmt)]


def not_acked(session: Session, broadcast_id: int, reachable_only: bool = False) -> list[str]:
    """User IDs of the recipients of a broadcast who have not acknowledged it; `reachable_only` leaves out
    members who blocked the bot (a message to them is not delivered)."""
    stmt = select(BroadcastRecipient.user_id).where(BroadcastRecipient.broadcast_id == broadcast_id,
                                                    BroadcastRecipient.acked_at.is_(None))
    if reachable_only:
        stmt = stmt.outerjoin(Member, Member.user_id == BroadcastRecipient.user_id).where(
            or_(Member.following.is_(None), Member.following.is_(True)))
    return list(session.scalars(stmt.order_by(BroadcastRecipient.user_id)))


def pending_ack(session: Session, user_id: str) -> Broadcast | None:
    """The newest sent announcement asking `user_id` for an acknowledgement they have not given."""
    stmt = (select(Broadcast).join(BroadcastRecipient, BroadcastRecipient.broadcast_id == Broadcast.id)
            .where(BroadcastRecipient.user_id == user_id, BroadcastRecipient.acked_at.is_(None),
                   Broadcast.ack_required.is_(True), Broadcast.status.in_(("sending", "sent")))
            .order_by(Broadcast.id.desc()).limit(1))
    return session.scalars(stmt).first()


def _recent_ack_broadcasts(session: Session, now: datetime):
    sent = func.coalesce(Broadcast.sent_at, Broadcast.scheduled_at)
    return (select(Broadcast).where(Broadcast.ack_required.is_(True), Broadcast.status.in_(("sending", "sent")),
                                    sent >= now - ACK_WINDOW).order_by(Broadcast.id.desc()))


def posted_in_chat(session: Session, chat_id: str, now: datetime) -> Broadcast | None:
    """The newest announcement asking for acknowledgements that was pushed to group chat `chat_id` within
    `ACK_WINDOW` before `now` (UTC), or None: what a "รับทราบ" typed in that chat answers."""
    for bc in session.scalars(_recent_ack_broadcasts(session, now).limit(20)):
        pushed = session.scalars(select(OutboxMessage.recipients).where(
            OutboxMessage.origin == origin(bc.id), OutboxMessage.kind == "push"))
        if any(chat_id in (to or []) for to in pushed):
            return bc
    return None


def last_acked(session: Session, user_id: str, now: datetime) -> tuple[Broadcast, BroadcastRecipient] | None:
    """(broadcast, recipient row) of the newest announcement within `ACK_WINDOW` before `now` that
    `user_id` has acknowledged, or None."""
    stmt = (_recent_ack_broadcasts(session, now).add_columns(BroadcastRecipient)
            .join(BroadcastRecipient, BroadcastRecipient.broadcast_id == Broadcast.id)
            .where(BroadcastRecipient.user_id == user_id, BroadcastRecipient.acked_at.is_not(None)).limit(1))
    row = session.execute(stmt).first()
    return (row[0], row[1]) if row else None


def enqueue_reminder(session: Session, bc: Broadcast, users: list[str], messages: list[dict[str, Any]],
                     now: datetime) -> int:
    """Multicast `messages` to `users` (the recipients of `bc` who have not acknowledged it and have not
    blocked the bot, from `not_acked(..., reachable_only=True)`); the number of people. Records it in
    `bc.report` ("reminded_at", ISO UTC, "reminded")."""
    outbox.enqueue_multicasts(session, users, messages, now, origin=origin(bc.id, reminder=True))
    bc.report = {**(bc.report or {}), "reminded_at": now.isoformat(), "reminded": len(users)}
    session.flush()
    return len(users)


def ack_counts(session: Session, broadcast_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{broadcast id: (acknowledged, recipients)} for `broadcast_ids`."""
    stmt = (select(BroadcastRecipient.broadcast_id, func.count(BroadcastRecipient.acked_at), func.count())
            .where(BroadcastRecipient.broadcast_id.in_(broadcast_ids)).group_by(BroadcastRecipient.broadcast_id))
    return {bid: (acked, total) for bid, acked, total in session.execute(stmt)}
