"""Jobs: plain functions `job(runtime, now)` (now is UTC), each owning its transactions.

`JOBS` names them for `flask run-job NAME`; `SCHEDULE` says how often the scheduler runs each.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from bot import announce, render
from bot.delivery import check_quota, deliver_due
from handlers.complaints import filing as complaint_filing, retention, sla
from handlers.reminders import sweep
from storage import broadcasts, kept_files, line_facts, outbox, queries
from storage.bootlock import leader_lock

SWEEP_LOCK_KEY = 72_557_013  # the reminder sweep's leader lock (storage.bootlock.leader_lock)


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


def prune_files(runtime: Any, now: datetime) -> str:
    """Delete kept files (under EVIDENCE_DIR) that nothing in the database points at and that are older than
    `FILES_GRACE` at `now`: photos sent into a report or a complaint that was then cancelled or expired
    (`storage.kept_files`). The grace covers a file fetched for an event still being handled."""
    with runtime.storage.Session() as session:
        keep = kept_files.referenced(session)
    root = Path(runtime.evidence_dir)
    cutoff = (now - FILES_GRACE).timestamp()
    removed = 0
    for path in root.rglob("*") if root.is_dir() else ():
        try:
            if path.is_file() and path.relative_to(root).as_posix() not in keep and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:  # another process removed it first
            pass
    return f"removed {removed} unreferenced files"


FILES_GRACE = timedelta(days=1)


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


def send_reminders(runtime: Any, now: datetime) -> str:
    """The reminder sweep (`handlers.reminders.sweep`): queue the deadline reminders due at `now` that
    are not queued yet, each with its dedupe key, as far as the month's quota covers them (the admins
    warned once a month when it does not). One process sweeps at a time (a PostgreSQL advisory lock, or
    a file lock beside a SQLite database); a second one started by mistake skips its turn. Rows are
    written one round per transaction; an interrupted sweep is finished by the next one."""
    with leader_lock(runtime.storage.engine, SWEEP_LOCK_KEY) as leading:
        if not leading:
            return "another process is sweeping"
        with runtime.storage.Session() as session:
            planned = sweep.plan(session, runtime.content, runtime.settings, now)
            left = sweep.budget(session) if planned else None
            chosen, skipped = sweep.fit(planned, left)
            warnings = []
            if skipped:  # warn the admins (once a month), their warning's cost set aside first
                warnings = sweep.quota_warnings(session, runtime.settings, now, left or 0,
                                                sum(o.cost for o in planned), len(skipped))
                chosen, skipped = sweep.fit(planned, (left or 0) - sum(w.cost for w in warnings))
        queued = 0
        by_round: dict[int, list[tuple[sweep.Outgoing, list]]] = {}
        for o in warnings + chosen:  # rendered before any write transaction opens
            by_round.setdefault(o.round_id, []).append((o, render.as_dicts(list(o.replies))))
        for round_id, rows in by_round.items():
            with runtime.storage.Session.begin() as session:
                for o, messages in rows:
                    origin = sweep.QUOTA_ORIGIN if round_id == 0 else f"{sweep.ORIGIN}:{round_id}"
                    queued += outbox.enqueue(session, "push", [o.to], messages, now, origin=origin, cost=o.cost,
                                             dedupe_key=o.key) is not None
    cost = sum(o.cost for o in chosen)
    return (f"queued {queued} reminders (planned {len(planned)}, cost {cost}"
            + (f", {len(skipped)} over the quota" if skipped else "") + ")")


def expire_complaint_drafts(runtime: Any, now: datetime) -> str:
    """End complaint drafts idle for 30 minutes and tell each writer (a push through the outbox, in the same
    transaction as the removal, so each draft is noticed once)."""
    with runtime.storage.Session.begin() as session:
        gone = complaint_filing.expire_drafts(session, now)
        for user_id, replies in gone:
            outbox.enqueue(session, "push", [user_id], render.as_dicts(replies), now, origin="complaint-draft")
    return f"expired {len(gone)} complaint drafts"


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
    "prune-files": prune_files,
    "refresh-line-facts": refresh_line_facts,
    "reminders": send_reminders,
    "complaint-drafts": expire_complaint_drafts,
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
    "prune-files": {"trigger": "cron", "hour": 3, "minute": 47},
    "refresh-line-facts": {"trigger": "interval", "minutes": 15},
    "reminders": {"trigger": "interval", "minutes": 5},
    "complaint-drafts": {"trigger": "interval", "minutes": 1},
    # office hours, Bangkok (UTC+7): 08:30–17:30, hourly; notices go out on working days only
    "complaint-sla": {"trigger": "cron", "hour": "1-10", "minute": 30},
    "complaint-purge": {"trigger": "cron", "hour": 3, "minute": 37},
}


def run(runtime: Any, name: str, now: datetime | None = None) -> str:
    """Run job `name` once at `now` (default: the current UTC time)."""
    return JOBS[name](runtime, now or datetime.now(timezone.utc))
