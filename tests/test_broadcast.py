"""Admin broadcasts through the webhook: the flow as a conversation, preview, outbox rows, delivery,
the author's report, acknowledgements, the reminder, scheduling and cancelling."""
from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select

from handlers.broadcasts import acks
from handlers.core import postback
from handlers.core.thaidate import BANGKOK
from scheduler import jobs
from storage import get_storage
from storage.models import AuditLog, Broadcast, BroadcastRecipient, ChatGroup, LineFact, Member, OutboxMessage
from tests import line_events as ev
from tests.conftest import ADMIN, Chat, quick_replies, texts

POLICY_CHAT = "C" + "7d" * 16
ALL_STAFF_CHAT = "C" + "8e" * 16
UNBOUND_CHAT = "C" + "9f" * 16
ANNOUNCEMENT = "ประชุมประจำเดือน\nวันศุกร์นี้ 09:00 น. ห้องประชุม 1 ขอให้ทุกคนเข้าร่วมค่ะ"


def uid(n: int) -> str:
    return f"U{n:032x}"


@pytest.fixture
def admin(webhook, line) -> Chat:
    return Chat(webhook, line, user_id=ADMIN)


@pytest.fixture
def runtime(app):
    return app.extensions["bot"]


def add_members(app, rows: list[dict]) -> None:
    now = datetime.now(timezone.utc)
    with get_storage(app).Session.begin() as session:
        session.execute(insert(Member), [{"display_name": "", "status": "active", "following": True,
                                          "complaint_officer": False, "created_at": now, "updated_at": now, **r}
                                         for r in rows])


def add_chats(app, line, chats: list[tuple[str, str, str | None, int]]) -> None:
    """(chat id, binding, work group, head count the fake reports); the cached count is unknown."""
    with get_storage(app).Session.begin() as session:
        for chat_id, binding, wg, count in chats:
            session.add(ChatGroup(chat_id=chat_id, name=f"ห้อง {wg or binding}", binding=binding, work_group=wg,
                                  active=True))
            line.groups[chat_id] = {"groupName": f"ห้อง {wg or binding}", "count": count}


@pytest.fixture
def office(app, line):
    """Five staff in two work groups, a school, a guest; a chat bound to policy, one to all staff."""
    add_members(app, [
        {"user_id": uid(1), "display_name": "สมชาย ใจดี", "role": "staff", "work_group": "policy"},
        {"user_id": uid(2), "display_name": "สมหญิง รักงาน", "role": "staff", "work_group": "policy"},
        {"user_id": uid(3), "display_name": "วิไล ตั้งใจ", "role": "staff", "work_group": "admin"},
        {"user_id": uid(4), "display_name": "ประยุทธ บัญชี", "role": "staff", "work_group": "finance"},
        {"user_id": uid(5), "display_name": "ปิดกั้น แล้ว", "role": "staff", "work_group": "finance",
         "following": False},
        {"user_id": uid(6), "display_name": "โรงเรียนบ้านหนองบัว", "role": "school"},
        {"user_id": uid(7), "display_name": "ผู้มาเยือน", "role": "guest"},
    ])
    add_chats(app, line, [(POLICY_CHAT, "work_group", "policy", 12), (ALL_STAFF_CHAT, "all_staff", None, 30)])
    line.quota = 100_000


def press(chat: Chat, messages: list[dict], label: str) -> list[dict]:
    """Press the quick reply whose label contains `label`."""
    actions = [a for a in quick_replies(messages) if label in a["label"]]
    assert actions, f"no quick reply {label!r} in {[a['label'] for a in quick_replies(messages)]}"
    action = actions[0]
    return chat.press(action["data"]) if action["type"] == "postback" else chat.say(action["text"])


def compose(admin: Chat, audience: list[str], text: str = ANNOUNCEMENT, ack: bool = False) -> list[dict]:
    """Walk the flow up to the preview; returns the preview messages."""
    reply = admin.say("ประกาศ")
    for label in audience:
        reply = press(admin, reply, label)
    reply = press(admin, reply, "ถัดไป")
    assert "พิมพ์หรือวางข้อความประกาศ" in texts(reply)
    reply = admin.say(text)
    if ack:
        reply = press(admin, reply, "ขอให้กดรับทราบ")
    return press(admin, reply, "ดูตัวอย่าง")


def broadcast(app) -> Broadcast:
    with get_storage(app).Session() as session:
        return session.scalars(select(Broadcast).order_by(Broadcast.id.desc())).first()


def outbox_rows(app, origin: str) -> list[OutboxMessage]:
    with get_storage(app).Session() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.origin == origin)
                                    .order_by(OutboxMessage.id)))


def recipients(app, broadcast_id: int) -> dict[str, BroadcastRecipient]:
    with get_storage(app).Session() as session:
        return {r.user_id: r for r in session.scalars(select(BroadcastRecipient)
                                                      .where(BroadcastRecipient.broadcast_id == broadcast_id))}


def flex(messages: list[dict]) -> dict:
    [card] = [m for m in messages if m["type"] == "flex"]
    return card


