"""Complaint deadlines in working days, and the notices the `complaint-sla` job sends about them.

A case is due to be acknowledged within `acknowledge_working_days` and its outcome told within
`outcome_working_days` working days of filing (content/complaints.yaml; the seeds give no deadlines, seed 001
lines 321–406 only ask for a tracked channel). Days are counted on the office's calendar
(`handlers.core.workdays.office_calendar`: weekends, Thai public holidays, the admins' edits), from the
Asia/Bangkok date of filing: a case filed on a working day is received that day; one filed on a day off is
received on the next working day. "Within 1 working day" of a Friday-afternoon case is the Monday.

A deadline is met when the step happens (acknowledged: `acknowledged_at`, the first move out of "new";
outcome: `closed_at`, resolved or dismissed) on or before the due date, in Bangkok time.

Notices (each at most once per case, its key kept in `Complaint.notices`), sent only on working days:
- "ack-soon" / "resolve-soon": the officer who took the case (`assignee_id`), else the group chats bound as
  the complaints room (where the new-case notice went) if any, else every complaint officer, else the
  admins, from `remind_before_working_days` working days before the due date — but never on the
  filing day itself, when the new-case notice has just gone out (so with a 1-day acknowledgement the
  reminder comes on the morning of the due day);
- "ack-missed" / "resolve-missed": the admins (and the assignee), from the first working day after it.
One push per person (or room) per run lists all their cases. No notice names the complainant or quotes
the details.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from handlers.complaints.catalog import catalog
from handlers.core.thaidate import BANGKOK, WEEKDAYS, thai_date
from handlers.core.types import Reply, TextReply
from handlers.core.workdays import WorkCalendar, office_calendar
from storage import complaints, groups as chat_groups, members
from storage.models import Complaint

STEPS = {"ack": "แจ้งรับเรื่อง", "resolve": "แจ้งผลการดำเนินการ"}
SOON_HEAD = "⏰ เรื่องร้องเรียนใกล้ครบกำหนดค่ะ"
MISSED_HEAD = "⚠️ เรื่องร้องเรียนที่เลยกำหนดแล้วค่ะ"
TAIL = "ในแชต 1:1 กับบอท พิมพ์ \"เรื่องร้องเรียน\" เพื่อดูคิวงาน หรือพิมพ์เลขเรื่องเพื่อเปิดดูได้เลยนะคะ 🙏"


def local_day(at: datetime) -> date:
    """The Asia/Bangkok calendar date of `at` (aware, usually UTC)."""
    return at.astimezone(BANGKOK).date()


def day_text(day: date) -> str:
    """A Bangkok calendar date as staff read it: ``พ. 21 ก.ค. 2570`` (weekday, Buddhist Era)."""
    weekday = WEEKDAYS[day.weekday()]
    short = "พฤ." if weekday == "พฤหัสบดี" else weekday[0] + "."
    return f"{short} {thai_date(datetime.combine(day, time(12), BANGKOK), time=False)}"


def deadlines(session: Session, filed_at: datetime, cal: WorkCalendar | None = None) -> tuple[date, date]:
    """(ack_due, resolve_due): the Bangkok dates by which a case filed at `filed_at` (UTC) must be
    acknowledged and its outcome told, counted in working days on the office's calendar (`cal`, default
    `office_calendar(session)`) from the catalog's deadlines. The filing helper stores them on the case."""
    cal = cal or office_calendar(session)
    cat, day = catalog(), local_day(filed_at)
    return cal.add_working_days(day, cat.ack_working_days), cal.add_working_days(day, cat.outcome_working_days)


def due_dates(session: Session, case: Complaint, cal: WorkCalendar | None = None) -> tuple[date, date]:
    """The case's (ack_due, resolve_due), filled in from `deadlines` when it was filed without them."""
    if case.ack_due is None or case.resolve_due is None:
        ack, resolve = deadlines(session, case.filed_at, cal)
        case.ack_due, case.resolve_due = case.ack_due or ack, case.resolve_due or resolve
    return case.ack_due, case.resolve_due


def _working_days_before(cal: WorkCalendar, day: date, n: int) -> date:
    """The working day `n` working days before `day` (n = 0: `day`)."""
    while n > 0:
        day -= timedelta(days=1)
        n -= cal.is_working_day(day)
    return day


def remind_on(cal: WorkCalendar, filed_day: date, due: date, before: int) -> date:
    """The day a reminder for `due` is first sent: `before` working days ahead of it, but not on the
    filing day (`filed_day`, Bangkok) — at the earliest the next working day — and never after `due`."""
    first = cal.add_working_days(filed_day + timedelta(days=1), 0)
    return min(due, max(_working_days_before(cal, due, before), first))


