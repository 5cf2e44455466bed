"""Outbox delivery: claim due rows, send each with its stable `X-Line-Retry-Key`, record the outcome.

Run by the `deliver-outbox` job, and at once (for its own rows) after a webhook queued a reply fallback
or a notice.

Outcomes (Messaging API reference, "Retrying an API request" and "Status codes"):
- 2xx → sent. 409 with the same retry key means LINE already accepted this request → sent.
- 429 "You have reached your monthly limit." (the monthly message quota; `bot.send.is_monthly_limit`)
  → "held", not retried: LINE will refuse every push until the quota resets or is raised. The row, the
  rest of the batch and every other pending row are held until `quota_reset(now)` (the 1st of the next
  month, 00:00 Asia/Bangkok, in UTC), their tries not used, LINE's answer kept in `last_error`. A
  distinct status (rather than pending with a far `next_attempt_at`) shows admins, the CLI
  (`flask --app wsgi outbox status`) and broadcast totals why a message waits, and lets
  `flask --app wsgi outbox release-held` (after buying or raising the quota) find exactly these rows.
  The `check-quota` job asks LINE's quota and usage every few minutes while rows are held and releases
  those that fit (`check_quota`). Admins are told once per quota episode (see `notify_quota`).
- Any other 429 (rate or concurrency limit), 5xx, timeouts, connection errors → retried later with
  exponential backoff, honouring `Retry-After`; after `MAX_ATTEMPTS` the row is dead-lettered ("dead")
  and admins are told. The rest of the run's batch is given back untried and waits out `Retry-After`
  (else 5 s): LINE is throttling or down, and pressing on would only use up their tries.
- Any other 4xx → "failed" at once, the error kept (LINE will not accept it on a retry); admins are told.
- A row the SDK cannot even build a request from (a bad message stored) → "failed", admins told.

Admins get one push each per failure, through the outbox; failures of those notices (origin
"dead-letter") are only logged, so a broken admin ID cannot loop. Failures that happen before a notice
has left are added to it rather than queued as another push.

A run stops starting new requests after `SEND_BUDGET` seconds and gives the rest back, so a slow LINE
cannot keep a row past its claim's lease (`storage.outbox.LEASE`), when another worker would take it.

Before each request the run takes a turn from the endpoint's limiter (`storage.ratelimit`, shared by
all processes through the database). When the endpoint's window is full it waits, if the window ends
within `MAX_LIMIT_WAIT` seconds and the time budget allows; otherwise the run's rows of that kind are
given back untried, due when the window ends, and the other kinds go on.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from linebot.v3.messaging import ApiException, TextMessage
from urllib3.exceptions import HTTPError as Urllib3Error

from bot.send import describe_error, is_monthly_limit
from handlers.core.thaidate import BANGKOK, thai_date
from storage import members, outbox, ratelimit, richmenus
from storage.models import OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10  # 5 s doubling to 600 s: about 36 minutes of LINE trouble before a row is dead
BASE_BACKOFF = 5  # seconds; doubles per attempt
MAX_BACKOFF = 600
SEND_BUDGET = 20.0  # seconds per run; + one request's timeout (bot.send.REQUEST_TIMEOUT) stays inside LEASE
DEAD_LETTER_ORIGIN = "dead-letter"
QUOTA_ORIGIN = "quota-notice"
MAX_LIMIT_WAIT = 1.0  # seconds a run sleeps for a full rate-limit window before giving its rows back
NOTICE_MAX = 4000  # characters of one admin notice before a new one is started


@dataclass
class DeliveryReport:
    """What one delivery run did: row ids by outcome (`released`: claimed, given back untried)."""

    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)  # claimed rows held for the monthly quota

    def __str__(self) -> str:
        return (f"sent {len(self.sent)}, retry {len(self.retry)}, failed {len(self.failed)}, "
                f"dead {len(self.dead)}, released {len(self.released)}, held {len(self.held)}")


@dataclass(frozen=True)
class Attempt:
    """One request's outcome: "sent", "retry", "quota" (the monthly quota is used up) or "failed", LINE's status (None: no answer), the error
    (LINE's message and details as JSON, or the exception), `x-line-request-id`, `Retry-After`."""

    outcome: str
    status: int | None = None
    error: str = ""
    request_id: str | None = None
    retry_after: str | None = None


def worker_name() -> str:
    """A name for one delivery run in `claimed_by`: host, pid and a random tag, so two runs in one
    process (the job and a webhook's immediate send) never pass for each other."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def backoff(attempts: int, retry_after: str | None) -> timedelta:
    """How long to wait after the `attempts`-th try: `Retry-After` seconds when LINE sends them, else
    5 s doubling per attempt; at most `MAX_BACKOFF`."""
    if retry_after and retry_after.strip().isdigit():
        return timedelta(seconds=min(int(retry_after), MAX_BACKOFF))
    return timedelta(seconds=min(BASE_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF))


def _send(runtime: Any, row: OutboxMessage) -> str | None:
    """One row through `runtime.sender.api.send`. A "richmenu" row is resolved now (`richmenus.plan`:
    each user's current role, the menus deployed now) into one link or unlink call per menu."""
    api = runtime.sender.api
    if row.kind != richmenus.KIND:
        return api.send(row.kind, row.recipients, row.messages, row.retry_key)
    with runtime.storage.Session() as session:
        steps = richmenus.plan(session, row.recipients, str(row.messages[0].get("role") or "guest"))
    request_id = None
    for rich_menu_id, users in steps:
        request_id = api.send(row.kind, users, [{"richMenuId": rich_menu_id}], row.retry_key) or request_id
    return request_id


def attempt(runtime: Any, row: OutboxMessage) -> Attempt:
    """Send `row` once through `runtime.sender.api` with its retry key; never raises."""
    try:
        return Attempt("sent", 200, request_id=_send(runtime, row))
    except ApiException as exc:
        err = describe_error(exc)
        headers = exc.headers or {}
        if exc.status == 409:
            return Attempt("sent", 409, request_id=headers.get("x-line-accepted-request-id") or err["request_id"])
        message = json.dumps({"message": err["message"], "details": err["details"]}, ensure_ascii=False)
        if is_monthly_limit(err):
            return Attempt("quota", 429, message, err["request_id"])
        if not exc.status or exc.status == 429 or exc.status >= 500:  # no status: TLS failure, no answer
            return Attempt("retry", exc.status or None, message, err["request_id"], headers.get("Retry-After"))
        return Attempt("failed", exc.status, message, err["request_id"])
    except (Urllib3Error, OSError) as exc:  # timeout, refused connection: LINE may or may not have it
        return Attempt("retry", None, f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a row the SDK cannot turn into a request; retrying will not help
        log.exception("outbox %s cannot be sent", row.id)
        return Attempt("failed", None, f"{type(exc).__name__}: {exc}")


def deliver_due(runtime: Any, now: datetime, worker: str | None = None, limit: int = 50,
                ids: list[int] | None = None) -> DeliveryReport:
    """Claim and send up to `limit` due outbox rows (only `ids` if given); `now` is UTC.

    Safe to run in several processes and threads at once: each row is claimed by one worker (`worker`,
    default a fresh `worker_name()`; concurrent callers must not share one). Raises only database errors.
    """
    worker = worker or worker_name()
    report = DeliveryReport()
    with runtime.storage.Session.begin() as session:
        rows = outbox.claim(session, worker, now, limit, ids)
    started = time.monotonic()
    throttled: dict[str, datetime] = {}  # kind -> when its limiter window reopens
    turns: dict[str, int] = {}  # kind -> requests taken from its limiter and not yet used
    later: list[OutboxMessage] = []  # rows of a throttled kind, given back at the end
    for i, row in enumerate(rows):
        if i and time.monotonic() - started > SEND_BUDGET:
            _give_back(runtime, rows[i:], worker, None, report)
            break
        if not turns.get(row.kind) and row.kind not in throttled:
            wanted = ratelimit.batch_size(row.kind, sum(1 for r in rows[i:] if r.kind == row.kind))
            turns[row.kind] = _take_turns(runtime, row.kind, wanted, now, started, throttled)
        if row.kind in throttled:
            later.append(row)
            continue
        turns[row.kind] -= 1
        result = attempt(runtime, row)
        if result.outcome == "quota":
            _hold(runtime, row, later + rows[i + 1:], worker, now, result, report)
            later = []
            break
        _record(runtime, row, worker, now, result, report)
        if result.outcome == "retry":
            _give_back(runtime, rows[i + 1:], worker, now + backoff(1, result.retry_after), report)
            break
    for kind, reopens in throttled.items():
        _give_back(runtime, [r for r in later if r.kind == kind], worker, reopens, report)
    return report


def _take_turns(runtime: Any, kind: str, wanted: int, now: datetime, started: float,
                throttled: dict[str, datetime]) -> int:
    """Take `wanted` requests (or, if the window has less room, one) from `kind`'s rate limiter, waiting
    briefly for a full window; returns how many were taken. 0 (and `kind` noted in `throttled` with
    when it reopens) when the wait would be too long. The limiter's clock is the run's `now` plus the
    real time the run has taken."""
    while True:
        at = now + timedelta(seconds=time.monotonic() - started)
        wait = ratelimit.acquire(runtime.storage.Session, kind, at, n=wanted)
        if not wait:
            return wanted
        if wanted > 1:
            wanted = 1
            continue
        if wait > MAX_LIMIT_WAIT or time.monotonic() - started + wait > SEND_BUDGET:
            throttled[kind] = at + timedelta(seconds=wait)
            log.info("outbox: %s rate limit reached; %s rows wait %.1f s", kind, kind, wait)
            return 0
        time.sleep(wait)


def quota_reset(now: datetime) -> datetime:
    """When LINE's monthly quota can next have been reset after `now` (UTC): the 1st of the next
    month at 00:00 Asia/Bangkok, returned in UTC."""
    local = now.astimezone(BANGKOK)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return datetime(year, month, 1, tzinfo=BANGKOK).astimezone(timezone.utc)


def _hold(runtime: Any, row: OutboxMessage, untried: list[OutboxMessage], worker: str, now: datetime,
          result: Attempt, report: DeliveryReport) -> None:
    """LINE said the monthly quota is used up: hold `row`, the untried rows and every pending row until
    the quota resets, and tell the admins (once per episode)."""
    until = quota_reset(now)
    with runtime.storage.Session.begin() as session:
        new_episode = outbox.held_count(session) == 0
        if outbox.mark_held(session, row.id, worker, until, result.status, result.error, result.request_id):
            report.held.append(row.id)
        else:
            log.warning("outbox %s: quota hold by %s not recorded, the row was claimed again", row.id, worker)
        reason = f"held for the monthly quota after outbox {row.id}: {result.error}"
        outbox.hold(session, [r.id for r in untried], worker, until, reason)
        others = outbox.hold_pending(session, until, reason)
        report.held.extend(r.id for r in untried)
        log.error("outbox: LINE's monthly message quota is used up (outbox %s, request %s); %d claimed and %d "
                  "pending rows held until %s", row.id, result.request_id, len(untried) + 1, others, until.isoformat())
        notify_quota(session, runtime, now, until, new_episode)


def notify_quota(session: Any, runtime: Any, now: datetime, until: datetime, new_episode: bool) -> None:
    """Tell the admins (`storage.members.admin_ids`: active admin members and `LINE_ADMIN_USER_IDS`), in
    the caller's transaction, that the quota is used up and how many rows wait.

    Once per episode: a push is queued for an admin only when this hit starts an episode (no row was
    held before it) and no quota notice to that admin is still waiting; a notice still waiting (pending
    or itself held, since it costs quota too) just gets the new count. A held notice is sent with the
    rest when the quota resets; it never makes another notice, so nothing loops.
    """
    waiting = outbox.held_count(session, exclude_origin=QUOTA_ORIGIN)
    text = quota_text(waiting, until)
    admins = members.admin_ids(session, runtime.settings.admin_user_ids)
    if not admins:
        log.warning("the monthly quota is used up and there is no admin to tell")
    for admin in admins:
        notice = outbox.pending_push_to(session, admin, QUOTA_ORIGIN, ("pending", "held"))
        if notice is not None:
            notice.messages = [TextMessage(text=text).to_dict()]
        elif new_episode:
            outbox.enqueue(session, "push", [admin], [TextMessage(text=text).to_dict()], now, origin=QUOTA_ORIGIN)
    session.flush()


def quota_text(waiting: int, until: datetime) -> str:
    """The admins' Thai notice: the quota is used up, `waiting` messages wait, and when they go
    (`until`, shown in Bangkok time, Buddhist Era)."""
    return (f"⚠️ โควตาข้อความของเดือนนี้หมดแล้วค่ะ LINE ไม่รับข้อความที่บอทส่งเองเพิ่ม "
            f"(ตอบกลับในแชตยังใช้ได้ตามปกติ)\n\n"
            f"ตอนนี้มีข้อความ {waiting:,} รายการรอส่ง ระบบจะส่งให้เองเมื่อโควตาเดือนใหม่เริ่ม "
            f"{thai_date(until)} หรือเมื่อเพิ่มโควตาแล้วค่ะ "
            f"(ผู้ดูแลระบบสั่งส่งทันทีได้ด้วย flask --app wsgi outbox release-held)")


def check_quota(runtime: Any, now: datetime) -> str:
    """While rows are held for the quota, ask LINE how much of this month's quota is left and release
    the held rows that fit (all of them if the channel has no limit). Two cheap GETs per call, none
    when nothing is held. Returns a line for the job log."""
    with runtime.storage.Session() as session:
        held = outbox.held_count(session)
    if not held:
        return "nothing held"
    ask = getattr(runtime.sender.api, "message_quota", None)
    got = ask() if ask else None
    if got is None:
        return f"{held} held; LINE's quota unknown"
    limit, used = got
    left = None if limit is None else max(limit - used, 0)
    if left == 0:
        return f"{held} held; quota {limit:,} used up"
    with runtime.storage.Session.begin() as session:
        released = outbox.release_held(session, now, left)
    if released:
        log.info("outbox: %d held rows released, quota left %s", len(released), "no limit" if left is None else left)
    return f"released {len(released)} of {held} held rows (quota left {'no limit' if left is None else left})"


def _record(runtime: Any, row: OutboxMessage, worker: str, now: datetime, result: Attempt,
            report: DeliveryReport) -> None:
    with runtime.storage.Session.begin() as session:
        if result.outcome == "sent":
            kept = outbox.mark_sent(session, row.id, worker, now, result.request_id, result.status or 200)
            bucket = report.sent
        elif result.outcome == "retry" and row.attempts < MAX_ATTEMPTS:
            next_at = now + backoff(row.attempts, result.retry_after)
            kept = outbox.mark_retry(session, row.id, worker, next_at, result.status, result.error, result.request_id)
            bucket = report.retry
            log.warning("outbox %s: try %d got status %s (%s), request %s; next at %s", row.id, row.attempts,
                        result.status, result.error, result.request_id, next_at.isoformat())
        else:
            final = "dead" if result.outcome == "retry" else "failed"
            kept = outbox.mark_failed(session, row.id, worker, final, result.status, result.error, result.request_id)
            bucket = report.dead if final == "dead" else report.failed
            log.error("outbox %s %s after %d tries: status %s %s request %s", row.id, final, row.attempts,
                      result.status, result.error, result.request_id)
            if kept and row.origin not in (DEAD_LETTER_ORIGIN, QUOTA_ORIGIN):
                notify_admins(session, runtime, row, final, result, now)
        if kept:
            bucket.append(row.id)
        else:  # the lease ran out and another worker holds the row now; its outcome counts
            log.warning("outbox %s: %s by %s not recorded, the row was claimed again", row.id, result.outcome, worker)


def _give_back(runtime: Any, rows: list[OutboxMessage], worker: str, next_at: datetime | None,
               report: DeliveryReport) -> None:
    if not rows:
        return
    with runtime.storage.Session.begin() as session:
        outbox.release(session, [r.id for r in rows], worker, next_at)
    report.released.extend(r.id for r in rows)
    log.info("outbox: %d claimed rows given back untried%s", len(rows),
             f", due again at {next_at.isoformat()}" if next_at else "")


def notify_admins(session: Any, runtime: Any, row: OutboxMessage, final: str, result: Attempt,
                  now: datetime) -> None:
    """Tell each admin (`storage.members.admin_ids`: active admin members and `LINE_ADMIN_USER_IDS`), in
    the caller's transaction, that `row` will not be delivered (`final` is "failed" or "dead"): added
    to that admin's notice still waiting in the outbox, else a new push."""
    item = failure_line(row, final, result)
    admins = members.admin_ids(session, runtime.settings.admin_user_ids)
    if not admins:
        log.warning("outbox %s %s and there is no admin (LINE_ADMIN_USER_IDS, admin members) to tell", row.id, final)
    for admin in admins:
        waiting = outbox.pending_push_to(session, admin, DEAD_LETTER_ORIGIN)
        text = waiting.messages[0]["text"] if waiting else ""
        if waiting and len(text) + len(item) < NOTICE_MAX:
            waiting.messages = [TextMessage(text=f"{text}\n\n{item}").to_dict()]
        else:
            notice = TextMessage(text=f"{NOTICE_HEADER}\n\n{item}").to_dict()
            outbox.enqueue(session, "push", [admin], [notice], now, origin=DEAD_LETTER_ORIGIN)
    session.flush()


KIND_TEXT = {"push": "ส่งถึง 1 ห้องแชต", "multicast": "ส่งถึง {n} คน", "broadcast": "ประกาศถึงผู้ติดตามทุกคน",
             "richmenu": "เปลี่ยนริชเมนูของ {n} คน"}
ORIGIN_TEXT = {"reply-fallback": "คำตอบที่ตอบกลับไม่ทัน", "notice": "การแจ้งเตือน", "broadcast": "ประกาศ",
               "richmenu": "ริชเมนูตามบทบาท",
               "quota-notice": "แจ้งโควตาหมด",
               "broadcast-remind": "การเตือนประกาศ", "broadcast-report": "รายงานผลประกาศ",
               "reminder": "การเตือนกำหนดส่ง รอบ", "reminder-quota": "แจ้งโควตาไม่พอสำหรับการเตือน"}
NOTICE_HEADER = "⚠️ ข้อความต่อไปนี้ส่งไม่สำเร็จ และระบบจะไม่ลองส่งซ้ำแล้วค่ะ"


def failure_line(row: OutboxMessage, final: str, result: Attempt) -> str:
    """A few Thai lines for admins on one undeliverable row: what it was, when it was queued (Bangkok
    time, Buddhist Era), and why it stopped (LINE's status and message, or the local error)."""
    what = KIND_TEXT[row.kind].format(n=len(row.recipients))
    if row.origin:  # "notice", "broadcast:12"
        base, _, ref = row.origin.partition(":")
        what += f" · {ORIGIN_TEXT.get(base, base)}" + (f" #{ref}" if ref else "")
    first = row.messages[0] if row.messages else {}
    label = f"ริชเมนู {first['role']}" if "role" in first else f"[{first.get('type', '?')}]"
    preview = " ".join(str(first.get("text") or first.get("altText") or label).split())
    preview = preview if len(preview) <= 60 else preview[:59] + "…"
    detail = _line_message(result.error) if result.status else result.error[:200]
    if final == "dead":
        answer = f"LINE ตอบ {result.status}" if result.status else "ติดต่อ LINE ไม่ได้"
        why = f"ลองส่ง {row.attempts} ครั้งแล้วไม่สำเร็จ ครั้งล่าสุด {answer} ({detail})"
    elif result.status:
        why = f"LINE ไม่รับข้อความนี้ (ตอบ {result.status}: {detail})"
    else:
        why = f"ข้อความในคิวผิดรูปแบบ ({detail})"
    return (f"• รายการที่ {row.id} ({what}) เข้าคิวเมื่อ {thai_date(row.created_at)}\n"
            f"  “{preview}”\n  สาเหตุ: {why}")


def _line_message(error: str) -> str:
    """LINE's message and its first detail from a stored error (JSON), shortened for a chat."""
    try:
        body = json.loads(error)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return error[:200]
    text = str(body.get("message") or "")
    details = body.get("details") or []
    if details and isinstance(details[0], dict):
        text += f" — {details[0].get('property') or 'body'}: {details[0].get('message', '')}"
    return text[:200]