def test_the_whole_flow_sends_multicasts_of_500_and_pushes_and_reports_to_the_author(app, admin, line, runtime):
    add_members(app, [{"user_id": uid(1000 + i), "display_name": f"บุคลากร {i}", "role": "staff",
                       "work_group": "policy"} for i in range(1001)])
    add_chats(app, line, [(POLICY_CHAT, "work_group", "policy", 12), (ALL_STAFF_CHAT, "all_staff", None, 30),
                          (UNBOUND_CHAT, None, None, 5)])
    line.quota, line.usage = 100_000, 250
    jobs.run(runtime, "refresh-line-facts")  # the preview reads LINE's facts as the job cached them

    preview = compose(admin, ["บุคลากรทั้งหมด", "กลุ่มไลน์ที่ผูกไว้"])
    summary = texts(preview)
    assert "ประชุมประจำเดือน" in texts([flex(preview)])
    assert "ส่งตรงถึง 1,002 คน (ส่ง 3 รอบ รอบละไม่เกิน 500 คน)" in summary  # 1,001 staff and the admin
    assert "multicast" not in summary.lower()  # no English in what the admin reads
    assert "กลุ่มไลน์ 2 กลุ่ม สมาชิกรวม 42 คน" in summary      # head counts LINE gave the job
    assert "ใช้ข้อความ LINE 1,044 ข้อความ" in summary
    assert "ใช้ไปแล้ว 250 จาก 100,000 ข้อความ (เหลือ 99,750)" in summary
    assert line.calls("reply")  # nothing sent yet but replies
    assert not line.calls("multicast") and not line.calls("push")

    reply = press(admin, preview, "ยืนยันส่งเลย")
    bc = broadcast(app)
    assert f"กำลังส่งประกาศ #{bc.id}" in texts(reply)
    assert (bc.status, bc.author_id, bc.text, bc.cost) == ("sending", ADMIN, ANNOUNCEMENT, 1044)
    rows = outbox_rows(app, f"broadcast:{bc.id}")
    assert [(r.kind, len(r.recipients)) for r in rows] == [("multicast", 500), ("multicast", 500), ("multicast", 2),
                                                            ("push", 1), ("push", 1)]
    assert {r.recipients[0] for r in rows if r.kind == "push"} == {POLICY_CHAT, ALL_STAFF_CHAT}
    assert sum(r.cost for r in rows) == 1044

    jobs.run(runtime, "deliver-outbox")
    sent = line.calls("multicast") + line.calls("push")
    assert len(sent) == 5
    assert {r.header("X-Line-Retry-Key") for r in sent} == {r.retry_key for r in rows}
    assert sorted(len(r.json["to"]) for r in line.calls("multicast")) == [2, 500, 500]
    assert {r.json["to"] for r in line.calls("push")} == {POLICY_CHAT, ALL_STAFF_CHAT}

    jobs.run(runtime, "report-broadcasts")
    jobs.run(runtime, "deliver-outbox")
    [report] = [p for p in line.pushes() if p["to"] == ADMIN]
    text = texts(report["messages"])
    assert f"รายงานการส่งประกาศ #{bc.id}" in text and "ส่งสำเร็จ 5 จาก 5 รายการ" in text
    assert "ใช้ข้อความ LINE 1,044 ข้อความ" in text
    bc = broadcast(app)
    assert (bc.status, bc.report["sent"], bc.report["failed"]) == ("sent", 5, 0)
    with get_storage(app).Session() as session:
        [entry] = session.scalars(select(AuditLog).where(AuditLog.action == "broadcast.create"))
        assert entry.actor_id == ADMIN and entry.detail["audience"]["kind"] == "mixed"
    listing = texts(admin.say("รายการประกาศ"))
    assert f"#{bc.id} · ส่งแล้ว" in listing and "ส่งสำเร็จ 5/5 รายการ · ใช้ 1,044 ข้อความ" in listing


def test_the_preview_is_exactly_what_recipients_get(app, admin, line, runtime, office):
    reply = press(admin, press(admin, admin.say("ประกาศ"), "สถานศึกษาทั้งหมด"), "ถัดไป")
    reply = press(admin, admin.say(ANNOUNCEMENT), "ขอให้กดรับทราบ")
    assert "https://" in texts(press(admin, reply, "ใส่รูปภาพ"))
    reply = admin.say("https://www.example.go.th/poster.jpg")
    assert "ใส่รูปภาพแล้ว" in texts(reply)
    press(admin, reply, "ใส่ปุ่มลิงก์")
    reply = admin.say("ดาวน์โหลดหนังสือ https://www.example.go.th/doc.pdf")
    assert "ดาวน์โหลดหนังสือ → https://www.example.go.th/doc.pdf" in texts(reply)
    preview = press(admin, reply, "ดูตัวอย่าง")
    card = flex(preview)
    labels = [b["action"]["label"] for b in card["contents"]["footer"]["contents"]]
    assert labels == ["รับทราบ", "ดาวน์โหลดหนังสือ"]
    hero = card["contents"]["hero"]
    assert (hero["type"], hero["url"], hero["action"]["uri"]) == ("image", "https://www.example.go.th/poster.jpg",
                                                                  "https://www.example.go.th/poster.jpg")
    assert "นี่คือตัวอย่างประกาศ" in texts(admin.press(postback.encode("ack", b=0)))
    press(admin, preview, "ยืนยันส่งเลย")
    jobs.run(runtime, "deliver-outbox")
    [sent] = line.multicasts()
    assert sent["to"] == [uid(6)]
    bc = broadcast(app)
    expected = copy.deepcopy(card)
    expected.pop("quickReply", None)
    ack = json.dumps(expected, ensure_ascii=False).replace(
        json.dumps(postback.encode("ack", b=0), ensure_ascii=False)[1:-1],
        json.dumps(postback.encode("ack", b=bc.id), ensure_ascii=False)[1:-1])
    assert sent["messages"] == [json.loads(ack)]
    assert "รับทราบ" in texts(sent["messages"])


