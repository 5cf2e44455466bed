"""Who may do what: the one permission policy every handler asks.

Roles (storage.models.Member.role): guest, staff, school, admin; complaint officer is a flag on staff.
A member whose registration is pending or who was removed counts as a guest. Admins listed in
`LINE_ADMIN_USER_IDS` are admins whatever the database says (`actor_of`, the one place), and cannot be
demoted or removed from chat or CLI. `PUBLIC` actions are read-only lookups
anyone may do, even in a group chat where LINE did not say who is writing; every other action needs to
know the person, and without a user ID the refusal asks them to use a 1:1 chat.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from handlers.core.types import Actor, Ctx, UserFacingError

GUEST, STAFF, SCHOOL, ADMIN = "guest", "staff", "school", "admin"
ROLES = (GUEST, STAFF, SCHOOL, ADMIN)
ROLE_NAMES = {GUEST: "ผู้ใช้ทั่วไป", STAFF: "บุคลากรสำนักงาน", SCHOOL: "สถานศึกษา", ADMIN: "ผู้ดูแลระบบ"}


@dataclass(frozen=True)
class Rule:
    """Who may do an action: `roles` ("officer" = the complaint-officer flag on staff), whether it is
    done only in a 1:1 chat (`private_only`: member data stays out of group chats), and an optional
    `check(actor, resource) -> str | None` on the thing acted on, giving the refusal or None."""

    roles: frozenset[str]
    private_only: bool = False
    check: Callable[[Actor, Any], str | None] | None = None


def _not_self_or_configured(actor: Actor, target: Any) -> str | None:
    """Members are changed by another admin, and configured admins not from chat or CLI at all."""
    if target is None:
        return None
    if target.configured_admin:
        return NOT_ON_CONFIGURED
    if actor.user_id is not None and target.user_id == actor.user_id:
        return NOT_ON_SELF
    return None


def _responsible(actor: Actor, item: Any) -> str | None:
    """Evidence of an item is reported by staff of its main or co-responsible work groups ("all" = any
    staff) and by admins; `item` has `main_groups` and `co_groups` (`handlers.evidence.items.Item`)."""
    if actor.role == ADMIN or item is None:
        return None
    groups = set(item.main_groups) | set(item.co_groups)
    return None if "all" in groups or (actor.work_group and actor.work_group in groups) else NOT_RESPONSIBLE


def _supervises(actor: Actor, item: Any) -> str | None:
    """ตรวจแล้ว / ต้องแก้ไข are set by admins and by staff of a work group the content names as the item's
    indicator supervisor (`item.supervisors`; the seeds name none)."""
    if actor.role == ADMIN:
        return None
    ok = item is not None and actor.work_group and actor.work_group in getattr(item, "supervisors", ())
    return None if ok else NOT_REVIEWER


ANY, MEMBERS, ADMINS = frozenset(ROLES), frozenset({STAFF, ADMIN}), frozenset({ADMIN})
RULES: dict[str, Rule] = {
    "lookup": Rule(ANY),
    "workgroups.view": Rule(ANY),
    "profile": Rule(ANY),
    "register": Rule(ANY),
    "ack": Rule(ANY),
    "groups.view": Rule(MEMBERS),
    "schools.view": Rule(MEMBERS),
    "members.view": Rule(ADMINS, private_only=True),
    "members.set_role": Rule(ADMINS, private_only=True, check=_not_self_or_configured),
    "members.remove": Rule(ADMINS, private_only=True, check=_not_self_or_configured),
    "members.set_officer": Rule(ADMINS, private_only=True, check=_not_self_or_configured),
    "registration.decide": Rule(ADMINS, private_only=True),
    "invite.create": Rule(ADMINS, private_only=True),
    "group.bind": Rule(ADMINS),
    "broadcast.send": Rule(ADMINS, private_only=True),
    "broadcast.report": Rule(ADMINS, private_only=True),
    "unanswered.view": Rule(ADMINS, private_only=True),
    "audit.view": Rule(ADMINS, private_only=True),
    "evidence.report": Rule(MEMBERS, check=_responsible),
    "evidence.review": Rule(MEMBERS, check=_supervises),
    "evidence.view": Rule(MEMBERS),
    "calendar.view": Rule(ANY),
    "holidays.view": Rule(ANY),  # the coming days off: public, anyone, in any chat (handlers.calendar)
    "holidays.manage": Rule(ADMINS, private_only=True),  # the office's edits, from a 1:1 chat or the CLI
    "rounds.manage": Rule(ADMINS, private_only=True),
    "evidence.export": Rule(ADMINS, private_only=True),
    "reminders.self": Rule(MEMBERS, private_only=True),  # personal reminders ("เตือนฉัน"), 1:1
    "reminders.manage": Rule(ADMINS, private_only=True),  # the reminder policy per round kind
    "complaints.handle": Rule(frozenset({ADMIN, "officer"}), private_only=True),
    "complaints.stats": Rule(ADMINS, private_only=True),
    "complaints.mydata": Rule(ANY, private_only=True),  # a complainant's own cases: access and erasure
    "complaints.rate": Rule(ANY, private_only=True),  # and only the case's filer (handlers.complaints.rating)
}

PUBLIC = frozenset({"lookup", "workgroups.view", "calendar.view", "holidays.view"})  # no user ID needed

REFUSED = {
    ADMIN: "ขออภัยค่ะ คำสั่งนี้สำหรับผู้ดูแลระบบเท่านั้น 🙏",
    STAFF: "ขออภัยค่ะ ส่วนนี้สำหรับบุคลากรของสำนักงานที่ลงทะเบียนแล้ว พิมพ์ \"ลงทะเบียน\" เพื่อขอสิทธิ์ได้ค่ะ",
    "officer": "ขออภัยค่ะ ส่วนนี้สำหรับผู้ดูแลระบบและเจ้าหน้าที่รับเรื่องร้องเรียนค่ะ",
}
NEEDS_PRIVATE_CHAT = ("ขออภัยค่ะ ในกลุ่มนี้บอทไม่เห็นว่าใครเป็นผู้ส่ง (LINE ส่งข้อมูลผู้ส่งเฉพาะจากแอปบนมือถือ) "
                      "รบกวนทำรายการนี้ในแชต 1:1 กับบอทนะคะ")
PRIVATE_ONLY = ("รายการนี้ทำได้ในแชต 1:1 กับบอทเท่านั้นค่ะ 🙏 เพื่อไม่ให้ข้อมูลของสมาชิกแสดงในกลุ่ม "
                "เปิดแชตกับบอทแล้วพิมพ์อีกครั้งนะคะ")
NOT_RESPONSIBLE = "ขออภัยค่ะ รายการนี้รายงานได้เฉพาะบุคลากรของกลุ่มที่รับผิดชอบและผู้ดูแลระบบค่ะ"
NOT_REVIEWER = "ขออภัยค่ะ สถานะนี้ให้ได้เฉพาะผู้ดูแลระบบและผู้กำกับตัวบ่งชี้ (กลุ่มที่เนื้อหากำหนด) ค่ะ"
NOT_ON_SELF = "เปลี่ยนสิทธิ์หรือนำตัวเองออกไม่ได้ค่ะ 🙏 ให้ผู้ดูแลระบบอีกท่านทำให้นะคะ"
NOT_ON_CONFIGURED = ("ท่านนี้เป็นผู้ดูแลระบบหลักที่กำหนดไว้ในการตั้งค่าของระบบค่ะ "
                     "เปลี่ยนสิทธิ์หรือนำออกได้ที่การตั้งค่าของระบบเท่านั้น")


def actor_of(member, admin_ids: frozenset[str] = frozenset()) -> Actor:
    """The `Actor` for a `storage.models.Member`: IDs in `admin_ids` (`LINE_ADMIN_USER_IDS`) are admins
    whatever the database says; otherwise pending or removed members act as guests."""
    if member.user_id in admin_ids:
        return Actor(member.user_id, ADMIN, member.work_group, member.school_code, False, configured_admin=True)
    if member.status != "active":
        return Actor(member.user_id)
    return Actor(member.user_id, member.role, member.work_group, member.school_code,
                 bool(member.complaint_officer) and member.role == STAFF)


def _reason(actor: Actor, action: str, resource: Any = None) -> str | None:
    """Why `actor` may not do `action` on `resource` (a Thai refusal), or None when they may."""
    rule = RULES.get(action)
    if rule is None:
        return REFUSED[ADMIN]
    if action not in PUBLIC:
        if actor.user_id is None:
            return NEEDS_PRIVATE_CHAT
        officer_ok = "officer" in rule.roles and actor.role == STAFF and actor.complaint_officer
        if actor.role not in rule.roles and not officer_ok:
            key = ADMIN if rule.roles == ADMINS else "officer" if "officer" in rule.roles else STAFF
            return REFUSED[key]
    return rule.check(actor, resource) if rule.check else None


def allowed(actor: Actor, action: str, resource: Any = None) -> bool:
    """True when `actor` may do `action` (a key of `RULES`) on `resource` (e.g. the target member's
    `Actor`); unknown actions are refused. Where it is done (a group chat) is `require`'s business."""
    return _reason(actor, action, resource) is None


def require(who: Ctx | Actor, action: str, resource: Any = None) -> None:
    """Raise `UserFacingError` with a polite Thai reason unless `who` may do `action` on `resource`.

    Given a `Ctx` (a chat), a `private_only` rule is also refused outside a 1:1 chat; given an `Actor`
    (a `flask` command, a later web desk), there is no chat to check.
    """
    actor = who.actor if isinstance(who, Ctx) else who
    reason = _reason(actor, action, resource)
    if reason is None and isinstance(who, Ctx) and RULES[action].private_only and who.inp.chat_kind != "user":
        reason = PRIVATE_ONLY
    if reason is not None:
        raise UserFacingError(reason)
