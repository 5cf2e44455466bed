"""Evidence reporting through the webhook: the flow from the criterion card, the short form, files and
links, refusals and bad input, history, progress, backlog, calendar, concurrent reports."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from handlers.core.thaidate import BANGKOK
from handlers.evidence.progress import HAS_EVIDENCE, IN_PROGRESS, NEEDS_FIX, VERIFIED
from storage import evidence, rounds
from storage.models import ChatGroup, EvidenceEvent, EvidenceState, Member, Round
from tests import line_events as ev
from tests.conftest import ADMIN, Chat, bubbles, flex_nodes, texts
from tests.members_support import add_member, db, press, uid

ADMIN_STAFF = uid(0xE1)     # staff of กลุ่มอำนวยการ (admin): main group of 1.1.5
POLICY_STAFF = uid(0xE2)    # staff of กลุ่มนโยบายและแผน
FINANCE_STAFF = uid(0xE3)   # staff of the finance group
GUEST = uid(0xE4)
POLICY_CHAT = "C" + "e5" * 16


@pytest.fixture
def office(app, line, tmp_path):
    add_member(app, ADMIN_STAFF, "วิไล ตั้งใจ", "staff", "admin")
    add_member(app, POLICY_STAFF, "สมชาย ใจดี", "staff", "policy")
    add_member(app, FINANCE_STAFF, "ประยุทธ บัญชี", "staff", "finance")
    add_member(app, GUEST, "ผู้มาเยือน")
    runtime = app.extensions["bot"]
    old = runtime.evidence_dir
    runtime.evidence_dir = tmp_path / "evidence"
    yield runtime
    runtime.evidence_dir = old


def as_(webhook, line, user_id: str, group_id: str | None = None) -> Chat:
    return Chat(webhook, line, user_id=user_id, group_id=group_id)


def states(app) -> dict[str, tuple[str, int]]:
    with db(app) as s:
        return {r.item_key: (r.status, r.version) for r in s.scalars(select(EvidenceState))}


def events(app, key: str) -> list[tuple[str, str, str]]:
    with db(app) as s:
        return [(e.from_status, e.to_status, e.via) for e in
                s.scalars(select(EvidenceEvent).where(EvidenceEvent.item_key == key).order_by(EvidenceEvent.id))]


def send_file(chat: Chat, kind: str = "file", name: str = "คำสั่ง.pdf", message_id: str = "m1") -> list[dict]:
    before = len(chat.line.requests)
    event = ev.media_event(kind, user_id=chat.user_id, file_name=name, message_id=message_id)
    assert chat.webhook.post(event).status_code == 200
    return chat._sent_since(before)


def test_the_flow_from_the_criterion_card_with_a_note_a_link_and_a_file(app, webhook, line, office):
    staff = as_(webhook, line, ADMIN_STAFF)
    card = staff.say("เกณฑ์ 1.1.5")
    asked = press(staff, card, "รายงานสถานะ")
    assert "รายงานสถานะ เกณฑ์ 1.1.5" in texts(asked) and "สถานะตอนนี้: ยังไม่เริ่ม" in texts(asked)
    labels = [a["label"] for a in [i["action"] for i in asked[-1]["quickReply"]["items"]]]
    assert not any("ตรวจแล้ว" in lb or "ต้องแก้ไข" in lb for lb in labels)  # staff do not review
    extra = staff.say("มีหลักฐานแล้วค่ะ")                                         # typed Thai, particle and all
    assert "เพิ่มหมายเหตุ" in texts(extra)
    assert "ได้หมายเหตุและลิงก์แล้วค่ะ" in texts(staff.say("คำสั่งแต่งตั้งคณะกรรมการ https://drive.example.go.th/x"))
    line.message_contents["m1"] = ("application/pdf", b"%PDF-1.4 " + b"x" * 3000)
    assert "ได้รับไฟล์ คำสั่ง.pdf แล้วค่ะ" in texts(send_file(staff))
    confirm = staff.say("ถัดไป")
    assert "ตรวจสอบก่อนบันทึก" in texts(confirm) and "📎 คำสั่ง.pdf" in texts(confirm)
    done = press(staff, confirm, "✅ ยืนยัน")
    shown = texts(done)
    assert "✅ บันทึกแล้วค่ะ" in shown and "มีหลักฐานแล้ว" in shown and "https://drive.example.go.th/x" in shown
    assert "ความคืบหน้า ตบช. 1.1" in shown and "1/" in shown
    # indicator 1.1 has the 2557 rubric, which needs all six considerations; the source lists two
    assert "ยังไม่ถึงระดับ 1 (จาก 5)" in shown and "ไม่มีข้อ 1, 3, 5, 6" in shown
    assert states(app)["criterion:1.1.5"] == (HAS_EVIDENCE, 1)
    with db(app) as s:
        row = s.get(EvidenceState, (s.scalars(select(Round)).one().id, "criterion:1.1.5"))
        assert row.note == "คำสั่งแต่งตั้งคณะกรรมการ" and row.files[0]["size"] == 3009
        assert (office.evidence_dir / row.files[0]["path"]).read_bytes().startswith(b"%PDF")
    # the round was created on demand: this fiscal year's SAR round
    with db(app) as s:
        rnd = s.scalars(select(Round)).one()
        assert rnd.kind == "sar" and rnd.state == "open" and rnd.name == f"SAR ปีงบประมาณ {rnd.fiscal_year}"


def test_files_over_the_limit_of_a_bad_type_or_gone_are_refused(app, webhook, line, office):
    staff = as_(webhook, line, ADMIN_STAFF)
    staff.say("รายงาน 1.1.5")
    staff.say("กำลังดำเนินการ")
    office.evidence_max_bytes, old = 1000, office.evidence_max_bytes
    try:
        line.message_contents["big"] = ("application/pdf", b"x" * 1001)
        assert "ใหญ่เกิน" in texts(send_file(staff, message_id="big"))
    finally:
        office.evidence_max_bytes = old
    line.message_contents["exe"] = ("application/x-msdownload", b"MZ")
    assert "ไฟล์ชนิดนี้เก็บเป็นหลักฐานไม่ได้" in texts(send_file(staff, name="setup.exe", message_id="exe"))
    assert "ดึงไฟล์จาก LINE ไม่สำเร็จ" in texts(send_file(staff, message_id="gone"))
    line.message_contents["img"] = ("image/jpeg", b"\xff\xd8\xff" + b"j" * 100)
    assert "ได้รับไฟล์ รูปภาพ-img.jpg แล้วค่ะ" in texts(send_file(staff, kind="image", message_id="img"))
    assert not list((office.evidence_dir).rglob("big*")) and not list((office.evidence_dir).rglob("exe*"))


def test_at_the_evidence_step_notes_add_up_particles_are_no_note_and_confirm_words_go_on(app, webhook, line,
                                                                                         office):
    staff = as_(webhook, line, ADMIN_STAFF)
    staff.say("รายงาน 1.1.5")
    staff.say("มีหลักฐานแล้วค่ะ")
    shown = texts(staff.say("https://www.example.go.th/a.pdf ค่ะ"))
    assert "ได้ลิงก์แล้วค่ะ" in shown and "หมายเหตุ:" not in shown
    staff.say("ผ่านการประชุมแล้ว")
    assert "หมายเหตุ: ผ่านการประชุมแล้ว รอลงนาม" in texts(staff.say("รอลงนาม"))
    assert "ตรวจสอบก่อนบันทึก" in texts(staff.say("ยืนยันค่ะ"))
    staff.say("ยืนยัน")
    with db(app) as s:
        row = s.scalars(select(EvidenceState)).one()
    assert (row.note, row.links) == ("ผ่านการประชุมแล้ว รอลงนาม", ["https://www.example.go.th/a.pdf"])


def test_a_photo_outside_a_report_is_not_fetched(app, webhook, line, office):
    staff = as_(webhook, line, ADMIN_STAFF)
    line.message_contents["p"] = ("image/jpeg", b"\xff\xd8\xff")
    send_file(staff, kind="image", message_id="p")
    assert not line.calls("message_content")
    # the same photo sent while a report asks for evidence is fetched (so the count above can fail)
    staff.say("รายงาน 1.1.5")
    staff.say("มีหลักฐานแล้ว")
    send_file(staff, kind="image", message_id="p")
    assert len(line.calls("message_content")) == 1


def test_the_short_form_with_and_without_the_word(app, webhook, line, office):
    staff = as_(webhook, line, ADMIN_STAFF)
    shown = texts(staff.say("รายงาน 1.1.5 มีหลักฐานแล้ว https://www.example.go.th/a.pdf"))
    assert "✅ บันทึกแล้วค่ะ" in shown and "https://www.example.go.th/a.pdf" in shown
    shown = texts(staff.say("1.1.6 กำลังดำเนินการ รอลายเซ็นผู้อำนวยการ"))
    assert "กำลังดำเนินการ" in shown and "รอลายเซ็นผู้อำนวยการ" in shown
    assert states(app) == {"criterion:1.1.5": (HAS_EVIDENCE, 1), "criterion:1.1.6": (IN_PROGRESS, 1)}
    assert events(app, "criterion:1.1.6") == [("not_started", IN_PROGRESS, "short")]
    # a bare code is still a lookup, and a code with other words is a question
    assert "ตรวจสอบก่อนบันทึก" not in texts(staff.say("1.1.5"))
    assert states(app)["criterion:1.1.5"] == (HAS_EVIDENCE, 1)


@pytest.mark.parametrize("question", ["1.1.5 มีหลักฐานอะไรบ้าง", "เกณฑ์ 1.1.5 ต้องแก้ไขอะไรบ้าง",
                                      "1.1.5 มีหลักฐาน อะไรบ้างคะ", "1.1.5 ต้องแก้ไขไหม", "1.1.5 เสร็จแล้วหรือยัง?"])
def test_a_question_about_a_code_is_never_recorded_as_a_report(app, webhook, line, office, question):
    shown = texts(as_(webhook, line, ADMIN_STAFF).say(question))
    assert "บันทึกแล้ว" not in shown and "1.1.5" in shown   # the lookup answers it
    assert states(app) == {}


@pytest.mark.parametrize("typed, status", [("รายงาน 1.1.5 มีหลกฐานแล้ว", HAS_EVIDENCE),
                                           ("รายงาน 1.1.5 กำลังดำเนิการค่ะ", IN_PROGRESS),
                                           ("รายงาน 1.1.5 มีหลักฐานแล้วค่ะ https://www.example.go.th/a.pdf", HAS_EVIDENCE)])
def test_a_status_word_with_a_typo_or_particles_after_the_report_word_is_read(app, webhook, line, office, typed,
                                                                               status):
    assert "✅ บันทึกแล้วค่ะ" in texts(as_(webhook, line, ADMIN_STAFF).say(typed))
    assert states(app)["criterion:1.1.5"] == (status, 1)


def test_the_card_names_who_updated_by_real_name_and_never_a_dash(app, webhook, line, office):
    with db(app) as s:
        s.get(Member, ADMIN_STAFF).full_name = "นางวิไล ตั้งใจดี"
        nameless = s.get(Member, POLICY_STAFF)
        nameless.display_name = ""
    assert "อัปเดตโดย นางวิไล ตั้งใจดี" in texts(as_(webhook, line, ADMIN_STAFF).say("รายงาน 1.1.5 มีหลักฐานแล้ว"))
    shown = texts(as_(webhook, line, POLICY_STAFF).say("รายงาน 1.1.5 กำลังดำเนินการ"))
    assert "อัปเดตโดย สมาชิกที่ไม่ทราบชื่อ" in shown and "อัปเดตโดย -" not in shown
    history = texts(as_(webhook, line, ADMIN_STAFF).say("ประวัติ 1.1.5"))
    assert "นางวิไล ตั้งใจดี: ยังไม่เริ่ม → มีหลักฐานแล้ว" in history and "สมาชิกที่ไม่ทราบชื่อ: มีหลักฐานแล้ว" in history


def test_bad_input_unknown_code_long_note_bad_link_unknown_status(app, webhook, line, office):
    staff = as_(webhook, line, ADMIN_STAFF)
    assert "ไม่พบรายการ \"9.9.9\"" in texts(staff.say("รายงาน 9.9.9 มีหลักฐานแล้ว"))
    assert "เกิน 1,000 ตัวอักษร" in texts(staff.say("รายงาน 1.1.5 มีหลักฐานแล้ว " + "ก" * 2000))
    assert "ไม่ใช่ลิงก์ที่ใช้ได้" in texts(staff.say("รายงาน 1.1.5 มีหลักฐานแล้ว http://ไม่มีจุด"))
    assert "ไม่แน่ใจว่าเป็นสถานะใด" in texts(staff.say("รายงาน 1.1.5 เรียบร้อยดีมาก"))
    assert "พิมพ์ \"รายงาน\" ตามด้วยรหัส" in texts(staff.say("รายงาน"))
    # the same checks inside the flow: the step asks again, nothing is kept
    staff.say("รายงาน 1.1.5")
    staff.say("มีหลักฐานแล้ว")
    assert "เกิน 1,000 ตัวอักษร" in texts(staff.say("ข" * 2000))
    assert "ไม่ใช่ลิงก์ที่ใช้ได้" in texts(staff.say("www.example"))
    confirm = staff.say("ถัดไป")
    assert "หมายเหตุ" not in texts(confirm) and "🔗" not in texts(confirm)
    assert states(app) == {}


def test_who_may_report_and_review(app, webhook, line, office):
    finance = as_(webhook, line, FINANCE_STAFF)
    refused = texts(finance.say("รายงาน 2.1.1 มีหลักฐานแล้ว"))
    assert "เป็นงานของกลุ่มที่รับผิดชอบ" in refused and "กลุ่มนโยบายและแผน" in refused
    assert "ผู้ดูแลระบบ" in texts(finance.say("รายงาน 1.1.5 ตรวจแล้ว"))
    guest = as_(webhook, line, GUEST)
    assert "ลงทะเบียน" in texts(guest.say("รายงาน 1.1.5 มีหลักฐานแล้ว"))
    policy_staff = as_(webhook, line, POLICY_STAFF)
    assert "✅ บันทึกแล้วค่ะ" in texts(policy_staff.say("รายงาน 2.1.1 มีหลักฐานแล้ว"))
    # co-responsible "ทุกกลุ่ม": any staff
    assert "✅ บันทึกแล้วค่ะ" in texts(finance.say("รายงาน 1.1.5 กำลังดำเนินการ"))
    assert states(app) == {"criterion:2.1.1": (HAS_EVIDENCE, 1), "criterion:1.1.5": (IN_PROGRESS, 1)}
    admin = as_(webhook, line, ADMIN)
    assert "ต้องมีเหตุผล" in texts(admin.say("รายงาน 2.1.1 ต้องแก้ไข"))
    shown = texts(admin.say("รายงาน 2.1.1 ต้องแก้ไข ขาดคำสั่งแต่งตั้ง"))
    assert "เหตุผลที่ต้องแก้ไข: ขาดคำสั่งแต่งตั้ง" in shown
    assert "ตรวจแล้ว" in texts(admin.say("รายงาน 1.1.5 ตรวจแล้ว"))
    assert states(app) == {"criterion:2.1.1": (NEEDS_FIX, 2), "criterion:1.1.5": (VERIFIED, 2)}


def test_admins_review_in_the_flow_with_a_reason(app, webhook, line, office):
    admin = as_(webhook, line, ADMIN)
    asked = admin.say("รายงาน 1.1.5")
    labels = [i["action"]["label"] for i in asked[-1]["quickReply"]["items"]]
    assert "🟢 ตรวจแล้ว" in labels and "🔴 ต้องแก้ไข" in labels
    assert "พิมพ์เหตุผล" in texts(press(admin, asked, "🔴 ต้องแก้ไข"))
    admin.say("ขาดรายงานผลการตรวจสอบ")
    done = press(admin, admin.say("ถัดไป"), "✅ ยืนยัน")
    assert "เหตุผลที่ต้องแก้ไข: ขาดรายงานผลการตรวจสอบ" in texts(done)


def test_history_shows_every_change(app, webhook, line, office):
    staff = as_(webhook, line, ADMIN_STAFF)
    staff.say("รายงาน 1.1.5 กำลังดำเนินการ")
    staff.say("รายงาน 1.1.5 มีหลักฐานแล้ว https://www.example.go.th/b")
    shown = texts(staff.say("ประวัติ 1.1.5"))
    assert shown.index("มีหลักฐานแล้ว") < shown.index("ยังไม่เริ่ม → กำลังดำเนินการ")
    assert "กำลังดำเนินการ → มีหลักฐานแล้ว" in shown and "วิไล ตั้งใจ" in shown and "https://www.example.go.th/b" in shown
    assert "ไม่พบรายการ" in texts(staff.say("ประวัติ 7.7.7"))
    assert "ยังไม่มีการรายงาน" in texts(staff.say("ประวัติ 1.1.6"))


def test_two_people_reporting_the_same_item_lose_no_update(app, webhook, line, office):
    a, b = as_(webhook, line, ADMIN_STAFF), as_(webhook, line, POLICY_STAFF)
    a.say("รายงาน 1.1.5")
    b.say("รายงาน 1.1.5")
    a.say("มีหลักฐานแล้ว")
    b.say("กำลังดำเนินการ")
    first = press(a, a.say("ถัดไป"), "✅ ยืนยัน")
    assert "✅ บันทึกแล้วค่ะ" in texts(first)
    second = texts(press(b, b.say("ถัดไป"), "✅ ยืนยัน"))
    assert "มีผู้รายงาน" in second and "มีหลักฐานแล้ว" in second and "วิไล ตั้งใจ" in second
    assert states(app)["criterion:1.1.5"] == (HAS_EVIDENCE, 1)
    assert events(app, "criterion:1.1.5") == [("not_started", HAS_EVIDENCE, "flow")]


def test_concurrent_short_reports_in_threads_all_land(app, webhook, line, office, client):
    """Two webhooks at once for the same item: each lands in turn, or is told it lost the race."""
    posts = [ev.text_event("รายงาน 1.1.5 กำลังดำเนินการ", user_id=ADMIN_STAFF),
             ev.text_event("รายงาน 1.1.5 มีหลักฐานแล้ว", user_id=POLICY_STAFF)]
    results = []

    def post(e):
        c = app.test_client()
        body = ev.body(e)
        from tests.conftest import SECRET
        results.append(c.post("/callback", data=body, headers={"X-Line-Signature": ev.sign(body, SECRET),
                                                                "Content-Type": "application/json"}).status_code)
    threads = [threading.Thread(target=post, args=(e,)) for e in posts]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert results == [200, 200]
    history = events(app, "criterion:1.1.5")
    status, version = states(app)["criterion:1.1.5"]
    # each report either landed (one history row each, versions 1 and 2) or was told it lost the race
    assert version == len(history) and 1 <= version <= 2 and history[-1][1] == status
    if version == 1:
        assert any("มีผู้รายงาน" in t for t in line.texts())


def test_progress_cards_with_bars_and_levels(app, webhook, line, office):
    staff = as_(webhook, line, ADMIN_STAFF)
    staff.say("รายงาน 1.1.5 มีหลักฐานแล้ว")
    shown = staff.say("ความคืบหน้า")
    text = texts(shown)
    assert "ความคืบหน้า" in text and "ทั้งสำนักงาน" in text and "1/27 (4%)" in text
    assert "ตบช. 2.1" in text and "ไม่มีเกณฑ์ระดับคุณภาพ" in text            # no rubric: progress only
    assert "ระดับคุณภาพ" in text and "ระดับ 5" in text                     # 1.2: seed 002, level 5 missing
    assert "มาตรฐานที่ 4" in text and "ไม่มีตัวบ่งชี้" in text              # the content's gap
    bars = [n for b in bubbles(shown) for n in flex_nodes(b) if n.get("type") == "box" and n.get("width")]
    assert bars and all(n["backgroundColor"].startswith("#") for n in bars)
    assert "ลงทะเบียน" in texts(as_(webhook, line, GUEST).say("ความคืบหน้า"))


def test_backlog_for_staff_admins_and_a_bound_group_chat(app, webhook, line, office):
    with db(app) as s:
        s.add(ChatGroup(chat_id=POLICY_CHAT, name="ห้องนโยบาย", binding="work_group", work_group="policy", active=True))
    policy_staff = as_(webhook, line, POLICY_STAFF)
    policy_staff.say("รายงาน 2.1.1 มีหลักฐานแล้ว")
    mine = texts(policy_staff.say("งานค้าง"))
    assert "งานค้าง · กลุ่มนโยบายและแผน" in mine and "เกณฑ์ 1.1.1" in mine and "เกณฑ์ 2.1.1" not in mine
    group = texts(as_(webhook, line, None, POLICY_CHAT).say("งานค้าง"))
    assert "กลุ่มนโยบายและแผน" in group and "เกณฑ์ 1.1.1" in group
    admin = as_(webhook, line, ADMIN)
    every = admin.say("งานค้าง")
    assert "ทุกกลุ่มงาน" in texts(every)
    picked_by_button = texts(press(admin, every, "กลุ่มนิเทศฯ"))
    assert "งานค้าง · กลุ่มนิเทศ" in picked_by_button and "เกณฑ์ 3.1.5" in picked_by_button
    picked = texts(admin.say("งานค้าง นิเทศ"))
    assert "กลุ่มนิเทศ" in picked and "เกณฑ์ 3.1.5" in picked
    assert "เฉพาะผู้ดูแลระบบ" in texts(policy_staff.say("งานค้าง การเงิน"))


def test_calendar_before_and_after_rounds_are_set(app, webhook, line, office):
    staff = as_(webhook, line, ADMIN_STAFF)
    assert "ยังไม่มีการกำหนดรอบการรายงาน" in texts(as_(webhook, line, GUEST).say("ปฏิทิน"))
    now = datetime.now(timezone.utc)
    with db(app) as s:
        rounds.create(s, "รายงานตัวชี้วัด รอบ 6 เดือน", "kpi6", now + timedelta(days=10), now, state="open")
        rounds.create(s, "รอบที่ปิดไปแล้ว", "kpi9", now + timedelta(days=20), now, state="closed")
    shown = texts(staff.say("ปฏิทิน"))
    assert "รายงานตัวชี้วัด รอบ 6 เดือน" in shown and ("อีก 10 วัน" in shown or "อีก 9 วัน" in shown)
    assert "รอบที่ปิดไปแล้ว" not in shown and "งานของกลุ่มอำนวยการ" in shown and "ยังไม่มีหลักฐาน" in shown


def test_in_a_group_the_short_form_needs_addressing(app, webhook, line, office):
    with db(app) as s:
        s.add(ChatGroup(chat_id=POLICY_CHAT, name="ห้องนโยบาย", binding="work_group", work_group="policy", active=True))
    chat = as_(webhook, line, POLICY_STAFF, POLICY_CHAT)
    assert chat.say("2.1.1 มีหลักฐานแล้ว") == []            # ordinary group talk: the bot stays quiet
    assert "✅ บันทึกแล้วค่ะ" in texts(chat.say("บอท รายงาน 2.1.1 มีหลักฐานแล้ว"))


def test_rubric_items_are_reported_and_move_the_level(app, webhook, line, office):
    """Issue 5.3's items (indicator 1.2, seed 002's rubric) and the 2557 considerations by their codes."""
    admin = as_(webhook, line, ADMIN)
    admin.say("รายงาน 5.3.1 กำลังดำเนินการ")
    shown = texts(admin.say("รายงาน 5.3.2 กำลังดำเนินการ"))
    assert "กลยุทธ์ที่ 5 ประเด็น 5.3.2" in shown and "ระดับคุณภาพ: 1 จาก 4" in shown
    assert "ระดับคุณภาพ: 3 จาก 4" in texts(admin.say("รายงาน 5.3.1 มีหลักฐานแล้ว"))
    admin.say("รายงาน 5.3.2 ตรวจแล้ว")
    admin.say("รายงาน 5.3.a1 มีหลักฐานแล้ว")
    shown = texts(admin.say("5.3.a2 มีหลักฐานแล้ว"))
    assert "ระดับคุณภาพ: 4 จาก 4" in shown and "ไม่มีคำอธิบายระดับคุณภาพระดับ 5" in shown
    shown = texts(admin.say("รายงาน ประเด็นการพิจารณา 2 มีหลักฐานแล้ว"))
    assert "ประเด็นการพิจารณาที่ 2 (มาตรฐาน พ.ศ.2557)" in shown and "ไม่มีข้อ 1, 3, 5, 6" in shown
    assert "ไม่มีในเอกสารต้นฉบับ" in texts(admin.say("รายงาน ประเด็นการพิจารณา 1 มีหลักฐานแล้ว"))
    assert states(app)["c2557:2"] == (HAS_EVIDENCE, 1)


def test_office_progress_follows_the_rounds_kind_and_scope(app):
    from content.loader import load_content
    from handlers.evidence.compute import office_progress
    content = load_content()
    now = datetime.now(timezone.utc)
    with db(app) as s:
        sar = rounds.create(s, "SAR", "sar", None, now, state="open")
        strategy = rounds.create(s, "กลยุทธ์", "strategy", None, now)
        pmqa = rounds.create(s, "PMQA", "pmqa", None, now)
        scoped = rounds.create(s, "เฉพาะ", "kpi6", None, now, scope={"standards": ["2"], "indicators": ["1.2"]})
        evidence.report(s, sar.id, "criterion:2.1.1", evidence.Change(HAS_EVIDENCE, "", ("https://a.example.go.th",)),
                        POLICY_STAFF, now)
        op = office_progress(s, content, sar, "สพป.ทดสอบ", now)
        assert (op.office_name, op.round.name, op.as_of) == ("สพป.ทดสอบ", "SAR", now)
        assert [x.code for x in op.standards] == ["1", "2", "3", "4", "5"] and op.standards[3].gap
        assert op.total == 27 and op.done == 1 and op.by_group()["policy"][0] == 1
        item = op.standards[1].indicators[0].items[0]
        assert (item.key, item.status, item.links) == ("criterion:2.1.1", HAS_EVIDENCE, ("https://a.example.go.th",))
        got = [i.code for x in office_progress(s, content, strategy, "", now).standards for i in x.indicators]
        assert got == ["1.2", "3.1", "5.2"]          # 5.3→1.2, 5.4→3.1, 5.6→5.2; 3.2 has no items in the source
        pm = office_progress(s, content, pmqa, "", now)
        assert pm.total == 56 and {i.key.split(":")[0] for x in pm.standards for d in x.indicators for i in d.items} \
            == {"pmqa_item"}
        sc = office_progress(s, content, scoped, "", now)
        assert [i.code for x in sc.standards for i in x.indicators] == ["1.2", "2.1", "2.2"]


def test_the_help_menu_offers_reporting_to_staff_only(app, webhook, line, office):
    assert "รายงานสถานะหลักฐาน" in texts(as_(webhook, line, ADMIN_STAFF).say("เมนู"))
    assert "รายงานสถานะหลักฐาน" not in texts(as_(webhook, line, GUEST).say("เมนู"))
    assert "ตั้งรอบ" in texts(as_(webhook, line, ADMIN).say("เมนู"))
    assert "ตั้งรอบ" not in texts(as_(webhook, line, ADMIN_STAFF).say("เมนู"))


def test_a_report_made_in_chat_reaches_the_sar_draft_written_by_flask_sar_export(app, webhook, line, office,
                                                                                   tmp_path):
    """The whole path with no stand-in: a staff report, then `flask sar export` of the latest SAR round."""
    import openpyxl
    from docx import Document

    as_(webhook, line, ADMIN_STAFF).say("รายงาน 1.1.5 มีหลักฐานแล้ว https://drive.example.go.th/audit-2570")
    out = tmp_path / "sar"
    result = app.test_cli_runner().invoke(args=["sar", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    docx_file, xlsx_file = sorted(out.glob("*.docx"))[0], sorted(out.glob("*.xlsx"))[0]
    text = "\n".join(p.text for p in Document(str(docx_file)).paragraphs)
    text += "\n".join(c.text for t in Document(str(docx_file)).tables for r in t.rows for c in r.cells)
    assert "1.1.5" in text and "มีหลักฐานแล้ว" in text and "https://drive.example.go.th/audit-2570" in text
    cells = [str(c.value) for row in openpyxl.load_workbook(xlsx_file)["SAR"].iter_rows() for c in row if c.value]
    assert any("1.1.5" in c for c in cells) and "มีหลักฐานแล้ว" in cells


@pytest.fixture
def supervised_content(app, tmp_path):
    """The bundled content with indicator 1.1 supervised by กลุ่มนิเทศฯ (the seeds name no supervisor;
    an office adds `supervisors:` to an indicator in content/standards/N.yaml)."""
    import shutil

    import yaml

    from content.loader import load_content
    copy = tmp_path / "content"
    shutil.copytree(Path(__file__).resolve().parents[1] / "content", copy,
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = copy / "standards" / "1.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["indicators"][0]["supervisors"] = ["supervision"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    runtime = app.extensions["bot"]
    old = runtime.content
    runtime.content = load_content(copy)
    yield runtime.content
    runtime.content = old


def test_staff_of_the_supervising_group_review_their_indicator_only(app, webhook, line, office, supervised_content):
    supervisor = uid(0xE6)
    add_member(app, supervisor, "ศึกษานิเทศก์ ตรวจดี", "staff", "supervision")
    assert supervised_content.indicator("1.1").supervisors == ("supervision",)
    shown = texts(as_(webhook, line, supervisor).say("รายงาน 1.1.5 ตรวจแล้ว"))
    assert "✅ บันทึกแล้วค่ะ" in shown and states(app)["criterion:1.1.5"] == (VERIFIED, 1)
    # the flow offers the review statuses to them on 1.1, and not on another indicator
    sup = as_(webhook, line, supervisor)
    labels = lambda msgs: [i["action"]["label"] for i in msgs[-1]["quickReply"]["items"]]  # noqa: E731
    assert any("ตรวจแล้ว" in lb for lb in labels(press(sup, sup.say("เกณฑ์ 1.1.6"), "รายงานสถานะ")))
    sup.say("ยกเลิก")
    # staff of the responsible group still cannot review
    assert "ผู้กำกับตัวบ่งชี้" in texts(as_(webhook, line, ADMIN_STAFF).say("รายงาน 1.1.6 ตรวจแล้ว"))
    assert "criterion:1.1.6" not in states(app)


def _group_items(app, group: str, kind: str, scope: dict) -> list[str]:
    """The keys of the items `group` answers for in a round (main, co-responsible, or everyone's)."""
    from handlers.evidence.items import in_round
    content = app.extensions["bot"].content
    return [i.key for i in in_round(content, kind, scope)
            if group in i.main_groups or group in i.co_groups or "all" in i.main_groups]


def test_calendar_counts_each_rounds_missing_items_and_days_left_as_the_office_does(app, webhook, line, office):
    now = datetime.now(timezone.utc)
    today = now.astimezone(BANGKOK).replace(hour=0, minute=5, second=0, microsecond=0)
    with db(app) as s:
        kpi = rounds.create(s, "ตัวชี้วัด มฐ.1", "kpi6", today + timedelta(days=3, hours=16), now,
                            scope={"standards": ["1"]}, state="open")
        due_today = rounds.create(s, "ส่งวันนี้", "other", today, now, state="open")  # 00:05: already past
        late = rounds.create(s, "รอบที่เลยกำหนด", "other", today - timedelta(days=2), now, state="open")
        planned_late = rounds.create(s, "รอบวางแผนที่เลยไปแล้ว", "other", today - timedelta(days=1), now)
        sar = rounds.create(s, "SAR ทั้งหมด", "sar", today + timedelta(days=40), now, scope={"all": True},
                            state="open")
        ids = (kpi.id, due_today.id, late.id, planned_late.id, sar.id)
    kpi_keys = _group_items(app, "policy", "kpi6", {"standards": ["1"]})
    sar_keys = _group_items(app, "policy", "sar", {"all": True})
    assert "criterion:1.1.1" in kpi_keys and len(sar_keys) > len(kpi_keys)
    with db(app) as s:  # policy's 1.1.1 has evidence in the KPI round only; a non-policy item counts for nobody here
        evidence.report(s, ids[0], "criterion:1.1.1", evidence.Change(HAS_EVIDENCE), POLICY_STAFF, now)
        evidence.report(s, ids[4], "criterion:2.1.1", evidence.Change(VERIFIED), ADMIN, now)
    shown = texts(as_(webhook, line, POLICY_STAFF).say("ปฏิทิน"))
    assert f"งานของกลุ่มนโยบายและแผน: ยังไม่มีหลักฐาน {len(kpi_keys) - 1} จาก {len(kpi_keys)} รายการ" in shown
    sar_left = len(sar_keys) - ("criterion:2.1.1" in sar_keys)
    assert f"ยังไม่มีหลักฐาน {sar_left} จาก {len(sar_keys)} รายการ" in shown
    assert "อีก 3 วัน" in shown and "วันนี้ครบกำหนด" in shown and "เลยกำหนด 2 วัน" in shown
    assert "รอบวางแผนที่เลยไปแล้ว" not in shown                       # planned and past: not on the calendar
    assert shown.index("รอบที่เลยกำหนด") < shown.index("ส่งวันนี้") < shown.index("ตัวชี้วัด มฐ.1")

    # a group chat bound to the policy group sees the same counts; one not bound sees only the rounds
    with db(app) as s:
        s.add(ChatGroup(chat_id=POLICY_CHAT, name="ห้องนโยบาย", binding="work_group", work_group="policy", active=True))
    in_group = texts(as_(webhook, line, None, POLICY_CHAT).say("ปฏิทิน"))
    assert f"ยังไม่มีหลักฐาน {len(kpi_keys) - 1} จาก {len(kpi_keys)} รายการ" in in_group
    other_group = texts(as_(webhook, line, None, "C" + "e6" * 16).say("ปฏิทิน"))
    assert "อีก 3 วัน" in other_group and "งานของ" not in other_group
    guest = texts(as_(webhook, line, GUEST).say("ปฏิทิน"))
    assert "เลยกำหนด 2 วัน" in guest and "งานของ" not in guest


def test_the_evidence_files_open_by_signed_links_from_the_card(app, webhook, line, office, client, monkeypatch):
    import dataclasses

    from bot import files
    staff = as_(webhook, line, ADMIN_STAFF)
    staff.say("รายงาน 1.1.5")
    staff.say("มีหลักฐานแล้ว")
    line.message_contents["m9"] = ("application/pdf", b"%PDF-1.4 evidence")
    send_file(staff, name="คำสั่ง.pdf", message_id="m9")
    done = press(staff, staff.say("ถัดไป"), "✅ ยืนยัน")
    assert "ยังเปิดไฟล์ผ่านแชตไม่ได้" in texts(press(staff, done, "เปิดไฟล์หลักฐาน"))  # no PUBLIC_BASE_URL
    base = "https://bot.example.go.th"
    links = dataclasses.replace(app.extensions["files"], base_url=base, kept=office.evidence_dir)
    monkeypatch.setitem(app.extensions, "files", links)
    monkeypatch.setattr(office, "exports", files.Exports(links, office.content))
    shown = texts(press(staff, done, "เปิดไฟล์หลักฐาน"))
    url = next(w for w in shown.split() if w.startswith(base + "/files/"))
    got = client.get(url[len(base):])
    assert "คำสั่ง.pdf" in shown and got.status_code == 200 and got.data == b"%PDF-1.4 evidence"
    got.close()