def test_a_preview_warns_when_the_quota_does_not_fit_and_says_when_it_is_unknown(app, admin, line, office,
                                                                                   runtime):
    line.quota, line.usage = 40, 35
    jobs.run(runtime, "refresh-line-facts")
    summary = texts(compose(admin, ["กลุ่มไลน์ที่ผูกไว้"]))
    assert "ใช้ข้อความ LINE 42 ข้อความ" in summary and "โควตาที่เหลือไม่พอ" in summary
    line.quota = None
    jobs.run(runtime, "refresh-line-facts")
    assert "โควตา: ไม่จำกัด (เดือนนี้ใช้ไปแล้ว 35 ข้อความ)" in texts(compose(admin, ["กลุ่มไลน์ที่ผูกไว้"]))
    with get_storage(app).Session.begin() as session:  # never read (a new install), and LINE fails
        session.execute(LineFact.__table__.delete())
    line.fail_next("quota", 500, times=2)
    line.fail_next("quota_consumption", 500, times=2)
    jobs.run(runtime, "refresh-line-facts")
    assert "ไม่ทราบโควตา (โหมดออฟไลน์" in texts(compose(admin, ["กลุ่มไลน์ที่ผูกไว้"]))


def test_non_admins_and_group_chats_are_refused(webhook, line, office):
    for user in (uid(1), uid(7)):
        assert "สำหรับผู้ดูแลระบบเท่านั้น" in texts(Chat(webhook, line, user_id=user).say("ประกาศ"))
        assert "สำหรับผู้ดูแลระบบเท่านั้น" in texts(Chat(webhook, line, user_id=user).say("รายการประกาศ"))
    in_group = Chat(webhook, line, user_id=ADMIN, group_id=POLICY_CHAT)
    assert "แชต 1:1" in texts(in_group.say("บอท ประกาศ"))


def test_work_groups_are_picked_several_at_once(app, admin, line, runtime, office):
    reply = admin.say("ประกาศ")
    reply = press(admin, reply, "เลือกกลุ่มงาน")
    reply = press(admin, reply, "นโยบายและแผน")
    reply = press(admin, reply, "การเงิน")
    assert "กลุ่มนโยบายและแผน, กลุ่มบริหารงานการเงินและสินทรัพย์" in texts(reply)
    reply = press(admin, reply, "เสร็จ")
    assert "✓ เลือกกลุ่มงาน" in [a["label"] for a in quick_replies(reply)]
    reply = press(admin, reply, "ถัดไป")
    reply = admin.say("ส่งเอกสารภายในวันศุกร์")
    preview = press(admin, reply, "ดูตัวอย่าง")
    assert "ส่งตรงถึง 3 คน" in texts(preview)  # uid(5) blocked the bot
    press(admin, preview, "ยืนยันส่งเลย")
    [row] = outbox_rows(app, f"broadcast:{broadcast(app).id}")
    assert sorted(row.recipients) == [uid(1), uid(2), uid(4)]


def test_every_follower_goes_through_the_broadcast_endpoint(app, admin, line, runtime, office):
    line.friend_count = 250
    reply = admin.say("ประกาศ")
    reply = press(admin, reply, "บุคลากรทั้งหมด")
    reply = press(admin, reply, "ผู้ติดตามทุกคน")  # every friend: the other choice is dropped
    assert "เลือกแล้ว: ผู้ติดตามบอททุกคน" in texts(reply)
    reply = press(admin, reply, "ถัดไป")
    preview = press(admin, admin.say("ปิดสำนักงานวันหยุดนักขัตฤกษ์"), "ดูตัวอย่าง")
    assert "LINE ไม่แจ้งจำนวนล่วงหน้า" in texts(preview) and "อย่างน้อย" in texts(preview)
    press(admin, preview, "ยืนยันส่งเลย")
    [row] = outbox_rows(app, f"broadcast:{broadcast(app).id}")
    assert (row.kind, row.recipients) == ("broadcast", [])
    jobs.run(runtime, "deliver-outbox")
    [sent] = line.calls("broadcast")
    assert sent.header("X-Line-Retry-Key") == row.retry_key


def test_acknowledgements_are_recorded_once_reported_by_group_and_reminded_once(app, admin, webhook, line, runtime,
                                                                                office):
    press(admin, compose(admin, ["กลุ่มไลน์ที่ผูกไว้"], ack=True), "ยืนยันส่งเลย")
    bc = broadcast(app)
    jobs.run(runtime, "deliver-outbox")
    jobs.run(runtime, "report-broadcasts")
    jobs.run(runtime, "deliver-outbox")
    [author_report] = [p for p in line.pushes() if p["to"] == ADMIN and "รายงานการส่งประกาศ" in texts(p["messages"])]
    [see_acks] = [a for a in quick_replies(author_report["messages"]) if "รับทราบ" in a["label"]]
    assert f"ผลการรับทราบประกาศ #{bc.id}" in texts(admin.press(see_acks["data"]))
    # members by the chats' bindings (uid(5) blocked the bot but is still in the all-staff chat)
    assert set(recipients(app, bc.id)) == {uid(1), uid(2), uid(3), uid(4), uid(5), ADMIN}
    ack = postback.encode("ack", b=bc.id)

    in_group = Chat(webhook, line, user_id=uid(1), group_id=POLICY_CHAT)
    assert "บันทึกการรับทราบประกาศ" in texts(in_group.press(ack))
    first = recipients(app, bc.id)[uid(1)].acked_at
    assert "ไปแล้วเมื่อ" in texts(in_group.press(ack))
    assert recipients(app, bc.id)[uid(1)].acked_at == first
    assert "บันทึกการรับทราบ" in texts(Chat(webhook, line, user_id=uid(3)).say("รับทราบค่ะ"))

    no_user = webhook.post(ev.postback_event(ack, user_id=None, group_id=POLICY_CHAT))
    assert no_user.status_code == 200
    assert f"รับทราบ {bc.id}" in texts(line.replies()[-1]["messages"])

    report = admin.say(f"ผลรับทราบ {bc.id}")
    text = texts(report)
    assert "รับทราบแล้ว 2 จาก 6 คน" in text
    assert "■ กลุ่มนโยบายและแผน รับทราบ 1/2" in text and "✓ สมชาย ใจดี" in text
    assert "ยังไม่รับทราบ: สมหญิง รักงาน" in text
    assert "■ กลุ่มอำนวยการ รับทราบ 1/1" in text
    assert "ตามกลุ่มไลน์" in text and "■ กลุ่มไลน์ ห้อง policy รับทราบ 1/2" in text

    reply = press(admin, report, "ส่งเตือน 3 คน")
    assert "จำนวน 3 คน" in texts(reply)
    [row] = outbox_rows(app, f"broadcast-remind:{bc.id}")
    assert sorted(row.recipients) == sorted([uid(2), uid(4), ADMIN])
    jobs.run(runtime, "deliver-outbox")
    [reminder] = [m for m in line.multicasts() if m["to"] == row.recipients]
    assert "เตือน" in texts(reminder["messages"])
    again = admin.press(postback.encode("bc", o="rm", b=bc.id))
    assert "ส่งเตือนประกาศ" in texts(again) and "ครั้งเดียว" in texts(again)
    assert len(outbox_rows(app, f"broadcast-remind:{bc.id}")) == 1
    with get_storage(app).Session() as session:
        assert session.scalars(select(AuditLog.action).where(AuditLog.action == "broadcast.remind")).all()


