"""Acknowledgements and the broadcast record: pressing "รับทราบ", who has and has not acknowledged (by
work group and by group chat), one reminder to those who have not, the list of recent broadcasts, and
cancelling a scheduled one. Plugged in through `handlers.broadcasts.compose` (its COMMANDS and POSTBACKS);
`OVERHEARD` is collected by the dispatcher: a "รับทราบ" said in a group chat under an announcement that
asks for it is recorded without a reply (group talk is not for the bot, design.md "Manners in a chat").
"""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from typing import Any

from handlers import help
from handlers.members import directory
from handlers.core import postback
from handlers.standards import lookup as standards
from handlers.broadcasts import actions  # the one place that cancels (also `flask broadcast cancel`)
from handlers.broadcasts.announcement import (PREVIEW_ID, STATUS_NAMES, ack_report_button, audience_text,
                                   recipients_see, snippet)
from handlers.core.policy import require
from handlers.core.routing import Command
from handlers.core.thaidate import thai_date
from handlers.core.types import Button, Ctx, MessageAction, PostbackAction, Result, UserFacingError
from handlers.core.words import command_rest, strip_tail
from storage import acknowledgements, broadcasts
from storage import groups as chat_groups
from storage.members import audit

PRIVATE_ONLY = "รายการนี้ทำได้ในแชต 1:1 กับบอทเท่านั้นค่ะ 🙏"
NO_USER = ("ขออภัยค่ะ บันทึกการรับทราบไม่ได้ เพราะ LINE ไม่ได้ส่งข้อมูลว่าใครเป็นผู้กด (เกิดกับ LINE บนคอมพิวเตอร์) "
           "รบกวนกดรับทราบจาก LINE บนมือถือ หรือพิมพ์ \"รับทราบ {id}\" ในแชต 1:1 กับบอทนะคะ")
PREVIEW = "นี่คือตัวอย่างประกาศค่ะ ปุ่มรับทราบจะใช้ได้เมื่อส่งประกาศจริงแล้วนะคะ"
NAMES_ACKED, NAMES_WAITING = 10, 15  # names shown per group in the ack report
CHATS_WITH_NAMES, CHAT_LINES = 5, 40  # more chats than this are listed one line each, up to CHAT_LINES
NOTHING_WAITING = "ตอนนี้ไม่มีประกาศที่รอให้คุณกดรับทราบค่ะ 😊"
ACK_WORD = "รับทราบ"
_ACK_REST = re.compile(r"^(?:แล้ว)?\s*#?\s*(\d*)\s*(?:แล้ว)?$")  # what may follow "รับทราบ": "แล้ว", "#12"


def admin_in_private(ctx: Ctx, action: str) -> None:
    """Raise UserFacingError unless an admin may do `action` here, in a 1:1 chat."""
    require(ctx, action)


def cancel_button(broadcast_id: int) -> Button:
    """A button that cancels scheduled broadcast `broadcast_id`."""
    return Button(f"ยกเลิกประกาศ #{broadcast_id}",
                  PostbackAction(postback.encode("bc", o="x", b=broadcast_id), f"ยกเลิกประกาศ #{broadcast_id}"))


def list_button() -> Button:
    """A button that lists the recent broadcasts."""
    return Button("รายการประกาศ", MessageAction("รายการประกาศ"))


def _sent(ctx: Ctx, broadcast_id: Any, missing: str = postback.EXPIRED):
    """The sent broadcast `broadcast_id` that asks for acknowledgements; UserFacingError(`missing`) if none."""
    bc = broadcasts.get(ctx.session, int(broadcast_id)) if str(broadcast_id).isdigit() else None
    if bc is None or not bc.ack_required or bc.status not in ("sending", "sent"):
        raise UserFacingError(missing)
    return bc


# -- pressing รับทราบ ------------------------------------------------------------------------------
def _record(ctx: Ctx, bc) -> Result:
    chat = ctx.inp.chat_id if ctx.inp.chat_kind != "user" else None
    row, first = acknowledgements.record_ack(ctx.session, bc, ctx.inp.user_id, ctx.now, ctx.actor.work_group, chat)
    if not first:
        return Result.text(f"คุณกดรับทราบประกาศ #{bc.id} ไปแล้วเมื่อ {thai_date(row.acked_at)} ค่ะ 👍")
    return Result.text(f"✅ บันทึกการรับทราบประกาศ #{bc.id} แล้วค่ะ ขอบคุณค่ะ 🙏")


