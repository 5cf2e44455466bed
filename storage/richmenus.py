"""Rich menu queries: which menu each role has, and queueing a user's menu link in the caller's
transaction. `session` first; never commits.

Linking a user's rich menu is an outbox row of kind "richmenu" (recipients: user IDs; one payload
``{"role": role}``), delivered by `bot.delivery` like any push, so it survives LINE being down and never
does network I/O inside a handler's transaction. The menu is chosen when the row is delivered, from
each member's role at that moment, so rows delivered late or out of order still give the right menu.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage import outbox
from storage.models import Member, OutboxMessage, RichMenu

KIND = "richmenu"
ORIGIN = "richmenu"


def deployed(session: Session) -> dict[str, RichMenu]:
    """The deployed rich menu per role ("guest", "staff", "school", "admin"); empty before a deploy."""
    return {row.role: row for row in session.scalars(select(RichMenu))}


def any_deployed(session: Session) -> bool:
    """True once `flask richmenu deploy` has stored a menu."""
    return session.scalar(select(RichMenu.role).limit(1)) is not None


def replace_all(session: Session, menus: dict[str, tuple[str, str]], now: datetime) -> None:
    """Store what a deploy made: `menus` maps role -> (rich menu id, alias); other roles' rows go."""
    session.execute(delete(RichMenu).where(RichMenu.role.not_in(list(menus))))
    for role, (rich_menu_id, alias) in menus.items():
        row = session.get(RichMenu, role)
        if row is None:
            session.add(RichMenu(role=role, rich_menu_id=rich_menu_id, alias=alias, deployed_at=now))
        else:
            row.rich_menu_id, row.alias, row.deployed_at = rich_menu_id, alias, now
    session.flush()


def menu_role(member: Member | None) -> str:
    """The role whose menu `member` should see: their role while active, else "guest" (pending,
    removed, or never seen)."""
    if member is None or member.status != "active":
        return "guest"
    return member.role


def enqueue_link(session: Session, user_id: str, role: str, now: datetime) -> OutboxMessage | None:
    """Queue linking `user_id` to `role`'s menu (unlinking, back to the default, for "guest"), due at
    `now` (UTC); None, queueing nothing, when no menus are deployed yet."""
    if not any_deployed(session):
        return None
    return outbox.enqueue(session, KIND, [user_id], [{"role": role}], now, origin=ORIGIN, cost=0)


def enqueue_relink_all(session: Session, now: datetime) -> list[OutboxMessage]:
    """After a deploy: queue links for every active member whose menu is not the default (staff, school,
    admin), up to `outbox.MULTICAST_MAX` users per row. Returns the rows."""
    rows = []
    for role in ("staff", "school", "admin"):
        users = list(session.scalars(select(Member.user_id).where(Member.role == role, Member.status == "active")
                                     .order_by(Member.user_id)))
        for i in range(0, len(users), outbox.MULTICAST_MAX):
            rows.append(outbox.enqueue(session, KIND, users[i:i + outbox.MULTICAST_MAX], [{"role": role}], now,
                                       origin=ORIGIN, cost=0))
    return rows


def plan(session: Session, user_ids: list[str], fallback_role: str) -> list[tuple[str | None, list[str]]]:
    """What delivering a "richmenu" row to `user_ids` means now: ``[(rich menu id, users), ...]``, where
    None means unlink (the default menu). Each user gets the menu of their current `menu_role`
    (`fallback_role` for users the bot has no row for); a role without a deployed menu gets the default."""
    menus = deployed(session)
    found = {m.user_id: m for m in session.scalars(select(Member).where(Member.user_id.in_(user_ids)))}
    groups: dict[str | None, list[str]] = {}
    for user_id in user_ids:
        role = menu_role(found[user_id]) if user_id in found else fallback_role
        menu = menus.get(role) if role != "guest" else None
        groups.setdefault(menu.rich_menu_id if menu else None, []).append(user_id)
    return list(groups.items())
