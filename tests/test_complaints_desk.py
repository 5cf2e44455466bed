"""The officers' desk through signed webhooks and the fake LINE API: the queue (overdue first), the case
card, each state change and each notification (counted at the fake after the deliver-outbox job), the
text flows and their stray words, forwarding to a work group's chat, the complainant's rating, refusals,
anonymity, audited identity views, and `flask complaints …`."""
from __future__ import annotations

import json
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from handlers.complaints import actions, rating
from handlers.core import policy, postback
from handlers.core.flow import NOT_A_CHOICE
from scheduler import jobs
from storage import complaints
from storage.models import AuditLog, ChatGroup, Complaint, ComplaintEvent, OutboxMessage
from tests import line_events as ev
from tests.conftest import ADMIN, SECRET, Chat, bubbles, texts
from tests.members_support import actions as all_actions, add_member, button, db, press, pushed_to, uid

NOW = datetime(2027, 3, 3, 3, 0, tzinfo=timezone.utc)     # Wednesday 3 มี.ค. 2570 10:00 in Bangkok
TODAY = date(2027, 3, 3)
OFFICER = uid(0xD1)
STAFF = uid(0xD2)                # staff, not a complaint officer
FILER = uid(0xD3)
ANON_FILER = uid(0xD4)
POLICY_STAFF = uid(0xD5)
FILER_NAME, ANON_NAME = "สมปอง ผู้ร้อง", "มานี ไม่ออกนาม"
POLICY_CHAT = "C" + "d6" * 16
ASKED_AGAIN = NOT_A_CHOICE.split("{")[0]  # "…พิมพ์ชื่อตัวเลือก (": a step re-asking for its choice


@pytest.fixture
def desk(app, line):
    """An officer, a staff member, two complainants, a chat bound to the policy group; the clock frozen."""
    add_member(app, OFFICER, "วิไล ตั้งใจ", "staff", "admin", officer=True)
    add_member(app, STAFF, "สมชาย ใจดี", "staff", "policy")
    add_member(app, POLICY_STAFF, "สมหญิง นโยบาย", "staff", "policy")
    add_member(app, FILER, FILER_NAME)
    add_member(app, ANON_FILER, ANON_NAME)
    with db(app) as s:
        s.add(ChatGroup(chat_id=POLICY_CHAT, kind="group", name="ห้องนโยบายและแผน", binding="work_group",
                        work_group="policy", active=True, member_count=6))
    line.groups[POLICY_CHAT] = {"groupName": "ห้องนโยบายและแผน", "count": 6}
    runtime = app.extensions["bot"]
    old = runtime.clock
    runtime.clock = lambda: NOW
    yield runtime
    runtime.clock = old


def file_case(app, user=FILER, *, anonymous=False, details="ติดต่อสำนักงานเขตแล้วไม่มีผู้รับสายหลายวัน",
              kind="complaint", letter="ร", topic="service", ack_due=TODAY + timedelta(days=1),
              resolve_due=TODAY + timedelta(days=21), filed_at=NOW - timedelta(hours=2), name=None) -> str:
    with db(app) as s:
        case = complaints.create(s, letter=letter, kind=kind, topic=topic, details=details, user_id=user,
                                 name=name if name is not None else (ANON_NAME if anonymous else FILER_NAME),
                                 now=filed_at, anonymous=anonymous, ack_due=ack_due, resolve_due=resolve_due)
        return case.number


def case_of(app, number: str) -> Complaint:
    with db(app) as s:
        c = complaints.by_number(s, number)
        s.expunge(c)
        return c


def steps_of(app, number: str) -> list[tuple[str, str, str, bool]]:
    with db(app) as s:
        c = complaints.by_number(s, number)
        return [(e.action, e.by, e.to_state, e.public) for e in complaints.history(s, c)]


def as_(webhook, line, user_id: str, group_id: str | None = None) -> Chat:
    return Chat(webhook, line, user_id=user_id, group_id=group_id)


def deliver(runtime) -> None:
    jobs.run(runtime, "deliver-outbox", NOW)


def open_case(officer: Chat, number: str) -> list[dict]:
    return officer.say(f"เรื่องร้องเรียน {number}")


