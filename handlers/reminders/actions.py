"""Reminder commands: staff's "เตือนฉัน" / "ไม่ต้องเตือน" (personal reminders in 1:1, off by default since
every push costs a message), and the admins' "ตั้งค่าการเตือน" (flow "remindset", 1:1).

Flow "remindset": kind (a round kind, typed in Thai or pressed) → edit (the kind's policy shown; typed
"14 7 3 1 0", "ทุก 3 วันหลังครบกำหนด", "ไม่เตือนหลังครบกำหนด" or "08:30" changes the draft, a number is
never a button's number; buttons: confirm, the defaults, another kind) → confirm (old and new side by
side; save). Saved to `storage.models.ReminderPolicy` with an audit entry; the next sweep uses it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from handlers.core import policy
from handlers.core.flow import Flow, FlowState, Step
from handlers.core.routing import Command
from handlers.core.types import Ctx, Result, UserFacingError
from handlers.core.words import Choice
from handlers.evidence.steps import kind_choices
from handlers.members.directory import cancel_button, group_name
from handlers.reminders.schedule import DEFAULTS, DEFAULT, Policy, EDIT_HELP, parse_edit, policy_for
from storage import members, reminders as reminder_store
from storage.rounds import KIND_NAMES

ON = ("เปิดการเตือนส่วนตัวแล้วค่ะ 🔔 บอทจะส่งงานที่ยังขาดหลักฐานของ{group}มาในแชตนี้ ตามกำหนดเตือนของแต่ละรอบ "
      "(เช่น {policy})\nพิมพ์ \"ไม่ต้องเตือน\" เมื่อไม่ต้องการแล้วนะคะ")
ALREADY_ON = "การเตือนส่วนตัวเปิดอยู่แล้วค่ะ 🔔 ({group}) พิมพ์ \"ไม่ต้องเตือน\" เพื่อปิดได้นะคะ"
OFF = "ปิดการเตือนส่วนตัวแล้วค่ะ 🔕 ยังดูงานค้างได้ทุกเมื่อด้วยคำว่า \"งานค้าง\" และพิมพ์ \"เตือนฉัน\" เพื่อเปิดอีกครั้งนะคะ"
ALREADY_OFF = "ตอนนี้ไม่ได้เปิดการเตือนส่วนตัวไว้ค่ะ 😊 พิมพ์ \"เตือนฉัน\" ถ้าต้องการให้บอทเตือนในแชตนี้นะคะ"
NO_GROUP = ("บอทยังไม่ทราบว่าท่านอยู่กลุ่มงานใดค่ะ 🙏 การเตือนส่วนตัวส่งงานค้างของกลุ่มงานของท่าน "
            "ให้ผู้ดูแลระบบกำหนดกลุ่มงานให้ก่อนนะคะ")


def _me(ctx: Ctx):
    policy.require(ctx, "reminders.self")
    member = members.get_member(ctx.session, ctx.inp.user_id or "")
    if member is None:
        raise UserFacingError(policy.REFUSED[policy.STAFF])
    return member


def remind_me(ctx: Ctx, rest: str = "") -> Result:
    """"เตือนฉัน": personal reminders of this person's work group's missing items, in this 1:1 chat."""
    member = _me(ctx)
    if not member.work_group:
        raise UserFacingError(NO_GROUP)
    group = group_name(ctx.content, member.work_group)
    if not reminder_store.set_remind_me(ctx.session, member, True):
        return Result.text(ALREADY_ON.format(group=group))
    return Result.text(ON.format(group=group, policy=DEFAULT.describe()))


def stop_reminding(ctx: Ctx, rest: str = "") -> Result:
    """"ไม่ต้องเตือน": personal reminders off (group chats are still reminded)."""
    member = _me(ctx)
    if not reminder_store.set_remind_me(ctx.session, member, False):
        return Result.text(ALREADY_OFF)
    return Result.text(OFF)


# -- the admins' settings flow ------------------------------------------------------------------------------
@dataclass
class SetData:
    kind: str = ""
    days: list = field(default_factory=list)
    every: int = 3
    at: str = "08:30"


def _policy(d: SetData) -> Policy:
    from datetime import time
    h, m = (int(x) for x in d.at.split(":"))
    return Policy(tuple(d.days), d.every, time(h, m))


def _draft(p: Policy) -> dict:
    return {"days": list(p.days_before), "every": p.every_after, "at": p.at.strftime("%H:%M")}


def _kind_prompt(ctx: Ctx, st: FlowState) -> Result:
    return Result.text("🔔 ตั้งค่าการเตือนกำหนดส่ง: เลือกประเภทรอบการรายงานที่จะตั้งค่าค่ะ",
                       st.choice_buttons(kind_choices(ctx, st)) + [cancel_button()])


def _on_kind(ctx: Ctx, st: FlowState, value: str) -> Result:
    return st.goto(ctx, "edit", kind=value, **_draft(policy_for(ctx.session, value)))


def _edit_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [Choice("ok", "✅ ยืนยัน", ("ยืนยัน", "ตกลง", "บันทึก", "เรียบร้อย"), "ยืนยัน"),
            Choice("reset", "ค่าเริ่มต้น", ("ค่าเริ่มต้น", "คืนค่าเดิม", "ใช้ค่าเริ่มต้น"), "ใช้ค่าเริ่มต้น"),
            Choice("kind", "◀ เปลี่ยนประเภท", ("เปลี่ยนประเภท", "ประเภทอื่น"), "เปลี่ยนประเภทรอบ")]


def _edit_prompt(ctx: Ctx, st: FlowState) -> Result:
    return Result.text(f"การเตือนของรอบ {KIND_NAMES[st.data.kind]}:\n{_policy(st.data).describe()}\n\n"
                       f"แก้ได้เลยค่ะ: {EDIT_HELP} เสร็จแล้วกด \"ยืนยัน\"",
                       st.choice_buttons(_edit_choices(ctx, st)) + [cancel_button()])


def _on_edit_text(ctx: Ctx, st: FlowState, text: str) -> Result:
    try:
        changed = parse_edit(text, _policy(st.data))
    except UserFacingError as err:
        return st.again(ctx, err.message)
    return st.again(ctx, "เปลี่ยนแล้วค่ะ (ยังไม่บันทึก)", **_draft(changed))


def _on_edit_choice(ctx: Ctx, st: FlowState, value: str) -> Result:
    if value == "reset":
        return st.again(ctx, "ใช้ค่าเริ่มต้นแล้วค่ะ (ยังไม่บันทึก)", **_draft(DEFAULTS.get(st.data.kind, DEFAULT)))
    if value == "kind":
        return st.goto(ctx, "kind")
    return st.goto(ctx, "confirm")


def _confirm_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [Choice("save", "✅ บันทึก", ("บันทึก", "ยืนยัน", "ตกลง", "ยืนยันบันทึก"), "บันทึก"),
            Choice("edit", "✏️ แก้ต่อ", ("แก้ต่อ", "แก้ไข", "แก้"), "แก้ต่อ")]


def _confirm_prompt(ctx: Ctx, st: FlowState) -> Result:
    before = policy_for(ctx.session, st.data.kind).describe()
    return Result.text(f"ตรวจสอบก่อนบันทึกค่ะ รอบ {KIND_NAMES[st.data.kind]}\nเดิม: {before}\n"
                       f"ใหม่: {_policy(st.data).describe()}",
                       st.choice_buttons(_confirm_choices(ctx, st)) + [cancel_button()])


def _on_confirm(ctx: Ctx, st: FlowState, value: str) -> Result:
    if value == "edit":
        return st.goto(ctx, "edit")
    policy.require(ctx, "reminders.manage")
    d = st.data
    reminder_store.put_policy(ctx.session, d.kind, list(d.days), d.every, d.at, ctx.inp.user_id or "", ctx.now)
    members.audit(ctx.session, ctx.inp.user_id or "", "reminders.policy", d.kind, ctx.now,
                  days_before=list(d.days), every_after=d.every, send_at=d.at)
    return st.end(Result.text(f"บันทึกแล้วค่ะ ✅ รอบ {KIND_NAMES[d.kind]} จะเตือน{_policy(d).describe()} "
                              "เริ่มตั้งแต่การเตือนครั้งถัดไป (วันหยุดเลื่อนเป็นวันทำการก่อนหน้า)"))


def _has_digit(text: str) -> bool:
    """Typed text with a digit (Thai digits too) at the edit step is new days ("14 7 3 1"), not button 1."""
    return any(c.isdigit() for c in text)


SETTINGS = Flow("remindset", SetData, {
    "kind": Step(_kind_prompt, choices=kind_choices, on_choice=_on_kind),
    "edit": Step(_edit_prompt, choices=_edit_choices, on_choice=_on_edit_choice, on_text=_on_edit_text,
                 text_first=_has_digit),
    "confirm": Step(_confirm_prompt, choices=_confirm_choices, on_choice=_on_confirm),
}, first="kind")


def settings(ctx: Ctx, rest: str = "") -> Result:
    """"ตั้งค่าการเตือน": an admin shows and edits a round kind's reminder policy (1:1)."""
    policy.require(ctx, "reminders.manage")
    return SETTINGS.begin(ctx)


COMMANDS = [
    Command(("เตือนฉัน", "เปิดการเตือน", "เปิดการเตือนส่วนตัว"), remind_me, bare_in_group=False),
    Command(("ไม่ต้องเตือน", "ไม่ต้องเตือนฉัน", "ปิดการเตือน", "ปิดการเตือนส่วนตัว", "เลิกเตือน"), stop_reminding, args=("แล้ว", "อีก"),
            bare_in_group=False),
    Command(("ตั้งค่าการเตือน", "ตั้งการเตือน"), settings, bare_in_group=False),
]
POSTBACKS: dict = {}
FLOWS = (SETTINGS,)
EVENTS: dict = {}
