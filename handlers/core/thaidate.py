"""Dates as Thai staff read them: Asia/Bangkok time, Thai month names, Buddhist-Era years (CE + 543)."""
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
MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")


def thai_date(dt: datetime, *, short: bool = True, time: bool = True, tz: ZoneInfo = BANGKOK) -> str:
    """`dt` (timezone-aware) as e.g. ``23 พ.ย. 2569 15:30`` in `tz`; `short=False` spells the month."""
    if dt.tzinfo is None:
        raise ValueError("thai_date needs a timezone-aware datetime")
    local = dt.astimezone(tz)
    month = (MONTHS_SHORT if short else MONTHS)[local.month - 1]
    text = f"{local.day} {month} {local.year + 543}"
    return f"{text} {local:%H:%M} น." if time else text


# -- parsing what an admin types for a scheduled send ------------------------------------------------
DATETIME_EXAMPLE = ("เช่น \"พรุ่งนี้ 08:30\", \"วันนี้ 16.30\", \"วันศุกร์ 9 โมงเช้า\", \"จันทร์หน้า บ่ายสอง\" "
                    "หรือ \"15 ม.ค. 2570 09:00\"")
MAX_AHEAD = timedelta(days=366)
_DAY_WORDS = (("มะรืนนี้", 2), ("มะรืน", 2), ("พรุ่งนี้", 1), ("พรุ้งนี้", 1), ("พรุ่งนี", 1), ("วันนี้", 0))
_NUMBER_WORDS = (("สิบเอ็ด", 11), ("สิบสอง", 12), ("หนึ่ง", 1), ("สอง", 2), ("สาม", 3), ("สี่", 4), ("ห้า", 5),
                 ("หก", 6), ("เจ็ด", 7), ("แปด", 8), ("เก้า", 9), ("สิบ", 10))
# weekday names as typed (Monday = 0, as `date.weekday`), longest first so "พฤหัสบดี" wins over "พฤหัส"
_WEEKDAY_NAMES = (("พฤหัสบดี", 3), ("พฤหัส", 3), ("จันทร์", 0), ("จันทร", 0), ("อังคาร", 1), ("พุธ", 2),
                  ("ศุกร์", 4), ("ศุกร", 4), ("เสาร์", 5), ("เสาร", 5), ("อาทิตย์", 6), ("อาทิตย", 6))
WEEKDAYS = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")
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


def _number(word: str) -> int:
    return int(word) if word.isdigit() else dict(_NUMBER_WORDS)[word]


def _bad(text: str, why: str = "") -> UserFacingError:
    head = why or f"ไม่เข้าใจวันเวลา \"{text.strip()[:40]}\" ค่ะ"
    return UserFacingError(f"{head} ลองพิมพ์วันและเวลาแบบนี้นะคะ {DATETIME_EXAMPLE}")


def _year(raw: str | None, default: int) -> int:
    if raw is None:
        return default
    year = int(raw)
    if len(raw) == 2:  # "15 ม.ค. 70": Thai short years are Buddhist Era
        year += 2500
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
            raise _bad(text, f"เวลา {m.group(0)} ไม่ถูกต้องค่ะ")
        return (hour, minute), rest
    for pattern, to_hour in _SPOKEN:
        m = pattern.search(text)
        if not m:
            continue
        hour = to_hour(_number(m.group(1)) if m.groups() else 0)
        if hour is None:
            raise _bad(text, f"เวลา \"{m.group(0)}\" ไม่ถูกต้องค่ะ")
        rest, minute = text[m.end():], 0
        extra = _MINUTES.match(rest)
        if extra:
            minute = 30 if extra.group(1) else int(extra.group(2))
            rest = rest[extra.end():]
            if minute > 59:
                raise _bad(text, f"นาที {minute} ไม่ถูกต้องค่ะ")
        return (hour % 24, minute), text[:m.start()] + " " + rest
    return None, text


@dataclass(frozen=True)
class _Day:
    """A date read from text: `day`, whether its year was typed, and whether it may roll on a week
    (a bare weekday, "วันจันทร์", is the next Monday: today only while the time is still ahead)."""

    day: date
    year_given: bool = True
    rolls_weekly: bool = False


def _impossible(day: int, month: int, year: int, year_given: bool) -> UserFacingError:
    """Why day/month(/year) is not in the calendar, in Thai ("31 ก.พ.": February has at most 29 days)."""
    if not 1 <= month <= 12:
        return _bad("", f"ไม่มีเดือนที่ {month} ในปฏิทินค่ะ")
    if year_given:
        days = calendar.monthrange(year, month)[1]
        return _bad("", f"ไม่มีวันที่ {day} {MONTHS_SHORT[month - 1]} {year + 543} ในปฏิทินค่ะ "
                        f"({MONTHS[month - 1]} {year + 543} มี {days} วัน)")
    days = calendar.monthrange(2024, month)[1]  # a leap year: the most days the month ever has
    return _bad("", f"ไม่มีวันที่ {day} {MONTHS_SHORT[month - 1]} ในปฏิทินค่ะ ({MONTHS[month - 1]}มีไม่เกิน {days} วัน)")


