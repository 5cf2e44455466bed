"""Evidence commands: "รายงาน" (and its short form), "ประวัติ", "ความคืบหน้า", "งานค้าง", "ปฏิทิน", and the
admins' "ตั้งรอบ", "เปิดรอบ N", "ปิดรอบ N"; postback "ev" (report, history, backlog buttons).

Short form: `รายงาน 1.1.5 มีหลักฐานแล้ว https://…` records at once (note and links after the status);
`1.1.5 มีหลักฐานแล้ว` works without "รายงาน" (a code followed by a status word: `short_form`). A code
alone ("รายงาน 1.1.5") starts the flow at the status step.
"""
from __future__ import annotations

import re

from handlers.core import policy
from handlers.core.routing import Command
from handlers.core.types import Ctx, Result, UserFacingError
from handlers.evidence import cards, common, items as catalog, steps
from handlers.evidence.progress import DONE, NEEDS_FIX, STATUS_NAMES
from handlers.members.directory import find_group, group_name, short_label, work_groups
from storage import evidence, groups, members, rounds

_CODE = re.compile(r"^\s*((?:(?:เกณฑ์(?:การประเมิน)?|กลยุทธ์ที่\s*5\s*ประเด็น)\s*(?:ที่)?\s*|pmqa\s*(?:ข้อ)?\s*|"
                   r"หมวด\s*\d\s*ข้อ\s*)?\d{1,2}(?:\s*\.\s*[a\d]{1,2}){1,2}|"
                   r"ประเด็นการพิจารณา\s*(?:ที่)?\s*\d|2557\s*\.\s*\d)(?![\d.])\s*(.*)$", re.IGNORECASE | re.DOTALL)
QUESTION = re.compile(r"[?？]|อะไร|ไหม|มั้ย|หรือเปล่า|หรือไม่|อย่างไร|ยังไง|บ้าง|กี่|ใคร|เมื่อไร|เมื่อไหร่|ที่ไหน")
HOW = ("พิมพ์ \"รายงาน\" ตามด้วยรหัสและสถานะค่ะ เช่น \"รายงาน 1.1.5 มีหลักฐานแล้ว https://…\" "
       "หรือ \"รายงาน 1.1.5\" เพื่อเลือกสถานะทีละขั้น")


def _record(ctx: Ctx, item: catalog.Item, status: str, rest: str) -> Result:
    """The short form: record `status` with the note and links in `rest`, in the current round."""
    common.require_reporter(ctx, item, status)
    note, links = common.note_and_links(rest)
    if status == NEEDS_FIX and not note:
        raise UserFacingError(common.NEEDS_REASON)
    rnd = common.current_round(ctx)
    change = evidence.Change(status, note, tuple(links), via="short")
    try:
        evidence.report(ctx.session, rnd.id, item.key, change, ctx.inp.user_id or "", ctx.now)
    except evidence.Conflict as err:  # a first report raced another on the primary key
        return steps.conflict_reply(ctx, item, err)
    return common.state_card(ctx, item, rnd, "✅ บันทึกแล้วค่ะ")


_LEAD = re.compile(r"^\s*(?:@?(?:น้องบอท|บอท|bot)(?![a-z])\s*[,:：]?\s*)?(?:รายงาน(?:สถานะ|หลักฐาน)?)?\s*",
                   re.IGNORECASE)


def report(ctx: Ctx, rest: str) -> Result:
    """"รายงาน <code> [status] [note] [links]". The note and links are read from the text as typed (the
    command's `rest` is in matching form, which folds repeated letters: "www" would become "w")."""
    policy.require(ctx, "evidence.view")
    raw = _LEAD.sub("", ctx.inp.text, count=1)
    m = _CODE.match(raw) or _CODE.match(rest or "")
    if not m:
        if rest.strip():
            raise UserFacingError(common.UNKNOWN_CODE.format(code=rest.strip()[:40]))
        raise UserFacingError(HOW)
    item = common.find_item(ctx, m.group(1))
    status, tail = common.split_status(m.group(2), typos=True)
    if status is None:
        if tail.strip():
            raise UserFacingError(f"ไม่แน่ใจว่าเป็นสถานะใดค่ะ 🙏 พิมพ์หนึ่งใน: {', '.join(STATUS_NAMES.values())} "
                                  f"เช่น \"รายงาน {item.code} มีหลักฐานแล้ว\"")
        return steps.begin_report(ctx, item)
    return _record(ctx, item, status, tail)


def short_form(ctx: Ctx, text: str) -> Result | None:
    """A code followed by a status word ("1.1.5 มีหลักฐานแล้ว …"): recorded as "รายงาน …"; else None. A
    question is never a report: "1.1.5 มีหลักฐาน อะไรบ้าง", "เกณฑ์ 1.1.5 ต้องแก้ไขไหม" go to the lookup."""
    m = _CODE.match(text or "")
    if not m or QUESTION.search(m.group(2)):
        return None
    status, _tail = common.split_status(m.group(2))
    if status is None:
        return None
    return report(ctx, text)


