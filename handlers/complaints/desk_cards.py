"""What officers see of cases: the queue (one small card per open case, overdue first), a case card (type,
topic, school, state, deadlines, details, files, history with who and when, buttons), the details in parts
and the whole history as text. Nothing here shows who filed a case: that is `actions.reveal`, behind the
"ดูผู้แจ้ง" button of a case that is not anonymous. Dates are Asia/Bangkok, Buddhist Era."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from content.model import Content
from handlers.complaints import catalog as settings
from handlers.complaints.actions import date_text, next_due, officer_name, overdue, school_line
from handlers.core import postback
from handlers.core.thaidate import BANGKOK, thai_date
from handlers.core.types import Button, Card, CardList, Ctx, PostbackAction, Result, Section, TextReply
from handlers.members.directory import group_name
from storage import complaints
from storage.complaints import OPEN_STATES, STATE_NAMES
from storage.models import Complaint, ComplaintEvent

STATE_COLOURS = {"new": "#E53935", "acknowledged": "#1E88E5", "in_progress": "#F9A825", "forwarded": "#8E24AA",
                 "resolved": "#2E7D32", "dismissed": "#757575"}
ACTION_NAMES = {"filed": "แจ้งเรื่อง", "acknowledged": "รับเรื่อง", "taken": "รับเป็นผู้รับผิดชอบ",
                "forwarded": "ส่งต่อ", "state": "เปลี่ยนสถานะ", "note": "🔒 บันทึกภายใน", "reply": "ตอบผู้แจ้ง",
                "info_added": "ผู้แจ้งเพิ่มข้อมูล", "rated": "ให้คะแนน", "reopened": "เปิดเรื่องอีกครั้ง",
                "dismissed": "ยุติเรื่อง", "resolved": "เสร็จสิ้น", "purged": "ลบข้อมูลผู้แจ้งตามระยะเวลา",
                "erased": "ลบข้อมูลผู้แจ้งตามคำขอ"}
OVERDUE = "⚠ เกินกำหนด"
CARD_DETAILS = 400     # characters of the details on a case card
QUEUE_EXCERPT = 100    # on a queue card
PART = 3000            # characters per part when the details are read in full
PARTS_PER_REPLY = 4    # LINE takes 5 messages per reply; the last carries the "next part" button
HISTORY_ON_CARD = 6
PAGE = 10              # queue cards per page
# the buttons a case offers, by state: (op, label); the first four go on the card, the rest below it
OPS = {"take": "รับเรื่อง", "work": "กำลังดำเนินการ", "fwd": "ส่งต่อ", "reply": "ตอบผู้แจ้ง",
       "note": "บันทึกภายใน", "done": "เสร็จสิ้น", "dism": "ยุติเรื่อง"}
BY_STATE = {"new": ("take", "work", "fwd", "reply", "note", "done", "dism"),
            "acknowledged": ("work", "fwd", "reply", "note", "done", "dism"),
            "in_progress": ("reply", "fwd", "done", "note", "dism"),
            "forwarded": ("work", "reply", "done", "note", "dism"),
            "resolved": ("note",), "dismissed": ("note",)}


def button(label: str, op: str, case: Complaint, **extra) -> Button:
    """A desk button: postback "cd" with the operation `op` and the case id."""
    return Button(label, PostbackAction(postback.encode("cd", o=op, c=case.id, **extra), label))


def state_text(case: Complaint) -> str:
    return STATE_NAMES.get(case.state, case.state)


def due_lines(case: Complaint, now: datetime) -> tuple[str, ...]:
    """The deadlines and whether each was kept, e.g. "รับเรื่องภายใน 5 ม.ค. 2570 ✅"."""
    today = now.astimezone(BANGKOK).date()
    lines = []
    if case.ack_due is not None:
        done = case.acknowledged_at is not None
        late = (case.acknowledged_at.astimezone(BANGKOK).date() > case.ack_due) if done else case.ack_due < today
        lines.append(f"รับเรื่องภายใน {date_text(case.ack_due)}" + (f" {OVERDUE}" if late else " ✅" if done else ""))
    if case.resolve_due is not None:
        closed = case.closed_at is not None
        late = (case.closed_at.astimezone(BANGKOK).date() > case.resolve_due) if closed else case.resolve_due < today
        lines.append(f"แจ้งผลภายใน {date_text(case.resolve_due)}" + (f" {OVERDUE}" if late else " ✅" if closed else ""))
    return tuple(lines) or ("ไม่ได้กำหนด",)


def kind_topic(case: Complaint) -> str:
    cat = settings.catalog()
    try:
        kind = cat.kind(case.kind).name
    except KeyError:
        kind = case.kind
    return f"{kind} · {cat.topic(case.topic).name}"


def _label(case: Complaint, now: datetime) -> str:
    return f"เรื่อง {case.number}" + (f" · {OVERDUE}" if overdue(case, now) else "")


def queue_cards(session: Session, cases: list[Complaint], now: datetime, page: int = 0) -> CardList:
    """The queue: a card per case of page `page` (`PAGE` a page), with "เปิดเรื่อง"; a "more" button
    pages on (postback "cd" o="q")."""
    shown = cases[page * PAGE:(page + 1) * PAGE]
    cards = []
    for c in shown:
        details = " ".join(c.details.split())
        excerpt = details[:QUEUE_EXCERPT] + ("…" if len(details) > QUEUE_EXCERPT else "")
        due = next_due(c)
        lines = (f"แจ้งเมื่อ {thai_date(c.filed_at)}",) + \
            ((f"กำหนด: {date_text(due)}",) if due else ()) + ((excerpt,) if excerpt else ())
        cards.append(Card(label=_label(c, now), title=kind_topic(c),
                          sections=(Section(state_text(c), lines, colour=STATE_COLOURS.get(c.state, "")),),
                          buttons=(Button("เปิดเรื่อง", PostbackAction(postback.encode("cd", o="show", c=c.id),
                                                                        f"เปิดเรื่อง {c.number}")),),
                          alt_text=f"เรื่อง {c.number} {state_text(c)}"))
    more = None
    if len(cases) > (page + 1) * PAGE:
        more = Button("ดูเพิ่ม", PostbackAction(postback.encode("cd", o="q", p=page + 1), "ดูเรื่องเพิ่ม"))
    late = sum(overdue(c, now) for c in cases)
    alt = f"เรื่องร้องเรียนที่เปิดอยู่ {len(cases)} เรื่อง" + (f" เกินกำหนด {late} เรื่อง" if late else "")
    return CardList(alt, tuple(cards), more)


def queue_summary(cases: list[Complaint], now: datetime, page: int = 0) -> str:
    """One line above the queue: how many are open, how many overdue, which page."""
    late = sum(overdue(c, now) for c in cases)
    pages = (len(cases) + PAGE - 1) // PAGE
    text = f"📋 เรื่องที่เปิดอยู่ {len(cases)} เรื่อง" + (f" · {OVERDUE} {late} เรื่อง (แสดงก่อน)" if late else "")
    return text + (f"\nหน้า {page + 1}/{pages}" if pages > 1 else "")


def event_line(session: Session, content: Content, ev: ComplaintEvent, *, text_limit: int = 80) -> str:
    """One step of the history: when, who, what (and its text, cut to `text_limit`)."""
    what = ACTION_NAMES.get(ev.action, ev.action)
    if ev.action == "state" and ev.to_state:
        what = f"เปลี่ยนเป็น \"{STATE_NAMES.get(ev.to_state, ev.to_state)}\""
    if ev.action == "forwarded" and (ev.detail or {}).get("group"):
        what = f"ส่งต่อถึง{group_name(content, ev.detail['group'])}"
    if ev.action == "rated" and (ev.detail or {}).get("stars"):
        what = f"ให้คะแนน {ev.detail['stars']} ดาว"
    text = "" if ev.action == "filed" else " ".join((ev.text or "").split())
    if text and len(text) > text_limit:
        text = text[:text_limit] + "…"
    return f"{thai_date(ev.at)} · {officer_name(session, ev.by)}: {what}" + (f" — {text}" if text else "")


def case_card(session: Session, content: Content, case: Complaint, events: list[ComplaintEvent],
              now: datetime) -> tuple[Card, list[Button]]:
    """The case card and the buttons that did not fit on it (shown as quick replies)."""
    status = [state_text(case)]
    if case.assignee_id:
        status.append(f"ผู้รับผิดชอบ: {officer_name(session, case.assignee_id)}")
    if case.forwarded_to:
        status.append(f"ส่งต่อถึง: {group_name(content, case.forwarded_to)}")
    if case.state == "dismissed" and case.close_reason:
        status.append(f"เหตุผลที่ยุติ: {case.close_reason[:200]}")
    if case.rating is not None:
        status.append(f"คะแนนจากผู้แจ้ง: {'⭐' * case.rating} ({case.rating}/5)")
    details = case.details.strip()
    shown = details[:CARD_DETAILS] + ("…" if len(details) > CARD_DETAILS else "")
    detail_lines = [shown or "(ไม่มีข้อความ มีไฟล์แนบ)"]
    if len(details) > CARD_DETAILS:
        detail_lines.append(f"(ยาว {len(details):,} ตัวอักษร กด \"อ่านรายละเอียดเต็ม\")")
    who = ("ผู้แจ้งไม่ประสงค์ออกนาม — ระบบไม่แสดงข้อมูลผู้แจ้ง" if case.anonymous else
           "กด \"ดูผู้แจ้ง\" เพื่อดูชื่อผู้แจ้ง (ระบบบันทึกการดูทุกครั้ง)")
    sections = [Section("สถานะ", tuple(status), colour=STATE_COLOURS.get(case.state, "")),
                Section("กำหนด", (f"แจ้งเมื่อ {thai_date(case.filed_at)}",) + due_lines(case, now)),
                Section("โรงเรียน", (school_line(session, case) or "ไม่ระบุ",)),
                Section("รายละเอียด", tuple(detail_lines))]
    if case.files:
        sections.append(Section(f"ไฟล์แนบ {len(case.files)} ไฟล์", tuple(f"📎 {f.get('name', '')}"
                                                                         for f in case.files[:10])))
    sections.append(Section("ผู้แจ้ง", (who,), note=True))
    recent = events[-HISTORY_ON_CARD:]
    more = f"(ทั้งหมด {len(events)} รายการ กด \"ประวัติทั้งหมด\")" if len(events) > len(recent) else ""
    sections.append(Section("ประวัติ", tuple(event_line(session, content, e) for e in recent) + ((more,) if more else ())))
    ops = list(BY_STATE.get(case.state, ()))
    if "take" not in ops and case.state in OPEN_STATES and not case.assignee_id:
        ops.insert(0, "take")
    buttons = [button(OPS[op], op, case) for op in ops]
    extra = []
    if not case.anonymous:
        extra.append(button("ดูผู้แจ้ง", "who", case))
    if len(details) > CARD_DETAILS:
        extra.append(button("อ่านรายละเอียดเต็ม", "det", case, p=0))
    if case.files or any(e.files for e in events):
        extra.append(button("เปิดไฟล์แนบ", "files", case))
    extra.append(button("ประวัติทั้งหมด", "hist", case))
    extra.append(Button("กลับไปรายการ", PostbackAction(postback.encode("cd", o="q", p=0), "เรื่องร้องเรียน")))
    card = Card(label=_label(case, now), title=kind_topic(case), sections=tuple(sections),
                buttons=tuple(buttons[:4]), alt_text=f"เรื่อง {case.number} {state_text(case)}")
    return card, buttons[4:] + extra


def parts(text: str, size: int = PART) -> list[str]:
    """`text` cut into parts of at most `size` characters, at a line break or space where one is near."""
    out, rest = [], text.strip()
    while len(rest) > size:
        cut = max(rest.rfind("\n", size - 300, size), rest.rfind(" ", size - 300, size))
        cut = cut if cut > 0 else size
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return out + ([rest] if rest else [])


def detail_replies(case: Complaint, first: int) -> tuple[list[TextReply], int | None]:
    """The details from part `first` on, `PARTS_PER_REPLY` parts, each headed "ส่วนที่ i/n"; and the next
    part to read, or None when these are the last."""
    all_parts = parts(case.details) or ["(ไม่มีข้อความ)"]
    chunk = all_parts[first:first + PARTS_PER_REPLY]
    replies = [TextReply(f"รายละเอียด เรื่อง {case.number} (ส่วนที่ {first + i + 1}/{len(all_parts)})\n{p}")
               for i, p in enumerate(chunk)]
    nxt = first + PARTS_PER_REPLY
    return replies, (nxt if nxt < len(all_parts) else None)


def attachments(case: Complaint, events: list[ComplaintEvent]) -> list[dict]:
    """Every file kept with the case: those filed with it, then those added later, in order, once each."""
    seen, out = set(), []
    for f in list(case.files or []) + [f for e in events if e.action != "filed" for f in (e.files or [])]:
        if f.get("path") and f["path"] not in seen:
            seen.add(f["path"])
            out.append(f)
    return out


def history_text(session: Session, content: Content, case: Complaint, events: list[ComplaintEvent]) -> str:
    """The whole history of a case as text, oldest first, every step with when and who."""
    lines = [f"ประวัติ เรื่อง {case.number} ({len(events)} รายการ)"]
    lines += [event_line(session, content, e, text_limit=500) for e in events]
    return "\n".join(lines)


def case_result(ctx: Ctx, case: Complaint, lead: str = "") -> Result:
    """The case card as a reply (led by `lead`, e.g. what was just done), its other buttons as quick replies."""
    card, rest = case_card(ctx.session, ctx.content, case, complaints.history(ctx.session, case), ctx.now)
    return Result(([TextReply(lead)] if lead else []) + [card], rest[:13])