def on_ack(ctx: Ctx, payload: dict[str, Any]) -> Result:
    """Postback "ack" {b}: record that the presser acknowledged broadcast b (the first press counts)."""
    if str(payload.get("b")) == str(PREVIEW_ID):
        return Result.text(PREVIEW)
    bc = _sent(ctx, payload.get("b"))
    if ctx.inp.user_id is None:
        return Result.text(NO_USER.format(id=bc.id))
    return _record(ctx, bc)


def _ack_number(rest: str) -> re.Match | None:
    """"" / "แล้ว" / "12" / "#12" after "รับทราบ" (particles already gone): a match whose group 1 is the
    broadcast number or ""; None when the rest is a sentence (a question to search)."""
    return _ACK_REST.match(strip_tail(rest).strip())


def typed_ack(ctx: Ctx, rest: str) -> Result:
    """"รับทราบ" or "รับทราบ 12" typed to the bot: acknowledge broadcast 12, or the newest one waiting for
    this person; a repeat says when it was recorded; a longer sentence is a question."""
    m = _ack_number(rest)
    if m is None:
        return standards.lookup(ctx, f"รับทราบ {rest}")
    if ctx.inp.user_id is None:
        return Result.text(NO_USER.format(id=m.group(1) or "…")) if m.group(1) else help.thanks(ctx)
    if m.group(1):
        return _record(ctx, _sent(ctx, m.group(1), f"ไม่พบประกาศ #{m.group(1)} ที่ขอให้กดรับทราบค่ะ"))
    bc = acknowledgements.pending_ack(ctx.session, ctx.inp.user_id)
    if bc is not None:
        return _record(ctx, bc)
    done = acknowledgements.last_acked(ctx.session, ctx.inp.user_id, ctx.now)
    if done is not None:
        return Result.text(f"คุณกดรับทราบประกาศ #{done[0].id} ไปแล้วเมื่อ {thai_date(done[1].acked_at)} ค่ะ 👍")
    return Result.text(NOTHING_WAITING)


def overheard_ack(ctx: Ctx, text: str) -> None:
    """Group talk the bot was not addressed in: when it is "รับทราบ" ("รับทราบค่ะ", "รับทราบแล้วครับ") from a
    known sender, under an announcement that was posted to this chat and asks for acknowledgements,
    record it (the first time counts). Never replies; a "รับทราบ" with nothing to acknowledge is talk."""
    if ctx.inp.chat_kind == "user" or ctx.inp.user_id is None:
        return None
    rest = command_rest(text, ACK_WORD, ("แล้ว",))
    if rest is None or (m := _ack_number(rest)) is None or m.group(1):
        return None
    bc = acknowledgements.posted_in_chat(ctx.session, ctx.inp.chat_id, ctx.now)
    if bc is not None:
        acknowledgements.record_ack(ctx.session, bc, ctx.inp.user_id, ctx.now, ctx.actor.work_group,
                                    ctx.inp.chat_id)
    return None


# -- who has acknowledged -----------------------------------------------------------------------------
def _names(rows, limit: int) -> str:
    shown = ", ".join(name or "(ไม่ทราบชื่อ)" for _, name in rows[:limit])
    return shown + (f" และอีก {len(rows) - limit:,} คน" if len(rows) > limit else "")


def _block(title: str, rows) -> list[str]:
    acked = [(r, n) for r, n in rows if r.acked_at is not None]
    waiting = [(r, n) for r, n in rows if r.acked_at is None]
    lines = [f"■ {title} รับทราบ {len(acked):,}/{len(rows):,}"]
    for r, n in acked[:NAMES_ACKED]:
        lines.append(f"  ✓ {n or '(ไม่ทราบชื่อ)'} ({thai_date(r.acked_at)})")
    if len(acked) > NAMES_ACKED:
        lines.append(f"  ✓ และอีก {len(acked) - NAMES_ACKED:,} คน")
    if waiting:
        lines.append(f"  ✗ ยังไม่รับทราบ: {_names(waiting, NAMES_WAITING)}")
    return lines


def _chat_lines(ctx: Ctx, by_chat: dict[str, list]) -> list[str]:
    """Per group chat: names when there are a few chats, else one line each (at most `CHAT_LINES`)."""
    names = {c.chat_id: c.name for c in chat_groups.all_groups(ctx.session)}
    title = lambda chat_id: f"กลุ่มไลน์ {names.get(chat_id) or chat_id[:8]}"  # noqa: E731
    if len(by_chat) <= CHATS_WITH_NAMES:
        return [line for chat_id, rows in by_chat.items() for line in _block(title(chat_id), rows)]
    lines = [f"■ {title(chat_id)} รับทราบ {sum(1 for r, _ in rows if r.acked_at):,}/{len(rows):,}"
             for chat_id, rows in list(by_chat.items())[:CHAT_LINES]]
    return lines + ([f"… และอีก {len(by_chat) - CHAT_LINES:,} กลุ่ม"] if len(by_chat) > CHAT_LINES else [])


