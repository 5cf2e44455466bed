"""Members in chat through the real webhook: profile, the admin member list and its buttons, work groups,
schools, invite codes made in chat, follow/unfollow, and commands that must not swallow questions."""
import json
import re

import pytest

from handlers.members import directory
from handlers.members import manage as member_handlers
from handlers.core import flow, policy
from tests import line_events as ev
from tests.conftest import ADMIN, Chat, bubbles, quick_replies, texts
from tests.members_support import (actions, add_member, audit_rows, last_reply, load_schools, member,
                                   name_and_position, press, pushed_to, uid)

SOMCHAI = uid(0xB1)
MALEE = uid(0xB2)
GUEST = uid(0xB3)
GROUP = "C" + "c" * 32


@pytest.fixture
def admin(chat):
    chat.user_id = ADMIN
    return chat


def test_profile_shows_role_group_and_what_one_can_do(app, chat, line):
    chat.user_id = GUEST
    guest = chat.say("ฉันคือใคร")
    assert "ผู้ใช้ทั่วไป" in texts(guest) and "ลงทะเบียน" in [a["label"] for a in actions(guest)]
    add_member(app, SOMCHAI, "สมชาย รักงาน", "staff", group="supervision", officer=True)
    chat.user_id = SOMCHAI
    staff = texts(chat.say("โปรไฟล์"))
    assert "บุคลากรสำนักงาน · กลุ่มนิเทศ ติดตามและประเมินผลการจัดการศึกษา · เจ้าหน้าที่รับเรื่องร้องเรียน" in staff
    assert "ค้นหาโรงเรียน" in staff and "ลงทะเบียน" not in staff
    chat.user_id = ADMIN
    labels = [a["label"] for a in actions(chat.say("ฉันคือใคร"))]
    assert labels == ["สมาชิก", "คำขอลงทะเบียน", "สร้างคำเชิญ"]


def test_profile_needs_to_know_the_person(webhook, line):
    webhook.post(ev.text_event("บอท ฉันคือใคร", user_id=None, group_id=GROUP))
    assert last_reply(line)[0]["text"] == policy.NEEDS_PRIVATE_CHAT


def test_admin_lists_members_with_filters_and_pages(app, admin, line):
    for i in range(12):
        add_member(app, uid(0xC00 + i), f"ครูนโยบาย {i:02d}", "staff", group="policy")
    add_member(app, SOMCHAI, "สมชาย รักงาน", "staff", group="supervision")
    add_member(app, MALEE, "มาลี ศรีสุข")
    everyone = admin.say("สมาชิก")  # and the admin, known since their first message
    assert "สมาชิกทั้งหมด 15 คน (แสดง 1–10)" in texts(everyone)
    assert "ผู้ใช้ทั่วไป 1 · บุคลากรสำนักงาน 13 · สถานศึกษา 0 · ผู้ดูแลระบบ 1 · รออนุมัติ 0" in texts(everyone)
    assert [a["label"] for a in quick_replies(everyone)][:2] == ["รออนุมัติ", "บุคลากร"]
    policy_staff = admin.say("สมาชิก นโยบาย")
    assert "สมาชิกกลุ่มนโยบายและแผน 12 คน (แสดง 1–10)" in texts(policy_staff)
    assert len(bubbles(policy_staff)) == 11  # 10 cards and "more"
    second = press(admin, policy_staff, "หน้าถัดไป")
    assert "(แสดง 11–12)" in texts(second) and "ครูนโยบาย 11" in texts(second)
    by_name = admin.say("สมาชิก สมชาย")
    assert "สมชาย รักงาน" in texts(by_name) and "ครูนโยบาย" not in texts(by_name)
    assert "ไม่พบสมาชิกที่ชื่อคล้าย \"ซูเปอร์แมน\"" in texts(admin.say("สมาชิก ซูเปอร์แมน"))


