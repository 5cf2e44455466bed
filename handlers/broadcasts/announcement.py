"""What an announcement looks like, as plain handler replies: the card recipients get (also the preview,
and the reminder), the audience in words, the reach-and-cost summary, and the author's delivery report.

Pure functions: the preview in `handlers.broadcasts.compose` and the outbox rows (rendered through `Ctx.render`
or, in the scheduled job, `bot.render.as_dicts`) both use `recipients_see`, so the admin previews
exactly what recipients will see.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from content.model import Content
from handlers.core import postback
from handlers.members.directory import group_name
from handlers.core.thaidate import thai_date
from handlers.core.types import (Button, Card, MessageAction, PostbackAction, Result, Section, TextReply, UriAction,
                                 UserFacingError)
from storage.broadcasts import parts

MAX_TEXT = 2000        # characters of an announcement
TITLE_MAX = 120        # a longer first line is not used as the title
SECTION_MAX = 600      # bot.render clips a card section here, so the text is split into sections of this size
PREVIEW_ID = 0         # the broadcast id on the preview's buttons (pressing it there says it is a preview)
KIND_NAMES = {"all_staff": "บุคลากรทั้งหมด", "all_schools": "สถานศึกษาทั้งหมด", "work_groups": "กลุ่มงาน",
              "chat_groups": "กลุ่มไลน์ที่ผูกไว้", "followers": "ผู้ติดตามบอททุกคน"}
STATUS_NAMES = {"scheduled": "ตั้งเวลาไว้", "sending": "กำลังส่ง", "sent": "ส่งแล้ว", "cancelled": "ยกเลิกแล้ว"}
ACK_NOTE = "กรุณากดปุ่ม \"รับทราบ\" เพื่อยืนยันว่าได้อ่านประกาศนี้แล้วค่ะ"
OFFLINE_QUOTA = "ไม่ทราบโควตา (โหมดออฟไลน์ หรือติดต่อ LINE ไม่ได้)"
URL_MAX = 1000         # characters of an image or link URL
LINK_LABEL_MAX = 20    # LINE cuts a button label at 20 characters
IMAGE_EXAMPLE = "https://www.example.go.th/poster.jpg"
LINK_EXAMPLE = "ดาวน์โหลดหนังสือ https://www.example.go.th/doc.pdf"
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
# a web address typed without its scheme: "www.obec.go.th/doc.pdf", "obec.go.th"
_BARE_URL = re.compile(r"(?<![\w@/.:])((?:www\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[/?#]\S*)?)",
                       re.IGNORECASE)


@dataclass(frozen=True)
class Draft:
    """An announcement's content: `text`, optional https `image_url`, link button (`link_label`,
    `link_url`), and whether it asks for an acknowledgement."""

    text: str
    image_url: str | None = None
    link_label: str | None = None
    link_url: str | None = None
    ack_required: bool = False

    @classmethod
    def of(cls, bc: Any) -> "Draft":
        """The draft of a `storage.models.Broadcast` row."""
        return cls(bc.text, bc.image_url, bc.link_label, bc.link_url, bool(bc.ack_required))


def _chunks(text: str, limit: int = SECTION_MAX) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at line breaks (or spaces) where possible."""
    out, rest = [], text.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else rest.rfind(" ", 0, limit)
        cut = cut if cut > limit // 2 else limit
        out.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    return out + ([rest] if rest else [])


class BadUrl(UserFacingError):
    """An image or link URL we cannot use; `fixed` is the whole input with the address made https://
    (offered as a one-tap reply), or None."""

    def __init__(self, message: str, fixed: str | None = None) -> None:
        super().__init__(message, [Button("ใช้ลิงก์ https://", MessageAction(fixed))] if fixed else [])
        self.fixed = fixed


def _with_https(text: str, address: str) -> str:
    """`text` with `address` (no scheme, or http://) written as https://."""
    return text.replace(address, "https://" + re.sub(r"^https?://", "", address, flags=re.IGNORECASE), 1)


