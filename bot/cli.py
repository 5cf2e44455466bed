"""`flask` commands: thin wrappers around plain functions."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

import scheduler
from bot import (admin_cli, broadcast_cli, calendar_cli, complaints_admin_cli, console, groups_cli, release, richmenu,
                 rounds_cli, sar_cli)
from content.loader import load_content
from handlers.core.thaidate import thai_date
from storage import get_storage, queries


@click.command("chat", help="Chat with the bot in this terminal (offline; nothing is sent to LINE).")
@with_appcontext
@click.option("--group", "group_id", default=None, help="Start in a group chat with this group ID.")
@click.option("--user", "user_id", default=None, help="Chat as this LINE user ID.")
def chat_command(group_id: str | None, user_id: str | None) -> None:
    logging.getLogger().setLevel(logging.WARNING)  # the console shows the replies itself
    app = current_app._get_current_object()

    def start_jobs(runtime):  # the jobs send through the console's offline sender, so their 📨 lines show
        if "scheduler" in app.extensions:
            return None
        scheduler.start_embedded(app, runtime)
        return lambda: app.extensions.pop("scheduler").shutdown(wait=False)

    console.run(app.extensions["bot"], group_id=group_id, user_id=user_id, start_jobs=start_jobs)


@click.command("release", help="The release step: migrate the database to head and sync content/*.yaml "
                              "(once per deployment, before the workers start).")
@with_appcontext
def release_command() -> None:
    boot = current_app.extensions["release"]  # building the app ran it already, unless switched off
    done = boot.migrated and boot.content is not None
    click.echo(boot if done else release.run(get_storage(), current_app.extensions["bot"].content))


@click.command("sync-content", help="Validate content/*.yaml and load it into the database (items gone "
                                   "from it are retired, not deleted).")
@with_appcontext
def sync_content_command() -> None:
    load_content.cache_clear()
    click.echo(release.run(get_storage(), load_content(), migrate=False).content)


@click.command("unanswered", help="The most frequent questions the bot could not answer, and what it showed.")
@with_appcontext
@click.option("--days", default=30, show_default=True, help="Look back this many days.")
def unanswered_command(days: int) -> None:
    with get_storage().Session() as session:
        rows = queries.top_unanswered(session, datetime.now(timezone.utc) - timedelta(days=days), limit=50)
    if not rows:
        click.echo("no unanswered questions")
    for row in rows:
        score = f"{row.score:.0f}" if row.score is not None else "-"
        click.echo(f"{row.count:4d}  {thai_date(row.last)}  {row.text}\n      {row.outcome}: "
                   f"{', '.join(row.shown) or 'nothing'} (score {score})")


def init_app(app: Flask) -> None:
    """Register the bot's commands on `app` (admin commands live in `bot.admin_cli`)."""
    for cmd in (chat_command, release_command, sync_content_command, unanswered_command, *admin_cli.COMMANDS,
                *broadcast_cli.COMMANDS, *calendar_cli.COMMANDS, *rounds_cli.COMMANDS, richmenu.richmenu_cli,
                groups_cli.groups_cli, sar_cli.sar_cli,
                complaints_admin_cli.complaints):  # the desk's group, with report/purge added
        app.cli.add_command(cmd)
