"""Registration ("ลงทะเบียน") in a 1:1 chat: staff pick their work group, school users find their school,
then an admin approves or rejects (postback "regdec"); or an invite code registers at once.

Flow "register" (`handlers.core.flow`), steps: role → group (staff) or school (school) → request sent.
Buttons carry the flow's session id (key "s"). Admins hear of a request, and the applicant of the
decision, through `Result.pushes` (the runtime puts them in the outbox in this event's transaction).
"""
from __future__ import annotations

from content.thai import loose
from handlers.members import directory
from handlers.core import policy
from handlers.core import postback
from handlers.core import legacy_state as state
from handlers.core.thaidate import thai_date
from handlers.core.types import Button, Card, CardList, Ctx, MessageAction, PostbackAction, Result, Section, \
    TextReply, UserFacingError
from storage import members, registrations, schools
from storage.models import Member, RegistrationRequest

FLOW = "register"
NO_SCHOOLS_YET = ("ยังไม่มีรายชื่อโรงเรียนในระบบค่ะ 🙏 รบกวนแจ้งผู้ดูแลระบบให้นำเข้ารายชื่อโรงเรียนก่อน "
                  "แล้วพิมพ์ \"ลงทะเบียน\" อีกครั้งนะคะ")
IN_GROUP = ("การลงทะเบียนทำในแชต 1:1 กับบอทค่ะ 🙏 เปิดแชตกับบอท (เพิ่มเพื่อนก่อนถ้ายังไม่ได้เพิ่ม) "
            "แล้วพิมพ์ \"ลงทะเบียน\" นะคะ")
ASK_ROLE = ("ลงทะเบียนในฐานะอะไรคะ 👇\n• บุคลากรสำนักงาน — เลือกกลุ่มงานของคุณ\n• สถานศึกษา — ค้นหาโรงเรียนของคุณ\n"
            "ส่งคำขอแล้วผู้ดูแลระบบจะอนุมัติ และบอทจะแจ้งผลในแชตนี้ค่ะ (พิมพ์ \"ยกเลิก\" เพื่อหยุดได้ทุกเมื่อ)")
ASK_ROLE_AGAIN = "ขอโทษค่ะ บอทไม่แน่ใจว่าเลือกแบบไหน กดปุ่มด้านล่างได้เลยนะคะ 👇"
ASK_GROUP = "คุณอยู่กลุ่มงานไหนคะ เลือกจากปุ่มด้านล่าง หรือพิมพ์ชื่อกลุ่มงานได้เลยค่ะ 👇"
GROUP_NOT_FOUND = "ไม่พบกลุ่มงาน \"{text}\" ค่ะ เลือกจากปุ่มด้านล่างนะคะ 👇\n{names}"
ASK_SCHOOL = ("พิมพ์ชื่อโรงเรียนของคุณได้เลยค่ะ เช่น \"บ้านควนขนุน\" (ไม่ต้องพิมพ์คำว่าโรงเรียน) "
              "หรือพิมพ์รหัสโรงเรียน 8 หลัก")
PICK_SCHOOL = "เลือกโรงเรียนของคุณค่ะ 👇"
ALREADY = "คุณลงทะเบียนแล้วค่ะ 😊 สิทธิ์ของคุณคือ {place} ถ้าต้องการเปลี่ยน ติดต่อผู้ดูแลระบบนะคะ"
PENDING = ("คุณส่งคำขอลงทะเบียนเป็น {place} ไปแล้วเมื่อ {when} ค่ะ 🙏 กำลังรอผู้ดูแลระบบอนุมัติ "
           "บอทจะแจ้งผลในแชตนี้นะคะ")
SENT = ("ส่งคำขอลงทะเบียนเป็น {place} แล้วค่ะ 🙏 ผู้ดูแลระบบจะตรวจสอบและอนุมัติ แล้วบอทจะแจ้งผลในแชตนี้นะคะ")
NO_ADMIN = "\n(ตอนนี้ยังไม่มีผู้ดูแลระบบในบอท รบกวนแจ้งเจ้าหน้าที่ของสำนักงานด้วยค่ะ)"
APPROVED = ("ยินดีด้วยค่ะ 🎉 ผู้ดูแลระบบอนุมัติการลงทะเบียนของคุณแล้ว สิทธิ์ของคุณคือ {place} "
            "พิมพ์ \"ฉันคือใคร\" เพื่อดูข้อมูลของคุณได้ค่ะ")
