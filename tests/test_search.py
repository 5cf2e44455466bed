"""Search quality on the visible evaluation set (tests/search_eval.yaml), and its behaviour at the edges."""
import pytest

from content.loader import load_content
from content.search import SearchIndex, search
from tests.search_eval import evaluate, load_queries


@pytest.fixture(scope="module")
def index():
    return SearchIndex.build(load_content())


def test_the_evaluation_set_is_big_and_varied():
    queries = load_queries()
    kinds = {q["kind"] for q in queries}
    assert len(queries) >= 80
    assert {"code", "title", "body", "typo", "question", "abbreviation", "chitchat"} <= kinds


def test_top1_at_least_90_and_top3_at_least_97_percent(index):
    report = evaluate(index)
    misses = "\n".join(f"{q!r}: expected {e}, got {g}" for q, e, g in report.misses)
    assert report.top1_rate >= 0.90, misses
    assert report.top3_rate >= 0.97, misses


def test_no_chitchat_query_is_answered_with_an_item_or_offered_one(index):
    report = evaluate(index)
    assert report.chitchat >= 20
    assert report.chitchat_answered == []
    assert report.chitchat_suggested == []


@pytest.mark.parametrize("query", ["อากาศร้อนจังเลย", "ใครว่างบ้าง", "กินข้าวยัง", "ประชุมกี่โมง"])
def test_everyday_talk_is_neither_answered_nor_given_suggestions(index, query):
    result = index.search(query)
    assert not result.confident and result.chat and result.suggestions == ()


def test_a_strong_topic_is_answered_even_beside_everyday_words(index):
    result = index.search("ขอเบอร์โทรผู้รับผิดชอบการควบคุมภายในหน่อย")
    assert result.confident and result.best.key == "reference:internal_control"


def test_a_near_miss_keeps_its_suggestions(index):
    result = index.search("ขั้นตอนการดำเนินงานกระบวนการสนับสนุน")
    assert result.confident or result.suggestions


@pytest.mark.parametrize("query, key", [
    ("ตบช. 2.1", "indicator:2.1"),
    ("ใครรับผิดชอบการตรวจประเมินภายใน", "criterion:1.1.5"),
    ("ตรวจประเมนภายใน", "criterion:1.1.5"),          # missing vowel mark
    ("km ต้องมีหลักฐานอะไรบ้าง", "pmqa:4"),
])
def test_the_right_item_comes_first(index, query, key):
    result = index.search(query)
    assert result.confident and result.best.key == key


def test_the_intent_of_a_question_is_recognised(index):
    assert index.search("ใครรับผิดชอบการตรวจประเมินภายใน").intent == "responsible"
    assert index.search("การตรวจประเมินภายในต้องมีหลักฐานอะไรบ้าง").intent == "evidence"
    assert index.search("นวัตกรรมยกระดับคุณภาพการบริหารจัดการ").intent is None  # ยกระดับคุณภาพ ≠ ระดับคุณภาพ


def test_a_code_the_seeds_do_not_have_is_reported_missing(index):
    result = index.search("ตัวบ่งชี้ 4.1")
    assert result.hits == () and result.missing[0].code == "4.1"


def test_a_bare_criterion_number_lists_one_per_indicator(index):
    result = index.search("เกณฑ์ที่ 5")
    assert {h.key for h in result.hits} == {"criterion:1.1.5", "criterion:3.1.5"}


def test_nonsense_is_not_confident(index):
    for q in ("กขคงจฉ", "asdfgh", "วันนี้ฝนตกไหม"):
        assert not index.search(q).confident


def test_no_index_gives_an_empty_result():
    assert search(None, "ตบช. 2.1").hits == ()


PASTED = ("สวัสดีครับ ผมเพิ่งย้ายมาอยู่กลุ่มนโยบายและแผนได้ไม่นาน หัวหน้าให้ผมไปดูเรื่องระบบการควบคุมภายในของ"
          "สำนักงานเขต ซึ่งผมไม่เคยทำมาก่อนเลยครับ ที่เดิมเป็นโรงเรียน ไม่ได้ทำเรื่องนี้ อยากทราบว่าการควบคุมภายใน"
          "มีขั้นตอนอย่างไรบ้าง ต้องรายงานไปที่ไหน ใช้เวลานานไหม และต้องทำร่วมกับกลุ่มไหนบ้างครับ "
          "ถ้ามีเอกสารหรือแบบฟอร์มตัวอย่างก็จะดีมากเลยครับ ขอบคุณล่วงหน้าครับ รบกวนด้วยนะครับ ขอบคุณครับผม")


def test_a_pasted_paragraph_is_searched_by_its_key_phrases(index):
    from content.keyphrases import key_phrases, key_query
    from content.search import LONG_QUERY_CHARS
    assert len(PASTED) > LONG_QUERY_CHARS
    phrases = key_phrases(index, PASTED)
    assert "การควบคุมภายใน" in phrases and len(phrases) <= 4
    assert not {"ขอบคุณ", "ครับ", "สวัสดี", "รบกวน"} & set(phrases)  # courtesy is not a topic
    assert key_query(index, PASTED).startswith("กลุ่มไหน")  # the intent, wherever it was typed
    result = index.search(PASTED)
    assert result.confident and result.best.key == "reference:internal_control"
    assert result.intent == "responsible"


def test_a_paragraph_with_no_content_words_has_no_key_phrases(index):
    from content.keyphrases import key_phrases
    assert key_phrases(index, "ฮัลโหล " * 60) == []
    assert not index.search("ฮัลโหล " * 60).confident


def test_the_evaluation_set_has_pasted_paragraphs(index):
    long = [q for q in load_queries() if len(q["q"]) > 300]
    assert sum(q["expect"] is not None for q in long) >= 4 and any(q["expect"] is None for q in long)
