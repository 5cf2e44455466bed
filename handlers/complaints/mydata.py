"""The complainant's own data (Thailand's PDPA: the right of access and of erasure), in a 1:1 chat.

"ขอข้อมูลของฉัน": every case they filed, with what is kept about them (their name and LINE ID, the details,
attachments, rating) and until when; the view is written to the audit log ("complaint.data_access").
"ลบข้อมูลของฉัน": after a confirmation (a one-step Flow), an erasure request (`handlers.complaints.retention`):
closed cases are erased at once, open ones when they close or, at the latest, within `erasure_days`; the
admins are told through the outbox, without the requester's identity.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from handlers.complaints import retention
from handlers.complaints.catalog import catalog
from handlers.complaints.stats import state_name
from handlers.core import policy
from handlers.core.flow import Flow, FlowState, Step
from handlers.core.routing import Command
from handlers.core.thaidate import thai_date
from handlers.core.types import Button, Ctx, MessageAction, Result, TextReply
from handlers.core.words import Choice
from storage import complaints, members
from storage.models import Complaint, ComplaintContact

ASK, ERASE = "ขอข้อมูลของฉัน", "ลบข้อมูลของฉัน"
NONE_KEPT = "ไม่มีข้อมูลเรื่องร้องเรียนของคุณเก็บอยู่ในระบบค่ะ 😊"
SHOWN_MAX = 20          # cases listed in full; older ones are counted
DETAILS_SHOWN = 300     # characters of the details shown per case
HOW_KEPT = ("เก็บไว้เพื่อติดตามเรื่องและแจ้งผลให้คุณทราบ ผู้ที่เห็นเรื่องคือเจ้าหน้าที่รับเรื่องร้องเรียนและผู้ดูแลระบบ "
            "(เรื่องที่ไม่ระบุตัวตน ไม่มีใครเห็นชื่อของคุณ) ทุกครั้งที่เจ้าหน้าที่เปิดดูชื่อผู้แจ้งจะถูกบันทึกไว้ค่ะ")
ASK_ERASE = ("ต้องการลบข้อมูลของคุณในเรื่องร้องเรียน {n} เรื่องใช่ไหมคะ\n"
             "• เรื่องที่ปิดแล้วจะลบทันที: ชื่อ, LINE ID, รายละเอียดที่คุณเขียน และไฟล์แนบ\n"
             "• เรื่องที่ยังดำเนินการอยู่จะลบเมื่อปิดเรื่อง หรือภายใน {days} วันแม้ยังไม่ปิด "
             "หลังจากนั้นสำนักงานจะแจ้งผลให้คุณไม่ได้แล้ว\n"
             "สำนักงานเก็บไว้เพียงสถิติที่ไม่ระบุตัวบุคคล (ประเภท หัวข้อ วันที่ สถานะ คะแนน)")
ERASE_KEEP = "ยังไม่ลบค่ะ ข้อมูลของคุณยังอยู่เหมือนเดิมนะคะ"


def _kept(ctx: Ctx, case: Complaint) -> str:
    """One case as its complainant sees what is kept about it."""
    cat = catalog()
    contact = ctx.session.get(ComplaintContact, case.id)
    name = f"ชื่อ \"{contact.name}\"" if contact is not None and contact.name else "ชื่อ (ไม่มี)"
    details = case.details or ""
    shown = details if len(details) <= DETAILS_SHOWN else details[:DETAILS_SHOWN] + f"… (ทั้งหมด {len(details)} ตัวอักษร)"
    lines = [f"📄 {case.number} · {cat.kind(case.kind).name}",
             f"หัวข้อ: {cat.topic(case.topic).name}",
             f"ยื่นเมื่อ: {thai_date(case.filed_at)} · สถานะ: {state_name(case.state)}",
             "ไม่ระบุตัวตน: ใช่ (เจ้าหน้าที่ไม่เห็นชื่อของคุณ)" if case.anonymous else "ไม่ระบุตัวตน: ไม่ใช่",
             f"ที่เก็บเกี่ยวกับคุณ: {name}, LINE ID ของคุณ (ใช้ส่งคำตอบถึงคุณเท่านั้น)",
             f"รายละเอียด: {shown}"]
    if case.files:
        lines.append(f"ไฟล์แนบ: {len(case.files)} ไฟล์ ({', '.join(f.get('name') or 'ไฟล์' for f in case.files)})")
    if case.rating is not None:
        lines.append(f"คะแนนที่ให้: {case.rating}/5" + (f" \"{case.rating_comment}\"" if case.rating_comment else ""))
    if case.closed_at is not None:
        until = case.closed_at + timedelta(days=365 * cat.retention_years)
        lines.append(f"เก็บถึงประมาณ: {thai_date(until, time=False)} ({cat.retention_years} ปีหลังปิดเรื่อง)")
    else:
        lines.append(f"เก็บถึง: {cat.retention_years} ปีหลังปิดเรื่อง")
    return "\n".join(lines)


def my_data(ctx: Ctx, rest: str = "") -> Result:
    """"ขอข้อมูลของฉัน": the person's cases and what is kept about them (1:1); audited."""
    policy.require(ctx, "complaints.mydata")
    cases = complaints.filed_by(ctx.session, ctx.inp.user_id)
    pending = retention.pending_erasure(ctx.session, ctx.inp.user_id)
    members.audit(ctx.session, ctx.inp.user_id, "complaint.data_access", ctx.inp.user_id, ctx.now, cases=len(cases))
    if not cases:
        return Result.text(NONE_KEPT)
    head = f"ข้อมูลเรื่องร้องเรียนของคุณ {len(cases)} เรื่องค่ะ\n{HOW_KEPT}"
    if pending is not None:
        head += f"\n🗑️ คำขอลบข้อมูลของคุณจะเสร็จภายใน {thai_date(pending.due_at, time=False)}"
    body = [_kept(ctx, c) for c in cases[:SHOWN_MAX]]
    if len(cases) > SHOWN_MAX:
        body.append(f"และเรื่องที่เก่ากว่านี้อีก {len(cases) - SHOWN_MAX} เรื่องค่ะ")
    return Result([TextReply(head), TextReply("\n\n".join(body))], [Button(ERASE, MessageAction(ERASE))])


