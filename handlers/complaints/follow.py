"""A complainant following up their own cases, in a 1:1 chat.

- "ติดตามเรื่อง" (or "เรื่องของฉัน"): their cases, newest first, with states; a button opens each.
- A case number typed alone ("ร-2570-0042", "ร 2570 42", Thai digits too): the case's card, only when they
  filed it. Anyone else's number, or one that does not exist, gets the same polite "not found" that reveals
  nothing; for complaint officers and admins the number is left to the desk (`READERS` returns None).
- "เพิ่มข้อมูล" on an open case (flow "cfmore"): text and photos/files, sent with "ส่งข้อมูล"; kept as a
  public "info_added" step and the officers are told (outbox).
- "ขอเปิดเรื่องอีกครั้ง" on a closed case, once, within `reopen_days` (content/complaints.yaml) of closing:
  a reason, then `storage.complaints.reopen`; the officers are told.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from handlers.complaints import actions as desk_actions, desk, filing, mine_cards, notices
from handlers.complaints.catalog import case_number, catalog
from handlers.core import policy, postback
from handlers.core.flow import Flow, FlowState, Step
from handlers.core.routing import Command
from handlers.core.types import Ctx, Result, UserFacingError
from handlers.core.words import Choice, is_only_particles
from handlers.members.directory import cancel_button
from storage import complaints
from storage.complaints import OPEN_STATES, ComplaintError
from storage.models import Complaint

NONE_YET = ("ยังไม่มีเรื่องที่ท่านแจ้งไว้ค่ะ 😊 พิมพ์ \"แจ้งเรื่อง\" เพื่อแจ้งข้อร้องเรียน ข้อเสนอแนะ ข้อคิดเห็น "
            "หรือคำชมเชยได้เลยนะคะ")
NOT_FOUND = ("ไม่พบเรื่องเลขที่ {number} ในเรื่องที่ท่านแจ้งไว้ค่ะ 🙏 ตรวจเลขที่อีกครั้ง "
             "หรือพิมพ์ \"ติดตามเรื่อง\" เพื่อดูเรื่องทั้งหมดของท่านนะคะ")
IN_PRIVATE = "ดูเรื่องที่แจ้งไว้ได้ในแชต 1:1 กับบอทค่ะ 🙏 เพื่อความเป็นส่วนตัวของผู้แจ้ง"
ASK_MORE = ("พิมพ์ข้อมูลเพิ่มเติมสำหรับเรื่อง {number} ได้เลยค่ะ ส่งรูปหรือไฟล์ได้ด้วย (ไม่เกิน {files} ไฟล์) "
            "เสร็จแล้วกด \"ส่งข้อมูล\"")
ASK_REOPEN = "ขอเปิดเรื่อง {number} อีกครั้งค่ะ รบกวนพิมพ์เหตุผลสั้น ๆ ว่ายังมีอะไรที่ไม่เรียบร้อย แล้วกด \"ส่งคำขอ\""
GOT_MORE = "ได้รับแล้วค่ะ: ข้อความ {chars:,} ตัวอักษร · ไฟล์แนบ {files} ไฟล์ พิมพ์เพิ่ม หรือกดส่งได้เลยนะคะ"
NOTHING_TO_SEND = "ยังไม่มีข้อมูลที่จะส่งค่ะ 🙏 พิมพ์ข้อความ หรือส่งรูป/ไฟล์ก่อนนะคะ"
NEED_REASON = "รบกวนพิมพ์เหตุผลที่ขอเปิดเรื่องอีกครั้งก่อนนะคะ 🙏"
TEXT_ONLY = "ขั้นนี้ขอเป็นข้อความค่ะ 🙏 ถ้ามีไฟล์ เปิดเรื่องแล้วกด \"เพิ่มข้อมูล\" ได้นะคะ"
ADDED = "📎 ส่งข้อมูลเพิ่มเติมในเรื่อง {number} แล้วค่ะ เจ้าหน้าที่จะเห็นข้อมูลนี้ในเรื่องของท่านนะคะ"
REOPENED = "🔁 เปิดเรื่อง {number} อีกครั้งแล้วค่ะ เจ้าหน้าที่จะดำเนินการต่อและแจ้งผลท่านทางแชตนี้นะคะ"
CLOSED_NOW = "เรื่อง {number} ปิดไปแล้วค่ะ จึงเพิ่มข้อมูลไม่ได้ 🙏 ถ้ายังไม่เรียบร้อย กด \"ขอเปิดเรื่องอีกครั้ง\" ได้นะคะ"
NO_REOPEN = ("เรื่อง {number} เปิดอีกครั้งไม่ได้แล้วค่ะ 🙏 (เปิดได้ครั้งเดียว ภายใน {days} วันหลังปิดเรื่อง) "
             "ถ้ามีเรื่องใหม่ พิมพ์ \"แจ้งเรื่อง\" ได้เลยนะคะ")


def _own(ctx: Ctx, number: str) -> Complaint:
    """The case `number` when the person writing filed it; else UserFacingError(NOT_FOUND), the same for a
    number that does not exist, so nothing is revealed."""
    case = complaints.by_number(ctx.session, number)
    if case is None or not ctx.inp.user_id or not complaints.is_filer(ctx.session, case, ctx.inp.user_id):
        raise UserFacingError(NOT_FOUND.format(number=number), [mine_cards.follow_button()])
    return case


def my_cases(ctx: Ctx, rest: str = "") -> Result:
    """ "ติดตามเรื่อง": the person's cases and their states (1:1 only), or a case when a number follows."""
    if ctx.inp.chat_kind != "user":
        return Result.text(IN_PRIVATE)
    number = case_number(rest) if rest else None
    if number:
        return show(ctx, number)
    cases = complaints.filed_by(ctx.session, ctx.inp.user_id or "")
    if not cases:
        return Result.text(NONE_YET)
    text, buttons = mine_cards.case_list(cases)
    return Result.text(text, buttons)


