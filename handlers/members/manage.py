"""Who is who in chat: "ฉันคือใคร" for everyone; for admins (1:1 chat) the member list with filters, and
buttons to change a role, set the complaint-officer flag or remove a member (postback "mem"); follow and
unfollow events. A role change is flow "memrole" over the shared picker (`handlers.members.picker`); every
change goes through `handlers.members.actions`. Work groups and schools (`handlers.members.directory`)
and invite codes (`handlers.members.invites`) plug into dispatch through this module's COMMANDS and FLOWS.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from content.thai import loose
from handlers import help
from handlers.core.flow import Flow, FlowState
from handlers.core.routing import Command
from handlers.members import actions, directory, invites, picker
from handlers.core import policy
from handlers.core import postback
from handlers.members import registration
from handlers.core.thaidate import thai_date
from handlers.core.types import Button, Card, CardList, Ctx, MessageAction, PostbackAction, Result, Section, TextReply, \
    UserFacingError
from storage import members, registrations
from storage.models import Member

PAGE = 10
USER_ID = re.compile(r"U[0-9a-f]{32}")
FILTERS = {  # what an admin types after "สมาชิก" -> filter key
    **dict.fromkeys(("บุคลากร", "บุคลากรสำนักงาน", "เจ้าหน้าที่", "staff"), "r:staff"),
    **dict.fromkeys(("สถานศึกษา", "โรงเรียน", "school"), "r:school"),
    **dict.fromkeys(("ผู้ดูแล", "ผู้ดูแลระบบ", "แอดมิน", "admin"), "r:admin"),
    **dict.fromkeys(("ทั่วไป", "ผู้ใช้ทั่วไป", "guest"), "r:guest"),
    **dict.fromkeys(("รออนุมัติ", "pending"), "pending"),
    **dict.fromkeys(("ถูกนำออก", "นำออก", "removed"), "removed"),
    **dict.fromkeys(("ผู้รับเรื่อง", "ผู้รับเรื่องร้องเรียน", "ร้องเรียน", "officer"), "officer"),
    **dict.fromkeys(("ทั้งหมด", "all"), ""),
}
FILTER_BUTTONS = ("รออนุมัติ", "บุคลากร", "สถานศึกษา", "ผู้ดูแลระบบ", "ผู้รับเรื่อง", "ทั้งหมด")  # ≤ 20 characters
STATUS = {"active": "ใช้งาน", "pending": "รออนุมัติการลงทะเบียน", "removed": "ถูกนำออกจากสมาชิก"}
ROLE_CHANGED, OFFICER_ON, OFFICER_OFF = actions.ROLE_CHANGED, actions.OFFICER_ON, actions.OFFICER_OFF
CONFIGURED_NOTE = "ผู้ดูแลระบบหลักที่กำหนดไว้ในการตั้งค่าของระบบ (เปลี่ยนจากแชตไม่ได้)"
NOT_ON_SELF, NOT_ON_CONFIGURED = policy.NOT_ON_SELF, policy.NOT_ON_CONFIGURED
FIND_HOW = "พิมพ์ชื่อของสมาชิกต่อท้ายค่ะ เช่น \"{word} สมชาย\""


# What the profile lists: (policy action, what it is, a button to do it or None). Only the actions this
# person is allowed (`policy.allowed`) are shown.
CAN = (
    ("lookup", "ค้นมาตรฐาน ตัวบ่งชี้ และเกณฑ์การประเมิน: พิมพ์คำถามหรือรหัส เช่น \"ตบช. 2.1\"", None),
    ("workgroups.view", "ดูกลุ่มงาน: พิมพ์ \"กลุ่มงาน\"", None),
    ("schools.view", "ค้นหาโรงเรียน: พิมพ์ \"ค้นหาโรงเรียน\" ตามด้วยชื่อ", None),
    ("members.view", "จัดการสมาชิก: \"สมาชิก\"", "สมาชิก"),
    ("registration.decide", "คำขอที่รออนุมัติ: \"คำขอลงทะเบียน\"", "คำขอลงทะเบียน"),
    ("invite.create", "รหัสเชิญ: \"สร้างคำเชิญ\"", "สร้างคำเชิญ"),
    ("broadcast.send", "ส่งประกาศ: \"ประกาศ\"", None),
    ("group.bind", "ผูกกลุ่มไลน์กับกลุ่มงาน: \"บอท ตั้งค่ากลุ่ม\" ในกลุ่มไลน์", None),
    ("unanswered.view", "คำถามที่บอทตอบไม่ได้: \"คำถามที่ตอบไม่ได้\"", None),
)
REGISTER_CAN = "ลงทะเบียนเป็นบุคลากรหรือสถานศึกษา: พิมพ์ \"ลงทะเบียน\""


def profile(ctx: Ctx, rest: str = "") -> Result:
    """ "ฉันคือใคร": the sender's name and position, role, work group or school, status, and what the
    policy allows them to do (`policy.allowed`)."""
    policy.require(ctx, "profile")
    m = members.touch_member(ctx.session, ctx.inp.user_id, ctx.now, ctx.settings.admin_user_ids)
    actor = ctx.actor
    sections = [Section("สิทธิ์", (directory.place_text(ctx, actor.role, actor.work_group, actor.school_code,
                                                        actor.complaint_officer),))]
    if m.full_name or m.position:
        sections.insert(0, Section("ชื่อ-ตำแหน่ง", tuple(x for x in (m.full_name, m.position and
                                                                    f"ตำแหน่ง {m.position}") if x)))
    req = registrations.pending_request(ctx.session, m.user_id)
    if req:
        asked = directory.place_text(ctx, req.role, req.work_group, req.school_code)
        sections.append(Section("คำขอลงทะเบียน", (f"ขอเป็น {asked}",
                                                   f"ส่งเมื่อ {thai_date(req.created_at)} · รอผู้ดูแลระบบอนุมัติ")))
    elif m.status == "removed":
        sections.append(Section("สถานะ", ("ถูกนำออกจากรายชื่อสมาชิก ใช้งานได้แบบผู้ใช้ทั่วไปค่ะ",)))
    can: list[str] = []
    buttons: list[Button] = []
    for action, what, word in CAN:
        if policy.allowed(actor, action):
            can.append(what)
            if word:
                buttons.append(Button(word, MessageAction(word)))
    if actor.role == policy.GUEST and not req and policy.allowed(actor, "register"):
        can.append(REGISTER_CAN)
        buttons.insert(0, Button("ลงทะเบียน", MessageAction("ลงทะเบียน")))
    sections.append(Section("ทำอะไรได้บ้าง", tuple(f"• {c}" for c in can)))
    return Result([Card(label="ข้อมูลของฉัน", title=members.name_of(m) or "สมาชิก", sections=tuple(sections),
                        buttons=tuple(buttons), alt_text=f"ข้อมูลของฉัน: {policy.ROLE_NAMES[actor.role]}",
                        footnote=f"รู้จักกับบอทตั้งแต่ {thai_date(m.created_at, time=False)}")])


def _admin(ctx: Ctx, action: str) -> None:
    policy.require(ctx, action)


def list_members(ctx: Ctx, rest: str = "") -> Result:
    """ "สมาชิก [บุคลากร|สถานศึกษา|ผู้ดูแลระบบ|รออนุมัติ|<กลุ่มงาน>|<ชื่อ>]" (admins, 1:1 chat)."""
    _admin(ctx, "members.view")
    key = FILTERS.get(loose(rest), None) if rest else ""
    if key is None:
        group = directory.find_group(ctx.content, rest)
        key = f"g:{group.id}" if group else _query_key(ctx, rest)
    return page(ctx, key, 0)


def _query_key(ctx: Ctx, rest: str) -> str:
    """The name filter for `rest`, or a LINE user ID as typed (command text is case- and repeat-folded)."""
    typed_id = USER_ID.search(ctx.inp.text)
    return f"q:{typed_id.group(0) if typed_id else rest[:40]}"


def find_for(action: str, word: str):
    """A command ("ตั้งสิทธิ์ สมชาย", "ลบสมาชิก สมชาย") that finds members by name to act on."""
    def command(ctx: Ctx, rest: str = "") -> Result:
        _admin(ctx, action)
        if not rest:
            raise UserFacingError(FIND_HOW.format(word=word))
        return page(ctx, _query_key(ctx, rest), 0)
    return command


def _select(ctx: Ctx, key: str) -> tuple[list[Member], str]:
    """The members of filter `key` and how the filter reads in Thai."""
    kind, _, value = key.partition(":")
    if kind == "r":
        return members.members(ctx.session, value), policy.ROLE_NAMES.get(value, value)
    if kind == "g":
        return members.members(ctx.session, policy.STAFF, value), directory.group_name(ctx.content, value)
    if kind == "q":
        return members.search_members(ctx.session, value, limit=50), f"ที่ชื่อคล้าย \"{value}\""
    if kind == "officer":
        return members.members(ctx.session, policy.STAFF, officer=True), directory.OFFICER_NAME
    if kind == "removed":
        return members.members(ctx.session, status="removed"), "ที่ถูกนำออก"
    everyone = [m for m in members.members(ctx.session, active_only=False) if m.status != "removed"]
    return everyone, "ทั้งหมด"


def page(ctx: Ctx, key: str, number: int) -> Result:
    """Page `number` of the members of filter `key`: a summary, then member cards with action buttons."""
    if key == "pending":
        return registration.pending_list(ctx)
    found, label = _select(ctx, key)
    filters = [Button(w, MessageAction(f"สมาชิก {w}")) for w in FILTER_BUTTONS]
    if not found:
        return Result.text(f"ไม่พบสมาชิก{label}ค่ะ", filters)
    shown = found[number * PAGE:(number + 1) * PAGE]
    head = f"สมาชิก{label} {len(found)} คน (แสดง {number * PAGE + 1}–{number * PAGE + len(shown)})"
    if key == "":
        c = members.role_counts(ctx.session)
        per_role = " · ".join(f"{policy.ROLE_NAMES[r]} {c[r]}" for r in policy.ROLES)
        head += f"\n{per_role} · รออนุมัติ {c['pending']}"
    more = None
    if (number + 1) * PAGE < len(found):
        more = Button("หน้าถัดไป", PostbackAction(postback.encode("mem", o="list", f=key, p=number + 1), "หน้าถัดไป"))
    cards = CardList(f"สมาชิก{label}", tuple(member_card(ctx, m) for m in shown), more)
    return Result([TextReply(head), cards], filters)


def member_card(ctx: Ctx, m: Member) -> Card:
    """An admin's card of member `m`: name and position, LINE name, place and status, with buttons to
    change the role, the officer flag, or remove (only those the policy allows on `m`)."""
    name = members.name_of(m) or "(ยังไม่ทราบชื่อ)"
    lines = [directory.place_text(ctx, m.role, m.work_group, m.school_code, bool(m.complaint_officer)),
             STATUS.get(m.status, m.status) + ("" if m.following else " · เลิกติดตามบอทแล้ว")]
    who = [f"ตำแหน่ง: {m.position}"] if m.position else []
    if m.display_name and m.display_name != name:
        who.append(f"ชื่อใน LINE: {m.display_name}")
    sections = ([Section("ผู้ใช้", tuple(who))] if who else []) + [Section("สิทธิ์และสถานะ", tuple(lines))]
    target = actions.target_of(m, ctx.settings.admin_user_ids)
    buttons: list[Button] = []
    if m.user_id == ctx.inp.user_id:
        sections.append(Section("หมายเหตุ", ("นี่คือคุณเอง",), note=True))
    elif target.configured_admin:
        sections.append(Section("หมายเหตุ", (CONFIGURED_NOTE,), note=True))
    else:
        if policy.allowed(ctx.actor, "members.set_role", target):
            buttons.append(_mem("เปลี่ยนสิทธิ์", f"เปลี่ยนสิทธิ์ {name}", o="role", u=m.user_id))
        if m.role == policy.STAFF and m.status == "active" and policy.allowed(ctx.actor, "members.set_officer", target):
            on = not m.complaint_officer
            buttons.append(_mem("ตั้งเป็นผู้รับเรื่อง" if on else "ยกเลิกผู้รับเรื่อง", None, o="off", u=m.user_id,
                                v=int(on)))
        if m.status != "removed" and policy.allowed(ctx.actor, "members.remove", target):
            buttons.append(_mem("นำออกจากสมาชิก", f"นำ {name} ออก", o="rm", u=m.user_id))
    return Card(label=f"สมาชิก · {policy.ROLE_NAMES.get(m.role, m.role)}", title=name,
                sections=tuple(sections), buttons=tuple(buttons), alt_text=f"สมาชิก {name}",
                footnote=f"รู้จักกับบอทตั้งแต่ {thai_date(m.created_at, time=False)}")


def _mem(label: str, display: str | None, **payload) -> Button:
    return Button(label, PostbackAction(postback.encode("mem", **payload), (display or label)[:60]))


def _target(ctx: Ctx, user_id: str, action: str) -> Member:
    """The member an admin acts on, once the policy allows `action` on them (in this chat)."""
    m = members.get_member(ctx.session, user_id)
    if m is None:
        raise UserFacingError(postback.EXPIRED)
    policy.require(ctx, action, actions.target_of(m, ctx.settings.admin_user_ids))
    return m


def on_postback(ctx: Ctx, payload: dict) -> Result:
    """Admin buttons: o=list (page), role (start the role change), off (officer flag), rm (remove)."""
    _admin(ctx, "members.view")
    op = payload.get("o")
    if op == "list":
        return page(ctx, str(payload.get("f", "")), int(payload.get("p", 0)))
    user_id = str(payload.get("u", ""))
    if op == "role":
        m = _target(ctx, user_id, "members.set_role")
        return ROLE_FLOW.begin(ctx, target=m.user_id)
    if op == "off":
        return _officer(ctx, _target(ctx, user_id, "members.set_officer"), bool(payload.get("v")))
    if op == "rm":
        return _remove(ctx, _target(ctx, user_id, "members.remove"), payload.get("y") == 1)
    raise UserFacingError(postback.EXPIRED)


# -- the role change: flow "memrole", the shared picker over all four roles -------------------------
@dataclass
class RoleData(picker.Place):
    """An admin changing member `target`'s role."""

    target: str = ""


