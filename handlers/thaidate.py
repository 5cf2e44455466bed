"""Dates as Thai staff read them: Asia/Bangkok time, Thai month names, Buddhist-Era years (CE + 543)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

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
