"""Dates as Thai staff read them: Asia/Bangkok time, Thai month names, Buddhist-Era years (CE + 543).

Formatting (`thai_day`, `thai_date`) and the one parser of what admins type: `parse_thai_datetime` (a
moment: scheduled broadcasts, a round's due date) and `parse_thai_date` (a calendar day: the holiday
calendar), both over the same date reader, which names the problem of a date that does not exist.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from content.thai import normalize
from handlers.core.types import UserFacingError

BANGKOK = ZoneInfo("Asia/Bangkok")
MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
          "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
WEEKDAYS = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")  # Monday = 0, as date.weekday
MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")


def thai_day(day: date, *, short: bool = True, weekday: bool = False) -> str:
    """A calendar date as e.g. ``16 เม.ย. 2570`` (Buddhist Era); `weekday` leads with ``วันศุกร์``;
    `short=False` spells the month."""
    month = (MONTHS_SHORT if short else MONTHS)[day.month - 1]
    text = f"{day.day} {month} {day.year + 543}"
    return f"วัน{WEEKDAYS[day.weekday()]} {text}" if weekday else text


def thai_date(dt: datetime, *, short: bool = True, time: bool = True, tz: ZoneInfo = BANGKOK) -> str:
    """`dt` (timezone-aware) as e.g. ``23 พ.ย. 2569 15:30`` in `tz`; `short=False` spells the month."""
    if dt.tzinfo is None:
        raise ValueError("thai_date needs a timezone-aware datetime")
    local = dt.astimezone(tz)
    text = thai_day(local.date(), short=short)
    return f"{text} {local:%H:%M} น." if time else text


# -- parsing what an admin types ----------------------------------------------------------------------
DATETIME_EXAMPLE = ("เช่น \"พรุ่งนี้ 08:30\", \"วันนี้ 16.30\", \"วันศุกร์ 9 โมงเช้า\", \"จันทร์หน้า บ่ายสอง\" "
                    "หรือ \"15 ม.ค. 2570 09:00\"")
DATE_EXAMPLE = "เช่น \"16 เม.ย. 2570\", \"16/4/2570\", \"พรุ่งนี้\", \"ศุกร์หน้า\" หรือ \"สิ้นเดือนนี้\""
MAX_AHEAD = timedelta(days=366)
_DAY_WORDS = (("มะรืนนี้", 2), ("มะรืน", 2), ("พรุ่งนี้", 1), ("พรุ้งนี้", 1), ("พรุ่งนี", 1), ("วันนี้", 0))
_MONTH_END = re.compile(r"สิ้น\s*เดือน\s*(นี้|นี|หน้า)?")
_NUMBER_WORDS = (("สิบเอ็ด", 11), ("สิบสอง", 12), ("หนึ่ง", 1), ("สอง", 2), ("สาม", 3), ("สี่", 4), ("ห้า", 5),
                 ("หก", 6), ("เจ็ด", 7), ("แปด", 8), ("เก้า", 9), ("สิบ", 10))
# weekday names as typed (Monday = 0, as `date.weekday`), longest first so "พฤหัสบดี" wins over "พฤหัส"
_WEEKDAY_NAMES = (("พฤหัสบดี", 3), ("พฤหัส", 3), ("จันทร์", 0), ("จันทร", 0), ("อังคาร", 1), ("พุธ", 2),
                  ("ศุกร์", 4), ("ศุกร", 4), ("เสาร์", 5), ("เสาร", 5), ("อาทิตย์", 6), ("อาทิตย", 6))
_WEEKDAY = re.compile(r"(วัน\s*)?(" + "|".join(w for w, _ in _WEEKDAY_NAMES) + r")\s*(นี้|นี|หน้า)?")
_SPOKEN_MONTHS = ("มกรา", "กุมภา", "มีนา", "เมษา", "พฤษภา", "มิถุนา", "กรกฎา", "สิงหา", "กันยา", "ตุลา",
                  "พฤศจิกา", "ธันวา")


def _month_pattern() -> tuple[re.Pattern[str], dict[str, int]]:
    names: dict[str, int] = {}
    for i, (full, short, spoken) in enumerate(zip(MONTHS, MONTHS_SHORT, _SPOKEN_MONTHS), start=1):
        names[full] = names[spoken] = i
        names[short.replace(".", "")] = i  # "ม.ค." is matched without its dots
    alternatives = sorted(names, key=len, reverse=True)
    return re.compile("(" + "|".join(map(re.escape, alternatives)) + ")"), names


_MONTH_RE, _MONTH_NUMBER = _month_pattern()
_NUM = r"(\d{1,2}|" + "|".join(w for w, _ in _NUMBER_WORDS) + ")"
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")  # "2027-01-31", "2570-01-31"
_TEXT_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*(?:" + _MONTH_RE.pattern + r")\s*(\d{4}|\d{2})?(?![\d:.])")
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}|\d{2}))?(?!\d)")
_CLOCK = re.compile(r"(?<![\d/])(\d{1,2})\s*[:.]\s*(\d{2})(?!\d)")
_SPOKEN = (  # (pattern, hour from the number)
    (re.compile(r"ตี\s*" + _NUM), lambda n: n if 1 <= n <= 5 else None),
    (re.compile(r"บ่าย\s*โมง"), lambda n: 13),
    (re.compile(r"บ่าย\s*" + _NUM + r"(?:\s*โมง)?"), lambda n: 12 + n if 1 <= n <= 5 else None),
    (re.compile(r"เที่ยง(?:วัน)?"), lambda n: 12),
    (re.compile(_NUM + r"\s*ทุ่ม"), lambda n: 18 + n if 1 <= n <= 5 else None),
    (re.compile(_NUM + r"\s*โมง\s*เย็น"), lambda n: 12 + n if 1 <= n <= 6 else None),
    (re.compile(_NUM + r"\s*โมง\s*บ่าย"), lambda n: 12 + n if 1 <= n <= 5 else None),
    (re.compile(_NUM + r"\s*โมง\s*เช้า"), lambda n: n if 6 <= n <= 11 else n + 6 if 1 <= n <= 5 else None),
    # "8 โมง" is 08:00 and "4 โมง" is 16:00, as people say it
    (re.compile(_NUM + r"\s*โมง"), lambda n: n if 6 <= n <= 12 else 12 + n if 1 <= n <= 5 else None),
)
_MINUTES = re.compile(r"^\s*(?:(ครึ่ง)|(\d{1,2})\s*นาที)")
_FILLER = re.compile(r"วันที่|วัน|ที่|เวลา|ตอน|นาฬิกา|เช้า|บ่าย|เย็น|ค่ะ|คะ|ครับ|นะ|น|[\s,]+")
_THAI_DOT = re.compile(r"(?<=[\u0e00-\u0e7f])\.")


class _Unreadable(Exception):
    """What is wrong with typed text (Thai, "" = not understood at all); the public parsers add examples."""

    def __init__(self, why: str = "") -> None:
        super().__init__(why)
        self.why = why


class DateError(UserFacingError):
    """Typed text that names no date (or no moment): `message` says why and shows examples; `why` is the
    problem alone (Thai), for a step that shows the examples in its own question."""

    def __init__(self, message: str, why: str) -> None:
        super().__init__(message)
        self.why = why


def _refusal(text: str, why: str, example: str) -> DateError:
    timed = example is DATETIME_EXAMPLE
    head = why or f"ไม่เข้าใจ{'วันเวลา' if timed else 'วันที่'} \"{text.strip()[:40]}\" ค่ะ"
    return DateError(f"{head} ลองพิมพ์{'วันและเวลา' if timed else 'วันที่'}แบบนี้นะคะ {example}", head)


def _number(word: str) -> int:
    return int(word) if word.isdigit() else dict(_NUMBER_WORDS)[word]


def _year(raw: str, today: date) -> int:
    """The CE year of a typed year: from 2400 on it is Buddhist Era ("2570"), below it Common Era ("2027");
    two digits are whichever of BE 25xx and CE 20xx is nearer today ("70" → 2570, "27" → 2027)."""
    year = int(raw)
    if len(raw) == 2:
        be, ce = 2500 + year - 543, 2000 + year
        return be if abs(be - today.year) <= abs(ce - today.year) else ce
    return year - 543 if year >= 2400 else year


def _take_time(text: str) -> tuple[tuple[int, int] | None, str]:
    """((hour, minute) in 24 h, the text without it) for the first time of day in `text`."""
    m = _CLOCK.search(text)
    if m:
        hour, minute = int(m.group(1)), int(m.group(2))
        rest = text[:m.start()] + " " + text[m.end():]
        if hour < 12 and re.search(r"บ่าย|เย็น|pm|ทุ่ม", rest):
            hour += 12
        if hour > 23 or minute > 59:
            raise _Unreadable(f"เวลา {m.group(0)} ไม่ถูกต้องค่ะ")
        return (hour, minute), rest
    for pattern, to_hour in _SPOKEN:
        m = pattern.search(text)
        if not m:
            continue
        hour = to_hour(_number(m.group(1)) if m.groups() else 0)
        if hour is None:
            raise _Unreadable(f"เวลา \"{m.group(0)}\" ไม่ถูกต้องค่ะ")
        rest, minute = text[m.end():], 0
        extra = _MINUTES.match(rest)
        if extra:
            minute = 30 if extra.group(1) else int(extra.group(2))
            rest = rest[extra.end():]
            if minute > 59:
                raise _Unreadable(f"นาที {minute} ไม่ถูกต้องค่ะ")
        return (hour % 24, minute), text[:m.start()] + " " + rest
    return None, text


@dataclass(frozen=True)
class _Day:
    """A date read from text, and whether it may roll on a week (a bare weekday, "วันจันทร์", is the next
    Monday: today only while the time is still ahead)."""

    day: date
    rolls_weekly: bool = False


def _impossible(day: int, month: int, year: int) -> _Unreadable:
    """Why day/month/year (CE) is not in the calendar, in Thai ("31 ก.พ. 2570": February 2570 has 28 days)."""
    if not 1 <= month <= 12:
        return _Unreadable(f"ไม่มีเดือนที่ {month} ในปฏิทินค่ะ (เดือนมีแค่ 1 ถึง 12)")
    days = calendar.monthrange(year, month)[1]
    if day < 1:
        return _Unreadable(f"ไม่มีวันที่ {day} ในปฏิทินค่ะ")
    return _Unreadable(f"ไม่มีวันที่ {day} {MONTHS_SHORT[month - 1]} {year + 543} ในปฏิทินค่ะ "
                       f"({MONTHS[month - 1]} {year + 543} มี {days} วัน)")


def _weekday_word(text: str) -> re.Match[str] | None:
    return _WEEKDAY.search(text)


def _take_weekday(text: str, today: date) -> tuple[_Day | None, str]:
    """A weekday form: "วันศุกร์", "ศุกร์นี้" (the coming Friday), "ศุกร์หน้า" (Friday of next week, weeks
    starting on Monday). "อาทิตย์หน้า"/"อาทิตย์นี้" without "วัน" mean "next/this week", not a day: refused."""
    m = _weekday_word(text)
    if m is None:
        return None, text
    prefix, name, which = m.group(1), m.group(2), m.group(3)
    weekday = dict(_WEEKDAY_NAMES)[name]
    if weekday == 6 and which and not prefix:
        raise _Unreadable(f"\"อาทิตย์{which}\" ยังไม่ได้บอกว่าวันไหนค่ะ พิมพ์ชื่อวัน เช่น \"วันจันทร์{which}\" "
                          f"หรือ \"วันอาทิตย์{which}\"")
    rest = text[:m.start()] + " " + text[m.end():]
    if which == "หน้า":
        next_monday = today + timedelta(days=7 - today.weekday())
        return _Day(next_monday + timedelta(days=weekday)), rest
    return _Day(today + timedelta(days=(weekday - today.weekday()) % 7), rolls_weekly=True), rest


def _calendar_date(text: str, today: date) -> tuple[date | None, str]:
    """A written date ("31 ม.ค. 2570", "31/1/70", "2027-01-31") and the text without it. Without a year it is
    the date's next occurrence (today counts). A date that does not exist raises, naming the problem."""
    m = _ISO_DATE.search(text)
    if m:
        year, month, day = _year(m.group(1), today), int(m.group(2)), int(m.group(3))
    else:
        for pattern, month_of in ((_TEXT_DATE, lambda m: _MONTH_NUMBER[m.group(2)]),
                                  (_NUMERIC_DATE, lambda m: int(m.group(2)))):
            m = pattern.search(text)
            if m:
                month, day, typed = month_of(m), int(m.group(1)), m.group(3)
                break
        else:
            return None, text
        if typed is not None:
            year = _year(typed, today)
        else:
            year = today.year if (month, day) >= (today.month, today.day) else today.year + 1
    try:
        found = date(year, month, day)
    except ValueError:
        raise _impossible(day, month, year) from None
    rest = text[:m.start()] + " " + text[m.end():]
    said = _weekday_word(rest)  # "วันศุกร์ที่ 16 เม.ย. 2570": the weekday must be that date's
    if said is not None and not said.group(3):
        typed_weekday = dict(_WEEKDAY_NAMES)[said.group(2)]
        if typed_weekday != found.weekday():
            raise _Unreadable(f"{thai_day(found)} เป็นวัน{WEEKDAYS[found.weekday()]} "
                              f"ไม่ใช่วัน{WEEKDAYS[typed_weekday]}ค่ะ")
        rest = rest[:said.start()] + " " + rest[said.end():]
    return found, rest


