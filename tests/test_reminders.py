"""Deadline reminders with a frozen clock: a round simulated day by day through the `reminders` sweep and
the delivery job, counted at the fake LINE API; repeated, interrupted and concurrent sweeps; the leader
lock; the quota; personal reminders and the admins' settings flow through signed webhooks."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from handlers.reminders import schedule
from scheduler import jobs, parse_at
from storage import groups, holidays, rounds
from storage.bootlock import leader_lock
from storage.models import AuditLog, Member, OutboxMessage, ReminderPolicy, Round
from tests.conftest import ADMIN, Chat, texts
from tests.members_support import add_member, db, press, uid

BKK = ZoneInfo("Asia/Bangkok")
ADMIN_CHAT = "C" + "a1" * 16     # bound to กลุ่มอำนวยการ ("admin"): item 3.1.4
SUP_CHAT = "C" + "b2" * 16       # bound to the supervision group: item 3.1.5
FINANCE_CHAT = "C" + "c3" * 16   # bound to finance: nothing in scope, never reminded
SUP_STAFF = uid(0xB1)
ADMIN_STAFF = uid(0xB2)
# local times the simulation sweeps at each day (the scheduler sweeps every 5 minutes)
TIMES = ((7, 0), (8, 29), (8, 30), (8, 35), (13, 0), (23, 55))


def local(y: int, m: int, d: int, h: int = 8, mi: int = 30) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=BKK).astimezone(timezone.utc)


@pytest.fixture
def office(app, line):
    """Three bound group chats, staff of two groups, and a KPI round on indicator 3.1 due Wednesday
    31 March 2570 (CE 2027) 16:30, open."""
    add_member(app, SUP_STAFF, "สุดา นิเทศ", "staff", "supervision")
    add_member(app, ADMIN_STAFF, "วิไล ตั้งใจ", "staff", "admin")
    start = local(2027, 3, 1, 7, 0)
    with db(app) as s:
        for chat, group, count in ((ADMIN_CHAT, "admin", 6), (SUP_CHAT, "supervision", 9), (FINANCE_CHAT, "finance", 4)):
            row = groups.record_join(s, chat, "group", start, name=f"ห้อง {group}", member_count=count)
            groups.bind(s, row, groups.WORK_GROUP, group)
        rnd = rounds.create(s, "รายงานตัวชี้วัด รอบ 6 เดือน", "kpi6", local(2027, 3, 31, 16, 30), start,
                            scope={"indicators": ["3.1"]}, state="open")
        round_id = rnd.id
    for chat, count in ((ADMIN_CHAT, 6), (SUP_CHAT, 9), (FINANCE_CHAT, 4)):
        line.groups[chat] = {"groupName": chat, "count": count}
    return round_id


def tick(app, now: datetime) -> str:
    runtime = app.extensions["bot"]
    out = jobs.run(runtime, "reminders", now)
    jobs.run(runtime, "deliver-outbox", now)
    return out


def simulate(app, line, first: date, last: date, on_day=None) -> list[tuple[datetime, str, list]]:
    """Sweep and deliver at `TIMES` every day from `first` to `last`: (sweep instant UTC, to, messages)
    of every push LINE accepted. `on_day(day)` runs at noon, before the afternoon sweep."""
    seen: list[tuple[datetime, str, list]] = []
    day = first
    while day <= last:
        for h, mi in TIMES:
            if on_day and (h, mi) == (13, 0):
                on_day(day)
            now = local(day.year, day.month, day.day, h, mi)
            before = len(line.pushes())
            tick(app, now)
            seen += [(now, b["to"], b["messages"]) for b in line.pushes()[before:]]
        day += timedelta(days=1)
    return seen


def days_to(seen, to: str) -> list[date]:
    return [now.astimezone(BKK).date() for now, who, _ in seen if who == to]


def test_a_round_simulated_for_six_weeks(app, webhook, line, office):
    with db(app) as s:  # the office declared Wednesday 24 March a day off: the 7-day step moves to the 23rd
        holidays.set_day(s, date(2027, 3, 24), True, "วันหยุดพิเศษ", "test", local(2027, 3, 1))
    staff = Chat(webhook, line, user_id=ADMIN_STAFF)
    assert "เปิดการเตือนส่วนตัวแล้ว" in texts(staff.say("เตือนฉันค่ะ"))
    sup = Chat(webhook, line, user_id=SUP_STAFF)

    def on_day(day: date) -> None:
        if day == date(2027, 3, 29):  # supervision reports its one item: done from the next step on
            assert "บันทึกแล้ว" in texts(sup.say("3.1.5 มีหลักฐานแล้ว https://drive.example.go.th/3.1.5"))
        if day == date(2027, 4, 10):
            with db(app) as s:
                rounds.close_round(s, s.get(Round, office))

    seen = simulate(app, line, date(2027, 3, 1), date(2027, 4, 20), on_day)
    # every push left at 08:30 Bangkok (01:30 UTC), the moment the step fell due, never at another sweep
    assert seen and {now.astimezone(timezone.utc).strftime("%H:%M") for now, _, _ in seen} == {"01:30"}
    # 14 days before: Wed 17 Mar; 7: 24 Mar is a day off -> Tue 23; 3: Sun 28 -> Fri 26; 1: Tue 30; due: Wed 31;
    # after: Sat 3 Apr -> Fri 2, Tue 6 Apr (Chakri day) -> Mon 5, Fri 9; closed on the 10th: nothing after
    steps = [date(2027, 3, 17), date(2027, 3, 23), date(2027, 3, 26), date(2027, 3, 30), date(2027, 3, 31),
             date(2027, 4, 2), date(2027, 4, 5), date(2027, 4, 9)]
    assert days_to(seen, ADMIN_CHAT) == steps  # exactly once per step
    assert days_to(seen, ADMIN) == steps         # the admins' summary (no admins' chat: 1:1)
    assert days_to(seen, ADMIN_STAFF) == steps   # opted in: personal reminders too
    # supervision: reminded until it completed on the 29th, then one "ครบแล้ว", then nothing
    assert days_to(seen, SUP_CHAT) == steps[:3] + [date(2027, 3, 30)]
    assert days_to(seen, FINANCE_CHAT) == [] and days_to(seen, SUP_STAFF) == []
    by_day = {(now.astimezone(BKK).date(), to): m for now, to, m in seen}
    done = texts(by_day[(date(2027, 3, 30), SUP_CHAT)])
    assert "มีหลักฐานครบทุกรายการ" in done
    first = texts(by_day[(date(2027, 3, 17), ADMIN_CHAT)])
    assert "อีก 14 วัน" in first and "เกณฑ์ 3.1.4" in first and "0/1 (0%)" in first and "รายงาน 3.1.4" in first
    assert "ครบกำหนดวันนี้" in texts(by_day[(date(2027, 3, 31), ADMIN_CHAT)])
    assert "เลยกำหนดมาแล้ว 2 วัน" in texts(by_day[(date(2027, 4, 2), ADMIN_CHAT)])
    summary = texts(by_day[(date(2027, 3, 30), ADMIN)])
    assert "ทั้งสำนักงาน" in summary and "1/2 (50%)" in summary and "ส่งเตือนถึงกลุ่มไลน์ 1 กลุ่ม" in summary
    assert "เตือนส่วนตัว" in texts(by_day[(date(2027, 3, 17), ADMIN_STAFF)])
    with db(app) as s:  # each row's cost is the group's head count
        costs = {r.recipients[0]: r.cost for r in s.scalars(select(OutboxMessage).where(OutboxMessage.origin.startswith("reminder")))}
    assert costs[ADMIN_CHAT] == 6 and costs[SUP_CHAT] == 9 and costs[ADMIN] == 1


def test_the_reminder_buttons_report_through_the_evidence_flow(app, webhook, line, office):
    tick(app, local(2027, 3, 17))
    body = next(b for b in line.pushes() if b["to"] == ADMIN_CHAT)
    in_group = Chat(webhook, line, user_id=ADMIN_STAFF, group_id=ADMIN_CHAT)
    asked = press(in_group, body["messages"], "รายงาน 3.1.4")
    assert "รายงานสถานะ เกณฑ์ 3.1.4" in texts(asked)
    assert "เกณฑ์ 3.1.4" in texts(press(in_group, body["messages"], "ดู 3.1.4"))


def test_after_downtime_only_the_latest_step_and_none_a_day_late(app, line, office):
    # down from the 20th to the 26th 13:00: the 23rd's step (b7) is three days late, the 26th's (b3) is due
    assert "queued 0" in tick(app, local(2027, 3, 27, 9, 0))  # the 26th 08:30 is more than a day ago
    assert not line.pushes()
    tick(app, local(2027, 3, 26, 13, 0))
    sent = [b["to"] for b in line.pushes()]
    assert sorted(sent) == sorted([ADMIN_CHAT, SUP_CHAT, ADMIN])  # one step each, not a burst
    assert "อีก 5 วัน" in texts(line.pushes()[0]["messages"])


def test_a_repeated_interrupted_or_concurrent_sweep_sends_nothing_twice(app, line, office, monkeypatch):
    with db(app) as s:  # a second round with a step on the same morning (due in 7 days)
        rounds.create(s, "SAR ปีงบประมาณ 2570", "sar", local(2027, 3, 24, 16, 30), local(2027, 3, 1),
                      scope={"indicators": ["3.1"]}, state="open")
    now = local(2027, 3, 17)
    real = jobs.outbox.enqueue
    calls = {"n": 0}

    def dies_in_the_second_round(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 4:  # the first round's three rows are committed, then the process dies
            raise RuntimeError("killed mid-sweep")
        return real(*a, **kw)

    monkeypatch.setattr(jobs.outbox, "enqueue", dies_in_the_second_round)
    with pytest.raises(RuntimeError):
        jobs.run(app.extensions["bot"], "reminders", now)
    monkeypatch.setattr(jobs.outbox, "enqueue", real)
    with db(app) as s:
        assert len(s.scalars(select(OutboxMessage)).all()) == 3
    # restarted at the same instant, then again, then two at once with the leader lock out of the way
    tick(app, now)
    assert "queued 0" in tick(app, now)

    @contextmanager
    def everyone_leads(engine, key):
        yield True

    monkeypatch.setattr(jobs, "leader_lock", everyone_leads)
    later = now + timedelta(minutes=5)
    threads = [threading.Thread(target=jobs.run, args=(app.extensions["bot"], "reminders", later)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    jobs.run(app.extensions["bot"], "deliver-outbox", later)
    sent = sorted(b["to"] for b in line.pushes())
    assert sent == sorted([ADMIN_CHAT, SUP_CHAT, ADMIN] * 2)  # two rounds, each chat once per round
    with db(app) as s:
        keys = [r.dedupe_key for r in s.scalars(select(OutboxMessage))]
    assert len(keys) == len(set(keys)) == 6


def test_a_second_scheduler_is_not_the_leader(app, line, office):
    engine = app.extensions["bot"].storage.engine
    with leader_lock(engine, jobs.SWEEP_LOCK_KEY) as leading:
        assert leading
        assert tick(app, local(2027, 3, 17)) == "another process is sweeping"
        with leader_lock(engine, jobs.SWEEP_LOCK_KEY) as second:
            assert not second
    assert not line.pushes()
    assert "queued 3" in tick(app, local(2027, 3, 17, 8, 35))


def test_when_the_quota_is_short_the_nearest_deadline_goes_first_and_admins_are_warned_once(app, line, office):
    with db(app) as s:  # another round, due a week later than the first, with its own step this morning
        far = rounds.create(s, "PMQA", "sar", local(2027, 3, 24, 16, 30), local(2027, 3, 1),
                            scope={"indicators": ["3.1"]}, state="open").id
        near = rounds.create(s, "ด่วน", "kpi9", local(2027, 3, 18, 16, 30), local(2027, 3, 1),
                             scope={"indicators": ["3.1"]}, state="open").id
    line.quota, line.usage = 40, 10
    jobs.run(app.extensions["bot"], "refresh-line-facts", local(2027, 3, 17, 7, 0))  # caches quota and usage
    # 30 left, 1 set aside for the warning: 3 rounds × admin summaries (3), the near round's groups (6 + 9),
    # then the far round's 6-member group fits (5 left) and neither the 9-member one nor the last round's
    out = tick(app, local(2027, 3, 17))
    assert "over the quota" in out
    with db(app) as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.is_not(None))).all()
        by_round = {}
        for r in rows:
            by_round.setdefault(r.origin, set()).add(r.recipients[0])
    assert by_round[f"reminder:{near}"] == {ADMIN_CHAT, SUP_CHAT, ADMIN}
    assert by_round[f"reminder:{far}"] == {ADMIN, ADMIN_CHAT}
    assert by_round[f"reminder:{office}"] == {ADMIN}
    warnings = [b for b in line.pushes() if "โควตาข้อความของเดือนมีนาคม 2570" in texts(b["messages"])]
    assert [b["to"] for b in warnings] == [ADMIN]
    tick(app, local(2027, 3, 17, 8, 35))  # still short: nothing new fits, and no second warning this month
    assert len([b for b in line.pushes() if "โควตาข้อความ" in texts(b["messages"])]) == 1
    assert line.usage == 40 - 5
    with db(app) as s:
        assert not s.scalars(select(OutboxMessage).where(OutboxMessage.status != "sent")).all()  # none refused


def test_policy_edits_apply_to_the_kind(app, line, office):
    with db(app) as s:
        s.add(ReminderPolicy(kind="kpi6", days_before=[2], every_after=0, send_at="10:00", updated_by="t",
                             updated_at=local(2027, 3, 1)))
    tick(app, local(2027, 3, 17))
    assert not line.pushes()  # 14 days before is no longer a step for this kind
    tick(app, local(2027, 3, 29, 9, 59))
    assert not line.pushes()
    tick(app, local(2027, 3, 29, 10, 0))
    assert sorted(b["to"] for b in line.pushes()) == sorted([ADMIN_CHAT, SUP_CHAT, ADMIN])


def test_steps_shift_to_the_working_day_before_and_merge():
    cal = schedule.WorkCalendar()
    due = local(2027, 4, 17, 16, 30)  # a Saturday in Songkran
    got = [(s.name, s.moment.astimezone(BKK).date()) for s in
           schedule.steps(schedule.DEFAULT, due, cal, date(2027, 4, 17))]
    # 3 (Wed 14th, Songkran) -> Mon 12th; 1 (Fri 16th) and due (Sat 17th) both land Fri 16th: one, the due step
    assert got == [("b14", date(2027, 4, 2)), ("b7", date(2027, 4, 9)), ("b3", date(2027, 4, 12)),
                   ("d0", date(2027, 4, 16))]


@pytest.mark.parametrize("typed, want", [
    ("14 7 3 1 0", ((14, 7, 3, 1, 0), 3, "08:30")),
    ("๑๐ ๕ ๑", ((10, 5, 1), 3, "08:30")),
    ("เตือนก่อน 5, 2 วันค่ะ", ((5, 2), 3, "08:30")),
    ("ทุก 2 วันหลังครบกำหนด", ((14, 7, 3, 1, 0), 2, "08:30")),
    ("ไม่เตือนหลังครบกำหนด", ((14, 7, 3, 1, 0), 0, "08:30")),
    ("9.15 น.", ((14, 7, 3, 1, 0), 3, "09:15")),
])
def test_typed_policy_edits(typed, want):
    p = schedule.parse_edit(typed, schedule.DEFAULT)
    assert (p.days_before, p.every_after, p.at.strftime("%H:%M")) == want


@pytest.mark.parametrize("typed", ["25:00", "ทุก 0 วัน", "90 7", "เตือนบ่อยๆ", "1 2 3 4 5 6 7 8 9"])
def test_typed_policy_edits_refused(typed):
    with pytest.raises(schedule.UserFacingError):
        schedule.parse_edit(typed, schedule.DEFAULT)


def test_remind_me_and_stop_through_the_webhook(app, webhook, line, office):
    staff = Chat(webhook, line, user_id=SUP_STAFF)
    assert "ตอนนี้ไม่ได้เปิดการเตือนส่วนตัว" in texts(staff.say("ไม่ต้องเตือนค่ะ"))
    assert "เปิดการเตือนส่วนตัวแล้ว" in texts(staff.say("เตือนฉันด้วยนะคะ"))
    assert "เปิดอยู่แล้ว" in texts(staff.say("เตือนฉัน"))
    assert "ปิดการเตือนส่วนตัวแล้ว" in texts(staff.say("ไม่ต้องเตือนแล้วค่ะ"))
    with db(app) as s:
        assert s.get(Member, SUP_STAFF).remind_me is False
    # in a group chat the words are ordinary talk; addressed, the bot asks for a 1:1 chat
    in_group = Chat(webhook, line, user_id=SUP_STAFF, group_id=SUP_CHAT)
    before = len(line.replies())
    in_group.say("เตือนฉัน")
    assert len(line.replies()) == before
    assert "1:1" in texts(in_group.say("บอท เตือนฉัน"))
    guest = Chat(webhook, line, user_id=uid(0xB9))
    assert "ลงทะเบียน" in texts(guest.say("เตือนฉัน"))
    # "เตือนฉันที" is not the command (a whole word): it goes to the standards search instead
    assert "เปิดการเตือน" not in texts(staff.say("เตือนฉันทีว่าเกณฑ์ 1.1.5 คืออะไร"))


def test_the_admins_settings_flow_with_stray_words_at_each_step(app, webhook, line, office):
    admin = Chat(webhook, line, user_id=ADMIN)
    staff = Chat(webhook, line, user_id=SUP_STAFF)
    assert "ผู้ดูแลระบบ" in texts(staff.say("ตั้งค่าการเตือน"))
    asked = admin.say("ตั้งค่าการเตือนค่ะ")
    assert "เลือกประเภทรอบ" in texts(asked)
    assert "ไม่แน่ใจว่าเลือกอะไร" in texts(admin.say("อากาศดีจัง"))          # stray at the kind step
    shown = texts(admin.say("ตัวชี้วัด 6 เดือนค่ะ"))
    assert "ก่อนครบกำหนด 14, 7, 3, 1 วัน" in shown and "เวลา 08:30 น." in shown
    assert "พิมพ์วันที่จะเตือน" in texts(admin.say("ประชุมบ่ายนี้"))          # stray at the edit step
    assert "ไม่มีจริง" in texts(admin.say("25:61"))
    assert "ก่อนครบกำหนด 3 วัน" in texts(admin.say("3"))                        # a number is days, not button 3
    assert "ก่อนครบกำหนด 10, 5, 1 วัน · วันครบกำหนด" in texts(admin.say("10 5 1 0"))
    assert "หลังครบกำหนดทุก 2 วัน" in texts(admin.say("ทุก 2 วันหลังครบกำหนด"))
    edited = admin.say("09:00")
    assert "เวลา 09:00 น." in texts(edited)
    confirm = press(admin, edited, "✅ ยืนยัน")
    assert "เดิม: ก่อนครบกำหนด 14, 7, 3, 1 วัน" in texts(confirm) and "ใหม่: ก่อนครบกำหนด 10, 5, 1 วัน" in texts(confirm)
    assert "ไม่แน่ใจว่าเลือกอะไร" in texts(admin.say("โอเคมั้ง"))                 # stray at the confirm step
    with db(app) as s:
        assert s.get(ReminderPolicy, "kpi6") is None  # nothing saved before the confirmation
    saved = admin.say("บันทึกค่ะ")
    assert "บันทึกแล้ว" in texts(saved)
    with db(app) as s:
        row = s.get(ReminderPolicy, "kpi6")
        assert (row.days_before, row.every_after, row.send_at, row.updated_by) == ([10, 5, 1, 0], 2, "09:00", ADMIN)
        assert s.scalars(select(AuditLog).where(AuditLog.action == "reminders.policy")).one().target == "kpi6"
    # the next sweep follows it: 10 days before 31 March is Sun 21 -> Fri 19, at 09:00
    tick(app, local(2027, 3, 19, 8, 30))
    assert not line.pushes()
    tick(app, local(2027, 3, 19, 9, 0))
    assert ADMIN_CHAT in {b["to"] for b in line.pushes()}
    # the defaults come back with one button
    admin.say("ตั้งค่าการเตือน")
    reset = press(admin, admin.say("ตัวชี้วัด 6 เดือน"), "ค่าเริ่มต้น")
    assert "ก่อนครบกำหนด 14, 7, 3, 1 วัน" in texts(reset)


def test_run_job_at_an_instant(app, line, office):
    runner = app.test_cli_runner()
    assert parse_at("2027-03-17T08:30") == local(2027, 3, 17)  # no offset: Bangkok
    assert parse_at("2027-03-17T01:30Z") == local(2027, 3, 17)
    out = runner.invoke(args=["run-job", "reminders", "--at", "2027-03-17T08:30+07:00"])
    assert out.exit_code == 0 and "queued 3" in out.output
    out = runner.invoke(args=["run-job", "deliver-outbox", "--at", "2027-03-17T08:31+07:00"])
    assert out.exit_code == 0 and len(line.pushes()) == 3
    bad = runner.invoke(args=["run-job", "reminders", "--at", "yesterday"])
    assert bad.exit_code != 0 and "ISO-8601" in bad.output
