"""Group manners through signed webhooks in a group source: the bot speaks only when addressed; a
"รับทราบ" under an announcement is recorded quietly; binding by typing the choice; `flask groups`; and
no call to LINE while a database transaction is open (LINE facts are cached and refreshed after)."""
from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, select

from handlers import NOTHING_TO_CANCEL
from handlers.broadcasts import acks
from scheduler import jobs
from storage import get_storage
from storage.models import AuditLog, Broadcast, BroadcastRecipient, ChatGroup, LineFact, Member, OutboxMessage
from tests import line_events as ev
from tests.conftest import ADMIN, Chat, texts

GID = "C" + "9d" * 16
QUIET_GID = "C" + "8e" * 16
STAFF = "U" + "6f" * 16
GROUP_NAME = "กลุ่มนโยบายและแผน สพป.ทดสอบ"

GROUP_TALK = [
    "ประชุม 9.30 น. ห้องประชุม 2 นะคะ",
    "ประชุม 9.30 น.",
    "โอนแล้ว 1.5 หมื่น",
    "โอนค่าอาหารกลางวันแล้ว 2,450 บาทค่ะ",
    "พรุ่งนี้ 13.00 น. อบรมออนไลน์ ลิงก์ตามนี้",
    "รับทราบ",
    "รับทราบค่ะ",
    "รับทราบครับผม",
    "โอเค",
    "โอเคค่ะ",
    "ขอบคุณค่ะ",
    "ขอบคุณครับท่าน 🙏",
    "ประกาศนียบัตรออกแล้วนะคะ รับได้ที่ห้องธุรการ",
    "ประกาศนียบัตร",
    "สมาชิกเครือข่ายส่งรายชื่อภายในวันที่ 15 ค่ะ",
    "สมาชิกเครือข่าย",
    "2.1 ยังไม่ส่งนะคะ",
    "ห้อง 302 ชั้น 3",
    "9.30",
    "ส่งงานภายใน 30 ก.ย. 2568",
    "ตั้งค่ากลุ่มงานใหม่เสร็จหรือยังคะ",
    "ลงทะเบียนเรียนต่อปีนี้ไหมคะ",
]


@pytest.fixture
def group(app, webhook, line):
    """A group the bot joined (its name and count read from the fake after the join), a staff member."""
    line.groups[GID] = {"groupName": GROUP_NAME, "count": 12}
    line.groups[QUIET_GID] = {"groupName": "ห้องพักครู", "count": 5}
    with get_storage(app).Session.begin() as session:
        session.add(Member(user_id=STAFF, display_name="สมศรี ทดสอบ", role="staff", work_group="policy",
                           status="active"))
    webhook.post(ev.join_event(GID))
    webhook.post(ev.join_event(QUIET_GID))
    yield GID
    line.groups.pop(GID, None)
    line.groups.pop(QUIET_GID, None)


def replies_after(line, before: int) -> list[dict]:
    return [m for r in line.requests[before:] if r.path in ("/v2/bot/message/reply", "/v2/bot/message/push")
            for m in (r.json or {}).get("messages", [])]


def row(app, chat_id: str = GID) -> ChatGroup:
    with get_storage(app).Session() as session:
        return session.get(ChatGroup, chat_id)


# -- manners -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("said", GROUP_TALK)
def test_ordinary_group_talk_gets_no_reply_at_all(app, webhook, line, group, said):
    for user in (STAFF, ADMIN, None):
        before = len(line.requests)
        assert webhook.post(ev.text_event(said, user_id=user, group_id=GID)).status_code == 200
        assert replies_after(line, before) == [], (said, user)


def test_addressed_forms_are_answered(webhook, line, group):
    staff = Chat(webhook, line, user_id=STAFF, group_id=GID)
    assert "2.1" in texts(staff.say("บอท ตบช. 2.1"))
    assert "2.1" in texts(staff.say("ตบช. 2.1"))
    text = "@บอทมาตรฐาน ตัวบ่งชี้ 2.1 ค่ะ"
    before = len(line.requests)
    webhook.post(ev.text_event(text, user_id=STAFF, group_id=GID,
                               mentionees=[ev.mentionee_for(text, "@บอทมาตรฐาน", is_self=True)]))
    assert "2.1" in texts(replies_after(line, before))
    assert "สำหรับผู้ดูแลระบบเท่านั้น" in texts(staff.say("ตั้งค่ากลุ่ม"))  # a bare command word
    assert "ห้องบุคลากรทั้งหมด" in texts(Chat(webhook, line, user_id=ADMIN, group_id=GID).say("ตั้งค่ากลุ่มค่ะ"))


# -- a quiet acknowledgement ---------------------------------------------------------------------------

