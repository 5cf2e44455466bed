"""Helpers for the member, registration and policy tests: people, the school list, buttons to press.

User IDs look like LINE's ("U" + 32 hex); each test module picks its own so tests stay independent.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select

from storage import get_storage, members, schools
from storage.models import AuditLog, InviteCode, Member, RegistrationRequest
from tests.conftest import flex_nodes

SCHOOLS_CSV = Path(__file__).parent / "fixtures" / "schools.csv"


def uid(n: int) -> str:
    """A LINE-shaped user ID, distinct per `n`."""
    return "U" + f"{n:032x}"


@contextmanager
def db(app):
    """A session in one transaction (committed on exit)."""
    with get_storage(app).Session.begin() as session:
        yield session


def load_schools(app) -> None:
    with db(app) as session:
        schools.import_schools(session, schools.parse_csv(schools.decode_csv(SCHOOLS_CSV.read_bytes())))


def add_member(app, user_id: str, name: str, role: str = "guest", group: str | None = None,
               school: str | None = None, officer: bool = False, status: str = "active") -> None:
    """A member as if they had chatted before (and, for a role, been approved)."""
    now = datetime.now(timezone.utc)
    with db(app) as session:
        m = members.touch_member(session, user_id, now, frozenset(), {"displayName": name})
        if role != "guest":
            members.set_role(session, m, role, now, "test", work_group=group, school_code=school)
        m.complaint_officer = officer
        m.status = status


def member(app, user_id: str) -> Member | None:
    with db(app) as session:
        m = session.get(Member, user_id)
        if m is not None:
            session.expunge(m)
        return m


def snapshot(app) -> tuple:
    """Everything an admin action could change: members, requests, invites, audit rows."""
    with db(app) as session:
        return (sorted((m.user_id, m.role, m.work_group, m.school_code, m.complaint_officer, m.status)
                       for m in session.scalars(select(Member))),
                sorted((r.id, r.status, r.decided_by) for r in session.scalars(select(RegistrationRequest))),
                sorted((i.code, i.used_by) for i in session.scalars(select(InviteCode))),
                len(session.scalars(select(AuditLog)).all()))


def audit_rows(app, action: str | None = None) -> list[AuditLog]:
    with db(app) as session:
        rows = session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
        session.expunge_all()
    return [r for r in rows if action is None or r.action == action]


def actions(messages: list[dict]) -> list[dict]:
    """Every action a person could press in `messages`: Flex buttons, then quick replies."""
    out: list[dict] = []
    for m in messages:
        out.extend(n["action"] for n in flex_nodes(m.get("contents")) if n.get("type") == "button")
        out.extend(item["action"] for item in (m.get("quickReply") or {}).get("items", []))
    return out


def button(messages: list[dict], label: str) -> dict:
    """The action labelled `label` (exactly, or as a prefix); AssertionError listing the labels otherwise."""
    found = [a for a in actions(messages) if a["label"] == label] or \
        [a for a in actions(messages) if a["label"].startswith(label)]
    assert found, f"no button {label!r} in {[a['label'] for a in actions(messages)]}"
    return found[0]


def press(chat, messages: list[dict], label: str) -> list[dict]:
    """Press the button `label` of `messages` as `chat`'s user: a postback, or the text it sends."""
    action = button(messages, label)
    return chat.press(action["data"]) if action["type"] == "postback" else chat.say(action["text"])


def pushed_to(line, user_id: str) -> list[dict]:
    """The messages pushed to `user_id` so far in this test."""
    return [m for body in line.pushes() if body["to"] == user_id for m in body["messages"]]


def name_and_position(chat, name: str = "สมศรี ใจดี", position: str = "ครู") -> list[dict]:
    """Answer registration's name and position steps; the reply to the position."""
    chat.say(name)
    return chat.say(position)


def last_reply(line) -> list[dict]:
    return line.replies()[-1]["messages"]
