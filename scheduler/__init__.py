"""Scheduled jobs on APScheduler 3.x.

Production runs one separate process, `python -m scheduler`; web workers never run jobs. For local use
the scheduler can run inside the app process (`SCHEDULER_EMBEDDED=1`, and the `chat` console always
does), so a newcomer's single command gets deliveries too. `flask run-job NAME` runs one job now.
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


@click.command("run-job", help="Run one scheduled job now: " + ", ".join(jobs.JOBS))
@with_appcontext
@click.argument("name", type=click.Choice(sorted(jobs.JOBS)))
def run_job_command(name: str) -> None:
    click.echo(jobs.run(current_app.extensions["bot"], name))


def init_app(app: Flask) -> None:
    """Register the scheduler's CLI; start it embedded when `SCHEDULER_EMBEDDED` is set."""
    app.cli.add_command(run_job_command)
    if app.config.get("SCHEDULER_EMBEDDED"):
        start_embedded(app)