def test_a_scheduled_broadcast_waits_for_its_time_and_can_be_cancelled(app, admin, line, runtime, office):
    reply = admin.say("ประกาศ")
    reply = press(admin, press(admin, reply, "สถานศึกษาทั้งหมด"), "ถัดไป")
    reply = press(admin, admin.say("ขอเชิญประชุมผู้บริหารสถานศึกษา"), "ตั้งเวลาส่ง")
    reply = admin.say("พรุ่งนี้ 08:30")
    assert "ตั้งเวลาส่ง" in texts(reply)
    preview = press(admin, reply, "ดูตัวอย่าง")
    assert "เวลาส่ง:" in texts(preview) and "08:30 น." in texts(preview)
    reply = press(admin, preview, "ยืนยันตั้งเวลา")
    bc = broadcast(app)
    tomorrow = (bc.created_at.astimezone(BANGKOK) + timedelta(days=1)).date()
    assert bc.status == "scheduled"
    assert bc.scheduled_at.astimezone(BANGKOK).replace(tzinfo=None) == datetime(
        tomorrow.year, tomorrow.month, tomorrow.day, 8, 30)
    assert "ตั้งเวลาส่งประกาศ" in texts(reply)

    jobs.run(runtime, "send-broadcasts", bc.scheduled_at - timedelta(minutes=1))
    assert broadcast(app).status == "scheduled" and not outbox_rows(app, f"broadcast:{bc.id}")
    jobs.run(runtime, "send-broadcasts", bc.scheduled_at + timedelta(seconds=5))
    assert broadcast(app).status == "sending"
    [row] = outbox_rows(app, f"broadcast:{bc.id}")
    assert row.recipients == [uid(6)]
    jobs.run(runtime, "send-broadcasts", bc.scheduled_at + timedelta(seconds=35))  # not twice
    assert len(outbox_rows(app, f"broadcast:{bc.id}")) == 1

    reply = admin.say("ประกาศ")
    reply = press(admin, press(admin, reply, "สถานศึกษาทั้งหมด"), "ถัดไป")
    reply = press(admin, admin.say("ประกาศที่จะยกเลิก"), "ตั้งเวลาส่ง")
    reply = press(admin, reply, "พรุ่งนี้ 13:00")
    reply = press(admin, press(admin, reply, "ดูตัวอย่าง"), "ยืนยันตั้งเวลา")
    later = broadcast(app)
    reply = press(admin, reply, f"ยกเลิกประกาศ #{later.id}")
    assert f"ยกเลิกประกาศ #{later.id}" in texts(reply)
    jobs.run(runtime, "send-broadcasts", later.scheduled_at + timedelta(seconds=5))
    assert broadcast(app).status == "cancelled" and not outbox_rows(app, f"broadcast:{later.id}")


def test_typing_ack_with_nothing_to_acknowledge_says_so(webhook, line, office):
    assert texts(Chat(webhook, line, user_id=uid(1)).say("รับทราบค่ะ")) == acks.NOTHING_WAITING


def test_cancel_mid_flow_and_bad_input_get_polite_answers(app, admin, line, office):
    reply = admin.say("ประกาศ")
    assert "ขั้นนี้เลือกผู้รับค่ะ" in texts(admin.say("   "))  # a blank at a choice step: what it expects
    reply = press(admin, press(admin, reply, "บุคลากรทั้งหมด"), "ถัดไป")
    assert "ข้อความว่างอยู่" in texts(admin.say("   "))
    reply = press(admin, admin.say("ข้อความทดสอบ"), "ตั้งเวลาส่ง")
    assert "ลองพิมพ์วันและเวลาแบบนี้" in texts(admin.say("เมื่อวาน"))
    assert "https://" in texts(press(admin, admin.say("พรุ่งนี้ 9 โมง"), "ใส่รูปภาพ"))
    assert "ต้องขึ้นต้นด้วย https://" in texts(admin.say("http://example.com/a.jpg"))
    assert "ยกเลิกรายการแล้ว" in texts(admin.say("ยกเลิก"))
    assert broadcast(app) is None
    assert "ขั้นตอนนี้หมดเวลาแล้ว" in texts(admin.press(postback.encode("bc", s="deadbeef", o="pv")))


