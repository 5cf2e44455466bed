"""Reporting rounds: fiscal years, the admins' set-up flow (datetime picker and typed Thai dates), the
flask commands, a year's calendar imported from YAML or CSV, and carrying evidence forward."""
from __future__ import annotations

import calendar
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from handlers.core.thaidate import BANGKOK
from handlers.core.workdays import office_calendar
from storage import evidence, rounds
from storage.models import EvidenceEvent, EvidenceState, Round
from tests import line_events as ev
from tests.conftest import ADMIN, Chat, quick_replies, texts
from tests.members_support import add_member, db, uid

STAFF = uid(0xF1)


@pytest.mark.parametrize("local,fy", [
    ((2026, 9, 30, 23, 59), 2569), ((2026, 10, 1, 0, 0), 2570), ((2027, 9, 30, 23, 59), 2570),
    ((2027, 10, 1, 0, 0), 2571), ((2027, 1, 15, 12, 0), 2570),
])
def test_fiscal_year_runs_october_to_september_in_buddhist_era(local, fy):
    at = datetime(*local, tzinfo=BANGKOK).astimezone(timezone.utc)
    assert rounds.fiscal_year(at) == fy


def test_due_dates_are_read_in_bangkok_and_stored_in_utc():
    assert rounds.parse_due("2027-03-31T16:30") == datetime(2027, 3, 31, 9, 30, tzinfo=timezone.utc)
    assert rounds.parse_due("2570-03-31T16:30") == datetime(2027, 3, 31, 9, 30, tzinfo=timezone.utc)
    with pytest.raises(rounds.RoundError):
        rounds.parse_due("31/03/2570")
    assert rounds.parse_scope("1, 2.1, s5.3") == {"standards": ["1"], "indicators": ["2.1"], "issues": ["5.3"]}
    with pytest.raises(rounds.RoundError):
        rounds.parse_scope("abc")




def all_rounds(app) -> list[tuple]:
    with db(app) as s:
        return [(r.name, r.kind, r.fiscal_year, r.state, r.scope) for r in s.scalars(select(Round).order_by(Round.id))]


def test_flask_rounds_add_list_open_close(app, flask_cli):
    out = flask_cli("rounds", "add", "--name", "รายงานตัวชี้วัด รอบ 6 เดือน", "--kind", "kpi6",
                    "--due", "2027-03-31T16:30", "--scope", "1,2.1")
    assert "FY2570" in out and "31 มี.ค. 2570 16:30 น." in out and "planned" in out
    assert "Invalid value for '--kind'" in flask_cli("rounds", "add", "--name", "x", "--kind", "weekly", "--due",
                                                     "2027-03-31T16:30", ok=False)
    assert "not YYYY-MM-DDTHH:MM" in flask_cli("rounds", "add", "--name", "x", "--kind", "sar", "--due", "พรุ่งนี้",
                                               ok=False)
    assert "รายงานตัวชี้วัด รอบ 6 เดือน" in flask_cli("rounds", "list")
    with db(app) as s:
        rid = str(s.scalars(select(Round.id)).one())
    assert "open" in flask_cli("rounds", "open", rid)
    assert "closed" in flask_cli("rounds", "close", rid)
    assert "no round #999" in flask_cli("rounds", "open", "999", ok=False)
    assert all_rounds(app) == [("รายงานตัวชี้วัด รอบ 6 เดือน", "kpi6", 2570, "closed",
                                {"standards": ["1"], "indicators": ["2.1"]})]


def test_flask_rounds_import_yaml_and_csv_all_or_none(app, flask_cli, tmp_path):
    good = tmp_path / "2570.yaml"
    good.write_text("rounds:\n"
                    "  - {name: 'รายงานตัวชี้วัด รอบ 6 เดือน', kind: kpi6, due: '2570-03-31T16:30'}\n"
                    "  - {name: 'ติดตามกลยุทธ์ที่ 5 รอบ 1/2570', kind: strategy, due: '2027-04-30T16:30', scope: 's5.3,s5.4'}\n"
                    "  - {name: 'SAR ปีงบประมาณ 2570', kind: sar, due: '2027-09-15'}\n", encoding="utf-8")
    assert "imported 3 rounds" in flask_cli("rounds", "import", str(good))
    csv_file = tmp_path / "2570.csv"
    csv_file.write_bytes("\ufeffname,kind,due,scope\nรายงานตัวชี้วัด รอบ 9 เดือน,kpi9,2027-06-30T16:30,all\n"
                         .encode("utf-8"))
    assert "imported 1 rounds" in flask_cli("rounds", "import", str(csv_file))
    bad = tmp_path / "bad.csv"
    bad.write_text("name,kind,due\nดี,kpi12,2027-09-30T16:30\nเสีย,weekly,2027-09-30T16:30\n", encoding="utf-8")
    assert "row 2: unknown kind 'weekly'" in flask_cli("rounds", "import", str(bad), ok=False)
    got = all_rounds(app)
    assert [r[0] for r in got] == ["รายงานตัวชี้วัด รอบ 6 เดือน", "ติดตามกลยุทธ์ที่ 5 รอบ 1/2570",
                                   "SAR ปีงบประมาณ 2570", "รายงานตัวชี้วัด รอบ 9 เดือน"]   # nothing of bad.csv
    assert got[1][4] == {"issues": ["5.3", "5.4"]} and all(r[2] == 2570 for r in got)


