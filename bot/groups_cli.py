"""`flask groups list` and `flask groups bind CHAT_ID policy|all|admins|none`: the group chats the bot is in,
and binding one (the same audited `handlers.chatgroups.actions.bind` the chat uses, as ``cli:<OS user>``)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from bot.admin_cli import _content, _now, _run, cli_actor
from content.model import Content
from handlers.chatgroups import actions
from handlers.core.thaidate import thai_date
from storage import groups as chat_groups


def _bound(content: Content, row) -> str:
    if row.binding == chat_groups.WORK_GROUP:
        return row.work_group or "-"
    return {chat_groups.ALL_STAFF: "all", chat_groups.ADMINS: "admins",
            chat_groups.COMPLAINTS: "complaints"}.get(row.binding or "", "none")


def group_lines(session: Session, content: Content) -> list[str]:
    """One line per group chat ever recorded: id, binding (a choice word), active or left, head count,
    name, join date (Thai, Buddhist Era)."""
    rows = chat_groups.all_groups(session)
    lines = [f"{r.chat_id}  {_bound(content, r):<12} {'active' if r.active else 'left':<6} "
             f"{r.member_count if r.member_count is not None else '?':>5}  {r.name or '-'}  "
             f"(joined {thai_date(r.joined_at, time=False)})" for r in rows]
    return lines + [f"{len(rows)} group chat(s), {sum(r.active for r in rows)} active"]


def bind_chat(session: Session, content: Content, chat_id: str, choice: str) -> str:
    """Bind `chat_id` as `choice`; what changed, in English. ValueError for an unknown choice or chat."""
    actor = cli_actor()
    try:
        done = actions.bind(session, content, actor, chat_id, choice, _now(), from_chat="cli")
    except actions.NotInChat:
        raise ValueError(f"the bot is not in group chat {chat_id} (see `flask groups list`)") from None
    state = _bound(content, done.row)
    return f"{chat_id} bound as {state}" if done.changed else f"{chat_id} unchanged: already {state}"


@click.group("groups", help="The LINE group chats the bot is in, and what each is bound to.")
def groups_cli() -> None:
    pass


@groups_cli.command("list", help="Every group chat: id, binding, active or left, head count, name.")
@with_appcontext
def groups_list_command() -> None:
    click.echo("\n".join(_run(group_lines, _content())))


@groups_cli.command("bind", help="Bind a group chat: a work group id (e.g. policy), all, admins, or none.")
@click.argument("chat_id")
@click.argument("choice")
@with_appcontext
def groups_bind_command(chat_id: str, choice: str) -> None:
    click.echo(_run(bind_chat, _content(), chat_id, choice))
