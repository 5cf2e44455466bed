"""The office's working-day calendar: weekends, Thai public holidays, and the office's own edits.

Public holidays (with substitution days) come from the `holidays` package
(`holidays.country_holidays("TH", language="th")`, /work/shared/docs/libraries.md); days the cabinet
declares later, and holidays the office works after all, come from the admins' table
(`storage.models.Holiday`, `flask holidays …`). Reminders move to the working day before a day off;
complaint deadlines count working days. All dates are calendar dates in Asia/Bangkok.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays as holiday_package
from sqlalchemy.orm import Session

from storage import holidays as holiday_edits

MAX_WALK = 400  # days; no run of days off is this long, so a walk that gets here has a bug


@lru_cache(maxsize=64)
def public_holidays(year: int) -> dict[date, str]:
    """Thai public holidays of CE `year` with their Thai names (substitution days included)."""
    return dict(holiday_package.country_holidays("TH", years=year, language="th"))


@dataclass(frozen=True)
class WorkCalendar:
    """Working days: Monday–Friday that are not a public holiday, with the office's edits on top.

    `extra_off` maps days the office is closed (cabinet-declared) to their names; `worked` are public
    holidays the office works. `office_calendar(session)` builds the office's.
    """

    extra_off: dict[date, str] = field(default_factory=dict)
    worked: frozenset[date] = frozenset()

    def day_off(self, day: date) -> str | None:
        """Why `day` is not a working day ("วันเสาร์", the holiday's Thai name), or None when it is one."""
        if day in self.extra_off:
            return self.extra_off[day] or "วันหยุดที่สำนักงานประกาศ"
        if day in self.worked:
            return None
        if day.weekday() == 5:
            return "วันเสาร์"
        if day.weekday() == 6:
            return "วันอาทิตย์"
        return public_holidays(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        """True on a working day."""
        return self.day_off(day) is None

    def on_or_before(self, day: date) -> date:
        """`day` if it is a working day, else the last working day before it."""
        for _ in range(MAX_WALK):
            if self.is_working_day(day):
                return day
            day -= timedelta(days=1)
        raise RuntimeError("no working day found")

    def add_working_days(self, day: date, n: int) -> date:
        """The `n`-th working day after `day` (n ≥ 0; n = 0 gives `day` itself, or the next working day
        if `day` is a day off): "within 1 working day" of a Friday-evening case is the Monday."""
        if n < 0:
            raise ValueError("n must be ≥ 0")
        for _ in range(MAX_WALK):
            if self.is_working_day(day):
                break
            day += timedelta(days=1)
        steps = 0
        while steps < n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                steps += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie after `start` up to and including `end` (0 when end ≤ start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


def office_calendar(session: Session) -> WorkCalendar:
    """The office's calendar: the `holidays` package with every admin edit on top."""
    rows = holiday_edits.edits(session)
    return WorkCalendar({r.day: r.name for r in rows if r.off}, frozenset(r.day for r in rows if not r.off))
