"""Multi-step conversations, declared one way: a `Flow` is named steps over a typed data class.

Every flow (registration, invites, member changes, group binding, broadcast, and the evidence report,
round set-up and complaint filing to come) declares its `Step`s: a prompt (the question and its
buttons), and what the step accepts — a choice (`choices` + `on_choice`, pressed as a button or typed in
natural Thai, see `handlers.core.words.choose`), typed text (`on_text`: free text, a date, a number:
the step parses it), or media (`on_media`). A step that did not ask for text never turns typed text into
data: it asks again, saying what it expects.

Handlers do not write state. A step handler gets an immutable `FlowState` and returns a `Result` made
by `st.goto(...)`, `st.stay(...)` or `st.end(...)`, which carry the next state (`Result.next_state`);
`handlers.dispatch` writes it (`save`) in the event's transaction. State lives in the database, one row
per (chat, user), with a 30-minute expiry (UTC) and a `session_id` that is new at each start.

Buttons come from `st.button(...)`: postback "f" with the flow's name, its session id and the step it
belongs to. A button from another session, or from a step the flow has left, is answered with
`EXPIRED` / the current step's question instead of acting; its value must also be one of the step's
current choices.
"""
from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Generic, Sequence, TypeVar

from handlers.core import postback
from handlers.core.types import Button, Ctx, NextState, PostbackAction, Result, TextReply, UserFacingError
from handlers.core.words import Choice, ambiguity, choice_list, choose
from storage.models import ConversationState

TTL = timedelta(minutes=30)
EXPIRED = "ขั้นตอนนี้หมดเวลาแล้ว หรือเริ่มรายการใหม่ไปแล้วค่ะ เริ่มใหม่ได้เลยนะคะ 🙏"
OLD_STEP = "ปุ่มนั้นเป็นของขั้นก่อนหน้าค่ะ ตอนนี้อยู่ที่ขั้นนี้นะคะ 👇"
NOT_A_CHOICE = "ขอโทษค่ะ บอทไม่แน่ใจว่าเลือกอะไร กดปุ่มด้านล่าง หรือพิมพ์ชื่อตัวเลือก ({choices}) ได้เลยค่ะ"
WANTS_BUTTON = "ขั้นนี้ให้กดปุ่มด้านล่างค่ะ (หรือพิมพ์ \"ยกเลิก\" เพื่อหยุด)"
NO_MEDIA = "ขั้นนี้บอทยังไม่ต้องการรูปหรือไฟล์ค่ะ 🙏"
NEEDS_USER = "ขออภัยค่ะ รายการนี้ต้องทำในแชต 1:1 กับบอท เพราะในกลุ่มบอทไม่เห็นว่าใครเป็นผู้ส่ง"

D = TypeVar("D")
Handler = Callable[..., Result]


@dataclass(frozen=True)
class Step:
    """One step: `prompt(ctx, st) -> Result` asks; then what it accepts.

    - `choices(ctx, st) -> [Choice]` and `on_choice(ctx, st, value) -> Result`: a choice, pressed or typed;
    - `on_text(ctx, st, text) -> Result`: typed text is this step's data (the step parses and validates
      it, raising `UserFacingError` to ask again);
    - `on_media(ctx, st) -> Result`: a photo or file sent.
    `expects` is how a re-ask names what the step wants when typed text fits none of these.
    `text_first(text) -> bool`: typed text it is True for goes to `on_text` without trying the choices
    (a date typed at a step whose buttons are dates: fuzzy matching would take "17 เม.ย." for "16 เม.ย.").
    `takes_media(ctx, st) -> bool` says whether a photo or file sent now is fetched at all (None: always,
    when `on_media` is set); when it says no, `on_media` still answers, with `Input.media` unfetched
    (no `path`, no `error`), e.g. "the draft already has its 10 files".
    `brief`: for a long prompt (the privacy notice), the short line a re-ask shows instead of the whole
    prompt again, with the prompt's buttons, when typed text fits nothing.
    """

    prompt: Callable[[Ctx, "FlowState"], Result]
    choices: Callable[[Ctx, "FlowState"], Sequence[Choice]] | None = None
    on_choice: Callable[[Ctx, "FlowState", str], Result] | None = None
    on_text: Callable[[Ctx, "FlowState", str], Result] | None = None
    on_media: Callable[[Ctx, "FlowState"], Result] | None = None
    expects: str = ""
    text_first: Callable[[str], bool] | None = None
    takes_media: Callable[[Ctx, "FlowState"], bool] | None = None
    brief: str = ""

    def offers_choice_for(self, text: str) -> bool:
        """True when typed `text` may be read as one of this step's choices (not when `text_first` claims it)."""
        return bool(self.choices and self.on_choice) and not (self.text_first and self.text_first(text))


