"""The one place that calls the LINE Messaging API (through the SDK's `MessagingApi`), or, offline, logs.

`Sender.respond` replies with the event's reply token. When LINE says the token is invalid or expired,
it says so ("no-token") and the caller pushes through the outbox instead; when LINE rejects a Flex
message it retries once as plain text. Every LINE error is logged with its status and
`x-line-request-id`, never raised into the webhook (LINE must still get its 200).
`SdkLineApi.send` delivers outbox rows (push, multicast, broadcast) with their `X-Line-Retry-Key`, and
rich menu links (kind "richmenu", which LINE does not take a retry key for; linking is idempotent).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from urllib3.exceptions import HTTPError as Urllib3Error
from linebot.v3.messaging import (ApiClient, ApiException, BroadcastRequest, Configuration, FlexMessage, Message,
                                  MessagingApi, MessagingApiBlob, MulticastRequest, PushMessageRequest,
                                  RichMenuBulkLinkRequest, RichMenuBulkUnlinkRequest,
                                  TextMessage)

log = logging.getLogger(__name__)
REQUEST_TIMEOUT = 10  # seconds, per LINE API call that sends
INFO_TIMEOUT = 3  # seconds, per read-only call made while answering a webhook
REPLY_RESPONSE_TYPES = {"200": "ReplyMessageResponse", "400": "ErrorResponse", "429": "ErrorResponse"}  # as the SDK's


class LineApi(Protocol):
    """What the bot needs from LINE; `reply` and `send` raise `ApiException` on an error status, the
    read-only calls (`profile`, `quota`, `usage`, `group_member_count`, `group_name`) answer None instead.
    The read-only calls are made only outside database transactions (`bot.runtime.BotRuntime.refresh_facts`);
    handlers read their cached answers (`storage.line_facts`).

    `send` delivers an outbox row: kind "push" (one recipient), "multicast" (≤500 user IDs) or
    "broadcast" (every follower), with `retry_key` as `X-Line-Retry-Key`; it returns the
    `x-line-request-id`. Kind "richmenu" links ≤500 users to ``messages[0]["richMenuId"]`` (None:
    unlinks them, back to the default menu), without a retry key.
    """

    def reply(self, reply_token: str, messages: list[dict[str, Any]]) -> None: ...

    def send(self, kind: str, recipients: list[str], messages: list[dict[str, Any]], retry_key: str) -> str | None: ...

    def profile(self, user_id: str, chat_id: str | None = None) -> dict[str, Any] | None: ...

    def quota(self) -> dict[str, int | None] | None: ...

    def usage(self) -> int | None: ...

    def group_member_count(self, chat_id: str) -> int | None: ...

    def group_name(self, chat_id: str) -> str | None: ...


class SdkLineApi:
    """`LineApi` over the SDK client; `base_url` is LINE's or a fake's (tests, local trials), `data_url`
    the content host's (``https://api-data.line.me``: rich menu images, message content). The SDK's
    `MessagingApiBlob` names that host itself only when its `Configuration` has no host, so it gets a
    client of its own. `messaging` and `blob` are the SDK APIs, for `bot.richmenu`'s deploy."""

    def __init__(self, base_url: str, access_token: str, data_url: str = "https://api-data.line.me") -> None:
        self._client = ApiClient(Configuration(host=base_url.rstrip("/"), access_token=access_token))
        self._data_client = ApiClient(Configuration(host=data_url.rstrip("/"), access_token=access_token))
        self._api = MessagingApi(self._client)
        self.messaging = self._api
        self.blob = MessagingApiBlob(self._data_client)

    def reply(self, reply_token: str, messages: list[dict[str, Any]]) -> None:
        """POST /v2/bot/message/reply with `messages` (LINE message objects as `bot.render.payload` makes
        them, already checked by the SDK's models when they were built). Sent through the SDK's
        `ApiClient.call_api`, as `MessagingApi.reply_message` does, but without building a
        `ReplyMessageRequest` and serialising its models again (most of a webhook's time otherwise).
        Raises `ApiException` on an error status."""
        self._client.call_api(
            "/v2/bot/message/reply", "POST",
            header_params={"Accept": "application/json", "Content-Type": "application/json"},
            body={"replyToken": reply_token, "messages": messages}, auth_settings=["Bearer"],
            response_types_map=REPLY_RESPONSE_TYPES, _host=self._api.line_base_path)

    def send(self, kind: str, recipients: list[str], messages: list[dict[str, Any]], retry_key: str) -> str | None:
        opts = {"x_line_retry_key": retry_key, "_request_timeout": REQUEST_TIMEOUT}
        if kind == "push":
            resp = self._api.push_message_with_http_info(
                PushMessageRequest.from_dict({"to": recipients[0], "messages": messages}), **opts)
        elif kind == "multicast":
            resp = self._api.multicast_with_http_info(
                MulticastRequest.from_dict({"to": recipients, "messages": messages}), **opts)
        elif kind == "broadcast":
            resp = self._api.broadcast_with_http_info(BroadcastRequest.from_dict({"messages": messages}), **opts)
        elif kind == "richmenu":
            resp = self._link(recipients, messages[0].get("richMenuId"))
        else:
            raise ValueError(kind)
        return (resp.headers or {}).get("x-line-request-id")

    def _link(self, users: list[str], rich_menu_id: str | None):
        """Link `users` to `rich_menu_id`, or unlink them (None); one user by the per-user endpoint, more
        by the bulk one (LINE applies a bulk request shortly after its 202)."""
        opts: dict[str, Any] = {"_request_timeout": REQUEST_TIMEOUT}
        if rich_menu_id and len(users) == 1:
            return self._api.link_rich_menu_id_to_user_with_http_info(users[0], rich_menu_id, **opts)
        if rich_menu_id:
            return self._api.link_rich_menu_id_to_users_with_http_info(
                RichMenuBulkLinkRequest(richMenuId=rich_menu_id, userIds=users), **opts)
        if len(users) == 1:
            return self._api.unlink_rich_menu_id_from_user_with_http_info(users[0], **opts)
        return self._api.unlink_rich_menu_id_from_users_with_http_info(RichMenuBulkUnlinkRequest(userIds=users),
                                                                       **opts)

    # -- read-only facts (cached by storage.line_facts); an error is logged and answered with None ---------
    def _ask(self, what: str, call):
        try:
            return call()
        except ApiException as exc:
            log.warning("LINE %s failed: %s", what, describe_error(exc))
        except (Urllib3Error, OSError) as exc:
            log.warning("LINE %s failed: %s", what, exc)
        return None

    def profile(self, user_id: str, chat_id: str | None = None) -> dict[str, Any] | None:
        """`{"displayName", "pictureUrl", ...}` of a user, or None; in a group or room chat (`chat_id`)
        LINE answers through the member-profile endpoints, which work for non-friends too."""
        if chat_id and chat_id.startswith("C"):
            call = lambda: self._api.get_group_member_profile(chat_id, user_id, _request_timeout=INFO_TIMEOUT)  # noqa: E731
        elif chat_id and chat_id.startswith("R"):
            call = lambda: self._api.get_room_member_profile(chat_id, user_id, _request_timeout=INFO_TIMEOUT)  # noqa: E731
        else:
            call = lambda: self._api.get_profile(user_id, _request_timeout=INFO_TIMEOUT)  # noqa: E731
        got = self._ask("profile", call)
        return got.to_dict() if got else None

    def quota(self) -> dict[str, int | None] | None:
        """``{"limit": the month's message limit, or None when unlimited}``; None when LINE did not answer."""
        got = self._ask("quota", lambda: self._api.get_message_quota(_request_timeout=INFO_TIMEOUT))
        if got is None:
            return None
        return {"limit": got.value if got.type == "limited" else None}

    def usage(self) -> int | None:
        """Messages used this month; None when LINE did not answer."""
        got = self._ask("usage", lambda: self._api.get_message_quota_consumption(_request_timeout=INFO_TIMEOUT))
        return got.total_usage if got else None

    def message_quota(self) -> tuple[int | None, int] | None:
        """This month's `(limit, used)` in messages (`limit` None: no limit), from
        `GET /v2/bot/message/quota` and `/quota/consumption`; None if LINE did not answer both."""
        quota = self._ask("quota", lambda: self._api.get_message_quota(_request_timeout=INFO_TIMEOUT))
        if quota is None:
            return None
        used = self._ask("usage", lambda: self._api.get_message_quota_consumption(_request_timeout=INFO_TIMEOUT))
        if used is None:
            return None
        return (quota.value if quota.type == "limited" else None), int(used.total_usage or 0)

    def group_member_count(self, chat_id: str) -> int | None:
        """The head count of group "C…" or room "R…"; None when LINE did not answer."""
        call = (self._api.get_room_member_count if chat_id.startswith("R") else self._api.get_group_member_count)
        got = self._ask("member count", lambda: call(chat_id, _request_timeout=INFO_TIMEOUT))
        return got.count if got else None

    def group_name(self, chat_id: str) -> str | None:
        """The name of group "C…" (rooms have none); None when unknown."""
        if chat_id.startswith("R"):
            return None
        got = self._ask("group summary", lambda: self._api.get_group_summary(chat_id, _request_timeout=INFO_TIMEOUT))
        return got.group_name if got else None

    def close(self) -> None:
        self._client.close()
        self._data_client.close()


