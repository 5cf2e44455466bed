"""Outbox queries: enqueue in the caller's transaction; claim, and record each attempt's outcome.

Claiming is a compare-and-set UPDATE per row (works the same on SQLite and PostgreSQL); on PostgreSQL
the candidate SELECT also uses `FOR UPDATE SKIP LOCKED`, so concurrent workers skip each other's rows
instead of queueing behind them. Either way two workers never hold the same row.

SQLite: the driver (pysqlite, legacy transaction control) opens its transaction at the first UPDATE, so
the candidate SELECT runs outside it and every claim transaction starts with a write. A write that
starts a transaction waits for SQLite's lock under the engine's busy timeout (`storage.make_engine`)
instead of failing with "database is locked"; the candidate list may be stale by then, which the
compare-and-set absorbs (a row another worker took updates 0 rows and is skipped).

A claim is a lease (`LEASE`): a worker that dies after claiming leaves its rows `sending`, and they are
claimed again once `lease_until` has passed. Every `mark_*` only touches a row still held by the same
worker, so a worker that lost its lease cannot overwrite the new holder's outcome.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from storage.models import OutboxMessage

LEASE = timedelta(seconds=60)
KEEP = timedelta(days=90)  # how long sent, failed and dead rows stay for looking into
MULTICAST_MAX = 500  # LINE: at most 500 user IDs per multicast
MESSAGES_MAX = 5  # LINE: at most 5 message objects per request
KINDS = ("push", "multicast", "broadcast", "richmenu")


def enqueue(session: Session, kind: str, recipients: list[str], messages: list[dict[str, Any]], now: datetime,
            origin: str = "", cost: int | None = None) -> OutboxMessage:
    """Add one outbox row (kind "push", "multicast", "broadcast", or "richmenu"); flushes, never commits.

    `messages` are LINE message objects as dicts (SDK `Message.to_dict()`, 1..5 of them); `now` (UTC)
    is when it becomes due. `cost` is what it takes from the monthly quota, which LINE counts per
    recipient, not per message object: it defaults to the number of `recipients`, so pass the head
    count for a push to a group or room and the follower count for a broadcast. A "richmenu" row links
    1..500 users' rich menus (`storage.richmenus`): `messages` is one payload ``{"role": ...}``, cost 0.
    Raises ValueError for an unknown kind or a wrong number of recipients or message objects.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind!r}")
    if kind == "richmenu" and not (1 <= len(recipients) <= MULTICAST_MAX and len(messages) == 1):
        raise ValueError(f"a rich menu link has 1..{MULTICAST_MAX} users and one payload")
    if kind == "push" and len(recipients) != 1:
        raise ValueError("a push has exactly one recipient")
    if kind == "multicast" and not 1 <= len(recipients) <= MULTICAST_MAX:
        raise ValueError(f"a multicast has 1..{MULTICAST_MAX} recipients")
    if kind == "broadcast" and recipients:
        raise ValueError("a broadcast goes to every follower: no recipients")
    if not 1 <= len(messages) <= MESSAGES_MAX:
        raise ValueError(f"LINE sends 1..{MESSAGES_MAX} message objects per request, not {len(messages)}")
    row = OutboxMessage(kind=kind, recipients=list(recipients), messages=list(messages),
                        retry_key=str(uuid.uuid4()), status="pending", attempts=0, next_attempt_at=now,
                        cost=len(recipients) if cost is None else cost, origin=origin[:60],
                        created_at=now)
    session.add(row)
    session.flush()
    return row


def enqueue_multicasts(session: Session, users: list[str], messages: list[dict[str, Any]], now: datetime,
                       origin: str = "") -> list[OutboxMessage]:
    """`enqueue` `messages` to `users` as multicasts of at most `MULTICAST_MAX` user IDs each."""
    return [enqueue(session, "multicast", users[i:i + MULTICAST_MAX], messages, now, origin=origin)
            for i in range(0, len(users), MULTICAST_MAX)]


