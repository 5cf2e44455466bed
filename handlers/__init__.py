"""Dispatch: one place that decides which handler answers an input.

`dispatch(ctx)` returns a `Result`, or None when the bot should stay quiet (group talk not meant for it,
events that need no answer), and writes the conversation state the handler leaves (`Result.next_state`).
Bad input raises `UserFacingError` in handlers; it becomes a polite reply here. Anything else propagates
to the webhook edge, which logs it and apologises.

Capability packages plug in by declaring, each at module level:
- `COMMANDS`: `handlers.core.routing.Command`s (a whole word, then its argument);
- `FLOWS`: `handlers.core.flow.Flow`s (their buttons are postback "f", routed here);
- `POSTBACKS`: a postback action (`handlers.core.postback.ACTIONS`) -> `fn(ctx, payload)` for buttons
  that are not a flow's (a card's "approve", "รับทราบ");
- `EVENTS`: an input kind ("follow", "join", "leave", "member_joined", …) -> `fn(ctx)`;
- `OVERHEARD`: `[fn(ctx, text) -> None]`, told of group text NOT addressed to the bot (and not a choice
  of the sender's live flow), e.g. a "รับทราบ" under an announcement. They may record; the bot stays quiet.
- `READERS`: `[fn(ctx, text) -> Result | None]`, asked in turn about addressed text outside a flow that is
  no command (before the standards lookup), e.g. a case number typed alone ("ร-2570-0042"); None: not theirs.
Routing (design.md, "Manners in a chat"): in a flow, text goes to the flow's current step except the
cancel and help words and a bare command word; otherwise the label of a button on the last reply (typed
instead of pressed, 1:1), a command, small talk, or a standards question.
"""
from __future__ import annotations

import dataclasses

from handlers import help
from handlers.broadcasts import acks, compose as broadcasts
from handlers.calendar import chat as holidays
from handlers.chatgroups import binding as chatgroups
from handlers.complaints import filing as complaint_filing, follow as complaint_follow, mydata as complaint_data, \
    summary as complaint_stats
from handlers.complaints import desk as complaints_desk, rating as complaints_rating
from handlers.core import flow, postback, typed_buttons
from handlers.core.routing import Commands, addressed, is_one_of
from handlers.core.types import Ctx, Result, TextReply, UserFacingError
from handlers.core.words import candidates, choose, exact_choice
from handlers.evidence import actions as evidence, export as evidence_export
from handlers.members import manage as members, registration
from handlers.reminders import actions as reminders
from handlers.standards import lookup as standards, unanswered

MODULES = (registration, members, chatgroups, broadcasts, unanswered, evidence, evidence_export, holidays,
           reminders, complaint_filing, complaint_follow, complaint_stats, complaint_data, complaints_desk,
           complaints_rating)


COMMANDS = Commands(c for m in MODULES for c in m.COMMANDS)
POSTBACKS = {action: fn for m in MODULES for action, fn in m.POSTBACKS.items()}
FLOWS = {f.name: f for m in MODULES for f in getattr(m, "FLOWS", ())}
EVENTS = {kind: fn for m in MODULES for kind, fn in m.EVENTS.items()}
# acks is plugged in through compose for its commands; its listeners are collected here (once each)
OVERHEARD = list(dict.fromkeys(fn for m in (*MODULES, acks) for fn in getattr(m, "OVERHEARD", ())))
READERS = [fn for m in MODULES for fn in getattr(m, "READERS", ())]
CANCEL_WORDS = ("ยกเลิก", "cancel", "เลิก", "ไม่เอาแล้ว", "หยุด", "พอแล้ว", "ยกเลิกรายการ")
CANCELLED = "ยกเลิกรายการแล้วค่ะ 👌"
STICKER_IN_FLOW = "ได้รับสติกเกอร์แล้วค่ะ 😊 รายการที่ทำอยู่ยังไม่หายไปไหนนะคะ ทำต่อจากขั้นล่าสุดได้เลย หรือพิมพ์ \"ยกเลิก\""
CONFIRM_WORDS = ("ยืนยัน", "ยืนยันส่ง", "confirm")  # particles aside (is_one_of)
NOTHING_TO_CONFIRM = "ตอนนี้ไม่มีรายการที่รอการยืนยันค่ะ 😊 รายการก่อนหน้านี้บันทึกหรือจบไปแล้ว พิมพ์ \"เมนู\" เพื่อดูสิ่งที่ทำได้นะคะ"
NOTHING_TO_CANCEL = "ตอนนี้ไม่มีรายการที่ทำค้างอยู่ค่ะ 😊 พิมพ์คำถามหรือรหัส เช่น \"ตบช. 2.1\" ได้เลยนะคะ"


def _in_flow(ctx: Ctx, text: str, st) -> Result | None:
    """Text typed while this person is in a flow: cancel, help, a bare command, or the flow's step."""
    if is_one_of(text, CANCEL_WORDS):
        flow.end_any(ctx)
        return Result.text(CANCELLED)
    if text and help.is_help(text):  # "เมนู" mid-flow is a call for help, never the flow's content
        return help.help_menu(ctx, mid_flow=True)
    bare = COMMANDS.bare(text)
    if bare is not None and not _names_a_choice(ctx, st, text):
        result = bare.run(ctx, "")
        if result is not None and result.next_state is None:
            _still_waiting(result)
        return result
    return st.flow.on_text(ctx, st, text)