def test_the_queue_lists_open_cases_overdue_first(app, webhook, line, desk):
    on_time = file_case(app, filed_at=NOW - timedelta(days=1))
    late = file_case(app, details="ครูไม่เข้าสอนบ่อยครั้ง", topic="teaching", ack_due=TODAY - timedelta(days=2),
                     filed_at=NOW - timedelta(hours=1))
    closed = file_case(app)
    with db(app) as s:
        complaints.move(s, complaints.by_number(s, closed), "resolved", OFFICER, NOW, text="แก้แล้ว")
    officer = as_(webhook, line, OFFICER)
    shown = officer.say("เรื่องร้องเรียนค่ะ")
    summary = texts(shown)
    assert "เรื่องที่เปิดอยู่ 2 เรื่อง · ⚠ เกินกำหนด 1 เรื่อง" in summary
    labels = [b["header"]["contents"][0]["text"] for b in bubbles(shown)]
    assert labels == [f"เรื่อง {late} · ⚠ เกินกำหนด", f"เรื่อง {on_time}"]
    assert closed not in summary
    assert "ข้อร้องเรียน · การจัดการเรียนการสอน" in summary and "ครูไม่เข้าสอนบ่อยครั้ง" in summary
    card = press(officer, shown, "เปิดเรื่อง")                    # the first: the overdue case
    text = texts(card)
    assert f"เรื่อง {late}" in text and "รับเรื่องภายใน 1 มี.ค. 2570 ⚠ เกินกำหนด" in text
    assert "แจ้งผลภายใน 24 มี.ค. 2570" in text and "ใหม่" in text and "ไม่ระบุ" in text  # no school
    # the configured admin sees the same queue
    assert "เรื่องที่เปิดอยู่ 2 เรื่อง" in texts(as_(webhook, line, ADMIN).say("เรื่องร้องเรียน"))


def test_who_may_use_the_desk(app, webhook, line, desk):
    number = file_case(app)
    refused = policy.REFUSED["officer"]
    assert refused in texts(as_(webhook, line, STAFF).say("เรื่องร้องเรียน"))
    assert refused in texts(as_(webhook, line, FILER).say(f"เรื่องร้องเรียน {number}"))
    with db(app) as s:
        case_id = complaints.by_number(s, number).id
    for op in ("take", "who", "show", "note"):
        assert refused in texts(as_(webhook, line, STAFF).press(postback.encode("cd", o=op, c=case_id)))
    # in a group: quiet unless addressed, then the refusal and nothing of any case
    group = as_(webhook, line, OFFICER, group_id=POLICY_CHAT)
    assert group.say("เรื่องร้องเรียน") == []
    answer = texts(group.say("บอท เรื่องร้องเรียน"))
    assert answer == policy.PRIVATE_ONLY and number not in answer
    assert policy.PRIVATE_ONLY in texts(group.press(postback.encode("cd", o="take", c=case_id)))
    assert steps_of(app, number) == [("filed", "complainant", "new", True)]
    assert not line.pushes()
    # the menu offers the desk to those who may use it, and only to them
    assert "\"เรื่องร้องเรียน\" ดูเรื่องที่เปิดอยู่" in texts(as_(webhook, line, OFFICER).say("เมนู"))
    assert "\"เรื่องร้องเรียน\" ดูเรื่องที่เปิดอยู่" not in texts(as_(webhook, line, STAFF).say("เมนู"))


def test_take_acknowledges_and_tells_the_complainant_once(app, webhook, line, desk):
    number = file_case(app)
    officer = as_(webhook, line, OFFICER)
    card = open_case(officer, number)
    assert "ติดต่อสำนักงานเขตแล้วไม่มีผู้รับสายหลายวัน" in texts(card)
    done = press(officer, card, "รับเรื่อง")
    assert f"รับเรื่อง {number} แล้วค่ะ" in texts(done) and "แจ้งผู้แจ้งแล้ว" in texts(done)
    assert "ผู้รับผิดชอบ: วิไล ตั้งใจ" in texts(done) and "รับเรื่องภายใน 4 มี.ค. 2570 ✅" in texts(done)
    case = case_of(app, number)
    assert (case.state, case.assignee_id, case.acknowledged_at) == ("acknowledged", OFFICER, NOW)
    assert steps_of(app, number)[-1] == ("acknowledged", OFFICER, "acknowledged", True)
    deliver(desk)
    [ack] = pushed_to(line, FILER)
    assert f"เรื่อง {number} ของท่าน เจ้าหน้าที่รับเรื่องแล้ว" in ack["text"] and "24 มี.ค. 2570" in ack["text"]
    # กำลังดำเนินการ: a state change the complainant is not pushed about; twice is refused
    working = press(officer, done, "กำลังดำเนินการ")
    assert "เป็น \"กำลังดำเนินการ\" แล้วค่ะ" in texts(working)
    refused = texts(officer.press(postback.encode("cd", o="work", c=case.id)))
    assert refused == actions.MOVE_REFUSED.format(number=number, state="กำลังดำเนินการ", to="กำลังดำเนินการ")
    deliver(desk)
    assert len(pushed_to(line, FILER)) == 1
    assert [s[0] for s in steps_of(app, number)] == ["filed", "acknowledged", "state"]
    # the whole history, with who and when
    history = texts(press(officer, working, "ประวัติทั้งหมด"))
    assert "3 มี.ค. 2570 10:00 น. · วิไล ตั้งใจ: รับเรื่อง" in history
    assert "3 มี.ค. 2570 08:00 น. · ผู้แจ้ง: แจ้งเรื่อง" in history
    assert "วิไล ตั้งใจ: เปลี่ยนเป็น \"กำลังดำเนินการ\"" in history