@dataclass(frozen=True)
class Notice:
    """One deadline notice: the case, which deadline (`step`: "ack" or "resolve"), whether it was
    `missed`, and its due date (Bangkok)."""

    case: Complaint
    step: str
    missed: bool
    due: date

    @property
    def key(self) -> str:
        return f"{self.step}-{'missed' if self.missed else 'soon'}"

    def line(self) -> str:
        cat = catalog()
        head = f"• {self.case.number} {cat.kind(self.case.kind).name} · {cat.topic(self.case.topic).name}"
        if self.missed:
            return f"{head}\n  ยังไม่ได้{STEPS[self.step]} (กำหนด {day_text(self.due)})"
        return f"{head}\n  ต้อง{STEPS[self.step]}ภายใน {day_text(self.due)}"


def due_notices(session: Session, now: datetime, cal: WorkCalendar | None = None) -> list[Notice]:
    """The notices due at `now` (UTC) that were not sent yet, for the open cases, oldest case first; none on
    a day off (Bangkok). Reading fills in missing due dates; nothing is marked sent (`mark_sent`)."""
    cal = cal or office_calendar(session)
    today = local_day(now)
    if not cal.is_working_day(today):
        return []
    before = catalog().remind_before_working_days
    out = []
    for case in complaints.open_cases(session):
        ack_due, resolve_due = due_dates(session, case, cal)
        steps = [("resolve", resolve_due)]
        if case.acknowledged_at is None:
            steps.insert(0, ("ack", ack_due))
        for step, due in steps:
            if today > due:
                notice = Notice(case, step, True, due)
            elif today >= remind_on(cal, local_day(case.filed_at), due, before):
                notice = Notice(case, step, False, due)
            else:
                continue
            if notice.key not in (case.notices or []):
                out.append(notice)
    return out


def mark_sent(notices: list[Notice]) -> None:
    """Record each notice on its case (`Complaint.notices`), so it is never sent again."""
    for n in notices:
        n.case.notices = [*(n.case.notices or []), n.key]  # a new list: the JSON column sees the change


def _officers(session: Session) -> list[str]:
    return [m.user_id for m in members.members(session, role="staff", officer=True)]


def _assignee(session: Session, case: Complaint) -> list[str]:
    m = members.get_member(session, case.assignee_id) if case.assignee_id else None
    return [m.user_id] if m is not None and m.status == "active" else []


def _rooms(session: Session) -> list[str]:
    return [g.chat_id for g in chat_groups.active_groups(session, chat_groups.COMPLAINTS)]


def recipients(session: Session, notice: Notice, admin_ids: list[str]) -> list[str]:
    """LINE IDs (users or group chats) to hear of `notice`: a reminder goes to the case's officer, else the
    complaints room(s), else every complaint officer, else the admins; a missed deadline goes to the admins
    and the case's officer, 1:1."""
    if notice.missed:
        return list(dict.fromkeys([*admin_ids, *_assignee(session, notice.case)]))
    return _assignee(session, notice.case) or _rooms(session) or _officers(session) or list(admin_ids)


def digest(notices: list[Notice]) -> list[Reply]:
    """One person's notices as one text: missed deadlines first, then the coming ones."""
    parts = []
    missed = [n for n in notices if n.missed]
    soon = [n for n in notices if not n.missed]
    if missed:
        parts.append("\n".join([MISSED_HEAD, *(n.line() for n in missed)]))
    if soon:
        parts.append("\n".join([SOON_HEAD, *(n.line() for n in soon)]))
    return [TextReply("\n\n".join([*parts, TAIL]))]


def sweep(session: Session, now: datetime, configured_admins: frozenset[str] = frozenset()
          ) -> list[tuple[str, list[Reply]]]:
    """The deadline pushes due at `now` (UTC) as (LINE user or group ID, replies), one per recipient, and
    the notices marked sent, in the caller's transaction (the job enqueues the pushes in the same one). A
    notice with nobody to tell is still marked, so it does not pile up."""
    notices = due_notices(session, now)
    admins = members.admin_ids(session, configured_admins)
    per_person: dict[str, list[Notice]] = {}
    for n in notices:
        for to in recipients(session, n, admins):
            per_person.setdefault(to, []).append(n)
    mark_sent(notices)
    session.flush()
    return [(to, digest(ns)) for to, ns in per_person.items()]
