"""Conversations about the standards, through the signed webhook and the fake LINE API."""
import json

import pytest

from sqlalchemy import select

from storage import get_storage
from storage.models import UnansweredQuery
from tests.conftest import ADMIN, bubbles, quick_replies, texts


def buttons(messages):
    return [b["action"] for bubble in bubbles(messages) for b in (bubble.get("footer") or {}).get("contents", [])]


def test_a_criterion_card_answers_who_what_and_which_evidence(chat):
    reply = chat.say("ใครรับผิดชอบการตรวจประเมินภายใน")
    [card] = bubbles(reply)
    text = texts(reply)
    assert "เกณฑ์ 1.1.5" in text and "มีระบบการตรวจประเมินภายในที่มีประสิทธิภาพ" in text
    body = [c for c in card["body"]["contents"] if c["type"] == "box"]
    assert body[0]["contents"][0]["text"] == "ผู้รับผิดชอบ"  # the asked-for part comes first
    assert "หลัก: กลุ่มอำนวยการ" in text
    assert "ตัวชี้วัด" in text and "ร่องรอยหลักฐาน" in text
    assert "ที่มา: 000_058a880a3b66f3bf.txt" in text
    assert reply[0]["altText"].startswith("เกณฑ์ 1.1.5")


def test_an_indicator_lists_its_criteria_and_buttons_navigate(chat):
    reply = chat.say("ตบช. 2.1")
    labels = [b["label"] for b in buttons(reply)]
    assert texts(reply).count("เกณฑ์ 2.1.") >= 4
    assert "กลับมาตรฐานที่ 2" in labels
    open_first = next(b for b in buttons(reply) if b["label"] == "ดูเกณฑ์นี้")
    criterion = chat.press(open_first["data"])
    assert "เกณฑ์ 2.1.1" in texts(criterion)
    back = next(b for b in buttons(criterion) if b["label"].startswith("มาตรฐานที่"))
    standard = chat.press(back["data"])
    assert "มาตรฐานที่ 2" in texts(standard) and "ตัวบ่งชี้ที่ 2.2" in texts(standard)


def test_thai_digits_and_typed_forms_reach_the_same_criterion(chat):
    for typed in ("เกณฑ์ ๑.๑.๕", "1.1.5", "มาตรฐานที่1ตัวบ่งชี้ที่1เกณฑ์ที่5"):
        assert "เกณฑ์ 1.1.5" in texts(chat.say(typed)), typed


def test_full_details_come_as_text_split_within_limits(chat):
    reply = chat.say("เกณฑ์ 1.1.3")
    full = next(b for b in buttons(reply) if b["label"] == "รายละเอียดเต็ม")
    details = chat.press(full["data"])
    assert all(m["type"] == "text" and len(m["text"]) <= 5000 for m in details)
    assert "แนวทางการดำเนินการ" in texts(details) and "My Office" in texts(details)


def test_a_gap_is_said_plainly(chat):
    reply = chat.say("ตัวบ่งชี้ 4.1")
    text = texts(reply)
    assert "ไม่พบตัวบ่งชี้ 4.1" in text
    assert "มาตรฐานที่ 4" in text and "ไม่มีตัวบ่งชี้" in text
    assert "จบกลางเกณฑ์นี้" in texts(chat.say("เกณฑ์ 5.2.4"))


def test_pmqa_categories_and_items_browse(chat):
    reply = chat.say("หมวด 3")
    assert "PMQA หมวด 3" in texts(reply)
    assert len(bubbles(reply)) <= 12
    item = chat.say("หมวด 3 ข้อ 3.2")
    assert "PMQA หมวด 3 ข้อ 3.2" in texts(item)


def test_a_rubric_is_shown_where_the_sources_give_one(chat):
    text = texts(chat.say("เกณฑ์ 1.2.1"))
    assert "ระดับคุณภาพ (กลยุทธ์ที่ 5 ประเด็น 5.3)" in text and "ระดับ 4" in text
    issue = texts(chat.say("ประเด็น 5.3"))
    assert "ตัวบ่งชี้ที่ 1.2" in issue


