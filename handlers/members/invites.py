"""Invite codes for onboarding many people at once: admins create them in a 1:1 chat, people register
with "ลงทะเบียน KQT482" (`handlers.members.manage.registration.use_invite`).

"คำเชิญ" lists the codes still usable; "สร้างคำเชิญ" asks role → work group or school → how many, or
takes it in one line ("สร้างคำเชิญ นโยบาย 10"). Codes are single use and expire after 7 days. The buttons
are "mem" postbacks with ``o: "inv"`` and the flow's session id, so a double press creates nothing twice.
"""
from __future__ import annotations

import re

from handlers.members import directory
from handlers.core import policy
from handlers.core import postback
from handlers.core import legacy_state as state
from handlers.core.thaidate import thai_date
from handlers.core.types import Button, Ctx, MessageAction, PostbackAction, Result, TextReply, UserFacingError
from storage import members, registrations, schools
from storage.models import InviteCode

FLOW = "invite"
COUNTS = (1, 5, 10, 20)
_TRAILING_COUNT = re.compile(r"\s*(\d{1,3})\s*(?:รหัส|คน|ชุด)?\s*$")
ASK_ROLE = "สร้างรหัสเชิญสำหรับใครคะ 👇 (รหัสใช้ได้คนละ 1 ครั้ง ภายใน 7 วัน)"
ASK_GROUP = "รหัสเชิญสำหรับบุคลากรกลุ่มงานไหนคะ 👇"
ASK_SCHOOL = "พิมพ์ชื่อโรงเรียนที่จะเชิญได้เลยค่ะ เช่น \"บ้านควนขนุน\""
ASK_COUNT = "สร้างกี่รหัสคะ 👇 (หรือพิมพ์ตัวเลข 1–{max})"
NONE_USABLE = "ยังไม่มีรหัสเชิญที่ใช้ได้ค่ะ กด \"สร้างคำเชิญ\" เพื่อสร้างใหม่นะคะ"
HOW_TO_USE = ("ส่งต่อให้ผู้ลงทะเบียนได้เลยค่ะ 👇\nเพิ่มบอทเป็นเพื่อนใน LINE แล้วพิมพ์ \"ลงทะเบียน\" ตามด้วยรหัส "
              "เช่น \"ลงทะเบียน {code}\" ในแชตกับบอท (รหัสหนึ่งใช้ได้ 1 คน ถึง {until})")


def _guard(ctx: Ctx) -> None:
    policy.require(ctx, "invite.create")


def _button(label: str, sid: str, display: str | None = None, **payload) -> Button:
    return Button(label, PostbackAction(postback.encode("mem", o="inv", s=sid, **payload), display or label))


def list_invites(ctx: Ctx, rest: str = "") -> Result:
    """Codes not used and not expired, soonest to expire first (admins, 1:1 chat)."""
    _guard(ctx)
    create = [Button("สร้างคำเชิญ", MessageAction("สร้างคำเชิญ"))]
    usable = registrations.usable_invites(ctx.session, ctx.now)
    if not usable:
        return Result.text(NONE_USABLE, create)
    lines = [f"รหัสเชิญที่ยังใช้ได้ {len(usable)} รหัสค่ะ"]
    lines += [f"• {i.code} — {_place(ctx, i)} (ถึง {thai_date(i.expires_at)})" for i in usable]
    return Result.text("\n".join(lines), create)


def _place(ctx: Ctx, invite: InviteCode) -> str:
    return directory.place_text(ctx, invite.role, invite.work_group, invite.school_code)


def start(ctx: Ctx, rest: str = "") -> Result:
    """"สร้างคำเชิญ": ask for whom; "สร้างคำเชิญ <กลุ่มงาน> [จำนวน]" creates staff codes at once."""
    _guard(ctx)
    row = state.start(ctx, FLOW, "role")
    count_match = _TRAILING_COUNT.search(rest)
    count = int(count_match.group(1)) if count_match else 1
    group = directory.find_group(ctx.content, rest[:count_match.start()] if count_match else rest) if rest else None
    if group:
        return _create(ctx, policy.STAFF, count, work_group=group.id)
    return Result.text(ASK_ROLE, [_button("บุคลากรสำนักงาน", row.session_id, r=policy.STAFF),
                                  _button("สถานศึกษา", row.session_id, r=policy.SCHOOL),
                                  directory.cancel_button()])


