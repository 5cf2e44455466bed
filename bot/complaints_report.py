"""Complaint statistics as a spreadsheet (openpyxl), the form an office files as ITA evidence: a
`handlers.complaints.stats.Summary` in three sheets — "สรุป" (the period's figures), "ตามหัวข้อ" (per topic)
and "รายการเรื่อง" (one row per case, without the complainant's identity, the school or the details).

Thai as in the SAR draft (`bot.sar_export`): TH Sarabun New 16 pt, dates as real dates shown in Buddhist Era
(`[$-107041E]d mmm yyyy` → "5 มี.ค. 2570"), column widths and row heights set here.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from bot.sar_export import LINE_HEIGHT, SIZE_PT, THAI_DATE_FORMAT, THAI_DATETIME_FORMAT, THAI_FONT
from handlers.complaints.catalog import catalog
from handlers.complaints.stats import Figures, Summary, state_name
from handlers.core.thaidate import BANGKOK

TITLE = "สรุปผลการจัดการเรื่องร้องเรียน ข้อเสนอแนะ ข้อคิดเห็น และคำชมเชย"
FONT, BOLD = Font(name=THAI_FONT, size=SIZE_PT), Font(name=THAI_FONT, size=SIZE_PT, bold=True)
HEAD_FILL = PatternFill("solid", fgColor="D1FAE5")
_thin = Side(style="thin", color="9CA3AF")
BOX = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
WRAP = Alignment(wrap_text=True, vertical="top")
CASE_COLUMNS = (  # heading, width (characters)
    ("เลขที่เรื่อง", 16), ("ประเภท", 14), ("หัวข้อ", 30), ("สถานะ", 16), ("วันที่ยื่น", 22), ("วันที่รับเรื่อง", 22),
    ("กำหนดรับเรื่อง", 16), ("รับเรื่อง (วันทำการ)", 14), ("รับเรื่องทันกำหนด", 14), ("วันที่ปิดเรื่อง", 22),
    ("กำหนดแจ้งผล", 16), ("ปิดเรื่อง (วันทำการ)", 14), ("แจ้งผลทันกำหนด", 14), ("คะแนนความพึงพอใจ", 14),
    ("เปิดใหม่", 10))


def _local(dt: datetime | None) -> datetime | None:
    """A UTC datetime as a naive Asia/Bangkok one (Excel has no time zones)."""
    return dt.astimezone(BANGKOK).replace(tzinfo=None) if dt else None


def _yes_no(v: bool | None) -> str:
    return "-" if v is None else "ทัน" if v else "ไม่ทัน"


def _put(ws, row: int, values: tuple, *, bold: bool = False, fill: PatternFill | None = None) -> None:
    for col, value in enumerate(values, start=1):
        c = ws.cell(row, col, value)
        c.font, c.alignment, c.border = BOLD if bold else FONT, WRAP, BOX
        if fill is not None:
            c.fill = fill
        if isinstance(value, datetime):
            c.number_format = THAI_DATETIME_FORMAT
        elif isinstance(value, date):
            c.number_format = THAI_DATE_FORMAT
    ws.row_dimensions[row].height = LINE_HEIGHT * (2 if bold else 1)


def _widths(ws, widths: tuple[int, ...]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _pct(part: int, whole: int) -> float | str:
    return part / whole if whole else "-"


def _figure_rows(f: Figures) -> list[tuple[str, object]]:
    ack_ok, ack_known = f.in_time("ack")
    res_ok, res_known = f.in_time("resolve")
    return [("จำนวนเรื่องทั้งหมด", f.total),
            ("รับเรื่อง: มัธยฐาน (วันทำการ)", f.median("ack")), ("รับเรื่อง: ค่าเฉลี่ย (วันทำการ)", f.mean("ack")),
            ("ปิดเรื่อง: มัธยฐาน (วันทำการ)", f.median("resolve")),
            ("ปิดเรื่อง: ค่าเฉลี่ย (วันทำการ)", f.mean("resolve")),
            ("รับเรื่องทันกำหนด (เรื่อง)", ack_ok), ("รับเรื่องที่ครบกำหนดแล้ว (เรื่อง)", ack_known),
            ("ร้อยละรับเรื่องทันกำหนด", _pct(ack_ok, ack_known)),
            ("แจ้งผลทันกำหนด (เรื่อง)", res_ok), ("แจ้งผลที่ครบกำหนดแล้ว (เรื่อง)", res_known),
            ("ร้อยละแจ้งผลทันกำหนด", _pct(res_ok, res_known)),
            ("ความพึงพอใจเฉลี่ย (1–5)", f.satisfaction), ("จำนวนผู้ให้คะแนน", len(f.ratings))]


def write_report(summary: Summary, path: Path, office_name: str) -> Path:
    """Write `summary` to `path` (.xlsx, folders created); returns `path`."""
    cat = catalog()
    wb = Workbook()
    ws = wb.active
    ws.title = "สรุป"
    _widths(ws, (44, 22))
    head = [(TITLE, None), (office_name, None), ("ช่วงที่ยื่นเรื่อง ตั้งแต่", summary.period.start),
            ("ถึง", summary.period.end), ("ข้อมูล ณ", _local(summary.as_of))]
    for r, (label, value) in enumerate(head, start=1):
        ws.cell(r, 1, label).font = Font(name=THAI_FONT, size=20 if r == 1 else SIZE_PT, bold=r <= 2)
        if value is not None:
            c = ws.cell(r, 2, value)
            c.font = FONT
            c.number_format = THAI_DATETIME_FORMAT if isinstance(value, datetime) else THAI_DATE_FORMAT
        ws.row_dimensions[r].height = 30 if r == 1 else LINE_HEIGHT
    r = len(head) + 2
    _put(ws, r, ("รายการ", "จำนวน"), bold=True, fill=HEAD_FILL)
    for label, value in _figure_rows(summary):
        r += 1
        _put(ws, r, (label, "-" if value is None else value))
        if label.startswith("ร้อยละ") and value != "-":
            ws.cell(r, 2).number_format = "0%"
        elif isinstance(value, float):
            ws.cell(r, 2).number_format = "0.0"
    for title, counts, names in (("ตามประเภท", summary.count("kind"), [(k.id, k.name) for k in cat.kinds]),
                                 ("ตามสถานะ", summary.count("state"),
                                  [(s, state_name(s)) for s in ("new", "acknowledged", "in_progress", "forwarded",
                                                                "resolved", "dismissed")])):
        r += 2
        _put(ws, r, (title, "จำนวน"), bold=True, fill=HEAD_FILL)
        for key, name in names:
            r += 1
            _put(ws, r, (name, counts.get(key, 0)))

    topics = wb.create_sheet("ตามหัวข้อ")
    heads = ("หัวข้อ", *(k.name for k in cat.kinds), "รวม", "ปิดเรื่องแล้ว", "แจ้งผลทันกำหนด", "ปิดเรื่อง มัธยฐาน (วันทำการ)",
             "ความพึงพอใจเฉลี่ย")
    _widths(topics, (36, *(14 for _ in cat.kinds), 10, 14, 18, 18, 16))
    _put(topics, 1, heads, bold=True, fill=HEAD_FILL)
    for i, (topic_id, f) in enumerate(summary.by_topic(), start=2):
        kinds = f.count("kind")
        ok, known = f.in_time("resolve")
        closed = sum(1 for c in f.cases if c.closed_at is not None)
        _put(topics, i, (cat.topic(topic_id).name, *(kinds.get(k.id, 0) for k in cat.kinds), f.total, closed,
                         f"{ok}/{known}" if known else "-", "-" if f.median("resolve") is None else f.median("resolve"),
                         "-" if f.satisfaction is None else round(f.satisfaction, 2)))

    cases = wb.create_sheet("รายการเรื่อง")
    _widths(cases, tuple(w for _, w in CASE_COLUMNS))
    _put(cases, 1, tuple(h for h, _ in CASE_COLUMNS), bold=True, fill=HEAD_FILL)
    for i, c in enumerate(summary.cases, start=2):
        _put(cases, i, (c.number, cat.kind(c.kind).name, cat.topic(c.topic).name, state_name(c.state),
                        _local(c.filed_at), _local(c.acknowledged_at) or "-", c.ack_due,
                        "-" if c.ack_days is None else c.ack_days, _yes_no(c.ack_on_time), _local(c.closed_at) or "-",
                        c.resolve_due, "-" if c.resolve_days is None else c.resolve_days, _yes_no(c.resolve_on_time),
                        "-" if c.rating is None else c.rating, c.reopened))
    cases.freeze_panes = "B2"
    cases.auto_filter.ref = f"A1:{get_column_letter(len(CASE_COLUMNS))}{max(1, len(summary.cases) + 1)}"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(str(path))
    return path
