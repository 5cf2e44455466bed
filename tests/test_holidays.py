"""The holiday calendar in chat ("วันหยุด"), the admins' add/remove flow through signed webhooks, its effect
on the working-day calendar, who may do what, and `flask holidays` using the same actions.

Dates are found relative to today in Bangkok (the app runs on the real clock): the next public holiday
on a weekday, a free weekday a week ahead, the next Saturday."""
from __future__ import annotations

import calendar as month_lengths
from datetime import date, datetime, timedelta

import pytest

from handlers.calendar import actions, cards, steps
from handlers.core.flow import NOT_A_CHOICE
from handlers.core.words import Choice, choose
from handlers.core.policy import PRIVATE_ONLY, REFUSED
from handlers.core.thaidate import BANGKOK, MONTHS_SHORT, thai_day
from handlers.core.types import Actor
from handlers.core.workdays import office_calendar, public_holidays
from storage import holidays
from tests import line_events as ev
from tests.conftest import ADMIN, Chat, quick_replies, texts
from tests.members_support import add_member, audit_rows, button, db, press, uid

STAFF = uid(0xC1)
GUEST = uid(0xC2)
GROUP = "C" + "c1" * 16


def today() -> date:
    return datetime.now(BANGKOK).date()


def next_public_weekday() -> tuple[date, str]:
    """The first public holiday after tomorrow that falls on a weekday, within the list's window."""
    start, end = actions.window(today())
    found = sorted((d, n) for y in (start.year, end.year) for d, n in public_holidays(y).items()
                   if today() + timedelta(days=1) < d <= end and d.weekday() < 5)
    assert found, "the holidays package gives no weekday holiday in the window"
    return found[0]


def free_weekday(after: int = 7) -> date:
    day = today() + timedelta(days=after)
    while day.weekday() >= 5 or day in public_holidays(day.year):
        day += timedelta(days=1)
    return day


def next_saturday() -> date:
    return today() + timedelta(days=(5 - today().weekday()) % 7 or 7)


def typed(day: date) -> str:
    """`day` as an admin types it: "16/4/2570"."""
    return f"{day.day}/{day.month}/{day.year + 543}"


@pytest.fixture
def admin(webhook, line) -> Chat:
    return Chat(webhook, line, user_id=ADMIN)


def edits_of(app) -> dict[date, tuple[bool, str]]:
    with db(app) as s:
        return {e.day: (e.off, e.name) for e in holidays.edits(s)}


def test_anyone_sees_the_coming_days_off_with_weekdays_and_buddhist_years(app, webhook, line):
    day, name = next_public_weekday()
    guest = Chat(webhook, line, user_id=GUEST)
    for word in ("วันหยุด", "วันหยุดราชการ", "ปฏิทินวันหยุดค่ะ"):
        got = guest.say(word)
        shown = texts(got)
        assert f"🏖 {thai_day(day, weekday=True)} · {name}" in shown, shown
        assert str(day.year + 543) in shown and "เพิ่มวันหยุด" not in shown   # read-only for a guest
    _, end = actions.window(today())
    assert f"วันหยุดราชการ ถึง {thai_day(end)}" in shown and end >= today() + timedelta(days=90)