@dataclass(frozen=True)
class FlowState(Generic[D]):
    """Where one person's flow stands: the `flow`, its `step`, its typed `data`, the `session_id`."""

    flow: "Flow[D]"
    step: str
    data: D
    session_id: str

    def replace(self, **changes: Any) -> "FlowState[D]":
        """This state with `data` fields changed."""
        return dataclasses.replace(self, data=dataclasses.replace(self.data, **changes)) if changes else self

    def button(self, label: str, value: str, display: str | None = None) -> Button:
        """A button of this step that chooses `value` (postback "f", carrying flow, session and step)."""
        data = postback.encode("f", f=self.flow.name, s=self.session_id, t=self.step, v=value)
        return Button(label, PostbackAction(data, display or label))

    def choice_buttons(self, choices: Sequence[Choice]) -> list[Button]:
        """One button per choice, in order."""
        return [self.button(c.label, c.value, c.display) for c in choices]

    def goto(self, ctx: Ctx, step: str, note: str = "", **changes: Any) -> Result:
        """Move to `step` (with `data` changes): its prompt, led by `note`, and the next state."""
        st = dataclasses.replace(self.replace(**changes), step=step)
        result = self.flow.steps[step].prompt(ctx, st)
        return _lead(result, note).with_state(st.next_state())

    def stay(self, result: Result, **changes: Any) -> Result:
        """Stay at this step (with `data` changes), answering `result`."""
        return result.with_state(self.replace(**changes).next_state())

    def again(self, ctx: Ctx, note: str = "", **changes: Any) -> Result:
        """Ask this step's question again (after `data` changes), led by `note`."""
        return self.goto(ctx, self.step, note, **changes)

    def end(self, result: Result) -> Result:
        """End the flow, answering `result`."""
        return result.with_state(NextState.END)

    def next_state(self) -> NextState:
        return NextState(self.flow.name, self.step, dataclasses.asdict(self.data), self.session_id)


def _lead(result: Result, note: str) -> Result:
    if not note:
        return result
    if result.replies and isinstance(result.replies[0], TextReply):
        result.replies[0] = TextReply(note.rstrip("\n") + "\n" + result.replies[0].text)
    else:
        result.replies.insert(0, TextReply(note.rstrip("\n")))
    return result