def report_result(ctx: Ctx, bc) -> Result:
    """Who has and has not acknowledged `bc`, by work group and by group chat, with the reminder button."""
    rows = acknowledgements.recipients(ctx.session, bc.id)
    acked = sum(1 for r, _ in rows if r.acked_at is not None)
    lines = [f"✅ ผลการรับทราบประกาศ #{bc.id} ({STATUS_NAMES.get(bc.status, bc.status)})", snippet(bc.text),
             f"ผู้รับ: {audience_text(bc.audience, ctx.content)}", f"รับทราบแล้ว {acked:,} จาก {len(rows):,} คน"]
    reminded = (bc.report or {}).get("reminded_at")
    if reminded:
        when = thai_date(datetime.fromisoformat(reminded))
        lines.append(f"ส่งเตือนแล้ว {bc.report.get('reminded', 0):,} คน เมื่อ {when}")
    by_group: dict[str | None, list] = defaultdict(list)
    by_chat: dict[str, list] = defaultdict(list)
    for r, n in rows:
        by_group[r.work_group].append((r, n))
        if r.chat_id:
            by_chat[r.chat_id].append((r, n))
    if rows:
        lines += ["", "ตามกลุ่มงาน"]
        for wg in sorted(by_group, key=lambda g: (g is None, g or "")):
            lines += _block(directory.group_name(ctx.content, wg) or "ไม่ระบุกลุ่มงาน", by_group[wg])
    if by_chat:
        lines += ["", "ตามกลุ่มไลน์"] + _chat_lines(ctx, by_chat)
    buttons = [ack_report_button(bc.id, "ดูผลล่าสุด")]
    waiting = len(acknowledgements.not_acked(ctx.session, bc.id, reachable_only=True))
    if waiting and not reminded:
        buttons.insert(0, Button(f"ส่งเตือน {waiting:,} คน",
                                 PostbackAction(postback.encode("bc", o="rm", b=bc.id), "ส่งเตือนผู้ที่ยังไม่รับทราบ")))
    return Result.text("\n".join(lines), buttons + [list_button()])


def ack_report(ctx: Ctx, rest: str) -> Result:
    """"ผลรับทราบ 12" (or alone: the newest broadcast that asked for acknowledgements)."""
    admin_in_private(ctx, "broadcast.report")
    m = re.search(r"\d+", rest)
    bc = broadcasts.get(ctx.session, int(m.group(0))) if m else broadcasts.latest_with_ack(ctx.session)
    if bc is None and not m:
        raise UserFacingError("ยังไม่มีประกาศที่ขอให้กดรับทราบค่ะ ตอนสร้างประกาศ กด \"ขอให้กดรับทราบ\" "
                              "แล้วดูผลได้ที่นี่นะคะ", [list_button()])
    if bc is None:
        raise UserFacingError("ไม่พบประกาศนี้ค่ะ พิมพ์ \"รายการประกาศ\" เพื่อดูหมายเลขประกาศนะคะ", [list_button()])
    if not bc.ack_required:
        raise UserFacingError(f"ประกาศ #{bc.id} ไม่ได้ขอให้กดรับทราบค่ะ", [list_button()])
    return report_result(ctx, bc)


def on_ackrep(ctx: Ctx, payload: dict[str, Any]) -> Result:
    """Postback "ackrep" {b}: the acknowledgement report of broadcast b."""
    return ack_report(ctx, str(payload.get("b", "")))


