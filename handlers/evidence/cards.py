"""Evidence cards: progress with bars, a work group's unfinished items, an item's state and history, the
calendar of rounds. Colours by status (`COLOURS`); every card also reads as text (`bot.render.card_text`)."""
from __future__ import annotations

from datetime import datetime

from content.model import Content
from handlers.core import postback
from handlers.core.thaidate import BANGKOK, thai_date
from handlers.core.types import Bar, Button, Card, CardList, PostbackAction, Section
from handlers.evidence.items import Item
from handlers.evidence.progress import (HAS_EVIDENCE, IN_PROGRESS, NEEDS_FIX, NOT_STARTED, STATUS_NAMES,
                                        VERIFIED, IndicatorProgress, ItemProgress, Level, OfficeProgress)
from handlers.members.directory import group_name
from storage.rounds import KIND_NAMES, STATE_NAMES

COLOURS = {NOT_STARTED: "#9E9E9E", IN_PROGRESS: "#F9A825", HAS_EVIDENCE: "#1E88E5", NEEDS_FIX: "#E53935",
           VERIFIED: "#2E7D32"}
ICONS = {NOT_STARTED: "⚪", IN_PROGRESS: "🟡", HAS_EVIDENCE: "🔵", NEEDS_FIX: "🔴", VERIFIED: "🟢"}
MAX_SECTIONS = 8  # per bubble, to stay far below LINE's 30 KB


def pct(done: int, total: int) -> int:
    return round(100 * done / total) if total else 0


def bar(done: int, total: int) -> Bar:
    """A bar coloured by how far: green from 80%, blue from 50%, amber above 0, grey at 0."""
    p = pct(done, total)
    colour = COLOURS[VERIFIED] if p >= 80 else COLOURS[HAS_EVIDENCE] if p >= 50 else \
        COLOURS[IN_PROGRESS] if p else COLOURS[NOT_STARTED]
    return Bar(done / total if total else 0.0, colour, f"{done}/{total} ({p}%)")


def status_text(status: str) -> str:
    return f"{ICONS[status]} {STATUS_NAMES[status]}"


def level_lines(level: Level | None, note: str) -> tuple[str, ...]:
    """What a card says of an indicator's level: the level, what is missing, what the source lacks."""
    if level is None:
        return (f"ℹ️ {note}",) if note else ()
    lines = [f"ระดับคุณภาพ: {level.level} จาก {level.max_level}" if level.level else
             f"ระดับคุณภาพ: ยังไม่ถึงระดับ 1 (จาก {level.max_level})"]
    if level.next_step:
        lines.append(level.next_step)
    if note:
        lines.append(f"({note})")
    if level.gap:
        lines.append(f"⚠ {level.gap}")
    return tuple(lines)


def round_line(op_round) -> str:
    due = f" · ส่งภายใน {thai_date(op_round.due_at)}" if op_round.due_at else " · ยังไม่กำหนดวันส่ง"
    return f"{op_round.name} (ปีงบประมาณ {op_round.fiscal_year}){due}"


def _counts(items) -> str:
    parts = []
    for s in (VERIFIED, HAS_EVIDENCE, IN_PROGRESS, NEEDS_FIX, NOT_STARTED):
        n = sum(i.status == s for i in items)
        if n:
            parts.append(f"{ICONS[s]} {STATUS_NAMES[s]} {n}")
    return " · ".join(parts)


def _indicator_section(ind: IndicatorProgress) -> Section:
    return Section(f"ตบช. {ind.code} {ind.title}", (_counts(ind.items),) + level_lines(ind.level, ind.rubric_note),
                   bar=bar(ind.done, ind.total))


def progress_cards(op: OfficeProgress) -> CardList:
    """The office's progress: an overall card with a bar per standard, then one card per standard with a
    bar, counts and level per indicator."""
    items = [i for s in op.standards for ind in s.indicators for i in ind.items]
    head = Card(label=f"ความคืบหน้า · {op.office_name}", title=round_line(op.round),
                sections=(Section("ทั้งสำนักงาน", (_counts(items),), bar=bar(op.done, op.total)),) + tuple(
                    Section(f"มาตรฐานที่ {s.code}", (s.gap,) if s.gap else (), bar=bar(s.done, s.total),
                            note=bool(s.gap)) for s in op.standards)[:MAX_SECTIONS + 4],
                buttons=(backlog_button("งานค้าง"),), alt_text=f"ความคืบหน้า {op.done}/{op.total} รายการ",
                footnote=f"ข้อมูล ณ {thai_date(op.as_of)}")
    cards = [head]
    for s in op.standards:
        if not s.indicators:
            continue
        cards.append(Card(label=f"มาตรฐานที่ {s.code}", title=s.title,
                          sections=tuple(_indicator_section(i) for i in s.indicators)[:MAX_SECTIONS],
                          alt_text=f"มาตรฐานที่ {s.code} {s.done}/{s.total}"))
    return CardList(f"ความคืบหน้า {op.done}/{op.total} รายการ", tuple(cards[:12]))


