"""The webhook edge: signatures, bad bodies, redeliveries, LINE errors, and every event type."""
import json
from datetime import timedelta
import logging

import pytest
from sqlalchemy import func, select

from storage import get_storage
from storage.models import Member, OutboxMessage, ProcessedEvent
from tests import line_events as ev
from tests.conftest import texts


def test_a_signed_text_event_gets_a_reply(webhook, line):
    resp = webhook.post(ev.text_event("ตบช. 2.1"))
    assert resp.status_code == 200
    [reply] = line.replies()
    assert reply["messages"][0]["type"] == "flex"
    assert "ตัวบ่งชี้ที่ 2.1" in reply["messages"][0]["altText"]


@pytest.mark.parametrize("signature", ["", "bm90IHRoZSBzaWduYXR1cmU=", "!!!"])
def test_a_missing_or_wrong_signature_is_400_and_nothing_happens(app, webhook, line, signature):
    resp = webhook.post(ev.text_event("ตบช. 2.1"), signature=signature)
    assert resp.status_code == 400
    assert line.requests == []
    with get_storage(app).Session() as session:
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 0


def test_no_signature_header_at_all_is_400(client, line):
    resp = client.post("/callback", data=ev.body(ev.text_event("สวัสดี")), content_type="application/json")
    assert resp.status_code == 400
    assert line.requests == []


@pytest.mark.parametrize("raw", [b"{not json", b'{"destination": "U1"}', b"[]"])
def test_a_signed_body_that_is_not_a_line_payload_is_400(webhook, line, raw):
    assert webhook.post(raw=raw).status_code == 400
    assert line.requests == []


def test_an_empty_events_list_is_the_console_verify_and_answers_200(webhook, line):
    assert webhook.post(raw=b'{"destination":"U0123456789abcdef0123456789abcdef","events":[]}').status_code == 200
    assert line.requests == []


def test_a_redelivered_event_is_handled_once(webhook, line):
    event = ev.text_event("เกณฑ์ 1.1.5")
    again = dict(event, deliveryContext={"isRedelivery": True})
    assert webhook.post(event).status_code == 200
    assert webhook.post(again).status_code == 200
    assert len(line.replies()) == 1


def test_an_expired_reply_token_falls_back_to_a_push_through_the_outbox(app, webhook, line):
    line.fail_next("reply", 400)  # {"message": "Invalid reply token"}
    assert webhook.post(ev.text_event("เกณฑ์ 1.1.5")).status_code == 200
    [push] = line.pushes()
    assert push["to"] == ev.DEFAULT_USER_ID
    assert "1.1.5" in push["messages"][0]["altText"]
    [call] = line.calls("push")
    assert call.header("X-Line-Retry-Key")
    with get_storage(app).Session() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert (row.status, row.origin, row.retry_key) == ("sent", "reply-fallback", call.header("X-Line-Retry-Key"))


def test_a_line_error_is_logged_with_its_request_id_and_the_webhook_still_answers_200(webhook, line, caplog):
    line.fail_next("reply", 500)
    with caplog.at_level(logging.WARNING, logger="bot.send"):
        assert webhook.post(ev.text_event("เกณฑ์ 1.1.5")).status_code == 200
    [failed] = [r for r in line.requests if r.path == "/v2/bot/message/reply"]
    assert failed.status == 500
    assert failed.request_id and failed.request_id in caplog.text


def test_a_rejected_flex_message_is_retried_once_as_text(webhook, line):
    line.fail_next("reply", 400, {"message": "A message (messages[0]) in the request body is invalid",
                                  "details": [{"message": "invalid", "property": "messages[0].contents"}]})
    assert webhook.post(ev.text_event("เกณฑ์ 1.1.5")).status_code == 200
    [reply] = line.replies()
    assert reply["messages"][0]["type"] == "text"
    assert "1.1.5" in reply["messages"][0]["text"]


def test_a_handler_crash_gets_an_apology_and_200(app, webhook, line, monkeypatch):
    bot = app.extensions["bot"]

    def boom(*_args, **_kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(bot.index, "search", boom)
    assert webhook.post(ev.text_event("การตรวจประเมินภายใน")).status_code == 200
    assert "ขออภัย" in texts(line.replies()[0]["messages"])


def test_a_10000_character_message_gets_a_polite_reply(webhook, line):
    assert webhook.post(ev.text_event("ก" * 10_000)).status_code == 200
    assert "ยาวเกินไป" in texts(line.replies()[0]["messages"])


def test_emoji_only_and_stickers_get_short_friendly_replies(webhook, line):
    webhook.post(ev.text_event("👍😊"))
    webhook.post(ev.sticker_event())
    first, second = line.replies()
    assert "ค่ะ" in texts(first["messages"])
    assert "สติกเกอร์" in texts(second["messages"])


@pytest.mark.parametrize("event", [
    ev.unfollow_event(),
    ev.leave_event(),
    ev.unknown_event(),
    ev.image_event(group_id=ev.DEFAULT_GROUP_ID),
])
def test_other_events_are_accepted_and_ignored(webhook, line, event):
    assert webhook.post(event).status_code == 200
    assert line.replies() == [] and line.pushes() == []


def test_follow_gets_a_greeting_with_how_to_use(webhook, line):
    webhook.post(ev.follow_event())
    text = texts(line.replies()[0]["messages"])
    assert "ยินดีต้อนรับ" in text and "ตบช. 2.1" in text


def test_join_gets_an_introduction(webhook, line):
    webhook.post(ev.join_event())
    assert "บอท" in texts(line.replies()[0]["messages"])


def test_healthz_reports_the_database(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert json.loads(resp.data) == {"status": "ok", "database": "ok"}


def test_a_user_line_gives_no_profile_for_is_asked_again_an_hour_later_not_at_every_message(app, chat, line):
    runtime = app.extensions["bot"]
    for text in ("ตบช. 2.1", "เกณฑ์ 1.1.5", "มฐ.2"):
        chat.say(text)
    assert len(line.calls("profile")) == 1  # LINE answered 404 (no such profile): not asked at every message
    old = runtime.clock
    later = old() + timedelta(hours=1, minutes=1)
    runtime.clock = lambda: later
    try:
        line.profiles[chat.user_id] = {"displayName": "ครูสมใจ"}
        chat.say("ตบช. 2.1")
    finally:
        runtime.clock = old
    assert len(line.calls("profile")) == 2
    with get_storage(app).Session() as s:
        assert s.get(Member, chat.user_id).display_name == "ครูสมใจ"