def test_two_officers_taking_a_case_at_once_one_holds_it_and_the_other_is_told_who(app, webhook, line, desk):
    other = uid(0xD6)
    add_member(app, other, "มาลี ดูแล", "staff", "admin", officer=True)
    number = file_case(app)
    case_id = case_of(app, number).id
    statuses = []

    def take(user_id: str) -> None:
        body = ev.body(ev.postback_event(postback.encode("cd", o="take", c=case_id), user_id=user_id))
        statuses.append(app.test_client().post("/callback", data=body, headers={
            "X-Line-Signature": ev.sign(body, SECRET), "Content-Type": "application/json"}).status_code)
    threads = [threading.Thread(target=take, args=(u,)) for u in (OFFICER, other)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert statuses == [200, 200]
    case = case_of(app, number)
    holder = {OFFICER: "วิไล ตั้งใจ", other: "มาลี ดูแล"}[case.assignee_id]
    assert [s[0] for s in steps_of(app, number)] == ["filed", "acknowledged"]
    replies = "\n".join(line.texts())
    assert replies.count(f"รับเรื่อง {number} แล้วค่ะ") == 1
    assert actions.HELD.format(number=number, name=holder) in replies
    deliver(desk)
    assert len(pushed_to(line, FILER)) == 1                     # the complainant hears once
    # pressing again later: the holder is told they have it, nobody else takes it over
    again = texts(as_(webhook, line, case.assignee_id).press(postback.encode("cd", o="take", c=case_id)))
    assert again == actions.HELD_BY_YOU.format(number=number)
    assert case_of(app, number).assignee_id == case.assignee_id


def test_card_buttons_typed_with_the_case_number_do_what_the_button_does(app, webhook, line, desk):
    from handlers.complaints import desk as desk_module
    number = file_case(app)
    officer = as_(webhook, line, OFFICER)
    hint = officer.say("รับเรื่อง")
    assert desk_module.NEEDS_NUMBER.format(word="รับเรื่อง") in texts(hint)
    assert case_of(app, number).state == "new"
    taken = texts(officer.say(f"รับเรื่อง {number.replace('-', ' ')} ค่ะ"))
    assert f"รับเรื่อง {number} แล้วค่ะ" in taken and case_of(app, number).assignee_id == OFFICER
    assert f"พิมพ์ข้อความถึงผู้แจ้ง เรื่อง {number}" in texts(officer.say(f"ตอบผู้แจ้ง {number}"))
    officer.say("ยกเลิก")
    assert "ไม่พบเรื่องเลขที่" in texts(officer.say("ยุติเรื่อง ร-2570-9999"))
    assert policy.REFUSED["officer"] in texts(as_(webhook, line, STAFF).say(f"รับเรื่อง {number}"))
    assert [s[0] for s in steps_of(app, number)] == ["filed", "acknowledged"]


def test_on_an_open_card_the_buttons_label_typed_alone_acts_on_that_case(app, webhook, line, desk):
    number = file_case(app)
    officer = as_(webhook, line, OFFICER)
    open_case(officer, number)
    assert f"รับเรื่อง {number} แล้วค่ะ" in texts(officer.say("รับเรื่องค่ะ"))
    assert f"พิมพ์ข้อความถึงผู้แจ้ง เรื่อง {number}" in texts(officer.say("ตอบผู้แจ้ง"))


def test_forwarding_tells_the_groups_chat_and_stray_words_are_asked_again(app, webhook, line, desk):
    number = file_case(app, details="ขอให้ชี้แจงแผนงบประมาณของโครงการ", topic="budget")
    officer = as_(webhook, line, OFFICER)
    asked = press(officer, open_case(officer, number), "ส่งต่อ")
    assert f"ส่งต่อเรื่อง {number} ถึงกลุ่มงานไหนคะ" in texts(asked)
    again = texts(officer.say("ฮัลโหลจ้า"))
    assert ASKED_AGAIN in again and case_of(app, number).state == "new"
    confirm = officer.say("นโยบายและแผนค่ะ")
    assert "ถึงกลุ่มนโยบายและแผน นะคะ" in texts(confirm)
    assert ASKED_AGAIN in texts(officer.say("อืม ไม่แน่ใจ"))
    assert case_of(app, number).state == "new"
    done = press(officer, officer.say("เลือกใหม่"), "บริหารงานบุคคล")  # back to the group step, another group
    assert "ถึงกลุ่มบริหารงานบุคคล" in texts(done)
    done = press(officer, officer.say("แก้ไข"), "นโยบายและแผน")
    done = press(officer, done, "✅ ยืนยัน")
    assert f"ส่งต่อเรื่อง {number} ถึงกลุ่มนโยบายและแผนแล้วค่ะ" in texts(done)
    assert "แจ้งกลุ่มไลน์ของกลุ่มนโยบายและแผนแล้ว (1 กลุ่ม)" in texts(done)
    case = case_of(app, number)
    assert (case.state, case.forwarded_to) == ("forwarded", "policy")
    deliver(desk)
    [to_group] = pushed_to(line, POLICY_CHAT)
    assert number in to_group["text"] and "ขอให้ชี้แจงแผนงบประมาณของโครงการ" in to_group["text"]
    assert FILER_NAME not in to_group["text"] and FILER not in to_group["text"]
    [ack] = pushed_to(line, FILER)            # forwarded straight from ใหม่: the case was acknowledged too
    assert "เจ้าหน้าที่รับเรื่องแล้ว" in ack["text"]
    with db(app) as s:
        rows = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [(r.recipients, r.status, r.cost) for r in rows] == [([POLICY_CHAT], "sent", 6), ([FILER], "sent", 1)]


def test_forwarding_to_a_group_without_a_chat_tells_its_staff(app, webhook, line, desk):
    number = file_case(app)
    with db(app) as s:
        s.get(ChatGroup, POLICY_CHAT).binding, s.get(ChatGroup, POLICY_CHAT).work_group = "all_staff", None
    officer = as_(webhook, line, OFFICER)
    press(officer, open_case(officer, number), "ส่งต่อ")
    done = officer.press(postback.encode("cancel"))  # ยกเลิก leaves it as it was
    assert case_of(app, number).state == "new" and "ยกเลิก" in texts(done)
    press(officer, open_case(officer, number), "ส่งต่อ")
    officer.say("นโยบาย")
    done = officer.say("ยืนยัน")
    assert "แจ้งบุคลากรของกลุ่มนโยบายและแผน 2 คนแล้ว" in texts(done)
    deliver(desk)
    assert len(pushed_to(line, STAFF)) == len(pushed_to(line, POLICY_STAFF)) == 1
    assert len(pushed_to(line, FILER)) == 1  # acknowledged by the forwarding
    assert pushed_to(line, POLICY_CHAT) == []


def test_a_note_stays_internal_and_a_reply_reaches_the_complainant(app, webhook, line, desk):
    number = file_case(app)
    officer = as_(webhook, line, OFFICER)
    asked = press(officer, open_case(officer, number), "บันทึกภายใน")
    assert "ผู้แจ้งจะไม่เห็นบันทึกนี้" in texts(asked)
    confirm = officer.say("โทรสอบถามกลุ่มอำนวยการแล้ว รอคำตอบ")
    assert "ตรวจสอบก่อนค่ะ" in texts(confirm)
    done = press(officer, confirm, "✅ ยืนยัน")
    assert f"บันทึกภายในเรื่อง {number} แล้วค่ะ" in texts(done) and "🔒 บันทึกภายใน" in texts(done)
    deliver(desk)
    assert pushed_to(line, FILER) == []
    # the reply: particles only is asked again; an edit replaces the text before anything is sent
    with db(app) as s:
        case_id = complaints.by_number(s, number).id
    officer.press(postback.encode("cd", o="reply", c=case_id))
    assert actions.EMPTY in texts(officer.say("ค่ะ"))
    officer.say("ร่างแรกที่ไม่ส่ง")
    assert "พิมพ์ข้อความถึงผู้แจ้ง" in texts(officer.say("แก้ไข"))
    officer.say("เจ้าหน้าที่ได้ประสานกลุ่มงานแล้ว จะแจ้งผลภายในสัปดาห์นี้ค่ะ")
    done = officer.say("ส่งเลยค่ะ")
    assert f"ตอบผู้แจ้ง เรื่อง {number} แล้วค่ะ (แจ้งผู้แจ้งแล้ว)" in texts(done)
    deliver(desk)
    [reply] = pushed_to(line, FILER)
    assert "เจ้าหน้าที่ได้ประสานกลุ่มงานแล้ว" in reply["text"] and "ร่างแรก" not in reply["text"]
    assert "โทรสอบถาม" not in json.dumps(line.pushes(), ensure_ascii=False)
    with db(app) as s:
        case = complaints.by_number(s, number)
        public = [e.action for e in complaints.history(s, case, public_only=True)]
        assert public == ["filed", "reply"]
        [note] = [e for e in complaints.history(s, case) if e.action == "note"]
        assert (note.by, note.public, note.text) == (OFFICER, False, "โทรสอบถามกลุ่มอำนวยการแล้ว รอคำตอบ")
    assert case_of(app, number).state == "new"


def test_resolving_tells_the_outcome_and_the_complainant_rates_it(app, webhook, line, desk):
    number = file_case(app)
    officer = as_(webhook, line, OFFICER)
    press(officer, open_case(officer, number), "เสร็จสิ้น")
    officer.say("ปรับปรุงระบบรับโทรศัพท์แล้ว มีเจ้าหน้าที่รับสายตลอดเวลาราชการ")
    done = officer.say("ยืนยัน")
    assert f"เรื่อง {number} เสร็จสิ้นแล้วค่ะ" in texts(done)
    case = case_of(app, number)
    assert (case.state, case.closed_at) == ("resolved", NOW)
    deliver(desk)
    pushed = pushed_to(line, FILER)
    assert "ผลการดำเนินการ: ปรับปรุงระบบรับโทรศัพท์แล้ว" in texts(pushed)
    filer = as_(webhook, line, FILER)
    other = as_(webhook, line, ANON_FILER)
    assert rating.NOT_YOURS in texts(other.press(button(pushed, "⭐ ให้คะแนน")["data"]))  # not theirs
    asked = press(filer, pushed, "⭐ ให้คะแนน")
    assert f"เรื่อง {number}: พึงพอใจ" in texts(asked)
    assert ASKED_AGAIN in texts(filer.say("อะไรนะ")) and case_of(app, number).rating is None
    asked = filer.say("4 ดาวค่ะ")
    assert "ขอบคุณสำหรับ 4 ดาว" in texts(asked)
    assert case_of(app, number).rating == 4
    assert rating.THANKS in texts(filer.say("รับสายเร็วขึ้นมาก ขอบคุณค่ะ"))
    case = case_of(app, number)
    assert (case.rating, case.rating_comment) == (4, "รับสายเร็วขึ้นมาก ขอบคุณค่ะ")
    with db(app) as s:
        [ev] = s.scalars(select(ComplaintEvent).where(ComplaintEvent.action == "rated")).all()
        assert (ev.by, ev.detail, ev.text) == ("complainant", {"stars": 4}, "รับสายเร็วขึ้นมาก ขอบคุณค่ะ")
    assert "ให้คะแนนไปแล้ว (4 ดาว)" in texts(press(filer, pushed, "⭐ ให้คะแนน"))
    assert "คะแนนจากผู้แจ้ง: ⭐⭐⭐⭐ (4/5)" in texts(open_case(officer, number))
    deliver(desk)  # the officer who handled it is told of the rating, without who gave it
    told = texts(pushed_to(line, OFFICER))
    assert f"เรื่อง {number} ได้รับคะแนนความพึงพอใจ 4/5" in told and "รับสายเร็วขึ้นมาก" in told
    assert FILER_NAME not in told and FILER not in told
    # closed: a reply or another closing is refused; a stale take button too
    with db(app) as s:
        case_id = complaints.by_number(s, number).id
    for op in ("reply", "done", "dism", "take"):
        assert "ปิดแล้ว (เสร็จสิ้น)" in texts(officer.press(postback.encode("cd", o=op, c=case_id)))
    assert "ส่งต่อ\" ไม่ได้" in texts(officer.press(postback.encode("cd", o="fwd", c=case_id)))
    deliver(desk)
    assert len(pushed_to(line, FILER)) == 2  # the outcome text and the rating card, in one push
    assert len([p for p in line.pushes() if p["to"] == FILER]) == 1


def test_rating_without_a_comment(app, webhook, line, desk):
    number = file_case(app)
    with db(app) as s:
        out = actions.resolve(s, policy.Actor(OFFICER, "staff", "admin", complaint_officer=True),
                              complaints.by_number(s, number), "แก้ไขแล้ว", NOW)
        case_id = out.case.id
    filer = as_(webhook, line, FILER)
    filer.press(postback.encode("cdr", c=case_id))
    press(filer, filer.say("5"), "ไม่มี")
    assert case_of(app, number).rating == 5 and case_of(app, number).rating_comment == ""
    deliver(desk)
    assert f"เรื่อง {number} ได้รับคะแนนความพึงพอใจ 5/5" in texts(pushed_to(line, OFFICER))


def test_the_complainant_may_type_the_rating_button(app, webhook, line, desk):
    filer = as_(webhook, line, FILER)
    assert rating.NOTHING_TO_RATE in texts(filer.say("ให้คะแนนค่ะ"))
    first, second = file_case(app), file_case(app)
    officer = policy.Actor(OFFICER, "staff", "admin", complaint_officer=True)
    with db(app) as s:
        actions.resolve(s, officer, complaints.by_number(s, first), "แก้ไขแล้ว", NOW)
    assert f"เรื่อง {first}: พึงพอใจ" in texts(filer.say("ให้คะแนน"))   # the one waiting: straight to stars
    filer.say("4 ดาว")
    filer.say("ไม่มี")
    assert case_of(app, first).rating == 4
    with db(app) as s:
        actions.resolve(s, officer, complaints.by_number(s, second), "แก้ไขแล้ว", NOW)
    assert f"เรื่อง {second}: พึงพอใจ" in texts(filer.say(f"ให้คะแนน {second}"))
    filer.say("ยกเลิก")
    assert rating.RATED.format(number=first, stars=4) in texts(filer.say(f"ให้คะแนน {first}"))
    assert rating.NOT_YOURS in texts(as_(webhook, line, ANON_FILER).say(f"ให้คะแนน {second}"))


def test_dismissal_needs_a_reason_and_tells_the_complainant(app, webhook, line, desk):
    number = file_case(app)
    officer = as_(webhook, line, OFFICER)
    press(officer, open_case(officer, number), "ยุติเรื่อง")
    assert actions.EMPTY in texts(officer.say("นะคะ"))
    assert "เหตุผลที่ยุติเรื่อง" in texts(officer.say("เป็นเรื่องเดียวกับที่ศาลปกครองรับไว้พิจารณาแล้ว"))
    assert ASKED_AGAIN in texts(officer.say("เดี๋ยวก่อนนะ"))
    assert case_of(app, number).state == "new"
    done = officer.say("ยืนยัน")
    assert f"เรื่อง {number} ยุติเรื่องแล้วค่ะ" in texts(done)
    case = case_of(app, number)
    assert (case.state, case.close_reason) == ("dismissed", "เป็นเรื่องเดียวกับที่ศาลปกครองรับไว้พิจารณาแล้ว")
    deliver(desk)
    [told] = pushed_to(line, FILER)
    assert "ยุติเรื่องแล้ว" in told["text"] and "ศาลปกครอง" in told["text"] and "7 วัน" in told["text"]


def test_an_anonymous_case_never_shows_who_filed_it(app, webhook, line, desk):
    number = file_case(app, ANON_FILER, anonymous=True, details="ผู้บริหารเรียกเก็บเงินนักเรียนโดยไม่มีใบเสร็จ")
    officer = as_(webhook, line, OFFICER)
    queue = officer.say("เรื่องร้องเรียน")
    card = press(officer, queue, "เปิดเรื่อง")
    assert "ไม่ประสงค์ออกนาม" in texts(card)
    assert "ดูผู้แจ้ง" not in [a["label"] for a in all_actions(card)]
    with db(app) as s:
        case_id = complaints.by_number(s, number).id
    assert actions.ANONYMOUS in texts(officer.press(postback.encode("cd", o="who", c=case_id)))
    press(officer, card, "รับเรื่อง")
    officer.press(postback.encode("cd", o="work", c=case_id))
    officer.press(postback.encode("cd", o="note", c=case_id))
    officer.say("ตรวจสอบเอกสารการเงินแล้ว")
    officer.say("ยืนยัน")
    officer.press(postback.encode("cd", o="reply", c=case_id))
    officer.say("กำลังตรวจสอบข้อเท็จจริงค่ะ")
    officer.say("ยืนยัน")
    officer.press(postback.encode("cd", o="fwd", c=case_id))
    officer.say("นโยบายและแผน")
    officer.say("ยืนยัน")
    officer.press(postback.encode("cd", o="hist", c=case_id))
    officer.press(postback.encode("cd", o="det", c=case_id, p=0))
    officer.press(postback.encode("cd", o="done", c=case_id))
    officer.say("คืนเงินให้นักเรียนครบแล้ว")
    officer.say("ยืนยัน")
    open_case(officer, number)
    deliver(desk)
    assert case_of(app, number).state == "resolved"
    to_officers = json.dumps([r["messages"] for r in line.replies()] +
                             [p for p in line.pushes() if p["to"] != ANON_FILER], ensure_ascii=False)
    assert "ผู้บริหารเรียกเก็บเงิน" in to_officers                  # the case was shown...
    assert ANON_NAME not in to_officers and ANON_FILER not in to_officers  # ...never who filed it
    assert "มานี" not in to_officers
    assert len([p for p in line.pushes() if p["to"] == ANON_FILER]) == 3  # ack, reply, outcome
    assert len(pushed_to(line, POLICY_CHAT)) == 1
    with db(app) as s:
        assert not s.scalars(select(AuditLog).where(AuditLog.action == "complaint.identity_viewed")).all()


def test_the_complainant_is_shown_only_through_an_audited_view(app, webhook, line, desk):
    number = file_case(app)
    officer = as_(webhook, line, OFFICER)
    card = open_case(officer, number)
    assert FILER_NAME not in json.dumps(card, ensure_ascii=False) and FILER not in json.dumps(card)
    assert "กด \"ดูผู้แจ้ง\"" in texts(card)
    with db(app) as s:
        case_id = complaints.by_number(s, number).id
    assert policy.REFUSED["officer"] in texts(as_(webhook, line, STAFF).press(postback.encode("cd", o="who", c=case_id)))
    shown = texts(press(officer, card, "ดูผู้แจ้ง"))
    assert f"ผู้แจ้ง เรื่อง {number}: {FILER_NAME}" in shown and "บันทึกการดู" in shown
    with db(app) as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.action == "complaint.identity_viewed")).all()
        assert [(r.actor_id, r.target) for r in rows] == [(OFFICER, number)]


