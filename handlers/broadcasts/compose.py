"""Admin broadcasts ("ประกาศ"), a flow in a 1:1 chat: audience → message → options → preview → confirm.

Steps (`handlers.core.flow` flow "broadcast"): "audience" (several kinds at once; "groups" picks work
groups), "message" (typed or pasted text), "options" (acknowledgement, image URL, link button, send
time; sub-steps "image", "link", "schedule" read typed text), "preview" (the card exactly as recipients
get it, reach, LINE-message cost and the quota), then confirm. Postback "bc" carries the flow's session
id in "s" and the operation in "o". Acknowledgements, lists and reports live in `handlers.broadcasts.acks`.

"Send now" writes the outbox rows in this same transaction, rendering the announcement through
`ctx.render` (the bot supplies `bot.render.as_dicts`); scheduled ones are sent by the "send-broadcasts"
job.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from handlers.broadcasts import acks
from handlers.members import directory
from handlers.core import postback
from handlers.core import legacy_state as state
from handlers.broadcasts.announcement import (MAX_TEXT, PREVIEW_ID, Draft, announcement_card, audience_text,
                                   reach_summary, recipients_see, snippet)
from handlers.core.thaidate import DATETIME_EXAMPLE, parse_thai_datetime, thai_date
from handlers.core.types import Button, Ctx, MessageAction, PostbackAction, Result, TextReply, UserFacingError
from storage import broadcasts
from storage.members import audit

FLOW = "broadcast"
KIND_LABELS = {"all_staff": "บุคลากรทั้งหมด", "all_schools": "สถานศึกษาทั้งหมด", "chat_groups": "กลุ่มไลน์ที่ผูกไว้",
               "followers": "ผู้ติดตามทุกคน"}
SCHEDULE_CHOICES = ("พรุ่งนี้ 08:00", "พรุ่งนี้ 08:30", "พรุ่งนี้ 13:00")
COUNT_REFRESH_MAX = 40  # group head counts asked of LINE per preview (unknown ones first)
NO_WORDS = {"ไม่ใส่", "ไม่มี", "ลบ", "ไม่ต้อง", "-"}
_URL = re.compile(r"https?://\S+")


def guard(ctx: Ctx) -> None:
    """Admins only, and only in a 1:1 chat (raises UserFacingError)."""
    acks.admin_in_private(ctx, "broadcast.send")


def _op(row, label: str, op: str, display: str | None = None, **extra: Any) -> Button:
    return Button(label, PostbackAction(postback.encode("bc", s=row.session_id, o=op, **extra), display or label))


def _audience(row) -> dict[str, Any]:
    return broadcasts.audience_of(row.data.get("kinds", []), row.data.get("groups", []))


def _draft(row) -> Draft:
    d = row.data
    return Draft(d.get("text") or "", d.get("img"), d.get("ll"), d.get("lu"), bool(d.get("ack")))


def _when(row) -> datetime | None:
    at = row.data.get("at")
    return datetime.fromisoformat(at) if at else None


# -- steps -----------------------------------------------------------------------------------------
def audience_step(ctx: Ctx, row, note: str = "") -> Result:
    """Step 1: the audience kinds as toggles (✓ when chosen), "ถัดไป" once one is chosen."""
    kinds = row.data.get("kinds", [])
    tick = lambda on: "✓ " if on else ""  # noqa: E731
    buttons = [_op(row, tick(k in kinds) + label, "k", label, k=k) for k, label in KIND_LABELS.items()]
    buttons.insert(2, _op(row, tick("work_groups" in kinds) + "เลือกกลุ่มงาน", "wg"))
    if kinds:
        buttons.insert(0, _op(row, "ถัดไป ▶", "nx"))
    text = (f"{note}📢 สร้างประกาศ ขั้นที่ 1/3: เลือกผู้รับค่ะ (เลือกได้หลายกลุ่ม กดซ้ำเพื่อเอาออก)\n"
            f"เลือกแล้ว: {audience_text(_audience(row), ctx.content)}\n"
            "\"ผู้ติดตามทุกคน\" ส่งถึงทุกคนที่เพิ่มบอทเป็นเพื่อน จึงเลือกคู่กับกลุ่มอื่นไม่ได้")
    return Result.text(text, buttons + [directory.cancel_button()])


def groups_step(ctx: Ctx, row, note: str = "") -> Result:
    """The work-group picker: every work group as a toggle (11 fit LINE's 13 quick replies); `note` leads."""
    chosen = row.data.get("groups", [])
    buttons = [_op(row, ("✓ " if g.id in chosen else "") + directory.short_label(g), "g", g.name, g=g.id)
               for g in directory.work_groups(ctx.content)]
    names = ", ".join(directory.group_name(ctx.content, g) for g in chosen) or "ยังไม่ได้เลือก"
    return Result.text(f"{note}เลือกกลุ่มงานที่จะส่งถึงค่ะ (กดซ้ำเพื่อเอาออก)\nเลือกแล้ว: {names}",
                       [_op(row, "เสร็จ ▶", "gd")] + buttons[:11] + [directory.cancel_button()])


def message_step(ctx: Ctx, row) -> Result:
    """Step 2: ask for the announcement's text."""
    return Result.text("ขั้นที่ 2/3: พิมพ์หรือวางข้อความประกาศได้เลยค่ะ "
                       f"(ไม่เกิน {MAX_TEXT:,} ตัวอักษร)", [_op(row, "◀ กลับไปเลือกผู้รับ", "au"), directory.cancel_button()])


def options_step(ctx: Ctx, row, note: str = "") -> Result:
    """Step 3: the draft so far, with acknowledgement, image, link and send-time options; `note` leads."""
    d, when = row.data, _when(row)
    lines = [f"{note}ขั้นที่ 3/3: ตัวเลือกเพิ่มเติมค่ะ", f"ข้อความ: {snippet(d.get('text') or '', 80)}",
             f"• ขอให้กดรับทราบ: {'ใช่' if d.get('ack') else 'ไม่'}",
             f"• รูปภาพ: {d.get('img') or 'ไม่มี'}",
             f"• ปุ่มลิงก์: {(d.get('ll') or 'เปิดลิงก์') + ' → ' + d['lu'] if d.get('lu') else 'ไม่มี'}",
             f"• เวลาส่ง: {thai_date(when) if when else 'ทันทีเมื่อยืนยัน'}",
             "พิมพ์ข้อความใหม่เพื่อแก้ไขได้ หรือกด \"ดูตัวอย่าง\" ค่ะ"]
    buttons = [_op(row, "ดูตัวอย่าง ▶", "pv"),
               _op(row, "ไม่ต้องกดรับทราบ" if d.get("ack") else "ขอให้กดรับทราบ", "ack"),
               _op(row, "ใส่รูปภาพ", "img"), _op(row, "ใส่ปุ่มลิงก์", "lnk"),
               _op(row, "ส่งทันที", "now") if when else _op(row, "ตั้งเวลาส่ง", "sch"), directory.cancel_button()]
    return Result.text("\n".join(lines), buttons)


def preview(ctx: Ctx, row) -> Result:
    """The card as recipients will see it, and who it reaches, what it costs, the quota."""
    reach = broadcasts.resolve(ctx.session, _audience(row))
    if ctx.line is not None:
        broadcasts.refresh_counts(ctx.session, reach.chats, ctx.line.group_member_count, COUNT_REFRESH_MAX)
    quota, usage = (ctx.line.quota(), ctx.line.usage()) if ctx.line is not None else (None, None)
    when = _when(row)
    summary = reach_summary(reach, audience_text(_audience(row), ctx.content), quota, usage,
                            bool(row.data.get("ack")), thai_date(when) if when else "ทันทีเมื่อยืนยัน")
    state.advance(ctx, row, "preview")
    confirm = "✅ ยืนยันตั้งเวลา" if when else "✅ ยืนยันส่งเลย"
    buttons = [] if reach.empty else [_op(row, confirm, "ok")]
    return Result([announcement_card(_draft(row), PREVIEW_ID), TextReply(summary)],
                  buttons + [_op(row, "✏️ แก้ไข", "ed"), _op(row, "◀ เปลี่ยนผู้รับ", "au"), directory.cancel_button()])


def confirm(ctx: Ctx, row) -> Result:
    """Create the broadcast: send now (outbox rows in this transaction) or keep it for its time."""
    if row.step != "preview":
        raise UserFacingError(state.EXPIRED)
    when = _when(row)
    if when is not None and when <= ctx.now:
        state.advance(ctx, row, "options")
        raise UserFacingError("เวลาที่ตั้งไว้ผ่านไปแล้วค่ะ กรุณาตั้งเวลาใหม่ หรือเลือก \"ส่งทันที\" นะคะ",
                              options_step(ctx, row).quick_replies)
    audience, draft = _audience(row), _draft(row)
    reach = broadcasts.resolve(ctx.session, audience)
    if reach.empty:
        raise UserFacingError("ยังไม่มีผู้รับในกลุ่มที่เลือกค่ะ ลองเลือกผู้รับใหม่นะคะ")
    bc = broadcasts.create(ctx.session, ctx.inp.user_id, audience, draft.text, ctx.now, when or ctx.now,
                           draft.image_url, draft.link_label, draft.link_url, draft.ack_required)
    audit(ctx.session, ctx.inp.user_id, "broadcast.create", broadcasts.origin(bc.id), ctx.now, audience=audience,
          scheduled_at=bc.scheduled_at.isoformat(), ack_required=draft.ack_required)
    state.finish(ctx)
    who = audience_text(audience, ctx.content)
    if when is not None:
        return Result.text(f"🕗 ตั้งเวลาส่งประกาศ #{bc.id} ถึง {who} ไว้ {thai_date(when)} แล้วค่ะ",
                           [acks.cancel_button(bc.id), acks.list_button()])
    if ctx.render is not None:  # always in the bot; a handler test may leave it out and let the job send
        broadcasts.start_sending(ctx.session, bc, ctx.render(recipients_see(bc)), ctx.now, reach)
    return Result.text(f"📤 กำลังส่งประกาศ #{bc.id} ถึง {who} ค่ะ จะส่งรายงานผลให้เมื่อส่งครบนะคะ",
                       [acks.list_button()])


# -- typed text mid-flow ---------------------------------------------------------------------------
def _none(text: str) -> bool:
    return re.sub(r"\s*(ค่ะ|คะ|ครับ|นะ)+$", "", text) in NO_WORDS


def _image(ctx: Ctx, row, text: str) -> Result:
    if _none(text):
        state.advance(ctx, row, "options", img=None)
        return options_step(ctx, row, "ไม่ใส่รูปภาพแล้วค่ะ\n")
    if not re.fullmatch(r"https://\S{4,990}", text):
        raise UserFacingError("ลิงก์รูปภาพต้องขึ้นต้นด้วย https:// และไม่มีช่องว่างค่ะ เช่น "
                              "https://www.example.go.th/poster.jpg (พิมพ์ \"ไม่ใส่\" ถ้าไม่ต้องการรูป)")
    state.advance(ctx, row, "options", img=text)
    return options_step(ctx, row, "ใส่รูปภาพแล้วค่ะ (แสดงเต็มความกว้างเหนือหัวข้อประกาศ)\n")


def _link(ctx: Ctx, row, text: str) -> Result:
    if _none(text):
        state.advance(ctx, row, "options", ll=None, lu=None)
        return options_step(ctx, row, "ไม่ใส่ปุ่มลิงก์แล้วค่ะ\n")
    m = _URL.search(text)
    label = (text[:m.start()] + text[m.end():]).strip() if m else ""
    if not m or len(m.group(0)) > 1000 or len(label) > 20:
        raise UserFacingError("พิมพ์ชื่อปุ่ม (ไม่เกิน 20 ตัวอักษร) ตามด้วยลิงก์ค่ะ เช่น "
                              "\"ดาวน์โหลดหนังสือ https://www.example.go.th/doc.pdf\"")
    state.advance(ctx, row, "options", ll=label or "เปิดลิงก์", lu=m.group(0))
    return options_step(ctx, row, "ใส่ปุ่มลิงก์แล้วค่ะ\n")


def _schedule(ctx: Ctx, row, text: str) -> Result:
    when = parse_thai_datetime(text, ctx.now)
    state.advance(ctx, row, "options", at=when.isoformat())
    return options_step(ctx, row, f"ตั้งเวลาส่ง {thai_date(when)} แล้วค่ะ\n")


def on_text(ctx: Ctx, row, text: str) -> Result:
    """Text typed during the flow, read by the step it is at."""
    guard(ctx)
    text = text.strip()
    if row.step == "image":
        return _image(ctx, row, text)
    if row.step == "link":
        return _link(ctx, row, text)
    if row.step == "schedule":
        return _schedule(ctx, row, text)
    if not text:
        raise UserFacingError("ข้อความว่างอยู่ค่ะ พิมพ์ข้อความประกาศได้เลยนะคะ")
    if len(text) > MAX_TEXT:
        raise UserFacingError(f"ข้อความยาว {len(text):,} ตัวอักษร เกิน {MAX_TEXT:,} ตัวอักษรค่ะ "
                              "ลองย่อให้สั้นลง หรือใส่รายละเอียดเป็นปุ่มลิงก์นะคะ")
    if row.step == "groups":  # the message typed early is kept; the picker stays open
        state.advance(ctx, row, "groups", text=text)
        return groups_step(ctx, row, "ได้ข้อความแล้วค่ะ เลือกกลุ่มงานให้เสร็จก่อนนะคะ\n")
    if row.step == "audience" and not row.data.get("kinds"):
        state.advance(ctx, row, "audience", text=text)
        return audience_step(ctx, row, "ได้ข้อความแล้วค่ะ เลือกผู้รับก่อนนะคะ\n")
    edited = row.step not in ("message", "audience")
    state.advance(ctx, row, "options", text=text)
    return options_step(ctx, row, "แก้ข้อความแล้วค่ะ\n" if edited else "")


def start(ctx: Ctx, rest: str) -> Result:
    """"ประกาศ": start a broadcast (text after the word is kept as the message). Typed while writing one,
    the whole line is the message (`FREE_TEXT`), so "ประกาศ! ประชุมพรุ่งนี้" is not a restart."""
    guard(ctx)
    message = re.sub(r"^\s*ประกาศ\s*", "", ctx.inp.text).strip() if rest else ""
    row = state.start(ctx, FLOW, "audience", {"kinds": [], "groups": [], "ack": False,
                                              "text": message[:MAX_TEXT] or None})
    return audience_step(ctx, row, "ได้ข้อความแล้วค่ะ เลือกผู้รับก่อนนะคะ\n" if message else "")


def _toggle(items: list[str], item: str) -> list[str]:
    return [i for i in items if i != item] if item in items else items + [item]


def on_postback(ctx: Ctx, payload: dict[str, Any]) -> Result:
    """Postback "bc": flow steps (with "s"), or "x" (cancel a scheduled broadcast) / "rm" (remind)."""
    guard(ctx)
    op = payload.get("o")
    if op in acks.ADMIN_OPS:
        return acks.ADMIN_OPS[op](ctx, payload)
    row = state.require(ctx, FLOW, payload.get("s"))
    if op == "k" and payload.get("k") in KIND_LABELS:
        kinds = _toggle(row.data.get("kinds", []), payload["k"])
        if "followers" in kinds and payload["k"] == "followers":  # every friend: nothing else with it
            state.advance(ctx, row, "audience", kinds=["followers"], groups=[])
        else:
            state.advance(ctx, row, "audience", kinds=[k for k in kinds if k != "followers"])
        return audience_step(ctx, row)
    if op == "wg":
        state.advance(ctx, row, "groups")
        return groups_step(ctx, row)
    if op == "g":
        chosen = _toggle(row.data.get("groups", []), str(payload.get("g")))
        known = {g.id for g in directory.work_groups(ctx.content)}
        state.advance(ctx, row, "groups", groups=[g for g in chosen if g in known])
        return groups_step(ctx, row)
    if op == "gd":
        kinds = [k for k in row.data.get("kinds", []) if k != "work_groups"]
        if row.data.get("groups"):
            kinds = [k for k in kinds if k != "followers"] + ["work_groups"]
        state.advance(ctx, row, "audience", kinds=kinds)
        return audience_step(ctx, row)
    if op == "au":
        state.advance(ctx, row, "audience")
        return audience_step(ctx, row)
    if op == "nx" and row.data.get("kinds"):
        if row.data.get("text"):
            state.advance(ctx, row, "options")
            return options_step(ctx, row)
        state.advance(ctx, row, "message")
        return message_step(ctx, row)
    if op == "ack":
        state.advance(ctx, row, "options", ack=not row.data.get("ack"))
        return options_step(ctx, row)
    if op in ("img", "lnk", "sch"):
        step = {"img": "image", "lnk": "link", "sch": "schedule"}[op]
        state.advance(ctx, row, step)
        return ASK[step](row)
    if op == "at":
        return _schedule(ctx, row, str(payload.get("v", "")))
    if op == "now":
        state.advance(ctx, row, "options", at=None)
        return options_step(ctx, row, "ส่งทันทีเมื่อยืนยันค่ะ\n")
    if op == "ed":
        state.advance(ctx, row, "options")
        return options_step(ctx, row)
    if op == "pv" and row.data.get("text"):
        return preview(ctx, row)
    if op == "ok":
        return confirm(ctx, row)
    raise UserFacingError(state.EXPIRED)


ASK = {
    "image": lambda row: Result.text("ส่งลิงก์รูปภาพ (ขึ้นต้นด้วย https:// ไฟล์ .jpg หรือ .png) ได้เลยค่ะ หรือพิมพ์ \"ไม่ใส่\"",
                                     [Button("ไม่ใส่รูป", MessageAction("ไม่ใส่")), _op(row, "◀ กลับ", "ed")]),
    "link": lambda row: Result.text("พิมพ์ชื่อปุ่มตามด้วยลิงก์ค่ะ เช่น "
                                    "\"ดาวน์โหลดหนังสือ https://www.example.go.th/doc.pdf\" "
                                    "(ชื่อปุ่มไม่เกิน 20 ตัวอักษร) หรือพิมพ์ \"ไม่ใส่\"",
                                    [Button("ไม่ใส่ปุ่มลิงก์", MessageAction("ไม่ใส่")), _op(row, "◀ กลับ", "ed")]),
    "schedule": lambda row: Result.text(f"จะให้ส่งเมื่อไหร่คะ พิมพ์วันและเวลาได้เลย {DATETIME_EXAMPLE}",
                                        [_op(row, v, "at", v=v) for v in SCHEDULE_CHOICES]
                                        + [_op(row, "ส่งทันที", "now"), _op(row, "◀ กลับ", "ed")]),
}

IMAGE_AS_LINK = ("บอทนำรูปที่ส่งในแชตไปใส่ในประกาศไม่ได้ค่ะ 🙏 ใส่รูปเป็นลิงก์แทนนะคะ: อัปโหลดรูปไว้ที่เว็บไซต์ของ"
                 "สำนักงาน แล้วส่งลิงก์ที่เปิดแล้วเป็นรูปโดยตรง (https://… ไฟล์ .jpg หรือ .png)")


def on_media(ctx: Ctx, row) -> Result:
    """A photo or file sent while writing an announcement: how to add an image instead (a link)."""
    if row.step == "image":
        return Result.text(IMAGE_AS_LINK + " หรือพิมพ์ \"ไม่ใส่\" ค่ะ", ASK["image"](row).quick_replies)
    return Result.text(IMAGE_AS_LINK + " ที่ปุ่ม \"ใส่รูปภาพ\" ในขั้นตัวเลือกเพิ่มเติมค่ะ")


COMMANDS = {"ประกาศ": start, **acks.COMMANDS}
POSTBACKS = {"bc": on_postback, **acks.POSTBACKS}
FLOWS = {FLOW: on_text}
MEDIA = {FLOW: on_media}
FREE_TEXT = {FLOW: frozenset({"audience", "groups", "message", "options", "preview"})}
EVENTS: dict = {}
