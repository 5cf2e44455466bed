"""Routing manners (design.md, "Manners in a chat"): whole-word commands, one particle list, what a group
chat's talk reaches the bot, and choices typed in natural Thai."""
import pytest

from bot import render
from handlers import COMMANDS
from handlers.core.routing import is_bare_code
from handlers.core.types import Button, MessageAction, PostbackAction
from handlers.core.words import Choice, choose, command_rest, plain, strip_tail
from tests.conftest import Chat, quick_replies, texts

GROUP = "C" + "a7" * 16


@pytest.mark.parametrize("text, word, rest", [
    ("ลงทะเบียน", "ลงทะเบียน", ""),
    ("ลงทะเบียนค่ะ", "ลงทะเบียน", ""),
    ("ลงทะเบียน cyw875 ค่ะ", "ลงทะเบียน", "cyw875"),
    ("ลงทะเบียนABC123", "ลงทะเบียน", "abc123"),
    ("ประกาศ! ประชุมพรุ่งนี้", "ประกาศ", "ประชุมพรุ่งนี้"),
    ("ตั้งค่ากลุ่มนะคะ", "ตั้งค่ากลุ่ม", ""),
    ("ประกาศนียบัตรครูต้องใช้อะไร", "ประกาศ", None),
    ("ลงทะเบียนเรียนต่อปริญญาโท", "ลงทะเบียน", None),
    ("สมาชิกเครือข่ายมีใครบ้าง", "สมาชิก", None),
    ("registered", "register", None),
])
def test_a_command_is_a_whole_word(text, word, rest):
    assert command_rest(text, word) == rest


def test_a_known_argument_may_be_glued_to_its_command():
    assert command_rest("สมาชิกรออนุมัติ", "สมาชิก", ("รออนุมัติ",)) == "รออนุมัติ"
    assert command_rest("สมาชิกรออนุมัติ", "สมาชิก") is None


@pytest.mark.parametrize("text, expected", [
    ("นโยบายและแผนค่ะ", "นโยบายและแผน"), ("สถานศึกษาครับผม", "สถานศึกษา"), ("ยืนยันนะคะ", "ยืนยัน"),
    ("ค่ะ", "ค่ะ"),
])
def test_particles_are_one_list(text, expected):
    assert strip_tail(text) == expected
    assert plain(text) == plain(expected)


GROUPS = [Choice("policy", "นโยบายและแผน", ("กลุ่มนโยบายและแผน",)),
          Choice("finance", "บริหารงานการเงินและสินทรัพย์", ("กลุ่มการเงิน",)),
          Choice("personnel", "บริหารงานบุคคล", ("กลุ่มบุคคล",))]


@pytest.mark.parametrize("typed, value", [
    ("กลุ่มนโยบายและแผนค่ะ", "policy"), ("นโยบายแผน", "policy"), ("นโยบายและแผ", "policy"),
    ("การเงินค่ะ", "finance"), ("ขอเป็นบุคคลค่ะ", "personnel"), ("3", "personnel"),
    ("โอเคค่ะ", None), ("บริหาร", None), ("ยืนยัน", None), ("", None),
])
def test_a_choice_is_understood_typed_in_natural_thai(typed, value):
    picked = choose(typed, GROUPS)
    assert (picked.value if picked else None) == value


@pytest.mark.parametrize("text, bare", [
    ("ตบช. 2.1", True), ("ตัวบ่งชี้ที่ ๑.๒", True), ("เกณฑ์ 1.1.5 ค่ะ", True), ("มฐ.2", True), ("2.1", True),
    ("5.2.4", True), ("หมวด 3", True),
    ("ประชุม 9.30 น.", False), ("โอนแล้ว 1.5 หมื่น", False), ("9.30", False), ("ตบช 2.1 ต้องส่งเมื่อไหร่", False),
])
def test_bare_codes(app, text, bare):
    assert is_bare_code(text, app.extensions["bot"].content) is bare


@pytest.mark.parametrize("talk", [
    "ประชุม 9.30 น.", "โอนแล้ว 1.5 หมื่น", "โอเค", "ขอบคุณค่ะ", "สวัสดีค่ะทุกคน",
    "ประกาศนียบัตรครูมาแล้วนะ", "สมาชิกเครือข่ายประชุมวันศุกร์", "ลงทะเบียนเรียนต่อได้ถึงวันไหน",
    "อากาศร้อนจังเลย", "ใครว่างบ้าง", "ส่งรายงานภายใน 2.5 วัน", "ห้อง 1.1 นะคะ",
])
def test_ordinary_group_talk_gets_no_reply(webhook, line, talk):
    chat = Chat(webhook, line, group_id=GROUP)
    assert chat.say(talk) == []


