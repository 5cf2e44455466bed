"""The holiday list card: the coming days off by month, Thai dates in พ.ศ. with weekday names."""
from __future__ import annotations

from datetime import date

from handlers.calendar.actions import DayOff
from handlers.core import postback
from handlers.core.thaidate import MONTHS, thai_day
from handlers.core.types import Button, Card, PostbackAction, Section

ICONS = {"public": "🏖", "office": "📌", "worked": "💼"}
NOTES = {"public": "", "office": " (สำนักงานประกาศเพิ่ม)", "worked": " — สำนักงานทำงานตามปกติ"}
NONE_AHEAD = "ไม่มีวันหยุดราชการในช่วงนี้ค่ะ (นอกจากเสาร์–อาทิตย์)"
EDIT_IN_PRIVATE = "ผู้ดูแลระบบเพิ่มหรือลบวันหยุดได้ในแชต 1:1 กับบอทค่ะ"


def day_line(d: DayOff) -> str:
    """e.g. ``🏖 วันอังคาร 13 เม.ย. 2570 · วันสงกรานต์``."""
    return f"{ICONS[d.kind]} {thai_day(d.day, weekday=True)} · {d.name}{NOTES[d.kind]}"


def edit_buttons() -> tuple[Button, ...]:
    """"เพิ่มวันหยุด" / "ลบวันหยุด": they start the holiday flow (postback "hol")."""
    return (Button("เพิ่มวันหยุด", PostbackAction(postback.encode("hol", o="add"), "เพิ่มวันหยุด")),
            Button("ลบวันหยุด", PostbackAction(postback.encode("hol", o="remove"), "ลบวันหยุด")))


def holidays_card(days: list[DayOff], end: date, *, can_edit: bool, admin_elsewhere: bool) -> Card:
    """The coming days off up to `end`, a section per month; edit buttons when `can_edit` (an admin
    in a 1:1 chat), or a note that edits are made there (`admin_elsewhere`: an admin in a group)."""
    by_month: dict[tuple[int, int], list[str]] = {}
    for d in days:
        by_month.setdefault((d.day.year, d.day.month), []).append(day_line(d))
    sections = tuple(Section(f"{MONTHS[m - 1]} {y + 543}", tuple(lines)) for (y, m), lines in by_month.items())
    footnote = "ไม่รวมวันเสาร์–อาทิตย์ · 📌 สำนักงานประกาศเพิ่ม · 💼 สำนักงานทำงานตามปกติ"
    if admin_elsewhere:
        footnote += "\n" + EDIT_IN_PRIVATE
    return Card(label="ปฏิทินวันหยุด", title=f"วันหยุดราชการ ถึง {thai_day(end)}",
                sections=sections or (Section("วันหยุด", (NONE_AHEAD,)),),
                buttons=edit_buttons() if can_edit else (), alt_text="วันหยุดราชการที่กำลังจะถึง",
                footnote=footnote)