def _take_date(text: str, today: date) -> tuple[_Day | None, str]:
    """(the date read from `text`, the text without it): a written date, a relative day ("พรุ่งนี้"),
    a month's end ("สิ้นเดือนนี้", "สิ้นเดือนหน้า") or a weekday."""
    found, rest = _calendar_date(text, today)
    if found is not None:
        return _Day(found), rest
    for word, offset in _DAY_WORDS:
        if word in text:
            return _Day(today + timedelta(days=offset)), text.replace(word, " ", 1)
    m = _MONTH_END.search(text)
    if m:
        year, month = (today.year + today.month // 12, today.month % 12 + 1) if m.group(1) == "หน้า" else \
            (today.year, today.month)
        last = date(year, month, calendar.monthrange(year, month)[1])
        return _Day(last), text[:m.start()] + " " + text[m.end():]
    return _take_weekday(text, today)


def _clean(text: str) -> str:
    return _THAI_DOT.sub("", normalize(text))  # "ก.พ." -> "กพ", "9.00 น." -> "9.00 น", Thai digits -> 0-9


def looks_like_datetime(text: str) -> bool:
    """True when `text` names a day or a time of day ("พรุ่งนี้ 08:30", "ศุกร์หน้า", "บ่ายสอง", "31 ก.พ."),
    readable or not: a step that also takes other text asks `parse_thai_datetime` only then."""
    cleaned = _clean(text)
    try:
        when, rest = _take_time(cleaned)
        found, _ = _take_date(rest, date(2000, 1, 1))
    except _Unreadable:
        return True
    return when is not None or found is not None


def parse_thai_date(text: str, today: date) -> date:
    """The calendar day `text` names (no time of day); `today` is the date in Asia/Bangkok.

    Understands the written dates, relative days and weekdays of `parse_thai_datetime` ("16 เม.ย. 2570",
    "16 เมษายน 70", "๑๖ เม.ย. ๒๕๗๐", "16/4/2570", "16/04/27", "2027-04-16", "พรุ่งนี้", "มะรืนนี้",
    "วันศุกร์หน้า", "วันศุกร์ที่ 16 เม.ย. 2570") and a month's end ("สิ้นเดือนนี้", "สิ้นเดือนหน้า"). A date
    without a year is its next occurrence (today counts); past dates with a year are returned as typed.
    Raises `DateError` (a `UserFacingError`, Thai, with examples) for text it cannot read, a time of day (not asked
    for), or a date that does not exist, naming why ("กุมภาพันธ์ 2570 มี 28 วัน", "ไม่มีเดือนที่ 13").
    """
    cleaned = _clean(text)
    try:
        found, rest = _take_date(cleaned, today)
        when, rest = _take_time(rest)
    except _Unreadable as err:
        raise _refusal(text, err.why, DATE_EXAMPLE) from None
    if found is None or _FILLER.sub("", rest):
        raise _refusal(text, "", DATE_EXAMPLE)
    if when is not None:
        raise _refusal(text, "ขั้นนี้ใช้แค่วันที่ ไม่ต้องใส่เวลาค่ะ", DATE_EXAMPLE)
    return found.day


def parse_thai_datetime(text: str, now: datetime, tz: ZoneInfo = BANGKOK) -> datetime:
    """The moment `text` names, as a timezone-aware UTC datetime; read in `tz` (Asia/Bangkok).

    Understands relative days ("วันนี้", "พรุ่งนี้", "มะรืนนี้"), a month's end ("สิ้นเดือนนี้"), weekdays
    ("วันศุกร์", "ศุกร์นี้": the coming Friday, today while the time is still ahead; "ศุกร์หน้า": Friday of
    next week, weeks starting on Monday), dates with Thai month names, short or full, with or without the
    dots ("15 ม.ค. 2570", "15 มกราคม 2027", "15 มค 70") or numeric ("15/1/2570", "15/01/27", "2027-01-15"),
    Buddhist-Era or Common-Era years (a year from 2400 on is BE; two digits are whichever of BE 25xx and
    CE 20xx is nearer), Thai digits, and times "08:30", "8.30 น.", "9 โมง", "9 โมงเช้า", "9 โมงครึ่ง",
    "บ่ายสอง", "บ่ายสองโมง", "บ่าย 3 โมง", "2 โมงบ่าย", "4 โมงเย็น", "2 ทุ่ม", "เที่ยง", "ตี 5". A time alone
    means today; a date without a year means its next occurrence. `now` is timezone-aware. Raises
    `UserFacingError` (Thai, with examples) for text it cannot read, a missing time, a date that does not
    exist (naming why: "กุมภาพันธ์ 2570 มี 28 วัน"), a time not after `now`, or one more than a year ahead.
    """
    if now.tzinfo is None:
        raise ValueError("parse_thai_datetime needs a timezone-aware now")
    local_now = now.astimezone(tz)
    try:
        when, rest = _take_time(_clean(text))
        found, rest = _take_date(rest, local_now.date())
    except _Unreadable as err:
        raise _refusal(text, err.why, DATETIME_EXAMPLE) from None
    if _FILLER.sub("", rest):
        raise _refusal(text, "", DATETIME_EXAMPLE)
    if when is None:
        raise _refusal(text, "กรุณาระบุเวลาด้วยค่ะ" if found else "", DATETIME_EXAMPLE)
    found = found or _Day(local_now.date())
    day = found.day
    moment = datetime(day.year, day.month, day.day, *when, tzinfo=tz)
    if moment <= local_now and found.rolls_weekly:
        moment += timedelta(days=7)  # "วันจันทร์ 08:30" typed on a Monday at 10:00: next Monday
    if moment <= local_now:
        raise _refusal(text, f"เวลา {thai_date(moment, tz=tz)} ผ่านไปแล้วค่ะ (ตอนนี้ {thai_date(local_now, tz=tz)})",
                       DATETIME_EXAMPLE)
    if moment - local_now > MAX_AHEAD:
        raise _refusal(text, "ตั้งเวลาล่วงหน้าได้ไม่เกิน 1 ปีค่ะ", DATETIME_EXAMPLE)
    return moment.astimezone(timezone.utc)
