"""Invite codes for onboarding many people at once: admins create them in a 1:1 chat, people register
with "ลงทะเบียน KQT482" (`handlers.members.registration.use_invite`).

"คำเชิญ" lists the codes still usable; "สร้างคำเชิญ" asks role → work group or school
(`handlers.members.picker`) → how many (flow "invite"), or takes it in one line ("สร้างคำเชิญ นโยบาย 10").
Codes are single use and expire after 7 days; creating them is `handlers.members.actions.create_invites`.
The flow's buttons belong to its session and step, so a double press creates nothing twice.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.core import policy
from handlers.core.flow import Flow, FlowState, Step
from handlers.core.routing import Command
from handlers.core.thaidate import thai_date
from handlers.core.types import Button, Ctx, MessageAction, Result, TextReply, UserFacingError
from handlers.core.words import Choice
from handlers.members import actions, directory, picker
from storage import registrations
from storage.models import InviteCode

NAME = "invite"
ROLES = (policy.STAFF, policy.SCHOOL)
COUNTS = (1, 5, 10, 20)
_TRAILING_COUNT = re.compile(r"\s*(\d{1,3})\s*(?:รหัส|คน|ชุด)?\s*$")
ASK_ROLE = "สร้างรหัสเชิญสำหรับใครคะ 👇 (รหัสใช้ได้คนละ 1 ครั้ง ภายใน 7 วัน)"
ASK_GROUP = "รหัสเชิญสำหรับบุคลากรกลุ่มงานไหนคะ 👇"
ASK_SCHOOL = "พิมพ์ชื่อโรงเรียนที่จะเชิญได้เลยค่ะ เช่น \"บ้านควนขนุน\""
ASK_COUNT = "สร้างกี่รหัสคะ 👇 (หรือพิมพ์ตัวเลข 1–{max})"
COUNT_RANGE = "สร้างได้ครั้งละ 1–{max} รหัสค่ะ พิมพ์ตัวเลขใหม่ หรือกดปุ่มด้านล่างนะคะ"
COUNT_EXPECTS = "ขั้นนี้ให้กดจำนวนรหัส หรือพิมพ์ตัวเลข 1–{max} ค่ะ"
NONE_USABLE = "ยังไม่มีรหัสเชิญที่ใช้ได้ค่ะ กด \"สร้างคำเชิญ\" เพื่อสร้างใหม่นะคะ"
HOW_TO_USE = ("ส่งต่อให้ผู้ลงทะเบียนได้เลยค่ะ 👇\nเพิ่มบอทเป็นเพื่อนใน LINE แล้วพิมพ์ \"ลงทะเบียน\" ตามด้วยรหัส "
              "เช่น \"ลงทะเบียน {code}\" ในแชตกับบอท (รหัสหนึ่งใช้ได้ 1 คน ถึง {until})")


@dataclass
class InviteData(picker.Place):
    """Invites in the making: for whom (`picker.Place`)."""


def _guard(ctx: Ctx) -> None:
    policy.require(ctx, "invite.create")


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


def _count_choices(ctx: Ctx, st: FlowState[InviteData]) -> list[Choice]:
    """Every count 1–999 is a choice, so a typed number ("5", "10 รหัสค่ะ", "100") is read as that
    number (never as the n-th button, nor fuzzily as a nearby one); the buttons show `COUNTS`, and a
    count past `INVITE_MAX_COUNT` is answered with the range."""
    return [Choice(str(n), f"{n} รหัส", (str(n), f"{n} คน", f"{n} ชุด")) for n in range(1, 1000)]


def _ask_count(ctx: Ctx, st: FlowState[InviteData]) -> Result:
    shown = [Choice(str(n), f"{n} รหัส") for n in COUNTS]
    return Result.text(ASK_COUNT.format(max=registrations.INVITE_MAX_COUNT),
                       st.choice_buttons(shown) + [directory.cancel_button()])


def _on_count(ctx: Ctx, st: FlowState[InviteData], value: str) -> Result:
    d = st.data
    if not 1 <= int(value) <= registrations.INVITE_MAX_COUNT:
        return st.again(ctx, COUNT_RANGE.format(max=registrations.INVITE_MAX_COUNT))
    return st.end(_create(ctx, d.role, int(value), work_group=d.work_group or None, school_code=d.school_code or None))


def _on_count_text(ctx: Ctx, st: FlowState[InviteData], text: str) -> Result:
    """A number the choices do not hold (0, 100): say the range and ask again."""
    if _TRAILING_COUNT.fullmatch(text.strip()):
        return st.again(ctx, COUNT_RANGE.format(max=registrations.INVITE_MAX_COUNT))
    return st.again(ctx, COUNT_EXPECTS.format(max=registrations.INVITE_MAX_COUNT))


def _placed(ctx: Ctx, st: FlowState[InviteData], role: str, work_group: str | None, school_code: str | None) -> Result:
    return st.goto(ctx, "count")


FLOW: Flow[InviteData] = Flow(NAME, InviteData, {
    **picker.steps(_placed, ROLES, ASK_ROLE, ask_group=ASK_GROUP, ask_school=ASK_SCHOOL),
    "count": Step(_ask_count, choices=_count_choices, on_choice=_on_count, on_text=_on_count_text),
}, first="role")


def start(ctx: Ctx, rest: str = "") -> Result:
    """ "สร้างคำเชิญ": ask for whom; "สร้างคำเชิญ <กลุ่มงาน> [จำนวน]" creates staff codes at once;
    "สร้างคำเชิญ สถานศึกษา" starts at the school."""
    _guard(ctx)
    count_match = _TRAILING_COUNT.search(rest)
    count = int(count_match.group(1)) if count_match else 1
    named = rest[:count_match.start()] if count_match else rest
    role = picker.role_in(named, ROLES) if named else None
    group = picker.find_group(ctx.content, named) if named and role is None else None
    if group:
        if not 1 <= count <= registrations.INVITE_MAX_COUNT:
            raise UserFacingError(COUNT_RANGE.format(max=registrations.INVITE_MAX_COUNT))
        return _create(ctx, policy.STAFF, count, work_group=group.id)
    return picker.begin(FLOW, ctx, role)


def _create(ctx: Ctx, role: str, count: int, work_group: str | None = None, school_code: str | None = None) -> Result:
    """Create `count` codes (audited) and show them with how to use them."""
    done = actions.create_invites(ctx.session, ctx.actor, role, ctx.now, work_group=work_group,
                                  school_code=school_code, count=count)
    codes = done.invites
    until = thai_date(codes[0].expires_at)
    head = (f"สร้างรหัสเชิญ {count} รหัสแล้วค่ะ ✅\nสำหรับ: {_place(ctx, codes[0])}\n"
            f"ใช้ได้ถึง: {until} (คนละ 1 ครั้ง)\n\n" + "\n".join(c.code for c in codes))
    return Result([TextReply(head), TextReply(HOW_TO_USE.format(code=codes[0].code, until=until))])


COMMANDS = [
    Command(("คำเชิญ", "รหัสเชิญ"), list_invites),
    Command(("สร้างคำเชิญ", "สร้างรหัสเชิญ"), start),
]
FLOWS = (FLOW,)