def _target_name(ctx: Ctx, st: FlowState[RoleData]) -> str:
    m = members.get_member(ctx.session, st.data.target)
    return members.name_of(m) or "สมาชิก"


def _role_set(ctx: Ctx, st: FlowState[RoleData], role: str, work_group: str | None, school_code: str | None) -> Result:
    """The picker is done: change the role (`actions.set_role`) and show the card."""
    m = _target(ctx, st.data.target, "members.set_role")
    name = members.name_of(m) or "สมาชิก"
    done = actions.set_role(ctx.session, ctx.actor, m, role, ctx.now, content=ctx.content,
                            admin_ids=ctx.settings.admin_user_ids, work_group=work_group, school_code=school_code)
    place = directory.place_text(ctx, role, work_group, school_code)
    if not done.changed:
        return st.end(Result.text(f"{name} เป็น {place} อยู่แล้วค่ะ"))
    return st.end(Result([TextReply(f"เปลี่ยนสิทธิ์ของ {name} เป็น {place} แล้วค่ะ ✅"), member_card(ctx, m)],
                         pushes=done.pushes()))


ROLE_FLOW: Flow[RoleData] = Flow("memrole", RoleData, picker.steps(
    _role_set, (policy.STAFF, policy.SCHOOL, policy.ADMIN, policy.GUEST),
    lambda ctx, st: f"เปลี่ยนสิทธิ์ของ {_target_name(ctx, st)} เป็นอะไรคะ 👇",
    ask_group=lambda ctx, st: f"{_target_name(ctx, st)} อยู่กลุ่มงานไหนคะ 👇",
    ask_school=lambda ctx, st: f"พิมพ์ชื่อโรงเรียนของ {_target_name(ctx, st)} ได้เลยค่ะ เช่น \"บ้านควนขนุน\""),
    first="role")


