"""The admins' edits of the holiday calendar (`storage.models.Holiday`); `handlers.core.workdays` makes the
calendar from them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Holiday


def set_day(session: Session, day: date, off: bool, name: str, by: str, now: datetime) -> Holiday:
    """Make `day` a day off (`off`, named `name`) or a working day, replacing an earlier edit of it."""
    row = session.get(Holiday, day)
    if row is None:
        row = Holiday(day=day)
        session.add(row)
    row.off, row.name, row.created_by, row.created_at = off, name.strip()[:200], by, now
    session.flush()
    return row


def get(session: Session, day: date) -> Holiday | None:
    """The office's edit of `day`, or None."""
    return session.get(Holiday, day)


def clear_day(session: Session, day: date) -> bool:
    """Forget the office's edit of `day` (the package's answer applies again); True if there was one."""
    row = session.get(Holiday, day)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def edits(session: Session, year: int | None = None, *, start: date | None = None,
          end: date | None = None) -> list[Holiday]:
    """The office's edits, by day; of CE `year` only, or from `start` to `end` (inclusive), when given."""
    stmt = select(Holiday).order_by(Holiday.day)
    if year is not None:
        start, end = date(year, 1, 1), date(year, 12, 31)
    if start is not None:
        stmt = stmt.where(Holiday.day >= start)
    if end is not None:
        stmt = stmt.where(Holiday.day <= end)
    return list(session.scalars(stmt))
