"""`flask sar export [--round ID] --out DIR`: the SAR draft (Word and Excel) of a round, written to DIR.

The progress is `handlers.evidence.reporting.build_progress` (no --round: the latest SAR round); the files
are written by `bot.files.write_sar_draft`, as for the chat's "ส่งออก SAR"."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from bot.files import write_sar_draft
from content.model import Content
from handlers.core.types import UserFacingError
from handlers.evidence.reporting import build_progress
from storage import get_storage


def export_sar(session, content: Content, round_id: int | None, out: Path, now: datetime) -> tuple[Path, Path]:
    """Write the SAR draft of `round_id` (None: the latest SAR round) as of `now` (UTC) into `out`; the two
    paths. Raises click.ClickException for an unknown round (the reporting code's Thai message)."""
    try:
        progress = build_progress(session, content, round_id, office_name=current_app.config["OFFICE_NAME"],
                                  now=now)
    except UserFacingError as exc:
        raise click.ClickException(exc.message) from None
    stem = f"sar-round{progress.round.id}-{now.astimezone(timezone.utc):%Y%m%dT%H%M}"
    return write_sar_draft(progress, content, out, stem)


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
