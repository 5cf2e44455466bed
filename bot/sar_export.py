"""The SAR draft as files: a Word document (python-docx) and a spreadsheet (openpyxl), from a `SarDraft`
(`handlers.evidence.sar.sar_draft`).

Thai is set properly in both. python-docx's `font.name` sets only `w:ascii`/`w:hAnsi`; Thai is a complex
script, so every style and run here also gets `w:cs` (and `w:eastAsia`), `w:szCs` and `w:lang w:bidi="th-TH"`
with TH Sarabun New 16 pt, the government's document font (`thai_run_properties`). The spreadsheet uses
the same font, a Thai Buddhist-Era date format (`[$-107041E]d mmm yyyy` shows "5 มี.ค. 2570"), and column
widths and row heights set here (neither Excel nor openpyxl fits them on opening).
"""
from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from handlers.core.thaidate import BANGKOK
from handlers.evidence.sar import TITLE, SarDraft, percent

THAI_FONT = "TH Sarabun New"
SIZE_PT = 16
THAI_DATE_FORMAT = "[$-107041E]d mmm yyyy"
THAI_DATETIME_FORMAT = "[$-107041E]d mmm yyyy hh:mm"
STATUS_FILLS = {"not_started": "E5E7EB", "in_progress": "FDE68A", "has_evidence": "BBF7D0", "needs_fix": "FECACA",
                "verified": "86EFAC"}
HEADINGS = ("รหัส", "รายการ", "สถานะ", "ร่องรอยหลักฐาน", "หมายเหตุ", "กลุ่มที่รับผิดชอบ")


