"""What the office's complaint officers and admins are told, and where it goes.

A new case (and information a complainant adds, or a reopened case) is pushed through the outbox
(`Result.pushes`, written in the same transaction as the case): one push to the officers' group chat when a
group chat is bound as "complaints" (`storage.groups.COMPLAINTS`, set with "ตั้งค่ากลุ่ม"), else one to each
complaint officer and each admin. The notices never name the complainant: not when the case is anonymous,
and not otherwise either, because a push to a group cannot be audited per viewer; an officer sees who filed
a non-anonymous case on the desk, where `storage.complaints.reveal` logs each view.
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy.orm import Session

from handlers.complaints.catalog import catalog
from handlers.core.thaidate import BANGKOK, thai_date
from handlers.core.types import Reply, Settings, TextReply
from storage import groups as chat_groups, members, schools
from storage.complaints import STATE_NAMES
from storage.models import Complaint

PREVIEW = 300  # characters of the details in a notice; the desk shows them whole
OPEN_DESK = "เปิดดูและรับเรื่องได้ในแชต 1:1 กับบอท พิมพ์ \"เรื่องร้องเรียน\" ค่ะ"


def recipients(session: Session, settings: Settings) -> list[str]:
    """LINE IDs to tell of a case: the active group chats bound as "complaints" if any, else every active
    complaint officer (staff with the flag) and every admin (`storage.members.admin_ids`), each once."""
    rooms = [g.chat_id for g in chat_groups.active_groups(session, chat_groups.COMPLAINTS)]
    if rooms:
        return rooms
    officers = [m.user_id for m in members.members(session, "staff", officer=True) if m.following]
    return list(dict.fromkeys(officers + members.admin_ids(session, settings.admin_user_ids)))


def school_name(session: Session, code: str | None) -> str:
    """The school's name for `code`, "-" for none, or the code itself when the list no longer has it."""
    if not code:
        return "-"
    school = schools.get(session, code)
    return school.name if school else code


def preview(text: str, limit: int = PREVIEW) -> str:
    """The first `limit` characters of `text`, with how long the whole is when it is cut."""
    text = text.strip()
    return text if len(text) <= limit else f"{text[:limit].rstrip()}… (ทั้งหมด {len(text):,} ตัวอักษร)"


def _head(session: Session, case: Complaint) -> list[str]:
    cat = catalog()
    return [f"เลขที่: {case.number}", f"ประเภท: {cat.kind(case.kind).name}", f"เรื่อง: {cat.topic(case.topic).name}",
            f"โรงเรียน: {school_name(session, case.school_code)}",
            "ผู้แจ้ง: ไม่ประสงค์ออกนาม" if case.anonymous else "ผู้แจ้ง: ระบุชื่อ (ดูได้ในรายละเอียดเรื่อง)"]


def new_case(session: Session, case: Complaint) -> list[Reply]:
    """The new-case notice: number, type, topic, school, whether the filer is named (never who), the start of
    the details, the attachments' count and the deadline to acknowledge (Asia/Bangkok date, BE)."""
    lines = [f"📮 มีเรื่องใหม่เข้ามาค่ะ ({catalog().kind(case.kind).name})", *_head(session, case),
             f"รายละเอียด: {preview(case.details)}"]
    if case.files:
        lines.append(f"ไฟล์แนบ: {len(case.files)} ไฟล์")
    if case.ack_due:
        lines.append(f"ควรรับเรื่องภายใน: {thai_date_of(case.ack_due)}")
    return [TextReply("\n".join(lines + [OPEN_DESK]))]


def follow_up(session: Session, case: Complaint, what: str, text: str, files: int) -> list[Reply]:
    """A notice that the complainant added information (`what` = "info") or reopened the case ("reopened")."""
    title = ("📎 ผู้แจ้งเพิ่มข้อมูลในเรื่อง" if what == "info" else "🔁 ผู้แจ้งขอเปิดเรื่องอีกครั้ง") + f" {case.number}"
    lines = [title, *_head(session, case)[1:3], f"สถานะ: {STATE_NAMES[case.state]}"]
    if text:
        lines.append(f"ข้อความ: {preview(text)}")
    if files:
        lines.append(f"ไฟล์แนบเพิ่ม: {files} ไฟล์")
    return [TextReply("\n".join(lines + [OPEN_DESK]))]


def thai_date_of(day: date) -> str:
    """A calendar date (Asia/Bangkok) as "3 ธ.ค. 2569" (Buddhist Era)."""
    return thai_date(datetime.combine(day, time(12), tzinfo=BANGKOK), time=False)