REJECTED = ("ขออภัยค่ะ 🙏 ผู้ดูแลระบบไม่อนุมัติคำขอลงทะเบียนเป็น {place} "
            "หากคิดว่าผิดพลาด ติดต่อผู้ดูแลระบบของสำนักงาน หรือพิมพ์ \"ลงทะเบียน\" เพื่อส่งคำขอใหม่ได้ค่ะ")
DECIDED = {"approved": "อนุมัติ", "rejected": "ไม่อนุมัติ", "cancelled": "ยกเลิก"}
ALREADY_DECIDED = "คำขอนี้ถูก{verdict}ไปแล้วโดย {who} เมื่อ {when} ค่ะ"
CODE_UNKNOWN = ("ไม่พบรหัสเชิญ \"{code}\" ค่ะ 🙏 ตรวจตัวอักษรอีกครั้ง (รหัสมี 6 ตัว เช่น KQT482) "
                "หรือพิมพ์ \"ลงทะเบียน\" เพื่อส่งคำขอให้ผู้ดูแลระบบอนุมัติแทนได้ค่ะ")
CODE_USED = "รหัสเชิญนี้ถูกใช้ไปแล้วค่ะ (ใช้ได้ครั้งเดียว) 🙏 ขอรหัสใหม่จากผู้ดูแลระบบนะคะ"
CODE_EXPIRED = "รหัสเชิญนี้หมดอายุแล้วเมื่อ {when} ค่ะ 🙏 ขอรหัสใหม่จากผู้ดูแลระบบนะคะ"
CODE_OK = "ลงทะเบียนเรียบร้อยแล้วค่ะ 🎉 สิทธิ์ของคุณคือ {place} พิมพ์ \"ฉันคือใคร\" เพื่อดูข้อมูลของคุณได้ค่ะ"
STAFF_WORDS = {loose(w) for w in ("บุคลากร", "บุคลากรสำนักงาน", "เจ้าหน้าที่", "สำนักงาน", "ข้าราชการ", "staff")}
SCHOOL_WORDS = {loose(w) for w in ("สถานศึกษา", "โรงเรียน", "ครู", "ผู้บริหารสถานศึกษา", "ผู้อำนวยการ", "school")}


def _applicant(ctx: Ctx) -> Member:
    return members.touch_member(ctx.session, ctx.inp.user_id, ctx.now, ctx.settings.admin_user_ids)


def _already(ctx: Ctx, member: Member) -> Result | None:
    """Why this member cannot ask again (registered, or a request pending), else None."""
    if ctx.is_admin or (member.status == "active" and member.role != policy.GUEST):
        place = directory.place_text(ctx, "admin" if ctx.is_admin else member.role, member.work_group,
                                     member.school_code, bool(member.complaint_officer))
        return Result.text(ALREADY.format(place=place), [Button("ฉันคือใคร", MessageAction("ฉันคือใคร"))])
    req = registrations.pending_request(ctx.session, member.user_id)
    if req is not None:
        return Result.text(PENDING.format(place=directory.place_text(ctx, req.role, req.work_group, req.school_code),
                                          when=thai_date(req.created_at)))
    return None


def _button(label: str, sid: str, display: str | None = None, **payload) -> Button:
    return Button(label, PostbackAction(postback.encode("reg", s=sid, **payload), display or label))


def start(ctx: Ctx, rest: str = "") -> Result:
    """ "ลงทะเบียน" (ask staff or school) or "ลงทะเบียน ABC123" (use an invite code); 1:1 chats only."""
    policy.require(ctx, "register")
    if ctx.inp.chat_kind != "user":
        return Result.text(IN_GROUP)
    code = registrations.clean_code(rest)
    if rest and registrations.CODE_SHAPE.match(code) and any(ch.isdigit() for ch in code):
        return use_invite(ctx, code)
    member = _applicant(ctx)
    blocked = _already(ctx, member)
    if blocked:
        return blocked
    row = state.start(ctx, FLOW, "role")
    role = _role_in(rest)
    return _choose_role(ctx, row, role) if role else _ask_role(row.session_id)


def _role_in(text: str) -> str | None:
    words = set(loose(text).split())
    return policy.STAFF if words & STAFF_WORDS else policy.SCHOOL if words & SCHOOL_WORDS else None


def _ask_role(sid: str, text: str = ASK_ROLE) -> Result:
    return Result.text(text, [_button("บุคลากรสำนักงาน", sid, r=policy.STAFF),
                              _button("สถานศึกษา", sid, r=policy.SCHOOL), directory.cancel_button()])


