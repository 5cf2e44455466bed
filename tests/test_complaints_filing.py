"""Filing complaints through the webhook, and a complainant following them up: the whole flow with the privacy
notice, group-chat refusal, cancel and expiry, attachments, anonymity in the officers' notice, edit only when
chosen, the case number; "ติดตามเรื่อง", typed numbers (only one's own), adding information, reopening once.
Bad input: empty details, 10,000 characters, 20 photos, a sticker, two filings at once, stray words."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.render import MAX_TEXT
from handlers import CANCELLED, STICKER_IN_FLOW, help
from handlers.complaints import filing, follow
from scheduler import jobs
from storage import complaints, groups as chat_groups
from storage.models import Complaint, ComplaintEvent, ConversationState
from tests import line_events as ev
from tests.conftest import ADMIN, SECRET, Chat, quick_replies, texts
from tests.members_support import actions, add_member, db, load_schools, press, pushed_to, uid

FILER = uid(0xC1)
OTHER = uid(0xC2)
OFFICER = uid(0xC3)
STAFF = uid(0xC4)
OFFICE_CHAT = "C" + "c5" * 16


@pytest.fixture
def office(app, line, tmp_path):
    add_member(app, FILER, "สมหญิง ผู้ปกครอง")
    add_member(app, OTHER, "คนอื่น ทั่วไป")
    add_member(app, OFFICER, "เจ้าหน้าที่ รับเรื่อง", "staff", "admin", officer=True)
    add_member(app, STAFF, "บุคลากร ธรรมดา", "staff", "policy")
    load_schools(app)
    runtime = app.extensions["bot"]
    old = runtime.evidence_dir
    runtime.evidence_dir = tmp_path / "evidence"
    yield runtime
    runtime.evidence_dir = old


def as_(webhook, line, user_id: str, group_id: str | None = None) -> Chat:
    return Chat(webhook, line, user_id=user_id, group_id=group_id)


def year() -> int:
    return complaints.year_be(datetime.now(timezone.utc))


def cases(app) -> list[Complaint]:
    with db(app) as s:
        rows = s.scalars(select(Complaint).order_by(Complaint.id)).all()
        s.expunge_all()
    return list(rows)


def draft(app, user_id: str = FILER) -> ConversationState | None:
    with db(app) as s:
        row = s.get(ConversationState, (user_id, user_id))
        if row is not None:
            s.expunge(row)
        return row


def send_photos(chat: Chat, ids: list[str], kind: str = "image") -> list[dict]:
    """One webhook carrying a photo per id (an album arrives as several events in one request)."""
    before = len(chat.line.requests)
    events = [ev.media_event(kind, user_id=chat.user_id, message_id=i, file_name=f"{i}.pdf") for i in ids]
    assert chat.webhook.post(*events).status_code == 200
    return chat._sent_since(before)


def to_details(chat: Chat, first_time: bool = True, kind: str = "ร้องเรียน", school: str = "ไม่ระบุโรงเรียน") -> None:
    """From nothing to the details step: (privacy,) kind, topic, school."""
    shown = texts(chat.say("แจ้งเรื่อง"))
    if first_time:
        assert "พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล" in shown
        chat.say("ตกลงค่ะ")
    chat.say(kind)
    chat.say("อาคารสถานที่")
    assert "เล่ารายละเอียด" in texts(chat.say(school))


def file_one(chat: Chat, details: str = "ห้องน้ำชั้น 2 ของอาคาร 3 ชำรุดมาสองเดือนแล้วค่ะ", anonymous: bool = False,
             first_time: bool = True) -> str:
    """File a case from scratch; its number."""
    to_details(chat, first_time)
    chat.say(details)
    chat.say("ถัดไป")
    summary = chat.say("ไม่ระบุชื่อ" if anonymous else "ระบุชื่อ")
    done = texts(press(chat, summary, "✅ ยืนยันส่งเรื่อง"))
    assert "ส่งเรื่องแล้ว" in done
    return done.split("เลขที่เรื่อง: ")[1].split("\n")[0]


def test_the_whole_flow_anonymous_with_a_school_two_messages_and_a_photo(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    first = texts(me.say("แจ้งเรื่อง"))
    assert "พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล" in first and "2 ปีหลังปิดเรื่อง" in first and "ไม่ระบุชื่อ" in first
    assert "ต้องการแจ้งเรื่องแบบไหน" in texts(me.say("ตกลงค่ะ"))
    assert "เกี่ยวกับด้านไหน" in texts(me.say("ร้องเรียนค่ะ"))
    assert "โรงเรียนใดไหม" in texts(me.say("อาคาร"))
    found = me.say("ควนขนน")                                   # a typo still finds it
    assert "บ้านควนขนุน" in texts(found)
    assert "เล่ารายละเอียด" in texts(me.say("1"))
    one, two = "หลังคาโรงอาหารรั่ว", "ฝนตกทีไรน้ำหยดใส่โต๊ะนักเรียน"
    assert f"ข้อความ {len(one)} ตัวอักษร" in texts(me.say(one))
    got = texts(me.say(two))                                   # a second message is added, not lost
    assert f"ข้อความ {len(one) + 1 + len(two)} ตัวอักษร" in got
    line.message_contents["p1"] = ("image/jpeg", b"\xff\xd8\xff" + b"j" * 200)
    assert "แนบ รูปภาพ-p1.jpg แล้วค่ะ" in texts(send_photos(me, ["p1"]))
    assert "ระบุชื่อ หรือไม่ระบุชื่อ" in texts(me.say("ถัดไป"))
    summary = me.say("ไม่ระบุชื่อค่ะ")
    shown = texts(summary)
    assert "ผู้แจ้ง: ไม่ระบุชื่อ" in shown and "โรงเรียนบ้านควนขนุน" in shown
    assert "หลังคาโรงอาหารรั่ว\nฝนตกทีไรน้ำหยดใส่โต๊ะนักเรียน" in shown and "📎 รูปภาพ-p1.jpg" in shown
    done = texts(press(me, summary, "✅ ยืนยันส่งเรื่อง"))
    number = f"ร-{year()}-0001"
    assert f"เลขที่เรื่อง: {number}" in done and f"ร เรือ ปี {year()} ลำดับที่ 1" in done
    assert "รับเรื่องภายใน" in done and draft(app) is None
    (case,) = cases(app)
    assert (case.kind, case.topic, case.school_code, case.anonymous) == ("complaint", "buildings", "93020001", True)
    assert case.details == "หลังคาโรงอาหารรั่ว\nฝนตกทีไรน้ำหยดใส่โต๊ะนักเรียน" and len(case.files) == 1
    assert (office.evidence_dir / case.files[0]["path"]).read_bytes().startswith(b"\xff\xd8")
    assert case.ack_due is not None and case.resolve_due > case.ack_due
    with db(app) as s:
        assert complaints.is_filer(s, s.get(Complaint, case.id), FILER)
    # the officer and the configured admin were told, and nobody learns who filed it
    for who in (OFFICER, ADMIN):
        notice = texts(pushed_to(line, who))
        assert number in notice and "ไม่ประสงค์ออกนาม" in notice and "หลังคาโรงอาหารรั่ว" in notice
    assert {p["to"] for p in line.pushes()} == {OFFICER, ADMIN}   # plain staff are not told
    everything = json.dumps(line.pushes(), ensure_ascii=False)
    assert FILER not in everything and "สมหญิง" not in everything


def test_a_second_filing_has_no_privacy_notice_and_the_next_number(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    assert file_one(me) == f"ร-{year()}-0001"
    assert "พ.ร.บ." not in texts(me.say("แจ้งเรื่อง"))
    me.say("ยกเลิก")
    assert file_one(me, "ครูสอนดีมาก", first_time=False) == f"ร-{year()}-0002"
    (a, b) = cases(app)
    assert not a.anonymous and a.number != b.number
    # a named case: the notice still carries no identity (the desk shows it, audited)
    assert "สมหญิง" not in json.dumps(line.pushes(), ensure_ascii=False)
    assert "ระบุชื่อ (ดูได้ในรายละเอียดเรื่อง)" in texts(pushed_to(line, OFFICER))


def test_the_command_word_names_the_kind_and_what_follows_starts_the_details(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    me.say("เสนอแนะ อยากให้มีป้ายบอกทางในสำนักงานค่ะ")
    assert "เกี่ยวกับด้านไหน" in texts(me.say("ตกลง"))          # the kind is known: straight to the topic
    assert "โรงเรียนใดไหม" in texts(me.say("บริการ"))
    assert f"ข้อความ {len('อยากให้มีป้ายบอกทางในสำนักงาน')} ตัวอักษร" in texts(me.say("ไม่ระบุโรงเรียน"))
    assert draft(app).data["kind"] == "suggestion"


@pytest.mark.parametrize("typed, kind", [("อยากร้องเรียนครับ", "complaint"), ("ขอเสนอแนะค่ะ", "suggestion"),
                                         ("ต้องการแจ้งเรื่อง", "")])
def test_the_command_led_by_a_word_of_wanting_starts_the_filing(app, webhook, line, office, typed, kind):
    me = as_(webhook, line, FILER)
    assert "พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล" in texts(me.say(typed))
    assert draft(app).step == "privacy" and draft(app).data["kind"] == kind


def test_a_stray_word_at_the_privacy_notice_gets_a_short_line_not_the_notice_again(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    me.say("แจ้งเรื่อง")
    again = me.say("การเงิน")
    assert "พ.ร.บ." not in texts(again) and filing.PRIVACY_AGAIN in texts(again)
    assert "ตกลง เริ่มแจ้งเรื่อง" in [a["label"] for a in quick_replies(again)]  # whole: ≤ 20 characters
    assert draft(app).step == "privacy"
    assert "แจ้งเรื่องแบบไหน" in texts(me.say("ตกลงค่ะ")) and draft(app).step == "kind"


def test_a_command_word_mid_draft_answers_and_says_the_draft_still_waits(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    _reach(me, "summary")
    answer = texts(me.say("ติดตามเรื่อง"))
    assert "ยังไม่มีเรื่องที่ท่านแจ้งไว้" in answer and help.MID_FLOW in answer
    assert draft(app).step == "summary"
    assert f"ร-{year()}-0001" in texts(me.say("ยืนยัน"))


def test_in_a_group_it_asks_for_a_private_chat_and_repeats_nothing(app, webhook, line, office):
    group = as_(webhook, line, FILER, group_id=OFFICE_CHAT)
    reply = texts(group.say("บอท ร้องเรียน ครูสมชายตีนักเรียนที่ห้อง 3"))
    assert reply == filing.GROUP_REFUSAL and "สมชาย" not in reply
    assert texts(group.say("ร้องเรียน")) == filing.GROUP_REFUSAL
    assert group.say("ร้องเรียนเรื่องครูสมชายอีกแล้ว") == []        # not a command word: group talk
    assert group.say(f"ร-{year()}-0001") == []
    assert "แชต 1:1" in texts(group.say(f"บอท ร-{year()}-0001"))
    with db(app) as s:
        assert not s.scalars(select(ConversationState)).all()
    assert cases(app) == []


STEPS = ["privacy", "kind", "topic", "school", "schools", "details", "anonymous", "summary", "edit"]


def _reach(chat: Chat, step: str) -> None:
    path = [("แจ้งเรื่อง", "privacy"), ("ตกลง", "kind"), ("ร้องเรียน", "topic"), ("บุคลากร", "school"),
            ("ควนขนุน", "schools"), ("1", "details"), ("ครูมาสายทุกวัน", None), ("ถัดไป", "anonymous"),
            ("ระบุชื่อ", "summary"), ("แก้ไข", "edit")]
    for text, reached in path:
        chat.say(text)
        if reached == step:
            return


@pytest.mark.parametrize("step", STEPS)
def test_cancel_at_every_step(app, webhook, line, office, step):
    me = as_(webhook, line, FILER)
    _reach(me, step)
    assert draft(app).step == step
    assert texts(me.say("ยกเลิกค่ะ")) == CANCELLED
    assert draft(app) is None and cases(app) == []


@pytest.mark.parametrize("step", ["privacy", "kind", "topic", "anonymous", "summary", "edit"])
def test_stray_words_at_a_choice_step_ask_again_and_change_nothing(app, webhook, line, office, step):
    me = as_(webhook, line, FILER)
    _reach(me, step)
    before = draft(app)
    again = texts(me.say("วันนี้อากาศร้อนจังเลย"))
    assert "ไม่แน่ใจว่าเลือกอะไร" in again
    after = draft(app)
    assert (after.step, after.data) == (before.step, before.data) and cases(app) == []


def test_stray_words_at_the_school_step_are_a_search_that_keeps_nothing(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    _reach(me, "school")
    assert "ไม่พบ" in texts(me.say("วันนี้อากาศร้อนจังเลย"))
    row = draft(app)
    assert row.step == "school" and not row.data["school_code"] and not row.data["details"]


def test_empty_details_are_refused(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    _reach(me, "details")
    assert filing.NO_DETAILS in texts(me.say("ถัดไป"))
    assert filing.NO_DETAILS in texts(me.say("ค่ะ"))
    assert filing.NO_DETAILS in texts(me.say("   ครับ  "))
    row = draft(app)
    assert row.step == "details" and row.data["details"] == ""


def test_a_10000_character_complaint_is_kept_whole_and_shown_in_parts(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    _reach(me, "details")
    a = ("ก" * 99 + "\n") * 49 + "ก" * 100          # 5,000 characters: LINE's limit for one message
    b = "ข" * 4_999 + "จ"
    me.say(a)
    assert "ข้อความ 10,001 ตัวอักษร" in texts(me.say(b))
    me.say("ถัดไป")
    summary = me.say("ระบุชื่อ")
    assert all(len(m["text"]) <= MAX_TEXT for m in summary) and 3 <= len(summary) <= 5
    assert "ส่วนที่ 1/3" in summary[0]["text"] and "ส่วนที่ 3/3" in summary[-1]["text"]
    shown = "".join(m["text"].split(":\n", 1)[1].split("\n\nตรวจสอบ")[0] for m in summary)
    # every character, in order (a line break where a part ends is the part's end)
    assert shown.replace("\n", "") == (a + "\n" + b).replace("\n", "")
    assert quick_replies(summary)                          # the buttons survive on the last part
    press(me, summary, "✅ ยืนยันส่งเรื่อง")
    (case,) = cases(app)
    assert case.details == a + "\n" + b
    notice = texts(pushed_to(line, OFFICER))
    assert "(ทั้งหมด 10,001 ตัวอักษร)" in notice and len(notice) < 2_000


def test_details_past_the_cap_are_refused_and_what_came_before_is_kept(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    _reach(me, "details")
    for _ in range(2):
        me.say("ค" * 5_000)
    assert "ไม่เกิน 12,000 ตัวอักษร" in texts(me.say("ง" * 5_000))
    assert len(draft(app).data["details"]) == 10_001


def test_twenty_photos_keep_ten_and_say_so(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    _reach(me, "details")
    me.say("รูปความเสียหายของอาคารค่ะ")
    ids = [f"ph{i:02d}" for i in range(20)]
    for i in ids:
        line.message_contents[i] = ("image/jpeg", b"\xff\xd8\xff" + i.encode() * 50)
    sent = send_photos(me, ids)
    shown = texts(sent)
    assert shown.count("แล้วค่ะ") >= 10 and shown.count("แนบครบ 10 ไฟล์แล้ว") == 10
    assert len(line.calls("message_content")) == 10   # the rest were never fetched
    assert len(draft(app).data["files"]) == 10
    me.say("ถัดไป")
    press(me, me.say("ระบุชื่อ"), "✅ ยืนยันส่งเรื่อง")
    (case,) = cases(app)
    assert len(case.files) == 10 and len(list(office.evidence_dir.rglob("*.jpg"))) == 10


def test_a_refused_file_is_not_attached(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    _reach(me, "details")
    line.message_contents["exe"] = ("application/x-msdownload", b"MZ")
    assert "แนบไม่ได้" in texts(send_photos(me, ["exe"], kind="file"))
    assert "ดึงไฟล์จาก LINE ไม่สำเร็จ" in texts(send_photos(me, ["gone"]))
    assert draft(app).data["files"] == []


def test_a_sticker_mid_flow_keeps_the_draft(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    _reach(me, "topic")
    before = len(line.requests)
    assert webhook.post(ev.sticker_event(user_id=FILER)).status_code == 200
    assert texts(me._sent_since(before)) == STICKER_IN_FLOW
    assert draft(app).step == "topic"
    assert "โรงเรียนใดไหม" in texts(me.say("บุคลากร"))


def test_an_idle_draft_expires_with_one_notice(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    _reach(me, "details")
    me.say("เรื่องที่จะแจ้งค่ะ")
    runtime, now = office, datetime.now(timezone.utc)
    assert jobs.expire_complaint_drafts(runtime, now + timedelta(minutes=29)) == "expired 0 complaint drafts"
    assert jobs.expire_complaint_drafts(runtime, now + timedelta(minutes=31)) == "expired 1 complaint drafts"
    jobs.deliver_outbox(runtime, now + timedelta(minutes=31))
    assert texts(pushed_to(line, FILER)) == filing.EXPIRED_NOTICE
    assert draft(app) is None
    assert jobs.expire_complaint_drafts(runtime, now + timedelta(minutes=40)) == "expired 0 complaint drafts"
    jobs.deliver_outbox(runtime, now + timedelta(minutes=40))
    assert len(pushed_to(line, FILER)) == 1 and cases(app) == []


def test_starting_again_mid_draft_offers_to_resume(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    _reach(me, "details")
    me.say("ครูมาสายทุกวันค่ะ")
    assert filing.RESUME in texts(me.say("แจ้งเรื่อง"))
    assert f"ข้อความ {len('ครูมาสายทุกวันค่ะ')} ตัวอักษร" in texts(me.say("ทำต่อ"))       # the draft is as it was
    assert filing.RESUME in texts(me.say("ร้องเรียน"))
    assert "พ.ร.บ." in texts(me.say("เริ่มใหม่"))                  # nothing filed yet: the notice again
    assert draft(app).data["details"] == ""


def test_edit_only_what_they_choose_and_back_to_the_summary(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    _reach(me, "summary")
    assert "ต้องการแก้ไขส่วนไหน" in texts(me.say("แก้ไข"))
    assert "ต้องการแจ้งเรื่องแบบไหน" in texts(me.say("ประเภท"))
    summary = texts(me.say("ข้อเสนอแนะ"))
    assert "ประเภท: ข้อเสนอแนะ" in summary and "ครูมาสายทุกวัน" in summary   # the details untouched
    me.say("แก้ไข")
    me.say("เพิ่มรายละเอียด")
    me.say("และไม่แจ้งผู้ปกครอง")
    summary = texts(me.say("ถัดไป"))                                           # straight back to the summary
    assert "ครูมาสายทุกวัน\nและไม่แจ้งผู้ปกครอง" in summary
    me.say("แก้ไข")
    assert "ล้างรายละเอียดเดิมแล้ว" in texts(me.say("พิมพ์รายละเอียดใหม่"))
    me.say("ครูมาสายสัปดาห์ละสามวัน")
    done = me.say("ถัดไป")
    assert "ครูมาสายสัปดาห์ละสามวัน" in texts(done) and "ครูมาสายทุกวัน" not in texts(done)
    press(me, done, "✅ ยืนยันส่งเรื่อง")
    (case,) = cases(app)
    assert (case.kind, case.details, case.number) == ("suggestion", "ครูมาสายสัปดาห์ละสามวัน", f"ส-{year()}-0001")


def test_a_double_press_on_confirm_files_once(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    _reach(me, "summary")
    summary = me.say("ระบุชื่อ")
    press(me, summary, "✅ ยืนยันส่งเรื่อง")
    again = texts(press(me, summary, "✅ ยืนยันส่งเรื่อง"))
    assert "หมดเวลาแล้ว" in again and len(cases(app)) == 1


def test_two_confirms_at_once_file_one_case(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    _reach(me, "summary")
    data = [a for a in quick_replies(me.say("ระบุชื่อ")) if a["label"].startswith("✅")][0]["data"]
    results = []

    def post():
        body = ev.body(ev.postback_event(data, user_id=FILER))
        results.append(app.test_client().post("/callback", data=body, headers={
            "X-Line-Signature": ev.sign(body, SECRET), "Content-Type": "application/json"}).status_code)
    threads = [threading.Thread(target=post) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert results == [200, 200] and len(cases(app)) == 1
    with db(app) as s:
        assert len(s.scalars(select(ComplaintEvent)).all()) == 1


def test_follow_up_lists_their_cases_and_a_number_only_opens_their_own(app, webhook, line, office):
    me, other = as_(webhook, line, FILER), as_(webhook, line, OTHER)
    number = file_one(me, anonymous=True)
    listed = me.say("ติดตามเรื่องค่ะ")
    assert number in texts(listed) and "ใหม่" in texts(listed)
    card = texts(press(me, listed, number))
    assert "ห้องน้ำชั้น 2" in card and "ผู้แจ้ง: ไม่ระบุชื่อ" in card and "เพิ่มข้อมูล" in card
    seq = int(number.split("-")[2])
    thai = str(year()).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    assert "ห้องน้ำชั้น 2" in texts(me.say(f"ร {thai} {seq}"))       # spaces, Thai digits, no zeros
    # someone else's number and a number that does not exist answer alike, and reveal nothing
    theirs = texts(other.say(number))
    missing = texts(other.say(f"ร-{year()}-0999"))
    assert theirs == follow.NOT_FOUND.format(number=number) and "ห้องน้ำ" not in theirs
    assert missing == follow.NOT_FOUND.format(number=f"ร-{year()}-0999")
    assert follow.NOT_FOUND.format(number=number) in texts(other.press(json.dumps({"a": "cfshow", "n": number})))
    assert follow.NOT_FOUND.format(number=number) in texts(other.press(json.dumps({"a": "cfadd", "n": number})))
    assert texts(other.say("ติดตามเรื่อง")) == follow.NONE_YET


def test_adding_information_to_an_open_case(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    number = file_one(me)
    card = me.say(number)
    assert "ข้อมูลเพิ่มเติมสำหรับเรื่อง" in texts(press(me, card, "เพิ่มข้อมูล"))
    assert follow.NOTHING_TO_SEND in texts(me.say("ส่งข้อมูล"))
    me.say("ตอนนี้ฝ้าเพดานหล่นลงมาแล้วค่ะ")
    line.message_contents["more1"] = ("application/pdf", b"%PDF-1.4 more")
    send_photos(me, ["more1"], kind="file")
    done = texts(me.say("ส่งข้อมูล"))
    assert "ส่งข้อมูลเพิ่มเติมในเรื่อง" in done
    with db(app) as s:
        ev_ = s.scalars(select(ComplaintEvent).where(ComplaintEvent.action == "info_added")).one()
        assert ev_.public and ev_.text == "ตอนนี้ฝ้าเพดานหล่นลงมาแล้วค่ะ" and ev_.files[0]["name"] == "more1.pdf"
    notice = texts(pushed_to(line, OFFICER))
    assert f"ผู้แจ้งเพิ่มข้อมูลในเรื่อง {number}" in notice and "ฝ้าเพดาน" in notice
    assert "ท่านเพิ่มข้อมูล" in texts(me.say(number))


def _close(app, number: str, ago: timedelta = timedelta(0)) -> None:
    with db(app) as s:
        case = complaints.by_number(s, number)
        when = datetime.now(timezone.utc) - ago
        complaints.move(s, case, "resolved", OFFICER, when, text="ซ่อมเรียบร้อยแล้ว", public=True)


def test_a_closed_case_can_be_reopened_once_within_seven_days(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    number = file_one(me)
    _close(app, number)
    card = me.say(number)
    assert "ดำเนินการเสร็จสิ้น" in texts(card) and "ซ่อมเรียบร้อยแล้ว" in texts(card)
    assert "เพิ่มข้อมูล" not in texts(card)
    assert "เหตุผล" in texts(press(me, card, "ขอเปิดเรื่องอีกครั้ง"))
    assert follow.NEED_REASON in texts(me.say("ส่งคำขอ"))
    me.say("ยังรั่วเหมือนเดิมค่ะ")
    assert "เปิดเรื่อง" in texts(me.say("ส่งคำขอ"))
    (case,) = cases(app)
    assert case.state == "in_progress" and case.reopened == 1
    assert f"ผู้แจ้งขอเปิดเรื่องอีกครั้ง {number}" in texts(pushed_to(line, OFFICER))
    _close(app, number)
    card = me.say(number)
    assert "ขอเปิดเรื่องอีกครั้ง" not in [a["label"] for a in actions(card)]
    refused = texts(me.press(json.dumps({"a": "cfre", "n": number})))
    assert "เปิดอีกครั้งไม่ได้แล้ว" in refused and cases(app)[0].state == "resolved"


def test_a_case_closed_eight_days_ago_cannot_be_reopened(app, webhook, line, office):
    me = as_(webhook, line, FILER)
    number = file_one(me)
    _close(app, number, ago=timedelta(days=8))
    assert "ขอเปิดเรื่องอีกครั้ง" not in [a["label"] for a in actions(me.say(number))]
    assert "เปิดอีกครั้งไม่ได้แล้ว" in texts(me.press(json.dumps({"a": "cfre", "n": number})))


def test_the_notice_goes_once_to_the_bound_complaints_group(app, webhook, line, office):
    with db(app) as s:
        row = chat_groups.record_join(s, OFFICE_CHAT, "group", datetime.now(timezone.utc), name="รับเรื่องร้องเรียน")
        chat_groups.bind(s, row, chat_groups.COMPLAINTS)
    me = as_(webhook, line, FILER)
    number = file_one(me, anonymous=True)
    assert [p["to"] for p in line.pushes()] == [OFFICE_CHAT]
    assert number in texts(pushed_to(line, OFFICE_CHAT))


def test_an_admin_binds_a_group_as_the_complaints_room(app, webhook, line, office):
    with db(app) as s:
        chat_groups.record_join(s, OFFICE_CHAT, "group", datetime.now(timezone.utc), name="ห้องร้องเรียน")
    admin = as_(webhook, line, ADMIN, group_id=OFFICE_CHAT)
    assert "ห้องเรื่องร้องเรียน" in texts(admin.say("บอท ตั้งค่ากลุ่ม"))
    assert "ตั้งค่าแล้ว" in texts(admin.say("บอท ห้องรับเรื่องร้องเรียน"))
    with db(app) as s:
        assert chat_groups.get(s, OFFICE_CHAT).binding == chat_groups.COMPLAINTS


@pytest.mark.parametrize("typed, anonymous", [("ไม่ระบุตัวตนค่ะ", True), ("ไม่ออกนาม", True),
                                              ("เปิดเผยตัวตนได้ครับ", False), ("ระบุชื่อ", False)])
def test_the_ways_people_say_anonymous_or_named(app, webhook, line, office, typed, anonymous):
    me = Chat(webhook, line, user_id=uid(0xA7))
    to_details(me, True)
    me.say("ไฟทางเข้าโรงเรียนดับมาหนึ่งสัปดาห์")
    me.say("เสร็จแล้ว")
    shown = texts(me.say(typed))
    assert ("ผู้แจ้ง: ไม่ระบุชื่อ" if anonymous else "ผู้แจ้ง: ระบุชื่อ") in shown


def test_a_confirm_word_at_the_details_step_moves_on_and_is_not_added(app, webhook, line, office):
    me = Chat(webhook, line, user_id=uid(0xA8))
    to_details(me, True)
    me.say("ไฟทางเข้าโรงเรียนดับมาหนึ่งสัปดาห์")
    assert "ระบุชื่อ หรือไม่ระบุชื่อ" in texts(me.say("ยืนยันค่ะ"))
    summary = texts(me.say("ระบุชื่อ"))
    assert "ไฟทางเข้าโรงเรียนดับมาหนึ่งสัปดาห์" in summary and "ยืนยัน" not in summary.split("รายละเอียด:")[1].split("ตรวจสอบ")[0]


def test_photos_of_a_cancelled_draft_are_deleted_by_the_files_job_and_a_filed_cases_are_kept(
        app, webhook, line, office):
    filer, quitter = as_(webhook, line, FILER), as_(webhook, line, OTHER)
    line.message_contents["keep1"] = ("image/jpeg", b"\xff\xd8\xff keep")
    line.message_contents["drop1"] = ("image/jpeg", b"\xff\xd8\xff drop")
    to_details(filer)
    filer.say("ประตูรั้วโรงเรียนพัง")
    send_photos(filer, ["keep1"])
    filer.say("ถัดไป")
    press(filer, filer.say("ระบุชื่อ"), "✅ ยืนยันส่งเรื่อง")
    to_details(quitter)
    quitter.say("ทดลองแจ้ง")
    send_photos(quitter, ["drop1"])
    assert "ยกเลิก" in texts(quitter.say("ยกเลิก"))
    stored = sorted(p.name for p in office.evidence_dir.rglob("*") if p.is_file())
    assert len(stored) == 2
    now = datetime.now(timezone.utc)
    assert jobs.run(office, "prune-files", now) == "removed 0 unreferenced files"   # within the grace
    assert jobs.run(office, "prune-files", now + timedelta(days=2)) == "removed 1 unreferenced files"
    (case,) = cases(app)
    left = [p for p in office.evidence_dir.rglob("*") if p.is_file()]
    assert [p.relative_to(office.evidence_dir).as_posix() for p in left] == [case.files[0]["path"]]
    assert left[0].read_bytes() == b"\xff\xd8\xff keep"