def test_runner_ups_are_offered_as_quick_replies(chat):
    reply = chat.say("แผนปฏิบัติการ")
    labels = [a["label"] for a in quick_replies(reply)]
    assert 1 <= len(labels) <= 13
    assert any(label.startswith("เกณฑ์ 2.1") for label in labels)


def test_not_sure_says_so_offers_help_and_logs_without_the_user(app, chat):
    reply = chat.say("งบประมาณซื้อรถตู้ใหม่ปีหน้า")
    assert "ยังไม่แน่ใจ" in texts(reply)
    assert quick_replies(reply)
    with get_storage(app).Session() as session:
        [row] = session.scalars(select(UnansweredQuery)).all()
    assert row.text == "งบประมาณซื้อรถตู้ใหม่ปีหน้า" and row.chat_kind == "user"
    assert chat.user_id not in json.dumps([row.text, row.normalized, row.chat_kind])


def test_greetings_get_help_not_a_criterion(chat):
    for hello in ("สวัสดีครับ", "หวัดดีค่ะ", "เมนู", "ช่วยเหลือ"):
        reply = chat.say(hello)
        assert reply[0]["type"] == "text" and "ตบช. 2.1" in texts(reply), hello


def test_admins_see_the_most_frequent_unanswered_questions(chat):
    for _ in range(3):
        chat.say("ขอแบบฟอร์มลาพักร้อน")
    chat.say("ซื้อรถตู้ใหม่")
    chat.user_id = ADMIN
    report = texts(chat.say("คำถามที่ตอบไม่ได้"))
    assert report.index("ขอแบบฟอร์มลาพักร้อน") < report.index("ซื้อรถตู้ใหม่")
    assert "3 ครั้ง" in report and "พ.ศ." not in report and "25" in report  # Buddhist-Era year


def test_only_admins_see_unanswered_questions(chat):
    assert "ผู้ดูแลระบบ" in texts(chat.say("คำถามที่ตอบไม่ได้"))


def test_in_a_group_the_bot_answers_only_when_called(chat):
    chat.group_id = "C" + "2" * 32
    assert chat.say("เย็นนี้ใครว่างบ้าง") == []
    assert "ตัวบ่งชี้ที่ 2.1" in texts(chat.say("ตบช. 2.1"))
    assert "เกณฑ์ 1.1.5" in texts(chat.say("บอท ใครรับผิดชอบการตรวจประเมินภายใน"))


def test_a_tag_of_the_bot_in_a_group_is_a_question(chat, webhook, line):
    from tests import line_events as ev
    text = "@บอทมาตรฐาน ตบช. 5.2"
    event = ev.text_event(text, group_id="C" + "2" * 32,
                          mentionees=[ev.mentionee_for(text, "@บอทมาตรฐาน", is_self=True)])
    webhook.post(event)
    assert "ตัวบ่งชี้ที่ 5.2" in texts(line.replies()[0]["messages"])


@pytest.mark.parametrize("text, answer", [
    ("เมนูจ้า", "ถามเรื่องมาตรฐานสำนักงานเขตพื้นที่การศึกษาได้เลยค่ะ"),
    ("ช่วยเหลือหน่อยนะคะ", "ถามเรื่องมาตรฐานสำนักงานเขตพื้นที่การศึกษาได้เลยค่ะ"),
    ("ครับผม", "ยินดีค่ะ"),
    ("ยกเลิก", "ตอนนี้ไม่มีรายการที่ทำค้างอยู่ค่ะ"),
])
def test_polite_particles_menus_and_a_cancel_with_nothing_to_cancel(chat, text, answer):
    assert answer in texts(chat.say(text))


def test_a_question_that_starts_like_a_particle_is_still_a_question(chat):
    reply = texts(chat.say("คะแนนระดับคุณภาพคิดยังไง"))
    assert "ยินดีค่ะ" not in reply and "ระดับ" in reply


