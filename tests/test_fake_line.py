"""Tests of the test doubles themselves: `tests.fake_line.FakeLine` driven by the real SDK client
(`linebot.v3.messaging.ApiClient` / `MessagingApi`), and `tests.line_events` parsed by the SDK's
`WebhookParser`."""
from __future__ import annotations

import http.client
import json
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (ApiClient, ApiException, BroadcastRequest, Filter, FlexBox, FlexBubble,
                                  FlexButton, FlexCarousel, FlexMessage, FlexText, GenderDemographicFilter,
                                  MessageAction, MessagingApi, MulticastRequest, NarrowcastRequest, PostbackAction, PushMessageRequest, QuickReply, QuickReplyItem, ReplyMessageRequest,
                                  ShowLoadingAnimationRequest, TextMessage)
from linebot.v3.messaging.exceptions import NotFoundException, ServiceException, UnauthorizedException
from linebot.v3.webhooks import (AudioMessageContent, CallbackRequest, Event, FileMessageContent, FollowEvent,
                                 GroupSource, ImageMessageContent, JoinEvent, LeaveEvent, LocationMessageContent,
                                 MemberJoinedEvent, MemberLeftEvent, MessageEvent, PostbackEvent, RoomSource, Source,
                                 StickerMessageContent, TextMessageContent, UnfollowEvent, UnsendEvent, UserSource,
                                 VideoMessageContent)
from linebot.v3.models.events import UnknownEvent  # not exported by linebot.v3.webhooks

from tests import line_events as ev
from tests.fake_line import FakeLine, grapheme_len, unknown_keys, utf16_len

TOKEN = "fake-line-test-token"
SECRET = "fake-line-test-secret"
USER = "U" + "1" * 32
OTHER = "U" + "4" * 32
GROUP = "C" + "2" * 32
ROOM = "R" + "3" * 32


@pytest.fixture(scope="module")
def server() -> Iterator[FakeLine]:
    with FakeLine(access_token=TOKEN) as fake:
        yield fake


@pytest.fixture
def fake(server: FakeLine) -> FakeLine:
    server.reset()
    return server


@pytest.fixture
def client(fake: FakeLine) -> Iterator[ApiClient]:
    with ApiClient(fake.configuration()) as api_client:
        yield api_client


@pytest.fixture
def api(client: ApiClient) -> MessagingApi:
    return MessagingApi(client)