def show(ctx: Ctx, number: str) -> Result:
    """The card of case `number` for the person who filed it (else "not found")."""
    return Result([mine_cards.case_card(ctx.session, _own(ctx, number), ctx.now)])


def read_number(ctx: Ctx, text: str) -> Result | None:
    """A case number typed alone: the filer's card; for officers and admins, the desk's card of any case."""
    number = case_number(text)
    if number is None:
        return None
    if ctx.inp.chat_kind != "user":
        return Result.text(IN_PRIVATE)
    case = complaints.by_number(ctx.session, number)
    mine = case is not None and complaints.is_filer(ctx.session, case, ctx.inp.user_id or "")
    if not mine and policy.allowed(ctx.actor, "complaints.handle"):
        return desk.show(ctx, desk_actions.find(ctx.session, number))
    return show(ctx, number)


def _number_of(payload: dict) -> str:
    number = case_number(str(payload.get("n", "")))
    if number is None:
        raise UserFacingError(postback.EXPIRED)
    return number


def on_show(ctx: Ctx, payload: dict) -> Result:
    """Postback "cfshow": a case's card."""
    return show(ctx, _number_of(payload))


# -- adding information, reopening: flow "cfmore" ------------------------------------------------------------
@dataclass
class More:
    """What the complainant is sending to case `number`: `mode` "add" or "reopen", the `text` (messages
    joined) and `files` ([{name, path, size, content_type}])."""

    number: str = ""
    mode: str = "add"
    text: str = ""
    files: list = field(default_factory=list)


def _send_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    label = "ส่งข้อมูล ▶" if st.data.mode == "add" else "ส่งคำขอ ▶"
    return [Choice("send", label, ("ส่ง", "ส่งข้อมูล", "ส่งคำขอ", "ยืนยัน", "เสร็จแล้ว"), label.rstrip(" ▶"))]


def _write_prompt(ctx: Ctx, st: FlowState) -> Result:
    d = st.data
    if d.text or d.files:
        text = GOT_MORE.format(chars=len(d.text), files=len(d.files))
    elif d.mode == "add":
        text = ASK_MORE.format(number=d.number, files=filing.MAX_FILES)
    else:
        text = ASK_REOPEN.format(number=d.number)
    return Result.text(text, st.choice_buttons(_send_choices(ctx, st)) + [cancel_button()])


