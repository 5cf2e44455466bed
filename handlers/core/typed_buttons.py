"""A button's label typed instead of pressed: after a reply with postback buttons (a criterion card's
"รายงานสถานะ", a case card's "รับเรื่อง", "ดูประวัติ"), typing the label in a 1:1 chat presses it.

On a phone people often type what they see. Postback buttons send data the chat cannot guess from the
label, so the labels of the bot's last reply are kept per 1:1 chat (`storage.models.LastButtons`, for
`TTL`), and `dispatch` tries them before commands and the search when no flow is waiting (a flow's
step reads its own choices). Only exact labels count (particles and decorations aside: "รับเรื่องค่ะ",
"✏️ แก้ไข"), and only those that appear once in the reply: "ดูเกณฑ์นี้" on four cards presses none.
Design.md, "Manners in a chat": a step that asks for a choice understands it typed.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from handlers.core.types import Card, CardList, Ctx, PostbackAction, Result
from handlers.core.words import Choice, exact_choice
from storage.models import LastButtons
from storage.queries import insert_for

TTL = timedelta(minutes=30)
SKIP_ACTIONS = ('{"a":"f"', '{"a":"cancel"')  # flow buttons live with their flow; "ยกเลิก" is a word already


def postbacks_of(result: Result) -> list[list[str]]:
    """[[label, display, data], ...] of `result`'s postback buttons (cards, carousels, quick replies)
    whose labels appear once; flow and cancel buttons left out."""
    buttons = list(result.quick_replies)
    for reply in result.replies:
        cards = reply.cards if isinstance(reply, CardList) else (reply,) if isinstance(reply, Card) else ()
        for card in cards:
            buttons.extend(card.buttons)
        if isinstance(reply, CardList) and reply.more is not None:
            buttons.append(reply.more)
    found: dict[str, list[str] | None] = {}
    for b in buttons:
        if not isinstance(b.action, PostbackAction) or b.action.data.startswith(SKIP_ACTIONS):
            continue
        entry = [b.label, b.action.display or "", b.action.data]
        found[b.label] = None if b.label in found and found[b.label] != entry else entry
    return [e for e in found.values() if e is not None]


def remember(ctx: Ctx, result: Result | None) -> None:
    """Keep `result`'s postback buttons as this person's last in this 1:1 chat (none: forget the last).
    One statement per reply (an upsert, or a delete), as it runs for every message."""
    if ctx.inp.chat_kind != "user" or not ctx.inp.user_id or result is None:
        return
    key = {"chat_id": ctx.inp.chat_id, "user_id": ctx.inp.user_id}
    buttons = postbacks_of(result)
    if not buttons:
        ctx.session.execute(delete(LastButtons).where(LastButtons.chat_id == key["chat_id"],
                                                      LastButtons.user_id == key["user_id"]))
        return
    values = {"buttons": buttons, "expires_at": ctx.now + TTL}
    insert = insert_for(ctx.session)
    ctx.session.execute(insert(LastButtons).values(**key, **values)
                        .on_conflict_do_update(index_elements=list(key), set_=values))


def pressed(ctx: Ctx, text: str) -> str | None:
    """The postback data of the last reply's button whose label `text` is, else None."""
    if ctx.inp.chat_kind != "user" or not ctx.inp.user_id:
        return None
    row = ctx.session.get(LastButtons, (ctx.inp.chat_id, ctx.inp.user_id))
    if row is None or row.expires_at <= ctx.now:
        return None
    picked = exact_choice(text, [Choice(data, label, (), display or None) for label, display, data in row.buttons])
    return picked.value if picked else None