def image_url(text: str) -> str:
    """`text` as an announcement image URL (https, no spaces, ≤ `URL_MAX`); raises `BadUrl` saying what
    to type, with the https:// form of an address typed without it ("www.obec.go.th/a.jpg")."""
    text = text.strip()
    if re.fullmatch(r"https://[^\s/]+\.[^\s]{2,}", text, re.IGNORECASE) and len(text) <= URL_MAX:
        return text
    if re.match(r"http://", text, re.IGNORECASE):
        fixed = _with_https(text, text)
        raise BadUrl(f"ลิงก์รูปภาพต้องขึ้นต้นด้วย https:// (ไม่ใช่ http://) ค่ะ ลองใช้ \"{fixed}\" "
                     "ถ้าเว็บไซต์เปิดแบบ https ได้นะคะ", fixed)
    bare = _BARE_URL.fullmatch(text)
    if bare:
        fixed = _with_https(text, text)
        raise BadUrl(f"ลิงก์รูปภาพต้องขึ้นต้นด้วย https:// ค่ะ หมายถึง \"{fixed}\" ใช่ไหมคะ "
                     "กดปุ่มด้านล่างเพื่อใช้ลิงก์นี้ หรือพิมพ์ใหม่ได้ค่ะ", fixed)
    raise BadUrl("ลิงก์รูปภาพต้องขึ้นต้นด้วย https:// และไม่มีช่องว่างค่ะ เช่น "
                 f"{IMAGE_EXAMPLE} (พิมพ์ \"ไม่ใส่\" ถ้าไม่ต้องการรูป)")


def link(text: str) -> tuple[str, str]:
    """(button label, https URL) of "ชื่อปุ่ม https://…" (the label may be empty: "เปิดลิงก์" is used);
    raises `BadUrl` saying what to type, with the https:// form of an address typed without it."""
    text = text.strip()
    m = _URL.search(text)
    if m is None:
        bare = _BARE_URL.search(text)
        if bare:
            fixed = _with_https(text, bare.group(1))
            raise BadUrl(f"ลิงก์ต้องขึ้นต้นด้วย https:// ค่ะ หมายถึง \"{fixed}\" ใช่ไหมคะ "
                         "กดปุ่มด้านล่างเพื่อใช้ลิงก์นี้ หรือพิมพ์ใหม่ได้ค่ะ", fixed)
        raise BadUrl(f"พิมพ์ชื่อปุ่ม (ไม่เกิน {LINK_LABEL_MAX} ตัวอักษร) ตามด้วยลิงก์ที่ขึ้นต้นด้วย https:// ค่ะ "
                     f"เช่น \"{LINK_EXAMPLE}\"")
    url = m.group(0)
    if url.lower().startswith("http://"):
        fixed = _with_https(text, url)
        raise BadUrl(f"ลิงก์ต้องขึ้นต้นด้วย https:// (ไม่ใช่ http://) ค่ะ ลองใช้ \"{fixed}\" "
                     "ถ้าเว็บไซต์เปิดแบบ https ได้นะคะ", fixed)
    label = (text[:m.start()] + text[m.end():]).strip()
    if len(url) > URL_MAX:
        raise BadUrl(f"ลิงก์ยาวเกิน {URL_MAX:,} ตัวอักษรค่ะ ลองใช้ลิงก์ที่สั้นลงนะคะ")
    if len(label) > LINK_LABEL_MAX:
        raise BadUrl(f"ชื่อปุ่มยาว {len(label)} ตัวอักษร เกิน {LINK_LABEL_MAX} ตัวอักษรค่ะ "
                     f"ลองตั้งชื่อสั้น ๆ เช่น \"{LINK_EXAMPLE}\"")
    return label or "เปิดลิงก์", url