def raw_post(client: ApiClient, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    """POST `body` as is through the SDK's ApiClient (its models would refuse some bodies client-side)."""
    return client.call_api(path, "POST", header_params={"Content-Type": "application/json", **(headers or {})},
                           body=body, response_types_map={"200": "object"}, _return_http_data_only=True)


def text(t: str) -> dict[str, Any]:
    return {"type": "text", "text": t}


def bubble(title: str = "มาตรฐานที่ 1") -> FlexBubble:
    return FlexBubble(body=FlexBox(layout="vertical", contents=[
        FlexText(text=title, weight="bold", wrap=True),
        FlexButton(action=PostbackAction(label="ดูรายละเอียด", data="std=1", displayText="ดูรายละเอียด")),
    ]))


# ---------------------------------------------------------------------- sending


def test_push_text_and_flex_is_recorded(fake: FakeLine, api: MessagingApi) -> None:
    req = PushMessageRequest(to=USER, messages=[TextMessage(text="สวัสดีครับ"),
                                                FlexMessage(altText="มาตรฐาน", contents=bubble())])
    resp = api.push_message_with_http_info(req)

    assert resp.status_code == 200
    assert [bool(m.quote_token) for m in resp.data.sent_messages] == [True, False]  # Flex can't be quoted
    assert all(m.id.isdigit() for m in resp.data.sent_messages)
    uuid.UUID(resp.headers["x-line-request-id"])
    [rec] = fake.requests
    assert (rec.method, rec.path, rec.status, rec.endpoint) == ("POST", "/v2/bot/message/push", 200, "push")
    assert rec.header("authorization") == f"Bearer {TOKEN}"
    assert rec.request_id == resp.headers["x-line-request-id"]
    assert fake.pushes() == [rec.json] and rec.json["to"] == USER
    assert rec.json["messages"][1]["contents"]["body"]["contents"][1]["action"]["data"] == "std=1"
    assert fake.texts() == ["สวัสดีครับ", "มาตรฐาน"]
    assert fake.usage == 1
    fake.assert_all_valid()


def test_reply_returns_sent_messages_and_token_is_single_use(fake: FakeLine, api: MessagingApi) -> None:
    token = ev.new_reply_token()
    resp = api.reply_message(ReplyMessageRequest(replyToken=token, messages=[TextMessage(text="a"),
                                                                              TextMessage(text="b")]))
    assert len(resp.sent_messages) == 2
    assert fake.replies()[0]["replyToken"] == token and fake.texts() == ["a", "b"]
    assert fake.usage == 0  # replies are free

    with pytest.raises(ApiException) as info:
        api.reply_message(ReplyMessageRequest(replyToken=token, messages=[TextMessage(text="again")]))
    assert info.value.status == 400
    assert json.loads(info.value.body)["message"] == "Invalid reply token"
    assert len(fake.invalid) == 1 and fake.texts() == ["a", "b"]
    with pytest.raises(AssertionError, match="Invalid reply token"):
        fake.assert_all_valid()


def test_multicast_broadcast_and_loading(fake: FakeLine, api: MessagingApi) -> None:
    fake.friend_count = 40
    assert api.multicast(MulticastRequest(to=[USER, OTHER], messages=[TextMessage(text="m")])) == {}
    assert api.broadcast(BroadcastRequest(messages=[FlexMessage(altText="ประกาศ", contents=FlexCarousel(
        contents=[bubble(), bubble("มาตรฐานที่ 2")]))])) == {}
    assert api.narrowcast(NarrowcastRequest(messages=[TextMessage(text="n")], filter=Filter(
        demographic=GenderDemographicFilter(oneOf=["female"])))) == {}
    assert api.show_loading_animation(ShowLoadingAnimationRequest(chatId=USER, loadingSeconds=10)) == {}
    assert fake.multicasts()[0]["to"] == [USER, OTHER]
    assert len(fake.broadcasts()) == 1 and len(fake.narrowcasts()) == 1
    assert fake.texts() == ["m", "ประกาศ", "n"]
    assert [r.status for r in fake.requests] == [200, 200, 202, 202]
    assert fake.usage == 2 + 40 + 40
    fake.assert_all_valid()


# ---------------------------------------------------------------------- validation


def test_sdk_sends_a_5001_char_text_and_the_fake_rejects_it(fake: FakeLine, api: MessagingApi) -> None:
    with pytest.raises(ApiException) as info:
        api.push_message(PushMessageRequest(to=USER, messages=[TextMessage(text="ก" * 5001)]))
    err = json.loads(info.value.body)
    assert info.value.status == 400 and err["message"] == "The request body has 1 error(s)"
    assert err["details"] == [{"message": "Length must be between 0 and 5000 (was 5001)",
                               "property": "messages[0].text"}]
    assert info.value.headers["x-line-request-id"] == fake.invalid[0].request_id
    assert fake.pushes() == [] and fake.usage == 0


QR_ITEM = {"type": "action", "action": {"type": "message", "label": "ok", "text": "ok"}}
INVALID_BODIES = {
    "six messages": ("push", {"to": USER, "messages": [text("x")] * 6}, "messages"),
    "empty text": ("push", {"to": USER, "messages": [text("")]}, "messages[0].text"),
    "emoji text over 5000 UTF-16 units": ("push", {"to": USER, "messages": [text("😀" * 2501)]},
                                          "messages[0].text"),
    "14 quick replies": ("push", {"to": USER, "messages": [{**text("x"), "quickReply": {"items": [QR_ITEM] * 14}}]},
                         "messages[0].quickReply.items"),
    "21-char quick reply label": ("push", {"to": USER, "messages": [{**text("x"), "quickReply": {"items": [
        {"type": "action", "action": {"type": "message", "label": "l" * 21, "text": "t"}}]}}]},
        "messages[0].quickReply.items[0].action.label"),
    "301-char postback data": ("push", {"to": USER, "messages": [{**text("x"), "quickReply": {"items": [
        {"type": "action", "action": {"type": "postback", "label": "l", "data": "d" * 301}}]}}]},
        "messages[0].quickReply.items[0].action.data"),
    "unknown message property": ("push", {"to": USER, "messages": [{**text("x"), "colour": "red"}]},
                                 "messages[0].colour"),
    "snake_case property": ("reply", {"replyToken": "t" * 32, "messages": [{**text("x"), "quick_reply": {}}]},
                            "messages[0].quick_reply"),
    "unknown top-level property": ("push", {"to": USER, "messages": [text("x")], "silent": True}, "silent"),
    "null value": ("push", {"to": USER, "messages": [{**text("x"), "quoteToken": None}]}, "messages[0].quoteToken"),
    "unknown message type": ("push", {"to": USER, "messages": [{"type": "txt", "text": "x"}]}, "messages[0]"),
    "1501-char altText": ("push", {"to": USER, "messages": [{"type": "flex", "altText": "a" * 1501,
                                                             "contents": bubble().to_dict()}]},
                          "messages[0].altText"),
    "13-bubble carousel": ("push", {"to": USER, "messages": [{"type": "flex", "altText": "a", "contents": {
        "type": "carousel", "contents": [bubble().to_dict()] * 13}}]}, "messages[0].contents.contents"),
    "31 KB bubble": ("push", {"to": USER, "messages": [{"type": "flex", "altText": "a", "contents": bubble(
        "x" * 31_000).to_dict()}]}, "messages[0].contents"),
    "41-char Flex button label": ("push", {"to": USER, "messages": [{"type": "flex", "altText": "a", "contents": {
        "type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": [{"type": "button", "action": {
            "type": "postback", "label": "b" * 41, "data": "d"}}]}}}]},
        "messages[0].contents.body.contents[0].action.label"),
    "http image": ("push", {"to": USER, "messages": [{"type": "image", "originalContentUrl": "http://x.th/a.jpg",
                                                      "previewImageUrl": "https://x.th/a.jpg"}]},
                   "messages[0].originalContentUrl"),
    "push to a name": ("push", {"to": "Somchai", "messages": [text("x")]}, "to"),
    "501 multicast ids": ("multicast", {"to": [USER] * 501, "messages": [text("x")]}, "to"),
    "group in multicast": ("multicast", {"to": [GROUP], "messages": [text("x")]}, "to[0]"),
    "no reply token": ("reply", {"messages": [text("x")]}, "replyToken"),
}