def on_postback(ctx: Ctx, payload: dict) -> Result:
    """A button of the invite flow: role "r", then group "g" or school "c", then count "n"."""
    _guard(ctx)
    row = state.require(ctx, FLOW, payload.get("s"))
    role, group, code, count = payload.get("r"), payload.get("g"), payload.get("c"), payload.get("n")
    if role == policy.STAFF and not group:
        state.advance(ctx, row, "group", r=role)
        buttons = directory.group_buttons(ctx.content, lambda g: PostbackAction(
            postback.encode("mem", o="inv", s=row.session_id, r=role, g=g.id), g.name))
        return Result.text(ASK_GROUP, buttons)
    if role == policy.SCHOOL and not code:
        if not schools.count(ctx.session):
            state.finish(ctx)
            return Result.text(directory.NO_SCHOOLS)
        state.advance(ctx, row, "school", r=role)
        return Result.text(ASK_SCHOOL, [directory.cancel_button()])
    if role not in (policy.STAFF, policy.SCHOOL):
        raise UserFacingError(state.EXPIRED)
    if role == policy.STAFF:
        exists = directory.find_group(ctx.content, str(group)) is not None
    else:
        exists = schools.get(ctx.session, str(code)) is not None
    if not exists:
        raise UserFacingError(state.EXPIRED)
    target = {"g": group} if role == policy.STAFF else {"c": code}
    if not isinstance(count, int):
        state.advance(ctx, row, "count", r=role, **target)
        return Result.text(ASK_COUNT.format(max=registrations.INVITE_MAX_COUNT),
                           [_button(f"{n} รหัส", row.session_id, r=role, n=n, **target) for n in COUNTS]
                           + [directory.cancel_button()])
    return _create(ctx, role, count, work_group=group, school_code=code)


def on_text(ctx: Ctx, row, text: str) -> Result:
    """Typed mid-flow: a school's name (school step) or a number (count step)."""
    if row.step == "school":
        state.advance(ctx, row, "school")
        return directory.school_picker(ctx, text, lambda s: PostbackAction(
            postback.encode("mem", o="inv", s=row.session_id, r=policy.SCHOOL, c=s.code), s.name),
            "รหัสเชิญสำหรับโรงเรียนไหนคะ 👇")
    count_match = _TRAILING_COUNT.fullmatch(text.strip()) if row.step == "count" else None
    if count_match:
        return _create(ctx, row.data["r"], int(count_match.group(1)), work_group=row.data.get("g"),
                       school_code=row.data.get("c"))
    raise UserFacingError("กดปุ่มด้านล่างข้อความก่อนหน้า หรือพิมพ์ \"ยกเลิก\" เพื่อหยุดได้ค่ะ")


def _create(ctx: Ctx, role: str, count: int, work_group: str | None = None, school_code: str | None = None) -> Result:
    """Create `count` codes, audit it, end the flow, and show the codes with how to use them."""
    if not 1 <= count <= registrations.INVITE_MAX_COUNT:
        raise UserFacingError(f"สร้างได้ครั้งละ 1–{registrations.INVITE_MAX_COUNT} รหัสค่ะ ลองใหม่อีกครั้งนะคะ")
    state.finish(ctx)
    codes = registrations.create_invites(ctx.session, role, ctx.now, ctx.inp.user_id, work_group=work_group,
                                         school_code=school_code, count=count)
    members.audit(ctx.session, ctx.inp.user_id, "invite.create", role, ctx.now, count=count, group=work_group,
                  school=school_code, codes=[c.code for c in codes], days=registrations.INVITE_DAYS)
    until = thai_date(codes[0].expires_at)
    head = (f"สร้างรหัสเชิญ {count} รหัสแล้วค่ะ ✅\nสำหรับ: {_place(ctx, codes[0])}\n"
            f"ใช้ได้ถึง: {until} (คนละ 1 ครั้ง)\n\n" + "\n".join(c.code for c in codes))
    return Result([TextReply(head), TextReply(HOW_TO_USE.format(code=codes[0].code, until=until))])


COMMANDS = {"คำเชิญ": list_invites, "รหัสเชิญ": list_invites, "สร้างคำเชิญ": start, "สร้างรหัสเชิญ": start}
FLOWS = {FLOW: on_text}