def test_admin_changes_a_role_with_buttons_and_the_member_is_told(app, admin, line):
    add_member(app, SOMCHAI, "สมชาย รักงาน")
    [card] = bubbles(admin.say("ตั้งสิทธิ์ สมชาย"))
    roles = press(admin, [{"type": "flex", "contents": card}], "เปลี่ยนสิทธิ์")
    assert [a["label"] for a in quick_replies(roles)] == ["บุคลากรสำนักงาน", "สถานศึกษา", "ผู้ดูแลระบบ",
                                                          "ผู้ใช้ทั่วไป", "ยกเลิก"]
    groups = press(admin, roles, "บุคลากรสำนักงาน")
    done = press(admin, groups, "กลุ่มนิเทศฯ")
    assert "เปลี่ยนสิทธิ์ของ สมชาย รักงาน เป็น บุคลากรสำนักงาน · กลุ่มนิเทศ" in texts(done)
    m = member(app, SOMCHAI)
    assert (m.role, m.work_group) == ("staff", "supervision")
    assert "ผู้ดูแลระบบปรับสิทธิ์ของคุณเป็น บุคลากรสำนักงาน" in texts(pushed_to(line, SOMCHAI))
    [entry] = audit_rows(app, "member.set_role")
    assert (entry.actor_id, entry.target, entry.detail["from_role"], entry.detail["role"]) == \
        (ADMIN, SOMCHAI, "guest", "staff")
    # the flow ended: its old button acts no more; the same change asked again changes nothing
    assert texts(press(admin, groups, "กลุ่มนิเทศฯ")) == flow.EXPIRED
    [card] = bubbles(admin.say("ตั้งสิทธิ์ สมชาย"))
    roles = press(admin, [{"type": "flex", "contents": card}], "เปลี่ยนสิทธิ์")
    admin.say("บุคลากรครับ")
    again = admin.say("นิเทศฯ")
    assert "อยู่แล้วค่ะ" in texts(again) and len(audit_rows(app, "member.set_role")) == 1


def test_admin_makes_someone_a_school_user_by_typing_the_school(app, admin, line):
    load_schools(app)
    add_member(app, MALEE, "มาลี ศรีสุข")
    card = admin.say("ตั้งสิทธิ์ มาลี")
    ask = press(admin, press(admin, card, "เปลี่ยนสิทธิ์"), "สถานศึกษา")
    assert "พิมพ์ชื่อโรงเรียนของ มาลี ศรีสุข" in texts(ask)
    found = admin.say("ทะเลนอย")
    press(admin, found, "1. บ้านทะเลน้อย")
    m = member(app, MALEE)
    assert (m.role, m.school_code) == ("school", "93020003")
    assert "มาลี ศรีสุข" in texts(admin.say("สมาชิก สถานศึกษา"))


def test_complaint_officer_flag_and_removal(app, admin, line):
    add_member(app, SOMCHAI, "สมชาย รักงาน", "staff", group="legal")
    card = admin.say("ตั้งสิทธิ์ สมชาย")
    flagged = press(admin, card, "ตั้งเป็นผู้รับเรื่อง")
    assert "ตั้ง สมชาย รักงาน เป็นเจ้าหน้าที่รับเรื่องร้องเรียนแล้วค่ะ" in texts(flagged)
    assert member(app, SOMCHAI).complaint_officer is True
    assert policy.allowed(policy.actor_of(member(app, SOMCHAI)), "complaints.handle")
    assert "มอบหมายให้คุณเป็นเจ้าหน้าที่รับเรื่องร้องเรียน" in texts(pushed_to(line, SOMCHAI))
    assert "ยกเลิกผู้รับเรื่อง" in [a["label"] for a in actions(flagged)]

    confirm = press(admin, admin.say("ลบสมาชิก สมชาย"), "นำออกจากสมาชิก")
    assert "ยืนยันนำ สมชาย รักงาน" in texts(confirm) and member(app, SOMCHAI).status == "active"
    press(admin, confirm, "ยืนยันนำออก")
    m = member(app, SOMCHAI)
    assert (m.status, m.role, m.work_group, m.complaint_officer) == ("removed", "guest", None, False)
    assert "ถูกนำออกจากสมาชิกไปแล้ว" in texts(press(admin, confirm, "ยืนยันนำออก"))
    assert [r.action for r in audit_rows(app) if r.actor_id == ADMIN] == ["member.set_officer", "member.remove"]
    admin.user_id = SOMCHAI
    assert "ถูกนำออกจากรายชื่อสมาชิก" in texts(admin.say("ฉันคือใคร"))


