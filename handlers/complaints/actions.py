"""What complaint officers and admins do to a case, one copy for every front end: the chat desk
(`handlers.complaints.desk`), `flask complaints …` (bot/complaints_cli.py) and a later web page.

Each function takes the session, the `Actor` acting, the case, what to do and `now` (UTC). It checks
`policy.require(actor, "complaints.handle")`, locks the case row (`SELECT … FOR UPDATE` on PostgreSQL, so
two officers pressing "รับเรื่อง" at once cannot both move it), changes it through `storage.complaints`
(which keeps every step with who and when), and returns an `Outcome` whose `notices` are pushes for the
people concerned: the complainant (acknowledgement, each reply, the outcome with a request to rate, a
dismissal with its reason) or a work group's bound chat (a forwarded case). A chat handler returns them as
`Result.pushes`; the CLI queues them with `BotRuntime.enqueue_pushes`: either way one outbox row per
recipient, in the same transaction as the change. Nothing here does network I/O or commits.

Refusals raise `UserFacingError` with a Thai message (a move the state machine does not allow, empty text,
a case that is closed). Officer-facing text never carries the complainant's identity: the only way to it is
`reveal`, which refuses for anonymous cases and writes the view to the audit log.

Seed 001 lines 321–406 (งานพัฒนาคุณภาพการให้บริการ: the office handles ข้อร้องเรียน and tells the
complainant the outcome); the case states and deadlines are `storage.complaints` and `content/complaints.yaml`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.model import Content
from handlers.complaints import catalog as settings
from handlers.complaints.rating import rating_card
from handlers.core import policy
from handlers.core.thaidate import BANGKOK, MONTHS_SHORT
from handlers.core.types import Actor, Reply, TextReply, UserFacingError
from handlers.members import directory
from storage import complaints, groups, members, schools
from storage.complaints import CLOSED_STATES, OPEN_STATES, STATE_NAMES, ComplaintError
from storage.models import Complaint, ComplaintContact, ComplaintEvent

MAX_TEXT = 3000  # a note, reply, outcome or reason; longer is refused (the complainant reads it in LINE)
NOT_FOUND = "ไม่พบเรื่องเลขที่ \"{number}\" ค่ะ 🙏 พิมพ์ \"เรื่องร้องเรียน\" เพื่อดูรายการเรื่องที่เปิดอยู่นะคะ"
MOVE_REFUSED = "เรื่อง {number} อยู่ในสถานะ \"{state}\" ค่ะ จึงเปลี่ยนเป็น \"{to}\" ไม่ได้ 🙏"
CLOSED = "เรื่อง {number} ปิดแล้ว ({state}) ค่ะ จึงทำรายการนี้ไม่ได้ 🙏"
HELD = "เรื่อง {number} มี {name} เป็นผู้รับผิดชอบอยู่แล้วค่ะ 🙏 เปิดดูเรื่องได้ด้วยการพิมพ์เลขเรื่องนะคะ"
HELD_BY_YOU = "ท่านเป็นผู้รับผิดชอบเรื่อง {number} อยู่แล้วค่ะ"
EMPTY = "ขอเป็นข้อความค่ะ ยังไม่ได้พิมพ์อะไรเลย 🙏"
TOO_LONG = "ข้อความยาว {n:,} ตัวอักษร เกิน {limit:,} ตัวอักษรค่ะ 🙏 ช่วยย่อให้สั้นลงนะคะ"
NO_GROUP = "ไม่พบกลุ่มงาน \"{text}\" ค่ะ"
ANONYMOUS = "เรื่องนี้ผู้แจ้งขอไม่เปิดเผยชื่อค่ะ เจ้าหน้าที่จึงดูข้อมูลผู้แจ้งไม่ได้ 🙏"
ERASED = "ข้อมูลผู้แจ้งของเรื่องนี้ถูกลบไปแล้วตามระยะเวลาการเก็บรักษาหรือตามคำขอของผู้แจ้งค่ะ"
# what the complainant is told (pushes)
TELL_ACK = ("📨 เรื่อง {number} ของท่าน เจ้าหน้าที่รับเรื่องแล้วค่ะ{due}\n"
            "พิมพ์ \"ติดตามเรื่อง\" เพื่อดูความคืบหน้าได้ตลอดนะคะ")
TELL_REPLY = "💬 ข้อความจากเจ้าหน้าที่ เรื่อง {number}:\n{text}"
TELL_RESOLVED = "✅ เรื่อง {number} ดำเนินการเสร็จสิ้นแล้วค่ะ\nผลการดำเนินการ: {text}"
TELL_DISMISSED = ("เรื่อง {number} ยุติเรื่องแล้วค่ะ\nเหตุผล: {text}\n"
                  "หากมีข้อมูลเพิ่มเติม พิมพ์ \"ติดตามเรื่อง\" เพื่อขอเปิดเรื่องอีกครั้งภายใน {days} วันได้นะคะ")
# what a work group is told of a case forwarded to it (no identity of the complainant)
TELL_GROUP = ("📌 มีเรื่องส่งต่อถึง{group}ค่ะ\nเรื่อง {number} · {kind} · {topic}{school}\n"
              "รายละเอียด: {excerpt}\nส่งต่อโดย {by} — สอบถามรายละเอียดเพิ่มเติมได้ที่เจ้าหน้าที่รับเรื่องร้องเรียนค่ะ")
EXCERPT = 300


@dataclass(frozen=True)
class Notice:
    """A push for `to` (a LINE user, group or room ID): `replies` to render."""

    to: str
    replies: tuple[Reply, ...]


@dataclass
class Outcome:
    """What an action did: the `case`, the `event` kept, the `notices` to push, and `told`, a short Thai
    line for the officer saying who was told ("" when nobody was to be)."""

    case: Complaint
    event: ComplaintEvent | None = None
    notices: list[Notice] = field(default_factory=list)
    told: str = ""

    def pushes(self) -> list[tuple[str, list[Reply]]]:
        """The notices as `Result.pushes`."""
        return [(n.to, list(n.replies)) for n in self.notices]


# -- finding and locking --------------------------------------------------------------------------------------
def find(session: Session, number: str) -> Complaint:
    """The case numbered `number` ("ร-2570-0042"; spaces, Thai digits and "ร 2570 42" forms accepted);
    UserFacingError when there is none."""
    case = complaints.by_number(session, settings.case_number(number) or number.strip())
    if case is None:
        raise UserFacingError(NOT_FOUND.format(number=number.strip()[:30]))
    return case


def _lock(session: Session, case: Complaint) -> Complaint:
    """`case` re-read under a row lock (PostgreSQL; SQLite serialises writers anyway)."""
    stmt = select(Complaint).where(Complaint.id == case.id).with_for_update().execution_options(populate_existing=True)
    return session.scalars(stmt).one()


def _begin(session: Session, actor: Actor, case: Complaint) -> Complaint:
    policy.require(actor, "complaints.handle")
    return _lock(session, case)


def clean_text(text: str) -> str:
    """`text` stripped; UserFacingError when it is empty or longer than `MAX_TEXT` characters."""
    t = (text or "").strip()
    if not t:
        raise UserFacingError(EMPTY)
    if len(t) > MAX_TEXT:
        raise UserFacingError(TOO_LONG.format(n=len(t), limit=MAX_TEXT))
    return t


def _by(actor: Actor) -> str:
    return actor.user_id or "system"


def _move(session: Session, actor: Actor, case: Complaint, to_state: str, now: datetime, *, text: str = "",
          public: bool = False, detail: dict | None = None) -> ComplaintEvent:
    """`storage.complaints.move`, its refusal in Thai."""
    if to_state not in complaints.MOVES.get(case.state, ()):
        raise UserFacingError(MOVE_REFUSED.format(number=case.number, state=STATE_NAMES[case.state],
                                                  to=STATE_NAMES[to_state]))
    try:
        return complaints.move(session, case, to_state, _by(actor), now, text=text, public=public, detail=detail)
    except ComplaintError as err:  # the checks above mirror the state machine; keep its word if they drift
        raise UserFacingError(MOVE_REFUSED.format(number=case.number, state=STATE_NAMES[case.state],
                                                  to=STATE_NAMES[to_state])) from err


def _tell_complainant(session: Session, case: Complaint, *replies: Reply) -> tuple[list[Notice], str]:
    to = complaints.complainant_id(session, case)
    if to is None:
        return [], "ข้อมูลผู้แจ้งถูกลบแล้ว จึงแจ้งผู้แจ้งไม่ได้"
    return [Notice(to, tuple(replies))], "แจ้งผู้แจ้งแล้ว"


def _ack(case: Complaint) -> TextReply:
    due = f" จะแจ้งผลให้ทราบภายใน {date_text(case.resolve_due)}" if case.resolve_due else ""
    return TextReply(TELL_ACK.format(number=case.number, due=due))


# -- the actions ----------------------------------------------------------------------------------------------
def take(session: Session, actor: Actor, case: Complaint, now: datetime) -> Outcome:
    """"รับเรื่อง": `actor` becomes the case's officer (`assignee_id`); a new case is acknowledged at once
    (ใหม่ → รับเรื่องแล้ว) and the complainant told. On a case already past "new" only the officer changes
    (event "taken"). Refused on a closed case, and on one an active member already holds (two officers
    pressing at once: the row lock lets the first take it and the second is told who has it)."""
    case = _begin(session, actor, case)
    if case.state in CLOSED_STATES:
        raise UserFacingError(CLOSED.format(number=case.number, state=STATE_NAMES[case.state]))
    if case.assignee_id == actor.user_id:
        raise UserFacingError(HELD_BY_YOU.format(number=case.number))
    holder = members.get_member(session, case.assignee_id) if case.assignee_id else None
    if holder is not None and holder.status == "active":
        raise UserFacingError(HELD.format(number=case.number, name=members.name_of(holder)))
    case.assignee_id = actor.user_id
    if case.state != "new":
        ev = complaints.add_event(session, case, _by(actor), "taken", now)
        return Outcome(case, ev)
    ev = _move(session, actor, case, "acknowledged", now, public=True)
    notices, told = _tell_complainant(session, case, _ack(case))
    return Outcome(case, ev, notices, told)


def start_work(session: Session, actor: Actor, case: Complaint, now: datetime) -> Outcome:
    """"กำลังดำเนินการ": the case is being worked on (from รับเรื่องแล้ว or ส่งต่อ, or straight from ใหม่, which
    also acknowledges it and tells the complainant)."""
    case = _begin(session, actor, case)
    first = case.state == "new"
    ev = _move(session, actor, case, "in_progress", now, public=True)
    if case.assignee_id is None:
        case.assignee_id = actor.user_id
    if not first:
        return Outcome(case, ev)
    notices, told = _tell_complainant(session, case, _ack(case))
    return Outcome(case, ev, notices, told)


def forward(session: Session, actor: Actor, case: Complaint, group_id: str, now: datetime, *,
            content: Content) -> Outcome:
    """"ส่งต่อ": the case goes to work group `group_id` (an id of content/groups.yaml): `forwarded_to` set,
    state ส่งต่อ, and the group told without the complainant's identity — one push to each active chat bound
    to that work group, or, with none bound, to each of its active staff 1:1. A case forwarded straight
    from ใหม่ is thereby acknowledged, and the complainant told so."""
    case = _begin(session, actor, case)
    try:
        group = content.group(group_id)
    except KeyError:
        raise UserFacingError(NO_GROUP.format(text=group_id[:30])) from None
    first = case.state == "new"
    ev = _move(session, actor, case, "forwarded", now, detail={"group": group.id})
    case.forwarded_to = group.id
    if case.assignee_id is None:
        case.assignee_id = actor.user_id
    text = forward_text(session, case, group.name, actor)
    chats = groups.active_groups(session, work_group=group.id)
    if chats:
        to = [c.chat_id for c in chats]
        told = f"แจ้งกลุ่มไลน์ของ{group.name}แล้ว ({len(to)} กลุ่ม)"
    else:
        to = [m.user_id for m in members.members(session, "staff", group.id) if m.following]
        told = f"แจ้งบุคลากรของ{group.name} {len(to)} คนแล้ว" if to else \
            f"ยังไม่มีกลุ่มไลน์หรือบุคลากรของ{group.name}ในระบบ จึงยังไม่ได้แจ้งใครค่ะ"
    notices = [Notice(t, (TextReply(text),)) for t in to]
    if first:  # forwarded straight from ใหม่: this is also the acknowledgement
        notices += _tell_complainant(session, case, _ack(case))[0]
    return Outcome(case, ev, notices, told)


def forward_text(session: Session, case: Complaint, group_name: str, actor: Actor) -> str:
    """What a work group reads of a case forwarded to it: number, type, topic, school, an excerpt of the
    details and who forwarded it; never who filed it."""
    cat = settings.catalog()
    school = school_line(session, case)
    details = " ".join(case.details.split())
    excerpt = details[:EXCERPT] + ("…" if len(details) > EXCERPT else "") if details else "(มีไฟล์แนบ)"
    return TELL_GROUP.format(group=group_name, number=case.number, kind=cat.kind(case.kind).name,
                             topic=cat.topic(case.topic).name, school=f"\nโรงเรียน: {school}" if school else "",
                             excerpt=excerpt, by=officer_name(session, _by(actor)))


def note(session: Session, actor: Actor, case: Complaint, text: str, now: datetime) -> Outcome:
    """"บันทึกภายใน": an internal note on the case, never shown to the complainant (closed cases too)."""
    body = clean_text(text)
    case = _begin(session, actor, case)
    return Outcome(case, complaints.add_event(session, case, _by(actor), "note", now, text=body, public=False))


def reply(session: Session, actor: Actor, case: Complaint, text: str, now: datetime) -> Outcome:
    """"ตอบผู้แจ้ง": a message to the complainant, kept in the history they see and pushed to them; an open
    case only."""
    body = clean_text(text)
    case = _begin(session, actor, case)
    _open(case)
    ev = complaints.add_event(session, case, _by(actor), "reply", now, text=body, public=True)
    notices, told = _tell_complainant(session, case, TextReply(TELL_REPLY.format(number=case.number, text=body)))
    return Outcome(case, ev, notices, told)


def resolve(session: Session, actor: Actor, case: Complaint, text: str, now: datetime) -> Outcome:
    """"เสร็จสิ้น" with the outcome `text`: the case closes (เสร็จสิ้น), the complainant is told the outcome
    and asked to rate the handling (1–5 stars, `handlers.complaints.rating`)."""
    body = clean_text(text)
    case = _begin(session, actor, case)
    ev = _move(session, actor, case, "resolved", now, text=body, public=True)
    notices, told = _tell_complainant(session, case, TextReply(TELL_RESOLVED.format(number=case.number, text=body)),
                                      rating_card(case))
    return Outcome(case, ev, notices, told)


def dismiss(session: Session, actor: Actor, case: Complaint, reason: str, now: datetime) -> Outcome:
    """"ยุติเรื่อง" with a `reason`: the case closes (ยุติเรื่อง) and the complainant is told why, and that
    they may ask to reopen it within the reopening window."""
    body = clean_text(reason)
    case = _begin(session, actor, case)
    ev = _move(session, actor, case, "dismissed", now, text=body, public=True)
    text = TELL_DISMISSED.format(number=case.number, text=body, days=settings.catalog().reopen_days)
    notices, told = _tell_complainant(session, case, TextReply(text))
    return Outcome(case, ev, notices, told)


def move(session: Session, actor: Actor, case: Complaint, to_state: str, now: datetime, *, text: str = "",
         group: str | None = None, content: Content) -> Outcome:
    """Move the case to `to_state` (an English state key) by the matching action above: acknowledged =
    `take`, in_progress = `start_work`, forwarded = `forward` (needs `group`), resolved = `resolve` and
    dismissed = `dismiss` (need `text`). UserFacingError for anything else."""
    if to_state == "acknowledged":
        return take(session, actor, case, now)
    if to_state == "in_progress":
        return start_work(session, actor, case, now)
    if to_state == "forwarded":
        found = directory.find_group(content, group or "")
        if found is None:
            raise UserFacingError(NO_GROUP.format(text=(group or "")[:30]))
        return forward(session, actor, case, found.id, now, content=content)
    if to_state == "resolved":
        return resolve(session, actor, case, text, now)
    if to_state == "dismissed":
        return dismiss(session, actor, case, text, now)
    raise UserFacingError(MOVE_REFUSED.format(number=case.number, state=STATE_NAMES[case.state],
                                              to=STATE_NAMES.get(to_state, to_state)))


def reveal(session: Session, actor: Actor, case: Complaint, now: datetime) -> ComplaintContact:
    """Who filed `case`, for `actor` to see (audited as "complaint.identity_viewed" by
    `storage.complaints.reveal`); UserFacingError when the case is anonymous or the identity erased."""
    policy.require(actor, "complaints.handle")
    if case.anonymous:
        raise UserFacingError(ANONYMOUS)
    try:
        return complaints.reveal(session, case, _by(actor), now)
    except ComplaintError:
        raise UserFacingError(ERASED) from None


def audit_files(session: Session, actor: Actor, case: Complaint, count: int, now: datetime) -> None:
    """Record that `actor` was given links to the case's `count` attachments ("complaint.files_opened"):
    a photo may show who filed it, so opening them is kept like an identity view."""
    policy.require(actor, "complaints.handle")
    members.audit(session, _by(actor), "complaint.files_opened", case.number, now, files=count)


def _open(case: Complaint) -> None:
    if case.state not in OPEN_STATES:
        raise UserFacingError(CLOSED.format(number=case.number, state=STATE_NAMES[case.state]))


# -- reading ----------------------------------------------------------------------------------------------------
def overdue(case: Complaint, now: datetime) -> bool:
    """True when the deadline that applies has passed (Asia/Bangkok dates): `ack_due` while the case was not
    acknowledged, `resolve_due` while it is open. A deadline day itself is still in time."""
    if case.state not in OPEN_STATES:
        return False
    today = now.astimezone(BANGKOK).date()
    due = next_due(case)
    return due is not None and due < today


def next_due(case: Complaint):
    """The deadline that applies now (a Bangkok date), or None: the acknowledgement's until acknowledged,
    then the outcome's."""
    if case.acknowledged_at is None and case.ack_due is not None:
        return case.ack_due
    return case.resolve_due