@pytest.mark.parametrize("case", INVALID_BODIES.keys())
def test_invalid_bodies_are_rejected_and_recorded(fake: FakeLine, client: ApiClient, case: str) -> None:
    endpoint, body, prop = INVALID_BODIES[case]
    with pytest.raises(ApiException) as info:
        raw_post(client, f"/v2/bot/message/{endpoint}", body)
    err = json.loads(info.value.body)
    assert info.value.status == 400
    assert err["message"].startswith("The request body has")
    assert prop in [d["property"] for d in err["details"]], err
    [bad] = fake.invalid
    assert bad.status == 400 and bad.json == body and not bad.delivered
    assert fake.messages() == [] and fake.usage == 0
    with pytest.raises(AssertionError, match=r"invalid request") as failure:
        fake.assert_all_valid()
    assert prop in str(failure.value)


def test_sdk_model_itself_refuses_14_quick_replies() -> None:
    """Why the test above posts raw JSON: the SDK validates some limits client-side (pydantic)."""
    with pytest.raises(ValueError):
        QuickReply(items=[QuickReplyItem(action=MessageAction(label="x", text="x"))] * 14)


def test_thai_labels_count_grapheme_clusters(fake: FakeLine, api: MessagingApi) -> None:
    label = "ดูมาตรฐานทั้งหมดที่มี"  # 21 code points, 17 clusters (vowel and tone marks combine)
    assert len(label) > 20 and grapheme_len(label) <= 20
    assert grapheme_len("👍🏽") == 1 and grapheme_len("🇹🇭") == 1 and utf16_len("😀") == 2
    items = [QuickReplyItem(action=PostbackAction(label=label, data="all", displayText=label))]
    api.push_message(PushMessageRequest(to=USER, messages=[TextMessage(text="เลือก", quickReply=QuickReply(
        items=items))]))
    fake.assert_all_valid()


