"""Registration through the real webhook: staff and school requests, admin approval by push, invite codes."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from handlers.core import flow, policy
from handlers.members import registration
from storage import registrations
from storage.models import ConversationState, OutboxMessage, RegistrationRequest
from tests import line_events as ev
from tests.conftest import ADMIN, quick_replies, texts
from tests.members_support import (add_member, audit_rows, db, last_reply, load_schools, member, name_and_position,
                                   press, pushed_to, uid)

APPLICANT = uid(0xA1)
OTHER = uid(0xA2)
ADMIN2 = uid(0xA3)
GROUP = "C" + "b" * 32
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


@pytest.fixture
def applicant(chat, line):
    line.profiles[APPLICANT] = {"displayName": "ครูสมศรี ใจดี"}
    chat.user_id = APPLICANT
    return chat


def requests_of(app, user_id):
    with db(app) as session:
        rows = session.scalars(select(RegistrationRequest).where(RegistrationRequest.user_id == user_id)).all()
        return [(r.role, r.work_group, r.school_code, r.status) for r in rows]


def as_user(chat, user_id):
    chat.user_id = user_id
    return chat


def test_staff_pick_a_work_group_and_an_admin_approves_by_push(app, applicant, line):
    reply = applicant.say("ลงทะเบียน")
    assert [a["label"] for a in quick_replies(reply)] == ["บุคลากรสำนักงาน", "สถานศึกษา", "ยกเลิก"]
    groups = press(applicant, reply, "บุคลากรสำนักงาน")
    labels = [a["label"] for a in quick_replies(groups)]
    assert len(labels) == 12 and labels[-1] == "ยกเลิก" and "ทุกกลุ่ม" not in labels and "ICT" in labels
    asked = press(applicant, groups, "นโยบายและแผน")
    assert "ชื่อ-นามสกุล" in texts(asked) and line.pushes() == []
    surname = texts(applicant.say("สมศรี"))        # a first name alone: the surname is asked for
    assert "ขอนามสกุลด้วยค่ะ" in surname and "ตำแหน่ง" not in surname
    assert "ตำแหน่ง" in texts(applicant.say("สมศรี ใจดี"))
    sent = applicant.say("นักวิเคราะห์นโยบายและแผนค่ะ")
    assert "ส่งคำขอลงทะเบียนเป็น บุคลากรสำนักงาน · กลุ่มนโยบายและแผน แล้วค่ะ" in texts(sent)
    m = member(app, APPLICANT)
    assert (m.status, m.full_name, m.position) == ("pending", "สมศรี ใจดี", "นักวิเคราะห์นโยบายและแผน")
    [card] = [m for m in pushed_to(line, ADMIN) if m["type"] == "flex"]
    shown = texts([card])
    assert card["altText"] == "คำขอลงทะเบียนใหม่จาก สมศรี ใจดี"  # named by the real name
    assert "ตำแหน่ง: นักวิเคราะห์นโยบายและแผน" in shown and "ชื่อใน LINE: ครูสมศรี ใจดี" in shown
    assert "กลุ่มนโยบายและแผน" in shown and APPLICANT not in shown and "LINE user ID" not in shown
    with db(app) as session:
        [row] = session.scalars(select(OutboxMessage).where(OutboxMessage.origin == "notice")).all()
        assert (row.status, row.recipients) == ("sent", [ADMIN])

    decided = press(as_user(applicant, ADMIN), [card], "อนุมัติ")
    assert "อนุมัติคำขอของ สมศรี ใจดี" in texts(decided)
    assert "ยินดีด้วยค่ะ" in texts(pushed_to(line, APPLICANT))
    m = member(app, APPLICANT)
    assert (m.role, m.work_group, m.status) == ("staff", "policy", "active")
    [entry] = audit_rows(app, "registration.approve")
    assert (entry.actor_id, entry.target, entry.detail["group"]) == (ADMIN, APPLICANT, "policy")
    profile = texts(as_user(applicant, APPLICANT).say("ฉันคือใคร"))
    assert "กลุ่มนโยบายและแผน" in profile and "ตำแหน่ง นักวิเคราะห์นโยบายและแผน" in profile


def test_a_school_is_found_despite_a_typo_and_a_rejection_is_told(app, applicant, line):
    load_schools(app)
    applicant.say("ลงทะเบียน")
    asked = press(applicant, last_reply(line), "สถานศึกษา")
    assert "พิมพ์ชื่อโรงเรียน" in texts(asked)
    found = applicant.say("ควนขนน")  # "ควนขนุน" without its vowel
    assert "โรงเรียนบ้านควนขนุน (93020001)" in texts(found)
    press(applicant, found, "1. บ้านควนขนุน")
    sent = name_and_position(applicant, "สมศรี ใจดี", "ครู")
    assert "สถานศึกษา · โรงเรียนบ้านควนขนุน (93020001)" in texts(sent)
    assert requests_of(app, APPLICANT) == [("school", None, "93020001", "pending")]

    [card] = pushed_to(line, ADMIN)
    rejected = press(as_user(applicant, ADMIN), [card], "ไม่อนุมัติ")
    assert "ไม่อนุมัติคำขอของ สมศรี ใจดี" in texts(rejected)
    assert "ไม่อนุมัติคำขอลงทะเบียน" in texts(pushed_to(line, APPLICANT))
    m = member(app, APPLICANT)
    assert (m.role, m.status, m.school_code) == ("guest", "active", None)
    assert requests_of(app, APPLICANT) == [("school", None, "93020001", "rejected")]
    assert [r.actor_id for r in audit_rows(app, "registration.reject")] == [ADMIN]


def test_no_school_found_says_how_to_retype_and_shows_at_most_five(app, applicant, line):
    load_schools(app)
    applicant.say("ลงทะเบียน สถานศึกษา")
    missing = applicant.say("กรุงเทพคริสเตียน")
    assert "ไม่พบโรงเรียนที่ชื่อคล้าย \"กรุงเทพคริสเตียน\"" in texts(missing)
    assert "ไม่ต้องพิมพ์คำว่าโรงเรียน" in texts(missing)
    many = applicant.say("บ้าน")
    labels = [a["label"] for a in quick_replies(many)]
    assert len(labels) == 6 and labels[-1] == "ยกเลิก" and all(lb.startswith(f"{i}.") for i, lb in
                                                                enumerate(labels[:5], 1))
    assert requests_of(app, APPLICANT) == []


def test_a_typed_group_name_counts_and_a_wrong_one_offers_the_buttons(app, applicant, line):
    # the re-ask is the flow core's: it says what the step expects and lists the groups
    applicant.say("ลงทะเบียน")
    press(applicant, last_reply(line), "บุคลากรสำนักงาน")
    wrong = applicant.say("กลุ่มดนตรี")
    assert "บอทไม่แน่ใจว่าเลือกอะไร" in texts(wrong) and "นโยบายและแผน" in texts(wrong)
    assert len(quick_replies(wrong)) == 12 and "คุณอยู่กลุ่มงานไหน" in texts(wrong)
    applicant.say("นิเทศ")
    name_and_position(applicant)
    assert requests_of(app, APPLICANT) == [("staff", "supervision", None, "pending")]


def test_registered_and_pending_members_are_told_instead_of_a_second_request(app, applicant, line):
    add_member(app, OTHER, "คุณวิชัย", "staff", group="finance")
    registered = as_user(applicant, OTHER).say("ลงทะเบียน")
    assert "คุณลงทะเบียนแล้วค่ะ" in texts(registered) and "กลุ่มบริหารงานการเงินและสินทรัพย์" in texts(registered)
    as_user(applicant, APPLICANT).say("ลงทะเบียน บุคลากร")
    applicant.say("ICT")
    name_and_position(applicant)
    again = applicant.say("ลงทะเบียน")
    assert "ไปแล้วเมื่อ" in texts(again) and "กำลังรอผู้ดูแลระบบอนุมัติ" in texts(again)
    assert len(requests_of(app, APPLICANT)) == 1 and len(line.pushes()) == 1
    assert "ผู้ดูแลระบบ" in texts(as_user(applicant, ADMIN).say("ลงทะเบียน"))
    assert requests_of(app, ADMIN) == []


def test_cancel_mid_flow_and_an_old_button_is_expired(app, applicant, line):
    applicant.say("ลงทะเบียน")
    groups = press(applicant, last_reply(line), "บุคลากรสำนักงาน")
    assert "ยกเลิกรายการแล้ว" in texts(applicant.say("ยกเลิก"))
    late = press(applicant, groups, "นโยบายและแผน")
    assert texts(late) == flow.EXPIRED
    assert requests_of(app, APPLICANT) == [] and member(app, APPLICANT).status == "active"


def test_the_second_admin_to_decide_is_told_who_decided(app, applicant, line):
    add_member(app, ADMIN2, "ผอ.กลุ่มอำนวยการ", "admin")
    applicant.say("ลงทะเบียน")
    press(applicant, press(applicant, last_reply(line), "บุคลากรสำนักงาน"), "อำนวยการ")
    name_and_position(applicant)
    first, second = pushed_to(line, ADMIN2), pushed_to(line, ADMIN)
    assert first and second
    press(as_user(applicant, ADMIN2), first, "อนุมัติ")
    late = press(as_user(applicant, ADMIN), second, "ไม่อนุมัติ")
    assert "คำขอนี้ถูกอนุมัติไปแล้วโดย ผอ.กลุ่มอำนวยการ เมื่อ" in texts(late)
    again = press(as_user(applicant, ADMIN2), first, "อนุมัติ")
    assert "โดย คุณเอง" in texts(again)
    assert member(app, APPLICANT).role == "staff"
    assert len(audit_rows(app, "registration.approve")) == 1 and not audit_rows(app, "registration.reject")
    assert len(pushed_to(line, APPLICANT)) == 1


def test_only_admins_can_decide(app, applicant, line):
    applicant.say("ลงทะเบียน")
    press(applicant, press(applicant, last_reply(line), "บุคลากรสำนักงาน"), "อำนวยการ")
    name_and_position(applicant)
    [card] = pushed_to(line, ADMIN)
    add_member(app, OTHER, "คุณวิชัย", "staff", group="finance")
    refused = press(as_user(applicant, OTHER), [card], "อนุมัติ")
    assert texts(refused) == policy.REFUSED[policy.ADMIN]
    assert requests_of(app, APPLICANT)[0][3] == "pending"


def _invite(app, days_ago: int = 0, **kw) -> str:
    with db(app) as session:
        [code] = registrations.create_invites(session, kw.pop("role", "staff"),
                                              datetime.now(timezone.utc) - timedelta(days=days_ago), ADMIN,
                                              work_group=kw.pop("group", "personnel"), **kw)
        return code.code


def test_an_invite_code_registers_once_name_and_position_are_typed_case_and_thai_digits_do_not_matter(
        app, applicant, line):
    code = _invite(app)
    typed = code.lower().translate(THAI_DIGITS)
    asked = applicant.say(f"ลงทะเบียน {typed}")
    assert "รหัสเชิญถูกต้อง" in texts(asked) and "กลุ่มบริหารงานบุคคล" in texts(asked)
    assert "ชื่อ-นามสกุล" in texts(asked) and member(app, APPLICANT).role == "guest"
    done = name_and_position(applicant, "สมศรี ใจดี", "นักทรัพยากรบุคคล")
    assert "ลงทะเบียนเรียบร้อยแล้วค่ะ" in texts(done) and "กลุ่มบริหารงานบุคคล" in texts(done)
    m = member(app, APPLICANT)
    assert (m.role, m.work_group, m.status, m.full_name, m.position) == \
        ("staff", "personnel", "active", "สมศรี ใจดี", "นักทรัพยากรบุคคล")
    [entry] = audit_rows(app, "invite.use")
    assert (entry.actor_id, entry.detail["code"], entry.detail["created_by"]) == (APPLICANT, code, ADMIN)
    second = as_user(applicant, OTHER).say(f"ลงทะเบียน {code}")
    assert texts(second) == registration.CODE_USED
    assert member(app, OTHER).role == "guest"


def test_an_expired_or_unknown_code_is_refused_politely(app, applicant, line):
    code = _invite(app, days_ago=8)
    expired = texts(applicant.say(f"ลงทะเบียน {code}"))
    assert expired.startswith("รหัสเชิญนี้หมดอายุแล้วเมื่อ")
    year_ce = (datetime.now(timezone.utc) - timedelta(days=1)).year
    assert str(year_ce + 543) in expired or str(year_ce + 544) in expired
    assert "ไม่พบรหัสเชิญ \"ZXY999\"" in texts(applicant.say("ลงทะเบียน zxy-999"))
    assert member(app, APPLICANT).role == "guest" and not audit_rows(app, "invite.use")


def test_an_invite_ends_a_pending_request(app, applicant, line):
    applicant.say("ลงทะเบียน บุคลากร")
    applicant.say("การเงิน")
    name_and_position(applicant)
    code = _invite(app)
    applicant.say(f"ลงทะเบียน {code}")
    name_and_position(applicant)
    assert requests_of(app, APPLICANT) == [("staff", "finance", None, "cancelled")]
    late = press(as_user(applicant, ADMIN), pushed_to(line, ADMIN), "อนุมัติ")
    assert "คำขอนี้ถูกยกเลิกไปแล้ว" in texts(late)
    assert member(app, APPLICANT).work_group == "personnel"


def test_in_a_group_chat_registration_is_sent_to_the_1_to_1_chat(app, webhook, line):
    webhook.post(ev.text_event("บอท ลงทะเบียน", user_id=None, group_id=GROUP))
    assert last_reply(line)[0]["text"] == policy.NEEDS_PRIVATE_CHAT
    webhook.post(ev.text_event("บอท ลงทะเบียน", user_id=APPLICANT, group_id=GROUP))
    reply = last_reply(line)
    assert reply[0]["text"] == registration.IN_GROUP and "quickReply" not in reply[0]
    code = _invite(app)
    webhook.post(ev.text_event(f"บอท ลงทะเบียน {code}", user_id=APPLICANT, group_id=GROUP))
    assert last_reply(line)[0]["text"] == registration.IN_GROUP
    with db(app) as session:
        assert session.scalars(select(ConversationState)).all() == []
    assert member(app, APPLICANT).role == "guest"


def test_a_push_that_fails_stays_in_the_outbox_for_the_delivery_job(app, applicant, line):
    line.fail_next("push", 500)
    applicant.say("ลงทะเบียน บุคลากร")
    applicant.say("กฎหมาย")
    sent = name_and_position(applicant)
    assert "ส่งคำขอลงทะเบียน" in texts(sent)
    with db(app) as session:
        [row] = session.scalars(select(OutboxMessage).where(OutboxMessage.origin == "notice")).all()
        assert (row.status, row.attempts, row.recipients) == ("pending", 1, [ADMIN])
    assert requests_of(app, APPLICANT) == [("staff", "legal", None, "pending")]


def test_a_handler_error_rolls_back_the_request_and_its_pushes(app, applicant, line, monkeypatch):
    applicant.say("ลงทะเบียน บุคลากร")

    def broken_card(*_args, **_kwargs):
        raise RuntimeError("card failed")

    monkeypatch.setattr(registration, "request_card", broken_card)
    applicant.say("กฎหมาย")
    reply = name_and_position(applicant)
    assert "ขออภัยค่ะ ระบบขัดข้องชั่วคราว" in texts(reply)
    assert requests_of(app, APPLICANT) == [] and line.pushes() == []
    with db(app) as session:
        assert session.scalars(select(OutboxMessage)).all() == []


def test_a_school_cannot_register_before_the_school_list_is_imported_and_is_told_what_to_do(app, applicant, line):
    applicant.say("ลงทะเบียน")
    told = texts(press(applicant, last_reply(line), "สถานศึกษา"))
    assert "ยังไม่มีรายชื่อโรงเรียนในระบบ" in told and "แจ้งผู้ดูแลระบบ" in told and "flask" not in told
    assert requests_of(app, APPLICANT) == []
    # "ครู" read as a school was perhaps meant as office staff: the role is asked again, not the flow ended
    assert "คุณอยู่กลุ่มงานไหน" in texts(applicant.say("บุคลากรสำนักงาน"))


# -- manners of the declared flow: typed choices, stale and earlier buttons, junk, typed name/position --

def test_particles_and_short_names_work_at_every_choice_step(app, applicant, line):
    assert "ลงทะเบียนในฐานะอะไร" in texts(applicant.say("ลงทะเบียน"))
    assert "คุณอยู่กลุ่มงานไหน" in texts(applicant.say("บุคลากรค่ะ"))
    assert "ชื่อ-นามสกุล" in texts(applicant.say("นโยบายแผน"))
    name_and_position(applicant)
    assert requests_of(app, APPLICANT) == [("staff", "policy", None, "pending")]

    as_user(applicant, OTHER).say("ลงทะเบียน")
    applicant.say("ขอเป็นบุคลากรครับ")
    assert "ชื่อ-นามสกุล" in texts(applicant.say("กลุ่มนโยบายและแผนค่ะ"))
    applicant.say("ยกเลิก")

    load_schools(app)
    applicant.say("ลงทะเบียน")
    assert "พิมพ์ชื่อโรงเรียน" in texts(applicant.say("สถานศึกษาครับ"))
    applicant.say("ควนขนุน")
    assert "ชื่อ-นามสกุล" in texts(applicant.say("บ้านควนขนุนค่ะ"))
    name_and_position(applicant, "วิชัย ใจกว้าง", "ผู้อำนวยการโรงเรียน")
    assert requests_of(app, OTHER) == [("school", None, "93020001", "pending")]


def test_a_number_picks_a_found_school_and_other_text_searches_again(app, applicant, line):
    load_schools(app)
    applicant.say("ลงทะเบียน สถานศึกษา")
    applicant.say("กรุงเทพ")  # nothing found: said, still at the school step
    found = applicant.say("บ้าน")
    again = applicant.say("ทะเลนอย")  # a new search at the pick step
    assert "บ้านทะเลน้อย" in texts(again) and texts(again) != texts(found)
    assert "ชื่อ-นามสกุล" in texts(applicant.say("1"))
    name_and_position(applicant)
    assert requests_of(app, APPLICANT) == [("school", None, "93020003", "pending")]


def test_a_stale_button_after_a_restart_is_expired(app, applicant, line):
    first = applicant.say("ลงทะเบียน")
    applicant.say("ลงทะเบียน")  # a new session
    assert texts(press(applicant, first, "บุคลากรสำนักงาน")) == flow.EXPIRED
    with db(app) as session:
        [row] = session.scalars(select(ConversationState)).all()
        assert (row.flow, row.step) == ("register", "role")


def test_a_button_of_an_earlier_step_gets_the_current_question(app, applicant, line):
    roles = applicant.say("ลงทะเบียน")
    press(applicant, roles, "บุคลากรสำนักงาน")
    late = press(applicant, roles, "สถานศึกษา")
    assert texts(late).startswith(flow.OLD_STEP) and "คุณอยู่กลุ่มงานไหน" in texts(late)
    assert len(quick_replies(late)) == 12
    with db(app) as session:
        [row] = session.scalars(select(ConversationState)).all()
        assert (row.step, row.data["role"]) == ("group", "staff")


@pytest.mark.parametrize("junk", ["อยากกินข้าวค่ะ", "โอเคค่ะ", "123456"])
def test_typed_junk_at_a_choice_step_asks_again_and_stores_nothing(app, applicant, line, junk):
    applicant.say("ลงทะเบียน")
    reply = applicant.say(junk)
    assert "บอทไม่แน่ใจว่าเลือกอะไร" in texts(reply) and "บุคลากรสำนักงาน, สถานศึกษา" in texts(reply)
    assert [a["label"] for a in quick_replies(reply)] == ["บุคลากรสำนักงาน", "สถานศึกษา", "ยกเลิก"]
    with db(app) as session:
        [row] = session.scalars(select(ConversationState)).all()
        assert (row.step, row.data["role"], row.data["work_group"]) == ("role", "", "")
    assert requests_of(app, APPLICANT) == []


@pytest.mark.parametrize("typed, says", [
    ("ชื่อ-นามสกุล:", "ยังไม่ได้พิมพ์ชื่อ-นามสกุล"),
    ("https://example.com/me", "ไม่ใช่ลิงก์"),
    ("line.me/ti/p/abc", "ไม่ใช่ลิงก์"),
    ("1234 5678", "เป็นตัวอักษร"),
    ("ก", "สั้นเกินไป"),
    ("สมศรี " * 30, "ยาวเกินไป"),
    ("ยืนยันค่ะ", "\"ยืนยัน\" ไม่น่าใช่ชื่อ-นามสกุล"),   # an answer to another question, not a name
    ("โอเค", "ไม่น่าใช่ชื่อ-นามสกุล"),
])
def test_a_bad_name_is_asked_again_and_nothing_is_stored(app, applicant, line, typed, says):
    applicant.say("ลงทะเบียน บุคลากร")
    applicant.say("ICT")
    reply = applicant.say(typed)
    assert says in texts(reply) and [a["label"] for a in quick_replies(reply)] == ["ยกเลิก"]
    with db(app) as session:
        [row] = session.scalars(select(ConversationState)).all()
        assert (row.step, row.data["full_name"]) == ("name", "")
    assert member(app, APPLICANT).full_name == "" and line.pushes() == []


def test_name_and_position_are_kept_as_typed_without_labels_and_polite_words(app, applicant, line):
    applicant.say("ลงทะเบียน บุคลากร")
    applicant.say("ICT")
    assert "ตำแหน่ง" in texts(applicant.say("ชื่อ: นางสาวสมศรี   มานะ ค่ะ"))
    assert "ไม่ใช่ลิงก์" in texts(applicant.say("www.school.ac.th"))
    applicant.say("ตำแหน่ง นักวิชาการคอมพิวเตอร์ครับ")
    m = member(app, APPLICANT)
    assert (m.full_name, m.position) == ("นางสาวสมศรี มานะ", "นักวิชาการคอมพิวเตอร์")


def _fixed_invite(app, code: str) -> None:
    from storage.models import InviteCode
    now = datetime.now(timezone.utc)
    with db(app) as session:
        session.add(InviteCode(code=code, role="staff", work_group="ict", created_by=ADMIN, created_at=now,
                               expires_at=now + timedelta(days=7)))


@pytest.mark.parametrize("typed", ["ลงทะเบียน cyw875 ค่ะ", "ลงทะเบียน CYW875ครับ", "ลงทะเบียนcyw-875 นะคะ"])
def test_an_invite_code_with_particles_is_the_code(app, applicant, line, typed):
    _fixed_invite(app, "CYW875")
    assert "รหัสเชิญถูกต้อง" in texts(applicant.say(typed))
    name_and_position(applicant)
    m = member(app, APPLICANT)
    assert (m.role, m.work_group) == ("staff", "ict")
    assert [r.detail["code"] for r in audit_rows(app, "invite.use")] == ["CYW875"]


def test_a_word_that_starts_with_the_command_is_not_the_command(app, applicant, line):
    reply = applicant.say("ลงทะเบียนเรียนต่อปริญญาโทต้องใช้เอกสารอะไร")
    assert "ลงทะเบียนในฐานะอะไร" not in texts(reply)
    with db(app) as session:
        assert session.scalars(select(ConversationState)).all() == []
    assert requests_of(app, APPLICANT) == []