def _group_buttons(ctx: Ctx, sid: str) -> list[Button]:
    return directory.group_buttons(ctx.content, lambda g: PostbackAction(postback.encode("reg", s=sid, g=g.id), g.name))


def _choose_role(ctx: Ctx, row, role: str) -> Result:
    if role == policy.STAFF:
        state.advance(ctx, row, "group", r=role)
        return Result.text(ASK_GROUP, _group_buttons(ctx, row.session_id))
    if role == policy.SCHOOL:
        if not schools.count(ctx.session):
            state.finish(ctx)
            return Result.text(NO_SCHOOLS_YET)
        state.advance(ctx, row, "school", r=role)
        return Result.text(ASK_SCHOOL, [directory.cancel_button()])
    raise UserFacingError(postback.EXPIRED)


def on_text(ctx: Ctx, row, text: str) -> Result:
    """Text typed mid-flow: the role in words, a work group's name, or a school's name."""
    if row.step == "group":
        group = directory.find_group(ctx.content, text)
        if group:
            return _submit(ctx, policy.STAFF, work_group=group.id)
        names = "\n".join(f"• {g.name}" for g in directory.work_groups(ctx.content))
        return Result.text(GROUP_NOT_FOUND.format(text=text[:40], names=names), _group_buttons(ctx, row.session_id))
    if row.step == "school":
        state.advance(ctx, row, "school")
        return directory.school_picker(ctx, text, lambda s: PostbackAction(
            postback.encode("reg", s=row.session_id, c=s.code), s.name), PICK_SCHOOL)
    role = _role_in(text)
    return _choose_role(ctx, row, role) if role else _ask_role(row.session_id, ASK_ROLE_AGAIN)


def on_postback(ctx: Ctx, payload: dict) -> Result:
    """A registration button: the role ("r"), the work group ("g") or the school ("c")."""
    row = state.require(ctx, FLOW, payload.get("s"))
    if "r" in payload:
        return _choose_role(ctx, row, payload["r"])
    if "g" in payload and row.step == "group" and directory.find_group(ctx.content, str(payload["g"])):
        return _submit(ctx, policy.STAFF, work_group=str(payload["g"]))
    if "c" in payload and row.step == "school" and schools.get(ctx.session, str(payload["c"])):
        return _submit(ctx, policy.SCHOOL, school_code=str(payload["c"]))
    raise UserFacingError(state.EXPIRED)


def _submit(ctx: Ctx, role: str, work_group: str | None = None, school_code: str | None = None) -> Result:
    """Send the request: the applicant is told, each admin gets a card with approve/reject buttons."""
    state.finish(ctx)
    member = _applicant(ctx)
    blocked = _already(ctx, member)
    if blocked:
        return blocked
    req = registrations.create_request(ctx.session, member, role, ctx.now, work_group=work_group,
                                       school_code=school_code)
    admins = [a for a in members.admin_ids(ctx.session, ctx.settings.admin_user_ids) if a != member.user_id]
    card = request_card(ctx, req, member)
    text = SENT.format(place=directory.place_text(ctx, role, work_group, school_code)) + ("" if admins else NO_ADMIN)
    return Result([TextReply(text)], pushes=[(admin, [card]) for admin in admins])


def request_card(ctx: Ctx, req: RegistrationRequest, member: Member | None = None) -> Card:
    """An admin's card of a pending request, with "อนุมัติ" and "ไม่อนุมัติ" buttons (postback regdec)."""
    member = member or members.get_member(ctx.session, req.user_id)
    name = (member.display_name if member else "") or "(ยังไม่ทราบชื่อ LINE)"
    return Card(
        label=f"คำขอลงทะเบียน #{req.id}", title=name,
        sections=(Section("ขอเป็น", (directory.place_text(ctx, req.role, req.work_group, req.school_code),)),
                  Section("ส่งเมื่อ", (thai_date(req.created_at),)),
                  Section("LINE user ID", (req.user_id,), note=True)),
        buttons=(Button("อนุมัติ", PostbackAction(postback.encode("regdec", i=req.id, d=1), f"อนุมัติคำขอ #{req.id}")),
                 Button("ไม่อนุมัติ", PostbackAction(postback.encode("regdec", i=req.id, d=0),
                                                     f"ไม่อนุมัติคำขอ #{req.id}"))),
        alt_text=f"คำขอลงทะเบียนใหม่จาก {name}")


