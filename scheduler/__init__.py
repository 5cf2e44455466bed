"""Scheduled jobs on APScheduler 3.x.

Production runs one separate process, `python -m scheduler`; web workers never run jobs. For local use
the scheduler can run inside the app process (`SCHEDULER_EMBEDDED=1`, and the `chat` console always
does), so a newcomer's single command gets deliveries too. `flask run-job NAME` runs one job now, and
`flask run-job NAME --at 2027-03-17T08:30+07:00` runs it as of that instant (the jobs take `now`).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from flask import Flask, current_app
from flask.cli import with_appcontext

from handlers.core.thaidate import BANGKOK
from scheduler import jobs

log = logging.getLogger(__name__)


def _run_job(runtime: Any, name: str) -> None:
    try:
        result = jobs.run(runtime, name, datetime.now(timezone.utc))
        log.debug("job %s: %s", name, result)
    except Exception:
        log.exception("job %s failed", name)


def add_jobs(sched: BaseScheduler, runtime: Any) -> BaseScheduler:
    """Register every job of `jobs.SCHEDULE` on `sched` with its name as id and job name
    (replace_existing), one run at a time per job. Returns `sched`."""
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not an INFO line per run every 3 s
    for name, trigger in jobs.SCHEDULE.items():
        sched.add_job(_run_job, args=(runtime, name), id=name, name=name, replace_existing=True, coalesce=True,
                      max_instances=1, misfire_grace_time=30, **trigger)
    return sched


def start_embedded(app: Flask, runtime: Any = None) -> BackgroundScheduler:
    """Start the jobs in a background thread of this process (development and the console), on `runtime`
    (default: the app's; the console passes its offline one so it can show what the jobs send)."""
    sched = add_jobs(BackgroundScheduler(timezone="UTC"), runtime or app.extensions["bot"])
    sched.start()
    app.extensions["scheduler"] = sched
    return sched


def parse_at(text: str) -> datetime:
    """An instant typed as ISO-8601 ("2027-03-17T08:30+07:00", "2027-03-17T01:30Z"); without an offset
    it is read as Asia/Bangkok, the office's time. Returns UTC; raises click.BadParameter."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not ISO-8601, e.g. 2027-03-17T08:30+07:00") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=BANGKOK)
    return value.astimezone(timezone.utc)


@click.command("run-job", help="Run one scheduled job now (or as of --at): " + ", ".join(jobs.JOBS))
@with_appcontext
@click.argument("name", type=click.Choice(sorted(jobs.JOBS)))
@click.option("--at", "at", default=None, metavar="ISO-8601",
              help="run as of this instant (no offset: Asia/Bangkok), e.g. 2027-03-17T08:30+07:00")
def run_job_command(name: str, at: str | None) -> None:
    now = parse_at(at) if at else None
    click.echo(jobs.run(current_app.extensions["bot"], name, now))


def init_app(app: Flask) -> None:
    """Register the scheduler's CLI; start it embedded when `SCHEDULER_EMBEDDED` is set."""
    app.cli.add_command(run_job_command)
    if app.config.get("SCHEDULER_EMBEDDED"):
        start_embedded(app)
