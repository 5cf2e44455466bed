"""`flask` commands for admins: members, schools, invite codes, audit log, the outbox.

Each command is a thin click wrapper (inside the app context) around a plain function that takes a
session and returns what to print; the functions raise `ValueError` with an English message for bad
input, shown as a click error. Member and invite changes are `handlers.members.manage.actions`, the same code
the chat uses, acting as the CLI's actor (`cli_actor`): a system admin ``cli:<OS user>`` — whoever has a
shell on the server is trusted as an admin — but not a configured admin, so the policy refuses to demote
or remove a configured admin (`LINE_ADMIN_USER_IDS`) here as in chat; a refusal is a click error.
Changes are audited with that actor's ID. Dates are shown as Thai staff read them (Asia/Bangkok,
Buddhist Era).
"""
from __future__ import annotations

import getpass
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from bot.runtime import BotRuntime
from content.model import Content
from handlers.core.types import Actor, Result, UserFacingError
from handlers.members.manage import actions, directory
from handlers.core.thaidate import thai_date
from storage import members, outbox, registrations, schools
from storage.models import Member

USER_ID = re.compile(r"^U[0-9a-f]{32}$")


def cli_actor() -> Actor:
    """Who the CLI acts as: a system admin ``Actor("cli:<OS user>", "admin")`` (audited under that ID),
    never a configured admin, and never the same ID as a LINE user."""
    try:
        user_id = f"cli:{getpass.getuser()}"[:64]
    except (KeyError, OSError):
        user_id = "cli"
    return Actor(user_id, "admin")


def _place(content: Content, m: Member) -> str:
    if m.role == "staff":
        return f"{m.work_group} ({directory.group_name(content, m.work_group)})"
    if m.role == "school":
        return m.school_code or "-"
    return "-"


def member_lines(session: Session, content: Content, role: str | None = None, group: str | None = None) -> list[str]:
    """One line per member not removed (optionally of `role` / work `group`): id, role, group or school,
    status, following, display name."""
    group_id = _group_id(content, group) if group else None
    rows = [m for m in members.members(session, role, group_id, active_only=False) if m.status != "removed"]
    lines = [f"{m.user_id}  {m.role:<6} {_place(content, m):<40} {m.status:<8} "
             f"{'' if m.following else 'unfollowed '}{'officer ' if m.complaint_officer else ''}{m.display_name}"
             for m in rows]
    return lines + [f"{len(rows)} member(s)"]


def _member(session: Session, user_id: str, now: datetime, create: bool = False) -> Member:
    if not USER_ID.match(user_id):
        raise ValueError(f"{user_id!r} is not a LINE user ID (U followed by 32 hex digits)")
    m = members.get_member(session, user_id)
    if m is None and create:
        m = members.touch_member(session, user_id, now, frozenset())
    if m is None:
        raise ValueError(f"no member {user_id}")
    return m


def _group_id(content: Content, group: str | None) -> str:
    found = directory.find_group(content, group or "")
    ids = ", ".join(g.id for g in directory.work_groups(content))
    if not group:
        raise ValueError(f"staff needs --group, one of: {ids}")
    if found is None:
        raise ValueError(f"unknown work group {group!r}; expected one of: {ids}")
    return found.id


def _school_code(session: Session, code: str | None) -> str:
    if not code or schools.get(session, code) is None:
        raise ValueError(f"unknown school code {code!r}; import the school list first (flask schools import)")
    return code


def set_role(session: Session, content: Content, user_id: str, role: str, now: datetime, group: str | None = None,
             school: str | None = None, admin_ids: frozenset[str] = frozenset()) -> str:
    """Give `user_id` `role` (staff needs `group`, school needs `school`); the member is created if the
    bot has not seen them yet. `handlers.members.manage.actions.set_role`: audited as member.set_role, the
    member told through the outbox; refused on a configured admin (in `admin_ids`)."""
    if role not in members.ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of: {', '.join(members.ROLES)}")
    group_id = _group_id(content, group) if role == "staff" else None
    code = _school_code(session, school) if role == "school" else None
    m = _member(session, user_id, now, create=True)
    done = actions.set_role(session, cli_actor(), m, role, now, content=content, admin_ids=admin_ids,
                            work_group=group_id, school_code=code)
    tell(session, done, now)
    return f"{user_id} is {'now' if done.changed else 'already'} {role} {group_id or code or ''}".rstrip()


