"""Jobs: plain functions `job(runtime, now)` (now is UTC), each owning its transactions.

`JOBS` names them for `flask run-job NAME`; `SCHEDULE` says how often the scheduler runs each.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from bot import announce, render
from bot.delivery import check_quota, deliver_due
from handlers.complaints import retention, sla
from storage import broadcasts, line_facts, outbox, queries


def deliver_outbox(runtime: Any, now: datetime) -> str:
    """Send what is due in the outbox (pushes, multicasts, broadcasts)."""
    return str(deliver_due(runtime, now))


def check_line_quota(runtime: Any, now: datetime) -> str:
    """While outbox rows are held for LINE's monthly quota, ask LINE what is left and release what fits."""
    return check_quota(runtime, now)


def prune_processed_events(runtime: Any, now: datetime) -> str:
    """Forget webhook event IDs older than 7 days (LINE redelivers only within a day)."""
    with runtime.storage.Session.begin() as session:
        n = queries.prune_processed_events(session, now)
    return f"pruned {n} processed events"


def prune_outbox(runtime: Any, now: datetime) -> str:
    """Forget outbox rows that ended (sent, failed, dead) more than 90 days ago."""
    with runtime.storage.Session.begin() as session:
        n = outbox.prune(session, now)
    return f"pruned {n} outbox rows"


def send_broadcasts(runtime: Any, now: datetime) -> str:
    """Start the scheduled broadcasts whose time has come: each in one transaction, its outbox rows written
    and its status "sending" (the deliver-outbox job sends them). Safe in several processes."""
    with runtime.storage.Session.begin() as session:
        due = broadcasts.due_ids(session, now)
    started = []
    for broadcast_id in due:
        with runtime.storage.Session.begin() as session:
            bc = broadcasts.claim(session, broadcast_id, "scheduled", "sending")
            if bc is not None:
                broadcasts.start_sending(session, bc, announce.messages_for(bc), now)
                started.append(broadcast_id)
    return f"started {len(started)} broadcasts {started}"


def report_broadcasts(runtime: Any, now: datetime) -> str:
    """Finish the sending broadcasts whose outbox rows are all final: status "sent", the report stored,
    and the author told (sent, failed, cost) by a push through the outbox."""
    finished = []
    with runtime.storage.Session.begin() as session:
        for bc in broadcasts.sending(session):
            if broadcasts.finish_if_done(session, bc, now) is not None:
                outbox.enqueue(session, "push", [bc.author_id], announce.report_messages(bc, runtime.content), now,
                               origin=f"broadcast-report:{bc.id}")
                finished.append(bc.id)
    return f"reported {len(finished)} broadcasts {finished}"


def refresh_line_facts(runtime: Any, now: datetime) -> str:
    """Re-read the channel's quota and usage, and the head counts of group chats that are unknown or
    older than a day (at most `FACTS_CHATS` per run), from LINE; LINE is asked outside any transaction."""
    with runtime.storage.Session.begin() as session:
        stale = line_facts.stale_chats(session, now, FACTS_CHATS)
    stored = runtime.refresh_facts(stale, channel=True)
    return f"refreshed quota/usage ({stored['channel']} facts) and {stored['chats']}/{len(stale)} group chats"


def complaint_sla(runtime: Any, now: datetime) -> str:
    """Complaint deadlines (`handlers.complaints.sla`): remind officers before a deadline and tell admins of
    a missed one, each notice once, one push per person through the outbox, in one transaction."""
    with runtime.storage.Session.begin() as session:
        pushes = sla.sweep(session, now, runtime.settings.admin_user_ids)
        for to, replies in pushes:
            outbox.enqueue(session, "push", [to], render.as_dicts(replies), now, origin="complaint-sla")
    return f"complaint deadline notices to {len(pushes)} people"


def complaint_purge(runtime: Any, now: datetime) -> str:
    """Erase complainants' data that is due (`handlers.complaints.retention`): erasure requests, then cases
    closed more than the retention period ago; then delete their files from EVIDENCE_DIR."""
    with runtime.storage.Session.begin() as session:
        done = retention.carry_out(session, now)
    with runtime.storage.Session.begin() as session:
        files = retention.delete_files(session, runtime.evidence_dir)
    return (f"purged {len(done.purged)} cases {done.purged}, erased {len(done.erased)} on request {done.erased} "
            f"({len(done.requests_done)} requests done), deleted {files} files")


FACTS_CHATS = 200  # group chats re-read per refresh-line-facts run (LINE allows 2,000 such requests a second)

JOBS: dict[str, Callable[[Any, datetime], str]] = {
    "send-broadcasts": send_broadcasts,
    "report-broadcasts": report_broadcasts,
    "deliver-outbox": deliver_outbox,
    "check-quota": check_line_quota,
    "prune-events": prune_processed_events,
    "prune-outbox": prune_outbox,
    "refresh-line-facts": refresh_line_facts,
    "complaint-sla": complaint_sla,
    "complaint-purge": complaint_purge,
}
# APScheduler trigger arguments per job
SCHEDULE: dict[str, dict[str, Any]] = {
    "deliver-outbox": {"trigger": "interval", "seconds": 3},
    "check-quota": {"trigger": "interval", "minutes": 10},
    "send-broadcasts": {"trigger": "interval", "seconds": 30},
    "report-broadcasts": {"trigger": "interval", "seconds": 30},
    "prune-events": {"trigger": "cron", "hour": 3, "minute": 17},
    "prune-outbox": {"trigger": "cron", "hour": 3, "minute": 27},
    "refresh-line-facts": {"trigger": "interval", "minutes": 15},
    # office hours, Bangkok (UTC+7): 08:30–17:30, hourly; notices go out on working days only
    "complaint-sla": {"trigger": "cron", "hour": "1-10", "minute": 30},
    "complaint-purge": {"trigger": "cron", "hour": 3, "minute": 37},
}


def run(runtime: Any, name: str, now: datetime | None = None) -> str:
    """Run job `name` once at `now` (default: the current UTC time)."""
    return JOBS[name](runtime, now or datetime.now(timezone.utc))
