"""Reminder settings in the database: the office's policy per round kind (`ReminderPolicy`), and who
asked for personal reminders (`Member.remind_me`). `session` first; functions add and flush, never commit.
Times are UTC."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Member, ReminderPolicy


def policy_row(session: Session, kind: str) -> ReminderPolicy | None:
    """The office's edit of round kind `kind`'s policy, or None (the defaults apply)."""
    return session.get(ReminderPolicy, kind)


def policy_rows(session: Session) -> dict[str, ReminderPolicy]:
    """Every edited policy by round kind."""
    return {r.kind: r for r in session.scalars(select(ReminderPolicy))}


def put_policy(session: Session, kind: str, days_before: list[int], every_after: int, send_at: str, by: str,
               now: datetime) -> ReminderPolicy:
    """Store round kind `kind`'s policy (`send_at` "HH:MM", Asia/Bangkok), changed by `by` at `now`."""
    row = session.get(ReminderPolicy, kind)
    if row is None:
        row = ReminderPolicy(kind=kind)
        session.add(row)
    row.days_before, row.every_after, row.send_at = list(days_before), every_after, send_at
    row.updated_by, row.updated_at = by, now
    session.flush()
    return row


def set_remind_me(session: Session, member: Member, on: bool) -> bool:
    """Turn `member`'s personal reminders on or off; True when that changed something."""
    changed = bool(member.remind_me) != on
    member.remind_me = on
    session.flush()
    return changed


def opted_in(session: Session) -> list[Member]:
    """Active staff and admins with a work group who asked for personal reminders and still follow the bot."""
    return list(session.scalars(select(Member).where(
        Member.remind_me.is_(True), Member.status == "active", Member.following.is_(True),
        Member.role.in_(("staff", "admin")), Member.work_group.is_not(None)).order_by(Member.user_id)))
