"""Keeping the complainant's data no longer than needed: the retention purge and erasure on request.

Retention (`retention_years` after a case closes, content/complaints.yaml, default 2): the purge erases who
filed it (`ComplaintContact.user_id` and `name` → "") and its attachments, and logs a "purged" event. What
the statistics need stays: type, topic, states and their times, deadlines, the star rating.

Erasure on request ("ลบข้อมูลของฉัน"; PDPC's 2024 notification: within `erasure_days`, default 90): recorded
as a `ComplaintErasure`; the cases already closed are erased at once, open ones when they close (the daily
`complaint-purge` job after the closure) or, if still open, when the request falls due — then the office can
no longer answer the complainant. Erasing on request also replaces what the complainant wrote (the details,
information they added, their rating comment) with `ERASED_TEXT`: their words are their data; the officers'
notes stay as the office's record. Logged as an "erased" event; once every case is done the request is
"done" and forgets who asked.

Files are not deleted inside the transaction that erases them: the erasing event keeps their paths
(`detail["unlink"]`, relative to EVIDENCE_DIR, named by LINE's message id) and `delete_files` removes them
after the commit (the purge command and job run it), so a rolled-back erasure never loses a file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.complaints.catalog import catalog
from storage import complaints
from storage.models import Complaint, ComplaintContact, ComplaintErasure, ComplaintEvent

ERASED_TEXT = "[ลบตามคำขอของผู้แจ้ง]"
PURGED, ERASED = "purged", "erased"


@dataclass
class Erased:
    """What one run erased: case numbers purged for retention and erased on request, and requests done."""

    purged: list[str] = field(default_factory=list)
    erased: list[str] = field(default_factory=list)
    requests_done: list[int] = field(default_factory=list)


def years_before(at: datetime, years: int) -> datetime:
    """`at` moved back `years` calendar years (29 February → 28 February)."""
    try:
        return at.replace(year=at.year - years)
    except ValueError:
        return at.replace(year=at.year - years, day=28)


def identity_kept(session: Session, case: Complaint) -> bool:
    """True while the case still holds who filed it."""
    contact = session.get(ComplaintContact, case.id)
    return contact is not None and bool(contact.user_id or contact.name)


def erase(session: Session, case: Complaint, now: datetime, action: str = PURGED, by: str = "system") -> ComplaintEvent:
    """Erase the complainant's identity and the case's attachments (and, for `action` "erased", what they
    wrote), keeping the case as anonymous statistics; logs an `action` event whose `detail["unlink"]` lists
    the files for `delete_files`. Flushes, never commits."""
    contact = session.get(ComplaintContact, case.id)
    if contact is not None:
        contact.user_id, contact.name = "", ""
    unlink = [f["path"] for f in case.files or [] if f.get("path")]
    case.files = []
    for ev in complaints.history(session, case):
        unlink += [f["path"] for f in ev.files or [] if f.get("path")]
        if ev.files:
            ev.files = []
        if action == ERASED and ev.by == "complainant" and ev.text:
            ev.text = ERASED_TEXT
    if action == ERASED:
        case.details, case.rating_comment = ERASED_TEXT, ""
    case.purged_at = now
    return complaints.add_event(session, case, by, action, now, detail={"unlink": sorted(set(unlink))})


def purge_due(session: Session, now: datetime, years: int | None = None) -> list[Complaint]:
    """Closed cases whose closure is more than `years` (default: the catalog's `retention_years`) before
    `now` (UTC) and whose identity or files are still kept, oldest first."""
    cutoff = years_before(now, catalog().retention_years if years is None else years)
    stmt = (select(Complaint).where(Complaint.state.in_(complaints.CLOSED_STATES), Complaint.closed_at <= cutoff,
                                    Complaint.purged_at.is_(None)).order_by(Complaint.closed_at, Complaint.id))
    return list(session.scalars(stmt))


def pending_erasure(session: Session, user_id: str) -> ComplaintErasure | None:
    """This person's erasure request not yet carried out, or None."""
    stmt = select(ComplaintErasure).where(ComplaintErasure.user_id == user_id, ComplaintErasure.status == "pending")
    return session.scalars(stmt.order_by(ComplaintErasure.id)).first()


def request_erasure(session: Session, user_id: str, now: datetime) -> tuple[ComplaintErasure, list[Complaint],
                                                                               list[Complaint]]:
    """Record `user_id`'s request to erase their complaint data (joined to a pending one, keeping its due
    date) and erase their closed cases at once. Returns (request, cases erased now, cases waiting to close)."""
    cases = complaints.filed_by(session, user_id)
    req = pending_erasure(session, user_id)
    if req is None:
        req = ComplaintErasure(user_id=user_id, case_ids=[], status="pending", requested_at=now,
                               due_at=now + timedelta(days=catalog().erasure_days))
        session.add(req)
    req.case_ids = sorted({*(req.case_ids or []), *(c.id for c in cases)})
    erased, waiting = [], []
    for case in cases:
        if case.state in complaints.CLOSED_STATES:
            erase(session, case, now, ERASED, by="complainant")
            erased.append(case)
        else:
            waiting.append(case)
    if not waiting:
        _done(req, now)
    session.flush()
    return req, erased, waiting


def _done(req: ComplaintErasure, now: datetime) -> None:
    req.status, req.done_at, req.user_id = "done", now, ""


def carry_out(session: Session, now: datetime, years: int | None = None) -> Erased:
    """The daily work (`complaint-purge` job, `flask complaints purge`): pending erasure requests (cases
    now closed, or every case once the request is due) and the retention purge. One transaction, the
    caller's; then `delete_files`."""
    out = Erased()
    for req in session.scalars(select(ComplaintErasure).where(ComplaintErasure.status == "pending")
                               .order_by(ComplaintErasure.id)):
        left = 0
        for case_id in req.case_ids or []:
            case = complaints.get(session, case_id)
            if case is None or not identity_kept(session, case):
                continue
            if case.state in complaints.CLOSED_STATES or now >= req.due_at:
                erase(session, case, now, ERASED)
                out.erased.append(case.number)
            else:
                left += 1
        if not left:
            _done(req, now)
            out.requests_done.append(req.id)
    for case in purge_due(session, now, years):
        erase(session, case, now, PURGED)
        out.purged.append(case.number)
    session.flush()
    return out


def delete_files(session: Session, base_dir: Path) -> int:
    """Delete the files that "purged" and "erased" events list (`detail["unlink"]`, relative to `base_dir`,
    EVIDENCE_DIR) and clear the lists; a file already gone counts as deleted. Returns how many were
    removed. Run after the erasing transaction committed, in a transaction of its own."""
    removed = 0
    base = base_dir.resolve()
    stmt = select(ComplaintEvent).where(ComplaintEvent.action.in_((PURGED, ERASED)))
    for ev in session.scalars(stmt):
        paths = (ev.detail or {}).get("unlink") or []
        if not paths:
            continue
        for rel in paths:
            target = (base / rel).resolve()
            if target.is_relative_to(base) and target.is_file():
                target.unlink()
                removed += 1
        ev.detail = {**ev.detail, "unlink": [], "files_deleted": len(paths)}
    session.flush()
    return removed
