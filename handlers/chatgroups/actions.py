"""Binding a group chat, as a plain function the chat ("บอท ตั้งค่ากลุ่ม") and `flask groups bind` call.

A choice is a word: a work-group id of `content/groups.yaml` ("policy"), "all" (the all-staff room),
"admins" (the admins' room) or "none" (unbind). Every change is audited ("group.bind" / "group.unbind");
choosing what is already there changes nothing and writes no audit row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from content.model import Content
from handlers.core import policy
from handlers.core.types import Actor
from storage import groups as chat_groups
from storage import members
from storage.models import ChatGroup

ROOMS = {"all": chat_groups.ALL_STAFF, "admins": chat_groups.ADMINS, "complaints": chat_groups.COMPLAINTS,
         "none": None}


class NotInChat(LookupError):
    """The bot has no record of the chat, or has left it."""


@dataclass(frozen=True)
class Bound:
    """What `bind` did: the chat's `row` after it, and whether anything `changed`."""

    row: ChatGroup
    changed: bool


def parse_choice(content: Content, choice: str) -> tuple[str | None, str | None]:
    """(binding, work group id) for `choice` ("policy", "all", "admins", "none"); ValueError if unknown."""
    if choice in ROOMS:
        return ROOMS[choice], None
    try:
        group = content.group(choice)
    except KeyError:
        group = None
    if group is None or group.id == "all":
        known = ", ".join([g.id for g in content.groups if g.id != "all"] + list(ROOMS))
        raise ValueError(f"unknown choice {choice!r}; use one of: {known}")
    return chat_groups.WORK_GROUP, group.id


def bind(session: Session, content: Content, actor: Actor, chat_id: str, choice: str, now: datetime,
         from_chat: str = "cli") -> Bound:
    """Bind group chat `chat_id` as `choice` says (see the module docstring), audited as `actor` at `now`
    (UTC); `from_chat` ("group", "user", "cli") is recorded in the audit row.

    Raises `handlers.core.types.UserFacingError` when `actor` may not bind chats (`policy` "group.bind"),
    `ValueError` for an unknown choice, and `NotInChat` when the bot is not in the chat.
    """
    policy.require(actor, "group.bind")
    binding, work_group = parse_choice(content, choice)
    row = chat_groups.get(session, chat_id)
    if row is None or not row.active:
        raise NotInChat(chat_id)
    before = (row.binding, row.work_group)
    if before == (binding, work_group):
        return Bound(row, False)
    chat_groups.bind(session, row, binding, work_group)
    members.audit(session, actor.user_id or "", "group.bind" if binding else "group.unbind", row.chat_id, now,
                  binding=binding, work_group=work_group, previous_binding=before[0], previous_work_group=before[1],
                  chat_name=row.name, from_chat=from_chat)
    return Bound(row, True)
