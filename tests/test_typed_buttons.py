"""Button labels typed instead of pressed (handlers/core/typed_buttons.py), through signed webhooks: the
last reply's postback buttons answer their typed labels in a 1:1 chat, once each label is unique, for 30
minutes, never in a group chat, and never over a flow's own step."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from handlers.core import typed_buttons
from handlers.core.types import Button, Card, CardList, MessageAction, PostbackAction, Result
from handlers.evidence.progress import IN_PROGRESS
from storage.models import EvidenceState
from tests.conftest import Chat, texts
from tests.members_support import add_member, db, uid

STAFF = uid(0x7B1)
GROUP = "C" + "7b" * 16


@pytest.fixture
def staff(app, webhook, line) -> Chat:
    add_member(app, STAFF, "วิไล ตั้งใจ", "staff", "admin")
    return Chat(webhook, line, user_id=STAFF)


def test_a_typed_label_presses_the_button_of_the_last_reply(app, staff):
    staff.say("เกณฑ์ 1.1.5")
    asked = texts(staff.say("รายงานสถานะค่ะ"))                 # the card's postback button, typed
    assert "📝 รายงานสถานะ เกณฑ์ 1.1.5" in asked and "เลือกสถานะใหม่" in asked
    staff.say("กำลังดำเนินการ")                                # the flow's own step reads its choices
    staff.say("ไม่มี")
    staff.say("ยืนยัน")
    with db(app) as s:
        assert [(r.item_key, r.status) for r in s.scalars(select(EvidenceState))] == [("criterion:1.1.5", IN_PROGRESS)]


def test_the_label_is_forgotten_after_another_reply_after_30_minutes_and_in_a_group(app, staff, webhook, line):
    staff.say("เกณฑ์ 1.1.5")
    staff.say("สวัสดีค่ะ")                                      # a reply without that button in between
    assert "📝 รายงานสถานะ" not in texts(staff.say("รายงานสถานะ"))
    staff.say("เกณฑ์ 1.1.5")
    runtime = app.extensions["bot"]
    old = runtime.clock
    later = old() + typed_buttons.TTL + timedelta(seconds=1)
    runtime.clock = lambda: later
    try:
        assert "📝 รายงานสถานะ" not in texts(staff.say("รายงานสถานะ"))
    finally:
        runtime.clock = old
    group = Chat(webhook, line, user_id=STAFF, group_id=GROUP)
    group.say("บอท เกณฑ์ 1.1.5")
    assert "📝 รายงานสถานะ" not in texts(group.say("บอท รายงานสถานะ"))


def test_only_unique_postback_labels_are_kept():
    def pb(label, data):
        return Button(label, PostbackAction(data, label))
    result = Result([CardList("x", (Card("a", "A", (), buttons=(pb("ดูเกณฑ์นี้", "1"), pb("เปิด", "o1"))),
                                    Card("b", "B", (), buttons=(pb("ดูเกณฑ์นี้", "2"),))))],
                    [pb("มาตรฐานที่ 2", "s2"), Button("ตบช. 2.1", MessageAction("ตบช. 2.1")),
                     pb("ยกเลิก", '{"a":"cancel"}'), pb("ถัดไป", '{"a":"f","f":"x"}')])
    assert sorted(typed_buttons.postbacks_of(result)) == [["มาตรฐานที่ 2", "มาตรฐานที่ 2", "s2"],
                                                           ["เปิด", "เปิด", "o1"]]