def check(draft: Draft) -> Draft:
    """`draft` when it can be sent: text present and ≤ `MAX_TEXT`, https image and link; raises
    `UserFacingError` (Thai) saying what is wrong. Every caller (chat, `flask broadcast send`) checks here."""
    text = draft.text.strip()
    if not text:
        raise UserFacingError("ข้อความประกาศว่างอยู่ค่ะ พิมพ์ข้อความประกาศก่อนนะคะ")
    if len(text) > MAX_TEXT:
        raise UserFacingError(f"ข้อความยาว {len(text):,} ตัวอักษร เกิน {MAX_TEXT:,} ตัวอักษรค่ะ "
                              "ลองย่อให้สั้นลง หรือใส่รายละเอียดเป็นปุ่มลิงก์นะคะ")
    if draft.image_url:
        image_url(draft.image_url)
    if draft.link_url:
        link(f"{draft.link_label or ''} {draft.link_url}")
    return draft


def ack_button(broadcast_id: int) -> Button:
    """The "รับทราบ" button of broadcast `broadcast_id`."""
    return Button("รับทราบ", PostbackAction(postback.encode("ack", b=broadcast_id), "รับทราบ"))


def recipients_see(bc: Any, reminder: bool = False) -> list[Card]:
    """What recipients of broadcast `bc` (a `storage.models.Broadcast`) get, as handler replies; the
    outbox stores them rendered (`Ctx.render`, `bot.render.as_dicts`)."""
    return [announcement_card(Draft.of(bc), bc.id, reminder=reminder)]


def announcement_card(draft: Draft, broadcast_id: int, reminder: bool = False) -> Card:
    """The card recipients get: the first line as title when short, the text in sections, then buttons
    (รับทราบ if asked, the link); the image, if any, above the title. `reminder` heads it as a reminder to acknowledge."""
    lines = draft.text.strip().splitlines() or [""]
    title, body = ("ประกาศ", draft.text) if len(lines[0]) > TITLE_MAX else (lines[0], "\n".join(lines[1:]))
    sections = tuple(Section("รายละเอียด" if i == 0 else "รายละเอียด (ต่อ)", (chunk,))
                     for i, chunk in enumerate(_chunks(body)))
    buttons = []
    if draft.ack_required:
        buttons.append(ack_button(broadcast_id))
    if draft.link_url:
        buttons.append(Button(draft.link_label or "เปิดลิงก์", UriAction(draft.link_url)))
    label = "🔔 เตือน: ประกาศที่ยังไม่ได้กดรับทราบ" if reminder else "📢 ประกาศ"
    return Card(label=label, title=title, sections=sections, buttons=tuple(buttons),
                alt_text=f"{label}: {draft.text.strip()}"[:400], footnote=ACK_NOTE if draft.ack_required else "",
                image_url=draft.image_url or "")


def audience_text(audience: dict[str, Any], content: Content) -> str:
    """The audience in Thai, e.g. "บุคลากรทั้งหมด + กลุ่มงาน: กลุ่มอำนวยการ, กลุ่มนโยบายและแผน"."""
    names = []
    for part in parts(audience):
        if part["kind"] == "work_groups":
            names.append("กลุ่มงาน: " + ", ".join(group_name(content, g) for g in part.get("groups", [])))
        else:
            names.append(KIND_NAMES[part["kind"]])
    return " + ".join(names) or "ยังไม่ได้เลือก"


def quota_line(quota: int | None, usage: int | None, cost: int) -> str:
    """The month's quota in words, warning when `cost` does not fit (`quota` None = unlimited or unknown)."""
    if quota is None and usage is None:
        return f"โควตา: {OFFLINE_QUOTA}"
    if quota is None:
        return f"โควตา: ไม่จำกัด (เดือนนี้ใช้ไปแล้ว {usage:,} ข้อความ)"
    if usage is None:
        return f"โควตาเดือนนี้ {quota:,} ข้อความ (ไม่ทราบยอดที่ใช้ไป)"
    left = max(quota - usage, 0)
    line = f"โควตาเดือนนี้: ใช้ไปแล้ว {usage:,} จาก {quota:,} ข้อความ (เหลือ {left:,})"
    return line + ("\n⚠ โควตาที่เหลือไม่พอสำหรับประกาศนี้ ผู้รับบางส่วนจะไม่ได้รับค่ะ" if cost > left else "")