class Flow(Generic[D]):
    """A declared conversation: `name` (≤ 12 characters, it rides in postback data), the `data` class
    (a dataclass of JSON-able fields with defaults), the `steps` and the `first` step."""

    def __init__(self, name: str, data: type[D], steps: dict[str, Step], first: str) -> None:
        assert len(name) <= 12 and first in steps
        self.name, self.data_type, self.steps, self.first = name, data, steps, first

    def begin(self, ctx: Ctx, step: str | None = None, note: str = "", **data: Any) -> Result:
        """Start this flow (replacing any other flow of this person in this chat) at `step`, with a new
        session; raises UserFacingError when LINE did not say who is writing."""
        if ctx.inp.user_id is None:
            raise UserFacingError(NEEDS_USER)
        st = FlowState(self, step or self.first, self.data_type(**data), secrets.token_hex(4))
        return st.goto(ctx, st.step, note)

    def state_of(self, row: ConversationState) -> FlowState[D] | None:
        """The typed state of `row`, or None when the row no longer fits this flow (a changed release)."""
        if row.step not in self.steps:
            return None
        names = {f.name for f in dataclasses.fields(self.data_type)}
        try:
            data = self.data_type(**{k: v for k, v in (row.data or {}).items() if k in names})
        except TypeError:
            return None
        return FlowState(self, row.step, data, row.session_id)

    # -- what dispatch calls -----------------------------------------------------------------------
    def on_text(self, ctx: Ctx, st: FlowState[D], text: str) -> Result:
        """Typed text at the current step: a choice if the step offers one that the text names, else the
        step's text handler, else a re-ask that says what the step expects."""
        step = self.steps[st.step]
        choices = list(step.choices(ctx, st)) if step.choices else []
        picked = choose(text, choices) if choices and step.offers_choice_for(text) else None
        if picked is not None and step.on_choice is not None:
            return step.on_choice(ctx, st, picked.value)
        if step.on_text is not None:
            return step.on_text(ctx, st, text)
        note = (ambiguity(text, choices) or NOT_A_CHOICE.format(choices=choice_list(choices))) if choices \
            else (step.expects or WANTS_BUTTON)
        if step.brief:
            return st.stay(Result.text(f"{note}\n{step.brief}", step.prompt(ctx, st).quick_replies))
        return st.again(ctx, note)

    def on_button(self, ctx: Ctx, st: FlowState[D], step: str, value: Any) -> Result:
        """A button of this flow: acted on only when it belongs to the current step and offers a current
        choice; an older step's button gets the current question again."""
        here = self.steps[st.step]
        if step != st.step or here.on_choice is None:
            return st.again(ctx, OLD_STEP)
        offered = {c.value for c in here.choices(ctx, st)} if here.choices else set()
        if str(value) not in offered:
            return st.again(ctx, OLD_STEP)
        return here.on_choice(ctx, st, str(value))

    def on_media(self, ctx: Ctx, st: FlowState[D]) -> Result:
        """A photo or file at the current step."""
        step = self.steps[st.step]
        if step.on_media is not None:
            return step.on_media(ctx, st)
        return st.again(ctx, NO_MEDIA)


# -- the state row ---------------------------------------------------------------------------------
def _row(ctx: Ctx) -> ConversationState | None:
    if ctx.inp.user_id is None:
        return None
    row = ctx.session.get(ConversationState, (ctx.inp.chat_id, ctx.inp.user_id))
    if row is not None and row.expires_at <= ctx.now:
        ctx.session.delete(row)
        ctx.session.flush()
        return None
    return row


def current(ctx: Ctx, flows: dict[str, Flow]) -> FlowState | None:
    """The live flow of this person in this chat, or None (expired rows, and rows a changed flow no longer
    fits, are removed)."""
    row = _row(ctx)
    if row is None:
        return None
    flow = flows.get(row.flow)
    if flow is None:
        return None
    st = flow.state_of(row)
    if st is None:
        ctx.session.delete(row)
        ctx.session.flush()
    return st


def save(ctx: Ctx, next_state: NextState | None) -> None:
    """Write `next_state` for this person in this chat: None keeps what is there, `NextState.END`
    removes it, anything else replaces it with a fresh 30-minute expiry."""
    if next_state is None or ctx.inp.user_id is None:
        return
    key = (ctx.inp.chat_id, ctx.inp.user_id)
    row = ctx.session.get(ConversationState, key)
    if next_state is NextState.END:
        if row is not None:
            ctx.session.delete(row)
    else:
        if row is None:
            row = ConversationState(chat_id=key[0], user_id=key[1])
            ctx.session.add(row)
        row.flow, row.step, row.data = next_state.flow, next_state.step, dict(next_state.data)
        row.session_id, row.expires_at = next_state.session_id, ctx.now + TTL
    ctx.session.flush()


def end_any(ctx: Ctx) -> bool:
    """End whatever flow this person has in this chat; True when there was one."""
    row = _row(ctx)
    if row is None:
        return False
    ctx.session.delete(row)
    ctx.session.flush()
    return True