def test_admins_cannot_change_themselves_or_configured_admins(app, admin, line):
    own = admin.say(f"ตั้งสิทธิ์ {ADMIN}")
    assert "นี่คือคุณเอง" in texts(own) and "เปลี่ยนสิทธิ์" not in [a["label"] for a in actions(own)]
    # ADMIN is a configured admin: that refusal comes first (policy), even on themselves
    crafted = admin.press(json.dumps({"a": "mem", "o": "rm", "u": ADMIN, "y": 1}))
    assert texts(crafted) == member_handlers.NOT_ON_CONFIGURED
    add_member(app, SOMCHAI, "สมชาย รักงาน", "admin")
    admin.user_id = SOMCHAI
    assert texts(admin.press(json.dumps({"a": "mem", "o": "rm", "u": SOMCHAI, "y": 1}))) == \
        member_handlers.NOT_ON_SELF
    for data in ({"a": "mem", "o": "role", "u": ADMIN, "r": "guest"}, {"a": "mem", "o": "rm", "u": ADMIN, "y": 1},
                 {"a": "mem", "o": "off", "u": ADMIN, "v": 1}):
        assert texts(admin.press(json.dumps(data))) == member_handlers.NOT_ON_CONFIGURED
    card = texts(admin.say(f"ตั้งสิทธิ์ {ADMIN}"))
    assert "ผู้ดูแลระบบหลัก" in card and "LINE_ADMIN_USER_IDS" not in card and "LINE user ID" not in card
    m = member(app, ADMIN)
    assert (m.role, m.status) == ("admin", "active") and audit_rows(app, "member.remove") == []


def test_member_management_stays_out_of_group_chats(app, webhook, line):
    webhook.post(ev.text_event("บอท สมาชิก", user_id=ADMIN, group_id=GROUP))
    assert last_reply(line)[0]["text"] == policy.PRIVATE_ONLY
    webhook.post(ev.text_event("บอท สร้างคำเชิญ", user_id=ADMIN, group_id=GROUP))
    assert last_reply(line)[0]["text"] == policy.PRIVATE_ONLY


def test_work_groups_are_listed_for_anyone_and_searchable(app, chat, webhook, line):
    add_member(app, SOMCHAI, "สมชาย รักงาน", "staff", group="audit")
    chat.user_id = GUEST
    listing = texts(chat.say("กลุ่มงาน"))
    assert "11 กลุ่ม" in listing and "หน่วยตรวจสอบภายใน" in listing and "ทุกกลุ่ม" not in listing
    assert "สมาชิก" not in listing.split("\n")[1]
    chat.user_id = SOMCHAI
    assert "หน่วยตรวจสอบภายใน — สมาชิก 1 คน" in texts(chat.say("รายชื่อกลุ่มงาน"))
    webhook.post(ev.text_event("บอท กลุ่มงาน", user_id=None, group_id=GROUP))
    assert "11 กลุ่ม" in last_reply(line)[0]["text"]
    card = chat.say("กลุ่มงาน นิเทศ")
    assert "กลุ่มนิเทศ ติดตามและประเมินผลการจัดการศึกษา" in texts(card)
    assert re.search(r"ผู้รับผิดชอบหลักในเกณฑ์\n.*3\.1\.", texts(card))


@pytest.mark.parametrize("question, expected", [
    ("กลุ่มงานไหนรับผิดชอบการตรวจประเมินภายใน", "เกณฑ์ 1.1.5"),
    ("โรงเรียนขนาดเล็ก", "กลยุทธ์ที่ 5 ประเด็นที่ 5.2"),
    ("โรงเรียนขนาดเล็ก ขนาดเหมาะสมกับการบริหาร", "กลยุทธ์ที่ 5 ประเด็นที่ 5.2"),
    ("รร.ขนาดเล็ก", "กลยุทธ์ที่ 5 ประเด็นที่ 5.2"),
])
def test_commands_do_not_swallow_standards_questions(chat, question, expected):
    assert expected in texts(chat.say(question))


def test_schools_are_searched_fuzzily_and_listed_by_district(app, chat, line):
    add_member(app, SOMCHAI, "สมชาย รักงาน", "staff", group="promotion")
    chat.user_id = SOMCHAI
    assert texts(chat.say("รายชื่อโรงเรียน")) == directory.NO_SCHOOLS
    load_schools(app)
    found = texts(chat.say("ค้นหาโรงเรียน ควนขนน"))
    assert found.split("\n")[1] == "• โรงเรียนบ้านควนขนุน รหัส 93020001"
    assert "ไม่พบโรงเรียนที่ชื่อคล้าย \"ลอนดอน\"" in texts(chat.say("ค้นหาโรงเรียน ลอนดอน"))
    listing = texts(chat.say("รายชื่อโรงเรียน"))
    assert "16 แห่ง" in listing and "■ อำเภอควนขนุน เครือข่ายพนางตุง" in listing
    assert "• 93020008 โรงเรียนชุมชนบ้านพนางตุง (ประชาสามัคคี)" in listing
    chat.user_id = GUEST
    assert texts(chat.say("ค้นหาโรงเรียน ควนขนุน")) == policy.REFUSED[policy.STAFF]