def backlog_button(label: str, group: str = "") -> Button:
    return Button(label, PostbackAction(postback.encode("ev", o="bk", g=group), label))


def report_button(key: str, label: str = "รายงานสถานะ") -> Button:
    return Button(label, PostbackAction(postback.encode("ev", o="r", k=key), label))


def history_button(key: str) -> Button:
    return Button("ดูประวัติ", PostbackAction(postback.encode("ev", o="h", k=key), "ดูประวัติ"))


def files_button(key: str) -> Button:
    return Button("เปิดไฟล์หลักฐาน", PostbackAction(postback.encode("ev", o="f", k=key), "เปิดไฟล์หลักฐาน"))


def item_section(item: ItemProgress, labels: dict[str, str]) -> Section:
    """An unfinished item as a card section: its label ("เกณฑ์ 1.1.5"), status colour, title and the
    reason it needs fixing."""
    return Section(f"{labels.get(item.key, item.code)} · {status_text(item.status)}",
                   (item.title[:120],) + ((f"เหตุผลที่ต้องแก้ไข: {item.reason}",) if item.reason else ()),
                   colour=COLOURS[item.status])


def backlog_cards(content: Content, group: str | None, rounds: list[tuple[object, list[ItemProgress]]],
                  labels: dict[str, str]) -> CardList | None:
    """A work group's unfinished items (`group` None: every group's), one card per open round, nearest
    deadline first; each item with its status colour and a report button. None when nothing is left."""
    cards = []
    who = group_name(content, group) if group else "ทุกกลุ่มงาน"
    for rnd, items in rounds:
        if not items:
            continue
        sections = tuple(item_section(i, labels) for i in items[:MAX_SECTIONS])
        more = f"และอีก {len(items) - MAX_SECTIONS} รายการ" if len(items) > MAX_SECTIONS else ""
        buttons = tuple(report_button(i.key, f"รายงาน {i.code}") for i in items[:3])
        cards.append(Card(label=f"งานค้าง · {who}", title=round_line(rnd), sections=sections, buttons=buttons,
                          alt_text=f"งานค้างของ{who} {len(items)} รายการ", footnote=more))
    return CardList(f"งานค้างของ{who}", tuple(cards[:12])) if cards else None


def item_card(content: Content, item: Item, state: ItemProgress, indicator: IndicatorProgress | None,
              round_name: str, heading: str = "") -> Card:
    """An item's state (after a report: `heading` says so) and its indicator's progress and level."""
    lines = [status_text(state.status)]
    if state.reason:
        lines.append(f"เหตุผลที่ต้องแก้ไข: {state.reason}")
    if state.note:
        lines.append(f"หมายเหตุ: {state.note}")
    if state.updated_at:
        lines.append(f"อัปเดตโดย {state.updated_by or '-'} เมื่อ {thai_date(state.updated_at)}")
    sections = [Section(heading or "สถานะล่าสุด", tuple(lines), colour=COLOURS[state.status])]
    if state.links or state.files:
        sections.append(Section("หลักฐาน", tuple(f"🔗 {u}" for u in state.links) +
                                tuple(f"📎 {f.name} ({f.size // 1024 or 1} KB)" for f in state.files)))
    sections.append(Section("ผู้รับผิดชอบ", (
        "หลัก: " + (", ".join(group_name(content, g) for g in item.main_groups) or "-"),
        "ร่วม: " + (", ".join(group_name(content, g) for g in item.co_groups) or "-"))))
    if indicator is not None:
        sections.append(Section(f"ความคืบหน้า ตบช. {indicator.code}", level_lines(indicator.level,
                                                                                 indicator.rubric_note),
                                bar=bar(indicator.done, indicator.total)))
    return Card(label=f"{item.label} · {round_name}", title=item.title, sections=tuple(sections),
                buttons=(report_button(item.key, "รายงานอีกครั้ง"), history_button(item.key))
                + ((files_button(item.key),) if state.files else ()),
                alt_text=f"{item.label}: {STATUS_NAMES[state.status]}")