def test_opening_a_round_carries_the_last_rounds_evidence_forward(app):
    now = datetime.now(timezone.utc)
    with db(app) as s:
        first = rounds.create(s, "SAR ปีงบประมาณ 2569", "sar", now + timedelta(days=1), now, state="open")
        evidence.report(s, first.id, "criterion:1.1.5", evidence.Change("has_evidence", "คำสั่ง",
                                                                         ("https://www.example.go.th/a",)), STAFF, now)
        evidence.report(s, first.id, "criterion:1.1.6", evidence.Change("in_progress"), STAFF, now)
        rounds.close_round(s, first)
        second = rounds.create(s, "SAR ปีงบประมาณ 2570", "sar", now + timedelta(days=30), now)
        assert rounds.open_round(s, second, now, by="test") == 2
        fresh = rounds.create(s, "PMQA", "pmqa", now + timedelta(days=30), now)
        assert rounds.open_round(s, fresh, now, carry=False) == 0
        got = {st.item_key: (st.status, st.links) for st in
               s.scalars(select(EvidenceState).where(EvidenceState.round_id == second.id))}
        assert got == {"criterion:1.1.5": ("has_evidence", ["https://www.example.go.th/a"]),
                       "criterion:1.1.6": ("in_progress", [])}
        assert second.carried_from == first.id
        vias = s.scalars(select(EvidenceEvent.via).where(EvidenceEvent.round_id == second.id)).all()
        assert vias == ["carry", "carry"]


def picker_of(messages: list[dict]) -> dict:
    found = [a for a in quick_replies(messages) if a["type"] == "datetimepicker"]
    assert found, quick_replies(messages)
    return found[0]


def test_admin_sets_up_a_round_with_the_datetime_picker(app, webhook, line):
    admin = Chat(webhook, line, user_id=ADMIN)
    asked = admin.say("ตั้งรอบ")
    assert "ขั้นที่ 1/4" in texts(asked)
    assert "ขั้นที่ 1/4" in texts(admin.say("เพิ่มรอบ"))  # the other ways admins say it start the same flow
    named = admin.say("ตัวชี้วัด 6 เดือน")
    assert "รายงานตัวชี้วัด รอบ 6 เดือน ปีงบประมาณ" in texts(named)
    due = admin.say("ใช้ชื่อนี้")
    picker = picker_of(due)
    assert picker["mode"] == "datetime" and "initial" in picker
    when = (datetime.now(BANGKOK) + timedelta(days=40)).replace(hour=16, minute=30, second=0, microsecond=0)
    before = len(line.requests)
    webhook.post(ev.postback_event(picker["data"], user_id=ADMIN,
                                   params={"datetime": when.strftime("%Y-%m-%dT%H:%M")}))
    scope = admin._sent_since(before)
    assert "กำหนดส่ง" in texts(scope) and "ขั้นที่ 4/4" in texts(scope)
    assert "ไม่พบ \"อะไรนะ\"" in texts(admin.say("อะไรนะ"))
    confirm = admin.say("มฐ.1, ประเด็น 5.3")
    assert "มาตรฐานที่ 1, ประเด็น 5.3" in texts(confirm)
    done = admin.say("บันทึกไว้ก่อน")
    assert "ยังไม่เปิด" in texts(done)
    with db(app) as s:
        row = s.scalars(select(Round)).one()
        assert (row.kind, row.state, row.scope) == ("kpi6", "planned", {"standards": ["1"], "issues": ["5.3"]})
        assert row.due_at == when.astimezone(timezone.utc)


def test_admin_types_a_thai_due_date_and_opens_the_round(app, webhook, line):
    admin = Chat(webhook, line, user_id=ADMIN)
    admin.say("สร้างรอบ")
    admin.say("SAR")
    admin.say("SAR ปีงบประมาณ 2570 (รอบทดลอง)")
    assert "ผ่านไปแล้วค่ะ" in texts(admin.say("วันนี้ 00:00"))
    assert "ขั้นที่ 4/4" in texts(admin.say("พรุ่งนี้ 16:30"))
    admin.say("ทุกรายการ")
    done = texts(admin.say("เปิดรอบ เริ่มใหม่"))
    assert "เปิดรอบ #" in done and "SAR ปีงบประมาณ 2570 (รอบทดลอง)" in done
    assert all_rounds(app)[0][3] == "open"
    cal = texts(Chat(webhook, line, user_id=uid(0xF9)).say("ปฏิทิน"))
    assert "SAR ปีงบประมาณ 2570 (รอบทดลอง)" in cal and "อีก 1 วัน" in cal