def _names_a_choice(ctx: Ctx, st, text: str) -> bool:
    """True when `text` is exactly a choice the current step offers ("เปิดรอบเลยค่ะ" at a round's last step),
    or a part of two or more: the step answers it (the choice, or which of them?), not the command of the
    same word ("เปิดรอบ N")."""
    step = st.flow.steps[st.step]
    if not step.offers_choice_for(text):
        return False
    choices = list(step.choices(ctx, st))
    return exact_choice(text, choices) is not None or bool(candidates(text, choices))


def _still_waiting(result: Result) -> None:
    """A command answered mid-flow left the step waiting: say so under the answer (in its last text, or
    as one more message while LINE's five per reply leave room)."""
    last = result.replies[-1] if result.replies else None
    if isinstance(last, TextReply):
        result.replies[-1] = TextReply(f"{last.text}\n\n{help.MID_FLOW}")
    elif len(result.replies) < 4:
        result.replies.append(TextReply(help.MID_FLOW))


def _current(ctx: Ctx) -> flow.FlowState | None:
    return flow.current(ctx, FLOWS)


def on_text(ctx: Ctx) -> Result | None:
    text = addressed(ctx, COMMANDS)
    st = _current(ctx)
    if text is None:
        # in a group, unaddressed text reaches a flow only when it is plainly the current step's choice
        if st is not None:
            step = st.flow.steps[st.step]
            picked = choose(ctx.inp.text, step.choices(ctx, st)) if step.offers_choice_for(ctx.inp.text) else None
            if picked is not None:
                return step.on_choice(ctx, st, picked.value)
        for listener in OVERHEARD:  # group talk: listened to, never answered
            listener(ctx, ctx.inp.text)
        return None
    if st is not None:
        return _in_flow(ctx, text, st)
    if is_one_of(text, CANCEL_WORDS):
        return Result.text(NOTHING_TO_CANCEL, help.menu_buttons()[:3])
    data = typed_buttons.pressed(ctx, text)  # the label of a button on the last reply, typed
    if data is not None:
        return on_postback(dataclasses.replace(ctx, inp=dataclasses.replace(ctx.inp, kind="postback", data=data)))
    if is_one_of(text, CONFIRM_WORDS):  # a confirmation typed after its flow ended
        return Result.text(NOTHING_TO_CONFIRM, help.menu_buttons()[:3])
    found = COMMANDS.match(text)
    if found:
        cmd, rest = found
        return cmd.run(ctx, rest)
    small = help.kind_of_small_talk(text)
    if small == "help":
        return help.help_menu(ctx)
    if small == "greeting":
        return help.greeting(ctx)
    if small == "thanks":
        return help.thanks(ctx) if ctx.inp.chat_kind == "user" or ctx.inp.mentioned else None
    for reader in READERS:
        read = reader(ctx, text)
        if read is not None:
            return read
    reported = evidence.short_form(ctx, text)  # "1.1.5 มีหลักฐานแล้ว": a code followed by a status word
    if reported is not None:
        return reported
    return standards.lookup(ctx, text)  # long text too: it reads a paragraph by its key phrases


def on_flow_button(ctx: Ctx, payload: dict) -> Result:
    """A flow's button (postback "f"): acted on only in its own live session."""
    st = flow.current(ctx, FLOWS)
    if st is None or st.flow.name != payload.get("f") or st.session_id != payload.get("s"):
        raise UserFacingError(flow.EXPIRED)
    return st.flow.on_button(ctx, st, str(payload.get("t", "")), payload.get("v"))


def on_postback(ctx: Ctx) -> Result | None:
    action, payload = postback.decode(ctx.inp.data)
    if action == "f":
        return on_flow_button(ctx, payload)
    if action == "help":
        return help.help_menu(ctx)
    if action == "cancel":
        flow.end_any(ctx)
        return Result.text(CANCELLED)
    if action in POSTBACKS:
        return POSTBACKS[action](ctx, payload)
    return standards.on_postback(ctx, action, payload)


def on_media(ctx: Ctx) -> Result | None:
    if ctx.inp.chat_kind != "user":
        return None
    st = _current(ctx)
    if st is not None:
        return st.flow.on_media(ctx, st)
    return Result.text(help.MEDIA)


def wants_media(ctx: Ctx) -> bool:
    """True when this person's current step takes a photo or file (the bot then fetches the content
    before dispatch, outside the transaction: `handlers.core.types.Media`)."""
    if ctx.inp.chat_kind != "user":
        return False
    st = flow.current(ctx, FLOWS)
    if not isinstance(st, flow.FlowState):
        return False
    step = st.flow.steps[st.step]
    return step.on_media is not None and (step.takes_media is None or step.takes_media(ctx, st))


def _route(ctx: Ctx) -> Result | None:
    kind = ctx.inp.kind
    if kind == "text":
        return on_text(ctx)
    if kind == "postback":
        return on_postback(ctx)
    if kind == "media":
        return on_media(ctx)
    if kind in EVENTS:
        return EVENTS[kind](ctx)
    if kind == "follow":
        return help.welcome(ctx)
    if kind == "join":
        return help.join(ctx)
    if kind == "sticker" and ctx.inp.chat_kind == "user":
        if _current(ctx) is not None:  # mid-flow: the flow stays where it is
            return Result.text(STICKER_IN_FLOW)
        return Result.text(help.STICKER, help.menu_buttons()[:3])
    return None


def dispatch(ctx: Ctx) -> Result | None:
    """The reply to `ctx.inp`, or None for no reply; the state the handler leaves is written here, and
    the reply's buttons are kept so their labels may be typed (`handlers.core.typed_buttons`)."""
    try:
        result = _route(ctx)
    except UserFacingError as err:
        result = Result.text(err.message, err.quick_replies)
    else:
        if result is not None:
            flow.save(ctx, result.next_state)
    typed_buttons.remember(ctx, result)
    return result
