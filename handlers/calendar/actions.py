"""The office's holiday calendar as admins edit it: what the coming days off are, adding one, removing one.

Plain functions of a session (chat, `flask holidays …` and a later web desk call them): they check the
policy ("holidays.manage"), write through `storage.holidays`, audit ("holiday.add", "holiday.restore",
"holiday.remove", "holiday.work", target the ISO date, detail the name and where from) and return a
`Change` for the caller to word. Days are calendar dates in Asia/Bangkok. Public holidays come from the
`holidays` package (`handlers.core.workdays.public_holidays`); the office's edits win over it
(/work/shared/docs/libraries.md, "Holidays and working days"), so `office_calendar` sees a change at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from handlers.core import policy
from handlers.core.thaidate import thai_day
from handlers.core.types import Actor, UserFacingError
from handlers.core.words import drop_particles
from handlers.core.workdays import office_calendar, public_holidays
from storage import holidays as edits
from storage.members import audit

AHEAD = timedelta(days=90)  # the list shows at least this far ahead
MAX_NAME = 200  # storage.models.Holiday.name; the package's own names run to 131 characters
OFFICE_DAY_OFF = "วันหยุดที่สำนักงานประกาศ"
WEEKEND = "{day} เป็น{why}อยู่แล้วค่ะ ไม่ต้องเพิ่มนะคะ"
ALREADY_OFF = "{day} เป็นวันหยุดราชการอยู่แล้วค่ะ ({name})"
NOT_OFF = "{day} ไม่ได้เป็นวันหยุดค่ะ จึงไม่มีอะไรให้ลบ"
NAME_NEEDED = "ขอชื่อวันหยุดด้วยค่ะ เช่น \"วันหยุดราชการเพิ่มเติมตามมติคณะรัฐมนตรี\""
NAME_TOO_LONG = f"ชื่อวันหยุดยาวได้ไม่เกิน {MAX_NAME} ตัวอักษรค่ะ"


@dataclass(frozen=True)
class DayOff:
    """One day of the holiday list: its `name` and `kind` — "public" (the package's), "office" (added
    by the admins) or "worked" (a public holiday the office works after all, so not a day off)."""

    day: date
    name: str
    kind: str


@dataclass(frozen=True)
class Change:
    """What an edit did to `day`: "added" (a new day off), "renamed" (an added one's new name),
    "restored" (a worked public holiday is a day off again), "removed" (an added day off undone) or
    "worked" (a public holiday is now a working day for the office); `name` is the day's name."""

    kind: str
    day: date
    name: str


def fiscal_year_end(today: date) -> date:
    """30 September of the fiscal year `today` is in (October starts the next one)."""
    return date(today.year + (today.month >= 10), 9, 30)


def window(today: date) -> tuple[date, date]:
    """The days the list shows: from `today` to the end of the fiscal year, and at least `AHEAD`."""
    return today, max(today + AHEAD, fiscal_year_end(today))


def days_off(session: Session, start: date, end: date) -> list[DayOff]:
    """Public holidays and the office's edits from `start` to `end` (inclusive), by day; weekends only
    where a holiday falls on one."""
    public: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        public.update({d: n for d, n in public_holidays(year).items() if start <= d <= end})
    edited = {e.day: e for e in edits.edits(session, start=start, end=end)}
    out = []
    for day in sorted(set(public) | set(edited)):
        e = edited.get(day)
        if e is None:
            out.append(DayOff(day, public[day], "public"))
        elif e.off:
            out.append(DayOff(day, e.name or public.get(day) or OFFICE_DAY_OFF, "office"))
        elif day in public:
            out.append(DayOff(day, public[day], "worked"))
    return out


def removable(session: Session, day: date) -> DayOff | None:
    """`day` as a day off an admin may remove (an added one, or a public holiday not yet worked), or None."""
    found = days_off(session, day, day)
    return found[0] if found and found[0].kind != "worked" else None


def worked_holiday(session: Session, day: date) -> str | None:
    """The name of the public holiday `day` when the office works it (adding it back restores it), else None."""
    edit = edits.get(session, day)
    return public_holidays(day.year).get(day) if edit is not None and not edit.off else None


def check_addable(session: Session, day: date) -> None:
    """Raise `UserFacingError` (Thai) when `day` is a day off already: a weekend or a public holiday the
    office does not work. An added day off may be renamed; a worked public holiday may be restored."""
    edit = edits.get(session, day)
    if edit is not None:
        return
    why = office_calendar(session).day_off(day)
    if why in ("วันเสาร์", "วันอาทิตย์"):
        raise UserFacingError(WEEKEND.format(day=thai_day(day, weekday=True), why=why))
    if why is not None:
        raise UserFacingError(ALREADY_OFF.format(day=thai_day(day, weekday=True), name=why))


def clean_name(name: str) -> str:
    """`name` with its spaces tidied and trailing particles dropped ("…ตามมติ ครม.ค่ะ"); raises
    `UserFacingError` when empty or over `MAX_NAME` characters."""
    name = drop_particles(" ".join(name.split()))
    if not name:
        raise UserFacingError(NAME_NEEDED)
    if len(name) > MAX_NAME:
        raise UserFacingError(NAME_TOO_LONG)
    return name


def add_day_off(session: Session, actor: Actor, day: date, name: str, now: datetime, via: str = "chat") -> Change:
    """Make `day` a day off named `name` for the office, as `actor` at `now` (UTC); `via` ("chat", "cli")
    is audited. Raises `UserFacingError` when `actor` may not, or `day` is off already (`check_addable`)."""
    policy.require(actor, "holidays.manage")
    name = clean_name(name)
    check_addable(session, day)
    edit = edits.get(session, day)
    if edit is not None and not edit.off:  # a worked public holiday: the package's answer applies again
        edits.clear_day(session, day)
        change = Change("restored", day, public_holidays(day.year).get(day, name))
    else:
        change = Change("renamed" if edit is not None else "added", day, name)
        edits.set_day(session, day, True, name, actor.user_id or "", now)
    audit(session, actor.user_id or "", f"holiday.{'add' if change.kind != 'restored' else 'restore'}",
          day.isoformat(), now, name=change.name, change=change.kind, via=via)
    return change


def remove_day_off(session: Session, actor: Actor, day: date, now: datetime, via: str = "chat") -> Change:
    """Undo a day off the office added, or make a public holiday a working day for the office, as
    `actor` at `now` (UTC). Raises `UserFacingError` when `actor` may not, or `day` is not a day off."""
    policy.require(actor, "holidays.manage")
    found = removable(session, day)
    if found is None:
        raise UserFacingError(NOT_OFF.format(day=thai_day(day, weekday=True)))
    if found.kind == "office":
        edits.clear_day(session, day)
        change = Change("removed", day, found.name)
    else:
        edits.set_day(session, day, False, found.name, actor.user_id or "", now)
        change = Change("worked", day, found.name)
    audit(session, actor.user_id or "", f"holiday.{'remove' if change.kind == 'removed' else 'work'}",
          day.isoformat(), now, name=change.name, via=via)
    return change
