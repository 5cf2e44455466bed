"""`python -m scheduler`: the production job process (one per deployment; web workers never run jobs).

It builds the same app as the web server (configuration, database, LINE client) without serving HTTP,
and runs every job of `scheduler.jobs.SCHEDULE` until SIGTERM or Ctrl-C; a job that is running then
finishes before the process exits.
"""
from __future__ import annotations

import logging
import signal

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from bot import create_app
from scheduler import add_jobs

log = logging.getLogger("scheduler")


def build_scheduler(app: Flask) -> BlockingScheduler:
    """A blocking scheduler (UTC) with every job registered for `app`'s runtime; not started."""
    return add_jobs(BlockingScheduler(timezone="UTC"), app.extensions["bot"])


def stop_on_signals(sched: BlockingScheduler) -> None:
    """Make SIGTERM (what systemd and Docker send) and SIGINT shut `sched` down cleanly."""
    def stop(signum: int, _frame: object) -> None:
        log.info("scheduler process stopping on %s", signal.Signals(signum).name)
        sched.shutdown(wait=False)  # start() returns; the interpreter waits for a running job

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def main() -> None:
    """Build the app and its scheduler, and run the jobs until stopped."""
    app = create_app({"SCHEDULER_EMBEDDED": False})
    sched = build_scheduler(app)
    stop_on_signals(sched)
    log.info("scheduler process started: %s", ", ".join(job.id for job in sched.get_jobs()))
    sched.start()
    log.info("scheduler process stopped")


if __name__ == "__main__":
    main()
