"""Complaint cases (`storage.models.Complaint`): numbers, filing, the state machine, history, identity.

A case number is read aloud: the type letter, the Buddhist-Era year of filing (Asia/Bangkok) and a
sequence per letter and year, "ร-2570-0042". The sequence comes from one upsert on `complaint_counters`
(INSERT … ON CONFLICT DO UPDATE … RETURNING, on SQLite ≥ 3.35 and PostgreSQL), so concurrent filings
never share a number.

The complainant's LINE user ID lives in `ComplaintContact`; officer-facing code reads a case through
`Complaint` only, and learns who filed it through `reveal`, which refuses for anonymous cases and writes
every view to the audit log.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditLog, Complaint, ComplaintContact, ComplaintCounter, ComplaintEvent
from storage.queries import insert_for

BANGKOK = ZoneInfo("Asia/Bangkok")
KINDS = ("complaint", "suggestion", "opinion", "compliment")
STATES = ("new", "acknowledged", "in_progress", "forwarded", "resolved", "dismissed")
OPEN_STATES = ("new", "acknowledged", "in_progress", "forwarded")
CLOSED_STATES = ("resolved", "dismissed")
STATE_NAMES = {"new": "ใหม่", "acknowledged": "รับเรื่องแล้ว", "in_progress": "กำลังดำเนินการ",
               "forwarded": "ส่งต่อ", "resolved": "เสร็จสิ้น", "dismissed": "ยุติเรื่อง"}
# the moves an officer may make from each state (ใหม่ → รับเรื่องแล้ว → กำลังดำเนินการ → ส่งต่อ → เสร็จสิ้น,
# or ยุติเรื่อง with a reason); a closed case moves only by reopening (`reopen`)
MOVES = {"new": ("acknowledged", "in_progress", "forwarded", "resolved", "dismissed"),
         "acknowledged": ("in_progress", "forwarded", "resolved", "dismissed"),
         "in_progress": ("forwarded", "resolved", "dismissed"),
         "forwarded": ("in_progress", "resolved", "dismissed"),
         "resolved": (), "dismissed": ()}


class ComplaintError(ValueError):
    """A case cannot be changed as asked (an impossible move, an anonymous identity); English, for logs/CLI."""


def year_be(at: datetime) -> int:
    """The Buddhist-Era calendar year of `at` (aware) in Asia/Bangkok."""
    return at.astimezone(BANGKOK).year + 543


def next_number(session: Session, letter: str, year: int) -> str:
    """The next case number for type `letter` in Buddhist-Era `year`, e.g. ``ร-2570-0042`` (four digits,
    more past 9,999). One atomic upsert: safe when two filings happen at once."""
    make = insert_for(session)
    stmt = make(ComplaintCounter).values(prefix=letter, year_be=year, last=1)
    stmt = stmt.on_conflict_do_update(index_elements=["prefix", "year_be"],
                                      set_={"last": ComplaintCounter.last + 1}).returning(ComplaintCounter.last)
    seq = session.execute(stmt).scalar_one()
    return f"{letter}-{year}-{seq:04d}"


def create(session: Session, *, letter: str, kind: str, topic: str, details: str, user_id: str, name: str,
           now: datetime, anonymous: bool = False, school_code: str | None = None,
           files: list[dict] | None = None, ack_due: date | None = None, resolve_due: date | None = None) -> Complaint:
    """File a case: the case row (number from `next_number`), its contact row apart, and a "filed" event;
    flushes, never commits. `now` is UTC; `ack_due`/`resolve_due` are Bangkok dates. Raises ComplaintError
    for an unknown kind or empty details."""
    if kind not in KINDS:
        raise ComplaintError(f"unknown kind {kind!r}")
    if not (details or "").strip() and not files:
        raise ComplaintError("a case needs details")
    case = Complaint(number=next_number(session, letter, year_be(now)), kind=kind, topic=topic, details=details,
                     files=list(files or []), anonymous=anonymous, school_code=school_code, state="new",
                     filed_at=now, updated_at=now, ack_due=ack_due, resolve_due=resolve_due, notices=[],
                     close_reason="", rating_comment="", reopened=0)
    session.add(case)
    session.flush()
    session.add(ComplaintContact(complaint_id=case.id, user_id=user_id, name=name))
    add_event(session, case, "complainant", "filed", now, to_state="new", text=details, files=files, public=True)
    return case


def add_event(session: Session, case: Complaint, by: str, action: str, now: datetime, *, from_state: str = "",
              to_state: str = "", text: str = "", files: list[dict] | None = None, public: bool = False,
              detail: dict | None = None) -> ComplaintEvent:
    """Append one step to the case's history (and touch `updated_at`); flushes."""
    ev = ComplaintEvent(complaint_id=case.id, by=by, at=now, action=action, from_state=from_state,
                        to_state=to_state, text=text, files=list(files or []), public=public, detail=dict(detail or {}))
    case.updated_at = now
    session.add(ev)
    session.flush()
    return ev


