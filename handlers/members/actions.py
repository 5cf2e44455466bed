"""Admin actions on members, one copy for every front end: the chat handlers and the `flask members` /
`flask invites` commands (bot/admin_cli.py) both call these.

Each function takes the session, the `Actor` acting, what to act on, `now` (UTC) and the settings it
needs (the content, for how a place reads; `admin_ids` = `LINE_ADMIN_USER_IDS`, for who is a configured
admin). It checks `handlers.core.policy.require(actor, action, target)` — raising `UserFacingError`
with the Thai refusal — then writes, audits (actor = `actor.user_id`), and returns an `Outcome`: whether
anything changed and the `Notice`s to push to the people concerned (plain data; a chat handler turns them
into `Result.pushes`, the CLI into outbox rows with `BotRuntime.enqueue_pushes`). Nothing here does
network I/O or commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from content.model import Content
from handlers.core import policy
from handlers.core.types import Actor, Reply, TextReply, UserFacingError
from handlers.members import directory
from storage import members, registrations
from storage.models import InviteCode, Member, RegistrationRequest

ROLE_CHANGED = "ผู้ดูแลระบบปรับสิทธิ์ของคุณเป็น {place} แล้วค่ะ พิมพ์ \"ฉันคือใคร\" เพื่อดูรายละเอียดได้ค่ะ"
OFFICER_ON = "ผู้ดูแลระบบมอบหมายให้คุณเป็นเจ้าหน้าที่รับเรื่องร้องเรียนแล้วค่ะ 🙏"
OFFICER_OFF = "ผู้ดูแลระบบยกเลิกการมอบหมายเจ้าหน้าที่รับเรื่องร้องเรียนของคุณแล้วค่ะ"
APPROVED = ("ยินดีด้วยค่ะ 🎉 ผู้ดูแลระบบอนุมัติการลงทะเบียนของคุณแล้ว สิทธิ์ของคุณคือ {place} "
            "พิมพ์ \"ฉันคือใคร\" เพื่อดูข้อมูลของคุณได้ค่ะ")
REJECTED = ("ขออภัยค่ะ 🙏 ผู้ดูแลระบบไม่อนุมัติคำขอลงทะเบียนเป็น {place} "
            "หากคิดว่าผิดพลาด ติดต่อผู้ดูแลระบบของสำนักงาน หรือพิมพ์ \"ลงทะเบียน\" เพื่อส่งคำขอใหม่ได้ค่ะ")
NOT_STAFF = "{name} ไม่ได้เป็นบุคลากรสำนักงาน จึงเป็นเจ้าหน้าที่รับเรื่องร้องเรียนไม่ได้ค่ะ"
NO_REQUEST = "ไม่พบคำขอลงทะเบียนนี้แล้วค่ะ 🙏"


@dataclass(frozen=True)
class Notice:
    """A message to push to `user_id` (a member told of what an admin did)."""

    user_id: str
    text: str


@dataclass
class Outcome:
    """What an action did: `changed` (False: nothing to do, e.g. the role was already that, or another
    admin decided the request first), the `member` acted on, the `request` decided, the `invites`
    created, and the `notices` to push."""

    changed: bool
    member: Member | None = None
    request: RegistrationRequest | None = None
    invites: list[InviteCode] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    def pushes(self) -> list[tuple[str, list[Reply]]]:
        """The notices as `Result.pushes`."""
        return [(n.user_id, [TextReply(n.text)]) for n in self.notices]


def _tell(m: Member, text: str) -> list[Notice]:
    return [Notice(m.user_id, text)] if m.following else []


def target_of(m: Member, admin_ids: frozenset[str]) -> Actor:
    """Member `m` as the policy sees a target (configured admins recognised)."""
    return policy.actor_of(m, admin_ids)


def decide_registration(session: Session, actor: Actor, request_id: int, approve: bool, now: datetime, *,
                        content: Content) -> Outcome:
    """Approve (the applicant gets the role asked for; audited "registration.approve") or reject
    ("registration.reject") request `request_id`; the first decision wins (`changed` False after it).
    The applicant is told either way. UserFacingError when refused or the request is gone."""
    policy.require(actor, "registration.decide")
    req = registrations.get_request(session, request_id)
    if req is None:
        raise UserFacingError(NO_REQUEST)
    if not registrations.decide(session, req, approve, actor.user_id or "", now):
        return Outcome(False, members.get_member(session, req.user_id), req)
    applicant = members.get_member(session, req.user_id)
    place = directory.describe_place(content, session, req.role, req.work_group, req.school_code)
    if approve:
        members.set_role(session, applicant, req.role, now, actor.user_id or "", work_group=req.work_group,
                         school_code=req.school_code, action="registration.approve", request=req.id)
        notice = APPROVED.format(place=place)
    else:
        members.audit(session, actor.user_id or "", "registration.reject", req.user_id, now, request=req.id,
                      role=req.role, group=req.work_group, school=req.school_code)
        notice = REJECTED.format(place=place)
    return Outcome(True, applicant, req, notices=[Notice(req.user_id, notice)])


def set_role(session: Session, actor: Actor, m: Member, role: str, now: datetime, *, content: Content,
             admin_ids: frozenset[str], work_group: str | None = None, school_code: str | None = None) -> Outcome:
    """Give `m` `role` (staff with `work_group`, school with `school_code`, which the caller has checked
    exist); audited "member.set_role"; an unchanged place changes nothing. Refused on oneself and on a
    configured admin (`policy` rule "members.set_role")."""
    policy.require(actor, "members.set_role", target_of(m, admin_ids))
    work_group = work_group if role == policy.STAFF else None
    school_code = school_code if role == policy.SCHOOL else None
    if m.status == "active" and (m.role, m.work_group, m.school_code) == (role, work_group, school_code):
        return Outcome(False, m)
    members.set_role(session, m, role, now, actor.user_id or "", work_group=work_group, school_code=school_code)
    place = directory.describe_place(content, session, role, work_group, school_code)
    return Outcome(True, m, notices=_tell(m, ROLE_CHANGED.format(place=place)))


def set_officer(session: Session, actor: Actor, m: Member, on: bool, now: datetime, *,
                admin_ids: frozenset[str]) -> Outcome:
    """Set (`on`) or clear the complaint-officer flag of active staff member `m`; audited
    "member.set_officer"; no change, no audit. UserFacingError for non-staff or when refused."""
    policy.require(actor, "members.set_officer", target_of(m, admin_ids))
    if on and (m.role != policy.STAFF or m.status != "active"):
        raise UserFacingError(NOT_STAFF.format(name=members.name_of(m) or m.user_id))
    if bool(m.complaint_officer) == on:
        return Outcome(False, m)
    members.set_officer(session, m, on, now, actor.user_id or "")
    return Outcome(True, m, notices=_tell(m, OFFICER_ON if on else OFFICER_OFF))


def remove(session: Session, actor: Actor, m: Member, now: datetime, *, admin_ids: frozenset[str]) -> Outcome:
    """Remove `m` from the members (back to guest, status removed); audited "member.remove"; already
    removed changes nothing. Refused on oneself and on a configured admin."""
    policy.require(actor, "members.remove", target_of(m, admin_ids))
    if m.status == "removed":
        return Outcome(False, m)
    members.remove_member(session, m, now, actor.user_id or "")
    return Outcome(True, m)


def create_invites(session: Session, actor: Actor, role: str, now: datetime, *, work_group: str | None = None,
                   school_code: str | None = None, count: int = 1,
                   days: int = registrations.INVITE_DAYS) -> Outcome:
    """Create `count` single-use invite codes for `role` (staff of `work_group`, or users of school
    `school_code`) valid `days` days; audited "invite.create". ValueError for counts or days out of range
    (`storage.registrations.create_invites`)."""
    policy.require(actor, "invite.create")
    codes = registrations.create_invites(session, role, now, actor.user_id or "", work_group=work_group,
                                         school_code=school_code, days=days, count=count)
    members.audit(session, actor.user_id or "", "invite.create", role, now, count=count,
                  group=codes[0].work_group, school=codes[0].school_code, codes=[c.code for c in codes], days=days)
    return Outcome(True, invites=codes)