def history(ctx: Ctx, rest: str) -> Result:
    """"ประวัติ 1.1.5": the item's changes in the current round, newest first."""
    policy.require(ctx, "evidence.view")
    if not rest.strip():
        raise UserFacingError("พิมพ์ \"ประวัติ\" ตามด้วยรหัสค่ะ เช่น \"ประวัติ 1.1.5\"")
    return _history(ctx, common.find_item(ctx, rest))


def _history(ctx: Ctx, item: catalog.Item) -> Result:
    rnd = common.current_round(ctx)
    events = evidence.history(ctx.session, rnd.id, item.key)
    names = members.names_of(ctx.session, {e.by for e in events})
    return Result([cards.history_card(item, events, names, rnd.name)])


def progress(ctx: Ctx, rest: str = "") -> Result:
    """"ความคืบหน้า": the office's progress per standard and indicator in the current round."""
    policy.require(ctx, "evidence.view")
    op = common.progress_of(ctx, common.current_round(ctx))
    return Result([cards.progress_cards(op)])


def _labels(ctx: Ctx, keys) -> dict[str, str]:
    out = {}
    for k in keys:
        item = catalog.by_key(ctx.content, k)
        out[k] = item.label if item else k
    return out


def _backlog(ctx: Ctx, group: str | None) -> Result:
    open_rounds = [r for r in rounds.upcoming(ctx.session, ctx.now) if r.state == "open"]
    if not open_rounds:
        open_rounds = [common.current_round(ctx)]
    per_round = []
    for rnd in open_rounds:
        op = common.progress_of(ctx, rnd)
        items = [i for s in op.standards for ind in s.indicators for i in ind.items] if group is None \
            else op.items_of(group)
        per_round.append((op.round, [i for i in items if i.status not in DONE]))
    found = cards.backlog_cards(ctx.content, group, per_round, _labels(ctx, {i.key for _, l in per_round for i in l}))
    if found is None:
        who = group_name(ctx.content, group) if group else "ทุกกลุ่มงาน"
        return Result.text(f"🎉 ไม่มีงานค้างของ{who}ในรอบที่เปิดอยู่ค่ะ")
    return Result([found])


def _bound_group(ctx: Ctx) -> str | None:
    """The work group a group chat is bound to (`flask groups bind`, "ตั้งค่ากลุ่ม"), or None."""
    if ctx.inp.chat_kind == "user":
        return None
    row = groups.get(ctx.session, ctx.inp.chat_id)
    return row.work_group if row is not None and row.binding == groups.WORK_GROUP and row.work_group else None


def backlog(ctx: Ctx, rest: str = "") -> Result:
    """"งานค้าง": the unfinished items of this person's work group (a group chat bound to a work group:
    that group's; an admin: every group's, or the group named after the word), nearest deadline first."""
    bound = _bound_group(ctx)
    if bound is not None:
        return _backlog(ctx, bound)
    policy.require(ctx, "evidence.view")
    if rest.strip():
        g = find_group(ctx.content, rest)
        if g is None:
            raise UserFacingError(f"ไม่พบกลุ่มงาน \"{rest.strip()[:30]}\" ค่ะ พิมพ์ เช่น \"งานค้าง นโยบายและแผน\"")
        if not ctx.is_admin and g.id != ctx.actor.work_group:
            raise UserFacingError("ดูงานค้างของกลุ่มอื่นได้เฉพาะผู้ดูแลระบบค่ะ 🙏 พิมพ์ \"งานค้าง\" เพื่อดูของกลุ่มท่านนะคะ")
        return _backlog(ctx, g.id)
    if ctx.is_admin:  # every group's, and a quick reply per group to pick one
        result = _backlog(ctx, None)
        result.quick_replies = [cards.backlog_button(short_label(g), g.id) for g in work_groups(ctx.content)][:13]
        return result
    return _backlog(ctx, ctx.actor.work_group)


def calendar(ctx: Ctx, rest: str = "") -> Result:
    """"ปฏิทิน": the rounds not closed — due ahead, unset, or open and overdue — with the days left as the
    office counts them (Asia/Bangkok calendar days: วันนี้ครบกำหนด, อีก N วัน, เลยกำหนด N วัน). For a staff
    member, and in a group chat bound to a work group, that group's missing count per round: its items
    in the round's scope (main or co-responsible) not yet มีหลักฐานแล้ว/ตรวจแล้ว (`OfficeProgress.missing_of`)."""
    policy.require(ctx, "calendar.view")
    shown = rounds.on_calendar(ctx.session, ctx.now)
    group = _bound_group(ctx)
    if group is None and ctx.actor.role == policy.STAFF and ctx.actor.work_group:
        group = ctx.actor.work_group
    missing: dict[int, tuple[int, int]] = {}
    if group is not None:
        for rnd in (shown or [common.current_round(ctx)])[:cards.MAX_SECTIONS]:
            missing[rnd.id] = common.progress_of(ctx, rnd).missing_of(group)
    name = group_name(ctx.content, group) if group else ""
    return Result([cards.calendar_card(shown, ctx.now, name, missing)])


