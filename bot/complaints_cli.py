"""`flask complaints …`: the officers' desk from a shell: list, show, move, note, reply, resolve, dismiss.

Each subcommand is a thin click wrapper around a plain function `(session, content, …, now) -> str` that
calls `handlers.complaints.actions`, the same code the chat desk uses, acting as the CLI's actor
(`bot.admin_cli.cli_actor`, a system admin "cli:<OS user>", recorded as the author of each step). Pushes
the action makes (to the complainant, to a work group's chat) are queued in the outbox in the same
transaction; the scheduler's deliver-outbox job sends them. A refusal (a move the state machine forbids,
empty text) is a click error and nothing is saved. `show --who` shows who filed a case that is not
anonymous, and the view is written to the audit log. Dates are Asia/Bangkok, Buddhist Era.

csla adds its own commands (report, purge) to the `complaints` group defined here.
"""
from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.admin_cli import _content, _run, cli_actor
from bot.runtime import BotRuntime
from content.model import Content
from handlers.complaints import actions, desk_cards
from handlers.core import policy
from handlers.core.thaidate import thai_date
from handlers.core.types import Result
from storage.complaints import STATE_NAMES, STATES, history
from storage.models import Complaint


def _now() -> datetime:
    """The bot's clock (UTC): what "overdue" is measured against."""
    return current_app.extensions["bot"].clock()


def case_line(case, now: datetime) -> str:
    """One line per case: number, state, type/topic, next deadline, overdue mark."""
    due = actions.next_due(case)
    return (f"{case.number}  {case.state:<12} {desk_cards.kind_topic(case)}  "
            f"{'due ' + actions.date_text(due) if due else 'no deadline'}"
            f"{'  OVERDUE' if actions.overdue(case, now) else ''}")


def list_cases(session: Session, content: Content, now: datetime, everything: bool = False) -> str:
    """The open cases, overdue first (or, with `everything`, every case, newest first)."""
    if everything:
        policy.require(cli_actor(), "complaints.handle")
        cases = list(session.scalars(select(Complaint).order_by(Complaint.filed_at.desc(), Complaint.id.desc())))
    else:
        cases = actions.queue(session, cli_actor(), now)
    return "\n".join([case_line(c, now) for c in cases] + [f"{len(cases)} case(s)"])


def show_case(session: Session, content: Content, number: str, now: datetime, who: bool = False) -> str:
    """A case in full: type, topic, school, state, deadlines, details, files, history; with `who`, the
    complainant's name and LINE user ID (audited; refused for an anonymous case)."""
    policy.require(cli_actor(), "complaints.handle")
    case = actions.find(session, number)
    lines = [f"{case.number}  {STATE_NAMES[case.state]} ({case.state})  {desk_cards.kind_topic(case)}",
             f"filed {thai_date(case.filed_at)}; " + "; ".join(desk_cards.due_lines(case, now)),
             f"school: {actions.school_line(session, case) or '-'}",
             f"anonymous: {'yes' if case.anonymous else 'no'}"]
    if case.forwarded_to:
        lines.append(f"forwarded to: {case.forwarded_to}")
    if case.rating is not None:
        lines.append(f"rating: {case.rating}/5 {case.rating_comment}".rstrip())
    if who:
        contact = actions.reveal(session, cli_actor(), case, now)
        lines.append(f"complainant: {contact.name or '-'} {contact.user_id} (this view is in the audit log)")
    lines += ["", case.details] + [f"file: {f.get('name', '')} ({f.get('path', '')})" for f in case.files]
    lines += ["", desk_cards.history_text(session, content, case, history(session, case))]
    return "\n".join(lines)


def _done(session: Session, out: actions.Outcome, now: datetime) -> str:
    if out.notices:
        BotRuntime.enqueue_pushes(session, Result(pushes=out.pushes()), now)
    return f"{out.case.number}: {out.case.state}" + (f" ({out.told})" if out.told else "")


def move_case(session: Session, content: Content, number: str, state: str, now: datetime, text: str = "",
              group: str | None = None) -> str:
    """Move a case to `state` (acknowledged, in_progress, forwarded with `group`, resolved or dismissed
    with `text`)."""
    case = actions.find(session, number)
    return _done(session, actions.move(session, cli_actor(), case, state, now, text=text, group=group,
                                       content=content), now)


def note_case(session: Session, content: Content, number: str, text: str, now: datetime) -> str:
    """An internal note (never shown to the complainant)."""
    return _done(session, actions.note(session, cli_actor(), actions.find(session, number), text, now), now)


def reply_case(session: Session, content: Content, number: str, text: str, now: datetime) -> str:
    """A reply pushed to the complainant."""
    return _done(session, actions.reply(session, cli_actor(), actions.find(session, number), text, now), now)


@click.group("complaints", help="Complaint cases: the officers' desk (list, show, move, note, reply, resolve, "
                                "dismiss).")
def complaints() -> None:
    pass


@complaints.command("list", help="Open cases, overdue first (--all: every case, newest first).")
@click.option("--all", "everything", is_flag=True)
@with_appcontext
def list_command(everything: bool) -> None:
    click.echo(_run(list_cases, _content(), _now(), everything))


@complaints.command("show", help="One case in full, with its history (--who: who filed it; audited).")
@click.argument("number")
@click.option("--who", is_flag=True, help="Show the complainant (not for anonymous cases); the view is audited.")
@with_appcontext
def show_command(number: str, who: bool) -> None:
    click.echo(_run(show_case, _content(), number, _now(), who))


@complaints.command("move", help="Move case NUMBER to STATE (forwarded needs --group; resolved and dismissed "
                                 "need --text).")
@click.argument("number")
@click.argument("state", type=click.Choice([s for s in STATES if s != "new"]))
@click.option("--text", default="", help="The outcome (resolved) or the reason (dismissed).")
@click.option("--group", default=None, help="The work group to forward to (id or name, e.g. policy).")
@with_appcontext
def move_command(number: str, state: str, text: str, group: str | None) -> None:
    click.echo(_run(move_case, _content(), number, state, _now(), text, group))


@complaints.command("note", help="Add an internal note to case NUMBER (never shown to the complainant).")
@click.argument("number")
@click.argument("text")
@with_appcontext
def note_command(number: str, text: str) -> None:
    click.echo(_run(note_case, _content(), number, text, _now()))


@complaints.command("reply", help="Reply to the complainant of case NUMBER (pushed to them).")
@click.argument("number")
@click.argument("text")
@with_appcontext
def reply_command(number: str, text: str) -> None:
    click.echo(_run(reply_case, _content(), number, text, _now()))


@complaints.command("resolve", help="Close case NUMBER with the outcome TEXT (the complainant is told and asked "
                                    "to rate).")
@click.argument("number")
@click.argument("text")
@with_appcontext
def resolve_command(number: str, text: str) -> None:
    click.echo(_run(move_case, _content(), number, "resolved", _now(), text))


@complaints.command("dismiss", help="Close case NUMBER as ยุติเรื่อง with a REASON (the complainant is told).")
@click.argument("number")
@click.argument("reason")
@with_appcontext
def dismiss_command(number: str, reason: str) -> None:
    click.echo(_run(move_case, _content(), number, "dismissed", _now(), reason))