def test_admin_creates_invite_codes_in_chat_once_per_press(app, admin, line):
    ask = admin.say("สร้างคำเชิญ")
    groups = press(admin, ask, "บุคลากรสำนักงาน")
    counts = press(admin, groups, "นโยบายและแผน")
    made = press(admin, counts, "5 รหัส")
    text = texts(made)
    codes = re.findall(r"^[A-Z]{3}\d{3}$", text, re.M)
    assert len(codes) == 5 and "บุคลากรสำนักงาน · กลุ่มนโยบายและแผน" in text
    assert re.search(r"ใช้ได้ถึง: \d{1,2} \S+ 25\d\d", text)  # Buddhist-Era year
    assert texts(press(admin, counts, "5 รหัส")) == flow.EXPIRED
    [entry] = audit_rows(app, "invite.create")
    assert (entry.actor_id, entry.detail["count"], sorted(entry.detail["codes"])) == (ADMIN, 5, sorted(codes))
    listing = texts(admin.say("คำเชิญ"))
    assert all(code in listing for code in codes)

    one_line = texts(admin.say("สร้างคำเชิญ ICT 3"))
    assert len(re.findall(r"^[A-Z]{3}\d{3}$", one_line, re.M)) == 3 and "เทคโนโลยีสารสนเทศ" in one_line


def test_a_school_invite_made_in_chat_registers_a_school_user(app, admin, line):
    load_schools(app)
    press(admin, admin.say("สร้างคำเชิญ"), "สถานศึกษา")
    picked = press(admin, admin.say("โคกเนียน"), "1. วัดโคกเนียน")
    made = texts(press(admin, picked, "1 รหัส"))
    [code] = re.findall(r"^[A-Z]{3}\d{3}$", made, re.M)
    admin.user_id = MALEE
    admin.say(f"ลงทะเบียน {code}")
    name_and_position(admin, "มาลี ศรีสุข", "ครูผู้ช่วย")
    m = member(app, MALEE)
    assert (m.role, m.school_code) == ("school", "93020002")


def test_unfollow_and_follow_again(app, webhook, line):
    add_member(app, SOMCHAI, "สมชาย รักงาน", "staff", group="policy")
    webhook.post(ev.unfollow_event(SOMCHAI))
    assert member(app, SOMCHAI).following is False
    webhook.post(ev.follow_event(SOMCHAI, is_unblocked=True))
    assert member(app, SOMCHAI).following is True
    welcome = last_reply(line)
    assert quick_replies(welcome)[0]["label"] == "ลงทะเบียน" and "ยินดีต้อนรับ" in texts(welcome)
    assert member(app, SOMCHAI).role == "staff"


def test_the_help_menu_says_what_this_person_can_do(app, admin, webhook, line):
    guest = Chat(webhook, line, user_id=uid(0x4E1))
    reply = guest.say("เมนู")
    assert "พิมพ์ \"ลงทะเบียน\"" in texts(reply) and "สำหรับผู้ดูแลระบบ" not in texts(reply)
    assert [a["label"] for a in quick_replies(reply)][:1] == ["ลงทะเบียน"]
    add_member(app, uid(0x4E2), "สมศรี ตั้งใจ", "staff", group="policy")
    staff = texts(Chat(webhook, line, user_id=uid(0x4E2)).say("ช่วยเหลือ"))
    assert "ฉันคือใคร" in staff and "ลงทะเบียน" not in staff and "สำหรับผู้ดูแลระบบ" not in staff
    reply = admin.say("สวัสดีค่ะ")
    assert texts(reply).startswith("สวัสดีค่ะ 🙏") and "\"ประกาศ\" ส่งประกาศ" in texts(reply)
    assert {"ประกาศ", "คำขอลงทะเบียน"} <= {a["label"] for a in quick_replies(reply)}
    in_group = texts(Chat(webhook, line, user_id=ADMIN, group_id="C" + "4e" * 16).say("บอท เมนู"))
    assert "ตบช. 2.1" in in_group and "สำหรับผู้ดูแลระบบ" not in in_group and "ลงทะเบียน" not in in_group