def _take_weekday(text: str, today: date) -> tuple[_Day | None, str]:
    """A weekday form: "วันศุกร์", "ศุกร์นี้" (the coming Friday), "ศุกร์หน้า" (Friday of next week, weeks
    starting on Monday). "อาทิตย์หน้า"/"อาทิตย์นี้" without "วัน" mean "next/this week", not a day: refused."""
    m = _WEEKDAY.search(text)
    if m is None:
        return None, text
    prefix, name, which = m.group(1), m.group(2), m.group(3)
    weekday = dict(_WEEKDAY_NAMES)[name]
    if weekday == 6 and which and not prefix:
        raise _bad("", f"\"อาทิตย์{which}\" ยังไม่ได้บอกว่าวันไหนค่ะ พิมพ์ชื่อวัน เช่น \"วันจันทร์{which} 09:00\" "
                       f"หรือ \"วันอาทิตย์{which} 09:00\"")
    rest = text[:m.start()] + " " + text[m.end():]
    if which == "หน้า":
        next_monday = today + timedelta(days=7 - today.weekday())
        return _Day(next_monday + timedelta(days=weekday)), rest
    return _Day(today + timedelta(days=(weekday - today.weekday()) % 7), rolls_weekly=True), rest


def _take_date(text: str, today: date) -> tuple[_Day | None, str]:
    """(the date read from `text`, the text without it)."""
    for word, offset in _DAY_WORDS:
        if word in text:
            return _Day(today + timedelta(days=offset)), text.replace(word, " ", 1)
    found, rest = _take_weekday(text, today)
    if found is not None:
        return found, rest
    for pattern, month_of in ((_TEXT_DATE, lambda m: _MONTH_NUMBER[m.group(2)]),
                              (_NUMERIC_DATE, lambda m: int(m.group(2)))):
        m = pattern.search(text)
        if m:
            year, month, day = _year(m.group(3), today.year), month_of(m), int(m.group(1))
            try:
                found = _Day(date(year, month, day), year_given=m.group(3) is not None)
            except ValueError:
                raise _impossible(day, month, year, m.group(3) is not None) from None
            return found, text[:m.start()] + " " + text[m.end():]
    return None, text


def looks_like_datetime(text: str) -> bool:
    """True when `text` names a day or a time of day ("พรุ่งนี้ 08:30", "ศุกร์หน้า", "บ่ายสอง", "31 ก.พ."),
    readable or not: a step that also takes other text asks `parse_thai_datetime` only then."""
    cleaned = _THAI_DOT.sub("", normalize(text))
    try:
        when, rest = _take_time(cleaned)
        found, _ = _take_date(rest, date(2000, 1, 1))
    except UserFacingError:
        return True
    return when is not None or found is not None


def parse_thai_datetime(text: str, now: datetime, tz: ZoneInfo = BANGKOK) -> datetime:
    """The moment `text` names, as a timezone-aware UTC datetime; read in `tz` (Asia/Bangkok).

    Understands relative days ("วันนี้", "พรุ่งนี้", "มะรืนนี้"), weekdays ("วันศุกร์", "ศุกร์นี้": the coming
    Friday, today while the time is still ahead; "ศุกร์หน้า": Friday of next week, weeks starting on Monday),
    dates with Thai month names, short or full, with or without the dots ("15 ม.ค. 2570", "15 มกราคม 2027",
    "15 มค 70") or numeric ("15/1/2570"), Buddhist-Era or Common-Era years (a year from 2400 on is BE; two
    digits are BE 25xx), Thai digits, and times "08:30", "8.30 น.", "9 โมง", "9 โมงเช้า", "9 โมงครึ่ง",
    "บ่ายสอง", "บ่าย 3 โมง", "2 โมงบ่าย", "4 โมงเย็น", "2 ทุ่ม", "เที่ยง", "ตี 5". A time alone means
    today; a date without a year means its next occurrence. `now` is timezone-aware. Raises
    `UserFacingError` (Thai, with examples) for text it cannot read, a missing time, a date that does not
    exist ("31 ก.พ."), a time not after `now`, or one more than a year ahead.
    """
    if now.tzinfo is None:
        raise ValueError("parse_thai_datetime needs a timezone-aware now")
    cleaned = _THAI_DOT.sub("", normalize(text))  # "ก.พ." -> "กพ", "9.00 น." -> "9.00 น"
    local_now = now.astimezone(tz)
    when, rest = _take_time(cleaned)
    found, rest = _take_date(rest, local_now.date())
    if _FILLER.sub("", rest):
        raise _bad(text)
    if when is None:
        raise _bad(text, "กรุณาระบุเวลาด้วยค่ะ" if found else "")
    found = found or _Day(local_now.date())
    day = found.day
    moment = datetime(day.year, day.month, day.day, *when, tzinfo=tz)
    if moment <= local_now and found.rolls_weekly:
        moment += timedelta(days=7)  # "วันจันทร์ 08:30" typed on a Monday at 10:00: next Monday
    if moment <= local_now and not found.year_given and day != local_now.date():
        try:
            moment = moment.replace(year=moment.year + 1)  # "15 ม.ค." typed in December
        except ValueError:  # 29 February
            raise _bad(text, "วันที่นี้ผ่านไปแล้ว และปีหน้าไม่มีวันนี้ค่ะ") from None
    if moment <= local_now:
        raise _bad(text, f"เวลา {thai_date(moment, tz=tz)} ผ่านไปแล้วค่ะ (ตอนนี้ {thai_date(local_now, tz=tz)})")
    if moment - local_now > MAX_AHEAD:
        raise _bad(text, "ตั้งเวลาล่วงหน้าได้ไม่เกิน 1 ปีค่ะ")
    return moment.astimezone(timezone.utc)
