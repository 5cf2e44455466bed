"""Jobs: plain functions of the runtime and `now` (UTC), each in its own transaction."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from storage import queries


def prune_processed_events(runtime: Any, now: datetime) -> str:
    """Forget webhook event IDs older than 7 days (LINE redelivers only within a day)."""
    with runtime.storage.Session.begin() as session:
        n = queries.prune_processed_events(session, now)
    return f"pruned {n} processed events"


JOBS: dict[str, Callable[[Any, datetime], str]] = {"prune-events": prune_processed_events}


def run(runtime: Any, name: str, now: datetime | None = None) -> str:
    """Run job `name` once at `now` (default: the current UTC time)."""
    return JOBS[name](runtime, now or datetime.now(timezone.utc))
