"""Who is who in chat: "ฉันคือใคร" for everyone; for admins (1:1 chat) the member list with filters, and
buttons to change a role, set the complaint-officer flag or remove a member (postback "mem"); follow and
unfollow events. Work groups and schools (`handlers.members.directory`) and invite codes (`handlers.members.manage.invites`)
plug into dispatch through this module's COMMANDS, POSTBACKS and FLOWS.
"""
from __future__ import annotations

import re

from content.thai import loose
from handlers import help
from handlers.members import directory
from handlers.members import invites
from handlers.core import policy
from handlers.core import postback
from handlers.members import registration
from handlers.core import legacy_state as state
from handlers.core.thaidate import thai_date
from handlers.core.types import Button, Card, CardList, Ctx, MessageAction, PostbackAction, Result, Section, TextReply, \
    UserFacingError
from storage import members, registrations, schools
from storage.models import Member

PAGE = 10
USER_ID = re.compile(r"U[0-9a-f]{32}")
SCHOOL_FLOW = "memschool"
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
FILTER_BUTTONS = ("รออนุมัติ", "บุคลากร", "สถานศึกษา", "ผู้ดูแลระบบ", "ผู้รับเรื่องร้องเรียน", "ทั้งหมด")
STATUS = {"active": "ใช้งาน", "pending": "รออนุมัติการลงทะเบียน", "removed": "ถูกนำออกจากสมาชิก"}
ROLE_CHANGED = "ผู้ดูแลระบบปรับสิทธิ์ของคุณเป็น {place} แล้วค่ะ พิมพ์ \"ฉันคือใคร\" เพื่อดูรายละเอียดได้ค่ะ"
OFFICER_ON = "ผู้ดูแลระบบมอบหมายให้คุณเป็นเจ้าหน้าที่รับเรื่องร้องเรียนแล้วค่ะ 🙏"
OFFICER_OFF = "ผู้ดูแลระบบยกเลิกการมอบหมายเจ้าหน้าที่รับเรื่องร้องเรียนของคุณแล้วค่ะ"
NOT_ON_SELF, NOT_ON_CONFIGURED = policy.NOT_ON_SELF, policy.NOT_ON_CONFIGURED
FIND_HOW = "พิมพ์ชื่อ LINE ของสมาชิกต่อท้ายค่ะ เช่น \"{word} สมชาย\""