def ack_broadcast(app, chat_id: str = GID, days_ago: float = 0) -> int:
    """A sent announcement asking for acknowledgements, pushed to `chat_id`; its id."""
    when = datetime.now(timezone.utc) - timedelta(days=days_ago)
    with get_storage(app).Session.begin() as session:
        bc = Broadcast(author_id=ADMIN, audience={"kind": "chat_groups"}, text="ส่งแผนปฏิบัติการภายในวันศุกร์",
                       ack_required=True, status="sent", scheduled_at=when, sent_at=when)
        session.add(bc)
        session.flush()
        session.add(OutboxMessage(kind="push", recipients=[chat_id], messages=[{"type": "text", "text": "x"}],
                                  retry_key=str(uuid.uuid4()), status="sent", origin=f"broadcast:{bc.id}",
                                  created_at=when))
        return bc.id


def acked(app, broadcast_id: int) -> dict[str, BroadcastRecipient]:
    with get_storage(app).Session() as session:
        return {r.user_id: r for r in session.scalars(select(BroadcastRecipient).where(
            BroadcastRecipient.broadcast_id == broadcast_id, BroadcastRecipient.acked_at.is_not(None)))}


def test_ack_typed_in_the_group_under_an_announcement_is_recorded_quietly(app, webhook, line, group):
    bc_id = ack_broadcast(app)
    staff = Chat(webhook, line, user_id=STAFF, group_id=GID)
    assert staff.say("รับทราบค่ะ") == []
    first = acked(app, bc_id)[STAFF]
    assert first.chat_id == GID and first.work_group == "policy"
    assert staff.say("รับทราบแล้วครับ") == []  # a repeat in the group: still quiet, the first time counts
    assert acked(app, bc_id)[STAFF].acked_at == first.acked_at
    # LINE did not say who wrote it (a desktop client): nothing to record, and still quiet
    before = len(line.requests)
    webhook.post(ev.text_event("รับทราบ", user_id=None, group_id=GID))
    assert replies_after(line, before) == [] and set(acked(app, bc_id)) == {STAFF}
    # in a 1:1 chat a repeat says when it was recorded, in Thai with the Buddhist-Era year
    said = texts(Chat(webhook, line, user_id=STAFF).say("รับทราบ"))
    assert f"ประกาศ #{bc_id} ไปแล้วเมื่อ" in said and str(first.acked_at.year + 543) in said


def test_ack_in_a_group_with_nothing_to_acknowledge_is_silence(app, webhook, line, group):
    posted_elsewhere = ack_broadcast(app, QUIET_GID)
    too_old = ack_broadcast(app, GID, days_ago=30)
    staff = Chat(webhook, line, user_id=STAFF, group_id=GID)
    assert staff.say("รับทราบค่ะ") == []
    assert acked(app, posted_elsewhere) == {} and acked(app, too_old) == {}
    # other talk that starts like it is not an acknowledgement
    ack_broadcast(app, GID)
    assert staff.say("รับทราบเรื่องประชุมไหมคะ") == []
    assert texts(Chat(webhook, line, user_id=ADMIN).say("รับทราบ")) == acks.NOTHING_WAITING


def test_ack_addressed_to_the_bot_in_the_group_is_answered(app, webhook, line, group):
    bc_id = ack_broadcast(app)
    with get_storage(app).Session.begin() as session:
        session.add(BroadcastRecipient(broadcast_id=bc_id, user_id=STAFF, work_group="policy", chat_id=GID))
    assert "บันทึกการรับทราบ" in texts(Chat(webhook, line, user_id=STAFF, group_id=GID).say("บอท รับทราบค่ะ"))
    assert STAFF in acked(app, bc_id)


# -- binding by typing ---------------------------------------------------------------------------------

def audits(app) -> list[AuditLog]:
    with get_storage(app).Session() as session:
        return list(session.scalars(select(AuditLog).where(AuditLog.action.like("group.%")).order_by(AuditLog.id)))


def test_admin_binds_by_typing_in_the_group_and_other_talk_leaves_the_flow_alone(app, webhook, line, group):
    admin = Chat(webhook, line, user_id=ADMIN, group_id=GID)
    cards = admin.say("บอท ตั้งค่ากลุ่ม")
    assert "นโยบายและแผน" in texts(cards) and cards[0]["type"] == "flex"
    assert admin.say("ประชุม 9.30 น. นะคะ") == []  # group talk, not a choice: quiet, the flow waits
    asked = texts(admin.say("บอท อะไรก็ได้"))  # addressed but not a choice: asked again, saying what it wants
    assert "ไม่แน่ใจว่าเลือกอะไร" in asked and "ห้องบุคลากรทั้งหมด" in asked
    assert "ผูกกับ กลุ่มนโยบายและแผน" in texts(admin.say("นโยบายและแผนค่ะ"))
    assert (row(app).binding, row(app).work_group) == ("work_group", "policy")
    assert admin.say("นโยบายและแผนค่ะ") == []  # the flow has ended: now it is talk again
    admin.say("บอท ตั้งค่ากลุ่ม")
    assert "ตั้งเป็น ห้องบุคลากรทั้งหมด" in texts(admin.say("บอท ห้องบุคลากรทั้งหมดครับ"))
    assert [(a.action, a.detail["from_chat"]) for a in audits(app)] == [("group.bind", "group"),
                                                                         ("group.bind", "group")]