def test_unparsable_json_wrong_content_type_and_unknown_path(fake: FakeLine, client: ApiClient) -> None:
    # the SDK would JSON-encode even a str body, so send broken JSON with http.client
    conn = http.client.HTTPConnection("127.0.0.1", int(fake.url.rsplit(":", 1)[1]), timeout=5)
    try:
        conn.request("POST", "/v2/bot/message/push", body=b'{"to": "U', headers={
            "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
        resp = conn.getresponse()
        answer = json.loads(resp.read())
    finally:
        conn.close()
    assert resp.status == 400 and answer["message"].startswith("The request body could not be parsed as JSON")
    with pytest.raises(ApiException) as info:
        client.call_api("/v2/bot/message/push", "POST", header_params={"Content-Type": "text/plain"},
                        body="hi", response_types_map={}, _return_http_data_only=True)
    assert info.value.status == 415
    with pytest.raises(NotFoundException) as info:
        client.call_api("/v2/bot/message/teleport", "POST", header_params={"Content-Type": "application/json"},
                        body={}, response_types_map={}, _return_http_data_only=True)
    assert json.loads(info.value.body) == {"message": "Not found"}
    assert [r.status for r in fake.invalid] == [400, 415, 404]


def test_wrong_token_is_401_and_invalid(fake: FakeLine) -> None:
    with ApiClient(fake.configuration(access_token="stale-token")) as other:
        with pytest.raises(UnauthorizedException) as info:
            MessagingApi(other).push_message(PushMessageRequest(to=USER, messages=[TextMessage(text="x")]))
    assert info.value.status == 401
    assert json.loads(info.value.body)["message"].startswith("Authentication failed")
    assert [r.status for r in fake.invalid] == [401]


# ---------------------------------------------------------------------- failure injection


@pytest.mark.parametrize("endpoint, status, exc_type, message", [
    ("reply", 400, ApiException, "Invalid reply token"),
    ("push", 429, ApiException, "Too Many Requests"),
    ("/v2/bot/message/push", 500, ServiceException, "Internal Server Error"),
])
def test_fail_next_makes_the_sdk_raise(fake: FakeLine, api: MessagingApi, endpoint: str, status: int,
                                       exc_type: type, message: str) -> None:
    fake.fail_next(endpoint, status, retry_after=3 if status == 429 else None)

    def send() -> None:
        if "reply" in endpoint:
            api.reply_message(ReplyMessageRequest(replyToken=ev.new_reply_token(), messages=[TextMessage(text="x")]))
        else:
            api.push_message(PushMessageRequest(to=USER, messages=[TextMessage(text="x")]))

    with pytest.raises(exc_type) as info:
        send()
    e = info.value
    assert e.status == status and json.loads(e.body) == {"message": message}
    assert e.headers["x-line-request-id"] == fake.requests[-1].request_id  # urllib3 HTTPHeaderDict
    assert (e.headers.get("Retry-After") == "3") == (status == 429)
    failed = fake.requests[-1]
    assert failed.status == status and failed.injected and not failed.delivered
    send()  # only the next request failed
    assert [r.status for r in fake.requests] == [status, 200]
    assert fake.texts() == ["x"]
    fake.assert_all_valid()  # injected failures are not the bot's fault


def test_fail_next_times_and_custom_body(fake: FakeLine, api: MessagingApi) -> None:
    fake.profiles[USER] = {"displayName": "Somchai"}
    fake.fail_next("profile", 503, {"message": "Service Unavailable", "details": []}, {"X-Extra": "1"}, times=2)
    for _ in range(2):
        with pytest.raises(ServiceException) as info:
            api.get_profile(USER)
        assert info.value.status == 503 and info.value.headers["x-extra"] == "1"
    assert api.get_profile(USER).display_name == "Somchai"


def test_get_with_retry_after_is_retried_silently_by_urllib3(fake: FakeLine, api: MessagingApi) -> None:
    """A surprise worth knowing: the SDK's urllib3 pool retries GETs answered 429 + Retry-After (after
    sleeping that long); POSTs are never retried."""
    fake.profiles[USER] = {"displayName": "Somchai"}
    fake.fail_next("profile", 429, retry_after=0)
    assert api.get_profile(USER).display_name == "Somchai"
    assert [r.status for r in fake.requests] == [429, 200]


# ---------------------------------------------------------------------- retry keys


def test_same_retry_key_again_is_409_with_accepted_request_id(fake: FakeLine, api: MessagingApi) -> None:
    key = str(uuid.uuid4())
    req = PushMessageRequest(to=USER, messages=[TextMessage(text="once")])
    first = api.push_message_with_http_info(req, x_line_retry_key=key)
    with pytest.raises(ApiException) as info:
        api.push_message(req, x_line_retry_key=key)
    e = info.value
    assert e.status == 409
    assert e.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    assert e.headers["x-line-request-id"] != first.headers["x-line-request-id"]
    assert json.loads(e.body)["sentMessages"][0]["id"] == first.data.sent_messages[0].id
    assert fake.texts() == ["once"] and fake.usage == 1
    assert fake.requests[0].header("X-Line-Retry-Key") == key
    api.push_message(req, x_line_retry_key=str(uuid.uuid4()))  # a new key is a new message
    assert fake.texts() == ["once", "once"]
    fake.assert_all_valid()


def test_retry_after_a_5xx_that_was_accepted_gets_409(fake: FakeLine, api: MessagingApi) -> None:
    key = str(uuid.uuid4())
    fake.fail_next("multicast", 500, accept=True)  # "5xx, but the message went out"
    req = MulticastRequest(to=[USER, OTHER], messages=[TextMessage(text="once")])
    with pytest.raises(ServiceException):
        api.multicast(req, x_line_retry_key=key)
    with pytest.raises(ApiException) as info:
        api.multicast(req, x_line_retry_key=key)
    assert info.value.status == 409
    assert info.value.headers["x-line-accepted-request-id"] == fake.requests[0].request_id
    assert len(fake.multicasts()) == 1 and fake.usage == 2


def test_retry_after_a_plain_5xx_is_accepted(fake: FakeLine, api: MessagingApi) -> None:
    key = str(uuid.uuid4())
    fake.fail_next("broadcast", 500)
    req = BroadcastRequest(messages=[TextMessage(text="news")])
    with pytest.raises(ServiceException):
        api.broadcast(req, x_line_retry_key=key)
    assert api.broadcast(req, x_line_retry_key=key) == {}
    assert fake.texts() == ["news"]


def test_malformed_or_misplaced_retry_key_is_invalid(fake: FakeLine, client: ApiClient) -> None:
    with pytest.raises(ApiException) as info:
        raw_post(client, "/v2/bot/message/push", {"to": USER, "messages": [text("x")]}, {"X-Line-Retry-Key": "abc"})
    assert info.value.status == 400
    with pytest.raises(ApiException) as info:  # LINE: only push/multicast/narrowcast/broadcast take one
        raw_post(client, "/v2/bot/message/reply", {"replyToken": "t" * 32, "messages": [text("x")]},
                 {"X-Line-Retry-Key": str(uuid.uuid4())})
    assert info.value.status == 400
    assert len(fake.invalid) == 2 and fake.messages() == []


# ---------------------------------------------------------------------- profiles, groups, quota


def test_profile_200_and_404(fake: FakeLine, api: MessagingApi) -> None:
    fake.profiles[USER] = {"displayName": "สมชาย", "pictureUrl": "https://profile.line-scdn.net/x",
                           "language": "th"}
    p = api.get_profile(USER)
    assert (p.user_id, p.display_name, p.picture_url, p.language) == (USER, "สมชาย",
                                                                    "https://profile.line-scdn.net/x", "th")
    with pytest.raises(NotFoundException) as info:
        api.get_profile(OTHER)
    assert info.value.status == 404 and json.loads(info.value.body) == {"message": "Not found"}
    fake.assert_all_valid()  # a 404 for an unknown user is LINE's normal answer


def test_group_and_room_endpoints(fake: FakeLine, api: MessagingApi) -> None:
    fake.profiles[USER] = {"displayName": "สมชาย"}
    fake.groups[GROUP] = {"groupName": "สพป. เขต 1", "count": 7, "members": [USER]}
    fake.rooms[ROOM] = {"count": 3}
    summary = api.get_group_summary(GROUP)
    assert (summary.group_id, summary.group_name) == (GROUP, "สพป. เขต 1")
    assert api.get_group_member_count(GROUP).count == 7
    assert api.get_group_member_profile(GROUP, USER).display_name == "สมชาย"
    assert api.get_room_member_count(ROOM).count == 3
    with pytest.raises(NotFoundException):
        api.get_group_member_profile(GROUP, OTHER)
    with pytest.raises(NotFoundException):
        api.get_group_summary("C" + "9" * 32)
    assert [r.endpoint for r in fake.requests] == ["group_summary", "group_members_count", "group_member_profile",
                                                   "room_members_count", "group_member_profile", "group_summary"]


def test_quota_and_consumption(fake: FakeLine, api: MessagingApi) -> None:
    fake.quota = 12
    fake.groups[GROUP] = {"groupName": "g", "count": 7}
    quota = api.get_message_quota()
    assert (quota.type.value, quota.value) == ("limited", 12)
    api.push_message(PushMessageRequest(to=GROUP, messages=[TextMessage(text="a"), TextMessage(text="b")]))
    api.multicast(MulticastRequest(to=[USER, OTHER, "U" + "5" * 32], messages=[TextMessage(text="c")]))
    api.reply_message(ReplyMessageRequest(replyToken=ev.new_reply_token(), messages=[TextMessage(text="d")]))
    assert api.get_message_quota_consumption().total_usage == 7 + 3 == fake.usage
    with pytest.raises(ApiException) as info:  # 10 used + 7 > 12
        api.push_message(PushMessageRequest(to=GROUP, messages=[TextMessage(text="e")]))
    assert info.value.status == 429
    assert json.loads(info.value.body) == {"message": "You have reached your monthly limit."}
    assert fake.texts() == ["a", "b", "c", "d"]
    fake.quota = None
    assert api.get_message_quota().type.value == "none"
    assert api.get_bot_info().user_id == ev.DESTINATION


# ---------------------------------------------------------------------- server mechanics


def test_concurrent_requests_are_all_recorded(fake: FakeLine) -> None:
    def worker(n: int) -> None:
        with ApiClient(fake.configuration()) as c:
            api = MessagingApi(c)
            for i in range(5):
                api.push_message(PushMessageRequest(to=USER, messages=[TextMessage(text=f"{n}-{i}")]))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(fake.texts()) == sorted(f"{n}-{i}" for n in range(4) for i in range(5))
    assert len({r.request_id for r in fake.requests}) == 20
    assert len(fake.wait_for_requests(20, timeout=0.1)) == 20


def test_start_stop_and_reset() -> None:
    fake = FakeLine(access_token=TOKEN)
    with pytest.raises(RuntimeError):
        fake.configuration()
    with fake:
        assert fake.start() is fake  # idempotent
        port = int(fake.url.rsplit(":", 1)[1])
        fake.profiles[USER] = {"displayName": "x"}
        with ApiClient(fake.configuration()) as c:
            MessagingApi(c).get_profile(USER)
        fake.reset(keep_config=True)
        assert fake.requests == [] and USER in fake.profiles
        fake.reset()
        assert fake.profiles == {}
    fake.stop()  # idempotent
    assert fake.url is None
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0


# ---------------------------------------------------------------------- webhook builders


def parse(*events: dict[str, Any]) -> list[Any]:
    raw = ev.body(*events)
    return WebhookParser(SECRET).parse(raw.decode("utf-8"), ev.sign(raw, SECRET))


BUILDERS = {
    "text": (lambda: ev.text_event("สวัสดี"), MessageEvent, TextMessageContent, UserSource),
    "text in group": (lambda: ev.text_event("hi", group_id=GROUP), MessageEvent, TextMessageContent, GroupSource),
    "text in room": (lambda: ev.text_event("hi", room_id=ROOM), MessageEvent, TextMessageContent, RoomSource),
    "sticker": (lambda: ev.sticker_event(keywords=["Hello"]), MessageEvent, StickerMessageContent, UserSource),
    "image": (lambda: ev.image_event(), MessageEvent, ImageMessageContent, UserSource),
    "video": (lambda: ev.media_event("video"), MessageEvent, VideoMessageContent, UserSource),
    "audio": (lambda: ev.media_event("audio"), MessageEvent, AudioMessageContent, UserSource),
    "file": (lambda: ev.media_event("file"), MessageEvent, FileMessageContent, UserSource),
    "location": (lambda: ev.media_event("location"), MessageEvent, LocationMessageContent, UserSource),
    "postback": (lambda: ev.postback_event("a=1", params={"date": "2025-01-31"}), PostbackEvent, None, UserSource),
    "follow": (lambda: ev.follow_event(), FollowEvent, None, UserSource),
    "unfollow": (lambda: ev.unfollow_event(), UnfollowEvent, None, UserSource),
    "join": (lambda: ev.join_event(GROUP), JoinEvent, None, GroupSource),
    "leave": (lambda: ev.leave_event(GROUP), LeaveEvent, None, GroupSource),
    "memberJoined": (lambda: ev.member_joined_event(GROUP, [USER, OTHER]), MemberJoinedEvent, None, GroupSource),
    "memberLeft": (lambda: ev.member_left_event(GROUP, [OTHER]), MemberLeftEvent, None, GroupSource),
    "unsend": (lambda: ev.unsend_event("325708"), UnsendEvent, None, UserSource),
}


@pytest.mark.parametrize("name", BUILDERS.keys())
def test_builders_parse_with_the_sdk(name: str) -> None:
    build, event_cls, content_cls, source_cls = BUILDERS[name]
    event = build()
    [parsed] = parse(event)
    assert type(parsed) is event_cls
    assert type(parsed.source) is source_cls
    if content_cls is not None:
        assert type(parsed.message) is content_cls
    assert parsed.webhook_event_id == event["webhookEventId"] and parsed.mode.value == "active"
    assert parsed.delivery_context.is_redelivery is False
    # every key we send is one the SDK model knows (nothing silently dropped), and the strict
    # CallbackRequest model (33-char destination…) accepts the whole body
    assert unknown_keys(event, Event.from_dict(event).to_dict()) == []
    CallbackRequest.from_json(ev.body(event).decode("utf-8"))
    if "replyToken" in event:
        assert len(event["replyToken"]) == 32 and parsed.reply_token == event["replyToken"]


def test_text_event_fields() -> None:
    e = ev.text_event("@Bot ขอดูมาตรฐาน 😀 @Bot", USER, GROUP, redelivery=True, event_id="01J" + "0" * 23,
                      mentionees=[ev.mentionee_for("@Bot ขอดูมาตรฐาน 😀 @Bot", "@Bot", is_self=True, occurrence=1)])
    [parsed] = parse(e)
    assert parsed.delivery_context.is_redelivery is True and parsed.webhook_event_id == "01J" + "0" * 23
    assert (parsed.source.group_id, parsed.source.user_id) == (GROUP, USER)
    msg = parsed.message
    assert msg.text.startswith("@Bot") and msg.quote_token and msg.id.isdigit() and len(msg.id) == 18
    [m] = msg.mention.mentionees
    assert m.is_self is True and (m.index, m.length) == (20, 4)  # 😀 counts 2 UTF-16 units
    assert e["timestamp"] > 1_600_000_000_000


def test_ids_are_fresh_ulids() -> None:
    ids = {ev.text_event("x")["webhookEventId"] for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) == 26 and set(i) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for i in ids)
    assert ev.new_event_id(1)[:10] < ev.new_event_id(2)[:10]  # the time prefix sorts


def test_unknown_event_type_parses_to_lossy_unknown_event() -> None:
    """The SDK turns an unknown type into `UnknownEvent` (an `Event`): the source degrades to a bare
    `Source` (no userId), and the replyToken and payload are dropped."""
    [parsed] = parse(ev.unknown_event())
    assert type(parsed) is UnknownEvent and isinstance(parsed, Event)
    assert parsed.type == "futureThing" and parsed.webhook_event_id
    assert type(parsed.source) is Source and not hasattr(parsed.source, "user_id")
    assert not hasattr(parsed, "reply_token")


def test_malformed_known_event_also_becomes_unknown_event() -> None:
    """The parser catches ValueError (pydantic errors included): a broken or future message type is
    not an error but an `UnknownEvent` of type "message"; hence the class checks above."""
    future = ev.text_event("x")
    future["message"]["type"] = "hologram"
    broken = ev.text_event("x")
    del broken["message"]["quoteToken"]
    assert [(type(e).__name__, e.type) for e in parse(future, broken)] == [("UnknownEvent", "message")] * 2


def test_body_is_compact_utf8_and_signed() -> None:
    raw = ev.body(ev.text_event("สวัสดี"))
    assert "สวัสดี".encode() in raw and b", " not in raw and b": " not in raw
    assert json.loads(raw)["destination"] == ev.DESTINATION
    assert ev.body() == b'{"destination":"' + ev.DESTINATION.encode() + b'","events":[]}'
    assert WebhookParser(SECRET).parse(ev.body().decode(), ev.sign(ev.body(), SECRET)) == []
    with pytest.raises(InvalidSignatureError):
        WebhookParser(SECRET).parse(raw.decode(), ev.sign(raw, "another-secret"))