@dataclass
class OfflineLineApi:
    """Offline mode (no access token): nothing leaves the machine; messages are logged readably and kept
    in `sent` as ``(kind, to_or_token, messages)`` for the console."""

    sent: list[tuple[str, str, list[Message]]] = field(default_factory=list)

    def reply(self, reply_token: str, messages: list[dict[str, Any]]) -> None:
        parsed = [Message.from_dict(m) for m in messages]
        self.sent.append(("reply", reply_token, parsed))
        log.info("offline reply:\n%s", readable(parsed))

    def profile(self, user_id: str, chat_id: str | None = None) -> dict[str, Any] | None:
        return None

    def quota(self) -> dict[str, int | None] | None:
        return None

    def usage(self) -> int | None:
        return None

    def message_quota(self) -> tuple[int | None, int] | None:
        return None

    def group_member_count(self, chat_id: str) -> int | None:
        return None

    def group_name(self, chat_id: str) -> str | None:
        return None

    def send(self, kind: str, recipients: list[str], messages: list[dict[str, Any]], retry_key: str) -> str | None:
        if kind == "richmenu":
            menu = messages[0].get("richMenuId")
            log.info("offline rich menu for %s: %s", ", ".join(recipients), f"link {menu}" if menu else "default")
            return None
        parsed = [Message.from_dict(m) for m in messages]
        self.sent.append((kind, ",".join(recipients), parsed))
        log.info("offline %s to %s:\n%s", kind, ", ".join(recipients) or "every follower", readable(parsed))
        return None


