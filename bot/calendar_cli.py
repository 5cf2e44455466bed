"""`flask holidays …`: the office's edits of the working-day calendar (`handlers.core.workdays`).

The edits are the chat's own (`handlers.calendar.actions`: the same checks and audit rows, as the CLI's
actor, `via="cli"`). Dates are typed as YYYY-MM-DD with a Christian-Era or Buddhist-Era year
("2027-04-16" or "2570-04-16") and shown as Thai staff read them.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Callable

import click
from flask.cli import with_appcontext

from bot.admin_cli import cli_actor
from handlers.calendar import actions
from handlers.calendar.actions import Change
from handlers.core.thaidate import thai_day
from handlers.core.types import UserFacingError
from storage import get_storage

BE_OFFSET = 543
SAID = {"added": "is now a day off", "renamed": "is now a day off", "restored": "is a day off again",
        "removed": "the added day off is removed", "worked": "is now a working day for the office"}


def parse_day(text: str) -> date:
    """A YYYY-MM-DD date; a year past 2400 is Buddhist Era. Raises click.BadParameter."""
    try:
        y, m, d = (int(p) for p in text.strip().split("-"))
        return date(y - BE_OFFSET if y > 2400 else y, m, d)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date like 2027-04-16 or 2570-04-16") from None


def _edit(fn: Callable[..., Change], *args) -> str:
    """Run the chat's own edit (`handlers.calendar.actions`) as the CLI's actor in one transaction;
    a refusal (Thai, as the chat says it) is a click error."""
    try:
        with get_storage().Session.begin() as session:
            change = fn(session, cli_actor(), *args, datetime.now(timezone.utc), via="cli")
    except UserFacingError as exc:
        raise click.ClickException(f"refused: {exc.message}") from None
    return f"{thai_day(change.day)} ({change.name}): {SAID[change.kind]}"


def add_day(day: date, name: str) -> str:
    """Make `day` a day off named `name`; returns what to print."""
    return _edit(actions.add_day_off, day, name)


def remove_day(day: date) -> str:
    """Undo an added day off, or make a public holiday a working day; returns what to print."""
    return _edit(actions.remove_day_off, day)


def list_days(year: int) -> str:
    """Every day off of CE `year` that is not a weekend, and the office's edits, one line each."""
    with get_storage().Session() as session:
        days = actions.days_off(session, date(year, 1, 1), date(year, 12, 31))
    shown = {"public": "{name}", "office": "{name} (office)", "worked": "working day: {name} (office)"}
    return "\n".join(f"{thai_day(d.day)}  {shown[d.kind].format(name=d.name)}" for d in days) or "no holidays"


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
