"""A request limiter per LINE endpoint, shared through the database by every process and thread.

LINE limits requests per channel and endpoint (Messaging API reference, "Rate limits") and advises a
limiter shared across processes; Redis is not assumed, so the counters live in the `rate_limits` table
(`storage.models.RateLimit`), which works the same on SQLite and PostgreSQL.

`LIMITS` maps an endpoint to ``(requests, period in seconds)``: push 2,000 requests per second, multicast
200 per second, broadcast and narrowcast 60 per hour (3,600 s). Endpoints not listed are not limited.

Fixed windows: a window opens with the first request after the previous one closed and lasts `period`
seconds; at most `requests` requests are let through in it. Worst case, two full windows back to back
let up to twice the limit through within one period that straddles them; LINE answers any excess with
a 429, which the outbox retries after `Retry-After`.

`acquire` is one short transaction of its own, committed at once so other workers see the count:
an atomic ``UPDATE … SET count = count + 1 WHERE … count < limit`` on the current window, else an
UPDATE that opens a new window if the old one has ended, else an INSERT for the endpoint's first
request (a concurrent INSERT loses on the primary key and looks again). On PostgreSQL concurrent
UPDATEs of the row queue on its row lock and each re-checks its WHERE against the committed count;
SQLite has one writer at a time. Either way the cap holds across processes.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from storage.models import RateLimit

LIMITS: dict[str, tuple[int, float]] = {
    "push": (2000, 1.0),  # requests per second
    "multicast": (200, 1.0),  # requests per second
    "broadcast": (60, 3600.0),  # requests per hour
    "narrowcast": (60, 3600.0),  # requests per hour
}
"""endpoint -> (requests, per this many seconds): LINE's documented limits."""


def acquire(Session: sessionmaker, endpoint: str, now: datetime,
            limits: dict[str, tuple[int, float]] | None = None, n: int = 1) -> float:
    """Take `n` requests (all or none) of `endpoint`'s allowance at `now` (UTC) in a transaction of its own.

    Returns 0.0 when the `n` requests may be sent now, else the seconds until the current window ends
    (when asking again can succeed; with `n` > 1, asking for fewer may succeed sooner); never sends
    anything. Taking several at once saves a transaction per request (about 10 ms on SQLite); a
    taken request that is not sent is simply lost for that window. `limits` defaults to `LIMITS`. Workers' clocks
    differ a little (each run counts from its own start), so a `now` slightly before the window's start
    still counts in that window; one more than a period before it (a clock set back) opens a new
    window at `now`. Raises database errors only.
    """
    limits = LIMITS if limits is None else limits
    if endpoint not in limits:
        return 0.0
    cap, period = limits[endpoint]
    if not 1 <= n <= cap:
        raise ValueError(f"n must be 1..{cap} for {endpoint}")
    span = timedelta(seconds=period)
    for _ in range(5):  # lost races (a window opened, a row inserted by someone else) look again
        with Session.begin() as session:
            row = RateLimit.endpoint == endpoint
            took = session.execute(
                update(RateLimit).where(row, RateLimit.window_start > now - span,
                                        RateLimit.window_start <= now + span, RateLimit.count + n <= cap)
                .values(count=RateLimit.count + n).execution_options(synchronize_session=False)).rowcount
            if took == 1:
                return 0.0
            opened = session.execute(
                update(RateLimit).where(row, or_(RateLimit.window_start <= now - span,
                                                 RateLimit.window_start > now + span))
                .values(window_start=now, count=n).execution_options(synchronize_session=False)).rowcount
            if opened == 1:
                return 0.0
            current = session.execute(select(RateLimit.window_start, RateLimit.count).where(row)).first()
            if current is None:
                try:
                    with session.begin_nested():
                        session.add(RateLimit(endpoint=endpoint, window_start=now, count=n))
                    return 0.0
                except IntegrityError:
                    continue
            start, count = current
            if count + n > cap and now - span < start <= now + span:
                return max((start + span - now).total_seconds(), 0.001)
        # the window changed between our statements: try again
    return 0.01


def batch_size(endpoint: str, wanted: int, limits: dict[str, tuple[int, float]] | None = None) -> int:
    """How many of `wanted` requests to take at once for `endpoint`: at most 1% of its window (so a
    run that stops early wastes little) and at most 20; at least 1."""
    limits = LIMITS if limits is None else limits
    cap = limits.get(endpoint, (100, 1.0))[0]
    return max(1, min(wanted, cap // 100, 20))


def usage(Session: sessionmaker, endpoint: str) -> tuple[datetime, int] | None:
    """`(window_start, count)` of `endpoint`'s current counter, or None if it was never used."""
    with Session() as session:
        got = session.execute(select(RateLimit.window_start, RateLimit.count)
                              .where(RateLimit.endpoint == endpoint)).first()
        return (got[0], got[1]) if got else None