# -- Word --------------------------------------------------------------------------------------------
def thai_run_properties(rpr, size_pt: float = SIZE_PT, font: str = THAI_FONT) -> None:
    """Set `font` on every script slot of a `w:rPr` element (ascii, hAnsi, eastAsia, cs; theme fonts
    removed so they do not win), its size for Latin and complex script (`w:sz`, `w:szCs`, half-points),
    and the complex-script language Thai (`w:lang w:bidi="th-TH"`)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    for tag in ("w:sz", "w:szCs", "w:lang"):
        old = rpr.find(qn(tag))
        if old is not None:
            rpr.remove(old)
    half_points = str(round(size_pt * 2))
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), half_points)
        rpr.append(el)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "th-TH")
    lang.set(qn("w:bidi"), "th-TH")
    rpr.append(lang)


def _style_fonts(doc) -> None:
    sizes = {"Normal": SIZE_PT, "Title": 26, "Heading 1": 20, "Heading 2": 18, "Heading 3": 16, "Table Grid": SIZE_PT}
    for name, size in sizes.items():
        style = doc.styles[name]
        style.font.name = THAI_FONT
        thai_run_properties(style.element.get_or_add_rPr(), size)
        if name.startswith("Heading") or name == "Title":
            style.font.color.rgb = RGBColor(0x1F, 0x29, 0x37)


def _run(paragraph, text: str, size: float = SIZE_PT, bold: bool = False):
    run = paragraph.add_run(text)
    run.bold = bold
    thai_run_properties(run._r.get_or_add_rPr(), size)
    return run


def _para(container, text: str, style: str | None = None, size: float = SIZE_PT, bold: bool = False):
    p = container.add_paragraph(style=style)
    p.paragraph_format.space_after = Pt(2)
    _run(p, text, size, bold)
    return p


def _cell(cell, text: str, bold: bool = False, fill: str | None = None) -> None:
    p = cell.paragraphs[0]  # a new cell holds one empty paragraph
    lines = text.split("\n")
    for i, line in enumerate(lines):
        run = _run(p, line, SIZE_PT, bold)
        if i < len(lines) - 1:
            run.add_break()
    if fill:
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), fill)
        cell._tc.get_or_add_tcPr().append(shd)


def write_docx(draft: SarDraft, path: Path) -> Path:
    """Write the draft to `path` (.docx, A4 landscape): the heading facts, then per standard and indicator
    its progress, quality level and a table of the items (code, title, status, evidence, notes, groups)."""
    doc = Document()
    _style_fonts(doc)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    _para(doc, TITLE, "Title", 26, bold=True)
    _para(doc, draft.office_name, size=18, bold=True)
    _para(doc, f"รอบการรายงาน: {draft.round_name} (ปีงบประมาณ {draft.fiscal_year})")
    _para(doc, f"กำหนดส่ง: {draft.due_text}")
    _para(doc, f"ข้อมูล ณ วันที่ {draft.date_text}")
    _para(doc, f"ความคืบหน้ารวม: มีหลักฐานแล้ว {draft.done} จาก {draft.total} รายการ "
               f"({percent(draft.done, draft.total)}%)")
    widths = (Cm(1.8), Cm(6.5), Cm(2.8), Cm(6.0), Cm(4.6), Cm(4.0))
    for std in draft.standards:
        _para(doc, std.title if std.title.startswith("มาตรฐาน") else f"มาตรฐานที่ {std.code} {std.title}",
              "Heading 1", 20, bold=True)
        _para(doc, f"ความคืบหน้า {std.done}/{std.total} รายการ ({percent(std.done, std.total)}%)")
        if std.gap:
            _para(doc, f"หมายเหตุ: {std.gap}")
        for ind in std.indicators:
            title = ind.title if ind.title.startswith("ตัวบ่งชี้") else f"ตัวบ่งชี้ที่ {ind.code} {ind.title}"
            _para(doc, title, "Heading 2", 18, bold=True)
            _para(doc, f"ความคืบหน้า {ind.done}/{ind.total} รายการ ({percent(ind.done, ind.total)}%)")
            _para(doc, f"ระดับคุณภาพ: {ind.level}")
            table = doc.add_table(rows=1, cols=len(HEADINGS))
            table.style = doc.styles["Table Grid"]
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, text, width in zip(table.rows[0].cells, HEADINGS, widths):
                _cell(cell, text, bold=True, fill="D1FAE5")
                cell.width = width
            for item in ind.items:
                groups = item.main_groups + (f"\n(ร่วม) {item.co_groups}" if item.co_groups != "-" else "")
                values = (item.code, item.title, item.status_name, item.evidence, item.notes, groups)
                for cell, text, width in zip(table.add_row().cells, values, widths):
                    _cell(cell, text, fill=STATUS_FILLS.get(item.status) if text is item.status_name else None)
                    cell.width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


# -- Excel -------------------------------------------------------------------------------------------
COLUMNS = (  # heading, width (characters)
    ("มาตรฐาน", 10), ("ตัวบ่งชี้", 10), ("รหัส", 10), ("รายการ", 44), ("สถานะ", 16), ("ระดับคุณภาพของตัวบ่งชี้", 34),
    ("ร่องรอยหลักฐาน", 44), ("หมายเหตุ", 32), ("กลุ่มหลัก", 30), ("กลุ่มร่วม", 30), ("ผู้รายงานล่าสุด", 20),
    ("ปรับปรุงเมื่อ", 18))
LINE_HEIGHT = 24  # points per line of 16 pt Thai (room for stacked marks above and below)


def _local(dt: datetime | None) -> datetime | None:
    """A UTC datetime as a naive Asia/Bangkok one (Excel has no time zones)."""
    return dt.astimezone(BANGKOK).replace(tzinfo=None) if dt else None


def _width(line: str) -> int:
    """Characters of `line` that take width: Thai marks above and below (U+0E31, U+0E34–U+0E3A,
    U+0E47–U+0E4E) sit on the character before them."""
    return sum(1 for ch in line if not (ch == "\u0e31" or "\u0e34" <= ch <= "\u0e3a" or "\u0e47" <= ch <= "\u0e4e"))


def _lines(text: str, width: int) -> int:
    """Lines `text` takes in a wrapped column of `width` characters."""
    return sum(max(1, math.ceil(_width(line) / width)) for line in text.split("\n"))


def write_xlsx(draft: SarDraft, path: Path) -> Path:
    """Write the draft to `path` (.xlsx): sheet "SAR" with the heading facts (dates as real dates shown in
    Thai with Buddhist-Era years) and one row per item; sheet "สรุป" with progress and the level per indicator."""
    wb = Workbook()
    ws = wb.active
    ws.title = "SAR"
    font, bold = Font(name=THAI_FONT, size=SIZE_PT), Font(name=THAI_FONT, size=SIZE_PT, bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    thin = Side(style="thin", color="9CA3AF")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head = [(TITLE, None), (draft.office_name, None),
            (f"รอบการรายงาน: {draft.round_name} (ปีงบประมาณ {draft.fiscal_year})", None),
            ("กำหนดส่ง", _local(draft.due_at)), ("ข้อมูล ณ วันที่", _local(draft.as_of))]
    for r, (label, value) in enumerate(head, start=1):
        ws.cell(r, 1, label).font = Font(name=THAI_FONT, size=20 if r == 1 else SIZE_PT, bold=r <= 2)
        if value is not None:
            c = ws.cell(r, 3, value)
            c.font, c.number_format = font, THAI_DATETIME_FORMAT if r == 4 else THAI_DATE_FORMAT
        ws.row_dimensions[r].height = 30 if r == 1 else LINE_HEIGHT
    top = len(head) + 2
    for col, (heading, width) in enumerate(COLUMNS, start=1):
        c = ws.cell(top, col, heading)
        c.font, c.alignment, c.border = bold, Alignment(wrap_text=True, vertical="center"), box
        c.fill = PatternFill("solid", fgColor="D1FAE5")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[top].height = LINE_HEIGHT * 2
    row = top
    for std, ind, item in draft.items():
        row += 1
        values = (std.code, ind.code, item.code, item.title, item.status_name, ind.level, item.evidence, item.notes,
                  item.main_groups, item.co_groups, item.updated_by or "-", _local(item.updated_at))
        for col, value in enumerate(values, start=1):
            c = ws.cell(row, col, value)
            c.font, c.alignment, c.border = font, wrap, box
            if col == 5:
                c.fill = PatternFill("solid", fgColor=STATUS_FILLS.get(item.status, "FFFFFF"))
            if col == len(values) and value is not None:
                c.number_format = THAI_DATE_FORMAT
        ws.row_dimensions[row].height = LINE_HEIGHT * max(
            _lines(str(v), w) for v, (_, w) in zip(values, COLUMNS) if v is not None)
    ws.freeze_panes = ws.cell(top + 1, 4)
    ws.auto_filter.ref = f"A{top}:{get_column_letter(len(COLUMNS))}{max(row, top)}"

    summary = wb.create_sheet("สรุป")
    cols = (("มาตรฐาน/ตัวบ่งชี้", 12), ("ชื่อ", 50), ("มีหลักฐานแล้ว", 14), ("ทั้งหมด", 10), ("ร้อยละ", 10),
            ("ระดับคุณภาพ / หมายเหตุ", 60))
    for col, (heading, width) in enumerate(cols, start=1):
        c = summary.cell(1, col, heading)
        c.font, c.border, c.fill = bold, box, PatternFill("solid", fgColor="D1FAE5")
        summary.column_dimensions[get_column_letter(col)].width = width
    summary.row_dimensions[1].height = LINE_HEIGHT
    r = 1
    for std in draft.standards:
        rows = [((std.code, std.title, std.done, std.total, percent(std.done, std.total) / 100, std.gap or ""), True)]
        rows += [((ind.code, ind.title, ind.done, ind.total, percent(ind.done, ind.total) / 100, ind.level), False)
                 for ind in std.indicators]
        for values, is_standard in rows:
            r += 1
            for col, value in enumerate(values, start=1):
                c = summary.cell(r, col, value)
                c.font, c.alignment, c.border = bold if is_standard else font, wrap, box
                if col == 5:
                    c.number_format = "0%"
            summary.row_dimensions[r].height = LINE_HEIGHT * max(_lines(str(values[1]), 50), _lines(str(values[5]), 60))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(str(path))
    return path


def write_sar(draft: SarDraft, out_dir: Path, stem: str) -> tuple[Path, Path]:
    """Write `stem`.docx and `stem`.xlsx into `out_dir` (created if missing); their paths."""
    return write_docx(draft, out_dir / f"{stem}.docx"), write_xlsx(draft, out_dir / f"{stem}.xlsx")
