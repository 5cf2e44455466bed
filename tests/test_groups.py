"""Group chats through the webhook: join and leave, welcomes, binding by admins, what a group is for."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.core import flow
from handlers.core.policy import NEEDS_PRIVATE_CHAT
from storage import get_storage
from storage import groups as chat_groups
from storage.models import AuditLog, ChatGroup, Member
from tests import line_events as ev
from tests.conftest import ADMIN, Chat, texts

GID = "C" + "4a" * 16
OTHER_GID = "C" + "5b" * 16
STAFF = "U" + "6c" * 16
NEWCOMERS = ["U" + f"{i:032x}" for i in (7, 8, 9)]
GROUP_NAME = "กลุ่มนโยบายและแผน สพป."
STAFF_NAME = "สมชาย ใจดีมาก"


@pytest.fixture
def group(line):
    """A LINE group the fake knows (name and head count), forgotten again after the test."""
    line.groups[GID] = {"groupName": GROUP_NAME, "count": 12}
    line.groups[OTHER_GID] = {"groupName": "ห้องบุคลากร สพป.", "count": 40}
    yield GID
    line.groups.pop(GID, None)
    line.groups.pop(OTHER_GID, None)
    line.profiles.pop(STAFF, None)


@pytest.fixture
def admin_in_group(webhook, line, group) -> Chat:
    return Chat(webhook, line, user_id=ADMIN, group_id=GID)


def row(app, chat_id: str = GID) -> ChatGroup | None:
    with get_storage(app).Session() as session:
        return session.get(ChatGroup, chat_id)


def audits(app, chat_id: str = GID) -> list[AuditLog]:
    with get_storage(app).Session() as session:
        return list(session.scalars(select(AuditLog).where(AuditLog.target == chat_id).order_by(AuditLog.id)))


def add_staff(app) -> None:
    with get_storage(app).Session.begin() as session:
        session.add(Member(user_id=STAFF, display_name=STAFF_NAME, role="staff", work_group="policy",
                           status="active"))


def button_data(messages: list[dict], label: str) -> str:
    """The postback data of the Flex button labelled `label` (fails if there is none)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "button" and node["action"].get("label") == label:
                found.append(node["action"]["data"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(messages)
    assert found, f"no button {label!r} in {texts(messages)!r}"
    return found[0]


def join(webhook, line, chat_id: str = GID) -> str:
    webhook.post(ev.join_event(chat_id))
    return texts(line.replies()[-1]["messages"])


def test_join_records_the_group_and_introduces_the_bot(app, webhook, line, group):
    text = join(webhook, line)
    assert "บอท ตบช. 2.1" in text and "ตั้งค่ากลุ่ม" in text
    r = row(app)
    assert (r.name, r.member_count, r.active, r.binding, r.kind) == (GROUP_NAME, 12, True, None, "group")


def test_join_without_the_group_api_still_records_and_introduces(app, webhook, line):
    unknown = "C" + "0d" * 16  # the fake answers 404 for a group it does not know, as LINE may
    text = join(webhook, line, unknown)
    assert "ตั้งค่ากลุ่ม" in text
    r = row(app, unknown)
    assert r.active and r.name == "" and r.member_count is None


def test_staff_typing_setup_in_a_group_is_refused_politely(app, webhook, line, group):
    join(webhook, line)
    add_staff(app)
    line.profiles[STAFF] = {"displayName": STAFF_NAME}
    reply = Chat(webhook, line, user_id=STAFF, group_id=GID).say("บอท ตั้งค่ากลุ่ม")
    assert "สำหรับผู้ดูแลระบบเท่านั้น" in texts(reply)
    assert row(app).binding is None and audits(app) == []


def test_setup_in_a_group_without_the_sender_asks_for_a_private_chat(app, webhook, line, group):
    join(webhook, line)
    webhook.post(ev.text_event("บอท ตั้งค่ากลุ่ม", user_id=None, group_id=GID))
    assert texts(line.replies()[-1]["messages"]) == NEEDS_PRIVATE_CHAT
    assert row(app).binding is None


def test_admin_binds_the_group_with_the_buttons_and_it_is_audited(app, webhook, line, admin_in_group):
    join(webhook, line)
    cards = admin_in_group.say("บอท ตั้งค่ากลุ่ม")
    shown = texts(cards)
    assert "ห้องบุคลากรทั้งหมด" in shown and "ห้องผู้ดูแลระบบ" in shown and "ยกเลิกการผูก" in shown
    assert "ทุกกลุ่ม" not in shown  # "all" is not a group a chat can be bound to
    done = texts(admin_in_group.press(button_data(cards, "กลุ่มนโยบายและแผน")))
    assert "ตั้งค่าแล้ว" in done and "ผูกกับ กลุ่มนโยบายและแผน" in done
    r = row(app)
    assert (r.binding, r.work_group) == ("work_group", "policy")
    [entry] = audits(app)
    assert (entry.actor_id, entry.action) == (ADMIN, "group.bind")
    assert entry.detail["work_group"] == "policy" and entry.detail["previous_binding"] is None
    assert entry.created_at is not None

    # the choice ended the flow: its card's buttons are spent
    assert texts(admin_in_group.press(button_data(cards, "ห้องผู้ดูแลระบบ"))) == flow.EXPIRED
    # the same choice again, typed without addressing the bot while the flow is live
    admin_in_group.say("บอท ตั้งค่ากลุ่ม")
    again = texts(admin_in_group.say("นโยบายและแผนค่ะ"))
    assert "ไม่มีอะไรเปลี่ยน" in again and len(audits(app)) == 1

    admin_in_group.press(button_data(admin_in_group.say("บอท ตั้งค่ากลุ่ม"), "ห้องผู้ดูแลระบบ"))
    assert (row(app).binding, row(app).work_group) == ("admins", None)
    admin_in_group.press(button_data(admin_in_group.say("ตั้งค่ากลุ่ม"), "ยกเลิกการผูก"))
    assert row(app).binding is None
    assert [a.action for a in audits(app)] == ["group.bind", "group.bind", "group.unbind"]


def test_long_work_group_names_get_short_button_labels(webhook, line, admin_in_group):
    join(webhook, line)
    cards = admin_in_group.say("บอท ตั้งค่ากลุ่ม")
    assert "กลุ่มส่งเสริมการศึกษาทางไกล เทคโนโลยีสารสนเทศและการสื่อสาร" in texts(cards)
    assert '"v":"ict"' in button_data(cards, "กลุ่มไอซีที")


def test_this_group_shows_the_binding_and_count_and_nothing_private(app, webhook, line, admin_in_group):
    join(webhook, line)
    add_staff(app)
    line.profiles[STAFF] = {"displayName": STAFF_NAME}
    staff = Chat(webhook, line, user_id=STAFF, group_id=GID)
    before = texts(staff.say("บอท สมาชิกกลุ่มนี้"))
    assert "ยังไม่ได้ตั้งค่า" in before and "สมาชิก 12 คน" in before
    admin_in_group.press(button_data(admin_in_group.say("บอท ตั้งค่ากลุ่ม"), "กลุ่มนโยบายและแผน"))
    for said in (staff.say("บอท สมาชิกกลุ่มนี้"), staff.say("บอท กลุ่มนี้")):
        text = texts(said)
        assert "กลุ่มไลน์นี้ผูกกับ กลุ่มนโยบายและแผน" in text and "สมาชิก 12 คน" in text
        assert STAFF_NAME not in text and STAFF not in text and ADMIN not in text
    # a desktop user (no user ID) can still look it up
    webhook.post(ev.text_event("บอท กลุ่มนี้", user_id=None, group_id=GID))
    assert "ผูกกับ กลุ่มนโยบายและแผน" in texts(line.replies()[-1]["messages"])


def test_this_group_in_a_private_chat_says_where_to_ask(chat):
    assert "ใช้ในกลุ่มไลน์" in texts(chat.say("กลุ่มนี้"))


def test_new_members_get_one_short_welcome_and_the_count_is_refreshed(app, webhook, line, group):
    join(webhook, line)
    line.groups[GID]["count"] = 15
    before = len(line.replies())
    webhook.post(ev.member_joined_event(GID, NEWCOMERS))
    replies = line.replies()[before:]
    assert len(replies) == 1 and len(replies[0]["messages"]) == 1
    text = texts(replies[0]["messages"])
    assert "ยินดีต้อนรับสมาชิกใหม่ 3 ท่าน" in text and "บอท เมนู" in text
    assert not any(uid in text for uid in NEWCOMERS)
    assert row(app).member_count == 15

    line.groups[GID]["count"] = 13
    webhook.post(ev.member_left_event(GID, NEWCOMERS[:2]))
    assert len(line.replies()) == before + 1 and line.pushes() == []
    assert row(app).member_count == 13


def test_leave_marks_the_group_inactive_and_rejoin_reactivates_it_with_its_binding(
        app, webhook, line, admin_in_group):
    join(webhook, line)
    admin_in_group.press(button_data(admin_in_group.say("บอท ตั้งค่ากลุ่ม"), "กลุ่มนโยบายและแผน"))
    replies = len(line.replies())
    assert webhook.post(ev.leave_event(GID)).status_code == 200
    assert len(line.replies()) == replies and line.pushes() == []
    r = row(app)
    assert not r.active and r.left_at is not None and r.binding == "work_group"
    with get_storage(app).Session() as session:
        assert GID not in [g.chat_id for g in chat_groups.active_groups(session, work_group="policy")]

    text = join(webhook, line)
    r = row(app)
    assert r.active and r.left_at is None
    assert "ตั้งค่าไว้แล้ว: กลุ่มนโยบายและแผน" in text


def test_a_choice_for_a_group_the_bot_left_is_refused_politely(app, webhook, line, admin_in_group):
    join(webhook, line)
    private = Chat(webhook, line, user_id=ADMIN)
    cards = private.press(button_data(private.say("ตั้งค่ากลุ่ม"), "ตั้งค่ากลุ่มนี้"))
    webhook.post(ev.leave_event(GID))
    assert "ไม่ได้อยู่ในกลุ่มไลน์นั้นแล้ว" in texts(private.press(button_data(cards, "ห้องบุคลากรทั้งหมด")))
    assert row(app).binding is None and audits(app) == []


def test_a_button_of_another_group_or_a_forged_choice_is_refused(app, webhook, line, admin_in_group):
    join(webhook, line)
    join(webhook, line, OTHER_GID)
    cards = admin_in_group.say("บอท ตั้งค่ากลุ่ม")
    elsewhere = Chat(webhook, line, user_id=ADMIN, group_id=OTHER_GID)
    # the flow lives in the chat it began in: its buttons pressed elsewhere are expired
    assert texts(elsewhere.press(button_data(cards, "ห้องผู้ดูแลระบบ"))) == flow.EXPIRED
    assert "กลุ่มไลน์อื่น" in texts(elsewhere.press('{"a":"grp","c":"%s"}' % GID))
    # cards from before the flow ("b": a choice) and forged ones do nothing
    for forged in ('{"a":"grp","c":"%s","b":"all"}' % GID, '{"a":"grp","c":"%s","b":"g:nope"}' % GID,
                   '{"a":"grp","c":"not-a-group"}'):
        assert "ปุ่มนี้ใช้ไม่ได้แล้ว" in texts(admin_in_group.press(forged))
    session = button_data(cards, "ห้องผู้ดูแลระบบ").split('"s":"')[1][:8]
    for value in ("all_staff", "g:policy", "nope"):  # not among the step's choices: the question again
        forged = '{"a":"f","f":"grpbind","s":"%s","t":"choose","v":"%s"}' % (session, value)
        assert flow.OLD_STEP in texts(admin_in_group.press(forged))
    assert row(app).binding is None and row(app, OTHER_GID).binding is None and audits(app) == []


def test_a_staff_member_pressing_a_binding_button_is_refused(app, webhook, line, admin_in_group):
    join(webhook, line)
    cards = admin_in_group.say("บอท ตั้งค่ากลุ่ม")
    add_staff(app)
    staff = Chat(webhook, line, user_id=STAFF, group_id=GID)
    assert texts(staff.press(button_data(cards, "ห้องบุคลากรทั้งหมด"))) == flow.EXPIRED  # the admin's flow
    assert staff.say("นโยบายและแผน") == []  # typed by someone else than the admin: group talk
    assert row(app).binding is None


def test_admin_binds_a_group_from_a_private_chat(app, webhook, line, group):
    join(webhook, line)
    join(webhook, line, OTHER_GID)
    webhook.post(ev.leave_event(OTHER_GID))
    private = Chat(webhook, line, user_id=ADMIN)
    listing = private.say("ตั้งค่ากลุ่ม")
    shown = texts(listing)
    assert GROUP_NAME in shown and "ยังไม่ได้ตั้งค่า" in shown and "สมาชิก 12 คน" in shown
    assert "ห้องบุคลากร สพป." not in shown  # the bot left that one
    choices = private.press(button_data(listing, "ตั้งค่ากลุ่มนี้"))
    done = texts(private.press(button_data(choices, "ห้องบุคลากรทั้งหมด")))
    assert "ห้องบุคลากรทั้งหมด" in done
    assert row(app).binding == "all_staff"
    [entry] = audits(app)
    assert entry.actor_id == ADMIN and entry.detail["from_chat"] == "user"
    with get_storage(app).Session() as session:
        assert [g.chat_id for g in chat_groups.active_groups(session, binding="all_staff")
                if g.chat_id in (GID, OTHER_GID)] == [GID]
        assert GID not in [g.chat_id for g in chat_groups.active_groups(session, binding="admins")]


def test_the_list_of_group_chats_is_for_admins_in_a_private_chat(app, webhook, line, group):
    join(webhook, line)
    join(webhook, line, OTHER_GID)
    webhook.post(ev.leave_event(OTHER_GID))
    text = texts(Chat(webhook, line, user_id=ADMIN).say("รายชื่อกลุ่มไลน์"))
    assert GROUP_NAME in text and "ห้องบุคลากร สพป." in text
    assert "อยู่ในกลุ่ม" in text and "ออกจากกลุ่มแล้ว เมื่อ" in text and "สมาชิก 40 คน" in text
    assert f"{row(app).joined_at.year + 543}" in text  # Buddhist-Era year
    add_staff(app)
    assert "ผู้ดูแลระบบเท่านั้น" in texts(Chat(webhook, line, user_id=STAFF).say("รายชื่อกลุ่มไลน์"))
    assert "แชต 1:1" in texts(Chat(webhook, line, user_id=ADMIN, group_id=GID).say("บอท รายชื่อกลุ่มไลน์"))


def test_no_group_chats_yet_says_how_to_start(webhook, line):
    assert "ยังไม่ได้อยู่ในกลุ่มไลน์ใด" in texts(Chat(webhook, line, user_id=ADMIN).say("ตั้งค่ากลุ่ม"))


def test_a_multi_person_room_is_recorded_too(app, webhook, line):
    room = "R" + "7e" * 16
    line.rooms[room] = {"count": 3}
    try:
        webhook.post(ev.join_event(None, room_id=room))
        assert "ตั้งค่ากลุ่ม" in texts(line.replies()[-1]["messages"])
        r = row(app, room)
        assert (r.kind, r.member_count, r.active) == ("room", 3, True)
    finally:
        line.rooms.pop(room, None)
