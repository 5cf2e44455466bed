"""`python -m scheduler`: the production job process (one per deployment)."""
from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler

from bot import create_app
from scheduler import add_jobs


def main() -> None:
    app = create_app({"SCHEDULER_EMBEDDED": False})
    logging.getLogger("scheduler").info("scheduler process started")
    add_jobs(BlockingScheduler(timezone="UTC"), app.extensions["bot"]).start()


if __name__ == "__main__":
    main()