def test_a_message_starting_with_the_command_word_is_the_message(app, admin, line, office):
    reply = press(admin, admin.say("ประกาศ"), "บุคลากรทั้งหมด")
    press(admin, reply, "ถัดไป")
    reply = admin.say("ประกาศ! งดใช้ห้องประชุมวันพุธ")
    assert "งดใช้ห้องประชุมวันพุธ" in texts(reply) and "ตัวเลือกเพิ่มเติม" in texts(reply)


def test_a_message_typed_before_the_audience_is_offered_never_taken(app, admin, line, runtime, office):
    admin.say("ประกาศ")
    reply = admin.say("ส่งแบบสำรวจภายในวันศุกร์นะคะ")
    assert "ยังไม่ได้ใช้เป็นประกาศ" in texts(reply) and "“ส่งแบบสำรวจภายในวันศุกร์นะคะ”" in texts(reply)
    reply = press(admin, press(admin, reply, "บุคลากรทั้งหมด"), "ถัดไป")
    assert "พิมพ์หรือวางข้อความประกาศ" in texts(reply)  # not taken: the message step asks, and offers it
    reply = press(admin, reply, "ใช้ข้อความนี้")
    assert "ตัวเลือกเพิ่มเติม" in texts(reply) and "ส่งแบบสำรวจภายในวันศุกร์" in texts(reply)
    reply = press(admin, admin.say("ประกาศ"), "เลือกกลุ่มงาน")
    reply = admin.say("ประชุมกลุ่มนโยบายและแผน บ่ายสามโมง")
    assert "ขั้นนี้เลือกกลุ่มงานค่ะ" in texts(reply) and "ยังไม่ได้ใช้เป็นประกาศ" in texts(reply)
    reply = press(admin, press(admin, reply, "นโยบาย"), "เสร็จ")
    reply = press(admin, reply, "ใช้ข้อความนี้")  # offered at the audience step too
    assert "ใช้ข้อความที่พิมพ์มาเป็นประกาศแล้วค่ะ" in texts(reply)
    reply = press(admin, reply, "ถัดไป")
    assert "ประชุมกลุ่มนโยบายและแผน บ่ายสามโมง" in texts(reply)
    reply = press(admin, press(admin, reply, "ดูตัวอย่าง"), "ยืนยัน")
    jobs.run(runtime, "deliver-outbox")
    [multicast] = line.calls("multicast")
    assert sorted(multicast.json["to"]) == [uid(1), uid(2)]
    assert "ประชุมกลุ่มนโยบายและแผน บ่ายสามโมง" in json.dumps(multicast.json, ensure_ascii=False)


def test_a_mistyped_audience_is_asked_again_and_does_not_replace_a_message(app, admin, line, office):
    reply = admin.say("ประกาศ งดใช้ห้องประชุมวันพุธค่ะ")  # the message up front, particles kept
    assert "ได้ข้อความแล้วค่ะ" in texts(reply)
    reply = admin.say("ครูทุกคน")
    assert "ข้อความประกาศมีอยู่แล้ว" in texts(reply) and "บุคลากรทั้งหมด" in texts(reply)
    reply = press(admin, admin.say("บุคลากรทั้งหมดค่ะ"), "ถัดไป")
    assert "“งดใช้ห้องประชุมวันพุธค่ะ”" in texts(reply) and "ตัวเลือกเพิ่มเติม" in texts(reply)


def test_a_pasted_announcement_that_starts_with_a_command_word_stays_the_announcement(app, admin, line, office):
    reply = press(admin, press(admin, admin.say("ประกาศ"), "บุคลากรทั้งหมด"), "ถัดไป")
    pasted = "ลงทะเบียนอบรมออนไลน์ภายในวันที่ 30 พ.ย. 2569 ที่ลิงก์ในกลุ่มค่ะ"
    reply = admin.say(pasted)
    assert "ตัวเลือกเพิ่มเติม" in texts(reply) and "ลงทะเบียนอบรมออนไลน์" in texts(reply)
    # at the options step typed text is not an edit any more (it used to replace the message): asked again
    reply = admin.say("สมาชิก ทุกคนโปรดทราบ ห้องประชุม 2 ปิดปรับปรุง")
    assert "ข้อความประกาศยังเหมือนเดิม" in texts(reply) and "แก้ข้อความแล้ว" not in texts(reply)
    reply = press(admin, reply, "แก้ข้อความ")
    assert "ข้อความเดิม: “ลงทะเบียนอบรมออนไลน์" in texts(reply)
    reply = admin.say("สมาชิก ทุกคนโปรดทราบ ห้องประชุม 2 ปิดปรับปรุง")
    assert "แก้ข้อความแล้วค่ะ" in texts(reply) and "ห้องประชุม 2 ปิดปรับปรุง" in texts(reply)
    assert "ข้อมูลของฉัน" in texts(admin.say("ฉันคือใคร"))  # a command word alone still leaves the flow


def test_the_acknowledgement_report_says_when_there_is_nothing_to_report(admin, office):
    assert "ยังไม่มีประกาศที่ขอให้กดรับทราบค่ะ" in texts(admin.say("ผลรับทราบ"))
    assert "ไม่พบประกาศนี้ค่ะ" in texts(admin.say("ผลรับทราบ 999"))