def tell(session: Session, done: actions.Outcome, now: datetime) -> None:
    """Queue the outcome's notices as pushes (the scheduler process sends them), as a chat handler's
    `Result.pushes` would be."""
    if done.notices:
        BotRuntime.enqueue_pushes(session, Result(pushes=done.pushes()), now)


def remove(session: Session, user_id: str, now: datetime, admin_ids: frozenset[str] = frozenset()) -> str:
    """Remove a member (back to guest, status removed); audited as member.remove; refused on a
    configured admin."""
    m = _member(session, user_id, now)
    done = actions.remove(session, cli_actor(), m, now, admin_ids=admin_ids)
    return f"{user_id} removed" if done.changed else f"{user_id} was already removed"


def set_officer(session: Session, user_id: str, on: bool, now: datetime,
                admin_ids: frozenset[str] = frozenset()) -> str:
    """Set or clear the complaint-officer flag of a staff member; audited as member.set_officer."""
    m = _member(session, user_id, now)
    tell(session, actions.set_officer(session, cli_actor(), m, on, now, admin_ids=admin_ids), now)
    return f"{user_id} complaint officer: {'yes' if on else 'no'}"


def import_school_file(session: Session, path: Path, now: datetime) -> schools.ImportReport:
    """Import a school CSV (UTF-8, BOM allowed; header code,name,district); upsert by code; audited.
    Raises `storage.schools.SchoolCsvError` (a ValueError) for a file it cannot read; nothing is saved."""
    report = schools.import_schools(session, schools.parse_csv(schools.decode_csv(path.read_bytes())))
    members.audit(session, cli_actor().user_id, "schools.import", path.name, now,
                  inserted=report.inserted, updated=report.updated, unchanged=report.unchanged)
    return report


def create_invites(session: Session, content: Content, role: str, now: datetime, group: str | None = None,
                   school: str | None = None, days: int = registrations.INVITE_DAYS, count: int = 1) -> list[str]:
    """Create `count` invite codes valid `days` days; lines to print (codes, then the expiry)."""
    group_id = _group_id(content, group) if role == "staff" else None
    code = _school_code(session, school) if role == "school" else None
    codes = actions.create_invites(session, cli_actor(), role, now, work_group=group_id, school_code=code,
                                   days=days, count=count).invites
    return [c.code for c in codes] + [f"{count} code(s) for {role} {group_id or code}, valid until "
                                      f"{thai_date(codes[0].expires_at)}; people type: ลงทะเบียน {codes[0].code}"]


def audit_lines(session: Session, limit: int = 50) -> list[str]:
    """The newest audit entries: Thai date and time, who (with their LINE name), what, on whom, details."""
    lines = []
    for row in members.audit_log(session, limit):
        who = members.get_member(session, row.actor_id)
        name = f" ({who.display_name})" if who and who.display_name else ""
        detail = json.dumps(row.detail, ensure_ascii=False, sort_keys=True) if row.detail else ""
        lines.append(f"{thai_date(row.created_at)}  {row.actor_id}{name}  {row.action}  {row.target}  "
                     f"{detail}".rstrip())
    return lines or ["the audit log is empty"]


def _run(fn, *args, **kwargs):
    """Call `fn(session, *args)` in one transaction; a ValueError or a policy refusal becomes a click error
    (nothing saved)."""
    runtime = current_app.extensions["bot"]
    try:
        with runtime.storage.Session.begin() as session:
            return fn(session, *args, **kwargs)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    except UserFacingError as exc:  # the policy's refusal (Thai, as the chat says it)
        raise click.ClickException(f"refused: {exc.message}") from None