def test_at_the_last_step_the_steps_choice_comes_before_the_command_of_the_same_word(app, webhook, line):
    admin = Chat(webhook, line, user_id=ADMIN)
    admin.say("ตั้งรอบ")
    admin.say("SAR")
    admin.say("ใช้ชื่อนี้")
    admin.say("พรุ่งนี้ 16:30")
    admin.say("ทุกรายการ")
    answer = texts(admin.say("เปิดรอบเลยค่ะ"))  # the step's "เปิดรอบ (เริ่มใหม่)", not the command "เปิดรอบ N"
    assert "เปิดรอบ #" in answer and "ระบุหมายเลขรอบ" not in answer
    assert all_rounds(app)[0][3] == "open"


def test_only_admins_set_up_rounds_and_only_in_a_private_chat(app, webhook, line):
    add_member(app, STAFF, "สมชาย ใจดี", "staff", "policy")
    assert "สำหรับผู้ดูแลระบบเท่านั้น" in texts(Chat(webhook, line, user_id=STAFF).say("ตั้งรอบ"))
    assert "สำหรับผู้ดูแลระบบเท่านั้น" in texts(Chat(webhook, line, user_id=STAFF).say("ปิดรอบ 1"))
    group = Chat(webhook, line, user_id=ADMIN, group_id="C" + "f0" * 16)
    assert "แชต 1:1" in texts(group.say("บอท ตั้งรอบ"))
    assert all_rounds(app) == []


def test_impossible_due_dates_are_named_and_the_step_asks_again(app, admin_round_due):
    admin = admin_round_due
    be = datetime.now(BANGKOK).year + 544  # next year, BE
    feb = texts(admin.say(f"31 ก.พ. {be} 16:30"))
    days = 29 if calendar.isleap(be - 543) else 28
    assert f"ไม่มีวันที่ 31 ก.พ. {be} ในปฏิทินค่ะ (กุมภาพันธ์ {be} มี {days} วัน)" in feb
    assert "ไม่มีเดือนที่ 13" in texts(admin.say(f"30/13/{be} 16:30"))
    assert f"ไม่มีวันที่ 31 ก.พ. {be} ในปฏิทิน" in texts(admin.say(f"31 ก.พ. {be}"))  # a date alone is checked too
    dated = texts(admin.say("สิ้นเดือนหน้า"))           # a date alone: due at the end of office hours
    assert "ขั้นที่ 4/4" in dated and "ไม่ได้ระบุเวลา จึงตั้งเป็นเวลาเลิกงาน 16:30 น." in dated
    admin.say("ทุกรายการ")
    admin.say("บันทึกไว้ก่อน")
    with db(app) as s:
        due = s.scalars(select(Round.due_at)).one().astimezone(BANGKOK)
    nxt = (datetime.now(BANGKOK).replace(day=1) + timedelta(days=32)).replace(day=1)
    assert (due.year, due.month, due.hour, due.minute) == (nxt.year, nxt.month, 16, 30)
    assert (due + timedelta(days=1)).day == 1                                         # the month's last day


def test_a_due_date_on_a_day_off_is_kept_with_a_warning(app, webhook, line):
    today = datetime.now(BANGKOK).date()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    with db(app) as s:
        cal = office_calendar(s)
        workday = next(d for d in (today + timedelta(days=i) for i in range(2, 30)) if cal.is_working_day(d))
    for day, warning in ((saturday, "⚠ วันนั้นเป็นวันเสาร์ (ไม่ใช่วันทำการ)"), (workday, None)):
        admin = Chat(webhook, line, user_id=ADMIN)
        admin.say("ตั้งรอบ")
        admin.say("SAR")
        admin.say("ใช้ชื่อนี้")
        shown = texts(admin.say(f"{day.day}/{day.month}/{day.year + 543} 16:30"))
        assert "ขั้นที่ 4/4" in shown
        assert (warning in shown) if warning else ("⚠" not in shown)
        admin.say("ยกเลิก")


@pytest.fixture
def admin_round_due(webhook, line) -> Chat:
    """An admin at the due step of the round set-up flow."""
    admin = Chat(webhook, line, user_id=ADMIN)
    admin.say("ตั้งรอบ")
    admin.say("SAR")
    assert "ขั้นที่ 3/4" in texts(admin.say("ใช้ชื่อนี้"))
    return admin
