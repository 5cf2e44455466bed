"""The SAR draft files: opened with python-docx and openpyxl, the data found, Thai set as Thai."""
from __future__ import annotations

from datetime import datetime

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

from bot.sar_export import THAI_DATE_FORMAT, THAI_FONT, write_sar
from content.loader import load_content
from handlers.evidence.sar import NO_RUBRIC, sar_draft
from tests.evidence_support import LINK, sample_progress


@pytest.fixture
def files(tmp_path):
    content = load_content()
    draft = sar_draft(sample_progress(), lambda g: content.group(g).name)
    return write_sar(draft, tmp_path / "out", "sar-7")


def _docx_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_docx_has_the_heading_facts_items_statuses_levels_and_groups(files):
    doc = Document(str(files[0]))
    text = _docx_text(doc)
    for expected in ("สำนักงานเขตพื้นที่การศึกษาประถมศึกษาทดสอบ เขต 1", "SAR ปีงบประมาณ 2570",
                     "ข้อมูล ณ วันที่ 5 มีนาคม 2570", "กำหนดส่ง: 31 มีนาคม 2570 16:30 น.",
                     "ตัวบ่งชี้ที่ 1.2 การคุ้มครองสิทธิ์ของบุคลากร",
                     "ระดับคุณภาพ: ระดับ 3 จาก 5 (ขาดหลักฐานอีก 1 ประเด็นเพื่อขึ้นระดับ 4)",
                     f"ระดับคุณภาพ: {NO_RUBRIC}", "เอกสารต้นทางไม่มีเกณฑ์ระดับ 5", "เอกสารต้นทางยังไม่ระบุตัวบ่งชี้",
                     "ตรวจแล้ว", "มีหลักฐานแล้ว", "กำลังดำเนินการ", "ยังไม่เริ่ม", "ต้องแก้ไข",
                     "เหตุที่ต้องแก้ไข: ประกาศยังไม่ได้ลงนาม", LINK, "ไฟล์: รายงานติดตาม.pdf",
                     "กลุ่มนโยบายและแผน", "(ร่วม) กลุ่มอำนวยการ", "ทุกกลุ่ม"):
        assert expected in text, expected
    row = next(r for t in doc.tables for r in t.rows if r.cells[0].text == "1.2.1")
    assert [c.text for c in row.cells][:3] == ["1.2.1", "ประกาศแนวปฏิบัติที่คุ้มครองสิทธิ์ของบุคลากร", "ต้องแก้ไข"]


def test_docx_runs_and_styles_carry_the_complex_script_font(files):
    doc = Document(str(files[0]))
    runs = [r for p in doc.paragraphs for r in p.runs]
    runs += [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    thai_runs = [r for r in runs if any("\u0e00" <= ch <= "\u0e7f" for ch in r.text)]
    assert len(thai_runs) > 30
    for run in thai_runs:
        rpr = run._r.rPr
        fonts = rpr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:cs")) == THAI_FONT and fonts.get(qn("w:ascii")) == THAI_FONT
        assert rpr.find(qn("w:szCs")) is not None
        assert rpr.find(qn("w:lang")).get(qn("w:bidi")) == "th-TH"
    body = next(r for r in thai_runs if r.text == "ต้องแก้ไข")._r.rPr
    assert body.find(qn("w:szCs")).get(qn("w:val")) == "32"  # 16 pt in half-points
    for name in ("Normal", "Heading 1", "Heading 2"):
        rpr = doc.styles[name].element.rPr
        assert rpr.find(qn("w:rFonts")).get(qn("w:cs")) == THAI_FONT
        assert rpr.find(qn("w:rFonts")).get(qn("w:asciiTheme")) is None  # the theme font would win
        assert rpr.find(qn("w:lang")).get(qn("w:bidi")) == "th-TH"


def test_xlsx_has_rows_with_thai_names_and_buddhist_era_dates(files):
    wb = openpyxl.load_workbook(str(files[1]))
    ws = wb["SAR"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    assert "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาทดสอบ เขต 1" in cells
    assert "รอบการรายงาน: SAR ปีงบประมาณ 2570 (ปีงบประมาณ 2570)" in cells
    as_of = ws.cell(5, 3)
    assert as_of.value == datetime(2027, 3, 5, 10, 0)  # Bangkok wall time; Excel shows 5 มี.ค. 2570
    assert as_of.number_format == THAI_DATE_FORMAT
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "มาตรฐาน")
    rows = [dict(zip(header, r)) for r in ws.iter_rows(values_only=True) if r[2] and str(r[2]).count(".") == 2]
    by_code = {r["รหัส"]: r for r in rows}
    assert set(by_code) == {"1.1.1", "1.1.2", "1.1.3", "1.1.4", "1.2.1", "2.1.1", "2.1.2"}
    assert by_code["1.1.1"]["สถานะ"] == "ตรวจแล้ว" and by_code["1.1.1"]["ร่องรอยหลักฐาน"] == LINK
    assert by_code["1.1.1"]["กลุ่มหลัก"] == "กลุ่มนโยบายและแผน" and by_code["1.1.1"]["กลุ่มร่วม"] == "กลุ่มอำนวยการ"
    assert by_code["1.2.1"]["ระดับคุณภาพของตัวบ่งชี้"] == NO_RUBRIC
    assert by_code["2.1.1"]["ระดับคุณภาพของตัวบ่งชี้"].startswith("ระดับ 1 จาก 5")
    assert by_code["1.1.2"]["ร่องรอยหลักฐาน"] == "ไฟล์: รายงานติดตาม.pdf"
    item_cell = next(c for c in ws["C"] if c.value == "1.1.1")
    assert ws.cell(item_cell.row, 12).number_format == THAI_DATE_FORMAT
    assert ws.cell(item_cell.row, 4).font.name == THAI_FONT and ws.cell(item_cell.row, 4).font.size == 16
    assert ws.column_dimensions["D"].width == 44 and ws.row_dimensions[item_cell.row].height >= 24
    summary = {r[0]: r for r in wb["สรุป"].iter_rows(values_only=True)}
    assert summary["1.1"][2:5] == (2, 4, 0.5) and summary["3"][5] == "เอกสารต้นทางยังไม่ระบุตัวบ่งชี้"
