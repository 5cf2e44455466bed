"""The officers' desk in a 1:1 chat: "เรื่องร้องเรียน" (the queue of open cases, overdue first),
"เรื่องร้องเรียน ร-2570-0042" (one case), and the case card's buttons (postback "cd"):

- รับเรื่อง (take and acknowledge), กำลังดำเนินการ: at once (`handlers.complaints.actions`);
- ส่งต่อ, บันทึกภายใน, ตอบผู้แจ้ง, เสร็จสิ้น, ยุติเรื่อง: flows that ask for a work group or text and a
  confirmation (`handlers.complaints.desk_steps`);
- รับเรื่อง, ตอบผู้แจ้ง, บันทึกภายใน, ยุติเรื่อง may also be typed with the case number (`TYPED_OPS`);
- ดูผู้แจ้ง (a case that is not anonymous: the name, audited), อ่านรายละเอียดทั้งหมด (the details in
  parts), ประวัติทั้งหมด, and paging of the queue.

Only complaint officers and admins (policy "complaints.handle", 1:1 chats only); in a group the command is
answered only when addressed, with the refusal, and nothing of any case.
"""
from __future__ import annotations


from handlers.complaints import actions, desk_cards, desk_steps
from handlers.core import policy
from handlers.core.routing import Command
from handlers.core.types import Button, Ctx, PostbackAction, Result, TextReply, UserFacingError
from handlers.core import postback
from storage import complaints

EMPTY_QUEUE = "ตอนนี้ไม่มีเรื่องร้องเรียนที่เปิดอยู่ค่ะ 🎉"
WHO = "👤 ผู้แจ้ง เรื่อง {number}: {name}\n(ระบบบันทึกการดูข้อมูลผู้แจ้งครั้งนี้ไว้แล้วค่ะ)"
NO_NAME = "ไม่ทราบชื่อ (LINE ไม่ได้ให้ชื่อไว้)"
TAKEN = "✅ รับเรื่อง {number} แล้วค่ะ ท่านเป็นผู้รับผิดชอบเรื่องนี้"
FILES = "ไฟล์แนบของเรื่อง {number} ({n} ไฟล์) ลิงก์ใช้ได้ 1 ชั่วโมงค่ะ 🔒 อย่าส่งต่อลิงก์ให้ผู้อื่นนะคะ"
NO_FILES = "เรื่อง {number} ไม่มีไฟล์แนบค่ะ"
NO_LINKS = ("ยังเปิดไฟล์แนบผ่านแชตไม่ได้ค่ะ 🙏 ผู้ดูแลระบบต้องตั้งค่า PUBLIC_BASE_URL ของระบบก่อน "
            "ระหว่างนี้ดูไฟล์ได้ในโฟลเดอร์ EVIDENCE_DIR บนเครื่องเซิร์ฟเวอร์")
WORKING = "✅ เรื่อง {number} เป็น \"กำลังดำเนินการ\" แล้วค่ะ"