def profile(ctx: Ctx, rest: str = "") -> Result:
    """ "ฉันคือใคร": the sender's role, work group or school, status and what they can do."""
    policy.require(ctx, "profile")
    m = members.touch_member(ctx.session, ctx.inp.user_id, ctx.now, ctx.settings.admin_user_ids)
    role = policy.ADMIN if ctx.is_admin else ctx.actor.role
    sections = [Section("สิทธิ์", (directory.place_text(ctx, role, ctx.actor.work_group, ctx.actor.school_code,
                                                        ctx.actor.complaint_officer),))]
    req = registrations.pending_request(ctx.session, m.user_id)
    if req:
        asked = directory.place_text(ctx, req.role, req.work_group, req.school_code)
        sections.append(Section("คำขอลงทะเบียน", (f"ขอเป็น {asked}",
                                                   f"ส่งเมื่อ {thai_date(req.created_at)} · รอผู้ดูแลระบบอนุมัติ")))
    elif m.status == "removed":
        sections.append(Section("สถานะ", ("ถูกนำออกจากรายชื่อสมาชิก ใช้งานได้แบบผู้ใช้ทั่วไปค่ะ",)))
    can = ["ค้นมาตรฐาน ตัวบ่งชี้ และเกณฑ์การประเมิน", "ดูกลุ่มงาน: พิมพ์ \"กลุ่มงาน\""]
    buttons: list[Button] = []
    if role == policy.GUEST and not req:
        can.append("ลงทะเบียนเป็นบุคลากรหรือสถานศึกษา: พิมพ์ \"ลงทะเบียน\"")
        buttons.append(Button("ลงทะเบียน", MessageAction("ลงทะเบียน")))
    if policy.allowed(ctx.actor, "schools.view") or ctx.is_admin:
        can.append("ค้นหาโรงเรียน: พิมพ์ \"ค้นหาโรงเรียน\" ตามด้วยชื่อ")
    if ctx.is_admin:
        can += ["จัดการสมาชิก: \"สมาชิก\"", "คำขอที่รออนุมัติ: \"คำขอลงทะเบียน\"", "รหัสเชิญ: \"สร้างคำเชิญ\""]
        buttons += [Button(w, MessageAction(w)) for w in ("สมาชิก", "คำขอลงทะเบียน", "สร้างคำเชิญ")]
    sections.append(Section("ทำอะไรได้บ้าง", tuple(f"• {c}" for c in can)))
    return Result([Card(label="ข้อมูลของฉัน", title=m.display_name or "สมาชิก", sections=tuple(sections),
                        buttons=tuple(buttons), alt_text=f"ข้อมูลของฉัน: {policy.ROLE_NAMES[role]}",
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
    """An admin's card of member `m`, with buttons to change the role, the officer flag, or remove."""
    lines = [directory.place_text(ctx, m.role, m.work_group, m.school_code, bool(m.complaint_officer)),
             STATUS.get(m.status, m.status) + ("" if m.following else " · เลิกติดตามบอทแล้ว")]
    sections = [Section("สิทธิ์และสถานะ", tuple(lines)), Section("LINE user ID", (m.user_id,), note=True)]
    buttons: list[Button] = []
    if m.user_id == ctx.inp.user_id:
        sections.append(Section("หมายเหตุ", ("นี่คือคุณเอง",), note=True))
    elif m.user_id in ctx.settings.admin_user_ids:
        sections.append(Section("หมายเหตุ", ("ผู้ดูแลระบบหลัก (LINE_ADMIN_USER_IDS)",), note=True))
    else:
        buttons.append(_mem("เปลี่ยนสิทธิ์", f"เปลี่ยนสิทธิ์ {m.display_name}", o="role", u=m.user_id))
        if m.role == policy.STAFF and m.status == "active":
            on = not m.complaint_officer
            buttons.append(_mem("ตั้งเป็นผู้รับเรื่อง" if on else "ยกเลิกผู้รับเรื่อง", None, o="off", u=m.user_id,
                                v=int(on)))
        if m.status != "removed":
            buttons.append(_mem("นำออกจากสมาชิก", f"นำ {m.display_name} ออก", o="rm", u=m.user_id))
    return Card(label=f"สมาชิก · {policy.ROLE_NAMES.get(m.role, m.role)}", title=m.display_name or "(ยังไม่ทราบชื่อ)",
                sections=tuple(sections), buttons=tuple(buttons), alt_text=f"สมาชิก {m.display_name}",
                footnote=f"รู้จักกับบอทตั้งแต่ {thai_date(m.created_at, time=False)}")


def _mem(label: str, display: str | None, **payload) -> Button:
    return Button(label, PostbackAction(postback.encode("mem", **payload), (display or label)[:60]))


def _target(ctx: Ctx, payload: dict) -> Member:
    m = members.get_member(ctx.session, str(payload.get("u", "")))
    if m is None:
        raise UserFacingError(postback.EXPIRED)
    if m.user_id == ctx.inp.user_id:
        raise UserFacingError(NOT_ON_SELF)
    if m.user_id in ctx.settings.admin_user_ids:
        raise UserFacingError(NOT_ON_CONFIGURED)
    return m


def on_postback(ctx: Ctx, payload: dict) -> Result:
    """Admin buttons: o=list (page), role, off (officer flag), rm (remove); o=inv is the invite flow."""
    op = payload.get("o")
    if op == "inv":
        return invites.on_postback(ctx, payload)
    if op == "list":
        _admin(ctx, "members.view")
        return page(ctx, str(payload.get("f", "")), int(payload.get("p", 0)))
    if op == "role":
        _admin(ctx, "members.set_role")
        return _role(ctx, _target(ctx, payload), payload)
    if op == "off":
        _admin(ctx, "members.set_officer")
        return _officer(ctx, _target(ctx, payload), bool(payload.get("v")))
    if op == "rm":
        _admin(ctx, "members.remove")
        return _remove(ctx, _target(ctx, payload), payload.get("y") == 1)
    raise UserFacingError(postback.EXPIRED)


def _role(ctx: Ctx, m: Member, payload: dict) -> Result:
    role, group, code = payload.get("r"), payload.get("g"), payload.get("c")
    name = m.display_name or m.user_id
    if role not in policy.ROLES:
        return Result.text(f"เปลี่ยนสิทธิ์ของ {name} เป็นอะไรคะ 👇",
                           [_mem(policy.ROLE_NAMES[r], None, o="role", u=m.user_id, r=r) for r in
                            (policy.STAFF, policy.SCHOOL, policy.ADMIN, policy.GUEST)] + [directory.cancel_button()])
    if role == policy.STAFF and not directory.find_group(ctx.content, str(group or "")):
        return Result.text(f"{name} อยู่กลุ่มงานไหนคะ 👇", directory.group_buttons(ctx.content, lambda g: PostbackAction(
            postback.encode("mem", o="role", u=m.user_id, r=role, g=g.id), g.name)))
    if role == policy.SCHOOL and not schools.get(ctx.session, str(code or "")):
        if not schools.count(ctx.session):
            return Result.text(directory.NO_SCHOOLS)
        state.start(ctx, SCHOOL_FLOW, "school", {"u": m.user_id})
        return Result.text(f"พิมพ์ชื่อโรงเรียนของ {name} ได้เลยค่ะ เช่น \"บ้านควนขนุน\"", [directory.cancel_button()])
    state.finish(ctx)
    group, code = (group if role == policy.STAFF else None), (code if role == policy.SCHOOL else None)
    if m.status == "active" and (m.role, m.work_group, m.school_code) == (role, group, code):
        return Result.text(f"{name} เป็น {directory.place_text(ctx, role, group, code)} อยู่แล้วค่ะ")
    members.set_role(ctx.session, m, role, ctx.now, ctx.inp.user_id, work_group=group, school_code=code)
    place = directory.place_text(ctx, role, group, code)
    return Result([TextReply(f"เปลี่ยนสิทธิ์ของ {name} เป็น {place} แล้วค่ะ ✅"), member_card(ctx, m)],
                  pushes=[(m.user_id, [TextReply(ROLE_CHANGED.format(place=place))])] if m.following else [])


def on_school_text(ctx: Ctx, row, text: str) -> Result:
    """The admin typed the school of the member whose role becomes "school"."""
    state.advance(ctx, row, "school")
    return directory.school_picker(ctx, text, lambda s: PostbackAction(
        postback.encode("mem", o="role", u=row.data["u"], r=policy.SCHOOL, c=s.code), s.name), "เลือกโรงเรียนค่ะ 👇")


def _officer(ctx: Ctx, m: Member, on: bool) -> Result:
    name = m.display_name or m.user_id
    if m.role != policy.STAFF or m.status != "active":
        raise UserFacingError(f"{name} ไม่ได้เป็นบุคลากรสำนักงาน จึงเป็นผู้รับเรื่องร้องเรียนไม่ได้ค่ะ")
    if bool(m.complaint_officer) == on:
        return Result.text(f"{name} {'เป็น' if on else 'ไม่ได้เป็น'}{directory.OFFICER_NAME}อยู่แล้วค่ะ")
    members.set_officer(ctx.session, m, on, ctx.now, ctx.inp.user_id)
    done = f"ตั้ง {name} เป็น{directory.OFFICER_NAME}แล้วค่ะ ✅" if on else \
        f"ยกเลิก{directory.OFFICER_NAME}ของ {name} แล้วค่ะ ✅"
    return Result([TextReply(done), member_card(ctx, m)],
                  pushes=[(m.user_id, [TextReply(OFFICER_ON if on else OFFICER_OFF)])] if m.following else [])


def _remove(ctx: Ctx, m: Member, confirmed: bool) -> Result:
    name = m.display_name or m.user_id
    if m.status == "removed":
        return Result.text(f"{name} ถูกนำออกจากสมาชิกไปแล้วค่ะ")
    if not confirmed:
        return Result.text(f"ยืนยันนำ {name} ({directory.place_text(ctx, m.role, m.work_group, m.school_code)}) "
                           "ออกจากสมาชิกไหมคะ สิทธิ์จะกลับเป็นผู้ใช้ทั่วไป",
                           [_mem("ยืนยันนำออก", f"ยืนยันนำ {name} ออก", o="rm", u=m.user_id, y=1),
                            directory.cancel_button()])
    members.remove_member(ctx.session, m, ctx.now, ctx.inp.user_id)
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


COMMANDS = {
    "ฉันคือใคร": profile, "โปรไฟล์": profile, "ข้อมูลของฉัน": profile, "สิทธิ์ของฉัน": profile,
    "สมาชิก": list_members, "รายชื่อสมาชิก": list_members,
    **{word: find_for("members.set_role", word) for word in ("ตั้งสิทธิ์", "เปลี่ยนสิทธิ์")},
    **{word: find_for("members.remove", word) for word in ("ลบสมาชิก", "นำออกจากสมาชิก")},
    **directory.COMMANDS, **invites.COMMANDS,
}
POSTBACKS = {"mem": on_postback}
FLOWS = {SCHOOL_FLOW: on_school_text, **invites.FLOWS}
EVENTS = {"follow": on_follow, "unfollow": on_unfollow}
