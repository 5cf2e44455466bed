"""storage.complaints: numbers per type and year, the state machine, reopening, identity kept apart."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from storage import complaints
from storage.models import AuditLog

from storage import get_storage

NOW = datetime(2027, 1, 4, 3, 0, tzinfo=timezone.utc)  # 4 ม.ค. 2570 10:00 in Bangkok


@pytest.fixture
def storage(app):
    return get_storage(app)


def _file(session, letter="ร", kind="complaint", user="Ufiler", anonymous=False, now=NOW):
    return complaints.create(session, letter=letter, kind=kind, topic="service", details="ติดต่อแล้วไม่มีคนรับสาย",
                             user_id=user, name="สมชาย", now=now, anonymous=anonymous)


def test_numbers_count_per_letter_and_buddhist_year(storage):
    with storage.Session.begin() as s:
        a, b = _file(s), _file(s)
        c = _file(s, letter="ช", kind="compliment")
        # 31 Dec 2026 18:00 UTC is already 1 Jan 2027 in Bangkok: BE 2570
        d = _file(s, now=datetime(2025, 12, 31, 18, 0, tzinfo=timezone.utc))
        assert (a.number, b.number, c.number, d.number) == ("ร-2570-0001", "ร-2570-0002", "ช-2570-0001",
                                                            "ร-2569-0001")


def test_moves_follow_the_state_machine_and_are_kept(storage):
    with storage.Session.begin() as s:
        case = _file(s)
        complaints.move(s, case, "acknowledged", "Uofficer", NOW + timedelta(hours=1))
        complaints.move(s, case, "in_progress", "Uofficer", NOW + timedelta(hours=2))
        with pytest.raises(complaints.ComplaintError):
            complaints.move(s, case, "new", "Uofficer", NOW)
        with pytest.raises(complaints.ComplaintError):
            complaints.move(s, case, "dismissed", "Uofficer", NOW, text="  ")
        complaints.move(s, case, "resolved", "Uofficer", NOW + timedelta(days=2), text="แก้ไขแล้ว", public=True)
        assert case.acknowledged_at == NOW + timedelta(hours=1) and case.closed_at == NOW + timedelta(days=2)
        steps = [(e.action, e.from_state, e.to_state) for e in complaints.history(s, case)]
        assert steps == [("filed", "", "new"), ("acknowledged", "new", "acknowledged"),
                         ("state", "acknowledged", "in_progress"), ("resolved", "in_progress", "resolved")]
        assert [e.action for e in complaints.history(s, case, public_only=True)] == ["filed", "resolved"]


def test_reopen_once_within_the_window(storage):
    with storage.Session.begin() as s:
        case = _file(s)
        complaints.move(s, case, "resolved", "Uofficer", NOW)
        with pytest.raises(complaints.ComplaintError):
            complaints.reopen(s, case, NOW + timedelta(days=7, seconds=1), 7)
        complaints.reopen(s, case, NOW + timedelta(days=6), 7, "ยังไม่ได้รับการแก้ไข")
        assert case.state == "in_progress" and case.closed_at is None
        complaints.move(s, case, "resolved", "Uofficer", NOW + timedelta(days=8))
        with pytest.raises(complaints.ComplaintError):
            complaints.reopen(s, case, NOW + timedelta(days=9), 7)


def test_identity_is_apart_and_every_view_is_audited(storage):
    with storage.Session.begin() as s:
        named, anon = _file(s), _file(s, anonymous=True)
        assert complaints.reveal(s, named, "Uofficer", NOW).user_id == "Ufiler"
        with pytest.raises(complaints.ComplaintError):
            complaints.reveal(s, anon, "Uofficer", NOW)
        assert complaints.complainant_id(s, anon) == "Ufiler"  # to answer them, never shown
        assert [c.number for c in complaints.filed_by(s, "Ufiler")] == [anon.number, named.number]
        assert complaints.is_filer(s, anon, "Ufiler") and not complaints.is_filer(s, anon, "Uother")
        views = s.scalars(select(AuditLog).where(AuditLog.action == "complaint.identity_viewed")).all()
        assert [(v.actor_id, v.target) for v in views] == [("Uofficer", named.number)]