def queue(ctx: Ctx, rest: str = "", page: int = 0) -> Result:
    """"เรื่องร้องเรียน": the open cases, overdue first (`actions.queue`); with a case number after it, that
    case's card."""
    policy.require(ctx, "complaints.handle")
    if rest.strip():
        return show(ctx, actions.find(ctx.session, rest))
    cases = actions.queue(ctx.session, ctx.actor, ctx.now)
    if not cases:
        return Result.text(EMPTY_QUEUE)
    page = max(0, min(page, (len(cases) - 1) // desk_cards.PAGE))
    return Result([TextReply(desk_cards.queue_summary(cases, ctx.now, page)),
                   desk_cards.queue_cards(ctx.session, cases, ctx.now, page)])


def show(ctx: Ctx, case, lead: str = "") -> Result:
    """The case card (and its other buttons as quick replies)."""
    return desk_cards.case_result(ctx, case, lead)


def _outcome(ctx: Ctx, out: actions.Outcome, lead: str) -> Result:
    told = f" ({out.told})" if out.told else ""
    result = show(ctx, out.case, lead.format(number=out.case.number) + told)
    result.pushes = out.pushes()
    return result


def _details(ctx: Ctx, case, first: int) -> Result:
    replies, nxt = desk_cards.detail_replies(case, max(0, first))
    more = [desk_cards.button("ส่วนถัดไป", "det", case, p=nxt)] if nxt is not None else []
    return Result(list(replies), more + [desk_cards.button("กลับไปที่เรื่องนี้", "show", case)])


def _who(ctx: Ctx, case) -> Result:
    contact = actions.reveal(ctx.session, ctx.actor, case, ctx.now)
    return Result.text(WHO.format(number=case.number, name=contact.name or NO_NAME),
                       [desk_cards.button("ตอบผู้แจ้ง", "reply", case)] if case.state in complaints.OPEN_STATES
                       else [])


def _files(ctx: Ctx, case) -> Result:
    """Links (for an hour) to the case's photos and files, for an officer to open; each opening is audited."""
    files = desk_cards.attachments(case, complaints.history(ctx.session, case))
    back = [desk_cards.button("กลับไปที่เรื่องนี้", "show", case)]
    if not files:
        return Result.text(NO_FILES.format(number=case.number), back)
    if ctx.exports is None:
        return Result.text(NO_LINKS, back)
    lines = []
    for i, f in enumerate(files, start=1):
        url = ctx.exports.kept_file_url(f.get("path", ""), f.get("name", ""), ctx.now)
        lines.append(f"{i}. 📎 {f.get('name') or 'ไฟล์'}\n{url}" if url else f"{i}. 📎 {f.get('name') or 'ไฟล์'} (ลบแล้ว)")
    actions.audit_files(ctx.session, ctx.actor, case, len(files), ctx.now)
    return Result.text(FILES.format(number=case.number, n=len(files)) + "\n\n" + "\n\n".join(lines), back)


def on_postback(ctx: Ctx, payload: dict) -> Result:
    """Postback "cd": `o` the operation, `c` the case id, `p` a page or part."""
    policy.require(ctx, "complaints.handle")
    op = payload.get("o")
    if op == "q":
        return queue(ctx, "", int(payload.get("p") or 0))
    case = complaints.get(ctx.session, int(payload.get("c") or 0))
    if case is None:
        raise UserFacingError(postback.EXPIRED)
    if op == "take":
        return _outcome(ctx, actions.take(ctx.session, ctx.actor, case, ctx.now), TAKEN)
    if op == "work":
        return _outcome(ctx, actions.start_work(ctx.session, ctx.actor, case, ctx.now), WORKING)
    if op == "fwd":
        return desk_steps.begin_forward(ctx, case)
    if op in desk_steps.OPS:
        return desk_steps.begin_text(ctx, op, case)
    if op == "who":
        return _who(ctx, case)
    if op == "files":
        return _files(ctx, case)
    if op == "det":
        return _details(ctx, case, int(payload.get("p") or 0))
    if op == "hist":
        text = desk_cards.history_text(ctx.session, ctx.content, case, complaints.history(ctx.session, case))
        return Result([TextReply(text)], [desk_cards.button("กลับไปที่เรื่องนี้", "show", case)])
    return show(ctx, case)


# the card's buttons that may be typed with a case number ("รับเรื่อง ร-2570-0042"); not ส่งต่อ, เสร็จสิ้น or
# กำลังดำเนินการ, everyday words (an evidence status, a "done" at a flow's step) that must not become commands
TYPED_OPS = ("take", "reply", "note", "dism")
NEEDS_NUMBER = ("พิมพ์ \"{word}\" ตามด้วยเลขที่เรื่องค่ะ เช่น \"{word} ร-2570-0042\" "
                "หรือเปิดเรื่องจาก \"เรื่องร้องเรียน\" แล้วกดปุ่มบนการ์ดได้เลยนะคะ")


def _typed(op: str):
    def run(ctx: Ctx, rest: str) -> Result:
        """A card button typed with the case number: the same as pressing it on that case's card."""
        policy.require(ctx, "complaints.handle")
        if not rest.strip():
            raise UserFacingError(NEEDS_NUMBER.format(word=desk_cards.OPS[op]), [queue_button()])
        return on_postback(ctx, {"o": op, "c": actions.find(ctx.session, rest).id})
    return run


def queue_button() -> Button:
    """"เรื่องร้องเรียน" as a button (a help menu or rich menu may offer it to officers)."""
    return Button("เรื่องร้องเรียน", PostbackAction(postback.encode("cd", o="q", p=0), "เรื่องร้องเรียน"))


COMMANDS = [Command(("เรื่องร้องเรียน", "รายการเรื่องร้องเรียน", "คิวเรื่องร้องเรียน"), queue, bare_in_group=False),
            *(Command((desk_cards.OPS[op],), _typed(op), bare_in_group=False) for op in TYPED_OPS)]
POSTBACKS = {"cd": on_postback}
FLOWS = desk_steps.FLOWS
EVENTS: dict = {}
