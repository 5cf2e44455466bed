"""`flask sar export [--round ID] --out DIR`: the SAR draft (Word and Excel) of a round, written to DIR.

The progress comes from `handlers.evidence.reporting.build_progress(session, content, round_id)` (None:
the latest SAR round), imported when the command runs; without it the command says so and exits 1."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from storage import get_storage

MISSING = ("the reporting code is not installed: handlers.evidence.reporting.build_progress "
           "(rounds and evidence reporting) is needed to export a SAR draft")


def export_sar(session, content, round_id: int | None, out: Path, now: datetime) -> tuple[Path, Path]:
    """Write the SAR draft of `round_id` (None: the latest SAR round) into `out`; the two paths.
    Raises click.ClickException when the reporting code is missing or the round has no items."""
    try:
        from handlers.evidence.reporting import build_progress
    except ImportError:
        raise click.ClickException(MISSING) from None
    from bot import sar_export
    from handlers.evidence.sar import sar_draft

    progress = dataclasses.replace(build_progress(session, content, round_id),
                                   office_name=current_app.config["OFFICE_NAME"])

    def group_name(g: str) -> str:
        try:
            return content.group(g).name
        except KeyError:
            return g

    stem = f"sar-round{progress.round.id}-{now.astimezone(timezone.utc):%Y%m%dT%H%M}"
    return sar_export.write_sar(sar_draft(progress, group_name), out, stem)


@click.group("sar", help="The self-assessment report (SAR) draft.")
def sar_cli() -> None:
    pass


@sar_cli.command("export", help="Write the SAR draft (Word and Excel) of a round into a folder.")
@click.option("--round", "round_id", type=int, default=None, help="The round's id (default: the latest SAR round).")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write into (created if missing).")
@with_appcontext
def export_command(round_id: int | None, out: Path) -> None:
    content = current_app.extensions["bot"].content
    with get_storage().Session() as session:
        paths = export_sar(session, content, round_id, out, datetime.now(timezone.utc))
    for p in paths:
        click.echo(str(p))