def _officer(ctx: Ctx, m: Member, on: bool) -> Result:
    name = members.name_of(m) or "สมาชิก"
    done = actions.set_officer(ctx.session, ctx.actor, m, on, ctx.now, admin_ids=ctx.settings.admin_user_ids)
    if not done.changed:
        return Result.text(f"{name} {'เป็น' if on else 'ไม่ได้เป็น'}{directory.OFFICER_NAME}อยู่แล้วค่ะ")
    text = f"ตั้ง {name} เป็น{directory.OFFICER_NAME}แล้วค่ะ ✅" if on else \
        f"ยกเลิก{directory.OFFICER_NAME}ของ {name} แล้วค่ะ ✅"
    return Result([TextReply(text), member_card(ctx, m)], pushes=done.pushes())


def _remove(ctx: Ctx, m: Member, confirmed: bool) -> Result:
    name = members.name_of(m) or "สมาชิก"
    if m.status == "removed":
        return Result.text(f"{name} ถูกนำออกจากสมาชิกไปแล้วค่ะ")
    if not confirmed:
        return Result.text(f"ยืนยันนำ {name} ({directory.place_text(ctx, m.role, m.work_group, m.school_code)}) "
                           "ออกจากสมาชิกไหมคะ สิทธิ์จะกลับเป็นผู้ใช้ทั่วไป",
                           [_mem("ยืนยันนำออก", f"ยืนยันนำ {name} ออก", o="rm", u=m.user_id, y=1),
                            directory.cancel_button()])
    actions.remove(ctx.session, ctx.actor, m, ctx.now, admin_ids=ctx.settings.admin_user_ids)
    return Result.text(f"นำ {name} ออกจากสมาชิกแล้วค่ะ ✅ (ถ้านำออกผิดคน กด \"เปลี่ยนสิทธิ์\" ที่การ์ดของเขาได้ค่ะ)")