def decide(ctx: Ctx, payload: dict) -> Result:
    """An admin pressed approve (d=1) or reject (d=0) on request `i`; the first press wins."""
    policy.require(ctx, "registration.decide")
    req_id = payload.get("i")
    req = registrations.get_request(ctx.session, req_id) if isinstance(req_id, int) else None
    if req is None:
        raise UserFacingError(postback.EXPIRED)
    approve = payload.get("d") == 1
    if not registrations.decide(ctx.session, req, approve, ctx.inp.user_id, ctx.now):
        who = members.get_member(ctx.session, req.decided_by or "")
        name = "คุณเอง" if req.decided_by == ctx.inp.user_id else (who.display_name if who and who.display_name
                                                                   else "ผู้ดูแลระบบอีกท่าน")
        return Result.text(ALREADY_DECIDED.format(verdict=DECIDED.get(req.status, req.status), who=name,
                                                  when=thai_date(req.decided_at) if req.decided_at else "-"))
    applicant = members.get_member(ctx.session, req.user_id)
    place = directory.place_text(ctx, req.role, req.work_group, req.school_code)
    if approve:
        members.set_role(ctx.session, applicant, req.role, ctx.now, ctx.inp.user_id, work_group=req.work_group,
                         school_code=req.school_code, action="registration.approve", request=req.id)
        notice = APPROVED.format(place=place)
    else:
        members.audit(ctx.session, ctx.inp.user_id, "registration.reject", req.user_id, ctx.now, request=req.id,
                      role=req.role, group=req.work_group, school=req.school_code)
        notice = REJECTED.format(place=place)
    name = applicant.display_name or req.user_id
    verdict = "อนุมัติ" if approve else "ไม่อนุมัติ"
    return Result([TextReply(f"{verdict}คำขอของ {name} ({place}) แล้วค่ะ ✅ บอทแจ้งผู้ขอให้แล้วนะคะ")],
                  pushes=[(req.user_id, [TextReply(notice)])])


def pending_list(ctx: Ctx, rest: str = "") -> Result:
    """Requests waiting for a decision, as cards with approve/reject buttons (admins, 1:1 chat)."""
    policy.require(ctx, "registration.decide")
    reqs = registrations.pending_requests(ctx.session, limit=10)
    if not reqs:
        return Result.text("ไม่มีคำขอลงทะเบียนที่รออนุมัติค่ะ 👍")
    return Result([TextReply(f"คำขอลงทะเบียนที่รออนุมัติ {len(reqs)} รายการค่ะ"),
                   CardList("คำขอลงทะเบียนที่รออนุมัติ", tuple(request_card(ctx, r) for r in reqs))])


def use_invite(ctx: Ctx, code: str) -> Result:
    """Register at once with invite `code` (single use, not expired); audited as "invite.use"."""
    invite = registrations.get_invite(ctx.session, code)
    if invite is None:
        raise UserFacingError(CODE_UNKNOWN.format(code=code))
    member = _applicant(ctx)
    place = directory.place_text(ctx, invite.role, invite.work_group, invite.school_code)
    if invite.used_by == member.user_id:
        return Result.text(ALREADY.format(place=directory.place_text(ctx, member.role, member.work_group,
                                                                     member.school_code)))
    if invite.used_by:
        raise UserFacingError(CODE_USED)
    if invite.expires_at <= ctx.now:
        raise UserFacingError(CODE_EXPIRED.format(when=thai_date(invite.expires_at)))
    if ctx.is_admin or (member.status == "active" and member.role != policy.GUEST):
        return _already(ctx, member)
    if not registrations.claim_invite(ctx.session, invite, member.user_id, ctx.now):
        raise UserFacingError(CODE_USED)
    members.set_role(ctx.session, member, invite.role, ctx.now, member.user_id, work_group=invite.work_group,
                     school_code=invite.school_code, action="invite.use", code=invite.code,
                     created_by=invite.created_by)
    state.finish(ctx)
    return Result.text(CODE_OK.format(place=place), [Button("ฉันคือใคร", MessageAction("ฉันคือใคร"))])


COMMANDS = {"ลงทะเบียน": start, "สมัครสมาชิก": start, "register": start, "คำขอลงทะเบียน": pending_list}
POSTBACKS = {"reg": on_postback, "regdec": decide}
FLOWS = {FLOW: on_text}
EVENTS: dict = {}