def test_a_photo_sent_while_writing_an_announcement_gets_how_to_add_it_as_a_link(admin, webhook, line, office):
    press(admin, press(admin, admin.say("ประกาศ"), "บุคลากรทั้งหมด"), "ถัดไป")
    press(admin, admin.say("ประชุมวันศุกร์"), "ใส่รูปภาพ")
    webhook.post(ev.image_event(user_id=ADMIN))
    told = line.replies()[-1]["messages"]
    assert "ใส่รูปเป็นลิงก์แทน" in texts(told) and "ไม่ใส่รูป" in [a["label"] for a in quick_replies(told)]
    assert "ใส่รูปภาพแล้ว" in texts(admin.say("https://www.example.go.th/poster.png"))
    webhook.post(ev.image_event(user_id=uid(1)))  # not writing anything: the usual answer
    assert "อ่านได้เฉพาะข้อความ" in texts(line.replies()[-1]["messages"])


# -- the bugs a user found: typed words at a choice step replaced the announcement -------------------------
def _at_options(admin: Chat, text: str = ANNOUNCEMENT) -> list[dict]:
    press(admin, press(admin, admin.say("ประกาศ"), "สถานศึกษาทั้งหมด"), "ถัดไป")
    return admin.say(text)


def test_yuenyan_typed_at_the_preview_confirms_and_at_the_options_step_is_not_the_message(app, admin, line,
                                                                                       runtime, office):
    reply = _at_options(admin)
    reply = admin.say("ยืนยัน")  # not a choice here: asked again, the message kept
    assert "ข้อความประกาศยังเหมือนเดิม" in texts(reply) and "“ประชุมประจำเดือน" in texts(reply)
    preview = admin.say("ดูตัวอย่างค่ะ")
    assert "ด้านบนคือสิ่งที่ผู้รับจะเห็น" in texts(preview)
    reply = admin.say("ยืนยันค่ะ")
    bc = broadcast(app)
    assert f"กำลังส่งประกาศ #{bc.id}" in texts(reply)
    assert bc.text == ANNOUNCEMENT  # never "ยืนยัน"
    jobs.run(runtime, "deliver-outbox")
    [sent] = line.multicasts()
    assert "ยืนยัน" not in texts(sent["messages"]) and "ประชุมประจำเดือน" in texts(sent["messages"])


def test_a_time_typed_at_the_options_step_sets_the_send_time(app, admin, line, office):
    _at_options(admin)
    reply = admin.say("พรุ่งนี้ 08:30")
    assert "ตั้งเวลาส่ง" in texts(reply) and "08:30 น." in texts(reply)
    assert "“ประชุมประจำเดือน" in texts(reply)  # the message is unchanged
    assert any("ยืนยันตั้งเวลา" in a["label"] for a in quick_replies(admin.say("ดูตัวอย่าง")))
    reply = admin.say("ยืนยันตั้งเวลาค่ะ")
    bc = broadcast(app)
    assert (bc.status, bc.text) == ("scheduled", ANNOUNCEMENT)
    assert bc.scheduled_at.astimezone(BANGKOK).strftime("%H:%M") == "08:30"
    reply = _at_options(admin, "อีกประกาศหนึ่ง")
    reply = admin.say("31 ก.พ. 9 โมง")  # a date, but not a real one: said so, the message kept
    assert "ไม่มีวันที่ 31 ก.พ." in texts(reply) and "ข้อความประกาศยังเหมือนเดิม" in texts(reply)
    reply = admin.say("วันนี้ 00:01")
    assert "ผ่านไปแล้ว" in texts(reply)


def test_okay_typed_at_the_options_step_is_asked_again_saying_what_is_expected(app, admin, line, office):
    _at_options(admin)
    reply = admin.say("โอเคค่ะ")
    text = texts(reply)
    assert "ขั้นนี้เลือกตัวเลือกค่ะ" in text and "ดูตัวอย่าง" in text and "พรุ่งนี้ 08:30" in text
    assert "แก้ข้อความแล้ว" not in text and "“ประชุมประจำเดือน" in text
    # at the preview too: a broadcast is sent only on an explicit confirm
    preview = admin.say("ดูตัวอย่าง")
    reply = admin.say("โอเคค่ะ")
    assert "ขั้นนี้รอการยืนยันค่ะ" in texts(reply) and broadcast(app) is None
    assert "✅ ยืนยันส่งเลย" in [a["label"] for a in quick_replies(reply)]
    assert "✅ ยืนยันส่งเลย" in [a["label"] for a in quick_replies(preview)]


@pytest.mark.parametrize("typed, expect", [
    ("บุคลากรทั้งหมดค่ะ", "เลือกแล้ว: บุคลากรทั้งหมด"),       # audience
    ("เลือกกลุ่มงานครับ", "เลือกกลุ่มงานที่จะส่งถึง"),
])
def test_particles_at_the_audience_step(admin, office, typed, expect):
    admin.say("ประกาศ")
    assert expect in texts(admin.say(typed))


def test_a_word_that_fits_several_audiences_is_asked_about_not_kept_as_the_message(app, admin, office):
    admin.say("ประกาศ")
    asked = texts(admin.say("ทุกคน"))
    assert "\"ทุกคน\" ตรงกับหลายตัวเลือกค่ะ หมายถึง บุคลากรทั้งหมด หรือ ผู้ติดตามทุกคน คะ" in asked
    assert "ใช้ข้อความนี้" not in asked
    assert "เลือกแล้ว: บุคลากรทั้งหมด" in texts(admin.say("บุคลากรทั้งหมด"))


