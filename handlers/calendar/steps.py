"""The holiday flow (`handlers.core.flow`), for admins in a 1:1 chat.

Add ("เพิ่มวันหยุด"): day (LINE's date picker, or a Thai date typed: "16 เม.ย. 2570", "16/4/2570",
"พรุ่งนี้", `handlers.core.thaidate.parse_thai_date`) → name (typed, or the cabinet's usual wording) →
confirm. Remove ("ลบวันหยุด"): pick a coming day off (a button, its name or its date typed) → confirm:
an added day is undone, a public holiday becomes a working day for the office. The writes are
`handlers.calendar.actions`, which `flask holidays` calls too.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from handlers.calendar import actions
from handlers.core import postback
from handlers.core.flow import Flow, FlowState, Step
from handlers.core.thaidate import BANGKOK, DATE_EXAMPLE, DateError, looks_like_datetime, parse_thai_date, thai_day
from handlers.core.types import Button, Ctx, DatetimePickerAction, Result, UserFacingError
from handlers.core.words import Choice
from handlers.members.directory import cancel_button

CABINET_NAME = "วันหยุดราชการเพิ่มเติมตามมติคณะรัฐมนตรี"
PAST = "{day} ผ่านไปแล้วค่ะ เลือกวันที่ตั้งแต่วันนี้ไปนะคะ"
NOT_IN_LIST = "{day} ไม่ใช่วันหยุดที่ลบได้ค่ะ เลือกจากปุ่มด้านล่าง หรือพิมพ์วันที่ของวันหยุดในรายการนะคะ"
NOTHING_TO_REMOVE = "ไม่มีวันหยุดให้ลบในช่วงนี้ค่ะ"
MAX_PICKS = 12  # quick replies: LINE shows 13, one is "ยกเลิก"
MAX_AHEAD_DAYS = 800  # the picker's last day


@dataclass
class HolidayData:
    day: str = ""  # ISO date, Asia/Bangkok
    name: str = ""


def today(ctx: Ctx) -> date:
    return ctx.now.astimezone(BANGKOK).date()


def _day(st: FlowState) -> date:
    return date.fromisoformat(st.data.day)


# -- add: day -----------------------------------------------------------------------------------------------
def _day_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [Choice("pick", "📅 เลือกวันที่", ("เลือกวันที่", "เลือกจากปฏิทิน"), "เลือกวันที่")]


def _day_prompt(ctx: Ctx, st: FlowState) -> Result:
    data = postback.encode("f", f=st.flow.name, s=st.session_id, t=st.step, v="pick")
    first = today(ctx)
    picker = Button("📅 เลือกวันที่", DatetimePickerAction(
        data, mode="date", initial=(first + timedelta(days=1)).isoformat(), min=first.isoformat(),
        max=(first + timedelta(days=MAX_AHEAD_DAYS)).isoformat()))
    return Result.text(f"📌 เพิ่มวันหยุด ขั้นที่ 1/3: วันไหนคะ กดเลือกวันที่ หรือพิมพ์ {DATE_EXAMPLE}",
                       [picker, cancel_button()])


def _after_day(ctx: Ctx, day: date) -> tuple[str, str, dict]:
    """(next step, a note, data changes) once `day` is chosen: the day again saying why it cannot be
    added (past, a weekend, a public holiday already), the confirm for a worked public holiday (adding it
    back restores it under its own name), else the name."""
    if day < today(ctx):
        return "day", PAST.format(day=thai_day(day, weekday=True)), {}
    try:
        actions.check_addable(ctx.session, day)
    except UserFacingError as err:
        return "day", err.message, {}
    worked = actions.worked_holiday(ctx.session, day)
    if worked:
        return "confirm", "", {"day": day.isoformat(), "name": worked}
    return "name", "", {"day": day.isoformat()}


def _set_day(ctx: Ctx, st: FlowState, day: date) -> Result:
    step, note, changes = _after_day(ctx, day)
    return st.goto(ctx, step, note, **changes)


def begin_add(ctx: Ctx, text: str = "") -> Result:
    """Start adding a day off; `text` may already name the day ("16 เม.ย. 2570"): then the name is next."""
    if not text.strip():
        return HOLIDAY.begin(ctx, "day")
    try:
        day = parse_thai_date(text, today(ctx))
    except DateError as err:
        return HOLIDAY.begin(ctx, "day", err.why)
    step, note, data = _after_day(ctx, day)
    return HOLIDAY.begin(ctx, step, note, **data)


def begin_remove(ctx: Ctx) -> Result:
    """Start removing a day off (or say there is none to remove in the list's window)."""
    if not removable_days(ctx):
        return Result.text(NOTHING_TO_REMOVE)
    return HOLIDAY.begin(ctx, "pick")


def _on_day_choice(ctx: Ctx, st: FlowState, value: str) -> Result:
    try:
        day = date.fromisoformat(ctx.inp.picked[:10])
    except ValueError:
        return st.again(ctx, "กดปุ่ม \"เลือกวันที่\" แล้วเลือกวันจากปฏิทิน หรือพิมพ์วันที่ค่ะ")
    return _set_day(ctx, st, day)


def _on_day_text(ctx: Ctx, st: FlowState, text: str) -> Result:
    try:
        day = parse_thai_date(text, today(ctx))
    except DateError as err:
        return st.again(ctx, err.why)  # the question shows the examples again
    return _set_day(ctx, st, day)


# -- add: name ----------------------------------------------------------------------------------------------
def _name_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [Choice("cabinet", "ตามมติ ครม.", ("มติครม", "ตามมติคณะรัฐมนตรี", "ครม"), "ตามมติ ครม.")]


def _name_prompt(ctx: Ctx, st: FlowState) -> Result:
    return Result.text(f"ขั้นที่ 2/3: {thai_day(_day(st), weekday=True)} ชื่อวันหยุดว่าอะไรคะ พิมพ์ชื่อได้เลย "
                       f"หรือกด \"ตามมติ ครม.\" ({CABINET_NAME})",
                       st.choice_buttons(_name_choices(ctx, st)) + [cancel_button()])


def _on_name_text(ctx: Ctx, st: FlowState, text: str) -> Result:
    try:
        name = actions.clean_name(text)
    except UserFacingError as err:
        return st.again(ctx, err.message)
    return st.goto(ctx, "confirm", name=name)


# -- add: confirm -------------------------------------------------------------------------------------------
def _confirm_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [Choice("yes", "✅ ยืนยัน", ("ยืนยัน", "ตกลง", "ใช่", "โอเค", "ok"), "ยืนยัน"),
            Choice("name", "✏️ แก้ชื่อ", ("แก้ชื่อ", "เปลี่ยนชื่อ"), "แก้ชื่อ"),
            Choice("day", "📅 เปลี่ยนวัน", ("เปลี่ยนวัน", "แก้วัน", "แก้วันที่"), "เปลี่ยนวัน")]


def _confirm_prompt(ctx: Ctx, st: FlowState) -> Result:
    return Result.text(f"ขั้นที่ 3/3: ตรวจสอบค่ะ\n📌 {thai_day(_day(st), weekday=True)} · {st.data.name}\n"
                       "เพิ่มเป็นวันหยุดของสำนักงานเลยไหมคะ (การนับวันทำการและการเตือนจะข้ามวันนี้)",
                       st.choice_buttons(_confirm_choices(ctx, st)) + [cancel_button()])


def _on_confirm(ctx: Ctx, st: FlowState, value: str) -> Result:
    if value != "yes":
        return st.goto(ctx, value)
    change = actions.add_day_off(ctx.session, ctx.actor, _day(st), st.data.name, ctx.now)
    said = {"added": "เพิ่มวันหยุดแล้วค่ะ ✅", "renamed": "เปลี่ยนชื่อวันหยุดแล้วค่ะ ✅",
            "restored": "กลับมาเป็นวันหยุดตามปกติแล้วค่ะ ✅"}[change.kind]
    return st.end(Result.text(f"{said}\n📌 {thai_day(change.day, weekday=True)} · {change.name}\n"
                              "พิมพ์ \"วันหยุด\" เพื่อดูรายการทั้งหมดค่ะ"))


# -- remove: pick, confirm ----------------------------------------------------------------------------------
def removable_days(ctx: Ctx) -> list[actions.DayOff]:
    """The coming days off an admin may remove (the list's window), added ones first."""
    start, end = actions.window(today(ctx))
    days = [d for d in actions.days_off(ctx.session, start, end) if d.kind != "worked"]
    return sorted(days, key=lambda d: (d.kind != "office", d.day))


def _pick_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [Choice(d.day.isoformat(), thai_day(d.day), (d.name,), f"ลบ {thai_day(d.day)}")
            for d in removable_days(ctx)[:MAX_PICKS]]


def _pick_prompt(ctx: Ctx, st: FlowState) -> Result:
    days = removable_days(ctx)
    if not days:  # the command checks first; here only when the last one went meanwhile
        return Result.text(NOTHING_TO_REMOVE, [cancel_button()])
    lines = "\n".join(f"{'📌' if d.kind == 'office' else '🏖'} {thai_day(d.day, weekday=True)} · {d.name}"
                      for d in days)
    return Result.text("🗑 ลบวันหยุด: วันไหนคะ กดปุ่ม หรือพิมพ์วันที่ (📌 ที่สำนักงานเพิ่มจะถูกลบ "
                       f"🏖 วันหยุดราชการจะกลายเป็นวันทำงานของสำนักงาน)\n{lines}",
                       st.choice_buttons(_pick_choices(ctx, st)) + [cancel_button()])


def _on_pick(ctx: Ctx, st: FlowState, value: str) -> Result:
    return st.goto(ctx, "rconfirm", day=value)


def _on_pick_text(ctx: Ctx, st: FlowState, text: str) -> Result:
    try:
        day = parse_thai_date(text, today(ctx))
    except DateError as err:
        return st.again(ctx, err.why)
    if day < today(ctx) or actions.removable(ctx.session, day) is None:
        return st.again(ctx, NOT_IN_LIST.format(day=thai_day(day, weekday=True)))
    return st.goto(ctx, "rconfirm", day=day.isoformat())


def _rconfirm_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [Choice("yes", "✅ ยืนยัน", ("ยืนยัน", "ตกลง", "ใช่", "โอเค", "ok"), "ยืนยัน"),
            Choice("back", "◀ เลือกวันอื่น", ("เลือกใหม่", "วันอื่น", "เปลี่ยนวัน"), "เลือกวันอื่น")]


def _rconfirm_prompt(ctx: Ctx, st: FlowState) -> Result:
    found = actions.removable(ctx.session, _day(st))
    if found is None:  # changed meanwhile (another admin, the CLI)
        return st.goto(ctx, "pick", NOT_IN_LIST.format(day=thai_day(_day(st), weekday=True)))
    what = ("ลบวันหยุดนี้ที่สำนักงานเพิ่มไว้" if found.kind == "office"
            else "ให้วันหยุดราชการนี้เป็นวันทำงานตามปกติของสำนักงาน")
    return Result.text(f"ตรวจสอบค่ะ\n{thai_day(found.day, weekday=True)} · {found.name}\n{what} ใช่ไหมคะ",
                       st.choice_buttons(_rconfirm_choices(ctx, st)) + [cancel_button()])


def _on_rconfirm(ctx: Ctx, st: FlowState, value: str) -> Result:
    if value != "yes":
        return st.goto(ctx, "pick")
    change = actions.remove_day_off(ctx.session, ctx.actor, _day(st), ctx.now)
    said = ("ลบวันหยุดแล้วค่ะ ✅ วันนี้กลับเป็นวันทำงาน" if change.kind == "removed"
            else "บันทึกแล้วค่ะ ✅ สำนักงานทำงานตามปกติในวันหยุดราชการนี้")
    return st.end(Result.text(f"{said}\n{thai_day(change.day, weekday=True)} · {change.name}"))


HOLIDAY = Flow("holiday", HolidayData, {
    "day": Step(_day_prompt, choices=_day_choices, on_choice=_on_day_choice, on_text=_on_day_text),
    "name": Step(_name_prompt, choices=_name_choices, on_choice=lambda ctx, st, v: st.goto(ctx, "confirm", name=CABINET_NAME),
                 on_text=_on_name_text),
    "confirm": Step(_confirm_prompt, choices=_confirm_choices, on_choice=_on_confirm),
    "pick": Step(_pick_prompt, choices=_pick_choices, on_choice=_on_pick, on_text=_on_pick_text,
                 text_first=looks_like_datetime),  # a typed date is read as a date, never matched fuzzily
    "rconfirm": Step(_rconfirm_prompt, choices=_rconfirm_choices, on_choice=_on_rconfirm),
}, first="day")