def history_card(item: Item, events: list, names: dict[str, str], round_name: str) -> Card:
    """The item's changes, newest first: when, who, from → to, note, links and files."""
    if not events:
        lines: tuple[str, ...] = ("ยังไม่มีการรายงานรายการนี้ในรอบนี้ค่ะ",)
    else:
        out = []
        for e in events:
            out.append(f"{thai_date(e.at)} · {names.get(e.by, e.by) or '-'}: "
                       f"{STATUS_NAMES.get(e.from_status, e.from_status)} → {STATUS_NAMES.get(e.to_status, e.to_status)}")
            if e.note:
                out.append(f"   “{e.note[:150]}”")
            for u in e.links or []:
                out.append(f"   🔗 {u}")
            for f in e.files or []:
                out.append(f"   📎 {f.get('name', '')}")
        lines = tuple(out)
    return Card(label=f"ประวัติ · {item.label}", title=item.title, sections=(Section(round_name, lines),),
                buttons=(report_button(item.key),), alt_text=f"ประวัติ {item.label}")


def days_left(due: datetime, now: datetime) -> int:
    """Calendar days from today to the due date (Asia/Bangkok); 0 = due today."""
    return (due.astimezone(BANGKOK).date() - now.astimezone(BANGKOK).date()).days


def due_text(due: datetime, now: datetime) -> str:
    """The days left as the office says them, in Asia/Bangkok calendar days: "วันนี้ครบกำหนด",
    "อีก 3 วัน", "เลยกำหนด 2 วัน"."""
    d = days_left(due, now)
    return "วันนี้ครบกำหนด" if d == 0 else f"อีก {d} วัน" if d > 0 else f"เลยกำหนด {-d} วัน"


def calendar_card(rounds: list, now: datetime, group: str = "",
                  missing: dict[int, tuple[int, int]] | None = None) -> Card:
    """The rounds (`storage.rounds.on_calendar`) with their days left; `missing` = round id -> (items not
    yet done, items) of work group `group` (its Thai name), shown per round with a bar. With no round
    set, the missing count is of the round reporting goes into now (the one key of `missing`)."""
    missing = missing or {}

    def group_line(round_id: int) -> tuple[tuple[str, ...], Bar | None]:
        if round_id not in missing:
            return (), None
        left, total = missing[round_id]
        said = f"งานของ{group}: ยังไม่มีหลักฐาน {left} จาก {total} รายการ" if left else \
            f"งานของ{group}: มีหลักฐานครบ {total} รายการแล้ว 🎉"
        return (said,), bar(total - left, total)

    if not rounds:
        lines: tuple[str, ...] = ("ยังไม่มีการกำหนดรอบการรายงานค่ะ ผู้ดูแลระบบจะแจ้งเมื่อกำหนดแล้ว",
                                  "ระหว่างนี้รายงานหลักฐานเข้ารอบ SAR ของปีงบประมาณปัจจุบันได้เลยค่ะ")
        sections = [Section("รอบการรายงาน", lines)]
        for round_id in missing:
            extra, progress = group_line(round_id)
            sections.append(Section(f"งานของ{group}", extra, bar=progress))
    else:
        sections = []
        for r in rounds[:MAX_SECTIONS]:
            if r.due_at is None:
                when, colour = "ยังไม่กำหนดวันส่ง", ""
            else:
                d = days_left(r.due_at, now)
                when = f"ส่งภายใน {thai_date(r.due_at)} · {due_text(r.due_at, now)}"
                colour = COLOURS[NEEDS_FIX] if d < 0 else COLOURS[IN_PROGRESS] if d <= 7 else ""
            extra, progress = group_line(r.id)
            sections.append(Section(r.name, (f"{KIND_NAMES.get(r.kind, r.kind)} · ปีงบประมาณ {r.fiscal_year} · "
                                             f"{STATE_NAMES.get(r.state, r.state)}", when) + extra,
                                    bar=progress, colour=colour))
    return Card(label="ปฏิทินการรายงาน", title="รอบการรายงานที่กำลังจะถึง", sections=tuple(sections),
                buttons=(backlog_button("ดูงานค้าง"),) if missing else (),
                alt_text="ปฏิทินการรายงาน")
