"""Webhook request bodies as LINE sends them, for tests.

Each builder returns one webhook event object (a dict, keys and shapes as in LINE's Messaging API
webhook reference and the SDK's `linebot.v3.webhooks.models`); `body` wraps events into the request
body LINE POSTs (compact UTF-8 JSON) and `sign` computes its ``X-Line-Signature``::

    raw = body(text_event("hello"), follow_event(user_id=OTHER))
    client.post("/callback", data=raw, headers={"X-Line-Signature": sign(raw, SECRET)})

Every event gets a fresh ULID ``webhookEventId``, a millisecond ``timestamp``, ``mode: "active"`` and
``deliveryContext``; events that can be replied to get a fresh 32-hex ``replyToken`` (pass
``reply_token=`` to fix it). Sources: a user (default `DEFAULT_USER_ID`), or a group / room when
`group_id` / `room_id` is given (then ``userId`` is included for message-like events, as on LINE).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import secrets
import time
import uuid
from typing import Any

__all__ = ["DESTINATION", "DEFAULT_USER_ID", "DEFAULT_GROUP_ID", "DEFAULT_ROOM_ID", "new_event_id",
           "new_reply_token", "new_message_id", "new_quote_token", "source", "text_event", "user_mentionee",
           "all_mentionee", "mentionee_for", "sticker_event", "image_event", "media_event", "postback_event",
           "follow_event", "unfollow_event", "join_event", "leave_event", "member_joined_event",
           "member_left_event", "unsend_event", "unknown_event", "body", "sign"]

DESTINATION = "U" + "0" * 32
"""The bot's user ID as LINE puts it in ``destination`` (the fake's `BOT_USER_ID` too)."""
DEFAULT_USER_ID = "U" + "1" * 32
DEFAULT_GROUP_ID = "C" + "2" * 32
DEFAULT_ROOM_ID = "R" + "3" * 32

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_event_id(timestamp_ms: int | None = None) -> str:
    """A ULID (26 Crockford base-32 characters: 48-bit millisecond time + 80 random bits), the
    format of LINE's ``webhookEventId``."""
    ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    value = (ms << 80) | secrets.randbits(80)
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in range(25, -1, -1))


def new_reply_token() -> str:
    """A fresh reply token (32 hex characters)."""
    return uuid.uuid4().hex


def new_message_id() -> str:
    """A message ID as LINE sends it: a string of 18 digits."""
    return str(random.randrange(10 ** 17, 10 ** 18))


def new_quote_token() -> str:
    """A quote token (an opaque URL-safe string of about a hundred characters, like LINE's)."""
    return secrets.token_urlsafe(72)


def _now_ms() -> int:
    return int(time.time() * 1000)


def source(user_id: str | None = DEFAULT_USER_ID, group_id: str | None = None,
           room_id: str | None = None) -> dict[str, Any]:
    """A source object: ``{"type": "user", "userId"}``, or group / room (``userId`` only when given)."""
    if group_id is not None:
        src: dict[str, Any] = {"type": "group", "groupId": group_id}
    elif room_id is not None:
        src = {"type": "room", "roomId": room_id}
    else:
        return {"type": "user", "userId": user_id}
    if user_id is not None:
        src["userId"] = user_id
    return src


def _event(type_: str, src: dict[str, Any], *, reply: bool, reply_token: str | None, redelivery: bool,
           event_id: str | None, timestamp: int | None, mode: str) -> dict[str, Any]:
    ts = _now_ms() if timestamp is None else timestamp
    event: dict[str, Any] = {}
    if reply:
        event["replyToken"] = reply_token or new_reply_token()
    event.update({"type": type_, "mode": mode, "timestamp": ts, "source": src,
                  "webhookEventId": event_id or new_event_id(ts), "deliveryContext": {"isRedelivery": redelivery}})
    return event


def _utf16_index(text: str, pos: int) -> int:
    return len(text[:pos].encode("utf-16-le")) // 2


def user_mentionee(index: int, length: int, user_id: str | None = None, is_self: bool = False) -> dict[str, Any]:
    """A ``type: user`` mentionee (`index`/`length` in UTF-16 code units, as LINE counts them)."""
    m: dict[str, Any] = {"index": index, "length": length, "type": "user"}
    if user_id is not None:
        m["userId"] = user_id
    m["isSelf"] = is_self
    return m