def on_follow(ctx: Ctx) -> Result:
    """Added as a friend (or unblocked): following again, and the welcome with a "ลงทะเบียน" button."""
    if ctx.inp.user_id:
        members.set_following(ctx.session, ctx.inp.user_id, True, ctx.now)
    result = help.welcome(ctx)
    result.quick_replies = [Button("ลงทะเบียน", MessageAction("ลงทะเบียน"))] + result.quick_replies
    return result


def on_unfollow(ctx: Ctx) -> None:
    """Blocked: no more pushes to them (they stay a member; following is False)."""
    if ctx.inp.user_id:
        members.set_following(ctx.session, ctx.inp.user_id, False, ctx.now)
    return None


COMMANDS = [
    Command(("ฉันคือใคร", "โปรไฟล์", "ข้อมูลของฉัน", "สิทธิ์ของฉัน"), profile),
    Command(("สมาชิก", "รายชื่อสมาชิก"), list_members, args=tuple(FILTERS), bare_in_group=False),
    Command(("ตั้งสิทธิ์", "เปลี่ยนสิทธิ์"), find_for("members.set_role", "ตั้งสิทธิ์")),
    Command(("ลบสมาชิก", "นำออกจากสมาชิก"), find_for("members.remove", "ลบสมาชิก")),
    *directory.COMMANDS, *invites.COMMANDS,
]
POSTBACKS = {"mem": on_postback}
FLOWS = (ROLE_FLOW, invites.FLOW)
EVENTS = {"follow": on_follow, "unfollow": on_unfollow}