def reach_summary(reach: Any, audience: str, quota: int | None, usage: int | None, ack: bool,
                  when: str) -> str:
    """The preview's summary: who it reaches (`reach`: `storage.broadcasts.Reach`), the LINE messages it
    uses, the quota, acknowledgement and send time (`when`, already in words)."""
    lines = ["👆 ด้านบนคือสิ่งที่ผู้รับจะเห็นค่ะ", f"ผู้รับ: {audience}"]
    if reach.users:
        lines.append(f"• ส่งตรงถึง {len(reach.users):,} คน (ส่ง {reach.multicasts:,} รอบ รอบละไม่เกิน 500 คน)")
    if reach.chats:
        people = sum(reach.chat_cost(c) for c in reach.chats)
        lines.append(f"• กลุ่มไลน์ {len(reach.chats):,} กลุ่ม สมาชิกรวม {people:,} คน")
        if reach.unknown_counts:
            lines.append(f"  ⚠ ยังไม่ทราบจำนวนสมาชิก {reach.unknown_counts:,} กลุ่ม จึงนับเฉพาะสมาชิกที่บอทรู้จัก "
                         "ค่าใช้จริงอาจมากกว่านี้ค่ะ")
    if reach.followers:
        lines.append(f"• ผู้ติดตามบอททุกคน (LINE ไม่แจ้งจำนวนล่วงหน้า บอทรู้จัก {reach.known_followers:,} คน)")
    if reach.empty:
        lines.append("⚠ ยังไม่มีผู้รับในกลุ่มที่เลือกค่ะ")
    cost = reach.cost()
    lines.append(f"ใช้ข้อความ LINE {'อย่างน้อย ' if reach.followers else ''}{cost:,} ข้อความ"
                 + (" (ส่งเข้ากลุ่มไลน์คิดตามจำนวนสมาชิก)" if reach.chats else ""))
    lines.append(quota_line(quota, usage, cost))
    lines.append(f"ขอให้กดรับทราบ: {'ใช่' if ack else 'ไม่'}")
    lines.append(f"เวลาส่ง: {when}")
    return "\n".join(lines)


def snippet(text: str, limit: int = 60) -> str:
    """The start of an announcement in quotes, for lists and reports."""
    flat = " ".join(text.split())
    return f"“{flat if len(flat) <= limit else flat[:limit - 1] + '…'}”"


def ack_report_button(broadcast_id: int, label: str = "ดูผลรับทราบ") -> Button:
    """A button that shows who has acknowledged broadcast `broadcast_id`."""
    return Button(label, PostbackAction(postback.encode("ackrep", b=broadcast_id), label))


def delivery_report(bc: Any, audience: str) -> Result:
    """The author's delivery report of a finished broadcast (`bc.report` holds sent/failed/rows/cost)."""
    report = bc.report or {}
    planned = report.get("planned", {})
    lines = [f"📊 รายงานการส่งประกาศ #{bc.id}", snippet(bc.text), f"ผู้รับ: {audience}",
             f"ส่งสำเร็จ {report.get('sent', 0):,} จาก {report.get('rows', 0):,} รายการ"]
    if report.get("failed"):
        lines.append(f"⚠ ไม่สำเร็จ {report['failed']:,} รายการ (ผู้ดูแลระบบได้รับแจ้งรายละเอียดแล้ว)")
    reach = []
    if planned.get("users"):
        reach.append(f"{planned['users']:,} คน")
    if planned.get("chats"):
        reach.append(f"กลุ่มไลน์ {planned['chats']:,} กลุ่ม")
    if planned.get("followers"):
        reach.append("ผู้ติดตามทุกคน")
    if reach:
        lines.append("ส่งถึง " + " และ ".join(reach))
    lines.append(f"ใช้ข้อความ LINE {report.get('cost', 0):,} ข้อความ")
    if bc.sent_at:
        lines.append(f"ส่งเสร็จเมื่อ {thai_date(bc.sent_at)}")
    buttons = [ack_report_button(bc.id)] if bc.ack_required else []
    return Result([TextReply("\n".join(lines))], buttons)
