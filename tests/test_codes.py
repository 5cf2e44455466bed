"""Code parsing: every way staff type a code resolves to the same item, before any fuzzy matching."""
import pytest

from content.codes import CodeRef, parse_codes


@pytest.mark.parametrize("typed, kind, code", [
    ("ตัวบ่งชี้ที่ ๑.๒", "indicator", "1.2"),
    ("ตบช. 2.1", "indicator", "2.1"),
    ("ตบช2.1", "indicator", "2.1"),
    ("ตัวบงชี้ 2.1", "indicator", "2.1"),
    ("มฐ.2", "standard", "2"),
    ("มาตรฐานที่ ๓", "standard", "3"),
    ("เกณฑ์ 1.1.5", "criterion", "1.1.5"),
    ("เกณฑ ๑.๑.๕", "criterion", "1.1.5"),
    ("5.2.4", "criterion", "5.2.4"),
    ("๕.๒.๔", "criterion", "5.2.4"),
    ("มาตรฐาน 1 ตัวบ่งชี้ 2", "indicator", "1.2"),
    ("มาตรฐานที่1ตัวบ่งชี้ที่2เกณฑ์ที่1", "criterion", "1.2.1"),
    ("เกณฑ์การประเมินที่ ๔ ของตัวบ่งชี้ ๓.๑", "criterion", "3.1.4"),
    ("ตัวบ่งชี้ 1.2 เกณฑ์ 2", "criterion", "1.2.2"),
    ("หมวด 3", "pmqa_category", "3"),
    ("PMQA หมวดที่ ๒", "pmqa_category", "2"),
    ("หมวด 1.4", "pmqa_item", "1.4"),
    ("ประเด็นที่ 5.3", "issue", "5.3"),
    ("ขอดู ตบช.2.1 หน่อยครับ", "indicator", "2.1"),
    ("ตบช.\u200b2.1", "indicator", "2.1"),
])
def test_codes_in_every_form(typed, kind, code):
    assert parse_codes(typed)[0] == CodeRef(kind, code)


@pytest.mark.parametrize("typed", ["สวัสดีครับ", "ปีงบประมาณ 2567", "ขอบคุณ 555", "ใครรับผิดชอบการตรวจประเมินภายใน"])
def test_no_code_in_ordinary_text(typed):
    assert parse_codes(typed) == []


def test_a_bare_criterion_number_lists_every_indicator_match():
    assert parse_codes("เกณฑ์ที่ 1") == [CodeRef("criterion_suffix", "1")]