def test_admin_adds_a_day_off_typed_in_thai_with_stray_words_at_every_step(app, admin, line):
    listing = admin.say("วันหยุด")
    asked = press(admin, listing, "เพิ่มวันหยุด")
    picker = [a for a in quick_replies(asked) if a["type"] == "datetimepicker"]
    assert picker and picker[0]["mode"] == "date" and picker[0]["min"] == today().isoformat()
    assert "ขั้นที่ 1/3" in texts(asked)

    # the day step: stray words, impossible dates, days off already, then a good one
    stray = texts(admin.say("อะไรนะ"))
    assert "ไม่เข้าใจวันที่ \"อะไรนะ\"" in stray and "ขั้นที่ 1/3" in stray
    be = today().year + 544
    feb_days = month_lengths.monthrange(be - 543, 2)[1]
    assert f"(กุมภาพันธ์ {be} มี {feb_days} วัน)" in texts(admin.say(f"31 ก.พ. {be}"))
    assert "ไม่มีเดือนที่ 13" in texts(admin.say(f"30/13/{be}"))
    assert "ผ่านไปแล้ว" in texts(admin.say(typed(today() - timedelta(days=1))))
    assert "เป็นวันเสาร์อยู่แล้ว" in texts(admin.say(typed(next_saturday())))
    public, public_name = next_public_weekday()
    assert f"เป็นวันหยุดราชการอยู่แล้วค่ะ ({public_name})" in texts(admin.say(typed(public)))
    assert edits_of(app) == {}

    day = free_weekday()
    named = texts(admin.say(f"วันที่ {day.day} {MONTHS_SHORT[day.month - 1]} {day.year + 543}"))
    assert "ขั้นที่ 2/3" in named and thai_day(day, weekday=True) in named

    # the name step takes text: a name; the confirm step takes only a choice
    assert "ขั้นที่ 3/3" in texts(admin.say("วันหยุดทดสอบ"))
    again = texts(admin.say("อืม ไม่แน่ใจ"))
    assert NOT_A_CHOICE.split("{")[0] in again and "วันหยุดทดสอบ" in again
    assert "ขั้นที่ 2/3" in texts(admin.say("แก้ชื่อ"))
    admin.say("วันหยุดพิเศษ กรณีทดสอบระบบ")
    assert edits_of(app) == {}                                   # nothing written before the confirm
    done = texts(admin.say("ยืนยันค่ะ"))
    assert "เพิ่มวันหยุดแล้ว" in done and "วันหยุดพิเศษ กรณีทดสอบระบบ" in done
    assert edits_of(app) == {day: (True, "วันหยุดพิเศษ กรณีทดสอบระบบ")}

    # the working-day calendar sees it at once
    with db(app) as s:
        cal = office_calendar(s)
        assert cal.day_off(day) == "วันหยุดพิเศษ กรณีทดสอบระบบ" and not cal.is_working_day(day)
        assert cal.on_or_before(day) < day
    rows = audit_rows(app, "holiday.add")
    assert [(r.actor_id, r.target, r.detail["via"]) for r in rows] == [(ADMIN, day.isoformat(), "chat")]
    assert f"📌 {thai_day(day, weekday=True)} · วันหยุดพิเศษ กรณีทดสอบระบบ" in texts(admin.say("วันหยุด"))
    # after the flow, text is ordinary chat again (no flow catches it)
    assert "ขั้นที่" not in texts(admin.say("ขอบคุณค่ะ"))


def test_admin_adds_a_day_off_with_the_date_picker_and_working_days_move(app, webhook, admin, line):
    day = free_weekday(10)
    with db(app) as s:
        cal = office_calendar(s)
        prev = cal.on_or_before(day - timedelta(days=1))
        assert cal.add_working_days(prev, 1) == day
    asked = admin.say("เพิ่มวันหยุด")
    picker = [a for a in quick_replies(asked) if a["type"] == "datetimepicker"][0]
    start = len(line.requests)
    webhook.post(ev.postback_event(picker["data"], user_id=ADMIN, params={"date": day.isoformat()}))
    named = texts(admin._sent_since(start))
    assert "ขั้นที่ 2/3" in named and thai_day(day, weekday=True) in named
    confirm = admin.say("ตามมติ ครม.")
    assert "วันหยุดราชการเพิ่มเติมตามมติคณะรัฐมนตรี" in texts(confirm)
    press(admin, confirm, "✅ ยืนยัน")
    with db(app) as s:
        assert office_calendar(s).add_working_days(prev, 1) > day     # the day off is skipped now
    # the date typed with the command skips the day step
    other = free_weekday(20)
    assert "ขั้นที่ 2/3" in texts(admin.say(f"เพิ่มวันหยุด {typed(other)}"))
    named = texts(admin.say("หยุดพิเศษตามมติ ครม.ค่ะ"))         # the polite particle is not the name's
    assert "· หยุดพิเศษตามมติ ครม.\n" in named + "\n" and "ครม.ค่ะ" not in named
    assert "ยกเลิก" in texts(admin.say("ยกเลิก"))
    assert set(edits_of(app)) == {day}


