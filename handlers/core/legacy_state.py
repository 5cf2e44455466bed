"""Transitional: the pre-`Flow` state helpers, used only by flows not yet declared with `handlers.core.flow`.

One row per (chat, user) with the flow's name, its step, its data and an expiry (UTC). Each flow start
gets a fresh `session_id`; its buttons carry it (postback key ``s``), so a button from an older or
finished flow is recognised as expired instead of acting twice.
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from handlers.core.types import Ctx, UserFacingError
from storage.models import ConversationState

TTL = timedelta(minutes=30)
EXPIRED = "ขั้นตอนนี้หมดเวลาแล้ว หรือเริ่มรายการใหม่ไปแล้วค่ะ เริ่มใหม่ได้เลยนะคะ 🙏"


def _key(ctx: Ctx) -> tuple[str, str]:
    if ctx.inp.user_id is None:
        raise UserFacingError("ขออภัยค่ะ รายการนี้ต้องทำในแชต 1:1 กับบอท เพราะในกลุ่มบอทไม่เห็นว่าใครเป็นผู้ส่ง")
    return ctx.inp.chat_id, ctx.inp.user_id


def current(ctx: Ctx) -> ConversationState | None:
    """The live state of this person in this chat, or None (an expired one is removed)."""
    if ctx.inp.user_id is None:
        return None
    row = ctx.session.get(ConversationState, _key(ctx))
    if row is not None and row.expires_at <= ctx.now:
        ctx.session.delete(row)
        ctx.session.flush()
        return None
    return row


def start(ctx: Ctx, flow: str, step: str, data: dict[str, Any] | None = None) -> ConversationState:
    """Begin `flow` at `step` (replacing any other flow of this person here); a new session id."""
    chat_id, user_id = _key(ctx)
    row = ctx.session.get(ConversationState, (chat_id, user_id))
    if row is None:
        row = ConversationState(chat_id=chat_id, user_id=user_id)
        ctx.session.add(row)
    row.flow, row.step, row.data = flow, step, dict(data or {})
    row.session_id = secrets.token_hex(4)
    row.expires_at = ctx.now + TTL
    ctx.session.flush()
    return row


def advance(ctx: Ctx, row: ConversationState, step: str, **data: Any) -> ConversationState:
    """Move `row` to `step`, merging `data`, and extend its expiry."""
    row.step = step
    row.data = {**row.data, **data}
    row.expires_at = ctx.now + TTL
    ctx.session.flush()
    return row


def finish(ctx: Ctx) -> None:
    """End this person's flow in this chat (if any)."""
    row = current(ctx)
    if row is not None:
        ctx.session.delete(row)
        ctx.session.flush()


def require(ctx: Ctx, flow: str, session_id: str | None) -> ConversationState:
    """The live state of `flow` whose session is `session_id`; UserFacingError(EXPIRED) otherwise."""
    row = current(ctx)
    if row is None or row.flow != flow or (session_id is not None and row.session_id != session_id):
        raise UserFacingError(EXPIRED)
    return row
