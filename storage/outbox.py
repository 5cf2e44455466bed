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

"held" rows wait for LINE's monthly message quota (see `storage.models.OutboxMessage`): they are due
again at their `next_attempt_at` (when the quota resets), or when `release_held` makes them pending.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import OutboxMessage

LEASE = timedelta(seconds=60)
KEEP = timedelta(days=90)  # how long sent, failed and dead rows stay for looking into
KEEP_KEYED = timedelta(days=400)  # rows with a dedupe key stay longer: the key is what stops a repeat
# (a reporting round can stay open past 90 days; its "ครบแล้ว" must still go once)
MULTICAST_MAX = 500  # LINE: at most 500 user IDs per multicast
MESSAGES_MAX = 5  # LINE: at most 5 message objects per request
KINDS = ("push", "multicast", "broadcast", "richmenu")


def enqueue(session: Session, kind: str, recipients: list[str], messages: list[dict[str, Any]], now: datetime,
            origin: str = "", cost: int | None = None, dedupe_key: str | None = None) -> OutboxMessage | None:
    """Add one outbox row (kind "push", "multicast", "broadcast", or "richmenu"); flushes, never commits.

    `messages` are LINE message objects as dicts (SDK `Message.to_dict()`, 1..5 of them); `now` (UTC)
    is when it becomes due. `cost` is what it takes from the monthly quota, which LINE counts per
    recipient, not per message object: it defaults to the number of `recipients`, so pass the head
    count for a push to a group or room and the follower count for a broadcast. A "richmenu" row links
    1..500 users' rich menus (`storage.richmenus`): `messages` is one payload ``{"role": ...}``, cost 0.
    With `dedupe_key` (≤ 120 characters) the row is written only if no row has that key yet: an INSERT …
    ON CONFLICT DO NOTHING (not a savepoint, which pysqlite turns into a commit), so two transactions
    queueing the same key at once make one row on SQLite and PostgreSQL alike; it then returns None
    when the key was there. Without a key it always returns the new row.
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
    values = dict(kind=kind, recipients=list(recipients), messages=list(messages), retry_key=str(uuid.uuid4()),
                  status="pending", attempts=0, next_attempt_at=now, cost=len(recipients) if cost is None else cost,
                  origin=origin[:60], created_at=now)
    if dedupe_key is not None:
        make = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        new_id = session.execute(make(OutboxMessage).values(dedupe_key=dedupe_key, **values)
                                 .on_conflict_do_nothing(index_elements=["dedupe_key"])
                                 .returning(OutboxMessage.id)).scalar()  # rowcount is -1 on psycopg here
        return session.get(OutboxMessage, new_id) if new_id is not None else None
    row = OutboxMessage(**values)
    session.add(row)
    session.flush()
    return row


def queued_keys(session: Session, prefix: str) -> set[str]:
    """The dedupe keys already queued (any status) that start with `prefix`, e.g. "rem:12:" for round 12."""
    return set(session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.startswith(prefix,
                                                                                                           autoescape=True))))


def committed_cost(session: Session, since: datetime | None) -> int:
    """Messages the outbox will still take from the quota, or took after `since` (UTC; when LINE's usage
    was last read): pending, sending and held rows, and rows sent after `since`."""
    waiting = OutboxMessage.status.in_(("pending", "sending", "held"))
    cond = waiting if since is None else or_(waiting, (OutboxMessage.status == "sent") & (OutboxMessage.sent_at > since))
    return int(session.scalar(select(func.coalesce(func.sum(OutboxMessage.cost), 0)).where(cond)) or 0)


def enqueue_multicasts(session: Session, users: list[str], messages: list[dict[str, Any]], now: datetime,
                       origin: str = "") -> list[OutboxMessage]:
    """`enqueue` `messages` to `users` as multicasts of at most `MULTICAST_MAX` user IDs each."""
    return [enqueue(session, "multicast", users[i:i + MULTICAST_MAX], messages, now, origin=origin)
            for i in range(0, len(users), MULTICAST_MAX)]


def claim(session: Session, worker: str, now: datetime, limit: int = 20,
          ids: list[int] | None = None) -> list[OutboxMessage]:
    """Claim up to `limit` due rows (only `ids` if given) for `worker`: status → sending, a `LEASE`
    from `now` (UTC), attempts + 1. Due: pending or held with `next_attempt_at <= now`, or sending with
    an expired lease. Returns the claimed rows, oldest first; commit before sending them."""
    due = or_(
        OutboxMessage.status.in_(("pending", "held")) & (OutboxMessage.next_attempt_at <= now),
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


def mark_held(session: Session, row_id: int, worker: str, until: datetime, status: int | None, error: str,
              request_id: str | None) -> bool:
    """Record a refusal for the monthly quota: "held" until `until` (UTC), the claim's attempt not
    counted, LINE's answer kept; False if `worker` no longer held it."""
    return session.execute(_owned(session, row_id, worker).values(
        status="held", next_attempt_at=until, lease_until=None, attempts=OutboxMessage.attempts - 1,
        last_status=status, last_error=error[:2000], request_id=request_id)).rowcount == 1