@dataclass
class EraseData:
    """The erasure confirmation: how many cases were offered for erasure."""

    cases: int = 0


def _erase_choices(ctx: Ctx, st: FlowState[EraseData]) -> list[Choice]:
    return [Choice("yes", "ยืนยัน ลบข้อมูล", ("ยืนยัน", "ลบ", "ลบเลย", "ตกลง", "ใช่")),
            Choice("no", "ไม่ลบ", ("ไม่", "ไม่ต้อง", "ไม่ลบแล้ว", "เก็บไว้"))]


def _erase_prompt(ctx: Ctx, st: FlowState[EraseData]) -> Result:
    text = ASK_ERASE.format(n=st.data.cases, days=catalog().erasure_days)
    return Result.text(text, st.choice_buttons(_erase_choices(ctx, st)))


def _admin_notice(req, erased: list[Complaint], waiting: list[Complaint]) -> str:
    lines = ["🗑️ มีคำขอลบข้อมูลผู้แจ้งเรื่องร้องเรียนค่ะ (สิทธิของเจ้าของข้อมูลตาม PDPA)",
             f"ลบแล้ว {len(erased)} เรื่อง (ปิดเรื่องแล้ว)"]
    if waiting:
        lines.append(f"รอปิดเรื่อง {len(waiting)} เรื่อง: {', '.join(c.number for c in waiting)}")
        lines.append(f"ระบบจะลบเมื่อปิดเรื่อง หรือวันที่ {thai_date(req.due_at, time=False)} แม้ยังไม่ปิด "
                     "หากต้องแจ้งผลผู้แจ้ง กรุณาแจ้งก่อนวันนั้นนะคะ")
    return "\n".join(lines)


def _erase_choice(ctx: Ctx, st: FlowState[EraseData], value: str) -> Result:
    if value != "yes":
        return st.end(Result.text(ERASE_KEEP))
    req, erased, waiting = retention.request_erasure(ctx.session, ctx.inp.user_id, ctx.now)
    lines = ["รับคำขอลบข้อมูลแล้วค่ะ ✅"]
    if erased:
        lines.append(f"ลบข้อมูลของคุณใน {len(erased)} เรื่องที่ปิดแล้วเรียบร้อย: {', '.join(c.number for c in erased)}")
    if waiting:
        lines.append(f"อีก {len(waiting)} เรื่องยังดำเนินการอยู่ ({', '.join(c.number for c in waiting)}) "
                     f"จะลบเมื่อปิดเรื่อง หรือภายใน {thai_date(req.due_at, time=False)} ค่ะ")
    notice = [TextReply(_admin_notice(req, erased, waiting))]
    admins = members.admin_ids(ctx.session, ctx.settings.admin_user_ids)
    result = Result.text("\n".join(lines))
    result.pushes = [(a, notice) for a in admins if a != ctx.inp.user_id]
    return st.end(result)


ERASE_FLOW: Flow[EraseData] = Flow("cserase", EraseData, {
    "confirm": Step(_erase_prompt, choices=_erase_choices, on_choice=_erase_choice,
                    expects="กด \"ยืนยัน ลบข้อมูล\" หรือ \"ไม่ลบ\" ค่ะ"),
}, first="confirm")


def erase_mine(ctx: Ctx, rest: str = "") -> Result:
    """"ลบข้อมูลของฉัน": ask to confirm the erasure of the person's complaint data (1:1)."""
    policy.require(ctx, "complaints.mydata")
    cases = complaints.filed_by(ctx.session, ctx.inp.user_id)
    if not cases:
        return Result.text(NONE_KEPT)
    return ERASE_FLOW.begin(ctx, cases=len(cases))


COMMANDS = [
    Command((ASK, "ขอดูข้อมูลของฉัน"), my_data, bare_in_group=False),
    Command((ERASE, "ลบข้อมูลฉัน"), erase_mine, bare_in_group=False),
]
FLOWS = (ERASE_FLOW,)
POSTBACKS: dict = {}
EVENTS: dict = {}
