"""LINE's limits, kept in one place (bot/render.py): long things are cut or paged, never rejected."""
import pytest

from bot import render
from handlers.core import postback
from handlers.core.types import (Button, Card, CardList, MessageAction, PostbackAction, Result, Section,
                            TextReply)


def test_long_text_is_split_at_line_breaks_under_5000_characters():
    text = "\n".join(f"บรรทัดที่ {i} " + "ก" * 90 for i in range(200))
    chunks = render.split_text(text)
    assert all(len(c) <= 5000 for c in chunks)
    assert "\n".join(chunks) == text


def test_a_single_huge_line_is_cut_hard():
    chunks = render.split_text("ข" * 12_000)
    assert [len(c) for c in chunks] == [5000, 5000, 2000]


def test_at_most_five_messages_and_quick_replies_capped_at_13():
    result = Result([TextReply(f"ข้อความ {i}") for i in range(8)],
                    [Button(f"ปุ่ม {i}", MessageAction(f"ปุ่ม {i}")) for i in range(20)])
    messages = render.render(result)
    assert len(messages) == 5
    assert len(messages[-1].quick_reply.items) == 13


def test_labels_are_clipped_to_20_characters():
    qr = render.quick_reply([Button("ป้ายยาวมากเกินยี่สิบตัวอักษรแน่นอน", MessageAction("x"))])
    assert len(qr.items[0].action.label) <= 20


def test_carousel_keeps_12_bubbles_with_a_more_button():
    card = Card(label="เกณฑ์", title="ชื่อ", sections=(Section("หัวข้อ", ("บรรทัด",)),))
    more = Button("ดูต่อ", PostbackAction(postback.encode("list", k="indicator:1.1", p=1)))
    [message] = render.render(Result([CardList("รายการ", (card,) * 30, more)]))
    bubbles = message.contents.contents
    assert len(bubbles) == 12
    assert bubbles[-1].footer.contents[0].action.label == "ดูต่อ"


def test_every_flex_message_has_alt_text_and_a_text_fallback():
    card = Card(label="เกณฑ์ 1.1.5", title="มีระบบการตรวจประเมินภายใน", sections=(Section("ตัวชี้วัด", ("มีระบบ",)),))
    [flex] = render.render(Result([card]))
    [text] = render.render(Result([card]), as_text=True)
    assert flex.alt_text.startswith("เกณฑ์ 1.1.5")
    assert "ตัวชี้วัด" in text.text and "มีระบบ" in text.text


def test_postback_data_over_300_characters_is_refused_where_it_is_built():
    with pytest.raises(ValueError):
        postback.encode("show", k="x" * 400)


def test_a_section_with_a_progress_bar_renders_as_flex_and_as_text():
    from bot import render
    from handlers.core import types as t
    card = t.Card(label="ความคืบหน้า", title="SAR", sections=(
        t.Section("มาตรฐานที่ 1", ("3 รายการ",), bar=t.Bar(0.5, "#1E88E5", "5/10 (50%)")),
        t.Section("มาตรฐานที่ 2", (), bar=t.Bar(0.0, "#9E9E9E", "0/4 (0%)"), colour="#E53935")))
    flex = render.bubble(card).to_dict()
    boxes = [b for b in _nodes(flex) if b.get("type") == "box" and b.get("width")]
    assert [(b["width"], b["backgroundColor"]) for b in boxes] == [("50%", "#1E88E5")]  # nothing filled at 0%
    assert "▓▓▓▓▓░░░░░ 5/10 (50%)" in render.card_text(card) and "░" * 10 + " 0/4 (0%)" in render.card_text(card)
    picker = render.action(t.DatetimePickerAction('{"a":"f"}', initial="2027-03-31T16:30"), "เลือกวันเวลา")
    assert picker.to_dict() == {"type": "datetimepicker", "label": "เลือกวันเวลา", "data": '{"a":"f"}',
                                "mode": "datetime", "initial": "2027-03-31T16:30"}


def _nodes(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _nodes(v)
    elif isinstance(node, list):
        for v in node:
            yield from _nodes(v)