def _on_write_text(ctx: Ctx, st: FlowState, text: str) -> Result:
    text = text.strip()
    if is_only_particles(text):
        return st.again(ctx)
    joined = f"{st.data.text}\n{text}" if st.data.text else text
    if len(joined) > filing.MAX_DETAILS:
        raise UserFacingError(filing.TOO_LONG.format(max=filing.MAX_DETAILS, n=len(text)))
    return st.again(ctx, text=joined)


def _takes_media(ctx: Ctx, st: FlowState) -> bool:
    return st.data.mode == "add" and len(st.data.files) < filing.MAX_FILES


def _on_write_media(ctx: Ctx, st: FlowState) -> Result:
    media = ctx.inp.media
    if st.data.mode != "add":
        return st.again(ctx, TEXT_ONLY)
    if media is None or not (media.path or media.error):
        return st.again(ctx, filing.FILES_FULL.format(max=filing.MAX_FILES))
    if media.error:
        refused = filing.FILE_REFUSED.get(media.error, filing.FILE_REFUSED["unavailable"])
        return st.again(ctx, refused.format(mb=filing.MAX_FILE_MB))
    info = {"name": media.name, "path": media.path, "size": media.size, "content_type": media.content_type}
    return st.again(ctx, f"📎 แนบ {media.name} แล้วค่ะ", files=st.data.files + [info])


def _on_send(ctx: Ctx, st: FlowState, value: str) -> Result:
    d = st.data
    case = _own(ctx, d.number)
    by = "complainant"
    if d.mode == "add":
        if not d.text and not d.files:
            return st.again(ctx, NOTHING_TO_SEND)
        if case.state not in OPEN_STATES:
            return st.end(Result.text(CLOSED_NOW.format(number=case.number)))
        complaints.add_event(ctx.session, case, by, "info_added", ctx.now, text=d.text, files=d.files, public=True)
        what, done = "info", ADDED
    else:
        if not d.text:
            return st.again(ctx, NEED_REASON)
        try:
            complaints.reopen(ctx.session, case, ctx.now, catalog().reopen_days, d.text)
        except ComplaintError:
            return st.end(Result.text(NO_REOPEN.format(number=case.number, days=catalog().reopen_days)))
        what, done = "reopened", REOPENED
    result = Result.text(done.format(number=case.number), [mine_cards.follow_button()])
    notice = notices.follow_up(ctx.session, case, what, d.text, len(d.files))
    result.pushes = [(to, notice) for to in notices.recipients(ctx.session, ctx.settings)]
    return st.end(result)


MORE: Flow[More] = Flow("cfmore", More, {
    "write": Step(_write_prompt, choices=_send_choices, on_choice=_on_send, on_text=_on_write_text,
                  on_media=_on_write_media, takes_media=_takes_media),
}, first="write")


def on_add(ctx: Ctx, payload: dict) -> Result:
    """Postback "cfadd": add information to an open case of one's own."""
    case = _own(ctx, _number_of(payload))
    if case.state not in OPEN_STATES:
        return Result.text(CLOSED_NOW.format(number=case.number), [mine_cards.show_button(case)])
    return MORE.begin(ctx, number=case.number, mode="add")


def on_reopen(ctx: Ctx, payload: dict) -> Result:
    """Postback "cfre": ask to reopen a closed case of one's own (once, within `reopen_days`)."""
    case = _own(ctx, _number_of(payload))
    if not mine_cards.can_reopen(case, ctx.now):
        if case.state in OPEN_STATES:
            return show(ctx, case.number)
        return Result.text(NO_REOPEN.format(number=case.number, days=catalog().reopen_days))
    return MORE.begin(ctx, number=case.number, mode="reopen")


COMMANDS = [Command(("ติดตามเรื่อง", "เรื่องของฉัน", "สถานะเรื่อง", "ติดตามเรื่องร้องเรียน"), my_cases)]
FLOWS = (MORE,)
POSTBACKS = {"cfshow": on_show, "cfadd": on_add, "cfre": on_reopen}
EVENTS: dict = {}
READERS = (read_number,)
