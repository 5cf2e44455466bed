"""Filing a complaint, suggestion, opinion or compliment in a 1:1 chat (seed 001 lines 321–406, the office's
channels for ข้อร้องเรียน / ข้อเสนอแนะ / ข้อคิดเห็น / คำชมเชย; seed 000 PMQA 3.5–3.12, lines 409–527).

"ร้องเรียน", "เสนอแนะ", "แจ้งเรื่อง" (and the rich menu's "แจ้งเรื่อง") start flow "complaint": the privacy notice
(PDPA; before a person's first filing) → kind (skipped when the command word named it) → topic → the school it
concerns (typed, searched fuzzily, or skipped) → details (several messages are joined, photos and files are
attached, up to `MAX_FILES`; "ถัดไป" when done) → anonymous or named → a summary to confirm or edit → the case
number. "ยกเลิก" cancels at any step (`handlers.dispatch`); a draft idle for 30 minutes ends with a notice
(`expire_drafts`, the "complaint-drafts" job). In a group chat the bot takes no complaint and repeats nothing.

What is filed: `storage.complaints.create` (case, contact kept apart, "filed" event) and one notice to the
officers (`handlers.complaints.notices`) through the outbox, in the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from handlers.complaints import mine_cards, notices, sla
from handlers.complaints.catalog import catalog
from handlers.core import flow as flows
from handlers.core.flow import Flow, FlowState, Step
from handlers.core.routing import Command
from handlers.core.thaidate import BANGKOK
from handlers.core.types import Ctx, Reply, Result, TextReply, UserFacingError
from handlers.core.words import Choice, is_only_particles
from handlers.core.workdays import office_calendar
from handlers.members import picker
from handlers.members.directory import SCHOOL_NOT_FOUND, cancel_button
from storage import complaints, members, schools
from storage.models import ConversationState

NAME = "complaint"
MAX_FILES = 10        # photos and files per case (LINE sends an album of 20 as 20 messages: the rest are refused)
MAX_FILE_MB = 10      # bot.media's limit (EVIDENCE_MAX_MB)
MAX_DETAILS = 12_000  # characters; the summary shows them in parts of `mine_cards.PART` (LINE: 5,000 a message)
MIN_DETAILS = 5

GROUP_REFUSAL = ("ขอบคุณที่ติดต่อมาค่ะ 🙏 เพื่อความเป็นส่วนตัวของผู้แจ้ง บอทรับเรื่องร้องเรียน ข้อเสนอแนะ ข้อคิดเห็น "
                 "และคำชมเชยเฉพาะในแชต 1:1 เท่านั้น และไม่ได้เก็บข้อความในกลุ่มนี้ไว้ "
                 "รบกวนแตะที่ชื่อบอท เลือก \"แชต\" แล้วพิมพ์ \"แจ้งเรื่อง\" นะคะ")
PRIVACY_AGAIN = "เรื่องข้อมูลส่วนบุคคลอยู่ในข้อความก่อนหน้านี้ค่ะ หากยังไม่พร้อมแจ้งเรื่อง กด \"ยกเลิก\" ได้นะคะ"
PRIVACY = ("🔒 ก่อนแจ้งเรื่อง ขอแจ้งเรื่องข้อมูลส่วนบุคคล (พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562) ค่ะ\n"
           "• เก็บอะไร: สิ่งที่ท่านพิมพ์และแนบมา โรงเรียนที่เกี่ยวข้อง รหัสผู้ใช้ LINE และชื่อ LINE ของท่าน\n"
           "• เพื่ออะไร: เพื่อพิจารณาเรื่อง ตอบกลับท่าน และทำสถิติเพื่อปรับปรุงการให้บริการ (สถิติไม่มีชื่อผู้แจ้ง)\n"
           "• ใครเห็น: เจ้าหน้าที่รับเรื่องร้องเรียนและผู้ดูแลระบบของ{office} ถ้าเลือก \"ไม่ระบุชื่อ\" "
           "จะไม่มีเจ้าหน้าที่คนใดเห็นว่าใครแจ้ง ระบบเก็บรหัส LINE ไว้แยกเพื่อส่งคำตอบถึงท่านเท่านั้น\n"
           "• นานเท่าไร: {years} ปีหลังปิดเรื่อง แล้วลบตัวตนและไฟล์แนบ เหลือเพียงสถิติ\n"
           "• สิทธิของท่าน: ขอดูข้อมูลของตนได้ด้วย \"ขอข้อมูลของฉัน\" และขอลบได้ด้วย \"ลบข้อมูลของฉัน\"\n"
           "กด \"ตกลง\" เพื่อเริ่มแจ้งเรื่องค่ะ")
ASK_KIND = "ต้องการแจ้งเรื่องแบบไหนคะ 👇"
ASK_TOPIC = "เรื่องนี้เกี่ยวกับด้านไหนคะ 👇"
ASK_SCHOOL = ("เรื่องนี้เกี่ยวกับโรงเรียนใดไหมคะ พิมพ์ชื่อโรงเรียน (เช่น \"บ้านควนขนุน\") หรือรหัส 8 หลัก "
              "ถ้าไม่เกี่ยวกับโรงเรียนกด \"ไม่ระบุโรงเรียน\" ค่ะ")
ASK_DETAILS = ("เล่ารายละเอียดได้เลยค่ะ ✍️ เกิดอะไรขึ้น ที่ไหน เมื่อไร พิมพ์หลายข้อความได้ บอทจะต่อกันให้ "
               "แนบรูปหรือไฟล์ได้ไม่เกิน {files} ไฟล์ (ไฟล์ละไม่เกิน {mb} MB) เสร็จแล้วกด \"ถัดไป\"")
GOT_DETAILS = ("ได้รับแล้วค่ะ: ข้อความ {chars:,} ตัวอักษร · ไฟล์แนบ {files}/{max} ไฟล์\n"
               "พิมพ์เพิ่ม ส่งรูปหรือไฟล์ หรือกด \"ถัดไป\" เมื่อครบแล้วนะคะ")
NO_DETAILS = "ยังไม่มีรายละเอียดค่ะ 🙏 รบกวนเล่าเป็นข้อความสั้น ๆ ก่อน ว่าเกิดอะไรขึ้น แล้วค่อยกด \"ถัดไป\" นะคะ"
PARTICLES_ONLY = "รับทราบค่ะ 😊 ถ้าเล่าครบแล้วกด \"ถัดไป\" ได้เลยนะคะ"
TOO_LONG = ("รายละเอียดรวมกันยาวได้ไม่เกิน {max:,} ตัวอักษรค่ะ ข้อความล่าสุด ({n:,} ตัวอักษร) จึงยังไม่ได้เพิ่ม "
            "ลองสรุปให้สั้นลง หรือแนบเป็นไฟล์แทนนะคะ")
FILES_FULL = "แนบครบ {max} ไฟล์แล้วค่ะ ไฟล์นี้จึงไม่ได้แนบ 🙏 ถ้ามีมากกว่านี้ รวมเป็นไฟล์ PDF เดียว หรือส่งลิงก์แทนนะคะ"
FILE_REFUSED = {
    "too_large": "ไฟล์นี้ใหญ่เกิน {mb} MB ค่ะ จึงยังไม่ได้แนบ 🙏 ลองย่อขนาด หรือส่งเป็นลิงก์แทนนะคะ",
    "bad_type": "ไฟล์ชนิดนี้แนบไม่ได้ค่ะ 🙏 แนบได้เฉพาะรูปภาพ (JPEG, PNG) PDF หรือไฟล์ Office นะคะ",
    "unavailable": "บอทดึงไฟล์จาก LINE ไม่สำเร็จค่ะ 🙏 ลองส่งอีกครั้งนะคะ",
}
ASK_ANONYMOUS = ("ต้องการแจ้งแบบระบุชื่อ หรือไม่ระบุชื่อคะ\n• ไม่ระบุชื่อ: เจ้าหน้าที่จะไม่เห็นว่าใครแจ้ง "
                 "แต่บอทยังส่งคำตอบถึงท่านในแชตนี้ได้\n• ระบุชื่อ: เจ้าหน้าที่เห็นชื่อ LINE ของท่าน ติดต่อกลับได้สะดวกขึ้น")
ASK_CONFIRM = "ตรวจสอบแล้วถูกต้อง กด \"ยืนยันส่งเรื่อง\" หรือ \"แก้ไข\" ได้เลยค่ะ"
ASK_EDIT = "ต้องการแก้ไขส่วนไหนคะ 👇"
RESUME = "มีเรื่องที่กำลังแจ้งค้างอยู่ค่ะ (ยังไม่ได้ส่ง) จะทำต่อ หรือเริ่มเรื่องใหม่คะ"
ALREADY_SENT = "เรื่องนี้ส่งไปแล้วค่ะ 👌 พิมพ์ \"ติดตามเรื่อง\" เพื่อดูเลขที่และสถานะนะคะ"
FILED = ("✅ ส่งเรื่องแล้วค่ะ ขอบคุณที่แจ้งนะคะ\nเลขที่เรื่อง: {number}\n(อ่านว่า {spoken})\n"
         "เจ้าหน้าที่จะรับเรื่องภายใน {ack} และแจ้งผลภายใน {resolve} ค่ะ\n"
         "ติดตามได้ด้วย \"ติดตามเรื่อง\" หรือพิมพ์เลขที่เรื่อง")
FILED_THANKS = "✅ ส่งแล้วค่ะ ขอบคุณมากนะคะ 🙏\nเลขที่: {number}\n(อ่านว่า {spoken})\nดูได้ด้วย \"ติดตามเรื่อง\" ค่ะ"
EXPIRED_NOTICE = ("⏰ เรื่องที่กำลังแจ้งไว้หมดเวลาแล้วค่ะ (ไม่มีการตอบ 30 นาที) จึงยังไม่ได้ส่งถึงสำนักงาน "
                  "ถ้ายังต้องการแจ้ง พิมพ์ \"แจ้งเรื่อง\" เพื่อเริ่มใหม่ได้เลยนะคะ")
ORDER = ("privacy", "kind", "topic", "school", "details", "anonymous", "summary")


def deadlines(session: Session, filed_at: datetime) -> tuple[date, date]:
    """(ack_due, resolve_due): Asia/Bangkok dates that many working days (content/complaints.yaml) after the
    Bangkok date of `filed_at` (UTC), on the office's calendar (weekends, Thai holidays, the admins' edits).

    A stand-in with the signature of `handlers.complaints.sla.deadlines`, which is written on another
    branch: the lead switches this module to it at merge and deletes this function."""
    cat, cal = catalog(), office_calendar(session)
    day = filed_at.astimezone(BANGKOK).date()
    return cal.add_working_days(day, cat.ack_working_days), cal.add_working_days(day, cat.outcome_working_days)


@dataclass
class Draft:
    """A case being written: `kind` and `topic` ids (content/complaints.yaml), `school_code` ("" = none;
    `school_asked` once the step was answered), `school_query` (the last school name typed), `details` (the
    messages joined), `files` ([{name, path, size, content_type}], paths under EVIDENCE_DIR), `anonymous`
    ("yes"/"no", "" = not asked yet), `editing` (a step reached from the summary returns to it), `back`
    (the step to resume at)."""

    kind: str = ""
    topic: str = ""
    school_code: str = ""
    school_asked: bool = False
    school_query: str = ""
    details: str = ""
    files: list = field(default_factory=list)
    anonymous: str = ""
    editing: bool = False
    back: str = ""


def _next(ctx: Ctx, st: FlowState[Draft], after: str, note: str = "", **changes) -> Result:
    """After step `after`: back to the summary when editing, else the next step still to be answered."""
    st = st.replace(**changes)
    if st.data.editing:
        return st.goto(ctx, "summary", note, editing=False)
    for step in ORDER[ORDER.index(after) + 1:]:
        if not _answered(ctx, st.data, step):
            return st.goto(ctx, step, note)
    return st.goto(ctx, "summary", note)


def _answered(ctx: Ctx, d: Draft, step: str) -> bool:
    return {"privacy": True, "kind": bool(d.kind), "topic": bool(d.topic),
            "school": d.school_asked or not schools.count(ctx.session), "details": False,
            "anonymous": bool(d.anonymous), "summary": False}[step]


def _choice(value: str, label: str, *words: str) -> Choice:
    return Choice(value, label, words, label.strip("✅✏️▶ "))


# -- privacy, kind, topic --------------------------------------------------------------------------------------
def _privacy_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    # not "รับทราบ": that word is the acknowledgement command (handlers.broadcasts.acks), answered even mid-flow
    return [_choice("ok", "ตกลง เริ่มแจ้งเรื่อง", "ตกลง", "ยอมรับ", "ยินยอม", "เริ่ม", "ได้", "โอเค", "ok")]


def _privacy_prompt(ctx: Ctx, st: FlowState) -> Result:
    text = PRIVACY.format(office=ctx.settings.office_name, years=catalog().retention_years)
    return Result.text(text, st.choice_buttons(_privacy_choices(ctx, st)) + [cancel_button()])


def _kind_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return catalog().kind_choices()


def _kind_prompt(ctx: Ctx, st: FlowState) -> Result:
    return Result.text(ASK_KIND, st.choice_buttons(_kind_choices(ctx, st)) + [cancel_button()])


def _topic_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return catalog().topic_choices()


def _topic_prompt(ctx: Ctx, st: FlowState) -> Result:
    return Result.text(ASK_TOPIC, st.choice_buttons(_topic_choices(ctx, st)) + [cancel_button()])


# -- the school ------------------------------------------------------------------------------------------------
NO_SCHOOL = _choice("none", "ไม่ระบุโรงเรียน", "ไม่เกี่ยวกับโรงเรียน", "ไม่เกี่ยว", "ข้าม", "ไม่มี", "ไม่ระบุ")


def _school_prompt(ctx: Ctx, st: FlowState) -> Result:
    return Result.text(ASK_SCHOOL, st.choice_buttons([NO_SCHOOL]) + [cancel_button()])


def _on_school_text(ctx: Ctx, st: FlowState, text: str) -> Result:
    """A school name or code typed: the schools found to pick from; none found asks again (nothing kept)."""
    query = text.strip()[:100]
    if not picker.school_choices(ctx, query):
        raise UserFacingError(SCHOOL_NOT_FOUND.format(text=query[:60]), st.choice_buttons([NO_SCHOOL]) + [cancel_button()])
    return st.goto(ctx, "schools", school_query=query)


def _schools_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return picker.school_choices(ctx, st.data.school_query) + [NO_SCHOOL]


def _schools_prompt(ctx: Ctx, st: FlowState) -> Result:
    found = picker.school_choices(ctx, st.data.school_query)
    lines = [picker.PICK_SCHOOL] + [c.display or c.label for c in found] + [picker.RETYPE_SCHOOL]
    return Result.text("\n".join(lines), st.choice_buttons(_schools_choices(ctx, st)) + [cancel_button()])


def _on_school(ctx: Ctx, st: FlowState, code: str) -> Result:
    return _next(ctx, st, "school", school_code="" if code == "none" else code, school_asked=True)


# -- the details -----------------------------------------------------------------------------------------------
# "ยืนยัน", "ตกลง" … typed at the details step answer the flow, never become part of the complaint
NEXT = _choice("next", "ถัดไป ▶", "ต่อไป", "เสร็จแล้ว", "ครบแล้ว", "ส่งครบแล้ว", "หมดแล้ว", "แค่นี้", "ยืนยัน",
               "ตกลง", "โอเค", "ok", "ส่ง", "ส่งเรื่อง", "เรียบร้อย", "เรียบร้อยแล้ว")


def _details_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [NEXT]


def _details_prompt(ctx: Ctx, st: FlowState) -> Result:
    d = st.data
    if d.details or d.files:
        text = GOT_DETAILS.format(chars=len(d.details), files=len(d.files), max=MAX_FILES)
    else:
        text = ASK_DETAILS.format(files=MAX_FILES, mb=MAX_FILE_MB)
    return Result.text(text, st.choice_buttons([NEXT]) + [cancel_button()])


def _on_details_text(ctx: Ctx, st: FlowState, text: str) -> Result:
    """A message of the details: joined to what came before (a second message is added, never lost)."""
    text = text.strip()
    if is_only_particles(text):
        return st.stay(Result.text(PARTICLES_ONLY if st.data.details else NO_DETAILS,
                                   st.choice_buttons([NEXT]) + [cancel_button()]))
    joined = f"{st.data.details}\n{text}" if st.data.details else text
    if len(joined) > MAX_DETAILS:
        raise UserFacingError(TOO_LONG.format(max=MAX_DETAILS, n=len(text)), st.choice_buttons([NEXT]) + [cancel_button()])
    return st.again(ctx, details=joined)


def _takes_media(ctx: Ctx, st: FlowState) -> bool:
    return len(st.data.files) < MAX_FILES


def _on_details_media(ctx: Ctx, st: FlowState) -> Result:
    media = ctx.inp.media
    if media is None or not (media.path or media.error):
        return st.again(ctx, FILES_FULL.format(max=MAX_FILES) if len(st.data.files) >= MAX_FILES else
                        FILE_REFUSED["unavailable"])
    if media.error:
        return st.again(ctx, FILE_REFUSED.get(media.error, FILE_REFUSED["unavailable"]).format(mb=MAX_FILE_MB))
    info = {"name": media.name, "path": media.path, "size": media.size, "content_type": media.content_type}
    return st.again(ctx, f"📎 แนบ {media.name} แล้วค่ะ", files=st.data.files + [info])


def _on_details_done(ctx: Ctx, st: FlowState, value: str) -> Result:
    if len(st.data.details.strip()) < MIN_DETAILS:
        return st.again(ctx, NO_DETAILS)
    return _next(ctx, st, "details")


# -- anonymous, summary, edit ----------------------------------------------------------------------------------
def _anonymous_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [_choice("yes", "ไม่ระบุชื่อ", "ไม่ประสงค์ออกนาม", "ปิดชื่อ", "ไม่เปิดเผยชื่อ", "ไม่บอกชื่อ", "anonymous",
                    "ไม่ระบุตัวตน", "ไม่เปิดเผยตัวตน", "ปกปิดตัวตน", "ปกปิดชื่อ", "ไม่ออกนาม"),
            _choice("no", "ระบุชื่อ", "เปิดเผยชื่อ", "บอกชื่อ", "แจ้งชื่อ", "ใส่ชื่อ", "ระบุตัวตน", "เปิดเผยตัวตน")]


def _anonymous_prompt(ctx: Ctx, st: FlowState) -> Result:
    return Result.text(ASK_ANONYMOUS, st.choice_buttons(_anonymous_choices(ctx, st)) + [cancel_button()])


def _summary_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [_choice("ok", "✅ ยืนยันส่งเรื่อง", "ยืนยัน", "ส่งเรื่อง", "ส่ง", "ตกลง", "ถูกต้อง"),
            _choice("edit", "✏️ แก้ไข", "แก้", "แก้ไขเรื่อง")]


def _summary_prompt(ctx: Ctx, st: FlowState) -> Result:
    d = st.data
    cat = catalog()
    head = ["📋 สรุปเรื่องที่จะส่งค่ะ", f"ประเภท: {cat.kind(d.kind).name}", f"เรื่อง: {cat.topic(d.topic).name}",
            f"โรงเรียน: {notices.school_name(ctx.session, d.school_code)}",
            "ผู้แจ้ง: ไม่ระบุชื่อ" if d.anonymous == "yes" else "ผู้แจ้ง: ระบุชื่อ",
            f"ไฟล์แนบ: {len(d.files)} ไฟล์" + "".join(f"\n📎 {f['name'][:60]}" for f in d.files)]
    replies: list[Reply] = mine_cards.details_in_parts("\n".join(head), d.details, ASK_CONFIRM)
    return Result(replies, st.choice_buttons(_summary_choices(ctx, st)) + [cancel_button()])


def _edit_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [_choice("details", "เพิ่มรายละเอียด/ไฟล์", "เพิ่มรายละเอียด", "เพิ่มข้อความ", "เพิ่มไฟล์", "เพิ่มรูป"),
            _choice("rewrite", "พิมพ์รายละเอียดใหม่", "เขียนใหม่", "พิมพ์ใหม่"),
            _choice("kind", "ประเภท", "ประเภทเรื่อง"), _choice("topic", "ด้าน/หัวข้อ", "หัวข้อ", "ด้าน"),
            _choice("school", "โรงเรียน", "เปลี่ยนโรงเรียน"),
            _choice("anonymous", "ระบุชื่อหรือไม่", "ไม่ระบุชื่อ", "ระบุชื่อ", "ชื่อ"),
            _choice("summary", "◀ กลับไปที่สรุป", "กลับ", "ไม่แก้", "สรุป")]


def _edit_prompt(ctx: Ctx, st: FlowState) -> Result:
    return Result.text(ASK_EDIT, st.choice_buttons(_edit_choices(ctx, st)) + [cancel_button()])


def _on_edit(ctx: Ctx, st: FlowState, value: str) -> Result:
    if value == "summary":
        return st.goto(ctx, "summary")
    if value == "rewrite":  # the one place the typed details are dropped: the person chose it
        return st.goto(ctx, "details", "ล้างรายละเอียดเดิมแล้วค่ะ (ไฟล์แนบยังอยู่)", details="", editing=True)
    return st.goto(ctx, value, editing=True)


def _on_summary(ctx: Ctx, st: FlowState, value: str) -> Result:
    if value == "edit":
        return st.goto(ctx, "edit")
    return file(ctx, st)


def file(ctx: Ctx, st: FlowState[Draft]) -> Result:
    """File the draft: claim it (its state row, by session id, so a double press or two webhooks at once file
    it once), create the case, and tell the officers through the outbox; one transaction (the event's)."""
    key = (ctx.inp.chat_id, ctx.inp.user_id)
    loaded = ctx.session.get(ConversationState, key)
    claimed = ctx.session.execute(
        delete(ConversationState).where(ConversationState.chat_id == key[0], ConversationState.user_id == key[1],
                                        ConversationState.session_id == st.session_id)
        .execution_options(synchronize_session=False)).rowcount
    if loaded is not None:
        ctx.session.expunge(loaded)
    if claimed != 1:
        return st.end(Result.text(ALREADY_SENT))
    d = st.data
    kind = catalog().kind(d.kind)
    ack_due, resolve_due = sla.deadlines(ctx.session, ctx.now)
    name = members.name_of(members.get_member(ctx.session, ctx.inp.user_id or ""))
    case = complaints.create(ctx.session, letter=kind.letter, kind=kind.id, topic=d.topic, details=d.details,
                             user_id=ctx.inp.user_id or "", name=name, now=ctx.now, anonymous=d.anonymous == "yes",
                             school_code=d.school_code or None, files=d.files, ack_due=ack_due,
                             resolve_due=resolve_due)
    spoken = mine_cards.spoken(case.number)
    if kind.id == "compliment":
        done = Result.text(FILED_THANKS.format(number=case.number, spoken=spoken))
    else:
        done = Result.text(FILED.format(number=case.number, spoken=spoken, ack=notices.thai_date_of(ack_due),
                                        resolve=notices.thai_date_of(resolve_due)))
    done.quick_replies = [mine_cards.follow_button()]
    notice = notices.new_case(ctx.session, case)
    done.pushes = [(to, notice) for to in notices.recipients(ctx.session, ctx.settings)]
    return st.end(done)


# -- resuming, and the flow ------------------------------------------------------------------------------------
def _resume_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [_choice("go", "ทำต่อ ▶", "ต่อ", "ทำต่อเลย", "เรื่องเดิม"), _choice("new", "เริ่มเรื่องใหม่", "ใหม่", "เริ่มใหม่")]


def _resume_prompt(ctx: Ctx, st: FlowState) -> Result:
    return Result.text(RESUME, st.choice_buttons(_resume_choices(ctx, st)) + [cancel_button()])


def _on_resume(ctx: Ctx, st: FlowState, value: str) -> Result:
    if value == "new":
        return FILE.begin(ctx, _first_step(ctx, ""))
    return st.goto(ctx, st.data.back or "kind", back="")


FILE: Flow[Draft] = Flow(NAME, Draft, {
    "privacy": Step(_privacy_prompt, choices=_privacy_choices, on_choice=lambda c, s, v: _next(c, s, "privacy"),
                    brief=PRIVACY_AGAIN,
                    expects="กด \"ตกลง\" เพื่อเริ่ม หรือ \"ยกเลิก\" ค่ะ"),
    "kind": Step(_kind_prompt, choices=_kind_choices, on_choice=lambda c, s, v: _next(c, s, "kind", kind=v)),
    "topic": Step(_topic_prompt, choices=_topic_choices, on_choice=lambda c, s, v: _next(c, s, "topic", topic=v)),
    "school": Step(_school_prompt, choices=lambda c, s: [NO_SCHOOL], on_choice=_on_school, on_text=_on_school_text),
    "schools": Step(_schools_prompt, choices=_schools_choices, on_choice=_on_school, on_text=_on_school_text),
    "details": Step(_details_prompt, choices=_details_choices, on_choice=_on_details_done, on_text=_on_details_text,
                    on_media=_on_details_media, takes_media=_takes_media),
    "anonymous": Step(_anonymous_prompt, choices=_anonymous_choices,
                      on_choice=lambda c, s, v: _next(c, s, "anonymous", anonymous=v)),
    "summary": Step(_summary_prompt, choices=_summary_choices, on_choice=_on_summary,
                    expects="กด \"ยืนยันส่งเรื่อง\" เพื่อส่ง หรือ \"แก้ไข\" ถ้าต้องการเปลี่ยนอะไรค่ะ"),
    "edit": Step(_edit_prompt, choices=_edit_choices, on_choice=_on_edit),
    "resume": Step(_resume_prompt, choices=_resume_choices, on_choice=_on_resume),
}, first="privacy")


def _first_step(ctx: Ctx, kind: str) -> str:
    """The privacy notice before a person's first filing, else the kind (or the topic when it is known)."""
    if not complaints.filed_by(ctx.session, ctx.inp.user_id or ""):
        return "privacy"
    return "topic" if kind else "kind"


def start(ctx: Ctx, rest: str = "", kind: str = "") -> Result:
    """"แจ้งเรื่อง" / "ร้องเรียน …" / "เสนอแนะ …": start a filing (1:1 only; in a group, the refusal, which
    repeats nothing). Text after the word is the start of the details; a live draft is offered to resume."""
    if ctx.inp.chat_kind != "user":
        return Result.text(GROUP_REFUSAL)
    st = flows.current(ctx, {FILE.name: FILE})
    if st is not None and st.step == "kind" and kind and not rest:  # "ร้องเรียน" typed at the kind step answers it
        return _next(ctx, st, "kind", kind=kind)
    if st is not None:
        return st.again(ctx) if st.step == "resume" else st.goto(ctx, "resume", back=st.step)
    details = rest.strip()[:MAX_DETAILS] if rest and not is_only_particles(rest) else ""
    return FILE.begin(ctx, _first_step(ctx, kind), kind=kind, details=details)


def _command(kind: str, *words: str) -> Command:
    return Command(words, lambda ctx, rest: start(ctx, rest, kind))


def expire_drafts(session: Session, now: datetime) -> list[tuple[str, list[Reply]]]:
    """Drafts idle past their 30-minute expiry (UTC `now`): removed, each with the notice for its writer, as
    (LINE user ID, replies). One DELETE … RETURNING, so two runs (or the writer's own next message, which
    drops an expired row too) never notify twice."""
    gone = session.execute(delete(ConversationState).where(ConversationState.flow == NAME,
                                                           ConversationState.expires_at <= now)
                           .returning(ConversationState.user_id, ConversationState.chat_id)
                           .execution_options(synchronize_session=False)).all()
    return [(user_id, [TextReply(EXPIRED_NOTICE)]) for user_id, chat_id in gone if chat_id == user_id]


def live_drafts(session: Session) -> int:
    """How many filings are being written now (for the console and tests)."""
    return len(session.scalars(select(ConversationState.user_id).where(ConversationState.flow == NAME)).all())


COMMANDS = [
    _command("complaint", "ร้องเรียน", "ข้อร้องเรียน", "แจ้งร้องเรียน"),
    _command("suggestion", "เสนอแนะ", "ข้อเสนอแนะ"),
    _command("opinion", "แสดงความคิดเห็น"),
    _command("compliment", "ชมเชย", "คำชมเชย"),
    _command("", "แจ้งเรื่อง", "แจ้งเรื่องร้องเรียน"),
]
FLOWS = (FILE,)
POSTBACKS: dict = {}
EVENTS: dict = {}
