"""Outbox queries: enqueue in the caller's transaction; claim, and record each attempt's outcome.

Claiming is a compare-and-set UPDATE per row (works the same on SQLite and PostgreSQL); on PostgreSQL
the candidate SELECT also uses `FOR UPDATE SKIP LOCKED`, so concurrent workers skip each other's rows
instead of queueing behind them. Either way two workers never hold the same row.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from storage.models import OutboxMessage

LEASE = timedelta(seconds=60)
MULTICAST_MAX = 500  # LINE: at most 500 user IDs per multicast


def enqueue(session: Session, kind: str, recipients: list[str], messages: list[dict[str, Any]], now: datetime,
            origin: str = "", cost: int | None = None) -> OutboxMessage:
    """Add one outbox row (kind "push", "multicast" or "broadcast"); flushes, never commits.

    `messages` are LINE message objects as dicts (SDK `Message.to_dict()`); `cost` defaults to one
    message per recipient per message object.
    """
    if kind not in ("push", "multicast", "broadcast"):
        raise ValueError(f"unknown outbox kind {kind!r}")
    if kind == "push" and len(recipients) != 1:
        raise ValueError("a push has exactly one recipient")
    if kind == "multicast" and not 1 <= len(recipients) <= MULTICAST_MAX:
        raise ValueError(f"a multicast has 1..{MULTICAST_MAX} recipients")
    row = OutboxMessage(kind=kind, recipients=list(recipients), messages=list(messages),
                        retry_key=str(uuid.uuid4()), status="pending", attempts=0, next_attempt_at=now,
                        cost=len(messages) * max(len(recipients), 1) if cost is None else cost, origin=origin[:60],
                        created_at=now)
    session.add(row)
    session.flush()
    return row


def claim(session: Session, worker: str, now: datetime, limit: int = 20,
          ids: list[int] | None = None) -> list[OutboxMessage]:
    """Claim up to `limit` due rows (only `ids` if given) for `worker`: status → sending, a 60 s lease,
    attempts + 1. Returns the claimed rows."""
    due = or_(
        (OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == "sending") & (OutboxMessage.lease_until < now),
    )
    stmt = select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.attempts).where(due) \
        .order_by(OutboxMessage.id).limit(limit)
    if ids is not None:
        stmt = stmt.where(OutboxMessage.id.in_(ids))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    claimed_ids = []
    for row_id, status, attempts in session.execute(stmt).all():
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.status == status, OutboxMessage.attempts == attempts)
            .values(status="sending", lease_until=now + LEASE, claimed_by=worker, attempts=attempts + 1)
            .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            claimed_ids.append(row_id)
    if not claimed_ids:
        return []
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(claimed_ids))
                                .order_by(OutboxMessage.id).execution_options(populate_existing=True)))


def _owned(session: Session, row_id: int, worker: str):
    return update(OutboxMessage).where(OutboxMessage.id == row_id, OutboxMessage.claimed_by == worker,
                                       OutboxMessage.status == "sending")


def mark_sent(session: Session, row_id: int, worker: str, now: datetime, request_id: str | None,
              status: int = 200) -> None:
    """Record a successful (or already accepted, 409) delivery."""
    session.execute(_owned(session, row_id, worker).values(status="sent", sent_at=now, lease_until=None,
                                                           last_status=status, request_id=request_id))


def mark_retry(session: Session, row_id: int, worker: str, next_at: datetime, status: int | None, error: str,
               request_id: str | None) -> None:
    """Record a retryable failure (429, 5xx, timeout): pending again from `next_at`."""
    session.execute(_owned(session, row_id, worker).values(status="pending", next_attempt_at=next_at,
                                                           lease_until=None, last_status=status,
                                                           last_error=error[:2000], request_id=request_id))


def mark_failed(session: Session, row_id: int, worker: str, final: str, status: int | None, error: str,
                request_id: str | None) -> None:
    """Record a final failure: `final` is "failed" (LINE refused it) or "dead" (out of tries)."""
    session.execute(_owned(session, row_id, worker).values(status=final, lease_until=None, last_status=status,
                                                           last_error=error[:2000], request_id=request_id))
