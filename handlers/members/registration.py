"""Registration ("ลงทะเบียน") in a 1:1 chat: the person picks staff or school and their work group or
school (`handlers.members.picker`), types their real name and position, then an admin approves or
rejects (postback "regdec", `handlers.members.actions.decide_registration`); or an invite code
("ลงทะเบียน KQT482 ค่ะ") registers them once they have typed their name and position.

Flow "register" (`handlers.core.flow`): role → group | school → schools → name → position → sent.
Admins hear of a request, and the applicant of the decision, through `Result.pushes` (the runtime puts
them in the outbox in this event's transaction).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from content.thai import ZERO_WIDTH
from handlers.core import policy
from handlers.core import postback
from handlers.core.flow import Flow, FlowState, Step
from handlers.core.routing import Command, is_one_of
from handlers.core.thaidate import thai_date
from handlers.core.types import Button, Card, CardList, Ctx, MessageAction, PostbackAction, Result, Section, \
    TextReply, UserFacingError
from handlers.core.words import PARTICLES
from handlers.members import actions, directory, picker
from storage import members, registrations
from storage.models import InviteCode, Member, RegistrationRequest

NAME = "register"
ROLES = (policy.STAFF, policy.SCHOOL)
NO_SCHOOLS_YET = ("ยังไม่มีรายชื่อโรงเรียนในระบบค่ะ 🙏 ถ้าเป็นสถานศึกษา "
                  "รบกวนแจ้งผู้ดูแลระบบให้นำเข้ารายชื่อโรงเรียนก่อน แล้วพิมพ์ \"ลงทะเบียน\" อีกครั้ง ถ้าเป็นบุคลากรสำนักงาน เลือก \"บุคลากรสำนักงาน\" ได้เลยนะคะ")
IN_GROUP = ("การลงทะเบียนทำในแชต 1:1 กับบอทค่ะ 🙏 เปิดแชตกับบอท (เพิ่มเพื่อนก่อนถ้ายังไม่ได้เพิ่ม) "
            "แล้วพิมพ์ \"ลงทะเบียน\" นะคะ")
ASK_ROLE = ("ลงทะเบียนในฐานะอะไรคะ 👇\n• บุคลากรสำนักงาน — เลือกกลุ่มงานของคุณ\n• สถานศึกษา — ค้นหาโรงเรียนของคุณ\n"
            "จากนั้นบอทจะขอชื่อ-นามสกุลและตำแหน่ง ส่งคำขอแล้วผู้ดูแลระบบจะอนุมัติ และบอทจะแจ้งผลในแชตนี้ค่ะ "
            "(พิมพ์ \"ยกเลิก\" เพื่อหยุดได้ทุกเมื่อ)")
ASK_GROUP = "คุณอยู่กลุ่มงานไหนคะ เลือกจากปุ่มด้านล่าง หรือพิมพ์ชื่อกลุ่มงานได้เลยค่ะ 👇"
ASK_SCHOOL = ("พิมพ์ชื่อโรงเรียนของคุณได้เลยค่ะ เช่น \"บ้านควนขนุน\" (ไม่ต้องพิมพ์คำว่าโรงเรียน) "
              "หรือพิมพ์รหัสโรงเรียน 8 หลัก")
ASK_NAME = ("ขอชื่อ-นามสกุลจริงของคุณด้วยค่ะ เช่น \"สมศรี ใจดี\" ✍️\n"
            "(ผู้ดูแลระบบใช้ตรวจสอบคำขอ และแสดงในรายงานการรับทราบประกาศ)")
ASK_POSITION = "ตำแหน่งของคุณคืออะไรคะ เช่น \"ครู\" \"ผู้อำนวยการโรงเรียน\" \"นักวิชาการศึกษา\""
NAME_EXPECTS = "ขั้นนี้ให้พิมพ์ชื่อ-นามสกุลของคุณค่ะ"
NEEDS_SURNAME = "ขอนามสกุลด้วยค่ะ 🙏 พิมพ์ชื่อและนามสกุลเว้นวรรคกัน เช่น \"{name} ใจดี\" นะคะ"
POSITION_EXPECTS = "ขั้นนี้ให้พิมพ์ตำแหน่งของคุณค่ะ"
TYPED_EMPTY = "ยังไม่ได้พิมพ์{what}เลยค่ะ 🙏 พิมพ์{what}ของคุณได้เลยนะคะ"
TYPED_SHORT = "{what}สั้นเกินไปค่ะ 🙏 พิมพ์{what}ให้ครบนะคะ"
TYPED_LONG = "{what}ยาวเกินไปค่ะ (ไม่เกิน {max} ตัวอักษร) 🙏 พิมพ์เฉพาะ{what}นะคะ"
TYPED_URL = "ขั้นนี้ขอ{what}ค่ะ ไม่ใช่ลิงก์ 🙏 พิมพ์{what}ของคุณได้เลยนะคะ"
TYPED_NOT_A_NAME = "ขั้นนี้ขอ{what}ค่ะ 🙏 \"{typed}\" ไม่น่าใช่{what} พิมพ์{what}ของคุณได้เลยนะคะ"
# answers to some other question: typed at a name or position step they are a slip, never the person's name
NOT_NAMES = ("ยืนยัน", "ตกลง", "โอเค", "ok", "okay", "ใช่", "ไม่ใช่", "ไม่", "ถัดไป", "ต่อไป", "ข้าม", "ส่ง",
             "ส่งคำขอ", "เสร็จ", "เรียบร้อย", "แก้ไข", "กลับ", "ย้อนกลับ", "สวัสดี", "ขอบคุณ", "ลงทะเบียน")
TYPED_NO_LETTERS = "ขอ{what}เป็นตัวอักษรค่ะ 🙏 พิมพ์{what}ของคุณได้เลยนะคะ"
NAME_MAX, POSITION_MAX = 100, 100
ALREADY = "คุณลงทะเบียนแล้วค่ะ 😊 สิทธิ์ของคุณคือ {place} ถ้าต้องการเปลี่ยน ติดต่อผู้ดูแลระบบนะคะ"
PENDING = ("คุณส่งคำขอลงทะเบียนเป็น {place} ไปแล้วเมื่อ {when} ค่ะ 🙏 กำลังรอผู้ดูแลระบบอนุมัติ "
           "บอทจะแจ้งผลในแชตนี้นะคะ")
SENT = ("ส่งคำขอลงทะเบียนเป็น {place} แล้วค่ะ 🙏 ผู้ดูแลระบบจะตรวจสอบและอนุมัติ แล้วบอทจะแจ้งผลในแชตนี้นะคะ")
NO_ADMIN = "\n(ตอนนี้ยังไม่มีผู้ดูแลระบบในบอท รบกวนแจ้งเจ้าหน้าที่ของสำนักงานด้วยค่ะ)"
APPROVED, REJECTED = actions.APPROVED, actions.REJECTED
DECIDED = {"approved": "อนุมัติ", "rejected": "ไม่อนุมัติ", "cancelled": "ยกเลิก"}
ALREADY_DECIDED = "คำขอนี้ถูก{verdict}ไปแล้วโดย {who} เมื่อ {when} ค่ะ"
CODE_UNKNOWN = ("ไม่พบรหัสเชิญ \"{code}\" ค่ะ 🙏 ตรวจตัวอักษรอีกครั้ง (รหัสมี 6 ตัว เช่น KQT482) "
                "หรือพิมพ์ \"ลงทะเบียน\" เพื่อส่งคำขอให้ผู้ดูแลระบบอนุมัติแทนได้ค่ะ")
CODE_USED = "รหัสเชิญนี้ถูกใช้ไปแล้วค่ะ (ใช้ได้ครั้งเดียว) 🙏 ขอรหัสใหม่จากผู้ดูแลระบบนะคะ"
CODE_EXPIRED = "รหัสเชิญนี้หมดอายุแล้วเมื่อ {when} ค่ะ 🙏 ขอรหัสใหม่จากผู้ดูแลระบบนะคะ"
CODE_FOUND = "รหัสเชิญถูกต้องค่ะ ✅ สำหรับ {place}"
CODE_OK = "ลงทะเบียนเรียบร้อยแล้วค่ะ 🎉 สิทธิ์ของคุณคือ {place} พิมพ์ \"ฉันคือใคร\" เพื่อดูข้อมูลของคุณได้ค่ะ"
PROFILE_BUTTON = Button("ฉันคือใคร", MessageAction("ฉันคือใคร"))

_URL = re.compile(r"https?:|www\.|://|\b[\w-]+\.(?:com|net|org|co|th|me|ly|io|gl|to)\b", re.IGNORECASE)
_LABEL = re.compile(r"^\s*(?:ชื่อ\s*[-–]?\s*(?:นาม)?สกุล|ชื่อจริง|ชื่อ|ตำแหน่งงาน|ตำแหน่ง)\s*[:：]?\s*")
_LETTER = re.compile(r"[A-Za-z\u0e01-\u0e2e]")
_GLUED_POLITE = ("ครับผม", "นะครับ", "นะคะ", "ครับ", "ค่ะ")  # never the end of a Thai name or position
_CODE_TYPED = re.compile(r"^[A-Za-z0-9๐-๙][A-Za-z0-9๐-๙\s\-_.]{2,14}$")


@dataclass
class RegData(picker.Place):
    """A registration in progress: the place (`picker.Place`), the name and position typed, and the
    invite code when registering with one (then the place comes from the code)."""

    full_name: str = ""
    position: str = ""
    invite: str = ""


# -- typed name and position ---------------------------------------------------------------------------
def typed_value(text: str, what: str, max_len: int) -> str:
    """`text` as a person's name or position: spaces folded, a leading label ("ชื่อ:", "ตำแหน่ง")
    and trailing polite words ("ค่ะ", "ครับ") dropped; marks, case and letters kept as typed.
    Raises UserFacingError (Thai, naming `what`) when it is empty, too short, longer than `max_len`,
    a link, or has no letters."""
    t = re.sub(r"\s+", " ", text.translate(ZERO_WIDTH)).strip()
    t = _LABEL.sub("", t).strip(" :-")
    while True:
        words = t.split(" ")
        if len(words) > 1 and words[-1] in PARTICLES:
            t = " ".join(words[:-1]).rstrip()
            continue
        tail = next((p for p in _GLUED_POLITE if t.endswith(p) and len(t) > len(p) + 1), None)
        if tail is None:
            break
        t = t[:-len(tail)].rstrip()
    t = t.strip(" .,!~")
    cancel = [directory.cancel_button()]
    if not t:
        raise UserFacingError(TYPED_EMPTY.format(what=what), cancel)
    if _URL.search(t):
        raise UserFacingError(TYPED_URL.format(what=what), cancel)
    if not _LETTER.search(t):
        raise UserFacingError(TYPED_NO_LETTERS.format(what=what), cancel)
    if is_one_of(t, NOT_NAMES):
        raise UserFacingError(TYPED_NOT_A_NAME.format(what=what, typed=t), cancel)
    if len(t) < 2:
        raise UserFacingError(TYPED_SHORT.format(what=what), cancel)
    if len(t) > max_len:
        raise UserFacingError(TYPED_LONG.format(what=what, max=max_len), cancel)
    return t


# -- the flow ----------------------------------------------------------------------------------------
def _applicant(ctx: Ctx) -> Member:
    return members.touch_member(ctx.session, ctx.inp.user_id, ctx.now, ctx.settings.admin_user_ids)


def _already(ctx: Ctx, member: Member) -> Result | None:
    """Why this member cannot ask again (registered, or a request pending), else None."""
    if ctx.is_admin or (member.status == "active" and member.role != policy.GUEST):
        place = directory.place_text(ctx, "admin" if ctx.is_admin else member.role, member.work_group,
                                     member.school_code, bool(member.complaint_officer))
        return Result.text(ALREADY.format(place=place), [PROFILE_BUTTON])
    req = registrations.pending_request(ctx.session, member.user_id)
    if req is not None:
        return Result.text(PENDING.format(place=directory.place_text(ctx, req.role, req.work_group, req.school_code),
                                          when=thai_date(req.created_at)))
    return None


def _placed(ctx: Ctx, st: FlowState[RegData], role: str, work_group: str | None, school_code: str | None) -> Result:
    """The picker is done: ask the name."""
    return st.goto(ctx, "name")


def _ask_name(ctx: Ctx, st: FlowState[RegData]) -> Result:
    return Result.text(ASK_NAME, [directory.cancel_button()])


def _on_name(ctx: Ctx, st: FlowState[RegData], text: str) -> Result:
    name = typed_value(text, "ชื่อ-นามสกุล", NAME_MAX)
    if " " not in name:  # one word: no surname (the full name typed next would become the position)
        raise UserFacingError(NEEDS_SURNAME.format(name=name), [directory.cancel_button()])
    return st.goto(ctx, "position", full_name=name)


def _ask_position(ctx: Ctx, st: FlowState[RegData]) -> Result:
    return Result.text(ASK_POSITION, [directory.cancel_button()])


def _on_position(ctx: Ctx, st: FlowState[RegData], text: str) -> Result:
    st = st.replace(position=typed_value(text, "ตำแหน่ง", POSITION_MAX))
    if st.data.invite:
        return st.end(_claim(ctx, st.data))
    return st.end(_submit(ctx, st.data))


FLOW: Flow[RegData] = Flow(NAME, RegData, {
    **picker.steps(_placed, ROLES, ASK_ROLE, ask_group=ASK_GROUP, ask_school=ASK_SCHOOL, no_schools=NO_SCHOOLS_YET),
    "name": Step(_ask_name, on_text=_on_name, expects=NAME_EXPECTS),
    "position": Step(_ask_position, on_text=_on_position, expects=POSITION_EXPECTS),
}, first="role")


def start(ctx: Ctx, rest: str = "") -> Result:
    """ "ลงทะเบียน" (ask staff or school), "ลงทะเบียน บุคลากร" (the role already said) or
    "ลงทะเบียน ABC123" (an invite code); 1:1 chats only."""
    policy.require(ctx, "register")
    if ctx.inp.chat_kind != "user":
        return Result.text(IN_GROUP)
    code = registrations.clean_code(rest)
    if rest and _CODE_TYPED.match(rest.strip()) and registrations.CODE_SHAPE.match(code) \
            and any(ch.isdigit() for ch in code):
        return use_invite(ctx, code)
    member = _applicant(ctx)
    blocked = _already(ctx, member)
    if blocked:
        return blocked
    return picker.begin(FLOW, ctx, picker.role_in(rest, ROLES))


def _submit(ctx: Ctx, data: RegData) -> Result:
    """Send the request: the name and position are kept on the member, the applicant is told, each
    admin gets a card with approve/reject buttons."""
    member = _applicant(ctx)
    blocked = _already(ctx, member)
    if blocked:
        return blocked
    member.full_name, member.position = data.full_name, data.position
    req = registrations.create_request(ctx.session, member, data.role, ctx.now, work_group=data.work_group or None,
                                       school_code=data.school_code or None)
    admins = [a for a in members.admin_ids(ctx.session, ctx.settings.admin_user_ids) if a != member.user_id]
    card = request_card(ctx, req, member)
    place = directory.place_text(ctx, data.role, data.work_group, data.school_code)
    text = SENT.format(place=place) + ("" if admins else NO_ADMIN)
    return Result([TextReply(text)], pushes=[(admin, [card]) for admin in admins])


def request_card(ctx: Ctx, req: RegistrationRequest, member: Member | None = None) -> Card:
    """An admin's card of a pending request: the name and position typed, the LINE name, the place asked
    for, with "อนุมัติ" and "ไม่อนุมัติ" buttons (postback regdec)."""
    member = member or members.get_member(ctx.session, req.user_id)
    name = members.name_of(member) or "(ยังไม่ทราบชื่อ)"
    who = [f"ตำแหน่ง: {member.position}" if member and member.position else "ตำแหน่ง: (ไม่ได้ระบุ)"]
    if member and member.display_name and member.display_name != name:
        who.append(f"ชื่อใน LINE: {member.display_name}")
    return Card(
        label=f"คำขอลงทะเบียน #{req.id}", title=name,
        sections=(Section("ผู้ขอ", tuple(who)),
                  Section("ขอเป็น", (directory.place_text(ctx, req.role, req.work_group, req.school_code),)),
                  Section("ส่งเมื่อ", (thai_date(req.created_at),))),
        buttons=(Button("อนุมัติ", PostbackAction(postback.encode("regdec", i=req.id, d=1), f"อนุมัติคำขอ #{req.id}")),
                 Button("ไม่อนุมัติ", PostbackAction(postback.encode("regdec", i=req.id, d=0),
                                                     f"ไม่อนุมัติคำขอ #{req.id}"))),
        alt_text=f"คำขอลงทะเบียนใหม่จาก {name}")


def decide(ctx: Ctx, payload: dict) -> Result:
    """An admin pressed approve (d=1) or reject (d=0) on request `i`; the first press wins."""
    policy.require(ctx, "registration.decide")
    req_id = payload.get("i")
    if not isinstance(req_id, int):
        raise UserFacingError(postback.EXPIRED)
    approve = payload.get("d") == 1
    done = actions.decide_registration(ctx.session, ctx.actor, req_id, approve, ctx.now, content=ctx.content)
    req = done.request
    if not done.changed:
        who = members.get_member(ctx.session, req.decided_by or "")
        name = "คุณเอง" if req.decided_by == ctx.inp.user_id else (members.name_of(who) or "ผู้ดูแลระบบอีกท่าน")
        return Result.text(ALREADY_DECIDED.format(verdict=DECIDED.get(req.status, req.status), who=name,
                                                  when=thai_date(req.decided_at) if req.decided_at else "-"))
    place = directory.place_text(ctx, req.role, req.work_group, req.school_code)
    name = members.name_of(done.member) or "ผู้ขอ"
    verdict = "อนุมัติ" if approve else "ไม่อนุมัติ"
    return Result([TextReply(f"{verdict}คำขอของ {name} ({place}) แล้วค่ะ ✅ บอทแจ้งผู้ขอให้แล้วนะคะ")],
                  pushes=done.pushes())


def pending_list(ctx: Ctx, rest: str = "") -> Result:
    """Requests waiting for a decision, as cards with approve/reject buttons (admins, 1:1 chat)."""
    policy.require(ctx, "registration.decide")
    reqs = registrations.pending_requests(ctx.session, limit=10)
    if not reqs:
        return Result.text("ไม่มีคำขอลงทะเบียนที่รออนุมัติค่ะ 👍")
    return Result([TextReply(f"คำขอลงทะเบียนที่รออนุมัติ {len(reqs)} รายการค่ะ"),
                   CardList("คำขอลงทะเบียนที่รออนุมัติ", tuple(request_card(ctx, r) for r in reqs))])


# -- invite codes --------------------------------------------------------------------------------------
def _usable(ctx: Ctx, code: str, member: Member) -> InviteCode | Result:
    """The invite `code` if `member` may use it now, or the answer why not (raises for a bad code)."""
    invite = registrations.get_invite(ctx.session, code)
    if invite is None:
        raise UserFacingError(CODE_UNKNOWN.format(code=code))
    if invite.used_by == member.user_id:
        return Result.text(ALREADY.format(place=directory.place_text(ctx, member.role, member.work_group,
                                                                     member.school_code)), [PROFILE_BUTTON])
    if invite.used_by:
        raise UserFacingError(CODE_USED)
    if invite.expires_at <= ctx.now:
        raise UserFacingError(CODE_EXPIRED.format(when=thai_date(invite.expires_at)))
    if ctx.is_admin or (member.status == "active" and member.role != policy.GUEST):
        return _already(ctx, member)
    return invite


def use_invite(ctx: Ctx, code: str) -> Result:
    """ "ลงทะเบียน <code>": check the invite (single use, not expired), then ask the name and position;
    the code is used when they are typed (`_claim`)."""
    member = _applicant(ctx)
    invite = _usable(ctx, code, member)
    if isinstance(invite, Result):
        return invite
    place = directory.place_text(ctx, invite.role, invite.work_group, invite.school_code)
    return FLOW.begin(ctx, "name", CODE_FOUND.format(place=place), invite=invite.code, role=invite.role,
                      work_group=invite.work_group or "", school_code=invite.school_code or "")


def _claim(ctx: Ctx, data: RegData) -> Result:
    """Use the invite code of `data` for this person with their name and position; audited "invite.use"."""
    member = _applicant(ctx)
    invite = _usable(ctx, data.invite, member)
    if isinstance(invite, Result):
        return invite
    if not registrations.claim_invite(ctx.session, invite, member.user_id, ctx.now):
        raise UserFacingError(CODE_USED)
    member.full_name, member.position = data.full_name, data.position
    members.set_role(ctx.session, member, invite.role, ctx.now, member.user_id, work_group=invite.work_group,
                     school_code=invite.school_code, action="invite.use", code=invite.code,
                     created_by=invite.created_by)
    place = directory.place_text(ctx, invite.role, invite.work_group, invite.school_code)
    return Result.text(CODE_OK.format(place=place), [PROFILE_BUTTON])


COMMANDS = [
    Command(("ลงทะเบียน", "สมัครสมาชิก", "register"), start),
    Command(("คำขอลงทะเบียน",), pending_list),
]
POSTBACKS = {"regdec": decide}
FLOWS = (FLOW,)
EVENTS: dict = {}
