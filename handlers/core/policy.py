"""Who may do what: the one permission policy every handler asks.

Roles (storage.models.Member.role): guest, staff, school, admin; complaint officer is a flag on staff.
A member whose registration is pending or who was removed counts as a guest. Admins listed in
`LINE_ADMIN_USER_IDS` are admins whatever the database says. `PUBLIC` actions are read-only lookups
anyone may do, even in a group chat where LINE did not say who is writing; every other action needs to
know the person, and without a user ID the refusal asks them to use a 1:1 chat.
"""
from __future__ import annotations

from handlers.core.types import Actor, UserFacingError

GUEST, STAFF, SCHOOL, ADMIN = "guest", "staff", "school", "admin"
ROLES = (GUEST, STAFF, SCHOOL, ADMIN)
ROLE_NAMES = {GUEST: "ผู้ใช้ทั่วไป", STAFF: "บุคลากรสำนักงาน", SCHOOL: "สถานศึกษา", ADMIN: "ผู้ดูแลระบบ"}

# action -> roles allowed; "officer" means the complaint-officer flag
RULES: dict[str, frozenset[str]] = {
    "lookup": frozenset(ROLES),
    "workgroups.view": frozenset(ROLES),
    "profile": frozenset(ROLES),
    "register": frozenset(ROLES),
    "ack": frozenset(ROLES),
    "groups.view": frozenset({STAFF, ADMIN}),
    "schools.view": frozenset({STAFF, ADMIN}),
    "members.view": frozenset({ADMIN}),
    "members.set_role": frozenset({ADMIN}),
    "members.remove": frozenset({ADMIN}),
    "members.set_officer": frozenset({ADMIN}),
    "registration.decide": frozenset({ADMIN}),
    "invite.create": frozenset({ADMIN}),
    "group.bind": frozenset({ADMIN}),
    "broadcast.send": frozenset({ADMIN}),
    "broadcast.report": frozenset({ADMIN}),
    "unanswered.view": frozenset({ADMIN}),
    "audit.view": frozenset({ADMIN}),
    "complaints.handle": frozenset({ADMIN, "officer"}),
}

PUBLIC = frozenset({"lookup", "workgroups.view"})  # no user ID needed

REFUSED = {
    ADMIN: "ขออภัยค่ะ คำสั่งนี้สำหรับผู้ดูแลระบบเท่านั้น 🙏",
    STAFF: "ขออภัยค่ะ ส่วนนี้สำหรับบุคลากรของสำนักงานที่ลงทะเบียนแล้ว พิมพ์ \"ลงทะเบียน\" เพื่อขอสิทธิ์ได้ค่ะ",
    "officer": "ขออภัยค่ะ ส่วนนี้สำหรับผู้ดูแลระบบและเจ้าหน้าที่รับเรื่องร้องเรียนค่ะ",
}
NEEDS_PRIVATE_CHAT = ("ขออภัยค่ะ ในกลุ่มนี้บอทไม่เห็นว่าใครเป็นผู้ส่ง (LINE ส่งข้อมูลผู้ส่งเฉพาะจากแอปบนมือถือ) "
                      "รบกวนทำรายการนี้ในแชต 1:1 กับบอทนะคะ")

PRIVATE_ONLY = ("รายการนี้ทำได้ในแชต 1:1 กับบอทเท่านั้นค่ะ 🙏 เพื่อไม่ให้ข้อมูลของสมาชิกแสดงในกลุ่ม "
                "เปิดแชตกับบอทแล้วพิมพ์อีกครั้งนะคะ")


def actor_of(member) -> Actor:
    """The `Actor` for a `storage.models.Member`: pending or removed members act as guests."""
    if member.status != "active":
        return Actor(member.user_id)
    return Actor(member.user_id, member.role, member.work_group, member.school_code,
                 bool(member.complaint_officer) and member.role == STAFF)


def allowed(actor: Actor, action: str) -> bool:
    """True when `actor` may do `action` (a key of `RULES`); unknown actions are refused."""
    if action in PUBLIC:
        return True
    rule = RULES.get(action)
    if rule is None or actor.user_id is None:
        return False
    if actor.role in rule:
        return True
    return "officer" in rule and actor.role == STAFF and actor.complaint_officer


def require(actor: Actor, action: str) -> None:
    """Raise `UserFacingError` with a polite Thai reason unless `actor` may do `action`."""
    if allowed(actor, action):
        return
    if actor.user_id is None:
        raise UserFacingError(NEEDS_PRIVATE_CHAT)
    rule = RULES.get(action, frozenset({ADMIN}))
    key = ADMIN if rule == frozenset({ADMIN}) else "officer" if "officer" in rule else STAFF
    raise UserFacingError(REFUSED[key])


def require_private_chat(actor: Actor, chat_kind: str) -> None:
    """Raise `UserFacingError` unless this is a 1:1 chat (admin work on members stays out of groups);
    without a user ID the reason is `NEEDS_PRIVATE_CHAT`."""
    if actor.user_id is None:
        raise UserFacingError(NEEDS_PRIVATE_CHAT)
    if chat_kind != "user":
        raise UserFacingError(PRIVATE_ONLY)