@pytest.mark.parametrize("question, label, expected", [
    ("ช่องทางร้องเรียนมีอะไรบ้าง", "ช่องทางร้องเรียน", ("ข้อเสนอแนะ", "ไม่น้อยกว่า 5 ช่องทาง", "E-office")),
    ("ควบคุมภายในทำยังไง", "ควบคุมภายใน", ("ศึกษาวิเคราะห์สภาพปัจจุบัน", "(1 สัปดาห์)", "ตามระยะที่กำหนด")),
    ("ทำ SAR มีกี่ขั้นตอน ใช้เวลาเท่าไหร่", "SAR", ("ขั้นตอนและระยะเวลา", "(1 เดือน)", "ปฏิทินปฏิบัติงาน")),
    ("KPI ต้องรายงานกี่รอบ", "รอบการรายงาน", ("รอบ 6 เดือน", "รอบ 12 เดือน")),
])
def test_process_sections_are_found_and_shown_as_cards(chat, question, label, expected):
    reply = chat.say(question)
    [card] = bubbles(reply)
    text = texts(reply)
    assert label in text and "ที่มา: 001_46ed5f8a53de3fd0.txt" in text
    for part in expected:
        assert part in text, part


def _logged(app):
    with get_storage(app).Session() as session:
        return session.scalars(select(UnansweredQuery).order_by(UnansweredQuery.id)).all()


@pytest.mark.parametrize("talk", ["อากาศร้อนจังเลย", "ใครว่างบ้าง", "กินข้าวยัง", "ประชุมกี่โมง"])
def test_everyday_talk_gets_a_polite_not_found_never_a_card(app, chat, talk):
    from handlers.standards.lookup import NOT_FOUND
    reply = chat.say(talk)
    assert bubbles(reply) == [] and texts(reply) == NOT_FOUND
    assert not any('"show"' in a.get("data", "") for a in quick_replies(reply))  # no weak match offered
    assert quick_replies(reply)  # what the bot can do instead
    [row] = _logged(app)
    assert (row.text, row.outcome, row.shown) == (talk, "nothing", "")


def test_what_the_bot_showed_is_logged_with_the_score(app, chat):
    chat.say("งบประมาณซื้อรถตู้ใหม่ปีหน้า")  # unsure: did-you-mean buttons
    chat.say("ถ้าจะได้ระดับ 5 ต้องมีร่องรอยหลักฐานกี่ข้อ")  # answered, but with a low score
    chat.say("ใครรับผิดชอบการตรวจประเมินภายใน")  # confident: not logged
    suggested, answered = _logged(app)
    assert suggested.outcome == "suggested" and suggested.shown and 35 <= suggested.score < 55
    assert suggested.shown.split(",")[0] in json.dumps(quick_replies(chat.say("งบประมาณซื้อรถตู้ใหม่ปีหน้า")))
    assert (answered.outcome, answered.shown) == ("answered", "reference:standards_2557")
    assert answered.score < 70


def test_admins_see_what_the_bot_showed_for_each_unanswered_question(app, chat):
    chat.say("กินข้าวยัง")
    chat.say("ถ้าจะได้ระดับ 5 ต้องมีร่องรอยหลักฐานกี่ข้อ")
    chat.user_id = ADMIN
    report = texts(chat.say("คำถามที่ตอบไม่ได้"))
    assert "บอทตอบว่าไม่พบ" in report
    assert "บอทตอบโดยไม่มั่นใจ: มาตรฐาน 2557 (คะแนน 55)" in report
    runner = app.test_cli_runner()
    out = runner.invoke(args=["unanswered"]).output
    assert "กินข้าวยัง\n      nothing: nothing" in out
    assert "answered: reference:standards_2557 (score 55)" in out


def test_a_pasted_paragraph_gets_its_answer_and_only_a_huge_one_is_refused(chat):
    from handlers.standards.lookup import MAX_TEXT_CHARS, TOO_LONG
    from tests.test_search import PASTED
    reply = chat.say(PASTED)
    [card] = bubbles(reply)
    assert "งานการควบคุมภายใน" in texts(reply) and "ศึกษาวิเคราะห์สภาพปัจจุบัน" in texts(reply)
    huge = (PASTED + " ") * (MAX_TEXT_CHARS // len(PASTED) + 1)
    assert texts(chat.say(huge)) == TOO_LONG
