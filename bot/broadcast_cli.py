"""`flask broadcast send`: an admin broadcast from the command line, through the same action the chat
uses (`handlers.broadcasts.actions.compose_and_send`), so checks, outbox rows and audit are the same.

    flask --app wsgi broadcast send --to all_staff --text "ประชุมประจำเดือน วันศุกร์ 09:00 น." --ack
    flask --app wsgi broadcast send --to groups:policy,finance --to chat_groups --text "…" --at "2027-01-15 09:00"
    flask --app wsgi broadcast cancel 12

`--to` (repeatable): all_staff, all_schools, groups:<work group ids>, chat_groups, followers (alone).
`--at` is Asia/Bangkok time, "YYYY-MM-DD HH:MM" with a Common-Era or Buddhist-Era year (2570-01-15 is
2027-01-15). Sent now, the outbox rows are written and the scheduler process delivers them; scheduled,
its "send-broadcasts" job does. The actor is the admin ``cli:<OS user>``; Thai messages from the
action are printed as they are.
"""
from __future__ import annotations

from datetime import datetime, timezone

import click
from flask import current_app
from flask.cli import with_appcontext

from bot import render
from bot.admin_cli import _content, _now, cli_actor
from handlers.broadcasts import actions
from handlers.broadcasts.announcement import Draft, audience_text
from handlers.core.thaidate import BANGKOK, thai_date
from handlers.core.types import UserFacingError
from handlers.members import directory
from storage import broadcasts

SIMPLE = ("all_staff", "all_schools", "chat_groups", "followers")


def audience_from(to: tuple[str, ...], content) -> dict:
    """The audience dict of the `--to` values; raises ValueError (English) for unknown kinds or groups."""
    kinds, groups = [], []
    for item in to:
        for part in (p.strip() for p in item.split("+") if p.strip()):
            if part in SIMPLE:
                kinds.append(part)
            elif part.startswith("groups:"):
                for name in filter(None, (g.strip() for g in part[len("groups:"):].split(","))):
                    found = directory.find_group(content, name)
                    if found is None:
                        ids = ", ".join(g.id for g in directory.work_groups(content))
                        raise ValueError(f"unknown work group {name!r}; expected one of: {ids}")
                    groups.append(found.id)
                kinds.append("work_groups")
            else:
                raise ValueError(f"unknown audience {part!r}; expected all_staff, all_schools, "
                                 "groups:<ids>, chat_groups or followers")
    return broadcasts.audience_of(kinds, sorted(set(groups)))


def parse_at(at: str | None) -> datetime | None:
    """`--at` ("YYYY-MM-DD HH:MM", Asia/Bangkok, CE or BE year) as UTC; None when not given."""
    if not at:
        return None
    try:
        local = datetime.strptime(at.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise ValueError(f"--at {at!r} is not YYYY-MM-DD HH:MM (Asia/Bangkok)") from None
    if local.year >= 2400:
        local = local.replace(year=local.year - 543)
    return local.replace(tzinfo=BANGKOK).astimezone(timezone.utc)


def send(session, to: tuple[str, ...], text: str, ack: bool, at: str | None, now: datetime,
         image: str | None = None, link_url: str | None = None, link_label: str | None = None) -> str:
    """Compose and send (or schedule) a broadcast as the CLI admin; the line to print."""
    content = _content()
    audience = audience_from(to, content)
    sent = actions.compose_and_send(session, cli_actor(), Draft(text, image, link_label, link_url, ack),
                                    audience, parse_at(at), now, render.as_dicts)
    bc, reach = sent.broadcast, sent.reach
    who = audience_text(audience, content)
    if sent.scheduled:
        return f"broadcast #{bc.id} to {who} scheduled for {thai_date(bc.scheduled_at)}"
    return (f"broadcast #{bc.id} to {who}: {bc.recipients} recipient(s), {bc.cost} LINE message(s), "
            f"{reach.requests} request(s) queued; the scheduler's deliver-outbox job sends them")


def cancel(session, broadcast_id: int, now: datetime) -> str:
    """Cancel a scheduled broadcast as the CLI admin; the line to print."""
    bc = actions.cancel_scheduled(session, cli_actor(), broadcast_id, now)
    return f"broadcast #{bc.id} (scheduled for {thai_date(bc.scheduled_at)}) cancelled"


def _run(fn, *args):
    runtime = current_app.extensions["bot"]
    try:
        with runtime.storage.Session.begin() as session:
            return fn(session, *args)
    except UserFacingError as exc:
        raise click.ClickException(exc.message) from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


@click.group("broadcast", help="Send, schedule or cancel an admin broadcast.")
def broadcast_cli() -> None:
    pass


@broadcast_cli.command("send", help="Send an announcement now, or at --at (Asia/Bangkok).")
@click.option("--to", "to", multiple=True, required=True,
              help="all_staff, all_schools, groups:policy,finance, chat_groups or followers (repeatable).")
@click.option("--text", required=True, help="The announcement (its first line is the title).")
@click.option("--ack", is_flag=True, help="Ask recipients to press รับทราบ.")
@click.option("--at", default=None, help='Send time "YYYY-MM-DD HH:MM" in Asia/Bangkok (CE or BE year).')
@click.option("--image", default=None, help="An https image URL shown above the title.")
@click.option("--link", "link_url", default=None, help="An https URL for a link button.")
@click.option("--link-label", default=None, help="The link button's label (≤ 20 characters).")
@with_appcontext
def send_command(to, text, ack, at, image, link_url, link_label) -> None:
    click.echo(_run(send, to, text, ack, at, _now(), image, link_url, link_label))


@broadcast_cli.command("cancel", help="Cancel a scheduled broadcast by its number.")
@click.argument("broadcast_id", type=int)
@with_appcontext
def cancel_command(broadcast_id: int) -> None:
    click.echo(_run(cancel, broadcast_id, _now()))


COMMANDS: list[click.Command] = [broadcast_cli]
