"""Map LINE SDK webhook events (`linebot.v3.webhooks`) to our `handlers.core.types.Input`."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from linebot.v3.webhooks import (FollowEvent, GroupSource, JoinEvent, LeaveEvent, MemberJoinedEvent,
                                 MemberLeftEvent, MessageEvent, PostbackEvent, RoomSource, StickerMessageContent,
                                 TextMessageContent, UnfollowEvent, UserSource)

from handlers.core.types import Input, Media

MEDIA_TYPES = ("image", "video", "audio", "file", "location")


def event_id(event: Any) -> str | None:
    """LINE's `webhookEventId` of any event (also the SDK's legacy UnknownEvent), or None."""
    return getattr(event, "webhook_event_id", None)


def event_type(event: Any) -> str:
    return str(getattr(event, "type", None) or type(event).__name__)


def reply_token(event: Any) -> str | None:
    return getattr(event, "reply_token", None)


def _source(event: Any) -> tuple[str, str, str | None] | None:
    src = getattr(event, "source", None)
    if isinstance(src, UserSource):
        return "user", src.user_id, src.user_id
    if isinstance(src, GroupSource):
        return "group", src.group_id, src.user_id
    if isinstance(src, RoomSource):
        return "room", src.room_id, src.user_id
    return None


def _strip_self_mention(content: TextMessageContent) -> tuple[str, bool]:
    text = content.text or ""
    mentionees = getattr(content.mention, "mentionees", None) or []
    selves = sorted((m for m in mentionees if getattr(m, "is_self", False)), key=lambda m: m.index, reverse=True)
    for m in selves:  # LINE counts index/length in UTF-16 code units
        units = text.encode("utf-16-le")
        text = (units[: 2 * m.index] + units[2 * (m.index + m.length):]).decode("utf-16-le", errors="ignore")
    return text.strip(), bool(selves)


def to_input(event: Any) -> Input | None:
    """Our `Input` for `event`, or None for events without a usable source (unknown types)."""
    where = _source(event)
    if where is None:
        return None
    chat_kind, chat_id, user_id = where
    ts = getattr(event, "timestamp", None)
    timestamp = datetime.fromtimestamp(ts / 1000, timezone.utc) if ts else datetime.now(timezone.utc)
    base: dict[str, Any] = dict(chat_kind=chat_kind, chat_id=chat_id, user_id=user_id, timestamp=timestamp,
                                event_type=event_type(event))
    if isinstance(event, MessageEvent):
        content = event.message
        if isinstance(content, TextMessageContent):
            text, mentioned = _strip_self_mention(content)
            return Input(kind="text", text=text, mentioned=mentioned, **base)
        if isinstance(content, StickerMessageContent):
            return Input(kind="sticker", **base)
        kind = getattr(content, "type", None)
        if kind in MEDIA_TYPES:
            media = None
            if kind != "location":
                name = getattr(content, "file_name", None) or f"{kind}-{content.id}"
                media = Media(message_id=str(content.id), kind=str(kind), name=str(name))
            return Input(kind="media", media=media, **base)
        return Input(kind="other", **base)
    if isinstance(event, PostbackEvent):
        if (event.postback.params or {}).get("newRichMenuAliasId"):  # a rich menu tab (LINE switched it)
            return Input(kind="other", **base)
        params = event.postback.params or {}
        picked = str(params.get("datetime") or params.get("date") or params.get("time") or "")
        return Input(kind="postback", data=event.postback.data or "", picked=picked, **base)
    if isinstance(event, FollowEvent):
        return Input(kind="follow", **base)
    if isinstance(event, JoinEvent):
        return Input(kind="join", **base)
    if isinstance(event, UnfollowEvent):
        return Input(kind="unfollow", **base)
    if isinstance(event, LeaveEvent):
        return Input(kind="leave", **base)
    if isinstance(event, (MemberJoinedEvent, MemberLeftEvent)):
        people = event.joined if isinstance(event, MemberJoinedEvent) else event.left
        ids = tuple(m.user_id for m in (people.members or []) if getattr(m, "user_id", None))
        kind = "member_joined" if isinstance(event, MemberJoinedEvent) else "member_left"
        return Input(kind=kind, member_ids=ids, **base)
    return Input(kind="other", **base)
