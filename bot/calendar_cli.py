"""`flask holidays …`: the office's edits of the working-day calendar (`handlers.core.workdays`).

Dates are typed as YYYY-MM-DD with a Christian-Era or Buddhist-Era year ("2027-04-16" or "2570-04-16")
and shown as Thai staff read them.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import click
from flask.cli import with_appcontext

from bot.admin_cli import cli_actor
from handlers.core.thaidate import MONTHS_SHORT
from handlers.core.workdays import office_calendar, public_holidays
from storage import get_storage, holidays

BE_OFFSET = 543


def parse_day(text: str) -> date:
    """A YYYY-MM-DD date; a year past 2400 is Buddhist Era. Raises click.BadParameter."""
    try:
        y, m, d = (int(p) for p in text.strip().split("-"))
        return date(y - BE_OFFSET if y > 2400 else y, m, d)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date like 2027-04-16 or 2570-04-16") from None


def thai_day(day: date) -> str:
    """e.g. ``16 เม.ย. 2570``."""
    return f"{day.day} {MONTHS_SHORT[day.month - 1]} {day.year + BE_OFFSET}"


def add_day(day: date, name: str) -> str:
    """Make `day` a day off named `name`; returns what to print."""
    with get_storage().Session.begin() as session:
        holidays.set_day(session, day, True, name, cli_actor().user_id, datetime.now(timezone.utc))
    return f"{thai_day(day)} is now a day off: {name}"


def remove_day(day: date) -> str:
    """Undo an added day off, or make a public holiday a working day; returns what to print."""
    with get_storage().Session.begin() as session:
        edit = next((e for e in holidays.edits(session) if e.day == day), None)
        if edit is not None and edit.off:
            holidays.clear_day(session, day)
            return f"{thai_day(day)}: the added day off is removed"
        if day in public_holidays(day.year):
            holidays.set_day(session, day, False, public_holidays(day.year)[day], cli_actor().user_id,
                             datetime.now(timezone.utc))
            return f"{thai_day(day)} ({public_holidays(day.year)[day]}) is now a working day for the office"
    return f"{thai_day(day)} is not a day off; nothing to remove"


def list_days(year: int) -> str:
    """Every day off of CE `year` that is not a weekend, and the office's edits, one line each."""
    with get_storage().Session() as session:
        cal = office_calendar(session)
        edited = {e.day: e for e in holidays.edits(session, year)}
    days = sorted(set(public_holidays(year)) | set(edited))
    lines = []
    for day in days:
        reason = cal.day_off(day)
        mark = " (office)" if day in edited else ""
        lines.append(f"{thai_day(day)}  {reason if reason else 'working day: ' + public_holidays(year).get(day, '')}"
                     f"{mark}")
    return "\n".join(lines) or "no holidays"


@click.group("holidays", help="Days off beyond weekends: public holidays and the office's own edits.")
def holidays_cli() -> None:
    pass


@holidays_cli.command("add", help="Make DAY (YYYY-MM-DD, CE or BE year) a day off named NAME.")
@with_appcontext
@click.argument("day")
@click.argument("name")
def add_command(day: str, name: str) -> None:
    click.echo(add_day(parse_day(day), name))


@holidays_cli.command("remove", help="Undo an added day off, or make a public holiday a working day.")
@with_appcontext
@click.argument("day")
def remove_command(day: str) -> None:
    click.echo(remove_day(parse_day(day)))


@holidays_cli.command("list", help="The year's days off (default: this year; BE years accepted).")
@with_appcontext
@click.option("--year", type=int, default=None)
def list_command(year: int | None) -> None:
    year = year or datetime.now(timezone.utc).year
    click.echo(list_days(year - BE_OFFSET if year > 2400 else year))


COMMANDS = (holidays_cli,)