def test_admin_binds_from_the_private_list_by_typing(app, webhook, line, group):
    private = Chat(webhook, line, user_id=ADMIN)
    listing = private.say("ตั้งค่ากลุ่ม")
    assert GROUP_NAME in texts(listing) and "สมาชิก 12 คน" in texts(listing)
    data = next(n["action"]["data"] for m in listing for n in _nodes(m) if n.get("type") == "button"
                and GID in n["action"].get("data", ""))
    private.press(data)
    assert "ผูกกับ กลุ่มบริหารงานการเงินและสินทรัพย์" in texts(private.say("การเงินครับ"))
    assert row(app).work_group == "finance"
    assert NOTHING_TO_CANCEL in texts(private.say("ยกเลิก"))  # the choice ended the flow


def _nodes(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _nodes(v)
    elif isinstance(node, list):
        for v in node:
            yield from _nodes(v)


# -- flask groups --------------------------------------------------------------------------------------

def test_flask_groups_list_and_bind_are_audited(app, group):
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["groups", "list"])
    assert listed.exit_code == 0 and GID in listed.output and "none" in listed.output and GROUP_NAME in listed.output
    done = runner.invoke(args=["groups", "bind", GID, "policy"])
    assert done.exit_code == 0 and "bound as policy" in done.output
    assert "unchanged" in runner.invoke(args=["groups", "bind", GID, "policy"]).output
    assert runner.invoke(args=["groups", "bind", GID, "admins"]).exit_code == 0
    assert row(app).binding == "admins"
    bad = runner.invoke(args=["groups", "bind", GID, "nope"])
    assert bad.exit_code != 0 and "unknown choice" in bad.output
    gone = runner.invoke(args=["groups", "bind", "C" + "0" * 32, "all"])
    assert gone.exit_code != 0 and "not in group chat" in gone.output
    entries = audits(app)
    assert [a.action for a in entries] == ["group.bind", "group.bind"]
    assert entries[0].actor_id.startswith("cli") and entries[0].detail["from_chat"] == "cli"
    assert runner.invoke(args=["groups", "bind", GID, "none"]).exit_code == 0 and row(app).binding is None


# -- LINE facts: never asked inside a transaction ------------------------------------------------------

@pytest.fixture
def open_transactions(app, line, monkeypatch):
    """Counts database transactions open on the app's engine, and records, for every request the fake
    LINE API receives, how many were open at that moment."""
    engine = get_storage(app).engine
    lock, state, seen = threading.Lock(), {"open": 0}, []

    def began(conn):
        with lock:
            state["open"] += 1

    def ended(conn):
        with lock:
            state["open"] -= 1

    for name, fn in (("begin", began), ("commit", ended), ("rollback", ended)):
        event.listen(engine, name, fn)
    handle = line._handle

    def watched(request, raw, rid, *routes):
        with lock:
            seen.append((request.path, state["open"]))
        return handle(request, raw, rid, *routes)

    monkeypatch.setattr(line, "_handle", watched)
    yield seen
    for name, fn in (("begin", began), ("commit", ended), ("rollback", ended)):
        event.remove(engine, name, fn)


def test_line_is_never_called_inside_a_transaction_and_facts_appear_after_the_refresh(
        app, webhook, line, open_transactions):
    line.groups[GID] = {"groupName": GROUP_NAME, "count": 12}
    try:
        webhook.post(ev.join_event(GID))
        r = row(app)
        assert (r.name, r.member_count) == (GROUP_NAME, 12) and r.facts_at is not None  # read after the commit
        line.groups[GID]["count"] = 15
        webhook.post(ev.member_joined_event(GID, [STAFF]))
        assert row(app).member_count == 15
        staff = Chat(webhook, line, user_id=STAFF, group_id=GID)
        assert "สมาชิก 15 คน" in texts(staff.say("บอท กลุ่มนี้"))

        # the job: quota and usage, and counts older than a day
        line.quota, line.groups[GID]["count"] = 5000, 20
        with get_storage(app).Session.begin() as session:
            session.get(ChatGroup, GID).facts_at = datetime.now(timezone.utc) - timedelta(days=2)
        assert "1/1 group chats" in jobs.run(app.extensions["bot"], "refresh-line-facts")
        assert row(app).member_count == 20
        with get_storage(app).Session() as session:
            facts = {f.key: f.value for f in session.scalars(select(LineFact))}
        assert facts["quota"] == {"limit": 5000} and facts["usage"] == {"total": line.usage}
        assert "0/0 group chats" in jobs.run(app.extensions["bot"], "refresh-line-facts")  # all fresh now
    finally:
        line.groups.pop(GID, None)
    asked = [path for path, _ in open_transactions]
    assert any("/summary" in p for p in asked) and any("/members/count" in p for p in asked)
    assert any(p.endswith("/quota") for p in asked)
    inside = [(path, n) for path, n in open_transactions if n]
    assert inside == [], f"LINE was called with a transaction open: {inside}"