@pytest.mark.parametrize("addressed, expected", [
    ("บอท ตบช. 2.1", "ตัวบ่งชี้ที่ 2.1"), ("ตบช. 2.1", "ตัวบ่งชี้ที่ 2.1"), ("บอท เกณฑ์ 1.1.5", "เกณฑ์ 1.1.5"),
    ("น้องบอท มฐ.3", "มาตรฐานที่ 3"), ("เกณฑ์ ๕.๒.๔", "5.2.4"),
])
def test_addressed_group_text_is_answered(webhook, line, addressed, expected):
    chat = Chat(webhook, line, group_id=GROUP)
    assert expected in texts(chat.say(addressed))


@pytest.mark.parametrize("text", ["ประกาศนียบัตรครูต้องใช้หลักฐานอะไร", "สมาชิกเครือข่ายต้องทำอะไรบ้าง",
                                  "ลงทะเบียนเรียนต่อ"])
def test_a_word_that_starts_with_a_command_is_not_that_command(chat, text):
    out = texts(chat.say(text))
    assert "ผู้ดูแลระบบเท่านั้น" not in out and "ลงทะเบียนในฐานะอะไร" not in out


@pytest.mark.parametrize("text, word, rest", [
    ("อยากร้องเรียนครับ", "ร้องเรียน", ""), ("ขอลงทะเบียนค่ะ", "ลงทะเบียน", ""),
    ("ต้องการแจ้งเรื่อง ไฟดับ", "แจ้งเรื่อง", "ไฟดับ"), ("รบกวนขอข้อมูลของฉัน", "ขอข้อมูลของฉัน", ""),
])
def test_a_command_may_be_led_by_a_word_of_wanting(text, word, rest):
    cmd, got = COMMANDS.match(text)
    assert word in cmd.words and got == rest


@pytest.mark.parametrize("text", ["ขอบคุณครับ", "อยากรู้ว่าตบช. 2.1 คืออะไร", "ขอ", "ช่วยด้วย"])
def test_wanting_alone_or_before_other_words_is_no_command(text):
    assert COMMANDS.match(text) is None


def test_a_part_of_two_choices_is_named_as_both_and_chooses_neither():
    from handlers.core.words import ambiguity, candidates
    groups = [Choice("a", "กลุ่มส่งเสริมการจัดการศึกษา"), Choice("b", "กลุ่มส่งเสริมสถานศึกษาเอกชน"),
              Choice("c", "กลุ่มนโยบายและแผน")]
    assert choose("ส่งเสริม", groups) is None
    assert [c.value for c in candidates("ส่งเสริมค่ะ", groups)] == ["a", "b"]
    assert ambiguity("ส่งเสริม", groups) == ("\"ส่งเสริม\" ตรงกับหลายตัวเลือกค่ะ หมายถึง กลุ่มส่งเสริมการจัดการศึกษา "
                                            "หรือ กลุ่มส่งเสริมสถานศึกษาเอกชน คะ 👇")
    assert ambiguity("นโยบาย", groups) == "" and ambiguity("ขอ", groups) == ""


def test_a_confirmation_typed_after_its_flow_ended_is_told_so(chat):
    from handlers import NOTHING_TO_CONFIRM
    assert texts(chat.say("ยืนยันค่ะ")) == NOTHING_TO_CONFIRM


def test_command_words_are_unique_across_capabilities():
    words = [w for w, _c in COMMANDS.items]
    assert len(words) == len(set(words))


def test_repeated_quick_replies_are_shown_once():
    same = Button("ยกเลิก", PostbackAction('{"a":"cancel"}', "ยกเลิก"))
    qr = render.quick_reply([same, Button("เมนู", MessageAction("เมนู")), same, Button("เมนู", MessageAction("เมนู"))])
    assert [i.action.label for i in qr.items] == ["ยกเลิก", "เมนู"]


@pytest.mark.parametrize("text", ["เมนู", "สวัสดี", "ตบช. 2.1", "เกณฑ์ 1.1.5", "ใครรับผิดชอบการตรวจประเมินภายใน",
                                  "km ต้องมีหลักฐานอะไรบ้าง", "หมวด 3", "ลงทะเบียน", "ฉันคือใคร", "กลุ่มงาน",
                                  "ขอบคุณค่ะ", "ยกเลิก"])
def test_no_reply_shows_the_same_quick_reply_twice(chat, text):
    labels = [q["label"] for q in quick_replies(chat.say(text))]
    assert len(labels) == len(set(labels))
