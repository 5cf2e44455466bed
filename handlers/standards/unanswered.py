"""Admins' view of the questions the bot could not answer, so the content team can add synonyms."""
from __future__ import annotations

from datetime import timedelta

from handlers.core.thaidate import thai_date
from handlers.core import policy
from handlers.core.types import Ctx, Result
from storage import queries

NONE_YET = "ยังไม่มีคำถามที่บอทตอบไม่ได้ในช่วง {days} วันที่ผ่านมาค่ะ 👍"
WINDOW_DAYS = 30


def report(ctx: Ctx, rest: str = "") -> Result:
    """The 10 most frequent unanswered questions of the last 30 days (admins only)."""
    policy.require(ctx, "unanswered.view")
    rows = queries.top_unanswered(ctx.session, ctx.now - timedelta(days=WINDOW_DAYS))
    if not rows:
        return Result.text(NONE_YET.format(days=WINDOW_DAYS))
    lines = [f"คำถามที่บอทตอบไม่ได้บ่อยที่สุด ({WINDOW_DAYS} วันล่าสุด)"]
    for i, (text, count, last) in enumerate(rows, 1):
        lines.append(f"{i}. \"{text[:80]}\" — {count} ครั้ง, ล่าสุด {thai_date(last)}")
    lines.append("เพิ่มคำพ้องได้ที่ content/synonyms.yaml ค่ะ")
    return Result.text("\n".join(lines))


COMMANDS = {"คำถามที่ตอบไม่ได้": report, "คำถามที่ไม่มีคำตอบ": report, "unanswered": report}
POSTBACKS: dict = {}
FLOWS: dict = {}
EVENTS: dict = {}
