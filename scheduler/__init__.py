"""Scheduled jobs (APScheduler 3.x). Jobs are plain functions in `scheduler.jobs`; `flask run-job NAME`
runs one now."""
from __future__ import annotations

import click
from flask import Flask, current_app

from scheduler import jobs


@click.command("run-job", help="Run one scheduled job now: " + ", ".join(jobs.JOBS))
@click.argument("name", type=click.Choice(sorted(jobs.JOBS)))
def run_job_command(name: str) -> None:
    click.echo(jobs.run(current_app.extensions["bot"], name))


def init_app(app: Flask) -> None:
    """Register the scheduler's CLI on `app`."""
    app.cli.add_command(run_job_command)
