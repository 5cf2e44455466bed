"""Admin chat commands that hand out progress files: "ส่งออก SAR" (signed links to the Word and Excel
draft) and "กราฟความคืบหน้า" (the progress chart as an image message). Admins, in a 1:1 chat.

The office's progress is read in the event's transaction (`handlers.evidence.reporting.build_progress`);
the files are drawn and written by `ctx.exports` (`bot.files.Exports`, local disk, no network) in the
Result's `after_commit`, so a second of matplotlib or python-docx never holds the database.
"""
from __future__ import annotations

from datetime import datetime

from handlers.core import policy
from handlers.core.routing import Command
from handlers.core.thaidate import thai_date
from handlers.core.types import (Button, Card, Ctx, Exports, MessageAction, Result, Section, TextReply, UriAction,
                                 UserFacingError)
from handlers.evidence.progress import OfficeProgress
from handlers.evidence.reporting import build_progress
from handlers.evidence.sar import percent

NO_LINKS = ("ยังสร้างลิงก์ดาวน์โหลดไม่ได้ค่ะ 🙏 ต้องตั้งค่า PUBLIC_BASE_URL (ที่อยู่ HTTPS ของบอท) ก่อน "
            "ระหว่างนี้ใช้คำสั่ง flask sar export --out โฟลเดอร์ บนเครื่องเซิร์ฟเวอร์ได้ค่ะ")
NOTHING = "ยังไม่มีรายการที่ต้องรายงานในรอบนี้ค่ะ"


def _ready(ctx: Ctx) -> tuple[Exports, OfficeProgress]:
    policy.require(ctx, "evidence.export")
    if ctx.exports is None:
        raise UserFacingError(NO_LINKS)
    progress = build_progress(ctx.session, ctx.content, None, office_name=ctx.settings.office_name, now=ctx.now)
    if not progress.total:
        raise UserFacingError(NOTHING)
    return ctx.exports, progress


def _summary(progress: OfficeProgress) -> str:
    return (f"{progress.round.name}: มีหลักฐานแล้ว {progress.done} จาก {progress.total} รายการ "
            f"({percent(progress.done, progress.total)}%)")


def export_sar(ctx: Ctx, rest: str = "") -> Result:
    """"ส่งออก SAR": the latest SAR round's draft as Word and Excel, with signed links (24 hours)."""
    exports, progress = _ready(ctx)
    return Result(after_commit=lambda: _sar_links(exports, progress, ctx.now))


def _sar_links(exports: Exports, progress: OfficeProgress, now: datetime) -> Result:
    files = exports.sar_files(progress, now)
    expires = min(x for _, _, x in files)
    card = Card(label="ร่างรายงาน SAR", title=progress.office_name,
                sections=(Section("ความคืบหน้า", (_summary(progress), f"ข้อมูล ณ {thai_date(progress.as_of)}")),
                          Section("ลิงก์ดาวน์โหลด", tuple(f"{name}\n{url}" for name, url, _ in files))),
                buttons=tuple(Button(f"ดาวน์โหลด {'Word' if name.endswith('.docx') else 'Excel'}", UriAction(url))
                              for name, url, _ in files),
                footnote=f"ลิงก์ใช้ได้ถึง {thai_date(expires)} ค่ะ หมดอายุแล้วพิมพ์ \"ส่งออก SAR\" ใหม่ได้เลยนะคะ",
                alt_text=f"ร่างรายงาน SAR พร้อมดาวน์โหลดแล้วค่ะ ({_summary(progress)})")
    return Result([card], [Button("กราฟความคืบหน้า", MessageAction("กราฟความคืบหน้า"))])


def progress_chart(ctx: Ctx, rest: str = "") -> Result:
    """"กราฟความคืบหน้า": the chart by standard and by work group as an image message (link: 1 hour)."""
    exports, progress = _ready(ctx)
    return Result(after_commit=lambda: _chart(exports, progress, ctx.now))


def _chart(exports: Exports, progress: OfficeProgress, now: datetime) -> Result:
    image = exports.chart_image(progress, now)
    return Result([TextReply(f"ความคืบหน้า {_summary(progress)} ค่ะ 📊"), image],
                  [Button("ส่งออก SAR", MessageAction("ส่งออก SAR"))])


COMMANDS = [
    Command(("ส่งออก SAR", "ส่งออกSAR", "ส่งออก sar", "export sar"), export_sar, bare_in_group=False),
    Command(("กราฟความคืบหน้า", "กราฟ ความคืบหน้า"), progress_chart, bare_in_group=False),
]
POSTBACKS: dict = {}
EVENTS: dict = {}