def queue(session: Session, actor: Actor, now: datetime) -> list[Complaint]:
    """The open cases, overdue first, then by the nearest deadline (cases without one last), then filing
    order. `policy.require(actor, "complaints.handle")`."""
    policy.require(actor, "complaints.handle")
    cases = complaints.open_cases(session)
    far = datetime.max.date()
    return sorted(cases, key=lambda c: (not overdue(c, now), next_due(c) or far, c.filed_at, c.id))


def officer_name(session: Session, by: str) -> str:
    """How the author of a step reads to officers: an officer's name, "ผู้แจ้ง", "ระบบ", or the CLI's
    "ผู้ดูแลระบบ (คำสั่ง)"; never the complainant's name or ID."""
    if by == "complainant":
        return "ผู้แจ้ง"
    if by in ("", "system"):
        return "ระบบ"
    if by.startswith("cli"):
        return "ผู้ดูแลระบบ (คำสั่งระบบ)"
    return members.name_of(members.get_member(session, by)) or "เจ้าหน้าที่"


def date_text(day: date) -> str:
    """A Bangkok calendar date as staff read it: "5 ม.ค. 2570" (Buddhist Era)."""
    return f"{day.day} {MONTHS_SHORT[day.month - 1]} {day.year + 543}"


def school_line(session: Session, case: Complaint) -> str:
    """The school the case concerns ("โรงเรียนบ้านควนขนุน (93020001)"), or ""."""
    if not case.school_code:
        return ""
    return directory.school_text(schools.get(session, case.school_code), case.school_code)
