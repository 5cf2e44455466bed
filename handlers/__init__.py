"""Dispatch: one place that decides which handler answers an input.

`dispatch(ctx)` returns a `Result`, or None when the bot should stay quiet (group small talk not meant
for it, events that need no answer). Bad input raises `UserFacingError` in handlers; it becomes a polite
reply here. Anything else propagates to the webhook edge, which logs it and apologises.

Capability modules plug in by declaring, each as a module-level dict:
- `COMMANDS`: a Thai command word (matched at the start of the text, Thai-safe) -> `fn(ctx, rest)`;
- `POSTBACKS`: a postback action (see `handlers.postback.ACTIONS`) -> `fn(ctx, payload)`;
- `FLOWS`: a flow name (`handlers.state`) -> `fn(ctx, state_row, text)` for text typed mid-flow;
- `MEDIA` (optional): a flow name -> `fn(ctx, state_row)` for a photo or file sent mid-flow;
- `FREE_TEXT` (optional): a flow name -> the steps where whatever is typed is content (an announcement
  being written), so text that merely starts with a command word stays in the flow; a command word typed
  alone still leaves it;
- `EVENTS`: an input kind ("follow", "unfollow", "join", "leave", "member_joined", …) -> `fn(ctx)`.
Text that is none of these is a standards question (`handlers.standards.lookup`).
"""
from __future__ import annotations

import re

from content.codes import parse_codes
from content.thai import loose, normalize
from handlers import broadcast, groups, help, members, postback, registration, standards, state, unanswered
from handlers.types import Ctx, Result, UserFacingError

MODULES = (registration, members, groups, broadcast, unanswered)
COMMANDS = sorted(((normalize(word).lower(), fn) for m in MODULES for word, fn in m.COMMANDS.items()),
                  key=lambda item: -len(item[0]))
COMMAND_WORDS = {word for word, _fn in COMMANDS}
POSTBACKS = {action: fn for m in MODULES for action, fn in m.POSTBACKS.items()}
FLOWS = {flow: fn for m in MODULES for flow, fn in m.FLOWS.items()}
MEDIA = {flow: fn for m in MODULES for flow, fn in getattr(m, "MEDIA", {}).items()}
FREE_TEXT = {flow: steps for m in MODULES for flow, steps in getattr(m, "FREE_TEXT", {}).items()}
EVENTS = {kind: fn for m in MODULES for kind, fn in m.EVENTS.items()}
CANCEL_WORDS = {loose(w) for w in ("ยกเลิก", "cancel", "เลิก", "ไม่เอาแล้ว", "หยุด")}
CANCELLED = "ยกเลิกรายการแล้วค่ะ 👌"
NOTHING_TO_CANCEL = "ตอนนี้ไม่มีรายการที่ทำค้างอยู่ค่ะ 😊 พิมพ์คำถามหรือรหัส เช่น \"ตบช. 2.1\" ได้เลยนะคะ"

# In a group chat the bot answers when tagged, when the text starts with one of these, or when the
# whole message is a code ("ตบช. 2.1") or a command word; other group talk is not for the bot.
GROUP_PREFIX = re.compile(r"^\s*(?:บอท|bot|น้องบอท|@บอท|/|!)\s*[,:：]?\s*", re.IGNORECASE)


def addressed_text(ctx: Ctx) -> str | None:
    """The text meant for the bot, or None when a group message is not addressed to it."""
    text = ctx.inp.text.strip()
    if ctx.inp.chat_kind == "user" or ctx.inp.mentioned:
        return text
    m = GROUP_PREFIX.match(text)
    if m:
        return text[m.end():].strip()
    if len(text) <= 30 and parse_codes(text) and len(loose(text)) <= 20:
        return text
    if normalize(text).lower() in COMMAND_WORDS:  # a bare command ("ตั้งค่ากลุ่ม") is for the bot too
        return text
    return None


def command_for(text: str):
    """(handler, the rest of the text) when `text` starts with a command word, else None.

    Matched on the normalised text (Thai digits, spaces folded; marks kept); a command typed alone may
    also miss its tone marks ("ลงทะเบียน" = "ลงทะเบยน" is not accepted, "ลงทะเบียน" = "ลงทะเบีียน" is).
    """
    t = normalize(text)
    lt = loose(text)
    for word, fn in COMMANDS:
        if t.lower().startswith(word):
            return fn, t[len(word):].strip()
        if lt == loose(word):
            return fn, ""
    return None


def on_text(ctx: Ctx) -> Result | None:
    text = addressed_text(ctx)
    if text is None:
        return None
    flow = state.current(ctx)
    if flow is not None:
        if loose(text) in CANCEL_WORDS:
            state.finish(ctx)
            return Result.text(CANCELLED)
        if text and loose(text) in help.HELP_WORDS:  # "เมนู" mid-flow is a call for help, never the flow's content
            return help.help_menu(ctx, mid_flow=True)
        found = command_for(text)
        if flow.flow in FLOWS and (found is None or (found[1] and flow.step in FREE_TEXT.get(flow.flow, ()))):
            return FLOWS[flow.flow](ctx, flow, text)
    elif loose(text) in CANCEL_WORDS:
        return Result.text(NOTHING_TO_CANCEL, help.menu_buttons()[:3])
    found = command_for(text)
    if found:
        fn, rest = found
        return fn(ctx, rest)
    small = help.kind_of_small_talk(text)
    if small == "help":
        return help.help_menu(ctx)
    if small == "greeting":
        return help.greeting(ctx)
    if small == "thanks":
        return help.thanks(ctx)
    return standards.lookup(ctx, text)  # long text too: it reads a paragraph by its key phrases


def on_postback(ctx: Ctx) -> Result:
    action, payload = postback.decode(ctx.inp.data)
    if action == "help":
        return help.help_menu(ctx)
    if action == "cancel":
        state.finish(ctx)
        return Result.text(CANCELLED)
    if action in POSTBACKS:
        return POSTBACKS[action](ctx, payload)
    return standards.on_postback(ctx, action, payload)


def dispatch(ctx: Ctx) -> Result | None:
    """The reply to `ctx.inp`, or None for no reply."""
    kind = ctx.inp.kind
    try:
        if kind == "text":
            return on_text(ctx)
        if kind == "postback":
            return on_postback(ctx)
        if kind in EVENTS:
            return EVENTS[kind](ctx)
        if kind == "follow":
            return help.welcome(ctx)
        if kind == "join":
            return help.join(ctx)
        if kind == "sticker" and ctx.inp.chat_kind == "user":
            return Result.text(help.STICKER, help.menu_buttons()[:3])
        if kind == "media" and ctx.inp.chat_kind == "user":
            flow = state.current(ctx)
            if flow is not None and flow.flow in MEDIA:
                return MEDIA[flow.flow](ctx, flow)
            return Result.text(help.MEDIA)
        return None
    except UserFacingError as err:
        return Result.text(err.message, err.quick_replies)
