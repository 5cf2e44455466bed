"""Quality levels (ระดับคุณภาพ) from evidence statuses: one small function per rubric kind.

The rubric data stays in content/ (`standards_2557.yaml` `rubric`, `strategy5.yaml` issue 5.3's `rubric`);
these functions read its numbers and apply them to counts of statuses.

- `level_2557` (seed 003, standard 1 indicator 1): every level needs all 6 considerations carried out;
  then 5 = clear evidence for all 6, 4 = 5, 3 = 4, 2 = 3, 1 = fewer than 3. The source lists only two of
  the six considerations (ข้อ 2 and 4), so the other four cannot be reported: `gap` says so.
- `level_strategy5` (seed 002, issue 5.3 = indicator 1.2): both items carried out; 1 = no evidence,
  2 = evidence unclear for all, 3 = unclear for some, 4 = clear for all plus the two extra conditions.
  Level 5 is missing from the source: `gap` says so. How statuses read: ยังไม่เริ่ม = not carried out;
  กำลังดำเนินการ = carried out, no evidence yet; ต้องแก้ไข = evidence unclear; มีหลักฐานแล้ว / ตรวจแล้ว = clear.
"""
from __future__ import annotations

from typing import Sequence

from content.model import Content
from handlers.evidence.progress import DONE, NEEDS_FIX, NOT_STARTED, Level

NO_RUBRIC = "ไม่มีเกณฑ์ระดับคุณภาพในเอกสารต้นทาง จึงแสดงเฉพาะความคืบหน้า"
MISSING_2557 = ("เอกสารต้นฉบับ (003) แสดงประเด็นการพิจารณาเพียง {listed} จาก {total} ข้อ ({codes}) "
                "ไม่มีข้อ {missing} จึงรายงานข้อเหล่านั้นไม่ได้")


def _rubric_2557(content: Content) -> dict:
    ref = content.references.get("standards_2557")
    return (ref.data.get("rubric") or {}) if ref else {}


def level_2557(clear: int, carried_out: int, rubric: dict, gap: str = "") -> Level:
    """The 2557 level from the number of considerations `carried_out` (any status but ยังไม่เริ่ม) and
    those with `clear` evidence, by `rubric` (content's `standards_2557.rubric`). None until all
    `considerations_total` are carried out. `gap` (what the source lacks) is passed through."""
    total = int(rubric.get("considerations_total") or 6)
    levels = sorted(rubric.get("levels") or [], key=lambda lv: -int(lv["level"]))
    top = int(levels[0]["level"]) if levels else 5
    if carried_out < total:
        return Level(None, top, f"ต้องดำเนินการให้ครบ {total} ประเด็นก่อน (ขาดอีก {total - carried_out} ประเด็น) "
                                f"จึงจะได้ระดับ 1", gap)
    reached = None
    for lv in levels:
        low, high = int(lv.get("min_clear_evidence") or 0), lv.get("max_clear_evidence")
        if clear >= low and (high is None or clear <= int(high)):
            reached = int(lv["level"])
            break
    if reached is None or reached >= top:
        return Level(reached, top, "", gap)
    need = next(int(lv.get("min_clear_evidence") or 0) for lv in levels if int(lv["level"]) == reached + 1)
    return Level(reached, top, f"ขาดหลักฐานอีก {need - clear} ประเด็นเพื่อขึ้นระดับ {reached + 1}", gap)


def gap_2557(content: Content) -> str:
    """What seed 003 lacks for its rubric: the considerations it does not list (and the rubric's gap)."""
    ref = content.references.get("standards_2557")
    if not ref:
        return ""
    listed = [str(c["code"]) for c in ref.data.get("considerations") or []]
    total = int((ref.data.get("considerations_count") or {}).get("count") or 6)
    missing = [str(n) for n in range(1, total + 1) if str(n) not in listed]
    text = MISSING_2557.format(listed=len(listed), total=total, codes=", ".join(f"ข้อ {c}" for c in listed),
                               missing=", ".join(missing)) if missing else ""
    return text


def _strategy_rubric(content: Content, issue_code: str = "5.3") -> tuple[dict, str]:
    ref = content.references.get("strategy5")
    for issue in (ref.data.get("issues") or []) if ref else []:
        if str(issue.get("code")) == issue_code and issue.get("rubric"):
            rubric = issue["rubric"]
            return rubric, str(rubric.get("gap") or ref.data.get("rubric_gap") or "")
    return {}, ""


def level_strategy5(items: Sequence[str], extras: Sequence[str], rubric: dict, gap: str = "") -> Level:
    """The Strategy-5 level from the statuses of the issue's `items` (its details) and of the level-4
    `extras` (also_requires), by `rubric` (levels 1–4 of content's issue 5.3). See the module docstring
    for how statuses read; `gap` (level 5 missing) is passed through."""
    levels = {int(lv["level"]): lv for lv in rubric.get("levels") or []}
    top = max(levels) if levels else 4
    need = int(next(iter(levels.values())).get("items_done") or len(items)) if levels else len(items)
    started = sum(s != NOT_STARTED for s in items)
    if started < need or not items:
        return Level(None, top, f"ต้องดำเนินการให้ครบทั้ง {need} ข้อ (ขาดอีก {need - started} ข้อ) จึงจะได้ระดับ 1",
                     gap)
    clear = sum(s in DONE for s in items)
    unclear = sum(s == NEEDS_FIX for s in items)
    if clear == len(items):
        missing = sum(s not in DONE for s in extras)
        if missing == 0:
            return Level(top, top, "", gap)
        return Level(3, top, f"ขาดหลักฐานอีก {missing} เงื่อนไขเพื่อขึ้นระดับ 4", gap)
    if clear:
        return Level(3, top, f"ขาดหลักฐานที่ชัดเจนอีก {len(items) - clear} ข้อ และอีก "
                             f"{sum(s not in DONE for s in extras)} เงื่อนไขเพื่อขึ้นระดับ 4", gap)
    if unclear:
        return Level(2, top, "ต้องมีหลักฐานที่ชัดเจนอย่างน้อย 1 ข้อเพื่อขึ้นระดับ 3", gap)
    return Level(1, top, "ต้องมีร่องรอยหลักฐานเพื่อขึ้นระดับ 2", gap)


def for_indicator(content: Content, indicator: str, status_of: dict[str, str]) -> tuple[Level | None, str]:
    """(level, rubric note) of `indicator` given item statuses by key; (None, NO_RUBRIC) without a rubric."""
    if indicator == "1.1" and _rubric_2557(content):
        ref = content.references["standards_2557"]
        codes = [str(c["code"]) for c in ref.data.get("considerations") or []]
        sts = [status_of.get(f"c2557:{c}", NOT_STARTED) for c in codes]
        gap = " ".join(g for g in (gap_2557(content), str(_rubric_2557(content).get("gap") or "")) if g)
        return (level_2557(sum(s in DONE for s in sts), sum(s != NOT_STARTED for s in sts),
                           _rubric_2557(content), gap), "เกณฑ์ระดับคุณภาพ มาตรฐาน พ.ศ.2557 (เอกสาร 003)")
    if indicator == "1.2":
        rubric, gap = _strategy_rubric(content)
        if rubric:
            details = [status_of.get(f"s5:5.3.{n}", NOT_STARTED) for n in ("1", "2")]
            extras = [status_of.get(f"s5:5.3.a{n}", NOT_STARTED) for n in ("1", "2")]
            return level_strategy5(details, extras, rubric, gap), "เกณฑ์ระดับคุณภาพ กลยุทธ์ที่ 5 ประเด็น 5.3 (เอกสาร 002)"
    return None, NO_RUBRIC