def test_long_details_are_kept_whole_and_read_in_parts(app, webhook, line, desk):
    details = " ".join(f"{i:04d}" + "ก" * 95 for i in range(100))  # 10,099 characters
    number = file_case(app, details=details)
    officer = as_(webhook, line, OFFICER)
    card = open_case(officer, number)
    assert f"ยาว {len(details):,} ตัวอักษร" in texts(card)
    parts = press(officer, card, "อ่านรายละเอียดเต็ม")
    heads = [m["text"].split("\n", 1)[0] for m in parts]
    assert heads == [f"รายละเอียด เรื่อง {number} (ส่วนที่ {i}/4)" for i in (1, 2, 3, 4)]
    assert all(len(m["text"]) <= 5000 for m in parts)
    assert " ".join(m["text"].split("\n", 1)[1] for m in parts) == details
    assert case_of(app, number).details == details


def test_flask_complaints_commands(app, line, desk):
    runner = app.test_cli_runner()
    number = file_case(app)
    anon = file_case(app, ANON_FILER, anonymous=True, ack_due=TODAY - timedelta(days=3))

    def run(*args):
        return runner.invoke(args=["complaints", *args])

    listed = run("list")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].startswith(anon) and "OVERDUE" in lines[0] and lines[1].startswith(number)
    shown = run("show", number)
    assert shown.exit_code == 0 and "ติดต่อสำนักงานเขต" in shown.output and FILER_NAME not in shown.output
    who = run("show", number, "--who")
    assert FILER_NAME in who.output and FILER in who.output
    assert "refused" in run("show", anon, "--who").output
    with db(app) as s:
        assert len(s.scalars(select(AuditLog).where(AuditLog.action == "complaint.identity_viewed")).all()) == 1
    assert run("move", number, "acknowledged").exit_code == 0
    assert run("note", number, "บันทึกจากคำสั่ง").exit_code == 0
    assert run("reply", number, "กำลังตรวจสอบค่ะ").exit_code == 0
    empty = run("reply", number, "   ")
    assert empty.exit_code != 0 and actions.EMPTY in empty.output
    assert run("move", number, "forwarded", "--group", "นโยบายและแผน").exit_code == 0
    assert run("resolve", number, "แก้ไขเรียบร้อย").exit_code == 0
    again = run("dismiss", number, "ซ้ำ")
    assert again.exit_code != 0 and "ยุติเรื่อง\" ไม่ได้" in again.output
    assert run("move", anon, "dismissed").exit_code != 0           # a dismissal needs a reason
    assert run("show", "ร-2570-9999").exit_code != 0
    case = case_of(app, number)
    assert case.state == "resolved" and case.forwarded_to == "policy"
    steps = steps_of(app, number)
    assert [s[0] for s in steps] == ["filed", "acknowledged", "note", "reply", "forwarded", "resolved"]
    assert all(s[1].startswith("cli:") for s in steps[1:])
    assert not line.pushes()                                        # queued, not sent by the command
    deliver(desk)
    assert len([p for p in line.pushes() if p["to"] == FILER]) == 3  # ack, reply, outcome (+ rating card)
    assert len(pushed_to(line, POLICY_CHAT)) == 1
    history = run("show", number).output
    assert "ผู้ดูแลระบบ (คำสั่งระบบ): 🔒 บันทึกภายใน — บันทึกจากคำสั่ง" in history


