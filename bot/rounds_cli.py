"""`flask rounds …`: reporting rounds (`storage.rounds`): add, list, open (carrying the last round's
evidence forward unless --fresh), close, and import a year's calendar from YAML or CSV.

Due dates are typed YYYY-MM-DDTHH:MM in Asia/Bangkok (a Buddhist-Era year is accepted) and stored in UTC.
Scope: "all" (default) or comma-separated codes: "1,2" standards, "1.1,2.1" indicators, "s5.3" issues.

A calendar file is a YAML list (or a mapping with a ``rounds:`` list) of {name, kind, due, scope?,
fiscal_year?, state?}, or a UTF-8 CSV with those columns; the whole file is imported or none of it.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from pathlib import Path

import click
import yaml
from flask.cli import with_appcontext

from bot.admin_cli import cli_actor
from handlers.core.thaidate import thai_date
from storage import get_storage, rounds
from storage.rounds import KINDS, RoundError


def _fail(err: Exception) -> None:
    raise click.ClickException(str(err))


def read_calendar(path: Path) -> list[dict]:
    """The rows of a calendar file (YAML or CSV by its suffix); raises RoundError for a bad file."""
    raw = path.read_bytes().decode("utf-8-sig")
    if path.suffix.lower() in (".yaml", ".yml"):
        data = yaml.safe_load(raw) or []
        if isinstance(data, dict):
            data = data.get("rounds") or []
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise RoundError("a YAML calendar is a list of rounds (or a mapping with a 'rounds' list)")
        return data
    rows = list(csv.DictReader(io.StringIO(raw)))
    if rows and not {"name", "kind", "due"} <= set(rows[0]):
        raise RoundError("a CSV calendar needs name, kind and due columns")
    return [{k.strip(): (v or "").strip() for k, v in r.items() if k} for r in rows if any((v or "").strip()
                                                                                             for v in r.values())]


def describe(r) -> str:
    due = thai_date(r.due_at) if r.due_at else "no due date"
    scope = "all" if (r.scope or {}).get("all") else ", ".join(f"{k}: {'/'.join(v)}" for k, v in r.scope.items())
    return f"#{r.id}  {r.state:<7}  FY{r.fiscal_year}  {r.kind:<8}  {due}  {r.name}  [{scope}]"


@click.group("rounds", help="Reporting rounds: add, list, open, close, import a year's calendar.")
def rounds_cli() -> None:
    pass


@rounds_cli.command("add", help="Add a planned round.")
@with_appcontext
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(KINDS))
@click.option("--due", required=True, help="YYYY-MM-DDTHH:MM, Asia/Bangkok (BE year accepted).")
@click.option("--scope", default="all", show_default=True, help="all, or codes: 1,2.1,s5.3")
@click.option("--open", "open_now", is_flag=True, help="Open it now (carrying the last round's evidence).")
def add_command(name: str, kind: str, due: str, scope: str, open_now: bool) -> None:
    now = datetime.now(timezone.utc)
    try:
        with get_storage().Session.begin() as session:
            row = rounds.create(session, name, kind, rounds.parse_due(due), now, scope=rounds.parse_scope(scope),
                                by=cli_actor().user_id)
            carried = rounds.open_round(session, row, now, by=cli_actor().user_id) if open_now else 0
            click.echo(describe(row) + (f"\ncarried {carried} items forward" if open_now else ""))
    except RoundError as err:
        _fail(err)


@rounds_cli.command("list", help="Every round, newest fiscal year first.")
@with_appcontext
def list_command() -> None:
    with get_storage().Session() as session:
        rows = rounds.all_rounds(session)
        click.echo("\n".join(describe(r) for r in rows) or "no rounds yet")


def _get(session, round_id: int):
    row = rounds.get(session, round_id)
    if row is None:
        raise click.ClickException(f"no round #{round_id}")
    return row


@rounds_cli.command("open", help="Open round ID, carrying the last round's evidence forward unless --fresh.")
@with_appcontext
@click.argument("round_id", type=int)
@click.option("--fresh", is_flag=True, help="Start with no evidence.")
def open_command(round_id: int, fresh: bool) -> None:
    with get_storage().Session.begin() as session:
        row = _get(session, round_id)
        carried = rounds.open_round(session, row, datetime.now(timezone.utc), carry=not fresh, by=cli_actor().user_id)
        click.echo(f"{describe(row)}\ncarried {carried} items forward")


@rounds_cli.command("close", help="Close round ID.")
@with_appcontext
@click.argument("round_id", type=int)
def close_command(round_id: int) -> None:
    with get_storage().Session.begin() as session:
        row = _get(session, round_id)
        rounds.close_round(session, row)
        click.echo(describe(row))


@rounds_cli.command("import", help="Import a year's calendar of rounds from a YAML or CSV FILE (all or none).")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    try:
        rows = read_calendar(file)
        with get_storage().Session.begin() as session:
            made = rounds.import_rows(session, rows, datetime.now(timezone.utc), by=cli_actor().user_id)
            click.echo("\n".join(describe(r) for r in made) + f"\nimported {len(made)} rounds")
    except (RoundError, yaml.YAMLError, UnicodeDecodeError) as err:
        _fail(err)


COMMANDS = (rounds_cli,)