def remind(ctx: Ctx, payload: dict[str, Any]) -> Result:
    """Postback "bc" {o: "rm", b}: one reminder (a multicast of the announcement, headed as a reminder)
    to the recipients who have not acknowledged; a second one is refused."""
    admin_in_private(ctx, "broadcast.send")
    bc = _sent(ctx, payload.get("b"))
    bc = broadcasts.get(ctx.session, bc.id, for_update=True)
    reminded = (bc.report or {}).get("reminded_at")
    if reminded:
        raise UserFacingError(f"ส่งเตือนประกาศ #{bc.id} ไปแล้วเมื่อ {thai_date(datetime.fromisoformat(reminded))} ค่ะ "
                              "(เตือนได้ครั้งเดียวต่อประกาศ)", [ack_report_button(bc.id)])
    users = acknowledgements.not_acked(ctx.session, bc.id, reachable_only=True)
    if not users:
        return Result.text(f"ผู้ที่ยังไม่รับทราบประกาศ #{bc.id} ไม่มีใครที่บอทส่งข้อความถึงได้แล้วค่ะ"
                           if acknowledgements.not_acked(ctx.session, bc.id) else
                           f"ทุกคนรับทราบประกาศ #{bc.id} ครบแล้วค่ะ 🎉")
    if ctx.render is None:
        raise UserFacingError("ระบบส่งข้อความยังไม่พร้อมค่ะ ลองใหม่อีกครั้งในอีกสักครู่นะคะ")
    messages = ctx.render(recipients_see(bc, reminder=True))
    n = acknowledgements.enqueue_reminder(ctx.session, bc, users, messages, ctx.now)
    audit(ctx.session, ctx.inp.user_id, "broadcast.remind", broadcasts.origin(bc.id), ctx.now, people=n)
    return Result.text(f"🔔 ส่งเตือนผู้ที่ยังไม่ได้กดรับทราบประกาศ #{bc.id} จำนวน {n:,} คนแล้วค่ะ "
                       f"(ใช้ข้อความ LINE {n:,} ข้อความ)", [ack_report_button(bc.id)])


# -- the record ------------------------------------------------------------------------------------
def cancel_scheduled(ctx: Ctx, payload: dict[str, Any]) -> Result:
    """Postback "bc" {o: "x", b}: cancel a broadcast that has not been sent yet (`actions.cancel_scheduled`)."""
    admin_in_private(ctx, "broadcast.send")
    b = payload.get("b")
    if not str(b).isdigit():
        raise UserFacingError(actions.NOT_CANCELLABLE, [list_button()])
    try:
        bc = actions.cancel_scheduled(ctx.session, ctx.actor, int(b), ctx.now)
    except UserFacingError as err:
        raise UserFacingError(err.message, [list_button()]) from None
    return Result.text(f"ยกเลิกประกาศ #{bc.id} ที่ตั้งเวลาไว้ {thai_date(bc.scheduled_at)} แล้วค่ะ", [list_button()])


def recent_list(ctx: Ctx, rest: str) -> Result:
    """"รายการประกาศ": the newest 10 broadcasts with status, results, cost and acknowledgements."""
    admin_in_private(ctx, "broadcast.report")
    rows = broadcasts.recent(ctx.session, 10)
    if not rows:
        return Result.text("ยังไม่มีประกาศค่ะ พิมพ์ \"ประกาศ\" เพื่อสร้างประกาศแรกนะคะ",
                           [Button("สร้างประกาศ", MessageAction("ประกาศ"))])
    counts = acknowledgements.ack_counts(ctx.session, [bc.id for bc in rows])
    lines, buttons = ["📋 ประกาศล่าสุด"], []
    for bc in rows:
        when = bc.sent_at if bc.status == "sent" and bc.sent_at else bc.scheduled_at
        lines += ["", f"#{bc.id} · {STATUS_NAMES.get(bc.status, bc.status)} · {thai_date(when)}",
                  f"ถึง: {audience_text(bc.audience, ctx.content)}", snippet(bc.text, 50)]
        if bc.status in ("sending", "sent"):
            got = broadcasts.totals(ctx.session, broadcasts.origin(bc.id))
            lines.append(f"ส่งสำเร็จ {got['sent']:,}/{got['rows']:,} รายการ"
                         + (f" · ไม่สำเร็จ {got['failed'] + got['dead']:,}" if got["failed"] + got["dead"] else "")
                         + f" · ใช้ {got['cost']:,} ข้อความ")
        if bc.ack_required:
            acked, total = counts.get(bc.id, (0, 0))
            lines.append(f"รับทราบ {acked:,}/{total:,} คน")
            if bc.status in ("sending", "sent") and len(buttons) < 6:
                buttons.append(Button(f"ผลรับทราบ #{bc.id}", MessageAction(f"ผลรับทราบ {bc.id}")))
        if bc.status == "scheduled" and len(buttons) < 10:
            buttons.append(cancel_button(bc.id))
    return Result.text("\n".join(lines), buttons + [Button("สร้างประกาศ", MessageAction("ประกาศ"))])


ADMIN_OPS = {"x": cancel_scheduled, "rm": remind}
COMMANDS = [Command(("ประกาศที่ผ่านมา", "รายการประกาศ"), recent_list, bare_in_group=False),
            Command(("ผลรับทราบ",), ack_report, bare_in_group=False),
            # "รับทราบ" alone in a group is ordinary talk: it is overheard (OVERHEARD), not answered
            Command((ACK_WORD,), typed_ack, args=("แล้ว",), bare_in_group=False)]
POSTBACKS = {"ack": on_ack, "ackrep": on_ackrep}
OVERHEARD = [overheard_ack]
