"""The one place that calls the LINE Messaging API (through the SDK's `MessagingApi`), or, offline, logs.

`Sender.respond` replies with the event's reply token; when LINE says the token is invalid or expired it
falls back to a push to the chat (with an `X-Line-Retry-Key`, so LINE accepts it at most once), and when
LINE rejects a Flex message it retries once as plain text. Every LINE error is logged with its status and
`x-line-request-id`, never raised into the webhook (LINE must still get its 200).
"""
from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from linebot.v3.messaging import (ApiClient, ApiException, Configuration, FlexMessage, Message, MessagingApi,
                                  PushMessageRequest, ReplyMessageRequest, TextMessage)

log = logging.getLogger(__name__)


class LineApi(Protocol):
    """What the bot needs from LINE: reply and push (raise `ApiException` on an error status)."""

    def reply(self, reply_token: str, messages: list[Message]) -> None: ...

    def push(self, to: str, messages: list[Message], retry_key: str) -> None: ...


class SdkLineApi:
    """`LineApi` over the SDK client; `base_url` is LINE's or a fake's (tests, local trials)."""

    def __init__(self, base_url: str, access_token: str) -> None:
        self._client = ApiClient(Configuration(host=base_url.rstrip("/"), access_token=access_token))
        self._api = MessagingApi(self._client)

    def reply(self, reply_token: str, messages: list[Message]) -> None:
        self._api.reply_message(ReplyMessageRequest(replyToken=reply_token, messages=messages))

    def push(self, to: str, messages: list[Message], retry_key: str) -> None:
        self._api.push_message(PushMessageRequest(to=to, messages=messages), x_line_retry_key=retry_key)

    def close(self) -> None:
        self._client.close()


@dataclass
class OfflineLineApi:
    """Offline mode (no access token): nothing leaves the machine; messages are logged readably and kept
    in `sent` as ``(kind, to_or_token, messages)`` for the console."""

    sent: list[tuple[str, str, list[Message]]] = field(default_factory=list)

    def reply(self, reply_token: str, messages: list[Message]) -> None:
        self.sent.append(("reply", reply_token, messages))
        log.info("offline reply:\n%s", readable(messages))

    def push(self, to: str, messages: list[Message], retry_key: str) -> None:
        self.sent.append(("push", to, messages))
        log.info("offline push to %s:\n%s", to, readable(messages))


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


def _is_bad_reply_token(err: dict[str, Any]) -> bool:
    return err["status"] == 400 and "reply token" in str(err.get("message") or "").lower()


@dataclass
class Sender:
    """Delivers a handler's rendered messages for one event (see module docstring)."""

    api: LineApi

    def respond(self, chat_id: str, reply_token: str | None, messages: list[Message],
                as_text: list[Message] | None = None) -> str:
        """Send `messages` for an event; returns how: "reply", "push", "reply-text", or "failed"."""
        if not messages:
            return "none"
        if reply_token:
            try:
                self.api.reply(reply_token, messages)
                return "reply"
            except ApiException as exc:
                err = describe_error(exc)
                log.warning("LINE reply failed: %s", err)
                if not _is_bad_reply_token(err):
                    if err["status"] == 400 and as_text and as_text != messages:
                        return self._retry_as_text(reply_token, as_text)
                    return "failed"
        return self._push(chat_id, messages)

    def _retry_as_text(self, reply_token: str, as_text: list[Message]) -> str:
        try:
            self.api.reply(reply_token, as_text)
            return "reply-text"
        except ApiException as exc:
            log.error("LINE reply as text failed too: %s", describe_error(exc))
            return "failed"

    def _push(self, chat_id: str, messages: list[Message]) -> str:
        try:
            self.api.push(chat_id, messages, str(uuid.uuid4()))
            return "push"
        except ApiException as exc:
            log.error("LINE push fallback failed: %s", describe_error(exc))
            return "failed"