def all_mentionee(index: int, length: int) -> dict[str, Any]:
    """A ``type: all`` mentionee (``@All``)."""
    return {"index": index, "length": length, "type": "all"}


def mentionee_for(text: str, handle: str, *, user_id: str | None = None, is_self: bool = False,
                  occurrence: int = 0) -> dict[str, Any]:
    """The mentionee for the `occurrence`-th appearance of `handle` (e.g. ``"@Bot"``) in `text`, with its
    UTF-16 index and length; ``handle == "@All"`` gives an ``all`` mentionee."""
    pos = -1
    for _ in range(occurrence + 1):
        pos = text.index(handle, pos + 1)
    index, length = _utf16_index(text, pos), len(handle.encode("utf-16-le")) // 2
    if handle == "@All":
        return all_mentionee(index, length)
    return user_mentionee(index, length, user_id=user_id, is_self=is_self)


def text_event(text: str, user_id: str | None = DEFAULT_USER_ID, group_id: str | None = None,
               redelivery: bool = False, event_id: str | None = None, *, room_id: str | None = None,
               reply_token: str | None = None, timestamp: int | None = None, mode: str = "active",
               message_id: str | None = None, mentionees: list[dict[str, Any]] | None = None,
               emojis: list[dict[str, Any]] | None = None, quoted_message_id: str | None = None) -> dict[str, Any]:
    """A text message event (``message: {id, type: text, quoteToken, text, emojis?, mention?}``).

    `mentionees` (see `mentionee_for`) become ``mention: {mentionees}``; `emojis` are LINE emoji objects
    ``{index, length, productId, emojiId}``.
    """
    event = _event("message", source(user_id, group_id, room_id), reply=True, reply_token=reply_token,
                   redelivery=redelivery, event_id=event_id, timestamp=timestamp, mode=mode)
    message: dict[str, Any] = {"id": message_id or new_message_id(), "type": "text",
                               "quoteToken": new_quote_token(), "text": text}
    if emojis:
        message["emojis"] = emojis
    if mentionees:
        message["mention"] = {"mentionees": mentionees}
    if quoted_message_id:
        message["quotedMessageId"] = quoted_message_id
    event["message"] = message
    return event


def sticker_event(package_id: str = "446", sticker_id: str = "1988", user_id: str | None = DEFAULT_USER_ID,
                  group_id: str | None = None, *, room_id: str | None = None, resource_type: str = "STATIC",
                  keywords: list[str] | None = None, text: str | None = None, redelivery: bool = False,
                  event_id: str | None = None, reply_token: str | None = None, timestamp: int | None = None,
                  message_id: str | None = None) -> dict[str, Any]:
    """A sticker message event (``packageId``, ``stickerId``, ``stickerResourceType``, ``keywords``,
    ``quoteToken``, and ``text`` for message stickers)."""
    event = _event("message", source(user_id, group_id, room_id), reply=True, reply_token=reply_token,
                   redelivery=redelivery, event_id=event_id, timestamp=timestamp, mode="active")
    message: dict[str, Any] = {"type": "sticker", "id": message_id or new_message_id(),
                               "quoteToken": new_quote_token(), "stickerId": sticker_id, "packageId": package_id,
                               "stickerResourceType": resource_type,
                               "keywords": list(keywords) if keywords is not None else ["Happy", "Smile"]}
    if text is not None:
        message["text"] = text
    event["message"] = message
    return event


def image_event(user_id: str | None = DEFAULT_USER_ID, group_id: str | None = None, *, room_id: str | None = None,
                external_url: str | None = None, image_set: dict[str, Any] | None = None,
                redelivery: bool = False, event_id: str | None = None, reply_token: str | None = None,
                timestamp: int | None = None, message_id: str | None = None) -> dict[str, Any]:
    """An image message event: ``contentProvider: {type: line}`` (content fetched from LINE), or
    ``external`` with `external_url`; `image_set` like ``{"id": ..., "index": 1, "total": 2}``."""
    return media_event("image", user_id, group_id, room_id=room_id, external_url=external_url,
                       image_set=image_set, redelivery=redelivery, event_id=event_id, reply_token=reply_token,
                       timestamp=timestamp, message_id=message_id)