def claim(session: Session, worker: str, now: datetime, limit: int = 20,
          ids: list[int] | None = None) -> list[OutboxMessage]:
    """Claim up to `limit` due rows (only `ids` if given) for `worker`: status → sending, a `LEASE`
    from `now` (UTC), attempts + 1. Due: pending with `next_attempt_at <= now`, or sending with an
    expired lease. Returns the claimed rows, oldest first; commit before sending them."""
    due = or_(
        (OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == "sending") & (OutboxMessage.lease_until < now),
    )
    claimed_ids: list[int] = []
    tried: list[int] = []
    while len(claimed_ids) < limit:
        stmt = select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.attempts).where(due) \
            .order_by(OutboxMessage.id).limit(limit - len(claimed_ids))
        if ids is not None:
            stmt = stmt.where(OutboxMessage.id.in_(ids))
        if tried:
            stmt = stmt.where(OutboxMessage.id.not_in(tried))
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        lost = 0
        for row_id, status, attempts in session.execute(stmt).all():
            tried.append(row_id)
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row_id, OutboxMessage.status == status, OutboxMessage.attempts == attempts)
                .values(status="sending", lease_until=now + LEASE, claimed_by=worker, attempts=attempts + 1)
                .execution_options(synchronize_session=False))
            if result.rowcount == 1:
                claimed_ids.append(row_id)
            else:
                lost += 1
        if not lost:  # every candidate is ours: nothing more is due, or we have `limit`
            break
        # (SQLite) other workers took some of the same oldest rows first: look again past them, so a
        # worker that loses a race takes the next rows instead of going home empty-handed
    if not claimed_ids:
        return []
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(claimed_ids))
                                .order_by(OutboxMessage.id).execution_options(populate_existing=True)))


def _owned(session: Session, row_id: int, worker: str):
    return update(OutboxMessage).where(OutboxMessage.id == row_id, OutboxMessage.claimed_by == worker,
                                       OutboxMessage.status == "sending")


def mark_sent(session: Session, row_id: int, worker: str, now: datetime, request_id: str | None,
              status: int = 200) -> bool:
    """Record a successful (or already accepted, 409) delivery; False if `worker` no longer held it."""
    return session.execute(_owned(session, row_id, worker).values(
        status="sent", sent_at=now, lease_until=None, last_status=status, request_id=request_id)).rowcount == 1


def mark_retry(session: Session, row_id: int, worker: str, next_at: datetime, status: int | None, error: str,
               request_id: str | None) -> bool:
    """Record a retryable failure (429, 5xx, timeout): pending again from `next_at` (UTC); False if
    `worker` no longer held it."""
    return session.execute(_owned(session, row_id, worker).values(
        status="pending", next_attempt_at=next_at, lease_until=None, last_status=status,
        last_error=error[:2000], request_id=request_id)).rowcount == 1


def mark_failed(session: Session, row_id: int, worker: str, final: str, status: int | None, error: str,
                request_id: str | None) -> bool:
    """Record a final failure: `final` is "failed" (LINE refused it) or "dead" (out of tries); False if
    `worker` no longer held it."""
    if final not in ("failed", "dead"):
        raise ValueError(f"not a final status: {final!r}")
    return session.execute(_owned(session, row_id, worker).values(
        status=final, lease_until=None, last_status=status, last_error=error[:2000],
        request_id=request_id)).rowcount == 1


def release(session: Session, row_ids: list[int], worker: str, next_at: datetime | None = None) -> int:
    """Give back rows `worker` claimed but did not try to send: pending again, the claim's attempt not
    counted, due from `next_at` (UTC) if given, else as before. Returns how many were released."""
    if not row_ids:
        return 0
    values: dict[str, Any] = {"status": "pending", "lease_until": None, "attempts": OutboxMessage.attempts - 1}
    if next_at is not None:
        values["next_attempt_at"] = next_at
    return session.execute(update(OutboxMessage).where(
        OutboxMessage.id.in_(row_ids), OutboxMessage.claimed_by == worker, OutboxMessage.status == "sending")
        .values(**values).execution_options(synchronize_session=False)).rowcount


def pending_push_to(session: Session, recipient: str, origin: str) -> OutboxMessage | None:
    """The newest push of `origin` to `recipient` that no worker has tried yet (pending, 0 attempts),
    row-locked on PostgreSQL until the transaction ends (SQLite has one writer at a time anyway); None
    if there is none. Lets a caller add to a notice that has not left yet instead of queueing another."""
    return session.scalars(
        select(OutboxMessage).where(OutboxMessage.origin == origin, OutboxMessage.kind == "push",
                                    OutboxMessage.status == "pending", OutboxMessage.attempts == 0,
                                    OutboxMessage.recipients[0].as_string() == recipient)
        .order_by(OutboxMessage.id.desc()).limit(1).with_for_update()).first()


def prune(session: Session, now: datetime, keep: timedelta = KEEP) -> int:
    """Delete sent, failed and dead rows created more than `keep` before `now` (UTC); rows still pending or
    sending are never touched. A finished broadcast keeps its totals in `Broadcast.report`. Returns count."""
    return session.execute(delete(OutboxMessage).where(
        OutboxMessage.status.in_(("sent", "failed", "dead")), OutboxMessage.created_at < now - keep)
        .execution_options(synchronize_session=False)).rowcount