def setup_round(ctx: Ctx, rest: str = "") -> Result:
    """"ตั้งรอบ": an admin sets up a reporting round (flow "rounds", 1:1 chat)."""
    policy.require(ctx, "rounds.manage")
    return steps.ROUNDS.begin(ctx)


def _round_arg(ctx: Ctx, rest: str):
    m = re.search(r"\d+", rest or "")
    row = rounds.get(ctx.session, int(m.group(0))) if m else None
    if row is None:
        listing = "\n".join(f"#{r.id} {r.name} ({rounds.STATE_NAMES[r.state]})" for r in rounds.all_rounds(ctx.session)[:10])
        raise UserFacingError("ระบุหมายเลขรอบด้วยค่ะ เช่น \"เปิดรอบ 2\"" + (f"\n{listing}" if listing else ""))
    return row


def open_round(ctx: Ctx, rest: str = "") -> Result:
    policy.require(ctx, "rounds.manage")
    row = _round_arg(ctx, rest)
    if row.state == "open":
        return Result.text(f"รอบ #{row.id} \"{row.name}\" เปิดอยู่แล้วค่ะ")
    carried = rounds.open_round(ctx.session, row, ctx.now, carry="ไม่ยก" not in rest, by=ctx.inp.user_id or "")
    return Result.text(f"เปิดรอบ #{row.id} \"{row.name}\" แล้วค่ะ ยกหลักฐานจากรอบก่อนมา {carried} รายการ")


def close_round(ctx: Ctx, rest: str = "") -> Result:
    policy.require(ctx, "rounds.manage")
    row = _round_arg(ctx, rest)
    rounds.close_round(ctx.session, row)
    return Result.text(f"ปิดรอบ #{row.id} \"{row.name}\" แล้วค่ะ")


def on_postback(ctx: Ctx, payload: dict) -> Result:
    """Postback "ev": "r" report item `k`, "h" its history, "f" links to its evidence files, "bk" the
    backlog (of group `g`)."""
    op = payload.get("o")
    if op == "bk":
        return backlog(ctx, group_name(ctx.content, payload.get("g")) if payload.get("g") else "")
    item = catalog.by_key(ctx.content, str(payload.get("k", "")))
    if item is None:
        raise UserFacingError(common.UNKNOWN_CODE.format(code=str(payload.get("k", ""))[:40]))
    if op == "h":
        policy.require(ctx, "evidence.view")
        return _history(ctx, item)
    if op == "f":
        policy.require(ctx, "evidence.view")
        return _files(ctx, item)
    return steps.begin_report(ctx, item)


FILES = "ไฟล์หลักฐานของ{label} ในรอบ {round} ลิงก์ใช้ได้ 1 ชั่วโมงค่ะ"
NO_FILES = "{label} ยังไม่มีไฟล์หลักฐานในรอบนี้ค่ะ"
NO_LINKS = ("ยังเปิดไฟล์ผ่านแชตไม่ได้ค่ะ 🙏 ผู้ดูแลระบบต้องตั้งค่า PUBLIC_BASE_URL ของระบบก่อน "
            "ระหว่างนี้ดูไฟล์ได้ในโฟลเดอร์ EVIDENCE_DIR บนเครื่องเซิร์ฟเวอร์")


def _files(ctx: Ctx, item: catalog.Item) -> Result:
    """Links (for an hour) to the photos and files kept as the item's evidence in the current round."""
    rnd = common.current_round(ctx)
    row = evidence.state_of(ctx.session, rnd.id, item.key)
    kept = list(row.files) if row else []
    if not kept:
        return Result.text(NO_FILES.format(label=item.label))
    if ctx.exports is None:
        return Result.text(NO_LINKS)
    lines = []
    for f in kept:
        url = ctx.exports.kept_file_url(f.get("path", ""), f.get("name", ""), ctx.now)
        lines.append(f"📎 {f.get('name') or 'ไฟล์'}\n{url}" if url else f"📎 {f.get('name') or 'ไฟล์'} (ไม่พบไฟล์แล้ว)")
    return Result.text(FILES.format(label=item.label, round=rnd.name) + "\n\n" + "\n\n".join(lines))


COMMANDS = [
    Command(("รายงาน", "รายงานสถานะ", "รายงานหลักฐาน"), report, bare_in_group=False),
    Command(("ประวัติ", "ประวัติหลักฐาน"), history, bare_in_group=False),
    Command(("ความคืบหน้า", "ดูความคืบหน้า"), progress),
    Command(("งานค้าง", "ดูงานค้าง"), backlog),
    Command(("ปฏิทิน", "ปฏิทินการรายงาน"), calendar),
    Command(("ตั้งรอบ", "สร้างรอบ", "เพิ่มรอบ", "ตั้งรอบรายงาน", "สร้างรอบรายงาน", "เพิ่มรอบรายงาน"), setup_round, bare_in_group=False),
    Command(("เปิดรอบ",), open_round, bare_in_group=False),
    Command(("ปิดรอบ",), close_round, bare_in_group=False),
]
POSTBACKS = {"ev": on_postback}
FLOWS = (steps.REPORT, steps.ROUNDS)
EVENTS: dict = {}
