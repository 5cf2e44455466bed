"""The complainant rates how a resolved case was handled: 1–5 stars, then an optional comment.

The outcome push (`handlers.complaints.actions.resolve`) carries `rating_card`, whose button (postback
"cdr", the case id) starts flow "cdrate" in the complainant's 1:1 chat: "stars" (five choices, pressed or
typed: "5", "5 ดาว", "พอใจมาก") → "comment" (typed text, or "ไม่มี"). The stars are kept at once on
`Complaint.rating` with a "rated" event (detail {"stars": n}); the comment goes to `rating_comment` and the
same event's text. Only the person who filed the case may rate it, once (a reopened case is rated afresh:
`storage.complaints.reopen` clears the rating). Seed 001 lines 321–406 (ความพึงพอใจของผู้รับบริการ).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from handlers.core import policy, postback
from handlers.core.flow import Flow, FlowState, Step
from handlers.core.routing import Command
from handlers.complaints import notices
from handlers.complaints.catalog import case_number
from handlers.core.types import Button, Card, Ctx, PostbackAction, Result, Section, TextReply, UserFacingError
from handlers.core.words import Choice
from handlers.members.directory import cancel_button
from storage import complaints
from storage.models import Complaint, ComplaintEvent

MAX_COMMENT = 1000
ASK_STARS = "เรื่อง {number}: พึงพอใจการดูแลเรื่องนี้แค่ไหนคะ ให้ 1–5 ดาว กดปุ่ม หรือพิมพ์ตัวเลขได้เลยค่ะ 👇"
ASK_COMMENT = ("ขอบคุณสำหรับ {stars} ดาวค่ะ 🙏 อยากบอกอะไรเพิ่มเติมไหมคะ พิมพ์ความเห็นได้เลย "
               "หรือกด \"ไม่มี\" ถ้าไม่มีค่ะ")
THANKS = "ขอบคุณสำหรับความเห็นค่ะ 🙏 สำนักงานจะนำไปปรับปรุงการให้บริการนะคะ"
THANKS_NO_COMMENT = "ขอบคุณที่ให้คะแนนค่ะ 🙏"
RATED_NOTICE = "{stars} เรื่อง {number} ได้รับคะแนนความพึงพอใจ {n}/5 จากผู้แจ้งค่ะ"
NOT_YOURS = "ไม่พบเรื่องนี้ในรายการของท่านค่ะ 🙏 พิมพ์ \"ติดตามเรื่อง\" เพื่อดูเรื่องของท่านนะคะ"
NOT_RESOLVED = "เรื่อง {number} ยังไม่เสร็จสิ้นค่ะ จะให้คะแนนได้เมื่อเจ้าหน้าที่แจ้งผลแล้วนะคะ"
RATED = "เรื่อง {number} ให้คะแนนไปแล้ว ({stars} ดาว) ขอบคุณค่ะ 🙏"
COMMENT_TOO_LONG = "ความเห็นยาวเกิน {limit:,} ตัวอักษรค่ะ 🙏 ช่วยย่อให้สั้นลงนะคะ"
STAR_WORDS = {5: ("5 ดาว", "ห้าดาว", "พอใจมาก", "ดีมาก", "ประทับใจ"), 4: ("4 ดาว", "สี่ดาว", "พอใจ", "ดี"),
              3: ("3 ดาว", "สามดาว", "ปานกลาง", "เฉยๆ", "พอใช้"), 2: ("2 ดาว", "สองดาว", "ไม่ค่อยพอใจ", "น้อย"),
              1: ("1 ดาว", "หนึ่งดาว", "ไม่พอใจ", "แย่", "ไม่พอใจมาก")}


def rating_card(case: Complaint) -> Card:
    """The card pushed with the outcome: a button that starts rating `case` (postback "cdr")."""
    data = postback.encode("cdr", c=case.id)
    return Card(label=f"เรื่อง {case.number}", title="ช่วยประเมินความพึงพอใจหน่อยนะคะ",
                sections=(Section("ความพึงพอใจ", ("ให้ 1–5 ดาว และบอกความเห็นเพิ่มเติมได้ค่ะ ใช้เวลาไม่ถึงนาที",)),),
                buttons=(Button("⭐ ให้คะแนน", PostbackAction(data, "ให้คะแนน")),),
                alt_text=f"ประเมินความพึงพอใจ เรื่อง {case.number}")


@dataclass
class RateData:
    case_id: int = 0
    stars: int = 0


def _case(ctx: Ctx, case_id: int) -> Complaint:
    """The case `case_id` if this person filed it (else the polite not-found that reveals nothing)."""
    case = complaints.get(ctx.session, int(case_id or 0))
    if case is None or not complaints.is_filer(ctx.session, case, ctx.inp.user_id or ""):
        raise UserFacingError(NOT_YOURS)
    return case


def _rateable(ctx: Ctx, case_id: int) -> Complaint:
    case = _case(ctx, case_id)
    if case.state != "resolved":
        raise UserFacingError(NOT_RESOLVED.format(number=case.number))
    if case.rating is not None:
        raise UserFacingError(RATED.format(number=case.number, stars=case.rating))
    return case


def _star_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [Choice(str(n), "⭐" * n + f" {n}", (str(n), *STAR_WORDS[n]), f"{n} ดาว") for n in (5, 4, 3, 2, 1)]


def _stars_prompt(ctx: Ctx, st: FlowState) -> Result:
    case = _case(ctx, st.data.case_id)
    return Result.text(ASK_STARS.format(number=case.number), st.choice_buttons(_star_choices(ctx, st)) +
                       [cancel_button()])


def _on_stars(ctx: Ctx, st: FlowState, value: str) -> Result:
    case = _rateable(ctx, st.data.case_id)
    stars = int(value)
    case.rating = stars
    complaints.add_event(ctx.session, case, "complainant", "rated", ctx.now, detail={"stars": stars})
    return st.goto(ctx, "comment", stars=stars)


def _comment_choices(ctx: Ctx, st: FlowState) -> list[Choice]:
    return [Choice("none", "ไม่มี", ("ไม่มีค่ะ", "ไม่มีความเห็น", "ข้าม", "ไม่", "ไม่เป็นไร", "พอแล้ว"), "ไม่มี")]


def _comment_prompt(ctx: Ctx, st: FlowState) -> Result:
    return Result.text(ASK_COMMENT.format(stars=st.data.stars), st.choice_buttons(_comment_choices(ctx, st)))


def _rated_notice(ctx: Ctx, st: FlowState, comment: str = "") -> list[tuple[str, list]]:
    """The push telling the officer who handled the case (else the officers) of the rating: no identity."""
    case = _case(ctx, st.data.case_id)
    text = RATED_NOTICE.format(number=case.number, stars="⭐" * st.data.stars, n=st.data.stars)
    if comment:
        text += f"\nความเห็น: {notices.preview(comment)}"
    to = [case.assignee_id] if case.assignee_id else notices.recipients(ctx.session, ctx.settings)
    return [(who, [TextReply(text)]) for who in to]


def _on_no_comment(ctx: Ctx, st: FlowState, value: str) -> Result:
    return st.end(Result([TextReply(THANKS_NO_COMMENT)], pushes=_rated_notice(ctx, st)))


def _on_comment(ctx: Ctx, st: FlowState, text: str) -> Result:
    comment = text.strip()
    if len(comment) > MAX_COMMENT:
        raise UserFacingError(COMMENT_TOO_LONG.format(limit=MAX_COMMENT))
    case = _case(ctx, st.data.case_id)
    case.rating_comment = comment
    ev = ctx.session.scalars(select(ComplaintEvent).where(ComplaintEvent.complaint_id == case.id,
                                                          ComplaintEvent.action == "rated")
                             .order_by(ComplaintEvent.id.desc())).first()
    if ev is not None:
        ev.text = comment
    ctx.session.flush()
    return st.end(Result([TextReply(THANKS)], pushes=_rated_notice(ctx, st, comment)))


RATE = Flow("cdrate", RateData, {
    "stars": Step(_stars_prompt, choices=_star_choices, on_choice=_on_stars),
    "comment": Step(_comment_prompt, choices=_comment_choices, on_choice=_on_no_comment, on_text=_on_comment),
}, first="stars")


def on_rate_button(ctx: Ctx, payload: dict) -> Result:
    """Postback "cdr" from the outcome push: start rating case `c` (its filer, 1:1 chat, not rated yet)."""
    policy.require(ctx, "complaints.rate")
    case = _rateable(ctx, payload.get("c", 0))
    return RATE.begin(ctx, case_id=case.id)


NOTHING_TO_RATE = "ยังไม่มีเรื่องที่รอให้คะแนนค่ะ 😊 เมื่อเจ้าหน้าที่แจ้งผลเรื่องของท่านแล้ว จะให้คะแนนได้นะคะ"
WHICH = "เรื่องที่รอให้คะแนน {n} เรื่องค่ะ เลือกเรื่องที่จะให้คะแนนได้เลย 👇"


def rate_command(ctx: Ctx, rest: str = "") -> Result:
    """"ให้คะแนน" typed (the outcome card's button, or "ให้คะแนน ร-2570-0042"): rate that case, the one
    resolved case not rated yet, or pick among several."""
    policy.require(ctx, "complaints.rate")
    number = case_number(rest) if rest else None
    if number:
        case = complaints.by_number(ctx.session, number)
        return RATE.begin(ctx, case_id=_rateable(ctx, case.id if case else 0).id)
    waiting = [c for c in complaints.filed_by(ctx.session, ctx.inp.user_id or "")
               if c.state == "resolved" and c.rating is None]
    if not waiting:
        return Result.text(NOTHING_TO_RATE)
    if len(waiting) == 1:
        return RATE.begin(ctx, case_id=waiting[0].id)
    return Result.text(WHICH.format(n=len(waiting)),
                       [Button(c.number, PostbackAction(postback.encode("cdr", c=c.id), f"ให้คะแนน {c.number}"))
                        for c in waiting[:12]])


COMMANDS = [Command(("ให้คะแนน", "ประเมินความพึงพอใจ"), rate_command, bare_in_group=False)]
POSTBACKS = {"cdr": on_rate_button}
FLOWS = (RATE,)
EVENTS: dict = {}
