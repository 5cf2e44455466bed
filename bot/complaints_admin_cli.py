"""`flask complaints report|purge`: the statistics spreadsheet and the retention purge.

These commands join the `flask complaints` group of the officers' desk (`bot.complaints_cli.complaints`,
with list/show/move/note/reply); `bot.cli` imports this module so they are on the group it registers.

Dates are typed YYYY-MM-DD with a Christian-Era or Buddhist-Era year (2027-10-01 or 2570-10-01), Bangkok.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from bot.calendar_cli import parse_day
from bot.complaints_report import write_report
from handlers.complaints.stats import span, summarize
from scheduler import jobs
from storage import get_storage

from bot.complaints_cli import complaints


def report(start: date, end: date, out: Path, now: datetime) -> str:
    """Write the statistics of the cases filed from `start` to `end` (Bangkok dates) to `out`; what to print."""
    with get_storage().Session() as session:
        summary = summarize(session, span(start, end), now)
        session.rollback()  # reading fills in missing due dates for the figures; nothing is stored
    write_report(summary, out, current_app.config["OFFICE_NAME"])
    return f"{out}: {summary.total} cases filed {start.isoformat()}..{end.isoformat()}"


@complaints.command("report", help="Write the complaint statistics of a period to an Excel file (no identities).")
@click.option("--from", "start", required=True, help="First filing day, YYYY-MM-DD (CE or BE year).")
@click.option("--to", "end", required=True, help="Last filing day, YYYY-MM-DD (CE or BE year).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The .xlsx file.")
@with_appcontext
def report_command(start: str, end: str, out: Path) -> None:
    first, last = parse_day(start), parse_day(end)
    if last < first:
        raise click.BadParameter("--to is before --from")
    click.echo(report(first, last, out, current_app.extensions["bot"].clock()))


@complaints.command("purge", help="Erase complainants' identities and attachments that are due: cases closed "
                                  "more than the retention period ago, and erasure requests (the daily "
                                  "complaint-purge job, run now).")
@with_appcontext
def purge_command() -> None:
    runtime = current_app.extensions["bot"]
    click.echo(jobs.complaint_purge(runtime, runtime.clock()))
