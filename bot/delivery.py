"""Outbox delivery (run by the `deliver-outbox` job, and at once for a reply fallback): claim due rows, send each with its stable `X-Line-Retry-Key`, record the outcome.

Outcomes (Messaging API reference, "Retrying an API request" and "Status codes"):
- 2xx → sent. 409 with the same retry key means LINE already accepted this request → sent.
- 429 and 5xx, timeouts, connection errors → retried later with exponential backoff, honouring
  `Retry-After`; after `MAX_ATTEMPTS` the row is dead-lettered and admins are told (a push each).
- Any other 4xx → failed at once, the error kept; LINE will not accept it on a retry.
"""
from __future__ import annotations

import json
import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from linebot.v3.messaging import ApiException, TextMessage
from urllib3.exceptions import HTTPError as Urllib3Error

from bot.send import describe_error
from storage import outbox
from storage.models import OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
BASE_BACKOFF = 5  # seconds; doubles per attempt
MAX_BACKOFF = 600
DEAD_LETTER_ORIGIN = "dead-letter"


@dataclass
class DeliveryReport:
    """What one delivery run did: row ids by outcome."""

    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"sent {len(self.sent)}, retry {len(self.retry)}, failed {len(self.failed)}, "
                f"dead {len(self.dead)}")


def worker_name() -> str:
    """A name for this process in `claimed_by` (host and pid)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def backoff(attempts: int, retry_after: str | None) -> timedelta:
    """Seconds to wait before the next try: `Retry-After` when LINE sends it, else 5 s doubling."""
    if retry_after and retry_after.strip().isdigit():
        return timedelta(seconds=min(int(retry_after), MAX_BACKOFF))
    return timedelta(seconds=min(BASE_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF))


def _attempt(runtime: Any, row: OutboxMessage) -> tuple[str, int | None, str, str | None, str | None]:
    """Send `row` once: (outcome, status, error, request id, Retry-After)."""
    try:
        request_id = runtime.sender.api.send(row.kind, row.recipients, row.messages, row.retry_key)
        return "sent", 200, "", request_id, None
    except ApiException as exc:
        err = describe_error(exc)
        headers = exc.headers or {}
        if exc.status == 409:
            return "sent", 409, "", headers.get("x-line-accepted-request-id") or err["request_id"], None
        message = json.dumps({"message": err["message"], "details": err["details"]}, ensure_ascii=False)
        if exc.status == 429 or (exc.status or 0) >= 500:
            return "retry", exc.status, message, err["request_id"], headers.get("Retry-After")
        return "failed", exc.status, message, err["request_id"], None
    except (Urllib3Error, OSError) as exc:  # timeout, refused connection: LINE may or may not have it
        return "retry", None, f"{type(exc).__name__}: {exc}", None, None


def deliver_due(runtime: Any, now: datetime, worker: str | None = None, limit: int = 50,
                ids: list[int] | None = None) -> DeliveryReport:
    """Claim and send up to `limit` due outbox rows (only `ids` if given); `now` is UTC.

    Safe to run in several processes at once: each row is claimed by one worker.
    """
    worker = worker or worker_name()
    report = DeliveryReport()
    with runtime.storage.Session.begin() as session:
        rows = outbox.claim(session, worker, now, limit, ids)
    for row in rows:
        outcome, status, error, request_id, retry_after = _attempt(runtime, row)
        with runtime.storage.Session.begin() as session:
            if outcome == "sent":
                outbox.mark_sent(session, row.id, worker, now, request_id, status or 200)
                report.sent.append(row.id)
            elif outcome == "retry" and row.attempts < MAX_ATTEMPTS:
                outbox.mark_retry(session, row.id, worker, now + backoff(row.attempts, retry_after), status,
                                  error, request_id)
                report.retry.append(row.id)
                log.warning("outbox %s: retry after status %s (%s), request %s", row.id, status, error, request_id)
            else:
                final = "dead" if outcome == "retry" else "failed"
                outbox.mark_failed(session, row.id, worker, final, status, error, request_id)
                (report.dead if final == "dead" else report.failed).append(row.id)
                log.error("outbox %s %s: status %s %s request %s", row.id, final, status, error, request_id)
                if row.origin != DEAD_LETTER_ORIGIN:
                    notify_admins(session, runtime, row, final, error, now)
    return report


def notify_admins(session: Any, runtime: Any, row: OutboxMessage, final: str, error: str, now: datetime) -> None:
    """Tell each admin (a push through the outbox) that a message could not be delivered."""
    text = (f"⚠ ส่งข้อความไม่สำเร็จ (รายการที่ {row.id}, {row.kind} ถึง {len(row.recipients) or 'ผู้ติดตามทั้งหมด'} "
            f"ปลายทาง) สถานะ {'ลองครบแล้ว' if final == 'dead' else 'LINE ไม่รับ'}: {error}".strip())
    message = TextMessage(text=text[:4900]).to_dict()
    for admin in sorted(runtime.settings.admin_user_ids):
        outbox.enqueue(session, "push", [admin], [message], now, origin=DEAD_LETTER_ORIGIN)
