"""The evidence flows (`handlers.core.flow`): reporting an item's status, and an admin setting up a round.

Flow "evidence" (from a card's "รายงานสถานะ", or "รายงาน 1.1.5"): status (choices, typed Thai ok) →
reason (ต้องแก้ไข only) → extra (optional note, links, photos or files sent in the chat; photos and
files were fetched by the bot before dispatch: `Input.media`) → confirm → the item's new state and its
indicator's progress. The version seen at the start is compared at confirm (`storage.evidence.report`).

Flow "rounds" ("ตั้งรอบ", admins, 1:1): kind → name → due (LINE's datetime picker, or a Thai date typed)
→ scope (all, or codes typed) → confirm (open now carrying the last round's evidence, open fresh, or
keep planned).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone

from handlers.core import policy, postback
from handlers.core.flow import Flow, FlowState, Step
from handlers.core.thaidate import BANGKOK, DATETIME_EXAMPLE, parse_thai_date, parse_thai_datetime, thai_date
from handlers.core.types import Button, Ctx, DatetimePickerAction, Result, TextReply, UserFacingError
from handlers.core.words import Choice
from handlers.core.workdays import office_calendar
from handlers.evidence import common, items as catalog
from handlers.evidence.progress import NEEDS_FIX, NOT_STARTED, STATUS_NAMES
from handlers.members.directory import cancel_button
from storage import evidence, rounds
from storage.rounds import KIND_NAMES, KINDS

FILE_REFUSED = {
    "too_large": "ไฟล์นี้ใหญ่เกิน {limit} MB ค่ะ 🙏 ลองย่อขนาด หรืออัปโหลดไว้ที่ Google Drive แล้วส่งลิงก์แทนนะคะ",
    "bad_type": "ไฟล์ชนิดนี้เก็บเป็นหลักฐานไม่ได้ค่ะ 🙏 ส่งได้เฉพาะรูปภาพ (JPEG, PNG) PDF หรือไฟล์ Office นะคะ",
    "unavailable": "บอทดึงไฟล์จาก LINE ไม่สำเร็จค่ะ 🙏 ลองส่งอีกครั้งในอีกสักครู่นะคะ",
}
MAX_FILE_MB = 10
CONFLICT = ("มีผู้รายงาน{label}ไปก่อนหน้านี้ระหว่างที่กรอกอยู่ค่ะ ตอนนี้เป็น \"{status}\" โดย {who} "
            "บอทจึงยังไม่บันทึกของท่าน เพื่อไม่ให้ทับกัน 🙏 ดูสถานะล่าสุดแล้วรายงานใหม่ได้เลยนะคะ")


# -- reporting ------------------------------------------------------------------------------------------------
@dataclass
class ReportData:
    key: str = ""
    round_id: int = 0
    version: int = 0
    status: str = ""
    remark: str = ""  # the note, or the reason for ต้องแก้ไข ("note" is the flow helpers' own argument)
    links: list = field(default_factory=list)
    files: list = field(default_factory=list)


def _item(ctx: Ctx, st: FlowState) -> catalog.Item:
    item = catalog.by_key(ctx.content, st.data.key)
    if item is None:
        raise UserFacingError(common.UNKNOWN_CODE.format(code=st.data.key))
    return item


def _summary(st: FlowState) -> list[str]:
    d = st.data
    lines = [f"สถานะ: {STATUS_NAMES.get(d.status, '-')}"]
    if d.remark:
        lines.append(("เหตุผล: " if d.status == NEEDS_FIX else "หมายเหตุ: ") + d.remark[:200])
    lines += [f"🔗 {u}" for u in d.links]
    lines += [f"📎 {f['name']}" for f in d.files]
    return lines


def _status_prompt(ctx: Ctx, st: FlowState) -> Result:
    item = _item(ctx, st)
    rnd = rounds.get(ctx.session, st.data.round_id)
    row = evidence.state_of(ctx.session, st.data.round_id, item.key)
    now = STATUS_NAMES[row.status if row else NOT_STARTED]
    return Result.text(f"📝 รายงานสถานะ {item.label}\n{item.title[:120]}\nรอบ: {rnd.name if rnd else '-'}\n"
                       f"สถานะตอนนี้: {now}\nเลือกสถานะใหม่ค่ะ",
                       st.choice_buttons(common.status_choices(ctx.actor, _item(ctx, st))) + [cancel_button()])


def _on_status(ctx: Ctx, st: FlowState, value: str) -> Result:
    common.require_reporter(ctx, _item(ctx, st), value)
    if value == NEEDS_FIX:
        return st.goto(ctx, "reason", status=value)
    return st.goto(ctx, "extra", status=value)


def _reason_prompt(ctx: Ctx, st: FlowState) -> Result:
    return Result.text("พิมพ์เหตุผลที่ต้องแก้ไขค่ะ เช่น \"ขาดคำสั่งแต่งตั้งคณะกรรมการ\"", [cancel_button()])


def _on_reason(ctx: Ctx, st: FlowState, text: str) -> Result:
    note, links = common.note_and_links(text)
    if not note:
        raise UserFacingError("ขอเหตุผลเป็นข้อความสั้น ๆ ค่ะ ว่าต้องแก้ไขอะไร")
    return st.goto(ctx, "extra", remark=note, links=list(dict.fromkeys(st.data.links + links)))


def _extra_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    # the confirm words too: "ยืนยันค่ะ" typed here means "done", never a note
    return [Choice("next", "ถัดไป ▶", ("ต่อไป", "เสร็จ", "เสร็จแล้ว", "ครบแล้ว", "พอแล้ว", "ไม่มี", "ข้าม", "ไม่ใส่",
                                       "ยืนยัน", "ตกลง", "บันทึก", "โอเค", "ok"), "ถัดไป")]


def _extra_prompt(ctx: Ctx, st: FlowState) -> Result:
    text = ("เพิ่มหมายเหตุ วางลิงก์ หรือส่งรูป/ไฟล์หลักฐานในแชตนี้ได้เลยค่ะ (ไม่บังคับ ส่งได้หลายครั้ง) "
            f"ไฟล์ไม่เกิน {MAX_FILE_MB} MB แล้วกด \"ถัดไป\"\n" + "\n".join(_summary(st)))
    return Result.text(text, st.choice_buttons(_extra_choices(ctx, st)) + [cancel_button()])


def _on_extra_text(ctx: Ctx, st: FlowState, text: str) -> Result:
    note, links = common.note_and_links(text)
    changes: dict = {"links": list(dict.fromkeys(st.data.links + links))[:10]}
    if note:  # added to what came before (the reason, or earlier notes): what was typed is never replaced
        note = f"{st.data.remark} {note}".strip()
        if len(note) > common.MAX_NOTE:
            raise UserFacingError(common.NOTE_TOO_LONG.format(n=len(note), limit=common.MAX_NOTE))
        changes["remark"] = note
    got = "ได้ลิงก์แล้วค่ะ" if links and not note else "ได้หมายเหตุแล้วค่ะ" if not links else "ได้หมายเหตุและลิงก์แล้วค่ะ"
    return st.again(ctx, got, **changes)


def _on_extra_media(ctx: Ctx, st: FlowState) -> Result:
    media = ctx.inp.media
    if media is None:
        return st.again(ctx, "ส่งได้เฉพาะรูปภาพหรือไฟล์ค่ะ")
    if media.error:
        return st.again(ctx, FILE_REFUSED.get(media.error, FILE_REFUSED["unavailable"]).format(limit=MAX_FILE_MB))
    if len(st.data.files) >= 10:
        return st.again(ctx, "แนบได้ไม่เกิน 10 ไฟล์ต่อครั้งค่ะ")
    info = {"name": media.name, "path": media.path, "size": media.size, "content_type": media.content_type}
    return st.again(ctx, f"ได้รับไฟล์ {media.name} แล้วค่ะ", files=st.data.files + [info])


def _on_extra_choice(ctx: Ctx, st: FlowState, value: str) -> Result:
    return st.goto(ctx, "confirm")


def _confirm_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [Choice("ok", "✅ ยืนยัน", ("ยืนยัน", "ตกลง", "บันทึก", "ใช่"), "ยืนยัน"),
            Choice("edit", "✏️ แก้ไข", ("แก้", "เพิ่ม"), "แก้ไข")]


def _confirm_prompt(ctx: Ctx, st: FlowState) -> Result:
    item = _item(ctx, st)
    return Result.text(f"ตรวจสอบก่อนบันทึกค่ะ: {item.label}\n" + "\n".join(_summary(st)),
                       st.choice_buttons(_confirm_choices(ctx, st)) + [cancel_button()])


def _on_confirm(ctx: Ctx, st: FlowState, value: str) -> Result:
    if value == "edit":
        return st.goto(ctx, "extra")
    item = _item(ctx, st)
    common.require_reporter(ctx, item, st.data.status)
    d = st.data
    change = evidence.Change(d.status, d.remark, tuple(d.links), tuple(d.files), via="flow")
    try:
        evidence.report(ctx.session, d.round_id, item.key, change, ctx.inp.user_id or "", ctx.now, d.version)
    except evidence.Conflict as err:
        return st.end(conflict_reply(ctx, item, err))
    rnd = rounds.get(ctx.session, d.round_id)
    return st.end(common.state_card(ctx, item, rnd, "✅ บันทึกแล้วค่ะ"))


def conflict_reply(ctx: Ctx, item: catalog.Item, err: evidence.Conflict) -> Result:
    cur = err.current
    who = common.office_name_of(ctx, cur.updated_by) if cur else "-"
    return Result.text(CONFLICT.format(label=item.label, status=STATUS_NAMES[cur.status] if cur else "-", who=who))


REPORT = Flow("evidence", ReportData, {
    "status": Step(_status_prompt, choices=lambda ctx, st: common.status_choices(ctx.actor, _item(ctx, st)),
                   on_choice=_on_status),
    "reason": Step(_reason_prompt, on_text=_on_reason),
    "extra": Step(_extra_prompt, choices=_extra_choices, on_choice=_on_extra_choice, on_text=_on_extra_text,
                  on_media=_on_extra_media),
    "confirm": Step(_confirm_prompt, choices=_confirm_choices, on_choice=_on_confirm,
                    expects="กด \"ยืนยัน\" เพื่อบันทึก หรือ \"แก้ไข\" เพื่อเพิ่มหมายเหตุ ลิงก์ หรือไฟล์ค่ะ"),
}, first="status")


def begin_report(ctx: Ctx, item: catalog.Item, status: str | None = None) -> Result:
    """Start reporting `item` in the current round (at the status step, or past it with `status`)."""
    common.require_reporter(ctx, item, status)
    rnd = common.current_round(ctx)
    row = evidence.state_of(ctx.session, rnd.id, item.key)
    data = dict(key=item.key, round_id=rnd.id, version=row.version if row else 0)
    if status is None:
        return REPORT.begin(ctx, **data)
    return REPORT.begin(ctx, "reason" if status == NEEDS_FIX else "extra", status=status, **data)


# -- setting up a round --------------------------------------------------------------------------------------
@dataclass
class RoundData:
    kind: str = ""
    name: str = ""
    due: str = ""  # ISO, UTC
    scope: dict = field(default_factory=dict)


def kind_choices(ctx: Ctx, st: FlowState | None = None) -> list[Choice]:
    """The round kinds as choices (short labels; the full Thai names typed work too)."""
    short = {"sar": "SAR", "kpi6": "ตัวชี้วัด 6 เดือน", "kpi9": "ตัวชี้วัด 9 เดือน", "kpi12": "ตัวชี้วัด 12 เดือน",
             "strategy": "กลยุทธ์ที่ 5", "pmqa": "PMQA", "other": "อื่น ๆ"}
    return [Choice(k, short[k], (KIND_NAMES[k],)) for k in KINDS]


def _kind_prompt(ctx: Ctx, st: FlowState) -> Result:
    return Result.text("🗓 ตั้งรอบการรายงาน ขั้นที่ 1/4: รอบนี้เป็นการรายงานแบบไหนคะ",
                       st.choice_buttons(kind_choices(ctx, st)) + [cancel_button()])


def _default_name(ctx: Ctx, kind: str) -> str:
    fy = rounds.fiscal_year(ctx.now)
    return {"sar": f"SAR ปีงบประมาณ {fy}", "kpi6": f"รายงานตัวชี้วัด รอบ 6 เดือน ปีงบประมาณ {fy}",
            "kpi9": f"รายงานตัวชี้วัด รอบ 9 เดือน ปีงบประมาณ {fy}",
            "kpi12": f"รายงานตัวชี้วัด รอบ 12 เดือน ปีงบประมาณ {fy}",
            "strategy": f"ติดตามกลยุทธ์ที่ 5 ปีงบประมาณ {fy}", "pmqa": f"PMQA ปีงบประมาณ {fy}"}.get(kind, "")


def _on_kind(ctx: Ctx, st: FlowState, value: str) -> Result:
    return st.goto(ctx, "name", kind=value, name=_default_name(ctx, value))


def _name_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [Choice("keep", "ใช้ชื่อนี้ ▶", ("ใช้ชื่อนี้", "ตกลง", "ได้"), "ใช้ชื่อนี้")] if st.data.name else []


def _name_prompt(ctx: Ctx, st: FlowState) -> Result:
    text = "ขั้นที่ 2/4: ตั้งชื่อรอบค่ะ" + (f" (เสนอ: \"{st.data.name}\" กด \"ใช้ชื่อนี้\" หรือพิมพ์ชื่อใหม่)"
                                           if st.data.name else " พิมพ์ชื่อได้เลย")
    return Result.text(text, st.choice_buttons(_name_choices(ctx, st)) + [cancel_button()])


def _on_name_text(ctx: Ctx, st: FlowState, text: str) -> Result:
    name = " ".join(text.split())
    if not name or len(name) > 200:
        raise UserFacingError("ชื่อรอบยาวได้ไม่เกิน 200 ตัวอักษรค่ะ")
    return st.goto(ctx, "due", name=name)


def _due_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [Choice("pick", "📅 เลือกวันเวลา", ("เลือกวันเวลา",), "เลือกวันเวลา")]


def _due_prompt(ctx: Ctx, st: FlowState) -> Result:
    data = postback.encode("f", f=st.flow.name, s=st.session_id, t=st.step, v="pick")
    local = ctx.now.astimezone(BANGKOK)
    initial = (local + timedelta(days=30)).replace(hour=16, minute=30).strftime("%Y-%m-%dT%H:%M")
    picker = Button("📅 เลือกวันเวลา", DatetimePickerAction(data, initial=initial,
                                                          min=local.strftime("%Y-%m-%dT%H:%M")))
    return Result.text(f"ขั้นที่ 3/4: กำหนดส่งเมื่อไหร่คะ กดเลือกวันเวลา หรือพิมพ์ {DATETIME_EXAMPLE}",
                       [picker, cancel_button()])


DUE_TIME = time(16, 30)  # a due date typed without a time: the end of office hours, Asia/Bangkok


def _set_due(ctx: Ctx, st: FlowState, when: datetime, why: str = "") -> Result:
    if when <= ctx.now:
        raise UserFacingError("วันส่งต้องเป็นเวลาหลังจากนี้ค่ะ เลือกใหม่อีกครั้งนะคะ")
    off = office_calendar(ctx.session).day_off(when.astimezone(BANGKOK).date())
    warn = f"\n⚠ วันนั้นเป็น{off} (ไม่ใช่วันทำการ) ถ้าไม่ได้ตั้งใจ กด \"ยกเลิก\" แล้วตั้งใหม่ได้ค่ะ" if off else ""
    return st.goto(ctx, "scope", f"กำหนดส่ง {thai_date(when)}{why} ค่ะ{warn}", due=when.isoformat())


def _on_due_choice(ctx: Ctx, st: FlowState, value: str) -> Result:
    if not ctx.inp.picked:
        return st.again(ctx, "กดปุ่ม \"เลือกวันเวลา\" หรือพิมพ์วันที่ค่ะ")
    try:
        when = datetime.fromisoformat(ctx.inp.picked).replace(tzinfo=BANGKOK)
    except ValueError:
        return st.again(ctx, "อ่านวันเวลาที่เลือกไม่ได้ค่ะ ลองใหม่อีกครั้งนะคะ")
    return _set_due(ctx, st, when)


def _on_due_text(ctx: Ctx, st: FlowState, text: str) -> Result:
    """A typed due date and time; a date alone ("30 ก.ย. 2570") is due at `DUE_TIME` that day."""
    try:
        day = parse_thai_date(text, ctx.now.astimezone(BANGKOK).date())
    except UserFacingError:  # a time was typed too, or it is no date: the date-and-time reading answers
        return _set_due(ctx, st, parse_thai_datetime(text, ctx.now))
    when = datetime.combine(day, DUE_TIME, BANGKOK).astimezone(timezone.utc)
    return _set_due(ctx, st, when, " (ไม่ได้ระบุเวลา จึงตั้งเป็นเวลาเลิกงาน 16:30 น.)")


def _scope_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [Choice("all", "ทุกรายการ ▶", ("ทั้งหมด", "ทุกมาตรฐาน", "ทุกรายการ"), "ทุกรายการ")]


def _scope_prompt(ctx: Ctx, st: FlowState) -> Result:
    return Result.text("ขั้นที่ 4/4: รอบนี้รายงานรายการใดคะ กด \"ทุกรายการ\" หรือพิมพ์รหัสคั่นด้วยจุลภาค "
                       "เช่น \"มฐ.1, ตบช. 2.1, ประเด็น 5.3\"", st.choice_buttons(_scope_choices(ctx, st)) + [cancel_button()])


def _on_scope_choice(ctx: Ctx, st: FlowState, value: str) -> Result:
    return st.goto(ctx, "confirm", scope={"all": True})


def _on_scope_text(ctx: Ctx, st: FlowState, text: str) -> Result:
    from content.codes import parse_codes
    scope: dict = {"standards": [], "indicators": [], "issues": []}
    for part in text.replace("،", ",").split(","):
        refs = parse_codes(part)
        ref = refs[0] if refs else None
        if ref and ref.kind == "standard" and ctx.content.standard(ref.code):
            scope["standards"].append(ref.code)
        elif ref and ref.kind == "indicator" and ctx.content.indicator(ref.code):
            scope["indicators"].append(ref.code)
        elif ref and ref.kind == "issue" and catalog.issue_indicators(ctx.content, [ref.code]):
            scope["issues"].append(ref.code)
        elif part.strip():
            raise UserFacingError(f"ไม่พบ \"{part.strip()[:30]}\" ค่ะ พิมพ์ เช่น \"มฐ.1, ตบช. 2.1, ประเด็น 5.3\" "
                                  "หรือกด \"ทุกรายการ\" นะคะ")
    return st.goto(ctx, "confirm", scope=rounds.clean_scope(scope))


def scope_text(scope: dict) -> str:
    if not scope or scope.get("all"):
        return "ทุกรายการ"
    parts = [f"มาตรฐานที่ {s}" for s in scope.get("standards", [])] + \
            [f"ตบช. {i}" for i in scope.get("indicators", [])] + [f"ประเด็น {i}" for i in scope.get("issues", [])]
    return ", ".join(parts)


def _round_confirm_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [Choice("carry", "เปิดรอบ+ยกหลักฐานมา", ("ยกหลักฐาน", "ยกมา"), "เปิดรอบและยกหลักฐานรอบก่อนมา"),
            Choice("fresh", "เปิดรอบ (เริ่มใหม่)", ("เริ่มใหม่", "เปิดรอบ"), "เปิดรอบ เริ่มใหม่"),
            Choice("plan", "บันทึกไว้ก่อน", ("บันทึก", "ยังไม่เปิด"), "บันทึกไว้ก่อน")]


def _round_confirm_prompt(ctx: Ctx, st: FlowState) -> Result:
    d = st.data
    due = datetime.fromisoformat(d.due)
    return Result.text(f"ตรวจสอบรอบการรายงานค่ะ\nชื่อ: {d.name}\nประเภท: {KIND_NAMES[d.kind]}\n"
                       f"ปีงบประมาณ: {rounds.fiscal_year(due)}\nกำหนดส่ง: {thai_date(due)}\n"
                       f"รายการ: {scope_text(d.scope)}\nเปิดรับรายงานเลยไหมคะ",
                       st.choice_buttons(_round_confirm_choices(ctx, st)) + [cancel_button()])


def _on_round_confirm(ctx: Ctx, st: FlowState, value: str) -> Result:
    policy.require(ctx, "rounds.manage")
    d = st.data
    row = rounds.create(ctx.session, d.name, d.kind, datetime.fromisoformat(d.due), ctx.now, scope=d.scope,
                        by=ctx.inp.user_id or "")
    if value == "plan":
        return st.end(Result.text(f"บันทึกรอบ #{row.id} \"{row.name}\" ไว้แล้วค่ะ (ยังไม่เปิด) "
                                  f"พิมพ์ \"เปิดรอบ {row.id}\" เมื่อพร้อมนะคะ"))
    carried = rounds.open_round(ctx.session, row, ctx.now, carry=value == "carry", by=ctx.inp.user_id or "")
    extra = f" ยกหลักฐานจากรอบก่อนมา {carried} รายการ" if value == "carry" else ""
    return st.end(Result([TextReply(f"เปิดรอบ #{row.id} \"{row.name}\" แล้วค่ะ{extra} "
                                    f"กำหนดส่ง {thai_date(row.due_at)}")]))


ROUNDS = Flow("rounds", RoundData, {
    "kind": Step(_kind_prompt, choices=kind_choices, on_choice=_on_kind),
    "name": Step(_name_prompt, choices=_name_choices, on_choice=lambda ctx, st, v: st.goto(ctx, "due"),
                 on_text=_on_name_text),
    "due": Step(_due_prompt, choices=_due_choices, on_choice=_on_due_choice, on_text=_on_due_text),
    "scope": Step(_scope_prompt, choices=_scope_choices, on_choice=_on_scope_choice, on_text=_on_scope_text),
    "confirm": Step(_round_confirm_prompt, choices=_round_confirm_choices, on_choice=_on_round_confirm),
}, first="kind")
