"""Reading the dates and times an admin types for a scheduled broadcast (Asia/Bangkok, BE or CE years)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from datetime import date

from handlers.core.thaidate import BANGKOK, MAX_AHEAD, parse_thai_date, parse_thai_datetime, thai_date, thai_day
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
    # weekdays (NOW is a Monday): the coming one, this week's, next week's
    ("วันศุกร์ ๙ โมงเช้า", local(2026, 11, 27, 9, 0)),
    ("วันศุกร์ 9 โมงเช้าค่ะ", local(2026, 11, 27, 9, 0)),
    ("ศุกร์นี้ บ่ายสอง", local(2026, 11, 27, 14, 0)),
    ("ศุกร์หน้า 09:00", local(2026, 12, 4, 9, 0)),
    ("วันศุกร์หน้า สิบโมง", local(2026, 12, 4, 10, 0)),
    ("วันจันทร์ 08:30", local(2026, 11, 30, 8, 30)),            # today's 08:30 has passed: next Monday
    ("วันจันทร์ 11:00", local(2026, 11, 23, 11, 0)),            # still ahead today
    ("จันทร์หน้า บ่ายสอง", local(2026, 11, 30, 14, 0)),
    ("วันอังคาร 2 โมงบ่าย", local(2026, 11, 24, 14, 0)),
    ("พุธนี้ สองทุ่มครึ่ง", local(2026, 11, 25, 20, 30)),
    ("วันพฤหัสบดี ๑๓.๓๐ น.", local(2026, 11, 26, 13, 30)),
    ("พฤหัสหน้า 8 โมง", local(2026, 12, 3, 8, 0)),
    ("วันเสาร์ เที่ยงครึ่ง", local(2026, 11, 28, 12, 30)),
    ("วันอาทิตย์ 6 โมงเช้า", local(2026, 11, 29, 6, 0)),
    ("วันอาทิตย์หน้า 9 โมง", local(2026, 12, 6, 9, 0)),
    ("ศุกร์ 4 โมงเย็น", local(2026, 11, 27, 16, 0)),
    # the forms admins type for a round's due date
    ("31 ม.ค. 2570 14:30", local(2027, 1, 31, 14, 30)),
    ("31 มกราคม 70 14.30 น.", local(2027, 1, 31, 14, 30)),
    ("๓๑ ม.ค. ๒๕๗๐ ๑๔:๓๐", local(2027, 1, 31, 14, 30)),
    ("31/1/2570 บ่ายสองโมง", local(2027, 1, 31, 14, 0)),
    ("31/01/27 14:30", local(2027, 1, 31, 14, 30)),           # two digits: CE 2027 is nearer than BE 2527
    ("31/01/70 14:30", local(2027, 1, 31, 14, 30)),           # ... and BE 2570 nearer than CE 2070
    ("2027-01-31 14:30", local(2027, 1, 31, 14, 30)),
    ("2570-01-31 14:30", local(2027, 1, 31, 14, 30)),
    ("สิ้นเดือนนี้ 16:30", local(2026, 11, 30, 16, 30)),
    ("สิ้นเดือนหน้า 16.30 น.", local(2026, 12, 31, 16, 30)),
    ("วันศุกร์ที่ 15 ม.ค. 2570 09:00", local(2027, 1, 15, 9, 0)),   # the weekday agrees with the date
])
def test_thai_dates_and_times_are_read_in_bangkok_and_returned_in_utc(text, expected):
    got = parse_thai_datetime(text, NOW)
    assert got.tzinfo == timezone.utc
    assert got == expected


@pytest.mark.parametrize("text, says", [
    ("วันนี้ 08:30", "ผ่านไปแล้ว"),
    ("15 ม.ค. 2569 09:00", "ผ่านไปแล้ว"),
    ("พรุ่งนี้", "กรุณาระบุเวลา"),
    ("ศุกร์หน้า", "กรุณาระบุเวลา"),
    ("อาทิตย์หน้า", "ยังไม่ได้บอกว่าวันไหน"),                  # "next week", not "next Sunday"
    ("อาทิตย์นี้ 9 โมง", "ยังไม่ได้บอกว่าวันไหน"),
    ("พรุ่งนี้ 8:30 ห้องประชุม", "ไม่เข้าใจวันเวลา"),
    ("31 ก.พ. 2570 09:00", "ไม่มีวันที่ 31 ก.พ. 2570"),
    ("31 ก.พ.", "ไม่มีวันที่ 31 ก.พ. 2570 ในปฏิทินค่ะ (กุมภาพันธ์ 2570 มี 28 วัน)"),   # the next February
    ("29 ก.พ. 9:00", "กุมภาพันธ์ 2570 มี 28 วัน"),
    ("2027-02-29 9:00", "กุมภาพันธ์ 2570 มี 28 วัน"),
    ("วันจันทร์ที่ 15 ม.ค. 2570 9:00", "15 ม.ค. 2570 เป็นวันศุกร์ ไม่ใช่วันจันทร์"),
    ("30 ก.พ. 9 โมง", "ไม่มีวันที่ 30 ก.พ."),
    ("31/4/2570 09:00", "เมษายน 2570 มี 30 วัน"),
    ("15/13/2570 09:00", "ไม่มีเดือนที่ 13"),
    ("พรุ่งนี้ 25:00", "ไม่ถูกต้อง"),
    ("1 ธ.ค. 2570 09:00", "ไม่เกิน 1 ปี"),
    ("โอเคค่ะ", "ไม่เข้าใจวันเวลา"),
    ("", "ไม่เข้าใจวันเวลา"),
])
def test_bad_or_past_times_are_refused_with_a_thai_example(text, says):
    with pytest.raises(UserFacingError) as err:
        parse_thai_datetime(text, NOW)
    assert says in err.value.message
    assert "\"พรุ่งนี้ 08:30\"" in err.value.message


def test_a_past_time_says_what_time_it_is_now():
    with pytest.raises(UserFacingError) as err:
        parse_thai_datetime("วันนี้ 08:30", NOW)
    assert "เวลา 23 พ.ย. 2569 08:30 น. ผ่านไปแล้วค่ะ (ตอนนี้ 23 พ.ย. 2569 10:00 น.)" in err.value.message


def test_a_naive_now_is_a_bug():
    with pytest.raises(ValueError):
        parse_thai_datetime("พรุ่งนี้ 08:30", NOW.replace(tzinfo=None))


def test_a_parsed_time_reads_back_the_same():
    assert thai_date(parse_thai_datetime("15 ม.ค. 2570 09:00", NOW)) == "15 ม.ค. 2570 09:00 น."


def _moments(now: datetime, count: int) -> list[datetime]:
    """`count` minute-exact moments spread over the year after `now` (odd steps: every hour and weekday)."""
    step = (MAX_AHEAD - timedelta(hours=1)) / count
    return [(now + timedelta(minutes=1) + step * i).replace(second=0, microsecond=0) + timedelta(minutes=1)
            for i in range(count)]


@pytest.mark.parametrize("now", [NOW, datetime(2027, 2, 27, 16, 59, tzinfo=timezone.utc),   # a leap year ahead
                                 datetime(2026, 12, 31, 17, 30, tzinfo=timezone.utc)])     # New Year in Bangkok
@pytest.mark.parametrize("short", [True, False])
def test_every_date_the_bot_writes_reads_back_as_the_same_moment(now, short):
    """Round trip: what `thai_date` shows (short or spelled month, BE year) parses to the same moment."""
    for moment in _moments(now, 400):
        shown = thai_date(moment, short=short)
        assert parse_thai_datetime(shown, now) == moment, shown
        assert parse_thai_datetime(shown.removesuffix(" น."), now) == moment, shown


TODAY = date(2026, 12, 2)  # a Wednesday, 2 ธ.ค. 2569


@pytest.mark.parametrize("text, expected", [
    ("31 ม.ค. 2570", date(2027, 1, 31)),
    ("31 มกราคม 70", date(2027, 1, 31)),
    ("๓๑ ม.ค. ๒๕๗๐", date(2027, 1, 31)),
    ("31 มค 2570", date(2027, 1, 31)),
    ("31/1/2570", date(2027, 1, 31)),
    ("31/01/27", date(2027, 1, 31)),
    ("31-1-2570", date(2027, 1, 31)),
    ("2027-01-31", date(2027, 1, 31)),
    ("วันที่ 16 เม.ย. 2570 ค่ะ", date(2027, 4, 16)),
    ("16 เมษา", date(2027, 4, 16)),                      # no year: the next 16 April
    ("2 ธ.ค.", date(2026, 12, 2)),                       # ... today counts
    ("1 ธ.ค.", date(2027, 12, 1)),
    ("29 ก.พ. 2571", date(2028, 2, 29)),                 # CE 2028 is a leap year
    ("พรุ่งนี้", date(2026, 12, 3)),
    ("มะรืนนี้", date(2026, 12, 4)),
    ("วันนี้", date(2026, 12, 2)),
    ("วันศุกร์", date(2026, 12, 4)),
    ("วันศุกร์หน้า", date(2026, 12, 11)),
    ("สิ้นเดือนนี้", date(2026, 12, 31)),
    ("สิ้นเดือนหน้า", date(2027, 1, 31)),
    ("วันพฤหัสบดีที่ 31 ธ.ค. 2569", date(2026, 12, 31)),
])
def test_a_day_typed_in_thai(text, expected):
    assert parse_thai_date(text, TODAY) == expected


@pytest.mark.parametrize("text, says", [
    ("31 ก.พ.", "ไม่มีวันที่ 31 ก.พ. 2570 ในปฏิทินค่ะ (กุมภาพันธ์ 2570 มี 28 วัน)"),
    ("31 ก.พ. 2570", "กุมภาพันธ์ 2570 มี 28 วัน"),
    ("29 ก.พ. 2570", "กุมภาพันธ์ 2570 มี 28 วัน"),
    ("30/13/2570", "ไม่มีเดือนที่ 13"),
    ("2027-13-01", "ไม่มีเดือนที่ 13"),
    ("0/1/2570", "ไม่มีวันที่ 0"),
    ("31/4/2570", "เมษายน 2570 มี 30 วัน"),
    ("วันจันทร์ที่ 31 ธ.ค. 2569", "เป็นวันพฤหัสบดี ไม่ใช่วันจันทร์"),
    ("16 เม.ย. 2570 09:00", "ไม่ต้องใส่เวลา"),
    ("อาทิตย์หน้า", "ยังไม่ได้บอกว่าวันไหน"),
    ("สงกรานต์", "ไม่เข้าใจวันที่ \"สงกรานต์\""),
    ("16 เม.ย. 2570 ห้องประชุม", "ไม่เข้าใจวันที่"),
    ("", "ไม่เข้าใจวันที่"),
])
def test_a_day_that_cannot_be_read_or_does_not_exist_says_why(text, says):
    with pytest.raises(UserFacingError) as err:
        parse_thai_date(text, TODAY)
    assert says in err.value.message
    assert "\"16 เม.ย. 2570\"" in err.value.message   # and shows how to type one


def test_every_day_the_bot_writes_reads_back_as_the_same_day():
    """Round trip over two years: `thai_day` (short or spelled month, with or without the weekday) parses
    back to the same day."""
    for n in range(730):
        day = TODAY + timedelta(days=n)
        for shown in (thai_day(day), thai_day(day, short=False), thai_day(day, weekday=True)):
            assert parse_thai_date(shown, TODAY) == day, shown
