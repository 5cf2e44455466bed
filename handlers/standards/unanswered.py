"""Admins' view of the questions the bot could not answer with confidence, and what it showed instead,
so the content team can add synonyms."""
from __future__ import annotations

from datetime import timedelta

from handlers.core.thaidate import thai_date
from handlers.core import policy
from handlers.standards.lookup import HIT_LABELS
from handlers.core.routing import Command
from handlers.core.types import Ctx, Result
from storage import queries

NONE_YET = "ยังไม่มีคำถามที่บอทตอบไม่ได้ในช่วง {days} วันที่ผ่านมาค่ะ 👍"
WINDOW_DAYS = 30


OUTCOMES = {"nothing": "ตอบว่าไม่พบ", "suggested": "เสนอให้เลือก", "answered": "ตอบโดยไม่มั่นใจ"}


def shown_text(ctx: Ctx, row: queries.UnansweredSummary) -> str:
    """What the bot showed for `row`, in Thai: the outcome, the items by their short labels, the score."""
    labels = []
    for key in row.shown:
        hit = ctx.index.by_key.get(key)
        labels.append(HIT_LABELS.get(hit.kind, "{code}").format(code=hit.code) if hit else key)
    text = OUTCOMES.get(row.outcome, row.outcome) + (": " + ", ".join(labels) if labels else "")
    return text + (f" (คะแนน {row.score:.0f})" if row.score is not None else "")


def report(ctx: Ctx, rest: str = "") -> Result:
    """The 10 most frequent unanswered questions of the last 30 days and what the bot showed the last
    time each was asked (admins only)."""
    policy.require(ctx, "unanswered.view")
    rows = queries.top_unanswered(ctx.session, ctx.now - timedelta(days=WINDOW_DAYS))
    if not rows:
        return Result.text(NONE_YET.format(days=WINDOW_DAYS))
    lines = [f"คำถามที่บอทตอบไม่ได้บ่อยที่สุด ({WINDOW_DAYS} วันล่าสุด)"]
    for i, row in enumerate(rows, 1):
        lines.append(f"{i}. \"{row.text[:80]}\" — {row.count} ครั้ง, ล่าสุด {thai_date(row.last)}")
        lines.append(f"   บอท{shown_text(ctx, row)}")
    lines.append("เพิ่มคำพ้องได้ที่ content/synonyms.yaml ค่ะ")
    return Result.text("\n".join(lines))


COMMANDS = [Command(("คำถามที่ตอบไม่ได้", "คำถามที่ไม่มีคำตอบ", "unanswered"), report, bare_in_group=False)]
POSTBACKS: dict = {}
FLOWS: dict = {}
EVENTS: dict = {}