def test_admin_removes_an_added_day_and_makes_a_public_holiday_a_working_day(app, admin):
    added = free_weekday(12)
    public, public_name = next_public_weekday()
    with db(app) as s:
        actions.add_day_off(s, Actor(ADMIN, "admin"), added, "วันหยุดพิเศษ", datetime.now(BANGKOK))
    asked = press(admin, admin.say("วันหยุด"), "ลบวันหยุด")
    shown = texts(asked)
    assert f"📌 {thai_day(added, weekday=True)} · วันหยุดพิเศษ" in shown and public_name in shown
    assert "ไม่เข้าใจวันที่ \"ไม่รู้สิ\"" in texts(admin.say("ไม่รู้สิ"))          # stray words at the pick
    assert "ไม่ใช่วันหยุดที่ลบได้" in texts(admin.say(typed(free_weekday(30))))
    near = next(d for d in (added + timedelta(days=1), added - timedelta(days=1)) if d not in public_holidays(d.year))
    near_typed = f"{near.day} {MONTHS_SHORT[near.month - 1]} {near.year + 543}"   # one character from a button
    assert f"{thai_day(near, weekday=True)} ไม่ใช่วันหยุดที่ลบได้" in texts(admin.say(near_typed))
    confirm = press(admin, asked, thai_day(added))
    assert "ลบวันหยุดนี้ที่สำนักงานเพิ่มไว้" in texts(confirm)
    assert NOT_A_CHOICE.split("{")[0] in texts(admin.say("ลบเลย 555"))         # stray words at the confirm
    back = admin.say("เลือกวันอื่น")
    assert "ลบวันหยุด: วันไหนคะ" in texts(back)
    assert "ให้วันหยุดราชการนี้เป็นวันทำงาน" in texts(admin.say(typed(public)))
    assert "ทำงานตามปกติ" in texts(admin.say("ยืนยัน"))
    with db(app) as s:
        cal = office_calendar(s)
        assert cal.is_working_day(public) and not cal.is_working_day(added)
    press(admin, admin.say("ลบวันหยุด"), thai_day(added))
    assert "ลบวันหยุดแล้ว" in texts(admin.say("ยืนยัน"))
    assert edits_of(app) == {public: (False, public_name)}
    listed = texts(admin.say("วันหยุด"))
    assert f"💼 {thai_day(public, weekday=True)} · {public_name} — สำนักงานทำงานตามปกติ" in listed
    assert [r.action for r in audit_rows(app) if r.action.startswith("holiday.")] == \
        ["holiday.add", "holiday.work", "holiday.remove"]
    # adding the worked public holiday back restores it
    assert "ขั้นที่ 3/3" in texts(admin.say(f"เพิ่มวันหยุด {typed(public)}"))   # its name is known
    assert "กลับมาเป็นวันหยุดตามปกติ" in texts(admin.say("ยืนยัน"))
    assert edits_of(app) == {}


def test_staff_and_guests_only_read_and_groups_never_edit(app, webhook, line, admin):
    add_member(app, STAFF, "สมชาย ใจดี", "staff", "policy")
    staff = Chat(webhook, line, user_id=STAFF)
    listing = staff.say("วันหยุด")
    assert "วันหยุดราชการ ถึง" in texts(listing) and "เพิ่มวันหยุด" not in texts(listing)
    assert REFUSED["admin"] in texts(staff.say("เพิ่มวันหยุด"))
    assert REFUSED["admin"] in texts(staff.say("ลบวันหยุด"))
    admin_card = admin.say("วันหยุด")
    assert REFUSED["admin"] in texts(staff.press(button(admin_card, "เพิ่มวันหยุด")["data"]))  # a forwarded button

    group = Chat(webhook, line, user_id=ADMIN, group_id=GROUP)
    assert group.say("วันหยุด") == []                         # ordinary group talk: the bot stays quiet
    in_group = texts(group.say("บอท วันหยุด"))
    assert "วันหยุดราชการ ถึง" in in_group and cards.EDIT_IN_PRIVATE in in_group
    assert "เพิ่มวันหยุด" not in in_group
    assert PRIVATE_ONLY in texts(group.say("บอท เพิ่มวันหยุด"))
    nameless = Chat(webhook, line, user_id=None, group_id=GROUP)
    assert "วันหยุดราชการ ถึง" in texts(nameless.say("บอท วันหยุดราชการ"))   # public: no user ID needed
    assert edits_of(app) == {}


def test_flask_holidays_uses_the_same_actions_and_audits_as_cli(app):
    runner = app.test_cli_runner()
    day = free_weekday(15)
    out = runner.invoke(args=["holidays", "add", day.isoformat(), "วันหยุดพิเศษ"])
    assert out.exit_code == 0 and "is now a day off" in out.output
    refused = runner.invoke(args=["holidays", "add", next_saturday().isoformat(), "x"])
    assert refused.exit_code != 0 and "เป็นวันเสาร์อยู่แล้ว" in refused.output
    nothing = runner.invoke(args=["holidays", "remove", free_weekday(40).isoformat()])
    assert nothing.exit_code != 0 and "ไม่ได้เป็นวันหยุด" in nothing.output
    assert [(r.action, r.detail["via"], r.actor_id.startswith("cli")) for r in audit_rows(app)] == \
        [("holiday.add", "cli", True)]


def test_a_date_typed_at_the_pick_step_is_read_as_a_date_never_matched_fuzzily():
    pick = steps.HOLIDAY.steps["pick"]
    one = [Choice("2027-04-16", "16 เม.ย. 2570", ("วันหยุดพิเศษ",))]
    assert choose("17 เม.ย. 2570", one) is not None            # why: fuzzy matching alone would take it
    assert not pick.offers_choice_for("17 เม.ย. 2570") and not pick.offers_choice_for("17/4/2570")
    assert pick.offers_choice_for("วันหยุดพิเศษค่ะ")             # a holiday's name still picks it
