"""Registration requests (an admin approves or rejects) and invite codes (single use, expiring).

`session` first; functions may add and flush, never commit. Times are timezone-aware UTC. Deciding a
request and using an invite are compare-and-set UPDATEs, so two admins pressing "approve" at once, or two
people typing the same code at once, cannot both win, on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from content.thai import normalize
from storage.models import InviteCode, Member, RegistrationRequest

INVITE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ"  # no I, L, O: they read like 1 and 0
INVITE_DIGITS = "23456789"
INVITE_DAYS = 7
INVITE_MAX_COUNT = 50
_NOT_CODE = re.compile(r"[\s\-_.]+")
CODE_SHAPE = re.compile(r"^[A-Z0-9]{4,12}$")


def pending_request(session: Session, user_id: str) -> RegistrationRequest | None:
    """The member's request waiting for a decision, if any (the newest)."""
    return session.scalars(select(RegistrationRequest)
                           .where(RegistrationRequest.user_id == user_id, RegistrationRequest.status == "pending")
                           .order_by(RegistrationRequest.id.desc()).limit(1)).first()


def pending_requests(session: Session, limit: int = 50) -> list[RegistrationRequest]:
    """Requests waiting for a decision, oldest first."""
    return list(session.scalars(select(RegistrationRequest).where(RegistrationRequest.status == "pending")
                                .order_by(RegistrationRequest.created_at, RegistrationRequest.id).limit(limit)))


def get_request(session: Session, request_id: int) -> RegistrationRequest | None:
    """The request with `request_id` (any status), or None."""
    return session.get(RegistrationRequest, request_id)


def create_request(session: Session, member: Member, role: str, now: datetime, *, work_group: str | None = None,
                   school_code: str | None = None) -> RegistrationRequest:
    """A pending request of `member` to become `role` (staff with `work_group`, school with
    `school_code`); the member's status becomes "pending" until an admin decides."""
    req = RegistrationRequest(user_id=member.user_id, role=role, work_group=work_group, school_code=school_code,
                              status="pending", created_at=now)
    session.add(req)
    member.status, member.updated_at = "pending", now
    session.flush()
    return req


def decide(session: Session, req: RegistrationRequest, approve: bool, by: str, now: datetime) -> bool:
    """Mark `req` approved or rejected by `by` at `now` if it is still pending; False when someone
    decided (or it was cancelled) first. `req` is refreshed either way. On a rejection the pending
    member is an ordinary guest again; an approval's role change is `storage.members.set_role`."""
    result = session.execute(
        update(RegistrationRequest)
        .where(RegistrationRequest.id == req.id, RegistrationRequest.status == "pending")
        .values(status="approved" if approve else "rejected", decided_by=by, decided_at=now)
        .execution_options(synchronize_session=False))
    session.refresh(req)
    if result.rowcount != 1:
        return False
    member = session.get(Member, req.user_id)
    if not approve and member is not None and member.status == "pending":
        member.status, member.updated_at = "active", now  # back to an ordinary guest
        session.flush()
    return True


def new_code() -> str:
    """A fresh invite code: three letters and three digits, e.g. ``KQT482`` (easy to read aloud). Never
    one letter three times: chat text normalisation folds "KKK" to "K" (`content.thai.normalize`)."""
    while True:
        letters = "".join(secrets.choice(INVITE_LETTERS) for _ in range(3))
        if len(set(letters)) > 1:
            return letters + "".join(secrets.choice(INVITE_DIGITS) for _ in range(3))


def clean_code(text: str) -> str:
    """`text` as an invite code is stored: Thai digits to Arabic, upper case, spaces and dashes dropped."""
    return _NOT_CODE.sub("", normalize(text)).upper()


def create_invites(session: Session, role: str, now: datetime, created_by: str, *, work_group: str | None = None,
                   school_code: str | None = None, days: int = INVITE_DAYS, count: int = 1) -> list[InviteCode]:
    """`count` (1-50) new codes for `role` with its work group or school, valid for `days` (1-90) from
    `now`. ValueError for counts or days out of range, or a role without its group/school."""
    if not 1 <= count <= INVITE_MAX_COUNT:
        raise ValueError(f"count must be 1..{INVITE_MAX_COUNT}")
    if not 1 <= days <= 90:
        raise ValueError("days must be 1..90")
    target = {"staff": work_group, "school": school_code}.get(role)
    if not target:
        raise ValueError("invites are for staff (with a work group) or school (with a school code)")
    codes: list[InviteCode] = []
    while len(codes) < count:
        code = new_code()
        if session.get(InviteCode, code) is not None or any(c.code == code for c in codes):
            continue
        codes.append(InviteCode(code=code, role=role, work_group=work_group if role == "staff" else None,
                                school_code=school_code if role == "school" else None, created_by=created_by,
                                created_at=now, expires_at=now + timedelta(days=days)))
    session.add_all(codes)
    session.flush()
    return codes


def get_invite(session: Session, code: str) -> InviteCode | None:
    """The invite `code` as typed (Thai digits, lower case, spaces and dashes allowed), or None."""
    return session.get(InviteCode, clean_code(code))


def usable_invites(session: Session, now: datetime, limit: int = 30) -> list[InviteCode]:
    """Codes not used and not expired at `now`, soonest to expire first."""
    return list(session.scalars(select(InviteCode).where(InviteCode.used_by.is_(None), InviteCode.expires_at > now)
                                .order_by(InviteCode.expires_at, InviteCode.code).limit(limit)))


def claim_invite(session: Session, invite: InviteCode, user_id: str, now: datetime) -> bool:
    """Use `invite` for `user_id` if it is still unused and unexpired at `now`; False otherwise."""
    result = session.execute(
        update(InviteCode)
        .where(InviteCode.code == invite.code, InviteCode.used_by.is_(None), InviteCode.expires_at > now)
        .values(used_by=user_id, used_at=now)
        .execution_options(synchronize_session=False))
    session.refresh(invite)
    return result.rowcount == 1
