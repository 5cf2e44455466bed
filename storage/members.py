"""Member queries: who is who, and the audit log of admin actions. `session` first; never commits."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditLog, Member

PROFILE_MAX_AGE = timedelta(days=7)


def get_member(session: Session, user_id: str) -> Member | None:
    return session.get(Member, user_id)


def profile_is_stale(member: Member | None, now: datetime) -> bool:
    """True when we have no display name for the member or it is older than 7 days."""
    return member is None or member.profile_refreshed_at is None or \
        member.profile_refreshed_at < now - PROFILE_MAX_AGE


def touch_member(session: Session, user_id: str, now: datetime, admin_ids: frozenset[str],
                 profile: dict[str, Any] | None = None) -> Member:
    """The member for `user_id`, created as a guest on first sight (an admin if listed in
    `LINE_ADMIN_USER_IDS`); `profile` (LINE's displayName/pictureUrl) refreshes the cached name."""
    member = session.get(Member, user_id)
    if member is None:
        member = Member(user_id=user_id, role="admin" if user_id in admin_ids else "guest", status="active",
                        created_at=now, updated_at=now, display_name="", following=True)
        session.add(member)
    elif user_id in admin_ids and member.role != "admin" and member.status != "removed":
        member.role = "admin"
    if profile:
        member.display_name = (profile.get("displayName") or member.display_name or "")[:200]
        member.picture_url = profile.get("pictureUrl") or member.picture_url
        member.profile_refreshed_at = now
    session.flush()
    return member


def members(session: Session, role: str | None = None, work_group: str | None = None,
            active_only: bool = True) -> list[Member]:
    """Members, optionally of one role and work group, by display name."""
    stmt = select(Member)
    if role:
        stmt = stmt.where(Member.role == role)
    if work_group:
        stmt = stmt.where(Member.work_group == work_group)
    if active_only:
        stmt = stmt.where(Member.status == "active")
    return list(session.scalars(stmt.order_by(Member.display_name, Member.user_id)))


def audit(session: Session, actor_id: str, action: str, target: str, now: datetime,
          **detail: Any) -> AuditLog:
    """Record an admin action (who, what, on whom, details) at `now` (UTC)."""
    row = AuditLog(actor_id=actor_id, action=action, target=target[:120], detail=detail, created_at=now)
    session.add(row)
    return row


def audit_log(session: Session, limit: int = 50, actor_id: str | None = None) -> list[AuditLog]:
    """The newest audit entries first."""
    stmt = select(AuditLog).order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(limit)
    if actor_id:
        stmt = stmt.where(AuditLog.actor_id == actor_id)
    return list(session.scalars(stmt))