def test_a_case_number_typed_alone_opens_the_desk_card_for_officers_and_the_own_card_for_the_filer(
        app, webhook, line, desk):
    number = file_case(app)
    spaced = number.replace("-", " ").replace("0", "๐")  # "ร 2570 ๐๐๐1": typed on a phone
    officer = texts(as_(webhook, line, OFFICER).say(spaced))
    assert number in officer and "รับเรื่อง" in officer and FILER_NAME not in officer
    assert number in texts(as_(webhook, line, FILER).say(number + " ค่ะ"))
    stranger = texts(as_(webhook, line, ANON_FILER).say(number))
    assert "ไม่พบเรื่องเลขที่" in stranger and "ติดต่อสำนักงานเขต" not in stranger
    # an officer's number that matches no case is said plainly, not searched in the standards
    assert "ไม่พบ" in texts(as_(webhook, line, OFFICER).say("เรื่องร้องเรียน ร-2570-9999"))
    assert "ไม่พบ" in texts(as_(webhook, line, OFFICER).say("ร-2570-9999"))


def test_officers_open_the_attachments_by_signed_links_and_each_opening_is_audited(
        app, webhook, line, desk, client, tmp_path, monkeypatch):
    import dataclasses

    from bot import files
    kept = tmp_path / "kept"
    (kept / "2027-03").mkdir(parents=True)
    (kept / "2027-03" / "p1.jpg").write_bytes(b"\xff\xd8\xff photo")
    number = file_case(app, anonymous=True)
    with db(app) as s:
        complaints.by_number(s, number).files = [{"name": "หลังคารั่ว.jpg", "path": "2027-03/p1.jpg", "size": 10,
                                                  "content_type": "image/jpeg"}]
    officer = as_(webhook, line, OFFICER)
    card = officer.say(number)
    assert "ยังเปิดไฟล์แนบผ่านแชตไม่ได้" in texts(press(officer, card, "เปิดไฟล์แนบ"))  # no PUBLIC_BASE_URL
    links = dataclasses.replace(app.extensions["files"], base_url="https://bot.example.go.th", kept=kept)
    monkeypatch.setitem(app.extensions, "files", links)
    monkeypatch.setattr(desk, "exports", files.Exports(links, desk.content))
    shown = texts(press(officer, officer.say(number), "เปิดไฟล์แนบ"))
    url = next(w for w in shown.split() if w.startswith("https://bot.example.go.th/files/"))
    assert "หลังคารั่ว.jpg" in shown and ANON_NAME not in shown and ANON_FILER not in shown
    got = client.get(url[len("https://bot.example.go.th"):])
    assert got.status_code == 200 and got.data == b"\xff\xd8\xff photo"
    got.close()
    with db(app) as s:
        opened = s.scalars(select(AuditLog).where(AuditLog.action == "complaint.files_opened")).all()
        assert [(a.actor_id, a.target) for a in opened] == [(OFFICER, number)]
    # a file the purge deleted is named, not linked
    (kept / "2027-03" / "p1.jpg").unlink()
    assert "หลังคารั่ว.jpg (ลบแล้ว)" in texts(press(officer, officer.say(number), "เปิดไฟล์แนบ"))