def media_event(kind: str, user_id: str | None = DEFAULT_USER_ID, group_id: str | None = None, *,
                room_id: str | None = None, external_url: str | None = None,
                image_set: dict[str, Any] | None = None, duration: int = 5000, file_name: str = "evidence.pdf",
                file_size: int = 20480, latitude: float = 13.7563, longitude: float = 100.5018,
                title: str | None = "Bangkok", address: str | None = "Bangkok, Thailand", redelivery: bool = False,
                event_id: str | None = None, reply_token: str | None = None, timestamp: int | None = None,
                message_id: str | None = None) -> dict[str, Any]:
    """A message event of `kind` "image", "video", "audio", "file" or "location", with the fields LINE
    sends for it (``quoteToken`` only for image and video, as in the SDK models)."""
    event = _event("message", source(user_id, group_id, room_id), reply=True, reply_token=reply_token,
                   redelivery=redelivery, event_id=event_id, timestamp=timestamp, mode="active")
    message: dict[str, Any] = {"type": kind, "id": message_id or new_message_id()}
    provider: dict[str, Any] = {"type": "line"}
    if external_url:
        provider = {"type": "external", "originalContentUrl": external_url, "previewImageUrl": external_url}
    if kind in ("image", "video"):
        message["quoteToken"] = new_quote_token()
    if kind in ("image", "video", "audio"):
        message["contentProvider"] = provider
    if kind in ("video", "audio"):
        message["duration"] = duration
    if kind == "image" and image_set:
        message["imageSet"] = image_set
    if kind == "file":
        message.update({"fileName": file_name, "fileSize": file_size})
    if kind == "location":
        if title is not None:
            message["title"] = title
        if address is not None:
            message["address"] = address
        message.update({"latitude": latitude, "longitude": longitude})
    if kind not in ("image", "video", "audio", "file", "location"):
        raise ValueError(f"unsupported media kind {kind!r}")
    event["message"] = message
    return event


def postback_event(data: str, user_id: str | None = DEFAULT_USER_ID, group_id: str | None = None,
                   redelivery: bool = False, event_id: str | None = None, *, room_id: str | None = None,
                   params: dict[str, str] | None = None, reply_token: str | None = None,
                   timestamp: int | None = None) -> dict[str, Any]:
    """A postback event (``postback: {data, params?}``; `params` e.g. ``{"date": "2025-01-31"}`` from a
    datetime picker, or ``{"newRichMenuAliasId": ..., "status": "SUCCESS"}``)."""
    event = _event("postback", source(user_id, group_id, room_id), reply=True, reply_token=reply_token,
                   redelivery=redelivery, event_id=event_id, timestamp=timestamp, mode="active")
    event["postback"] = {"data": data, **({"params": dict(params)} if params is not None else {})}
    return event


def follow_event(user_id: str = DEFAULT_USER_ID, *, is_unblocked: bool = False, redelivery: bool = False,
                 event_id: str | None = None, reply_token: str | None = None,
                 timestamp: int | None = None) -> dict[str, Any]:
    """A follow event (friend added, or unblocked with ``is_unblocked``): ``follow: {isUnblocked}``."""
    event = _event("follow", source(user_id), reply=True, reply_token=reply_token, redelivery=redelivery,
                   event_id=event_id, timestamp=timestamp, mode="active")
    event["follow"] = {"isUnblocked": is_unblocked}
    return event


def unfollow_event(user_id: str = DEFAULT_USER_ID, *, redelivery: bool = False, event_id: str | None = None,
                   timestamp: int | None = None) -> dict[str, Any]:
    """An unfollow (blocked) event; no reply token."""
    return _event("unfollow", source(user_id), reply=False, reply_token=None, redelivery=redelivery,
                  event_id=event_id, timestamp=timestamp, mode="active")