def test_particles_at_every_choice_step(app, admin, line, office):
    admin.say("ประกาศ")
    admin.say("เลือกกลุ่มงานค่ะ")
    assert "เลือกแล้ว: กลุ่มนโยบายและแผน" in texts(admin.say("นโยบายและแผนครับ"))          # groups
    assert "เลือกแล้ว: กลุ่มงาน: กลุ่มนโยบายและแผน" in texts(admin.say("เสร็จแล้วค่ะ"))
    assert "พิมพ์หรือวางข้อความประกาศ" in texts(admin.say("ถัดไปค่ะ"))
    assert "เลือกผู้รับ" in texts(admin.say("กลับค่ะ"))                                     # message
    admin.say("ถัดไปนะคะ")
    admin.say("ประชุมด่วนบ่ายนี้")
    assert "ส่งลิงก์รูปภาพ" in texts(admin.say("ใส่รูปภาพค่ะ"))                              # options
    assert "ไม่ใส่รูปภาพแล้ว" in texts(admin.say("ไม่ใส่ค่ะ"))                                # image
    admin.say("ใส่ปุ่มลิงก์นะคะ")
    assert "ไม่ใส่ปุ่มลิงก์แล้ว" in texts(admin.say("ไม่ใส่ครับ"))                             # link
    assert "ขอให้กดรับทราบ: ใช่" in texts(admin.say("ขอให้กดรับทราบค่ะ"))
    admin.say("ตั้งเวลาส่งค่ะ")
    assert "ส่งทันทีเมื่อยืนยัน" in texts(admin.say("ส่งทันทีค่ะ"))                          # schedule
    admin.say("ตั้งเวลาส่ง")
    reply = admin.say("พรุ่งนี้ 08:10")  # close to a suggestion ("พรุ่งนี้ 08:00") but read as typed
    assert "08:10 น." in texts(reply)
    assert "ด้านบนคือสิ่งที่ผู้รับจะเห็น" in texts(admin.say("ดูตัวอย่างนะคะ"))
    assert "ตัวเลือกเพิ่มเติม" in texts(admin.say("แก้ไขค่ะ"))                                 # preview
    admin.say("ดูตัวอย่าง")
    assert "เลือกผู้รับ" in texts(admin.say("เปลี่ยนผู้รับค่ะ"))
    admin.say("ถัดไป")
    admin.say("ดูตัวอย่าง")
    assert "พิมพ์หรือวางข้อความประกาศใหม่" in texts(admin.say("แก้ข้อความค่ะ"))
    assert "ไม่แก้ข้อความ" not in texts(admin.say("ไม่แก้ค่ะ"))  # back to the options, message kept
    admin.say("ดูตัวอย่าง")
    reply = admin.say("ยืนยันตั้งเวลาค่ะ")
    bc = broadcast(app)
    assert (bc.status, bc.text, bc.ack_required) == ("scheduled", "ประชุมด่วนบ่ายนี้", True)


def test_stale_buttons_are_refused(app, admin, line, office):
    first = admin.say("ประกาศ")
    reply = press(admin, first, "บุคลากรทั้งหมด")
    at_audience = reply
    reply = press(admin, reply, "ถัดไป")
    options = admin.say("ประชุมวันศุกร์")
    reply = press(admin, at_audience, "ถัดไป")  # a button of an earlier step: the current question again
    assert "ปุ่มนั้นเป็นของขั้นก่อนหน้า" in texts(reply) and "ตัวเลือกเพิ่มเติม" in texts(reply)
    admin.say("ประกาศ")  # a new session (the admin started over)
    reply = press(admin, options, "ดูตัวอย่าง")
    assert "ขั้นตอนนี้หมดเวลาแล้ว" in texts(reply) and broadcast(app) is None
    # a "bc" step button of the release before this flow was declared
    assert "ขั้นตอนนี้หมดเวลาแล้ว" in texts(admin.press(postback.encode("bc", s="deadbeef", o="ok")))


def test_stale_buttons_after_a_restart_still_act_in_their_own_session(app, admin, line, office):
    """The flow lives in the database: a new app process (a restart) keeps the session and its buttons."""
    from bot import create_app
    from tests.conftest import SECRET, TOKEN, Webhook
    reply = press(admin, admin.say("ประกาศ"), "สถานศึกษาทั้งหมด")
    restarted = create_app({"TESTING": True, "DATABASE_URL": str(get_storage(app).engine.url.render_as_string(
        hide_password=False)), "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
        "LINE_API_BASE_URL": line.url, "LINE_ADMIN_USER_IDS": ADMIN})
    try:
        again = Chat(Webhook(restarted.test_client()), line, user_id=ADMIN)
        reply = press(again, reply, "ถัดไป")
        assert "พิมพ์หรือวางข้อความประกาศ" in texts(reply)
        old = press(again, reply, "กลับไปเลือกผู้รับ")
        reply = press(again, reply, "กลับไปเลือกผู้รับ")  # pressed twice: the second is of an earlier step
        assert "ปุ่มนั้นเป็นของขั้นก่อนหน้า" in texts(reply) and "เลือกผู้รับ" in texts(old)
    finally:
        get_storage(restarted).engine.dispose()


def test_the_command_is_a_whole_word(admin, line, office):
    reply = admin.say("ประกาศนียบัตรครูต้องใช้เอกสารอะไรบ้าง")
    assert "สร้างประกาศ" not in texts(reply) and "เลือกผู้รับ" not in texts(reply)
    assert "เลือกผู้รับ" in texts(admin.say("ประกาศค่ะ"))


