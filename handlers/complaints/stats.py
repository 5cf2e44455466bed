"""Complaint statistics for a period: what the office reports for seed 001's service-quality work (lines
321–406: "นำข้อร้องเรียน … มาวิเคราะห์ สรุปผล") and its ITA evidence, by type, topic and state, time to
acknowledge and to resolve, the share handled in time and satisfaction.

Choices made here (and in README):
- A period holds the cases FILED in it (Bangkok dates, both ends included); their states are as of now.
- Times are in WORKING DAYS on the office calendar, as the deadlines are: from the day a case is received
  (its filing day, or the next working day when filed on a day off) to the Bangkok day of the step; a case
  acknowledged the day it came in took 0 days. Hours would count nights and weekends against the office.
- "In time" counts the steps whose outcome is known: done by the due date, out of those done plus those
  still waiting past it (a case not yet due counts in neither). "Handled in time" is the outcome deadline.
- Satisfaction: the mean of the 1–5 star ratings given, and how many.
Nothing here carries who filed a case: `CaseFacts` has no field for it, and the school and details are
left out too, so a report cannot leak them.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.complaints.catalog import catalog
from handlers.complaints.sla import day_text, due_dates, local_day
from handlers.core.thaidate import BANGKOK, MONTHS
from handlers.core.types import UserFacingError
from handlers.core.words import plain
from handlers.core.workdays import WorkCalendar, office_calendar
from storage import complaints
from storage.models import Complaint

BAD_PERIOD = ("ขอโทษค่ะ ไม่แน่ใจว่าต้องการช่วงไหน พิมพ์ได้เช่น \"สถิติเรื่องร้องเรียน เดือนนี้\", \"… เดือนที่แล้ว\", "
              "\"… 6 เดือน\", \"… 12 เดือน\" หรือ \"… ปีงบประมาณ 2570\" ค่ะ")


@dataclass(frozen=True)
class Period:
    """A span of Bangkok calendar dates, `start`..`end` inclusive, and how it is named in Thai."""

    start: date
    end: date
    label: str

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start 00:00, the day after end 00:00) in Bangkok, as aware datetimes."""
        return (datetime.combine(self.start, time(0), BANGKOK),
                datetime.combine(self.end + timedelta(days=1), time(0), BANGKOK))


