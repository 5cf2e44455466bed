"""Jobs: plain functions `job(runtime, now)` (now is UTC), each owning its transactions.

`JOBS` names them for `flask run-job NAME`; `SCHEDULE` says how often the scheduler runs each.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from bot.delivery import deliver_due
from storage import queries


def deliver_outbox(runtime: Any, now: datetime) -> str:
    """Send what is due in the outbox (pushes, multicasts, broadcasts)."""
    return str(deliver_due(runtime, now))


def prune_processed_events(runtime: Any, now: datetime) -> str:
    """Forget webhook event IDs older than 7 days (LINE redelivers only within a day)."""
    with runtime.storage.Session.begin() as session:
        n = queries.prune_processed_events(session, now)
    return f"pruned {n} processed events"


JOBS: dict[str, Callable[[Any, datetime], str]] = {
    "deliver-outbox": deliver_outbox,
    "prune-events": prune_processed_events,
}
# APScheduler trigger arguments per job
SCHEDULE: dict[str, dict[str, Any]] = {
    "deliver-outbox": {"trigger": "interval", "seconds": 3},
    "prune-events": {"trigger": "cron", "hour": 3, "minute": 17},
}


def run(runtime: Any, name: str, now: datetime | None = None) -> str:
    """Run job `name` once at `now` (default: the current UTC time)."""
    return JOBS[name](runtime, now or datetime.now(timezone.utc))