def _admin_ids() -> frozenset[str]:
    return current_app.extensions["bot"].settings.admin_user_ids


def _content() -> Content:
    return current_app.extensions["bot"].content


def _now() -> datetime:
    return datetime.now(timezone.utc)


@click.group("members", help="List members, change roles, remove members.")
def members_cli() -> None:
    pass


@members_cli.command("list", help="Members not removed, optionally of one role or work group.")
@click.option("--role", type=click.Choice(members.ROLES), default=None)
@click.option("--group", default=None, help="A work group id, e.g. policy.")
@with_appcontext
def members_list_command(role: str | None, group: str | None) -> None:
    click.echo("\n".join(_run(member_lines, _content(), role, group)))


@members_cli.command("set-role", help="Set a member's role: guest, staff (--group), school (--school), admin.")
@click.argument("user_id")
@click.argument("role", type=click.Choice(members.ROLES))
@click.option("--group", default=None, help="Work group id for staff, e.g. policy.")
@click.option("--school", default=None, help="School code for school users, e.g. 93020001.")
@with_appcontext
def members_set_role_command(user_id: str, role: str, group: str | None, school: str | None) -> None:
    click.echo(_run(set_role, _content(), user_id, role, _now(), group, school, _admin_ids()))


@members_cli.command("set-officer", help="Make a staff member a complaint officer (--off to undo).")
@click.argument("user_id")
@click.option("--off", is_flag=True, help="Clear the flag instead.")
@with_appcontext
def members_set_officer_command(user_id: str, off: bool) -> None:
    click.echo(_run(set_officer, user_id, not off, _now(), _admin_ids()))


@members_cli.command("remove", help="Remove a member (they become a guest).")
@click.argument("user_id")
@with_appcontext
def members_remove_command(user_id: str) -> None:
    click.echo(_run(remove, user_id, _now(), _admin_ids()))


@click.group("schools", help="The office's school list.")
def schools_cli() -> None:
    pass


@schools_cli.command("import", help="Import schools from a CSV (UTF-8; header code,name,district); upsert by code.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def schools_import_command(file: Path) -> None:
    click.echo(str(_run(import_school_file, file, _now())))


@click.group("invites", help="Single-use, expiring invite codes.")
def invites_cli() -> None:
    pass


@invites_cli.command("create", help="Create invite codes for staff of a work group or users of a school.")
@click.option("--role", type=click.Choice(("staff", "school")), required=True)
@click.option("--group", default=None, help="Work group id (staff), e.g. policy.")
@click.option("--school", default=None, help="School code (school), e.g. 93020001.")
@click.option("--days", default=registrations.INVITE_DAYS, show_default=True, type=click.IntRange(1, 90))
@click.option("--count", default=1, show_default=True, type=click.IntRange(1, registrations.INVITE_MAX_COUNT))
@with_appcontext
def invites_create_command(role: str, group: str | None, school: str | None, days: int, count: int) -> None:
    click.echo("\n".join(_run(create_invites, _content(), role, _now(), group, school, days, count)))


@click.command("audit", help="The newest admin actions: who, when, what.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@with_appcontext
def audit_command(limit: int) -> None:
    click.echo("\n".join(_run(audit_lines, limit)))


@click.group("outbox", help="What waits to be sent to LINE.")
def outbox_cli() -> None:
    pass


@outbox_cli.command("status", help="Outbox rows per status (held: waiting for LINE's monthly quota).")
@with_appcontext
def outbox_status_command() -> None:
    counts = _run(outbox.status_counts)
    click.echo(", ".join(f"{status} {n}" for status, n in sorted(counts.items())) or "the outbox is empty")


@outbox_cli.command("release-held", help="Send the rows held for LINE's monthly quota again (after the "
                                         "quota was raised or bought); the deliver-outbox job sends them.")
@with_appcontext
def outbox_release_held_command() -> None:
    released = _run(outbox.release_held, _now())
    click.echo(f"released {len(released)} held row(s)")


COMMANDS: list[click.Command] = [members_cli, schools_cli, invites_cli, audit_command, outbox_cli]
