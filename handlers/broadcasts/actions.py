"""Admin broadcast actions as plain functions: every caller (the chat flow's confirm step in
`handlers.broadcasts.compose`, `flask broadcast send` in `bot.broadcast_cli`, a later web desk) calls these,
so checking, creating, sending and auditing a broadcast exist once.

Each takes the transaction's `session` first and the `actor` (`handlers.core.types.Actor`; checked with
`handlers.core.policy.require`, so a chat, a `flask` command and a web page obey one rule), adds and
flushes, never commits, and does no network I/O. Times are timezone-aware UTC. Bad input raises
`UserFacingError` with a Thai message (the CLI prints it).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from sqlalchemy.orm import Session

from handlers.broadcasts.announcement import Draft, check, recipients_see
from handlers.core import policy
from handlers.core.thaidate import MAX_AHEAD, thai_date
from handlers.core.types import Actor, Reply, UserFacingError
from storage import broadcasts
from storage.members import audit
from storage.models import Broadcast

Render = Callable[[list[Reply]], list[dict[str, Any]]]
NO_AUDIENCE = "ยังไม่ได้เลือกผู้รับค่ะ เลือกผู้รับก่อนนะคะ"
NO_GROUPS = "ยังไม่ได้เลือกกลุ่มงานค่ะ เลือกกลุ่มงานอย่างน้อย 1 กลุ่มนะคะ"
FOLLOWERS_ALONE = "\"ผู้ติดตามทุกคน\" ส่งถึงทุกคนที่เพิ่มบอทเป็นเพื่อนอยู่แล้ว จึงเลือกคู่กับกลุ่มอื่นไม่ได้ค่ะ"
NOBODY = "ยังไม่มีผู้รับในกลุ่มที่เลือกค่ะ ลองเลือกผู้รับใหม่นะคะ"
PAST = "เวลาที่ตั้งไว้ ({when}) ผ่านไปแล้วค่ะ กรุณาตั้งเวลาใหม่ หรือเลือก \"ส่งทันที\" นะคะ"
TOO_FAR = "ตั้งเวลาล่วงหน้าได้ไม่เกิน 1 ปีค่ะ"
NOT_CANCELLABLE = "ประกาศนี้ส่งไปแล้วหรือยกเลิกไปแล้ว จึงยกเลิกไม่ได้ค่ะ"


@dataclass(frozen=True)
class Sent:
    """What `compose_and_send` did: the `broadcast` row, who it reaches (`reach`, a
    `storage.broadcasts.Reach`), and whether it waits for its time (`scheduled`)."""

    broadcast: Broadcast
    reach: broadcasts.Reach
    scheduled: bool


def check_audience(audience: dict[str, Any]) -> dict[str, Any]:
    """`audience` (a `storage.broadcasts` audience dict) when it names someone: at least one kind, work
    groups picked for "work_groups", "followers" alone; raises `UserFacingError` otherwise."""
    chosen = broadcasts.parts(audience)
    if not chosen:
        raise UserFacingError(NO_AUDIENCE)
    if any(p["kind"] == "work_groups" and not p.get("groups") for p in chosen):
        raise UserFacingError(NO_GROUPS)
    if len(chosen) > 1 and any(p["kind"] == "followers" for p in chosen):
        raise UserFacingError(FOLLOWERS_ALONE)
    return audience


def check_when(when: datetime | None, now: datetime) -> None:
    """Raise `UserFacingError` unless `when` (UTC, None = now) is after `now` and within a year."""
    if when is None:
        return
    if when <= now:
        raise UserFacingError(PAST.format(when=thai_date(when)))
    if when - now > MAX_AHEAD:
        raise UserFacingError(TOO_FAR)


def compose_and_send(session: Session, actor: Actor, draft: Draft, audience: dict[str, Any], when: datetime | None,
                     now: datetime, render: Render | None,
                     count_of: Callable[[str], int | None] | None = None) -> Sent:
    """Check and create a broadcast of `draft` to `audience`, then send it or schedule it; audited as
    "broadcast.create".

    `when` None sends now: the outbox rows (multicasts, a push per bound chat, or one broadcast) are
    written in this transaction with the announcement rendered by `render` (`bot.render.as_dicts`), and
    the delivery job sends them; with `render` None the row waits, due now, for the "send-broadcasts"
    job. A `when` (UTC, after `now`, within a year) keeps it for that job. `count_of` gives head counts
    of chats whose cached count is unknown (`storage.broadcasts.resolve`). Raises `UserFacingError` when
    `actor` may not broadcast, or the draft, audience or time cannot be used, or nobody is reached.
    """
    policy.require(actor, "broadcast.send")
    check(draft)
    check_audience(audience)
    check_when(when, now)
    reach = broadcasts.resolve(session, audience, count_of)
    if reach.empty:
        raise UserFacingError(NOBODY)
    bc = broadcasts.create(session, actor.user_id, audience, draft.text.strip(), now, when or now, draft.image_url,
                           draft.link_label, draft.link_url, draft.ack_required)
    audit(session, actor.user_id, "broadcast.create", broadcasts.origin(bc.id), now, audience=audience,
          scheduled_at=bc.scheduled_at.isoformat(), ack_required=draft.ack_required)
    if when is None and render is not None:
        broadcasts.start_sending(session, bc, render(recipients_see(bc)), now, reach)
    return Sent(bc, reach, when is not None)


def cancel_scheduled(session: Session, actor: Actor, broadcast_id: int, now: datetime) -> Broadcast:
    """Cancel broadcast `broadcast_id` if it is still waiting for its time (compare-and-set, so it is never
    both sent and cancelled); audited as "broadcast.cancel". Raises `UserFacingError` when `actor` may not,
    or it was already sent or cancelled."""
    policy.require(actor, "broadcast.send")
    bc = broadcasts.claim(session, broadcast_id, "scheduled", "cancelled")
    if bc is None:
        raise UserFacingError(NOT_CANCELLABLE)
    audit(session, actor.user_id, "broadcast.cancel", broadcasts.origin(bc.id), now)
    return bc
