"""Admin broadcasts ("ประกาศ"), a declared flow (`handlers.core.flow`) in a 1:1 chat.

Flow "broadcast" over `BroadcastData`, steps:
- "audience": the kinds as toggles (several at once, "ผู้ติดตามทุกคน" alone), "เลือกกลุ่มงาน", "ถัดไป";
- "groups": the work-group picker (toggles, "เสร็จ");
- "message": the announcement's text, typed or pasted (the only step where text becomes the message);
- "options": preview, acknowledgement toggle, image, link, send time, send now, edit message, audience;
  a date typed here ("พรุ่งนี้ 08:30") sets the send time;
- "image" (an https URL or "ไม่ใส่"), "link" ("ชื่อปุ่ม https://…" or "ไม่ใส่"), "schedule" (a Thai date, or
  a suggested time);
- "preview": the card exactly as recipients get it, the reach, the LINE-message cost and the quota; then
  confirm, edit, or change the audience.
Every choice step reads its choice typed in natural Thai ("ยืนยันค่ะ", "ดูตัวอย่าง", "ไม่ใส่ค่ะ"); typed text
that names no choice is never taken as the message: the step asks again, saying what it expects ("โอเคค่ะ"
at the options step). The message changes only when the admin chooses "แก้ข้อความ" and types it.
"ประกาศ <ข้อความ>" on one line gives the message up front.

Text typed at the audience or work-group step (before any message): the old flow kept it as the
message. Now it is not taken: the step asks again for the audience, quotes the text and offers one
button, "ใช้ข้อความนี้", that makes it the message (also offered at the message step). So a message
typed first is not lost and need not be typed again, while a mistyped audience ("ครูทุกคน") never
silently becomes the announcement. Once there is a message, text typed there is only answered.

The preview does no network I/O of its own: head counts are the cached `ChatGroup.member_count`, or
`ctx.line.group_member_count` (LINE facts, cache reads) for chats whose count is unknown, and the quota is
`ctx.line.quota()` / `usage()`; an unknown count is said. Confirming calls
`handlers.broadcasts.actions.compose_and_send` (also `flask broadcast send`), which writes the outbox rows
in this transaction, or keeps a scheduled broadcast for the "send-broadcasts" job.
Acknowledgements, lists and reports live in `handlers.broadcasts.acks`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from handlers.broadcasts import acks, actions
from handlers.broadcasts.announcement import (MAX_TEXT, PREVIEW_ID, BadUrl, Draft, announcement_card, audience_text,
                                              image_url, link, reach_summary, snippet)
from handlers.core import postback
from handlers.core.flow import EXPIRED, Flow, FlowState, Step
from handlers.core.routing import Command
from handlers.core.thaidate import DATETIME_EXAMPLE, looks_like_datetime, parse_thai_datetime, thai_date
from handlers.core.types import Button, Ctx, Result, TextReply, UserFacingError
from handlers.core.words import Choice, ambiguity, choice_list, command_rest
from handlers.members import directory
from storage import broadcasts

KIND_LABELS = {"all_staff": "บุคลากรทั้งหมด", "all_schools": "สถานศึกษาทั้งหมด", "chat_groups": "กลุ่มไลน์ที่ผูกไว้",
               "followers": "ผู้ติดตามทุกคน"}
KIND_WORDS = {"all_staff": ("บุคลากร", "บุคลากรสำนักงาน", "เจ้าหน้าที่ทั้งหมด", "บุคลากรทุกคน"),
              "all_schools": ("สถานศึกษา", "โรงเรียน", "โรงเรียนทั้งหมด", "ทุกโรงเรียน"),
              "chat_groups": ("กลุ่มไลน์", "กลุ่มไลน์ทั้งหมด", "ทุกกลุ่มไลน์"),
              "followers": ("ผู้ติดตาม", "ผู้ติดตามบอท", "เพื่อนทุกคน")}
SCHEDULE_CHOICES = ("พรุ่งนี้ 08:00", "พรุ่งนี้ 08:30", "พรุ่งนี้ 13:00")
NO_WORDS = ("ไม่ใส่", "ไม่มี", "ลบ", "ไม่ต้อง", "ไม่เอา", "-")
BACK_WORDS = ("กลับ", "ย้อนกลับ", "ย้อน")
WHEN_CONFIRMED = "ทันทีเมื่อยืนยัน"
KEEP_LABEL = "📝 ใช้ข้อความนี้"
KEEP_WORDS = ("ใช้ข้อความที่พิมพ์มา", "ใช้ข้อความนี้เป็นประกาศ", "ใช้ข้อความที่พิมพ์", "ใช้ข้อความ")
TYPED_ASIDE = ("ขั้นนี้เลือก{what}ค่ะ 🙏 ข้อความที่พิมพ์มา {quote} ยังไม่ได้ใช้เป็นประกาศ "
               "ถ้าจะใช้ กด \"ใช้ข้อความนี้\" หรือพิมพ์ใหม่ในขั้นถัดไปก็ได้ค่ะ")
HAS_MESSAGE = ("ขั้นนี้เลือก{what}ค่ะ 🙏 ({choices}) ข้อความประกาศมีอยู่แล้ว ถ้าจะแก้ กด \"แก้ข้อความ\" "
               "ในขั้นตัวเลือกเพิ่มเติมนะคะ")
NOTHING_TYPED = "ขั้นนี้เลือก{what}ค่ะ 🙏 กดปุ่มด้านล่าง หรือพิมพ์ชื่อตัวเลือก ({choices}) ได้เลยค่ะ"
OPTIONS_EXPECT = ("ขั้นนี้เลือกตัวเลือกค่ะ 🙏 ({choices}) หรือพิมพ์วันเวลาเพื่อตั้งเวลาส่ง เช่น \"พรุ่งนี้ 08:30\" "
                  "ข้อความประกาศยังเหมือนเดิม ถ้าจะแก้ กด \"แก้ข้อความ\" ก่อนนะคะ")
PREVIEW_EXPECT = ("ขั้นนี้รอการยืนยันค่ะ 🙏 ({choices}) ข้อความประกาศยังเหมือนเดิม "
                  "ถ้าจะแก้ กด \"แก้ไข\" นะคะ")
IMAGE_AS_LINK = ("บอทนำรูปที่ส่งในแชตไปใส่ในประกาศไม่ได้ค่ะ 🙏 ใส่รูปเป็นลิงก์แทนนะคะ: อัปโหลดรูปไว้ที่เว็บไซต์ของ"
                 "สำนักงาน แล้วส่งลิงก์ที่เปิดแล้วเป็นรูปโดยตรง (https://… ไฟล์ .jpg หรือ .png)")
_SCHEDULE_LEAD = re.compile(r"^\s*(?:ตั้งเวลาส่ง|ตั้งเวลา|ส่งเมื่อ|ส่งตอน|ส่ง)\s*")


@dataclass
class BroadcastData:
    """A broadcast being written: the audience (`kinds` of `storage.broadcasts.KINDS`, work `groups`), the
    message `text`, text `typed` where no text was asked (offered as the message, never taken silently),
    the `image` URL, link button (`link_label`, `link_url`), `ack` (ask for "รับทราบ") and the send time
    `at` (ISO 8601 UTC; "" = when confirmed)."""

    kinds: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    text: str = ""
    typed: str = ""
    image: str = ""
    link_label: str = ""
    link_url: str = ""
    ack: bool = False
    at: str = ""

    def __post_init__(self) -> None:  # a state row of an older release may hold None
        for f in fields(self):
            if getattr(self, f.name) is None:
                setattr(self, f.name, f.default_factory() if callable(f.default_factory) else f.default)

    @property
    def audience(self) -> dict[str, Any]:
        return broadcasts.audience_of(self.kinds, self.groups)

    @property
    def draft(self) -> Draft:
        return Draft(self.text, self.image or None, self.link_label or None, self.link_url or None, self.ack)

    @property
    def when(self) -> datetime | None:
        return datetime.fromisoformat(self.at) if self.at else None


St = FlowState[BroadcastData]


def guard(ctx: Ctx) -> None:
    """Admins only, and only in a 1:1 chat (raises UserFacingError)."""
    acks.admin_in_private(ctx, "broadcast.send")


def _when_text(d: BroadcastData) -> str:
    return thai_date(d.when) if d.when else WHEN_CONFIRMED


def _buttons(st: St, choices: list[Choice]) -> list[Button]:
    return st.choice_buttons(choices) + [directory.cancel_button()]


def _typed(ctx: Ctx) -> str | None:
    """What the admin typed, when this input is typed text (not a pressed button)."""
    return ctx.inp.text.strip() if ctx.inp.kind == "text" else None


def _keep(st: St) -> list[Choice]:
    return [Choice("keep", KEEP_LABEL, KEEP_WORDS)] if st.data.typed and not st.data.text else []


def _aside(what: str, choices_of) -> Any:
    """A text handler for a step that asks for a choice: the text is kept aside (offered as the message
    with "ใช้ข้อความที่พิมพ์มา" while there is none), never taken; the step asks again saying what it wants."""
    def on_text(ctx: Ctx, st: St, text: str) -> Result:
        text = text.strip()
        if st.data.text or not text:
            return st.again(ctx, (HAS_MESSAGE if st.data.text else NOTHING_TYPED).format(
                what=what, choices=choice_list(choices_of(ctx, st))))
        if len(text) > MAX_TEXT:
            raise UserFacingError(_too_long(text))
        unsure = ambiguity(text, choices_of(ctx, st))  # "ทุกคน": a part of two choices, not a message
        if unsure:
            return st.again(ctx, unsure)
        return st.again(ctx, TYPED_ASIDE.format(what=what, quote=snippet(text, 60)), typed=text)
    return on_text


def _too_long(text: str) -> str:
    return (f"ข้อความยาว {len(text):,} ตัวอักษร เกิน {MAX_TEXT:,} ตัวอักษรค่ะ "
            "ลองย่อให้สั้นลง หรือใส่รายละเอียดเป็นปุ่มลิงก์นะคะ")


def _toggle(items: list[str], item: str) -> list[str]:
    return [i for i in items if i != item] if item in items else items + [item]


def _tick(on: bool) -> str:
    return "✓ " if on else ""


# -- audience ----------------------------------------------------------------------------------------
def audience_choices(ctx: Ctx, st: St) -> list[Choice]:
    kinds = st.data.kinds
    out = [Choice(f"k:{k}", _tick(k in kinds) + label, KIND_WORDS[k], label) for k, label in KIND_LABELS.items()]
    out.insert(2, Choice("wg", _tick("work_groups" in kinds) + "เลือกกลุ่มงาน", ("กลุ่มงาน", "เลือกกลุ่ม"),
                         "เลือกกลุ่มงาน"))
    if kinds:
        out.insert(0, Choice("next", "ถัดไป ▶", ("ถัดไป", "ต่อไป", "ไปต่อ", "ต่อ", "เสร็จ", "เสร็จแล้ว"), "ถัดไป"))
    return out + _keep(st)


def audience_prompt(ctx: Ctx, st: St) -> Result:
    """Step 1: the audience kinds as toggles (✓ when chosen), "ถัดไป" once one is chosen."""
    text = ("📢 สร้างประกาศ ขั้นที่ 1/3: เลือกผู้รับค่ะ (เลือกได้หลายกลุ่ม กดซ้ำเพื่อเอาออก)\n"
            f"เลือกแล้ว: {audience_text(st.data.audience, ctx.content)}\n"
            "\"ผู้ติดตามทุกคน\" ส่งถึงทุกคนที่เพิ่มบอทเป็นเพื่อน จึงเลือกคู่กับกลุ่มอื่นไม่ได้")
    if st.data.text:
        text += f"\nข้อความ: {snippet(st.data.text, 60)}"
    return Result.text(text, _buttons(st, audience_choices(ctx, st)))


def audience_chosen(ctx: Ctx, st: St, value: str) -> Result:
    d = st.data
    if value.startswith("k:"):
        kind = value[2:]
        kinds = _toggle(d.kinds, kind)
        if kind == "followers" and "followers" in kinds:  # every friend: nothing else with it
            return st.again(ctx, kinds=["followers"], groups=[])
        return st.again(ctx, kinds=[k for k in kinds if k != "followers"])
    if value == "wg":
        return st.goto(ctx, "groups")
    if value == "keep":
        return st.again(ctx, f"ใช้ข้อความที่พิมพ์มาเป็นประกาศแล้วค่ะ: {snippet(d.typed, 60)}", text=d.typed, typed="")
    if value == "next":
        return st.goto(ctx, "options" if d.text else "message")
    return st.again(ctx)


# -- work groups --------------------------------------------------------------------------------------
def groups_choices(ctx: Ctx, st: St) -> list[Choice]:
    chosen = st.data.groups
    return [Choice("done", "เสร็จ ▶", ("เสร็จ", "เสร็จแล้ว", "เรียบร้อย", "ตกลง", "ถัดไป"), "เสร็จ")] + [
        Choice(f"g:{g.id}", _tick(g.id in chosen) + directory.short_label(g), (g.name, g.id, *g.aliases), g.name)
        for g in directory.work_groups(ctx.content)]


def groups_prompt(ctx: Ctx, st: St) -> Result:
    """The work-group picker: every work group as a toggle (11 fit LINE's 13 quick replies)."""
    chosen = st.data.groups
    names = ", ".join(directory.group_name(ctx.content, g) for g in chosen) or "ยังไม่ได้เลือก"
    buttons = st.choice_buttons(groups_choices(ctx, st))
    return Result.text(f"เลือกกลุ่มงานที่จะส่งถึงค่ะ (กดซ้ำเพื่อเอาออก)\nเลือกแล้ว: {names}",
                       buttons[:12] + [directory.cancel_button()])


def groups_chosen(ctx: Ctx, st: St, value: str) -> Result:
    if value.startswith("g:"):
        known = {g.id for g in directory.work_groups(ctx.content)}
        return st.again(ctx, groups=[g for g in _toggle(st.data.groups, value[2:]) if g in known])
    kinds = [k for k in st.data.kinds if k != "work_groups"]
    if st.data.groups:
        kinds = [k for k in kinds if k != "followers"] + ["work_groups"]
    return st.goto(ctx, "audience", kinds=kinds)


# -- message ------------------------------------------------------------------------------------------
def message_choices(ctx: Ctx, st: St) -> list[Choice]:
    if st.data.text:  # editing: the old text stays unless a new one is typed
        return [Choice("options", "◀ ไม่แก้ข้อความ", ("ไม่แก้", "ใช้ข้อความเดิม", *BACK_WORDS), "ไม่แก้ข้อความ")]
    return _keep(st) + [Choice("audience", "◀ กลับไปเลือกผู้รับ", BACK_WORDS, "กลับไปเลือกผู้รับ")]


def message_prompt(ctx: Ctx, st: St) -> Result:
    """Step 2: ask for the announcement's text (or, editing, its new text)."""
    if st.data.text:
        text = (f"พิมพ์หรือวางข้อความประกาศใหม่ได้เลยค่ะ (ไม่เกิน {MAX_TEXT:,} ตัวอักษร)\n"
                f"ข้อความเดิม: {snippet(st.data.text, 80)}")
    else:
        text = f"ขั้นที่ 2/3: พิมพ์หรือวางข้อความประกาศได้เลยค่ะ (ไม่เกิน {MAX_TEXT:,} ตัวอักษร)"
        if st.data.typed:
            text += f"\nหรือกด \"ใช้ข้อความนี้\" เพื่อใช้ข้อความที่พิมพ์มา: {snippet(st.data.typed, 60)}"
    return Result.text(text, _buttons(st, message_choices(ctx, st)))


def message_chosen(ctx: Ctx, st: St, value: str) -> Result:
    if value == "keep":
        return st.goto(ctx, "options", text=st.data.typed, typed="")
    return st.goto(ctx, value)


def message_typed(ctx: Ctx, st: St, text: str) -> Result:
    text = text.strip()
    if not text:
        raise UserFacingError("ข้อความว่างอยู่ค่ะ พิมพ์ข้อความประกาศได้เลยนะคะ")
    if len(text) > MAX_TEXT:
        raise UserFacingError(_too_long(text))
    return st.goto(ctx, "options", "แก้ข้อความแล้วค่ะ" if st.data.text else "", text=text, typed="")


# -- options ------------------------------------------------------------------------------------------
def options_choices(ctx: Ctx, st: St) -> list[Choice]:
    d = st.data
    out = [Choice("preview", "ดูตัวอย่าง ▶", ("ตัวอย่าง", "ดูตัวอย่าง", "พรีวิว", "ถัดไป", "ต่อไป"), "ดูตัวอย่าง"),
           Choice("ack", "ไม่ต้องกดรับทราบ" if d.ack else "ขอให้กดรับทราบ",
                  ("ไม่ขอรับทราบ", "ไม่ต้องรับทราบ") if d.ack else ("ขอรับทราบ", "ให้กดรับทราบ", "กดรับทราบ")),
           Choice("image", "ใส่รูปภาพ", ("รูป", "รูปภาพ", "ใส่รูป", "เพิ่มรูป", "แก้รูป")),
           Choice("link", "ใส่ปุ่มลิงก์", ("ลิงก์", "ลิงค์", "ปุ่มลิงก์", "ใส่ลิงก์", "เพิ่มลิงก์", "ใส่ลิงค์"))]
    out.append(Choice("schedule", "เปลี่ยนเวลาส่ง" if d.at else "ตั้งเวลาส่ง", ("ตั้งเวลา", "ตั้งเวลาส่ง", "เปลี่ยนเวลา")))
    if d.at:
        out.append(Choice("now", "ส่งทันที", ("ส่งทันทีเมื่อยืนยัน", "ไม่ตั้งเวลา")))
    return out + [Choice("edit", "✏️ แก้ข้อความ", ("แก้ข้อความ", "แก้ไขข้อความ", "เปลี่ยนข้อความ"), "แก้ข้อความ"),
                  Choice("audience", "◀ เปลี่ยนผู้รับ", ("เปลี่ยนผู้รับ", "เลือกผู้รับ", "ผู้รับ"), "เปลี่ยนผู้รับ")]


def options_prompt(ctx: Ctx, st: St) -> Result:
    """Step 3: the draft so far, with acknowledgement, image, link and send-time options."""
    d = st.data
    lines = ["ขั้นที่ 3/3: ตัวเลือกเพิ่มเติมค่ะ", f"ข้อความ: {snippet(d.text, 80)}",
             f"• ขอให้กดรับทราบ: {'ใช่' if d.ack else 'ไม่'}",
             f"• รูปภาพ: {d.image or 'ไม่มี'}",
             f"• ปุ่มลิงก์: {(d.link_label or 'เปิดลิงก์') + ' → ' + d.link_url if d.link_url else 'ไม่มี'}",
             f"• เวลาส่ง: {_when_text(d)}",
             "กด \"ดูตัวอย่าง\" เมื่อพร้อมค่ะ (แก้ข้อความได้ที่ปุ่ม \"แก้ข้อความ\" หรือพิมพ์วันเวลาเพื่อตั้งเวลาส่ง)"]
    return Result.text("\n".join(lines), _buttons(st, options_choices(ctx, st)))


def options_chosen(ctx: Ctx, st: St, value: str) -> Result:
    if value == "preview":
        return st.goto(ctx, "preview")
    if value == "ack":
        return st.again(ctx, ack=not st.data.ack)
    if value == "now":
        return st.again(ctx, "ส่งทันทีเมื่อยืนยันค่ะ", at="")
    if value == "edit":
        return st.goto(ctx, "message")
    return st.goto(ctx, value)  # image, link, schedule, audience


def options_typed(ctx: Ctx, st: St, text: str) -> Result:
    """At the options step typed text is a send time ("พรุ่งนี้ 08:30") or nothing: never the message."""
    when_text = _SCHEDULE_LEAD.sub("", text)
    if looks_like_datetime(when_text):
        try:
            when = parse_thai_datetime(when_text, ctx.now)
        except UserFacingError as err:
            return st.stay(Result.text(err.message + "\n(ข้อความประกาศยังเหมือนเดิมค่ะ)",
                                       _buttons(st, options_choices(ctx, st))))
        return st.again(ctx, f"ตั้งเวลาส่ง {thai_date(when)} แล้วค่ะ", at=when.isoformat())
    return st.again(ctx, OPTIONS_EXPECT.format(choices=choice_list(options_choices(ctx, st))))


# -- image, link, schedule ------------------------------------------------------------------------------
def _none_or_back(none_label: str) -> Any:
    def choices(ctx: Ctx, st: St) -> list[Choice]:
        return [Choice("none", none_label, NO_WORDS), Choice("back", "◀ กลับ", BACK_WORDS, "กลับ")]
    return choices


image_choices = _none_or_back("ไม่ใส่รูป")
link_choices = _none_or_back("ไม่ใส่ปุ่มลิงก์")


def image_prompt(ctx: Ctx, st: St) -> Result:
    return Result.text("ส่งลิงก์รูปภาพ (ขึ้นต้นด้วย https:// ไฟล์ .jpg หรือ .png) ได้เลยค่ะ หรือพิมพ์ \"ไม่ใส่\"",
                       _buttons(st, image_choices(ctx, st)))


def image_chosen(ctx: Ctx, st: St, value: str) -> Result:
    if value == "none":
        return st.goto(ctx, "options", "ไม่ใส่รูปภาพแล้วค่ะ", image="")
    return st.goto(ctx, "options")


def _bad_url(ctx: Ctx, st: St, err: BadUrl, choices: list[Choice]) -> Result:
    return st.stay(Result.text(err.message, err.quick_replies + _buttons(st, choices)))


def image_typed(ctx: Ctx, st: St, text: str) -> Result:
    try:
        url = image_url(text)
    except BadUrl as err:
        return _bad_url(ctx, st, err, image_choices(ctx, st))
    return st.goto(ctx, "options", "ใส่รูปภาพแล้วค่ะ (แสดงเต็มความกว้างเหนือหัวข้อประกาศ)", image=url)


def image_media(ctx: Ctx, st: St) -> Result:
    """A photo or file sent at the image step: how to add an image instead (a link)."""
    return st.stay(Result.text(IMAGE_AS_LINK + " หรือพิมพ์ \"ไม่ใส่\" ค่ะ", _buttons(st, image_choices(ctx, st))))


def media_elsewhere(ctx: Ctx, st: St) -> Result:
    """A photo or file sent at any other step: where an image goes."""
    return st.stay(Result.text(IMAGE_AS_LINK + " ที่ปุ่ม \"ใส่รูปภาพ\" ในขั้นตัวเลือกเพิ่มเติมค่ะ"))


def link_prompt(ctx: Ctx, st: St) -> Result:
    return Result.text("พิมพ์ชื่อปุ่มตามด้วยลิงก์ค่ะ เช่น \"ดาวน์โหลดหนังสือ https://www.example.go.th/doc.pdf\" "
                       "(ชื่อปุ่มไม่เกิน 20 ตัวอักษร) หรือพิมพ์ \"ไม่ใส่\"", _buttons(st, link_choices(ctx, st)))


def link_chosen(ctx: Ctx, st: St, value: str) -> Result:
    if value == "none":
        return st.goto(ctx, "options", "ไม่ใส่ปุ่มลิงก์แล้วค่ะ", link_label="", link_url="")
    return st.goto(ctx, "options")


def link_typed(ctx: Ctx, st: St, text: str) -> Result:
    try:
        label, url = link(text)
    except BadUrl as err:
        return _bad_url(ctx, st, err, link_choices(ctx, st))
    return st.goto(ctx, "options", "ใส่ปุ่มลิงก์แล้วค่ะ", link_label=label, link_url=url)


def schedule_choices(ctx: Ctx, st: St) -> list[Choice]:
    return ([Choice(f"at:{v}", v) for v in SCHEDULE_CHOICES]
            + [Choice("now", "ส่งทันที", ("ส่งทันทีเมื่อยืนยัน", "ไม่ตั้งเวลา")), Choice("back", "◀ กลับ", BACK_WORDS, "กลับ")])


def schedule_prompt(ctx: Ctx, st: St) -> Result:
    return Result.text(f"จะให้ส่งเมื่อไหร่คะ พิมพ์วันและเวลาได้เลย {DATETIME_EXAMPLE}",
                       _buttons(st, schedule_choices(ctx, st)))


def schedule_typed(ctx: Ctx, st: St, text: str) -> Result:
    try:
        when = parse_thai_datetime(_SCHEDULE_LEAD.sub("", text), ctx.now)
    except UserFacingError as err:
        return st.stay(Result.text(err.message, _buttons(st, schedule_choices(ctx, st))))
    return st.goto(ctx, "options", f"ตั้งเวลาส่ง {thai_date(when)} แล้วค่ะ", at=when.isoformat())


def schedule_chosen(ctx: Ctx, st: St, value: str) -> Result:
    if value.startswith("at:"):
        # typed text that merely resembles a suggestion ("พรุ่งนี้ 08:10" ~ "พรุ่งนี้ 08:00") is read as typed
        return schedule_typed(ctx, st, _typed(ctx) or value[3:])
    if value == "now":
        return st.goto(ctx, "options", "ส่งทันทีเมื่อยืนยันค่ะ", at="")
    return st.goto(ctx, "options")


# -- preview and confirm ---------------------------------------------------------------------------------
def _count_of(ctx: Ctx):
    return ctx.line.group_member_count if ctx.line is not None else None


def preview_choices(ctx: Ctx, st: St, empty: bool | None = None) -> list[Choice]:
    confirm = "✅ ยืนยันตั้งเวลา" if st.data.at else "✅ ยืนยันส่งเลย"
    out = [Choice("edit", "✏️ แก้ไข", ("แก้ไข", "แก้", "ตัวเลือก"), "แก้ไข"),
           Choice("audience", "◀ เปลี่ยนผู้รับ", ("เปลี่ยนผู้รับ", "เลือกผู้รับ", "ผู้รับ"), "เปลี่ยนผู้รับ"),
           Choice("text", "แก้ข้อความ", ("แก้ข้อความ", "แก้ไขข้อความ", "เปลี่ยนข้อความ"))]
    if not empty:
        out.insert(0, Choice("ok", confirm, ("ยืนยัน", "ยืนยันส่ง", "ยืนยันส่งเลย", "ส่งเลย", "ยืนยันตั้งเวลา",
                                             "ตกลงส่ง", "ส่ง"), confirm.removeprefix("✅ ")))
    return out


def _preview_buttons(st: St, choices: list[Choice]) -> list[Button]:
    return _buttons(st, [c for c in choices if c.value != "text"])  # "แก้ข้อความ" is typed only


def preview_prompt(ctx: Ctx, st: St) -> Result:
    """The card as recipients will see it, and who it reaches, what it costs, the quota."""
    d = st.data
    reach = broadcasts.resolve(ctx.session, d.audience, _count_of(ctx))
    quota, usage = (ctx.line.quota(), ctx.line.usage()) if ctx.line is not None else (None, None)
    summary = reach_summary(reach, audience_text(d.audience, ctx.content), quota, usage, d.ack, _when_text(d))
    return Result([announcement_card(d.draft, PREVIEW_ID), TextReply(summary)],
                  _preview_buttons(st, preview_choices(ctx, st, reach.empty)))


def preview_typed(ctx: Ctx, st: St, text: str) -> Result:
    """Typed text that names no choice at the preview: the choices again (the preview is not redrawn)."""
    choices = [c for c in preview_choices(ctx, st) if c.value != "text"]
    return st.stay(Result.text(PREVIEW_EXPECT.format(choices=choice_list(choices)), _preview_buttons(st, choices)))


def preview_chosen(ctx: Ctx, st: St, value: str) -> Result:
    if value == "ok":
        return confirm(ctx, st)
    return st.goto(ctx, {"edit": "options", "text": "message"}.get(value, value))


def confirm(ctx: Ctx, st: St) -> Result:
    """Create the broadcast (`actions.compose_and_send`): sent now (outbox rows in this transaction) or kept
    for its time; a time that has passed meanwhile goes back to the options."""
    d = st.data
    try:
        sent = actions.compose_and_send(ctx.session, ctx.actor, d.draft, d.audience, d.when, ctx.now, ctx.render,
                                        _count_of(ctx))
    except UserFacingError as err:  # the audience emptied, or the time passed, since the preview
        back = "audience" if err.message in (actions.NOBODY, actions.NO_AUDIENCE, actions.NO_GROUPS) else "options"
        return st.goto(ctx, back, err.message)
    bc, who = sent.broadcast, audience_text(d.audience, ctx.content)
    if sent.scheduled:
        return st.end(Result.text(f"🕗 ตั้งเวลาส่งประกาศ #{bc.id} ถึง {who} ไว้ {thai_date(bc.scheduled_at)} แล้วค่ะ",
                                  [acks.cancel_button(bc.id), acks.list_button()]))
    return st.end(Result.text(f"📤 กำลังส่งประกาศ #{bc.id} ถึง {who} ค่ะ จะส่งรายงานผลให้เมื่อส่งครบนะคะ",
                              [acks.list_button()]))


# -- the declaration -------------------------------------------------------------------------------------
def _admin(fn):
    """`fn` checked against the policy first: whoever is no longer an admin stops here."""
    def checked(ctx: Ctx, *args):
        guard(ctx)
        return fn(ctx, *args)
    checked.__doc__ = fn.__doc__
    return checked


def _step(prompt, choices=None, on_choice=None, on_text=None, on_media=media_elsewhere, expects="") -> Step:
    return Step(prompt=prompt, choices=choices, on_choice=_admin(on_choice) if on_choice else None,
                on_text=_admin(on_text) if on_text else None, on_media=_admin(on_media), expects=expects)


FLOW: Flow[BroadcastData] = Flow("broadcast", BroadcastData, first="audience", steps={
    "audience": _step(audience_prompt, audience_choices, audience_chosen, _aside("ผู้รับ", audience_choices)),
    "groups": _step(groups_prompt, groups_choices, groups_chosen, _aside("กลุ่มงาน", groups_choices)),
    "message": _step(message_prompt, message_choices, message_chosen, message_typed),
    "options": _step(options_prompt, options_choices, options_chosen, options_typed),
    "image": _step(image_prompt, image_choices, image_chosen, image_typed, image_media),
    "link": _step(link_prompt, link_choices, link_chosen, link_typed),
    "schedule": _step(schedule_prompt, schedule_choices, schedule_chosen, schedule_typed),
    "preview": _step(preview_prompt, preview_choices, preview_chosen, preview_typed),
})


def start(ctx: Ctx, rest: str) -> Result:
    """"ประกาศ": start a broadcast; "ประกาศ <ข้อความ>" on one line gives the message up front (as typed,
    particles kept). Typed while writing one, the whole line goes to the current step instead."""
    guard(ctx)
    typed = ctx.inp.text.strip()
    message = ""
    for word in COMMAND_WORDS:
        if rest and command_rest(typed, word) is not None:
            message = typed[len(word):].strip(" !:,;-\n")
            break
    if len(message) > MAX_TEXT:
        raise UserFacingError(_too_long(message))
    return FLOW.begin(ctx, note="ได้ข้อความแล้วค่ะ เลือกผู้รับก่อนนะคะ" if message else "", text=message)


def on_postback(ctx: Ctx, payload: dict[str, Any]) -> Result:
    """Postback "bc": "x" (cancel a scheduled broadcast) or "rm" (remind). The steps of an older release
    used "bc" too; such a button is answered as expired."""
    guard(ctx)
    op = payload.get("o")
    if op in acks.ADMIN_OPS:
        return acks.ADMIN_OPS[op](ctx, payload)
    raise UserFacingError(EXPIRED if "s" in payload else postback.EXPIRED)


COMMAND_WORDS = ("สร้างประกาศ", "ประกาศ")
# admin work happens 1:1, and "รับทราบ" alone is ordinary group talk: none of these is bare in a group
COMMANDS = [Command(COMMAND_WORDS, start, bare_in_group=False), *acks.COMMANDS]
POSTBACKS = {"bc": on_postback, **acks.POSTBACKS}
FLOWS = (FLOW,)
EVENTS: dict = {}