def _month_start(day: date, back: int) -> date:
    m = day.year * 12 + day.month - 1 - back
    return date(m // 12, m % 12 + 1, 1)


def month_label(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year + 543}"


def fiscal_period(year_be: int) -> Period:
    """Buddhist-Era fiscal year `year_be`: 1 October of the year before to 30 September."""
    ce = year_be - 543
    return Period(date(ce - 1, 10, 1), date(ce, 9, 30), f"ปีงบประมาณ {year_be}")


def span(start: date, end: date) -> Period:
    """The period `start`..`end` (Bangkok dates), named by its Thai dates."""
    if end < start:
        raise ValueError("the period ends before it starts")
    return Period(start, end, f"{day_text(start)} – {day_text(end)}")


def period_of(text: str, now: datetime) -> Period:
    """The period an admin typed after the command: "" or "เดือนนี้" (this month so far), "เดือนที่แล้ว",
    "N เดือน" (the last N months, this one included: 6 and 12 are the usual), "ปีงบประมาณ [2570]" (that
    fiscal year; this one by default). Raises UserFacingError(BAD_PERIOD) for anything else."""
    today = local_day(now)
    q = plain(text).replace(" ", "")
    if q in ("", "เดือนนี", "เดือนน", "รายเดือน", "เดือน"):
        return Period(today.replace(day=1), today, f"เดือน{month_label(today)}")
    if q in ("เดือนทีแลว", "เดือนกอน", "เดือนทีผานมา"):
        start = _month_start(today, 1)
        return Period(start, today.replace(day=1) - timedelta(days=1), f"เดือน{month_label(start)}")
    digits = "".join(ch for ch in q if ch.isdigit())
    if q.startswith("ปีงบ"):
        fy = int(digits) if digits else today.year + 543 + (1 if today.month >= 10 else 0)
        if fy < 2400:
            fy += 543
        return fiscal_period(fy)
    if digits and q.endswith("เดือน") and 1 <= int(digits) <= 36:
        n = int(digits)
        start = _month_start(today, n - 1)
        return Period(start, today, f"{n} เดือนล่าสุด ({month_label(start)} – {month_label(today)})")
    raise UserFacingError(BAD_PERIOD)


@dataclass(frozen=True)
class CaseFacts:
    """One case as the statistics see it: no identity, no school, no details. Dates are Bangkok dates;
    `ack_days`/`resolve_days` are working days (None: not done yet); `*_on_time` is None while unknown."""

    number: str
    kind: str
    topic: str
    state: str
    filed_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None
    ack_due: date
    resolve_due: date
    ack_days: int | None
    resolve_days: int | None
    ack_on_time: bool | None
    resolve_on_time: bool | None
    rating: int | None
    reopened: int


def _elapsed(cal: WorkCalendar, filed_at: datetime, done_at: datetime | None) -> int | None:
    if done_at is None:
        return None
    received = cal.add_working_days(local_day(filed_at), 0)
    return cal.working_days_between(received, local_day(done_at))


def _on_time(done_at: datetime | None, due: date, today: date) -> bool | None:
    if done_at is not None:
        return local_day(done_at) <= due
    return False if today > due else None


def facts(session: Session, case: Complaint, cal: WorkCalendar, today: date) -> CaseFacts:
    """The statistics' view of `case` on Bangkok day `today`."""
    ack_due, resolve_due = due_dates(session, case, cal)
    return CaseFacts(case.number, case.kind, case.topic, case.state, case.filed_at, case.acknowledged_at,
                     case.closed_at, ack_due, resolve_due, _elapsed(cal, case.filed_at, case.acknowledged_at),
                     _elapsed(cal, case.filed_at, case.closed_at), _on_time(case.acknowledged_at, ack_due, today),
                     _on_time(case.closed_at, resolve_due, today), case.rating, case.reopened or 0)


@dataclass(frozen=True)
class Figures:
    """Counts and times of a set of cases (a whole period, or one topic of it)."""

    cases: tuple[CaseFacts, ...]

    @property
    def total(self) -> int:
        return len(self.cases)

    def count(self, attr: str) -> dict[str, int]:
        """How many cases per value of `attr` ("kind", "topic", "state")."""
        out: dict[str, int] = {}
        for c in self.cases:
            out[getattr(c, attr)] = out.get(getattr(c, attr), 0) + 1
        return out

    def days(self, step: str) -> list[int]:
        """Working days to `step` ("ack" or "resolve") of the cases that got there."""
        return [d for d in (getattr(c, f"{step}_days") for c in self.cases) if d is not None]

    def median(self, step: str) -> float | None:
        d = self.days(step)
        return statistics.median(d) if d else None

    def mean(self, step: str) -> float | None:
        d = self.days(step)
        return statistics.fmean(d) if d else None

    def in_time(self, step: str) -> tuple[int, int]:
        """(on time, known) for `step`: done by the due date, out of those done or overdue."""
        known = [v for v in (getattr(c, f"{step}_on_time") for c in self.cases) if v is not None]
        return sum(known), len(known)

    @property
    def ratings(self) -> list[int]:
        return [c.rating for c in self.cases if c.rating is not None]

    @property
    def satisfaction(self) -> float | None:
        return statistics.fmean(self.ratings) if self.ratings else None


@dataclass(frozen=True)
class Summary(Figures):
    """A period's figures (`Figures`), with the period, when it was computed (UTC) and per topic."""

    period: Period
    as_of: datetime

    def by_topic(self) -> list[tuple[str, Figures]]:
        """(topic id, its figures) for the catalog's topics that have cases, in the catalog's order."""
        order = [t.id for t in catalog().topics]
        groups: dict[str, list[CaseFacts]] = {}
        for c in self.cases:
            groups.setdefault(c.topic, []).append(c)
        keys = sorted(groups, key=lambda t: order.index(t) if t in order else len(order))
        return [(t, Figures(tuple(groups[t]))) for t in keys]


def summarize(session: Session, period: Period, now: datetime) -> Summary:
    """The figures of the cases filed in `period`, their states as of `now` (UTC)."""
    cal = office_calendar(session)
    lo, hi = period.utc_bounds()
    rows = session.scalars(select(Complaint).where(Complaint.filed_at >= lo, Complaint.filed_at < hi)
                           .order_by(Complaint.filed_at, Complaint.id))
    today = local_day(now)
    return Summary(tuple(facts(session, c, cal, today) for c in rows), period=period, as_of=now)


def share(part: int, whole: int) -> str:
    """"3/4 (75%)", or "-" when there is nothing to count."""
    return f"{part}/{whole} ({round(100 * part / whole)}%)" if whole else "-"


def number(value: float | None, unit: str = "") -> str:
    """A figure with one decimal at most ("1.5", "2"), or "-"."""
    if value is None:
        return "-"
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text} {unit}".strip()


def state_name(state: str) -> str:
    return complaints.STATE_NAMES.get(state, state)
