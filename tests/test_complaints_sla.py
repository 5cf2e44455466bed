"""Complaint deadlines, statistics and privacy: the SLA clock across a weekend and Thai holidays (and an
office-added one) with a frozen `now`, the complaint-sla job's notices through the outbox to the fake LINE
API, the statistics card and the Excel report without identities, the retention purge, and the
complainant's data requests ("ขอข้อมูลของฉัน", "ลบข้อมูลของฉัน") through signed webhooks.

Cases are filed with `storage.complaints.create` at chosen instants (the filing flow has its own tests,
tests/test_complaints_filing.py), so the clock can be set to the minute."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.sar_export import THAI_DATE_FORMAT, THAI_FONT
from handlers.complaints import mydata, retention, sla, stats
from handlers.complaints.catalog import catalog
from handlers.core.thaidate import BANGKOK
from handlers.core.policy import PRIVATE_ONLY, REFUSED
from scheduler import jobs
from storage import complaints, groups as chat_groups, holidays
from storage.models import Complaint, ComplaintContact, ComplaintErasure, ComplaintEvent
from tests.conftest import ADMIN, Chat, quick_replies, texts
from tests.members_support import add_member, audit_rows, db, uid

OFFICER, OFFICER2, STAFF, FILER, OTHER = uid(0xC51), uid(0xC52), uid(0xC53), uid(0xC54), uid(0xC55)
FILER_NAME = "สมศรี ใจกล้า"
DETAILS = "ครูประจำชั้นมาสายทุกวันและไม่แจ้งผู้ปกครอง"


def bkk(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    """A Bangkok wall-clock time as UTC."""
    return datetime(y, m, d, h, mi, tzinfo=BANGKOK).astimezone(timezone.utc)


def file_case(app, at: datetime, *, user: str = FILER, name: str = FILER_NAME, kind: str = "complaint",
              topic: str = "personnel", anonymous: bool = False, files: list[dict] | None = None) -> str:
    with db(app) as s:
        ack, resolve = sla.deadlines(s, at)
        case = complaints.create(s, letter=catalog().kind(kind).letter, kind=kind, topic=topic, details=DETAILS,
                                 user_id=user, name=name, now=at, anonymous=anonymous, files=files,
                                 ack_due=ack, resolve_due=resolve)
        return case.number


def step(app, number: str, to: str, at: datetime, *, by: str = OFFICER, text: str = "", rating: int | None = None,
         assignee: str | None = None) -> None:
    with db(app) as s:
        case = complaints.by_number(s, number)
        if assignee:
            case.assignee_id = assignee
        complaints.move(s, case, to, by, at, text=text)
        if rating is not None:
            case.rating = rating


def run(app, name: str, at: datetime) -> str:
    return jobs.run(app.extensions["bot"], name, at)


def notices_sent(app, line, at: datetime) -> dict[str, str]:
    """Run the SLA job at `at`, deliver the outbox, and give {recipient: the text pushed} of that run."""
    before = len(line.calls("push"))
    run(app, "complaint-sla", at)
    run(app, "deliver-outbox", at)
    return {r.json["to"]: "\n".join(m["text"] for m in r.json["messages"]) for r in line.calls("push")[before:]}


def case_row(app, number: str) -> tuple[Complaint, ComplaintContact, list[ComplaintEvent]]:
    with db(app) as s:
        case = complaints.by_number(s, number)
        contact = s.get(ComplaintContact, case.id)
        events = complaints.history(s, case)
        s.expunge_all()
    return case, contact, events


@pytest.fixture
def office(app, line):
    add_member(app, OFFICER, "วิชัย รับเรื่อง", "staff", "admin", officer=True)
    add_member(app, OFFICER2, "มาลี ดูแล", "staff", "admin", officer=True)
    add_member(app, STAFF, "สมชาย ทั่วไป", "staff", "policy")
    add_member(app, FILER, FILER_NAME)
    add_member(app, OTHER, "คนอื่น")
    return app.extensions["bot"]


# -- the SLA clock ------------------------------------------------------------------------------------
def test_deadlines_skip_the_weekend_thai_holidays_and_an_office_added_day_off(app):
    # Fri 16 Jul 2027 afternoon; Sat, Sun, Mon 19 (วันเข้าพรรษา) and Tue 20 (ชดเชยวันอาสาฬหบูชา) are off,
    # Wed 28 Jul and Thu 12 Aug are public holidays inside the 15 working days
    friday = bkk(2027, 7, 16, 15)
    with db(app) as s:
        assert sla.deadlines(s, friday) == (date(2027, 7, 21), date(2027, 8, 11))
        # filed on Saturday: received on the next working day (Wed 21), acknowledged within 1 working day
        assert sla.deadlines(s, bkk(2027, 7, 17, 9)) == (date(2027, 7, 22), date(2027, 8, 13))
        # late on Friday in Bangkok is still Friday (16:30 UTC is 23:30 Bangkok)
        assert sla.deadlines(s, datetime(2027, 7, 16, 16, 30, tzinfo=timezone.utc))[0] == date(2027, 7, 21)
        holidays.set_day(s, date(2027, 7, 21), True, "วันหยุดพิเศษตามมติคณะรัฐมนตรี", "test", friday)
    with db(app) as s:  # the office's day off moves both deadlines by one working day
        assert sla.deadlines(s, friday) == (date(2027, 7, 22), date(2027, 8, 13))
    assert sla.day_text(date(2027, 7, 22)) == "พฤ. 22 ก.ค. 2570"


def test_reminders_before_each_deadline_and_admins_told_when_missed_each_once(app, line, office):
    number = file_case(app, bkk(2027, 7, 16, 15))   # ack due Wed 21 Jul, outcome due Wed 11 Aug
    quiet = [bkk(2027, 7, 16, 16, 30),               # the filing day: the new-case notice has just gone out
             bkk(2027, 7, 17, 9, 30),                # Saturday
             bkk(2027, 7, 19, 9, 30),                # วันเข้าพรรษา
             bkk(2027, 7, 20, 9, 30)]                # ชดเชยวันอาสาฬหบูชา
    for at in quiet:
        assert notices_sent(app, line, at) == {}, at
    sent = notices_sent(app, line, bkk(2027, 7, 21, 8, 30))  # the due day's morning: every officer, once each
    assert set(sent) == {OFFICER, OFFICER2}
    assert number in sent[OFFICER] and "ต้องแจ้งรับเรื่องภายใน พ. 21 ก.ค. 2570" in sent[OFFICER]
    assert "ข้อร้องเรียน · บุคลากร" in sent[OFFICER]
    assert notices_sent(app, line, bkk(2027, 7, 21, 9, 30)) == {}          # each notice once
    missed = notices_sent(app, line, bkk(2027, 7, 22, 8, 30))
    assert set(missed) == {ADMIN} and "ยังไม่ได้แจ้งรับเรื่อง (กำหนด พ. 21 ก.ค. 2570)" in missed[ADMIN]
    # an officer takes it and acknowledges: from then on the reminders go to them only
    step(app, number, "acknowledged", bkk(2027, 7, 22, 10), assignee=OFFICER)
    assert notices_sent(app, line, bkk(2027, 8, 9, 8, 30)) == {}
    soon = notices_sent(app, line, bkk(2027, 8, 10, 8, 30))                  # 1 working day before 11 Aug
    assert set(soon) == {OFFICER} and "ต้องแจ้งผลการดำเนินการภายใน พ. 11 ส.ค. 2570" in soon[OFFICER]
    assert notices_sent(app, line, bkk(2027, 8, 12, 9, 30)) == {}           # วันแม่แห่งชาติ: a day off
    late = notices_sent(app, line, bkk(2027, 8, 13, 8, 30))
    assert set(late) == {ADMIN, OFFICER} and "ยังไม่ได้แจ้งผลการดำเนินการ" in late[ADMIN]
    assert notices_sent(app, line, bkk(2027, 8, 16, 8, 30)) == {}
    with db(app) as s:
        assert complaints.by_number(s, number).notices == ["ack-soon", "ack-missed", "resolve-soon", "resolve-missed"]
    everything = "\n".join(m["text"] for r in line.calls("push") for m in r.json["messages"])
    assert FILER not in everything and FILER_NAME not in everything and DETAILS not in everything


def test_one_push_per_person_lists_all_their_cases_and_closed_cases_are_left_alone(app, line, office):
    first = file_case(app, bkk(2027, 7, 16, 15))
    second = file_case(app, bkk(2027, 7, 16, 16), kind="suggestion", topic="buildings")
    done = file_case(app, bkk(2027, 7, 16, 16, 30))
    step(app, done, "resolved", bkk(2027, 7, 16, 17), text="แก้ไขแล้ว")
    sent = notices_sent(app, line, bkk(2027, 7, 21, 8, 30))
    assert set(sent) == {OFFICER, OFFICER2}
    assert first in sent[OFFICER] and second in sent[OFFICER] and done not in sent[OFFICER]
    assert "ข้อเสนอแนะ · อาคารสถานที่" in sent[OFFICER]
    assert len(line.calls("push")) == 2


def test_with_a_complaints_room_the_reminder_goes_there_once_and_missed_ones_to_the_admins(app, line, office):
    room = "C" + "c0ffee" * 5 + "00"
    with db(app) as s:
        row = chat_groups.record_join(s, room, "group", bkk(2027, 7, 1), name="รับเรื่องร้องเรียน")
        chat_groups.bind(s, row, chat_groups.COMPLAINTS)
    first = file_case(app, bkk(2027, 7, 16, 15))
    second = file_case(app, bkk(2027, 7, 16, 16), kind="suggestion", topic="buildings")
    sent = notices_sent(app, line, bkk(2027, 7, 21, 8, 30))
    assert set(sent) == {room} and first in sent[room] and second in sent[room]
    assert FILER_NAME not in sent[room] and DETAILS not in sent[room]
    step(app, second, "acknowledged", bkk(2027, 7, 21, 9), assignee=OFFICER)
    assert set(notices_sent(app, line, bkk(2027, 7, 22, 8, 30))) == {ADMIN}   # the first one's missed deadline
    assert set(notices_sent(app, line, bkk(2027, 8, 10, 8, 30))) == {OFFICER, room}  # the taken one, the other


def test_a_case_filed_without_deadlines_gets_them_from_the_calendar(app, line, office):
    with db(app) as s:
        complaints.create(s, letter="ร", kind="complaint", topic="other", details="x", user_id=FILER, name="",
                          now=bkk(2027, 7, 16, 15))
    assert set(notices_sent(app, line, bkk(2027, 7, 21, 8, 30))) == {OFFICER, OFFICER2}
    with db(app) as s:
        case = s.scalars(select(Complaint)).one()
        assert (case.ack_due, case.resolve_due) == (date(2027, 7, 21), date(2027, 8, 11))


# -- statistics -------------------------------------------------------------------------------------
def _a_month_of_cases(app) -> list[str]:
    a = file_case(app, bkk(2027, 7, 16, 15))                              # acked in 1 working day, closed late
    step(app, a, "acknowledged", bkk(2027, 7, 21, 9))
    step(app, a, "resolved", bkk(2027, 8, 13, 9), rating=3)
    b = file_case(app, bkk(2027, 8, 2, 9), kind="compliment", topic="service")  # acked the same day, closed in time
    step(app, b, "acknowledged", bkk(2027, 8, 2, 14))
    step(app, b, "resolved", bkk(2027, 8, 4, 11), rating=5)
    c = file_case(app, bkk(2027, 8, 3, 9), topic="personnel", anonymous=True)  # never acknowledged: overdue
    old = file_case(app, bkk(2026, 12, 1, 9), user=OTHER, name="คนอื่น")       # outside the 6 months
    return [a, b, c, old]


def test_the_summary_counts_times_in_working_days_and_shares_in_time(app):
    a, b, c, old = _a_month_of_cases(app)
    now = bkk(2027, 8, 20, 12)
    with db(app) as s:
        summary = stats.summarize(s, stats.period_of("6 เดือน", now), now)
    assert summary.period.start == date(2027, 3, 1) and summary.period.end == date(2027, 8, 20)
    assert [f.number for f in summary.cases] == [a, b, c]
    assert summary.count("kind") == {"complaint": 2, "compliment": 1}
    assert summary.count("state") == {"resolved": 2, "new": 1}
    assert sorted(summary.days("ack")) == [0, 1]         # b: 0 (the same day); a: 1 (Mon, Tue were holidays)
    # a: received Fri 16 Jul, closed Fri 13 Aug = 16 working days (late); b: 2 working days
    assert sorted(summary.days("resolve")) == [2, 16]
    assert summary.median("resolve") == 9 and summary.mean("ack") == 0.5
    assert summary.in_time("ack") == (2, 3)              # c's acknowledgement is overdue
    assert summary.in_time("resolve") == (1, 2)          # c's outcome is not due yet: counted in neither
    assert summary.satisfaction == 4 and summary.ratings == [3, 5]
    assert dict((t, f.total) for t, f in summary.by_topic()) == {"personnel": 2, "service": 1}
    with pytest.raises(Exception):
        stats.period_of("ปีหน้า", now)
    assert stats.period_of("ปีงบประมาณ 2570", now) == stats.fiscal_period(2570)
    assert stats.fiscal_period(2570).start == date(2026, 10, 1)
    assert stats.period_of("เดือนที่แล้วค่ะ", now).start == date(2027, 7, 1)


def test_admins_get_the_summary_card_in_chat_and_nobody_else(app, webhook, line, office, monkeypatch):
    _a_month_of_cases(app)
    monkeypatch.setattr(office, "clock", lambda: bkk(2027, 8, 20, 12))
    admin = Chat(webhook, line, user_id=ADMIN)
    shown = texts(admin.say("สถิติเรื่องร้องเรียน 6 เดือน"))
    assert "6 เดือนล่าสุด (มีนาคม 2570 – สิงหาคม 2570)" in shown
    assert "ทั้งหมด 3 เรื่อง" in shown and "ข้อร้องเรียน 2" in shown and "คำชมเชย 1" in shown
    assert "รับเรื่องทันกำหนด 2/3 (67%)" in shown and "แจ้งผลทันกำหนด 1/2 (50%)" in shown
    assert "ปิดเรื่อง: มัธยฐาน 9 · เฉลี่ย 9 (2 เรื่อง)" in shown
    assert "เฉลี่ย 4 จาก 5 ดาว (2 คนให้คะแนน)" in shown
    assert FILER_NAME not in shown and FILER not in shown and DETAILS not in shown
    month = texts(admin.say("สถิติเรื่องร้องเรียน"))
    assert "เดือนสิงหาคม 2570" in month and "ทั้งหมด 2 เรื่อง" in month
    assert "ไม่แน่ใจว่าต้องการช่วงไหน" in texts(admin.say("สถิติเรื่องร้องเรียน เมื่อวานซืน"))
    assert REFUSED["admin"] in texts(Chat(webhook, line, user_id=OFFICER).say("สถิติเรื่องร้องเรียน"))
    assert "\"สถิติเรื่องร้องเรียน\"" in texts(admin.say("เมนู"))             # offered to admins only
    assert "สถิติเรื่องร้องเรียน" not in texts(Chat(webhook, line, user_id=OFFICER).say("เมนู"))
    in_group = Chat(webhook, line, user_id=ADMIN, group_id="C" + "c5" * 16)
    assert in_group.say("สถิติเรื่องร้องเรียน") == []                      # not addressed: quiet
    assert PRIVATE_ONLY in texts(in_group.say("บอท สถิติเรื่องร้องเรียน"))


def _cells(path: Path) -> list:
    wb = load_workbook(path)
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


def test_the_excel_report_has_the_figures_thai_dates_and_no_identity(app, office, tmp_path, monkeypatch):
    a, b, c, old = _a_month_of_cases(app)
    monkeypatch.setattr(office, "clock", lambda: bkk(2027, 8, 20, 12))  # the figures are as of the bot's clock
    out = tmp_path / "รายงาน" / "complaints.xlsx"
    result = app.test_cli_runner().invoke(args=["complaints", "report", "--from", "2570-07-01", "--to", "2027-08-31",
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 cases" in result.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["สรุป", "ตามหัวข้อ", "รายการเรื่อง"]
    summary = {r[0].value: r[1].value for r in wb["สรุป"].iter_rows() if r[0].value}
    assert summary["จำนวนเรื่องทั้งหมด"] == 3 and summary["ความพึงพอใจเฉลี่ย (1–5)"] == 4
    assert summary["ร้อยละรับเรื่องทันกำหนด"] == pytest.approx(2 / 3)
    assert summary["ข้อร้องเรียน"] == 2 and summary["เสร็จสิ้น"] == 2
    start = wb["สรุป"]["B3"]
    assert start.value.date() == date(2027, 7, 1) and start.number_format == THAI_DATE_FORMAT
    rows = list(wb["รายการเรื่อง"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [a, b, c]
    due = wb["รายการเรื่อง"]["G2"]
    assert due.value.date() == date(2027, 7, 21) and due.number_format == THAI_DATE_FORMAT
    assert due.font.name == THAI_FONT
    topics = {r[0]: r for r in wb["ตามหัวข้อ"].iter_rows(values_only=True)}
    assert topics["บุคลากร"][5] == 2
    values = [str(cell.value) for cell in _cells(out) if cell.value is not None]
    assert values and not any(FILER in v or FILER_NAME in v or DETAILS in v or "คนอื่น" in v for v in values)
    bad = app.test_cli_runner().invoke(args=["complaints", "report", "--from", "2027-09-01", "--to", "2027-08-01",
                                             "--out", str(out)])
    assert bad.exit_code != 0


# -- retention --------------------------------------------------------------------------------------
def test_purge_erases_identity_and_files_after_retention_and_keeps_statistics(app, line, office, tmp_path, monkeypatch):
    monkeypatch.setattr(office, "evidence_dir", tmp_path)
    (tmp_path / "2024-01").mkdir()
    photo = tmp_path / "2024-01" / "m1.jpg"
    photo.write_bytes(b"\xff\xd8\xff")
    now = datetime.now(timezone.utc)
    old = file_case(app, now - timedelta(days=3 * 365), files=[{"name": "รูป.jpg", "path": "2024-01/m1.jpg",
                                                                 "size": 3, "content_type": "image/jpeg"}])
    step(app, old, "resolved", now - timedelta(days=3 * 365 - 5), rating=4)
    recent = file_case(app, now - timedelta(days=400))
    step(app, recent, "resolved", now - timedelta(days=365))
    still_open = file_case(app, now - timedelta(days=3 * 365))
    result = app.test_cli_runner().invoke(args=["complaints", "purge"])
    assert result.exit_code == 0, result.output
    assert f"purged 1 cases ['{old}']" in result.output and "deleted 1 files" in result.output
    case, contact, events = case_row(app, old)
    assert (contact.user_id, contact.name) == ("", "") and case.files == [] and case.purged_at is not None
    assert not photo.exists()
    assert events[-1].action == "purged" and events[-1].detail == {"unlink": [], "files_deleted": 1}
    assert case.rating == 4 and case.state == "resolved" and case.details == DETAILS   # statistics and record stay
    for number in (recent, still_open):
        assert case_row(app, number)[1].user_id == FILER
    with db(app) as s:
        with pytest.raises(complaints.ComplaintError):
            complaints.reveal(s, complaints.by_number(s, old), ADMIN, now)
        assert [c.number for c in complaints.filed_by(s, FILER)] == [recent, still_open]
    assert "purged 0 cases" in run(app, "complaint-purge", now)              # nothing twice
    # the daily job at a later now: the recent case's two years are up
    assert f"purged 1 cases ['{recent}']" in run(app, "complaint-purge", now + timedelta(days=366))


# -- the complainant's data -------------------------------------------------------------------------
def test_a_complainant_sees_their_own_data_and_only_theirs(app, webhook, line, office):
    mine = file_case(app, bkk(2027, 7, 16, 15), anonymous=True, files=[{"name": "หลักฐาน.pdf", "path": "x/1.pdf"}])
    theirs = file_case(app, bkk(2027, 7, 16, 16), user=OTHER, name="คนอื่น")
    shown = texts(Chat(webhook, line, user_id=FILER).say("ขอข้อมูลของฉันค่ะ"))
    assert mine in shown and theirs not in shown and "คนอื่น" not in shown
    assert f"ชื่อ \"{FILER_NAME}\"" in shown and "LINE ID ของคุณ" in shown and "ไม่ระบุตัวตน: ใช่" in shown
    assert DETAILS in shown and "หลักฐาน.pdf" in shown and "2 ปีหลังปิดเรื่อง" in shown
    assert [r.target for r in audit_rows(app, "complaint.data_access")] == [FILER]
    assert mydata.NONE_KEPT in texts(Chat(webhook, line, user_id=STAFF).say("ขอข้อมูลของฉัน"))
    group = Chat(webhook, line, user_id=FILER, group_id="C" + "c6" * 16)
    replied = texts(group.say("บอท ขอข้อมูลของฉัน"))
    assert PRIVATE_ONLY in replied and mine not in replied


def test_a_long_complaint_is_shown_in_part_with_its_length(app, webhook, line, office):
    with db(app) as s:
        complaints.create(s, letter="ร", kind="complaint", topic="other", details="ก" * 10_000, user_id=FILER,
                          name=FILER_NAME, now=bkk(2027, 7, 16, 15))
    shown = texts(Chat(webhook, line, user_id=FILER).say("ขอข้อมูลของฉัน"))
    assert "(ทั้งหมด 10000 ตัวอักษร)" in shown and "ก" * 10_000 not in shown


def test_erasure_closed_cases_at_once_open_ones_at_closure_admins_told(app, webhook, line, office, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setattr(office, "evidence_dir", tmp_path)
    (tmp_path / "f.pdf").write_bytes(b"%PDF")
    closed = file_case(app, bkk(2027, 7, 16, 15), files=[{"name": "f.pdf", "path": "f.pdf"}])
    step(app, closed, "resolved", bkk(2027, 7, 20, 15), rating=2, text="ตักเตือนครูแล้ว")
    with db(app) as s:
        complaints.by_number(s, closed).rating_comment = "ช้ามาก ติดต่อ 081-234-5678"
    still_open = file_case(app, bkk(2027, 7, 19, 15))
    filer = Chat(webhook, line, user_id=FILER)
    asked = filer.say("ลบข้อมูลของฉัน")
    assert "2 เรื่อง" in texts(asked) and [a["label"] for a in quick_replies(asked)] == ["ยืนยัน ลบข้อมูล", "ไม่ลบ"]
    again = filer.say("โอเค")                                            # not a choice: asked again, nothing erased
    assert "ไม่แน่ใจว่าเลือกอะไร" in texts(again) and case_row(app, closed)[1].user_id == FILER
    pushes_before = len(line.calls("push"))
    done = texts(filer.say("ยืนยันค่ะ"))
    assert "รับคำขอลบข้อมูลแล้วค่ะ" in done and closed in done and still_open in done
    case, contact, events = case_row(app, closed)
    assert (contact.user_id, contact.name) == ("", "") and case.details == retention.ERASED_TEXT
    by_action = {e.action: e for e in events}
    assert case.rating == 2 and case.rating_comment == "" and by_action["filed"].text == retention.ERASED_TEXT
    assert by_action["erased"].by == "complainant" and by_action["resolved"].text == "ตักเตือนครูแล้ว"
    assert case_row(app, still_open)[1].user_id == FILER                 # open: kept until it closes
    told = [r for r in line.calls("push")[pushes_before:]]
    assert [r.json["to"] for r in told] == [ADMIN]
    notice = told[0].json["messages"][0]["text"]
    assert "คำขอลบข้อมูล" in notice and still_open in notice
    assert FILER not in notice and FILER_NAME not in notice
    with db(app) as s:
        req = s.scalars(select(ComplaintErasure)).one()
        assert req.status == "pending" and req.user_id == FILER
        due = req.due_at
    assert (tmp_path / "f.pdf").exists()                                 # deleted by the job, after the commit
    now = datetime.now(timezone.utc)
    run(app, "complaint-purge", now)
    assert not (tmp_path / "f.pdf").exists()
    assert case_row(app, still_open)[1].user_id == FILER
    step(app, still_open, "resolved", now + timedelta(hours=1))
    assert f"erased 1 on request ['{still_open}']" in run(app, "complaint-purge", now + timedelta(days=1))
    assert case_row(app, still_open)[1].user_id == ""
    with db(app) as s:
        req = s.scalars(select(ComplaintErasure)).one()
        assert (req.status, req.user_id) == ("done", "") and req.done_at is not None
    assert due - now < timedelta(days=catalog().erasure_days + 1)
    assert mydata.NONE_KEPT in texts(filer.say("ขอข้อมูลของฉัน"))


def test_an_open_case_is_erased_when_the_request_falls_due_and_no_keeps_everything(app, webhook, line, office):
    still_open = file_case(app, bkk(2027, 7, 19, 15))
    filer = Chat(webhook, line, user_id=FILER)
    filer.say("ลบข้อมูลของฉัน")
    assert mydata.ERASE_KEEP in texts(filer.say("ไม่ลบ"))
    assert case_row(app, still_open)[1].user_id == FILER
    with db(app) as s:
        assert s.scalars(select(ComplaintErasure)).all() == []
    filer.say("ลบข้อมูลของฉัน")
    filer.say("ยืนยัน")
    now = datetime.now(timezone.utc)
    run(app, "complaint-purge", now + timedelta(days=catalog().erasure_days - 1))
    assert case_row(app, still_open)[1].user_id == FILER
    run(app, "complaint-purge", now + timedelta(days=catalog().erasure_days, hours=1))
    case, contact, _ = case_row(app, still_open)
    assert contact.user_id == "" and case.state == "new"                 # still open, nobody to answer now
    assert mydata.NONE_KEPT in texts(Chat(webhook, line, user_id=OTHER).say("ลบข้อมูลของฉัน"))
