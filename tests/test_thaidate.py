"""Reading the dates and times an admin types for a scheduled broadcast (Asia/Bangkok, BE or CE years)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from handlers.core.thaidate import BANGKOK, parse_thai_datetime, thai_date
from handlers.core.types import UserFacingError

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=timezone.utc)  # Monday 23 Nov 2569, 10:00 in Bangkok


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BANGKOK)


@pytest.mark.parametrize("text, expected", [
    ("พรุ่งนี้ 08:30", local(2026, 11, 24, 8, 30)),
    ("มะรืนนี้ 9 โมง", local(2026, 11, 25, 9, 0)),
    ("วันนี้ 16.30", local(2026, 11, 23, 16, 30)),
    ("15 ม.ค. 2570 09:00", local(2027, 1, 15, 9, 0)),
    ("15 มกราคม 2570 9:00", local(2027, 1, 15, 9, 0)),
    ("15 ม.ค. 2027 09:00", local(2027, 1, 15, 9, 0)),          # a Common-Era year
    ("๑๕ ม.ค. ๒๕๗๐ ๐๙:๐๐", local(2027, 1, 15, 9, 0)),           # Thai digits
    ("15 มค 70 8 โมง", local(2027, 1, 15, 8, 0)),              # no dots, two-digit BE year
    ("15/1/2570 13:15", local(2027, 1, 15, 13, 15)),
    ("วันที่ 15 มกราคม 2570 เวลา 09.00 น.", local(2027, 1, 15, 9, 0)),
    ("15 ม.ค. 09:00", local(2027, 1, 15, 9, 0)),               # no year: the next 15 January
    ("1 ธ.ค. 9:00", local(2026, 12, 1, 9, 0)),
    ("พรุ่งนี้ บ่ายสอง", local(2026, 11, 24, 14, 0)),
    ("บ่าย 3 โมงครึ่ง", local(2026, 11, 23, 15, 30)),           # a time alone is today
    ("วันนี้ 4 โมงเย็น", local(2026, 11, 23, 16, 0)),
    ("พรุ่งนี้ 2 ทุ่ม", local(2026, 11, 24, 20, 0)),
    ("พรุ่งนี้ 5.30 เย็น", local(2026, 11, 24, 17, 30)),
    ("พรุ่งนี้เช้า 7 โมง 15 นาที", local(2026, 11, 24, 7, 15)),
    ("เที่ยง", local(2026, 11, 23, 12, 0)),
    ("พรุ่งนี้ ตี 5", local(2026, 11, 24, 5, 0)),
])
def test_thai_dates_and_times_are_read_in_bangkok_and_returned_in_utc(text, expected):
    got = parse_thai_datetime(text, NOW)
    assert got.tzinfo == timezone.utc
    assert got == expected


@pytest.mark.parametrize("text, says", [
    ("วันนี้ 08:30", "ผ่านไปแล้ว"),
    ("15 ม.ค. 2569 09:00", "ผ่านไปแล้ว"),
    ("พรุ่งนี้", "กรุณาระบุเวลา"),
    ("อาทิตย์หน้า", "ไม่เข้าใจวันเวลา"),
    ("พรุ่งนี้ 8:30 ห้องประชุม", "ไม่เข้าใจวันเวลา"),
    ("31 ก.พ. 2570 09:00", "ไม่มีวันที่"),
    ("พรุ่งนี้ 25:00", "ไม่ถูกต้อง"),
    ("1 ธ.ค. 2570 09:00", "ไม่เกิน 1 ปี"),
    ("", "ไม่เข้าใจวันเวลา"),
])
def test_bad_or_past_times_are_refused_with_a_thai_example(text, says):
    with pytest.raises(UserFacingError) as err:
        parse_thai_datetime(text, NOW)
    assert says in err.value.message
    assert "\"พรุ่งนี้ 08:30\"" in err.value.message


def test_a_naive_now_is_a_bug():
    with pytest.raises(ValueError):
        parse_thai_datetime("พรุ่งนี้ 08:30", NOW.replace(tzinfo=None))


def test_a_parsed_time_reads_back_the_same():
    assert thai_date(parse_thai_datetime("15 ม.ค. 2570 09:00", NOW)) == "15 ม.ค. 2570 09:00 น."
