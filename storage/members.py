"""Member queries: who is who, and the audit log of admin actions. `session` first; never commits."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from content.thai import loose
from storage import richmenus
from storage.models import AuditLog, Member, RegistrationRequest

PROFILE_MAX_AGE = timedelta(days=7)
ROLES = ("guest", "staff", "school", "admin")  # the values of Member.role (handlers.core.policy names them)
NAME_MATCH = 80  # rapidfuzz score (0-100) for a display-name search hit


def get_member(session: Session, user_id: str) -> Member | None:
    """The member with LINE user ID `user_id`, or None if the bot never saw them."""
    return session.get(Member, user_id)


def name_of(member: Member | None) -> str:
    """The name to show for `member`: the real name typed at registration, else the LINE display name,
    else "" (unknown)."""
    if member is None:
        return ""
    return (member.full_name or "").strip() or (member.display_name or "").strip()


UNKNOWN_NAME = "สมาชิกที่ไม่ทราบชื่อ"
CLI_NAME = "ผู้ดูแลระบบ (คำสั่ง flask)"


def names_of(session: Session, ids: set[str]) -> dict[str, str]:
    """The name to show for each id who changed something: a member's `name_of`, "ผู้ดูแลระบบ (คำสั่ง
    flask)" for "cli" / "cli:<user>", "สมาชิกที่ไม่ทราบชื่อ" for a LINE user with no name on record, and
    "" for an empty id. One query."""
    users = {i for i in ids if i and i.startswith("U")}
    found = {m.user_id: name_of(m) for m in session.scalars(select(Member).where(Member.user_id.in_(users)))} \
        if users else {}
    out = {}
    for i in ids:
        if not i:
            out[i] = ""
        elif i == "cli" or i.startswith("cli:"):
            out[i] = CLI_NAME
        else:
            out[i] = found.get(i) or (UNKNOWN_NAME if i.startswith("U") else i)
    return out


PROFILE_RETRY = timedelta(hours=1)  # after LINE gave no profile (404 for a user who is not a friend, an error)


def profile_failed(session: Session, user_id: str, now: datetime) -> None:
    """LINE gave no profile for `user_id` at `now` (UTC): ask again in `PROFILE_RETRY`, not at every message."""
    member = session.get(Member, user_id)
    if member is not None:
        member.profile_refreshed_at = now - PROFILE_MAX_AGE + PROFILE_RETRY


def profile_is_stale(member: Member | None, now: datetime) -> bool:
    """True when we have no display name for the member or it is older than 7 days."""
    return member is None or member.profile_refreshed_at is None or \
        member.profile_refreshed_at < now - PROFILE_MAX_AGE


def touch_member(session: Session, user_id: str, now: datetime, admin_ids: frozenset[str],
                 profile: dict[str, Any] | None = None) -> Member:
    """The member for `user_id`, created as a guest on first sight (an admin if listed in
    `LINE_ADMIN_USER_IDS`); `profile` (LINE's displayName/pictureUrl) refreshes the cached name. Becoming
    an admin this way queues the admin rich menu's link, as `set_role` does."""
    member = session.get(Member, user_id)
    before = richmenus.menu_role(member)
    if member is None:
        member = Member(user_id=user_id, role="admin" if user_id in admin_ids else "guest", status="active",
                        created_at=now, updated_at=now, display_name="", following=True)
        session.add(member)
    elif user_id in admin_ids and member.role != "admin" and member.status != "removed":
        member.role = "admin"
    if richmenus.menu_role(member) != before:
        session.flush()
        richmenus.enqueue_link(session, user_id, richmenus.menu_role(member), now)
    if profile:
        member.display_name = (profile.get("displayName") or member.display_name or "")[:200]
        member.picture_url = profile.get("pictureUrl") or member.picture_url
        member.profile_refreshed_at = now
    session.flush()
    return member


def members(session: Session, role: str | None = None, work_group: str | None = None,
            active_only: bool = True, *, status: str | None = None, officer: bool | None = None,
            school_code: str | None = None) -> list[Member]:
    """Members, optionally of one role, work group, school, status (overrides `active_only`) and
    complaint-officer flag, by display name."""
    stmt = select(Member)
    if role:
        stmt = stmt.where(Member.role == role)
    if work_group:
        stmt = stmt.where(Member.work_group == work_group)
    if school_code:
        stmt = stmt.where(Member.school_code == school_code)
    if officer is not None:
        stmt = stmt.where(Member.complaint_officer.is_(officer))
    if status:
        stmt = stmt.where(Member.status == status)
    elif active_only:
        stmt = stmt.where(Member.status == "active")
    return list(session.scalars(stmt.order_by(Member.display_name, Member.user_id)))


def search_members(session: Session, text: str, limit: int = 20) -> list[Member]:
    """Members (any status) whose LINE user ID is `text`, or whose real name or LINE display name matches
    it (Thai-safe fuzzy: `loose` form, rapidfuzz without `default_process`), best first."""
    text = text.strip()
    exact = session.get(Member, text) if text.startswith("U") else None
    if exact is not None:
        return [exact]
    q = loose(text)
    if not q:
        return []
    scored = []
    for m in session.scalars(select(Member).where((Member.display_name != "") | (Member.full_name != ""))):
        names = [n for n in (m.full_name, m.display_name) if n]
        score = max(fuzz.partial_ratio(q, loose(n), processor=None) for n in names) if len(q) >= 2 else 0
        if score >= NAME_MATCH:
            scored.append((-score, name_of(m), m.user_id, m))
    scored.sort(key=lambda item: item[:3])
    return [item[3] for item in scored[:limit]]


def role_counts(session: Session) -> dict[str, int]:
    """How many members are active per role, and how many are "pending" or "removed"."""
    counts = {role: 0 for role in ROLES} | {"pending": 0, "removed": 0}
    rows = session.execute(select(Member.role, Member.status, func.count()).group_by(Member.role, Member.status))
    for role, status, n in rows:
        key = role if status == "active" else status
        counts[key] = counts.get(key, 0) + n
    return counts


def admin_ids(session: Session, configured: frozenset[str]) -> list[str]:
    """Who hears about admin matters: active admins still following the bot, and the configured
    `LINE_ADMIN_USER_IDS` (unless removed or unfollowed), sorted."""
    found = set(session.scalars(select(Member.user_id).where(Member.role == "admin", Member.status == "active",
                                                             Member.following.is_(True))))
    for user_id in configured:
        m = session.get(Member, user_id)
        if m is None or (m.status != "removed" and m.following):
            found.add(user_id)
    return sorted(found)


def _cancel_pending(session: Session, user_id: str, by: str, now: datetime) -> None:
    session.execute(update(RegistrationRequest)
                    .where(RegistrationRequest.user_id == user_id, RegistrationRequest.status == "pending")
                    .values(status="cancelled", decided_by=by, decided_at=now)
                    .execution_options(synchronize_session=False))


def set_role(session: Session, member: Member, role: str, now: datetime, by: str, *,
             work_group: str | None = None, school_code: str | None = None, action: str = "member.set_role",
             **detail: Any) -> AuditLog:
    """Give `member` `role` (staff with `work_group`, school with `school_code`), active, and audit it as
    `action` by `by` (a LINE user ID, or "cli"). The complaint-officer flag stays only on staff; a
    pending registration request of the member is cancelled. When this changes which rich menu the
    member should see, linking it is queued in the outbox (`storage.richmenus.enqueue_link`; nothing
    before the first `flask richmenu deploy`). Raises ValueError for an unknown role or a missing
    group/school (callers check that the group and school exist)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if role == "staff" and not work_group:
        raise ValueError("a staff member needs a work group")
    if role == "school" and not school_code:
        raise ValueError("a school member needs a school code")
    before = {"from_role": member.role, "from_group": member.work_group, "from_school": member.school_code,
              "from_status": member.status}
    menu_before = richmenus.menu_role(member)
    member.role, member.status, member.updated_at = role, "active", now
    member.work_group = work_group if role == "staff" else None
    member.school_code = school_code if role == "school" else None
    member.complaint_officer = bool(member.complaint_officer) and role == "staff"
    _cancel_pending(session, member.user_id, by, now)
    session.flush()
    if richmenus.menu_role(member) != menu_before:
        richmenus.enqueue_link(session, member.user_id, role, now)
    return audit(session, by, action, member.user_id, now, role=role, group=member.work_group,
                 school=member.school_code, **before, **detail)


def set_officer(session: Session, member: Member, flag: bool, now: datetime, by: str) -> AuditLog:
    """Set or clear the complaint-officer flag of a staff member and audit it; ValueError for non-staff."""
    if flag and member.role != "staff":
        raise ValueError("only staff can be complaint officers")
    member.complaint_officer, member.updated_at = flag, now
    session.flush()
    return audit(session, by, "member.set_officer", member.user_id, now, officer=flag)


def remove_member(session: Session, member: Member, now: datetime, by: str) -> AuditLog:
    """Remove `member`: status removed, back to guest without group, school or flag; a pending request is
    cancelled; audited; their rich menu goes back to the default (queued, as in `set_role`). The row
    stays (their history and the audit log refer to it)."""
    before = {"from_role": member.role, "from_group": member.work_group, "from_school": member.school_code}
    menu_before = richmenus.menu_role(member)
    member.role, member.status, member.updated_at = "guest", "removed", now
    member.work_group = member.school_code = None
    member.complaint_officer = False
    _cancel_pending(session, member.user_id, by, now)
    session.flush()
    if menu_before != "guest":
        richmenus.enqueue_link(session, member.user_id, "guest", now)
    return audit(session, by, "member.remove", member.user_id, now, **before)


def set_following(session: Session, user_id: str, following: bool, now: datetime) -> Member | None:
    """Record a follow (True) or unfollow/block (False) of `user_id`; None if we never saw them."""
    member = session.get(Member, user_id)
    if member is not None:
        member.following, member.updated_at = following, now
        session.flush()
    return member


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