def test_asking_for_the_menu_mid_flow_keeps_the_flow(app, chat, line):
    asked = chat.say("ลงทะเบียน")
    assert "รายการที่ทำค้างไว้ยังอยู่" in texts(chat.say("เมนู"))
    staff = next(a["data"] for a in quick_replies(asked) if a["label"] == "บุคลากรสำนักงาน")
    assert "คุณอยู่กลุ่มงานไหน" in texts(chat.press(staff))


def test_role_change_and_invite_steps_understand_typed_thai(app, admin, line):
    load_schools(app)
    add_member(app, SOMCHAI, "สมชาย รักงาน")
    press(admin, admin.say("ตั้งสิทธิ์ สมชาย"), "เปลี่ยนสิทธิ์")
    assert "บอทไม่แน่ใจว่าเลือกอะไร" in texts(admin.say("เอาอะไรดี"))
    assert member(app, SOMCHAI).role == "guest"
    assert "พิมพ์ชื่อโรงเรียนของ สมชาย รักงาน" in texts(admin.say("โรงเรียนครับ"))
    admin.say("โคกเนียน")
    done = admin.say("วัดโคกเนียนค่ะ")
    assert "เปลี่ยนสิทธิ์ของ สมชาย รักงาน เป็น สถานศึกษา · โรงเรียนวัดโคกเนียน" in texts(done)
    press(admin, admin.say("ตั้งสิทธิ์ สมชาย"), "เปลี่ยนสิทธิ์")
    admin.say("ผู้ดูแลระบบค่ะ")
    assert member(app, SOMCHAI).role == "admin"

    admin.say("สร้างคำเชิญ")
    admin.say("บุคลากรค่ะ")
    counts = admin.say("นโยบายแผน")
    assert "สร้างกี่รหัส" in texts(counts)
    assert [a["label"] for a in quick_replies(counts)] == ["1 รหัส", "5 รหัส", "10 รหัส", "20 รหัส", "ยกเลิก"]
    assert "สร้างได้ครั้งละ 1–50 รหัส" in texts(admin.say("100"))
    made = texts(admin.say("2 รหัสค่ะ"))  # the number typed, not the 2nd button
    assert len(re.findall(r"^[A-Z]{3}\d{3}$", made, re.M)) == 2 and "กลุ่มนโยบายและแผน" in made


def test_member_cards_and_the_acknowledgement_report_show_the_real_name(app, admin, line):
    from datetime import datetime, timezone
    from storage import acknowledgements
    from storage.models import Broadcast, BroadcastRecipient
    from tests.members_support import db
    add_member(app, SOMCHAI, "somchai LINE", "staff", group="policy")
    add_member(app, MALEE, "มาลี LINE", "staff", group="policy")
    with db(app) as session:
        m = session.get(member_handlers.Member, SOMCHAI)
        m.full_name, m.position = "สมชาย รักงาน", "นักวิเคราะห์นโยบายและแผน"
        now = datetime.now(timezone.utc)
        bc = Broadcast(author_id=ADMIN, audience={}, text="ประชุม", status="sent", scheduled_at=now)
        session.add(bc)
        session.flush()
        session.add_all([BroadcastRecipient(broadcast_id=bc.id, user_id=u, work_group="policy")
                         for u in (SOMCHAI, MALEE)])
        session.flush()
        names = sorted(n for _, n in acknowledgements.recipients(session, bc.id))
    assert names == ["มาลี LINE", "สมชาย รักงาน"]
    card = texts(admin.say("สมาชิก สมชาย รักงาน"))
    assert "สมชาย รักงาน" in card and "ตำแหน่ง: นักวิเคราะห์นโยบายและแผน" in card and "ชื่อใน LINE: somchai LINE" in card
    assert SOMCHAI not in card and "LINE user ID" not in card


def test_the_profile_lists_only_what_the_policy_allows(app, chat, line):
    chat.user_id = GUEST
    guest = texts(chat.say("ฉันคือใคร"))
    assert "ค้นหาโรงเรียน" not in guest and "จัดการสมาชิก" not in guest and "ส่งประกาศ" not in guest
    chat.user_id = ADMIN
    admin = texts(chat.say("ฉันคือใคร"))
    assert all(w in admin for w in ("ค้นหาโรงเรียน", "จัดการสมาชิก", "ส่งประกาศ", "ตั้งค่ากลุ่ม"))
    assert "พิมพ์ \"ลงทะเบียน\"" not in admin
