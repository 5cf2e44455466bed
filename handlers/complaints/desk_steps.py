"""The desk's flows (`handlers.core.flow`): the steps where an officer types text or picks a work group.

Flows "cdnote" (บันทึกภายใน), "cdreply" (ตอบผู้แจ้ง), "cddone" (เสร็จสิ้น: the outcome) and "cddism"
(ยุติเรื่อง: the reason) are one declaration each over `TextData`: "text" (typed text is the flow's data;
empty or particles only is asked again) → "confirm" (ยืนยัน, or แก้ไข to type it again; other words are
asked again, never taken as the text). Flow "cdfwd" (ส่งต่อ): "group" (the work-group step of
`handlers.members.picker`, pressed or typed in natural Thai) → "confirm". The action runs at "confirm"
(`handlers.complaints.actions`), in the event's transaction, with its pushes as `Result.pushes`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from handlers.complaints import actions
from handlers.complaints.desk_cards import case_result
from handlers.core import policy
from handlers.core.flow import Flow, FlowState, Step
from handlers.core.types import Ctx, Result, UserFacingError
from handlers.core.words import Choice, is_only_particles
from handlers.members import picker
from handlers.members.directory import cancel_button, group_name
from storage import complaints
from storage.models import Complaint

def confirm_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [Choice("ok", "✅ ยืนยัน", ("ยืนยัน", "ตกลง", "ส่ง", "บันทึก", "ใช่", "โอเค", "ok"), "ยืนยัน"),
            Choice("edit", "✏️ แก้ไข", ("แก้", "พิมพ์ใหม่", "เลือกใหม่"), "แก้ไข")]


def _case(ctx: Ctx, st: FlowState) -> Complaint:
    case = complaints.get(ctx.session, st.data.case_id)
    if case is None:
        raise UserFacingError(actions.NOT_FOUND.format(number=st.data.case_id))
    return case


def _done(ctx: Ctx, st: FlowState, run: Callable[[Complaint], actions.Outcome], lead: str) -> Result:
    """Run the action at "confirm"; its refusal ends the flow with the reason (nothing half done)."""
    policy.require(ctx, "complaints.handle")
    try:
        out = run(_case(ctx, st))
    except UserFacingError as err:
        return st.end(Result.text(err.message))
    told = f" ({out.told})" if out.told else ""
    result = case_result(ctx, out.case, lead.format(number=out.case.number) + told)
    result.pushes = out.pushes()
    return st.end(result)


# -- the four text flows -------------------------------------------------------------------------------------
@dataclass
class TextData:
    case_id: int = 0
    body: str = ""


@dataclass(frozen=True)
class TextOp:
    """One text flow: its `name`, the question (with {number}), the confirm line, the action and what is
    said when it is done."""

    name: str
    ask: str
    check: str
    run: Callable  # (session, actor, case, text, now) -> Outcome
    done: str


OPS = {
    "note": TextOp("cdnote", "🔒 พิมพ์บันทึกภายในของเรื่อง {number} ค่ะ (ผู้แจ้งจะไม่เห็นบันทึกนี้)",
                   "บันทึกภายใน (ผู้แจ้งไม่เห็น)", actions.note, "🔒 บันทึกภายในเรื่อง {number} แล้วค่ะ"),
    "reply": TextOp("cdreply", "💬 พิมพ์ข้อความถึงผู้แจ้ง เรื่อง {number} ค่ะ บอทจะส่งให้ผู้แจ้งทาง LINE",
                    "ข้อความถึงผู้แจ้ง", actions.reply, "✅ ตอบผู้แจ้ง เรื่อง {number} แล้วค่ะ"),
    "done": TextOp("cddone", "✅ พิมพ์ผลการดำเนินการของเรื่อง {number} ค่ะ บอทจะแจ้งผลให้ผู้แจ้ง "
                             "และขอให้ประเมินความพึงพอใจ", "ผลการดำเนินการ (แจ้งผู้แจ้ง แล้วปิดเรื่อง)",
                   actions.resolve, "✅ เรื่อง {number} เสร็จสิ้นแล้วค่ะ"),
    "dism": TextOp("cddism", "พิมพ์เหตุผลที่ยุติเรื่อง {number} ค่ะ บอทจะแจ้งเหตุผลนี้ให้ผู้แจ้งทราบ",
                   "เหตุผลที่ยุติเรื่อง (แจ้งผู้แจ้ง แล้วปิดเรื่อง)", actions.dismiss, "เรื่อง {number} ยุติเรื่องแล้วค่ะ"),
}


def _text_flow(op: TextOp) -> Flow:
    def ask(ctx: Ctx, st: FlowState) -> Result:
        return Result.text(op.ask.format(number=_case(ctx, st).number), [cancel_button()])

    def on_text(ctx: Ctx, st: FlowState, text: str) -> Result:
        if is_only_particles(text):
            raise UserFacingError(actions.EMPTY, [cancel_button()])
        body = actions.clean_text(text)
        return st.goto(ctx, "confirm", body=body)

    def confirm(ctx: Ctx, st: FlowState) -> Result:
        case = _case(ctx, st)
        return Result.text(f"ตรวจสอบก่อนค่ะ: เรื่อง {case.number}\n{op.check}:\n{st.data.body[:1500]}",
                           st.choice_buttons(confirm_choices(ctx, st)) + [cancel_button()])

    def on_confirm(ctx: Ctx, st: FlowState, value: str) -> Result:
        if value == "edit":
            return st.goto(ctx, "text")
        return _done(ctx, st, lambda case: op.run(ctx.session, ctx.actor, case, st.data.body, ctx.now), op.done)

    return Flow(op.name, TextData, {
        "text": Step(ask, on_text=on_text),
        "confirm": Step(confirm, choices=confirm_choices, on_choice=on_confirm),
    }, first="text")


TEXT_FLOWS = {key: _text_flow(op) for key, op in OPS.items()}


def begin_text(ctx: Ctx, op: str, case: Complaint) -> Result:
    """Start flow `op` ("note", "reply", "done", "dism") for `case`; a reply or closing of a closed case is
    refused at once."""
    if op != "note" and case.state in complaints.CLOSED_STATES:
        raise UserFacingError(actions.CLOSED.format(number=case.number, state=complaints.STATE_NAMES[case.state]))
    return TEXT_FLOWS[op].begin(ctx, case_id=case.id)


# -- forwarding --------------------------------------------------------------------------------------------------
@dataclass
class ForwardData(picker.Place):
    case_id: int = 0


def _ask_group(ctx: Ctx, st: FlowState) -> str:
    return f"ส่งต่อเรื่อง {_case(ctx, st).number} ถึงกลุ่มงานไหนคะ เลือกจากปุ่ม หรือพิมพ์ชื่อกลุ่มงานได้เลยค่ะ 👇"


def _picked(ctx: Ctx, st: FlowState, role: str, work_group: str | None, school_code: str | None) -> Result:
    return st.goto(ctx, "confirm")


def _forward_confirm(ctx: Ctx, st: FlowState) -> Result:
    case = _case(ctx, st)
    text = (f"ส่งต่อเรื่อง {case.number} ถึง{group_name(ctx.content, st.data.work_group)} นะคะ\n"
            "บอทจะแจ้งกลุ่มไลน์ของกลุ่มงานนั้น (หรือบุคลากรของกลุ่ม) โดยไม่ระบุตัวผู้แจ้งค่ะ")
    return Result.text(text, st.choice_buttons(confirm_choices(ctx, st)) + [cancel_button()])


def _on_forward_confirm(ctx: Ctx, st: FlowState, value: str) -> Result:
    if value == "edit":
        return st.goto(ctx, "group")
    lead = f"✅ ส่งต่อเรื่อง {{number}} ถึง{group_name(ctx.content, st.data.work_group)}แล้วค่ะ"
    return _done(ctx, st, lambda case: actions.forward(ctx.session, ctx.actor, case, st.data.work_group, ctx.now,
                                                       content=ctx.content), lead)


FORWARD = Flow("cdfwd", ForwardData, {
    "group": picker.steps(_picked, (policy.STAFF,), "", ask_group=_ask_group)["group"],
    "confirm": Step(_forward_confirm, choices=confirm_choices, on_choice=_on_forward_confirm),
}, first="group")


def begin_forward(ctx: Ctx, case: Complaint) -> Result:
    """Start forwarding `case`; refused at once when the state machine does not allow it from here."""
    if "forwarded" not in complaints.MOVES.get(case.state, ()):
        raise UserFacingError(actions.MOVE_REFUSED.format(number=case.number,
                                                          state=complaints.STATE_NAMES[case.state],
                                                          to=complaints.STATE_NAMES["forwarded"]))
    return FORWARD.begin(ctx, case_id=case.id)


FLOWS = (*TEXT_FLOWS.values(), FORWARD)