def move(session: Session, case: Complaint, to_state: str, by: str, now: datetime, *, text: str = "",
         public: bool = False, detail: dict | None = None) -> ComplaintEvent:
    """Move the case to `to_state` (one of `MOVES[case.state]`) and keep the step. Sets `acknowledged_at`
    at the first move out of "new" and `closed_at` on closing; a dismissal keeps `text` as the reason.
    Raises ComplaintError for a move the state machine does not allow or a dismissal without a reason."""
    if to_state not in MOVES.get(case.state, ()):
        raise ComplaintError(f"cannot move {case.number} from {case.state} to {to_state}")
    if to_state == "dismissed" and not text.strip():
        raise ComplaintError("a dismissal needs a reason")
    from_state = case.state
    case.state = to_state
    if case.acknowledged_at is None:
        case.acknowledged_at = now
    if to_state in CLOSED_STATES:
        case.closed_at = now
        if to_state == "dismissed":
            case.close_reason = text.strip()
    action = to_state if to_state in ("acknowledged", "forwarded", "resolved", "dismissed") else "state"
    return add_event(session, case, by, action, now, from_state=from_state, to_state=to_state, text=text,
                     public=public, detail=detail)


def reopen(session: Session, case: Complaint, now: datetime, reopen_days: int, text: str = "") -> ComplaintEvent:
    """Reopen a closed case once, within `reopen_days` calendar days of closing (the complainant asks);
    it goes back to "in_progress". Raises ComplaintError when it is open, was reopened already, or too late."""
    if case.state not in CLOSED_STATES or case.closed_at is None:
        raise ComplaintError(f"{case.number} is not closed")
    if case.reopened >= 1:
        raise ComplaintError(f"{case.number} was reopened already")
    if (now - case.closed_at).total_seconds() > reopen_days * 86400:
        raise ComplaintError(f"{case.number} closed more than {reopen_days} days ago")
    from_state = case.state
    case.state, case.closed_at, case.reopened = "in_progress", None, case.reopened + 1
    case.rating, case.rating_comment = None, ""
    return add_event(session, case, "complainant", "reopened", now, from_state=from_state, to_state="in_progress",
                     text=text, public=True)


def get(session: Session, case_id: int) -> Complaint | None:
    return session.get(Complaint, case_id)


def by_number(session: Session, number: str) -> Complaint | None:
    """The case with this number ("ร-2570-0042", exactly as stored), or None."""
    return session.scalars(select(Complaint).where(Complaint.number == number)).first()


def history(session: Session, case: Complaint, *, public_only: bool = False) -> list[ComplaintEvent]:
    """The case's steps, oldest first; `public_only` keeps what the complainant may see."""
    stmt = select(ComplaintEvent).where(ComplaintEvent.complaint_id == case.id)
    if public_only:
        stmt = stmt.where(ComplaintEvent.public.is_(True))
    return list(session.scalars(stmt.order_by(ComplaintEvent.at, ComplaintEvent.id)))


def filed_by(session: Session, user_id: str) -> list[Complaint]:
    """The cases this LINE user filed (anonymous ones too: they are theirs), newest first."""
    stmt = (select(Complaint).join(ComplaintContact, ComplaintContact.complaint_id == Complaint.id)
            .where(ComplaintContact.user_id == user_id).order_by(Complaint.filed_at.desc(), Complaint.id.desc()))
    return list(session.scalars(stmt))


def is_filer(session: Session, case: Complaint, user_id: str) -> bool:
    """True when `user_id` filed `case` (for the complainant's own follow-up; reveals nothing)."""
    contact = session.get(ComplaintContact, case.id)
    return contact is not None and bool(contact.user_id) and contact.user_id == user_id


def complainant_id(session: Session, case: Complaint) -> str | None:
    """The LINE user ID to answer the complainant at (pushes to them go through the outbox), or None when it
    was erased. For sending only: never shown, never logged, so it does not count as a view."""
    contact = session.get(ComplaintContact, case.id)
    return contact.user_id if contact is not None and contact.user_id else None


def reveal(session: Session, case: Complaint, viewer: str, now: datetime) -> ComplaintContact:
    """Who filed `case`, for an officer or admin `viewer` to see; writes the view to the audit log
    ("complaint.identity_viewed"). Raises ComplaintError when the case is anonymous or the identity erased."""
    contact = session.get(ComplaintContact, case.id)
    if case.anonymous:
        raise ComplaintError(f"{case.number} is anonymous")
    if contact is None or not contact.user_id:
        raise ComplaintError(f"{case.number}: the complainant's identity was erased")
    session.add(AuditLog(actor_id=viewer, action="complaint.identity_viewed", target=case.number, detail={},
                         created_at=now))
    session.flush()
    return contact


def open_cases(session: Session) -> list[Complaint]:
    """Cases not closed, in filing order (callers sort overdue first with their deadlines)."""
    stmt = select(Complaint).where(Complaint.state.in_(OPEN_STATES)).order_by(Complaint.filed_at, Complaint.id)
    return list(session.scalars(stmt))