def join_event(group_id: str | None = DEFAULT_GROUP_ID, *, room_id: str | None = None, redelivery: bool = False,
               event_id: str | None = None, reply_token: str | None = None,
               timestamp: int | None = None) -> dict[str, Any]:
    """The bot joined a group (or a room with `room_id` and ``group_id=None``); source has no userId."""
    return _event("join", source(None, group_id, room_id), reply=True, reply_token=reply_token,
                  redelivery=redelivery, event_id=event_id, timestamp=timestamp, mode="active")


def leave_event(group_id: str | None = DEFAULT_GROUP_ID, *, room_id: str | None = None, redelivery: bool = False,
                event_id: str | None = None, timestamp: int | None = None) -> dict[str, Any]:
    """The bot was removed from a group (or room); no reply token."""
    return _event("leave", source(None, group_id, room_id), reply=False, reply_token=None, redelivery=redelivery,
                  event_id=event_id, timestamp=timestamp, mode="active")


def member_joined_event(group_id: str | None = DEFAULT_GROUP_ID, user_ids: list[str] | tuple[str, ...] = (
        DEFAULT_USER_ID,), *, room_id: str | None = None, redelivery: bool = False, event_id: str | None = None,
        reply_token: str | None = None, timestamp: int | None = None) -> dict[str, Any]:
    """Users joined a group the bot is in: ``joined: {members: [{type: user, userId}, ...]}``."""
    event = _event("memberJoined", source(None, group_id, room_id), reply=True, reply_token=reply_token,
                   redelivery=redelivery, event_id=event_id, timestamp=timestamp, mode="active")
    event["joined"] = {"members": [{"type": "user", "userId": u} for u in user_ids]}
    return event


def member_left_event(group_id: str | None = DEFAULT_GROUP_ID, user_ids: list[str] | tuple[str, ...] = (
        DEFAULT_USER_ID,), *, room_id: str | None = None, redelivery: bool = False, event_id: str | None = None,
        timestamp: int | None = None) -> dict[str, Any]:
    """Users left a group the bot is in: ``left: {members: [...]}``; no reply token."""
    event = _event("memberLeft", source(None, group_id, room_id), reply=False, reply_token=None,
                   redelivery=redelivery, event_id=event_id, timestamp=timestamp, mode="active")
    event["left"] = {"members": [{"type": "user", "userId": u} for u in user_ids]}
    return event


def unsend_event(message_id: str, user_id: str | None = DEFAULT_USER_ID, group_id: str | None = None, *,
                 room_id: str | None = None, redelivery: bool = False, event_id: str | None = None,
                 timestamp: int | None = None) -> dict[str, Any]:
    """A user unsent message `message_id`: ``unsend: {messageId}``; no reply token."""
    event = _event("unsend", source(user_id, group_id, room_id), reply=False, reply_token=None,
                   redelivery=redelivery, event_id=event_id, timestamp=timestamp, mode="active")
    event["unsend"] = {"messageId": message_id}
    return event


def unknown_event(type_: str = "futureThing", user_id: str | None = DEFAULT_USER_ID, group_id: str | None = None, *,
                  payload: dict[str, Any] | None = None, reply: bool = True, redelivery: bool = False,
                  event_id: str | None = None, reply_token: str | None = None,
                  timestamp: int | None = None) -> dict[str, Any]:
    """An event of a type this SDK does not know (LINE adds event types over time), with the common
    fields and a ``futureThing``-style payload under the type's name."""
    event = _event(type_, source(user_id, group_id), reply=reply, reply_token=reply_token,
                   redelivery=redelivery, event_id=event_id, timestamp=timestamp, mode="active")
    event[type_] = payload if payload is not None else {"detail": "something new"}
    return event


def body(*events: dict[str, Any], destination: str = DESTINATION) -> bytes:
    """The webhook request body LINE POSTs: ``{"destination", "events"}`` as compact UTF-8 JSON (no
    escaping of non-ASCII text). No events gives LINE's connection-check body."""
    return json.dumps({"destination": destination, "events": list(events)}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def sign(raw: bytes, channel_secret: str) -> str:
    """``X-Line-Signature`` of `raw`: base64 of HMAC-SHA256 keyed with the channel secret (tests only)."""
    digest = hmac.new(channel_secret.encode("utf-8"), raw, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")