def readable(messages: list[Message]) -> str:
    """Messages as short text lines for logs: text as is, Flex by its altText."""
    lines = []
    for m in messages:
        if isinstance(m, TextMessage):
            lines.append(f"  [text] {m.text}")
        elif isinstance(m, FlexMessage):
            lines.append(f"  [flex] {m.alt_text}")
        else:
            lines.append(f"  [{getattr(m, 'type', '?')}]")
        qr = getattr(m, "quick_reply", None)
        if qr:
            lines.append("  [quick replies] " + " | ".join(i.action.label for i in qr.items))
    return "\n".join(lines)


def describe_error(exc: ApiException) -> dict[str, Any]:
    """Status, LINE's request id and message of an `ApiException`, for logs."""
    headers = exc.headers or {}
    try:
        body = json.loads(exc.body) if exc.body else {}
    except ValueError:
        body = {"raw": str(exc.body)[:200]}
    return {"status": exc.status, "request_id": headers.get("x-line-request-id"),
            "message": body.get("message") if isinstance(body, dict) else None,
            "details": body.get("details") if isinstance(body, dict) else None}


def is_monthly_limit(err: dict[str, Any]) -> bool:
    """True for LINE's 429 that means the monthly message quota is used up ("You have reached your
    monthly limit."), as opposed to a rate or concurrency limit; `err` is `describe_error`'s dict."""
    return err["status"] == 429 and "monthly limit" in " ".join(str(err.get("message") or "").lower().split())


def _is_bad_reply_token(err: dict[str, Any]) -> bool:
    return err["status"] == 400 and "reply token" in str(err.get("message") or "").lower()


@dataclass
class Sender:
    """Replies for one event (see module docstring); pushes are the outbox's job."""

    api: LineApi

    def respond(self, reply_token: str | None, messages: list[dict[str, Any]],
                as_text: Callable[[], list[dict[str, Any]]] | None = None) -> str:
        """Reply with `messages` (LINE message objects, `bot.render.payload`); returns "reply",
        "reply-text", "no-token" (push instead) or "failed".

        `as_text` makes the plain-text version of `messages`; it is called only when LINE answers 400 to
        them (a Flex message it rejects), and the text is sent once if it differs from `messages`.
        """
        if not messages:
            return "none"
        if not reply_token:
            return "no-token"
        try:
            self.api.reply(reply_token, messages)
            return "reply"
        except ApiException as exc:
            err = describe_error(exc)
            log.warning("LINE reply failed: %s", err)
            if _is_bad_reply_token(err):
                return "no-token"
            if err["status"] == 400 and as_text is not None:
                text = as_text()
                if text and text != messages:
                    return self._retry_as_text(reply_token, text)
            return "failed"

    def _retry_as_text(self, reply_token: str, as_text: list[dict[str, Any]]) -> str:
        try:
            self.api.reply(reply_token, as_text)
            return "reply-text"
        except ApiException as exc:
            log.error("LINE reply as text failed too: %s", describe_error(exc))
            return "failed"