def hold(session: Session, row_ids: list[int], worker: str, until: datetime, reason: str) -> int:
    """Hold rows `worker` claimed but did not try (LINE would refuse them for the quota): "held" until
    `until` (UTC), the claim's attempt not counted, `reason` as their error. Returns how many."""
    if not row_ids:
        return 0
    return session.execute(update(OutboxMessage).where(
        OutboxMessage.id.in_(row_ids), OutboxMessage.claimed_by == worker, OutboxMessage.status == "sending")
        .values(status="held", next_attempt_at=until, lease_until=None, attempts=OutboxMessage.attempts - 1,
                last_error=reason[:2000]).execution_options(synchronize_session=False)).rowcount


def hold_pending(session: Session, until: datetime, reason: str) -> int:
    """Hold every pending row (due or not): LINE will refuse them all until the quota resets at `until`
    (UTC). Their attempts are untouched; `reason` becomes their error. Returns how many."""
    return session.execute(update(OutboxMessage).where(OutboxMessage.status == "pending")
                           .values(status="held", next_attempt_at=until, last_error=reason[:2000])
                           .execution_options(synchronize_session=False)).rowcount


def held_count(session: Session, exclude_origin: str | None = None) -> int:
    """How many rows are held for the quota (optionally not counting those of `exclude_origin`)."""
    stmt = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "held")
    if exclude_origin is not None:
        stmt = stmt.where(OutboxMessage.origin != exclude_origin)
    return session.scalar(stmt) or 0


def release_held(session: Session, now: datetime, budget: int | None = None) -> list[int]:
    """Make held rows pending again, due at `now` (UTC); returns their ids, oldest first.

    With `budget` (messages left in this month's quota), only rows that fit are released, oldest
    first, each taking its `cost` from the budget (a row that does not fit is skipped, a smaller later
    one may still fit); without it, every held row is released.
    """
    rows = session.execute(select(OutboxMessage.id, OutboxMessage.cost).where(OutboxMessage.status == "held")
                           .order_by(OutboxMessage.id)).all()
    chosen = []
    for row_id, cost in rows:
        if budget is None or cost <= budget:
            chosen.append(row_id)
            budget = None if budget is None else budget - cost
    if not chosen:
        return []
    released = []
    for start in range(0, len(chosen), 500):  # keep IN lists short
        part = chosen[start:start + 500]
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(part), OutboxMessage.status == "held")
                        .values(status="pending", next_attempt_at=now).execution_options(synchronize_session=False))
        released += part
    return released


def pending_push_to(session: Session, recipient: str, origin: str,
                    statuses: tuple[str, ...] = ("pending",)) -> OutboxMessage | None:
    """The newest push of `origin` to `recipient` that no worker has tried yet (in `statuses`, 0
    attempts), row-locked on PostgreSQL until the transaction ends (SQLite has one writer at a time
    anyway); None if there is none. Lets a caller add to a notice that has not left yet instead of
    queueing another. (A held row has 0 attempts too: LINE refused it without processing it.)"""
    return session.scalars(
        select(OutboxMessage).where(OutboxMessage.origin == origin, OutboxMessage.kind == "push",
                                    OutboxMessage.status.in_(statuses), OutboxMessage.attempts == 0,
                                    OutboxMessage.recipients[0].as_string() == recipient)
        .order_by(OutboxMessage.id.desc()).limit(1).with_for_update()).first()


def status_counts(session: Session) -> dict[str, int]:
    """How many outbox rows there are per status (only statuses that occur)."""
    return dict(session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())


def prune(session: Session, now: datetime, keep: timedelta = KEEP, keep_keyed: timedelta = KEEP_KEYED) -> int:
    """Delete sent, failed and dead rows created more than `keep` before `now` (UTC), or `keep_keyed` for rows
    with a dedupe key (a reminder step); rows still pending or sending are never touched. A finished broadcast
    keeps its totals in `Broadcast.report`. Returns count."""
    old = or_(and_(OutboxMessage.dedupe_key.is_(None), OutboxMessage.created_at < now - keep),
              OutboxMessage.created_at < now - keep_keyed)
    return session.execute(delete(OutboxMessage).where(OutboxMessage.status.in_(("sent", "failed", "dead")), old)
                           .execution_options(synchronize_session=False)).rowcount