@pytest.mark.parametrize("step, typed, fixed", [
    ("ใส่ปุ่มลิงก์", "www.obec.go.th/doc.pdf", "https://www.obec.go.th/doc.pdf"),
    ("ใส่ปุ่มลิงก์", "หนังสือสั่งการ obec.go.th", "หนังสือสั่งการ https://obec.go.th"),
    ("ใส่ปุ่มลิงก์", "ดาวน์โหลด http://www.obec.go.th/a.pdf", "ดาวน์โหลด https://www.obec.go.th/a.pdf"),
    ("ใส่รูปภาพ", "www.obec.go.th/poster.jpg", "https://www.obec.go.th/poster.jpg"),
])
def test_a_link_without_https_gets_a_hint_and_its_https_form(admin, line, office, step, typed, fixed):
    reply = press(admin, _at_options(admin), step)
    reply = admin.say(typed)
    assert "https://" in texts(reply) and f"\"{fixed}\"" in texts(reply)
    reply = press(admin, reply, "ใช้ลิงก์ https://")  # one tap sends the https:// form
    assert "แล้วค่ะ" in texts(reply) and fixed.split()[-1] in texts(reply)


def test_the_preview_reads_cached_counts_and_says_when_one_is_unknown(app, admin, line, office):
    with get_storage(app).Session.begin() as session:
        session.get(ChatGroup, ALL_STAFF_CHAT).member_count = 30  # cached by the chat-groups code
    line.fail_next("group_members_count", 500)                   # the policy chat's count: unknown
    summary = texts(compose(admin, ["กลุ่มไลน์ที่ผูกไว้"]))
    assert "ยังไม่ทราบจำนวนสมาชิก 1 กลุ่ม" in summary
    assert "กลุ่มไลน์ 2 กลุ่ม สมาชิกรวม 32 คน" in summary  # 30 cached + the 2 members known in the policy chat
    asked = [r.path for r in line.calls("group_members_count")]
    assert asked == [f"/v2/bot/group/{POLICY_CHAT}/members/count"]  # only the unknown one, once
    with get_storage(app).Session() as session:  # nothing written by the preview
        assert session.get(ChatGroup, POLICY_CHAT).member_count is None


# -- flask broadcast send / cancel: the same action as the chat's confirm ------------------------------------


def test_the_cli_sends_through_the_same_action_as_the_chat(app, flask_cli, line, runtime, office):
    out = flask_cli("broadcast", "send", "--to", "groups:policy,finance", "--to", "chat_groups",
                    "--text", "ส่งรายงานภายในวันศุกร์ค่ะ", "--ack")
    bc = broadcast(app)
    assert f"broadcast #{bc.id}" in out and "queued" in out
    assert (bc.status, bc.text, bc.ack_required) == ("sending", "ส่งรายงานภายในวันศุกร์ค่ะ", True)
    assert bc.audience == {"kind": "mixed", "parts": [{"kind": "work_groups", "groups": ["finance", "policy"]},
                                                      {"kind": "chat_groups"}]}
    rows = outbox_rows(app, f"broadcast:{bc.id}")
    assert [(r.kind, sorted(r.recipients)) for r in rows][0] == ("multicast", [uid(1), uid(2), uid(4)])
    assert {r.recipients[0] for r in rows if r.kind == "push"} == {POLICY_CHAT, ALL_STAFF_CHAT}
    with get_storage(app).Session() as session:
        [entry] = session.scalars(select(AuditLog).where(AuditLog.action == "broadcast.create"))
        assert entry.actor_id.startswith("cli")
    jobs.run(runtime, "deliver-outbox")
    [sent] = line.multicasts()
    assert "รับทราบ" in texts(sent["messages"]) and "ส่งรายงานภายในวันศุกร์" in texts(sent["messages"])
    assert not line.calls("group_members_count")  # the CLI asks LINE nothing inside its transaction


def test_the_cli_schedules_cancels_and_refuses_bad_input(app, flask_cli, line, office):
    later = (datetime.now(BANGKOK) + timedelta(days=2)).replace(hour=9, minute=0)
    out = flask_cli("broadcast", "send", "--to", "all_schools", "--text", "ขอเชิญประชุม",
                    "--at", f"{later.year + 543}-{later:%m-%d %H:%M}")  # a Buddhist-Era year
    bc = broadcast(app)
    assert bc.status == "scheduled" and "scheduled for" in out and "09:00 น." in out
    assert bc.scheduled_at.astimezone(BANGKOK).replace(tzinfo=None) == later.replace(tzinfo=None, second=0,
                                                                                     microsecond=0)
    assert not outbox_rows(app, f"broadcast:{bc.id}")
    assert "cancelled" in flask_cli("broadcast", "cancel", str(bc.id))
    assert broadcast(app).status == "cancelled"
    assert "ยกเลิกไม่ได้" in flask_cli("broadcast", "cancel", str(bc.id), ok=False)
    assert "unknown audience" in flask_cli("broadcast", "send", "--to", "everyone", "--text", "x", ok=False)
    assert "unknown work group" in flask_cli("broadcast", "send", "--to", "groups:nope", "--text", "x", ok=False)
    assert "เลือกคู่กับกลุ่มอื่นไม่ได้" in flask_cli("broadcast", "send", "--to", "followers", "--to", "all_staff",
                                                   "--text", "x", ok=False)
    assert "ผ่านไปแล้ว" in flask_cli("broadcast", "send", "--to", "all_staff", "--text", "x",
                                     "--at", "2020-01-01 09:00", ok=False)
    assert "ข้อความประกาศว่างอยู่" in flask_cli("broadcast", "send", "--to", "all_staff", "--text", " ", ok=False)
    assert "https://" in flask_cli("broadcast", "send", "--to", "all_staff", "--text", "x",
                                   "--link", "www.obec.go.th/doc.pdf", ok=False)
    assert broadcast(app).id == bc.id  # nothing else was created
