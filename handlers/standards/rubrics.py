"""Quality-level rubrics (ระดับคุณภาพ) that apply to an indicator, from the reference sources.

- Seed 002 (OBEC Strategy 5, FY 2556) maps issues to indicators (5.3 → indicator 1.2, …) and gives
  levels 1–4 (level 5 is missing from the file): `content/strategy5.yaml`.
- Seed 003 (standards of 2557) gives standard 1 indicator 1 a 5-level rubric by the number of
  considerations with clear evidence: `content/standards_2557.yaml`; shown for indicator 1.1.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from content.model import Content

EDITION_2557_INDICATOR = "1.1"


@dataclass(frozen=True)
class Rubric:
    """A rubric ready to show: `heading`, one line per level (best first), and the `gap` if any."""

    heading: str
    lines: tuple[str, ...]
    gap: str | None = None


def text_of(value: Any) -> str:
    """Display text of a YAML text value (string or {verbatim, display})."""
    if isinstance(value, dict):
        return str(value.get("display") or value.get("verbatim") or "")
    return "" if value is None else str(value)


def _common_prefix(texts: list[str]) -> str:
    """The words every text starts with (cut at a space, so no word is split)."""
    if len(texts) < 2:
        return ""
    prefix = texts[0]
    for t in texts[1:]:
        while not t.startswith(prefix):
            prefix = prefix[:-1]
    return prefix[: prefix.rfind(" ") + 1] if " " in prefix else ""


def _levels(levels: list[dict], gap: str | None) -> tuple[str, ...]:
    """One line per level, best first; wording all levels share is said once on top."""
    ordered = sorted(levels, key=lambda lv: -int(lv["level"]))
    texts = [" ".join(text_of(lv.get("description")).split()) for lv in ordered]
    shared = _common_prefix(texts)
    lines = [shared.strip() + " …"] if shared else []
    lines += [f"ระดับ {lv['level']}: {t[len(shared):]}" for lv, t in zip(ordered, texts)]
    if gap:
        lines.append(f"⚠ {gap}")
    return tuple(lines)


def strategy_issue_for(content: Content, indicator_code: str) -> dict | None:
    """The Strategy-5 issue mapped to `indicator_code` (e.g. "1.2" → issue 5.3), or None."""
    ref = content.references.get("strategy5")
    for issue in (ref.data.get("issues") or []) if ref else []:
        maps = issue.get("maps_to") or {}
        if isinstance(maps, dict) and str(maps.get("indicator")) == indicator_code:
            return issue
    return None


def issue_rubric(content: Content, issue: dict) -> Rubric | None:
    """The rubric seed 002 gives for `issue` (its own, else the form's shared one)."""
    ref = content.references["strategy5"]
    rubric = issue.get("rubric") or ref.data.get("rubric")
    if not rubric or not rubric.get("levels"):
        return None
    return Rubric(f"ระดับคุณภาพ (กลยุทธ์ที่ 5 ประเด็น {issue['code']})",
                  _levels(rubric["levels"], rubric.get("gap") or ref.data.get("rubric_gap")), rubric.get("gap"))


def edition_2557_rubric(content: Content) -> Rubric | None:
    """The 5-level rubric of the 2557 edition (standard 1, indicator 1)."""
    ref = content.references.get("standards_2557")
    rubric = ref.data.get("rubric") if ref else None
    if not rubric or not rubric.get("levels"):
        return None
    lines = _levels(rubric["levels"], rubric.get("gap"))
    basis = text_of(rubric.get("basis"))
    return Rubric("ระดับคุณภาพ (มาตรฐาน พ.ศ.2557)", ((basis,) if basis else ()) + lines)


def for_indicator(content: Content, indicator_code: str) -> Rubric | None:
    """The rubric to show with `indicator_code` and its criteria, or None when the sources give none."""
    issue = strategy_issue_for(content, indicator_code)
    if issue:
        return issue_rubric(content, issue)
    if indicator_code == EDITION_2557_INDICATOR:
        return edition_2557_rubric(content)
    return None
