"""What a complainant sees of their own cases: the list, one case's card (its public history only), the case
number read aloud, and long details shown in parts within LINE's 5,000 characters a message.

Nothing here shows internal notes (`ComplaintEvent.public` is False) or who handled a case.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from handlers.complaints import notices
from handlers.complaints.catalog import catalog
from handlers.core import postback
from handlers.core.thaidate import thai_date
from handlers.core.types import Button, Card, MessageAction, PostbackAction, Reply, Section, TextReply
from storage import complaints
from storage.complaints import CLOSED_STATES, OPEN_STATES, STATE_NAMES
from storage.models import Complaint

PART = 4000  # characters of details per message (with the summary's head, under LINE's 5,000)
LIST_MAX = 10
LETTER_NAMES = {"ร": "ร เรือ", "ส": "ส เสือ", "ค": "ค ควาย", "ช": "ช ช้าง"}
EVENT_NAMES = {"acknowledged": "เจ้าหน้าที่รับเรื่องแล้ว", "reply": "เจ้าหน้าที่ตอบกลับ", "forwarded": "ส่งต่อผู้รับผิดชอบ",
               "resolved": "ดำเนินการเสร็จสิ้น", "dismissed": "ยุติเรื่อง", "info_added": "ท่านเพิ่มข้อมูล",
               "reopened": "ท่านขอเปิดเรื่องอีกครั้ง", "rated": "ท่านให้คะแนน"}
FOLLOW_WORD = "ติดตามเรื่อง"


def spoken(number: str) -> str:
    """How to read a case number aloud: "ร-2570-0042" -> "ร เรือ ปี 2570 ลำดับที่ 42"."""
    letter, year, seq = number.split("-")
    return f"{LETTER_NAMES.get(letter, letter)} ปี {year} ลำดับที่ {int(seq)}"


def parts(text: str, size: int = PART) -> list[str]:
    """`text` whole, in pieces of at most `size` characters, cut at a line break or space near the end when
    there is one (nothing is dropped: "".join(parts) == text)."""
    out, rest = [], text
    while len(rest) > size:
        cut = max(rest.rfind("\n", size - 300, size), rest.rfind(" ", size - 300, size))
        cut = cut + 1 if cut > 0 else size
        out.append(rest[:cut])
        rest = rest[cut:]
    return out + [rest] if rest or not out else out


def details_in_parts(head: str, details: str, tail: str = "") -> list[Reply]:
    """`head` then the whole `details` (in parts of `PART`, numbered when more than one), then `tail` on the
    last message: at most 4 messages for `filing.MAX_DETAILS` characters."""
    pieces = parts(details)
    n = len(pieces)
    texts = [f"รายละเอียด{f' (ส่วนที่ {i}/{n})' if n > 1 else ''}:\n{p}" for i, p in enumerate(pieces, 1)]
    texts[0] = f"{head}\n\n{texts[0]}"
    if tail:
        texts[-1] = f"{texts[-1]}\n\n{tail}"
    return [TextReply(t) for t in texts]


def follow_button() -> Button:
    """ "ติดตามเรื่อง": the complainant's own cases."""
    return Button(FOLLOW_WORD, MessageAction(FOLLOW_WORD))


def show_button(case: Complaint) -> Button:
    """A button that opens `case`'s card (postback "cfshow"; the number is checked against the presser)."""
    return Button(case.number, PostbackAction(postback.encode("cfshow", n=case.number), f"ดูเรื่อง {case.number}"))


def can_reopen(case: Complaint, now: datetime) -> bool:
    """True when the complainant may reopen `case`: closed, not reopened before, within `reopen_days`."""
    return (case.state in CLOSED_STATES and case.closed_at is not None and case.reopened < 1
            and (now - case.closed_at).total_seconds() <= catalog().reopen_days * 86400)


def case_line(case: Complaint) -> str:
    """ "ร-2570-0042 · ข้อร้องเรียน · รับเรื่องแล้ว · 3 ธ.ค. 2569"."""
    return (f"{case.number} · {catalog().kind(case.kind).name} · {STATE_NAMES[case.state]} · "
            f"{thai_date(case.filed_at, time=False)}")


def case_list(cases: list[Complaint]) -> tuple[str, list[Button]]:
    """The text of a person's cases (newest `LIST_MAX`) and a button per case, open ones first."""
    shown = cases[:LIST_MAX]
    lines = [f"📂 เรื่องของท่าน {len(cases)} เรื่องค่ะ" + (f" (แสดง {LIST_MAX} เรื่องล่าสุด)" if len(cases) > LIST_MAX else "")]
    lines += [f"{i}. {case_line(c)}" for i, c in enumerate(shown, 1)]
    lines.append("กดเลขที่เรื่องด้านล่าง หรือพิมพ์เลขที่ เพื่อดูความคืบหน้าค่ะ")
    ordered = [c for c in shown if c.state in OPEN_STATES] + [c for c in shown if c.state not in OPEN_STATES]
    return "\n".join(lines), [show_button(c) for c in ordered]


def case_card(session: Session, case: Complaint, now: datetime) -> Card:
    """One case as its complainant sees it: type, topic, school, state, deadlines, the start of what they
    wrote, the public steps (replies, outcome; never internal notes), and what they may do next."""
    cat = catalog()
    facts = [f"ประเภท: {cat.kind(case.kind).name}", f"เรื่อง: {cat.topic(case.topic).name}",
             f"โรงเรียน: {notices.school_name(session, case.school_code)}",
             f"ยื่นเมื่อ: {thai_date(case.filed_at)}", "ผู้แจ้ง: ไม่ระบุชื่อ" if case.anonymous else "ผู้แจ้ง: ระบุชื่อ"]
    if case.state in OPEN_STATES and case.resolve_due:
        facts.append(f"กำหนดแจ้งผล: ภายใน {notices.thai_date_of(case.resolve_due)}")
    steps = [f"{thai_date(e.at)} · {EVENT_NAMES.get(e.action, STATE_NAMES.get(e.to_state, e.action))}"
             + (f"\n{notices.preview(e.text, 200)}" if e.text else "")
             for e in complaints.history(session, case, public_only=True) if e.action != "filed"][-5:]
    sections = [Section("สถานะ", (STATE_NAMES[case.state],)), Section("ข้อมูลเรื่อง", tuple(facts)),
                Section("ที่ท่านแจ้ง", (notices.preview(case.details, 200),)),
                Section("ความคืบหน้า", tuple(steps) or ("ยังไม่มีความคืบหน้า เจ้าหน้าที่จะรับเรื่องเร็ว ๆ นี้ค่ะ",))]
    if case.close_reason and case.state == "dismissed":
        sections.append(Section("เหตุผลที่ยุติเรื่อง", (notices.preview(case.close_reason, 200),)))
    buttons = []
    if case.state in OPEN_STATES:
        buttons.append(Button("เพิ่มข้อมูล", PostbackAction(postback.encode("cfadd", n=case.number), "เพิ่มข้อมูล")))
    elif can_reopen(case, now):
        buttons.append(Button("ขอเปิดเรื่องอีกครั้ง", PostbackAction(postback.encode("cfre", n=case.number),
                                                                   "ขอเปิดเรื่องอีกครั้ง")))
    buttons.append(Button("เรื่องทั้งหมดของฉัน", MessageAction(FOLLOW_WORD)))
    return Card(label="เรื่องของฉัน", title=case.number, sections=tuple(sections), buttons=tuple(buttons),
                alt_text=f"เรื่อง {case.number}: {STATE_NAMES[case.state]}")
