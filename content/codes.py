"""Parse the codes staff type for standards items, in every form they type them.

Examples (all map to the same thing as LINE staff write them): ``ตัวบ่งชี้ที่ ๑.๒``, ``ตบช. 1.2``,
``ตัวบงชี้1.2`` → indicator 1.2; ``มฐ.2`` → standard 2; ``เกณฑ์ 1.1.5``, ``1.1.5`` → criterion 1.1.5;
``มาตรฐาน 1 ตัวบ่งชี้ 2`` → indicator 1.2; ``หมวด 3`` → PMQA category 3; ``ประเด็นที่ 5.3`` →
Strategy-5 issue 5.3. Parsing happens before any fuzzy matching (`content.search`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from content.thai import LOOSE_MARKS, normalize

_STD = r"(?:มาตรฐาน|มาตฐาน|มฐ\.?|ม\.ฐ\.?|std\.?)"
_IND = r"(?:ตัวบงชี|ตัวบงชิ|ตัวบ่งชี|ตวบงชี|ตบช\.?|ต\.บ\.ช\.?|ตชบ\.?|indicator)"
_CRIT = r"(?:เกณฑการประเมิน|เกณฑการประเมน|เกณฑ|เกณท|เกนฑ|เกณ|criterion|criteria)"
_CAT = r"(?:หมวด|หมวก)"
_ISSUE = r"(?:ประเดน(?!การพิจารณา))"
_THI = r"\s*(?:ที\s*)?"
_NUM = r"(\d{1,2}(?:\s*\.\s*\d{1,2}){0,2})"


@dataclass(frozen=True)
class CodeRef:
    """A parsed code: `kind` is standard, indicator, criterion, pmqa_category, pmqa_item or issue."""

    kind: str
    code: str


def _num(s: str) -> str:
    return re.sub(r"\s+", "", s).strip(".")


def _code_form(text: str) -> str:
    return normalize(text).translate(LOOSE_MARKS)


def parse_codes(text: str) -> list[CodeRef]:
    """All codes in `text`, most specific first; `[]` when the text names none."""
    t = _code_form(text)
    refs: list[CodeRef] = []

    # "มาตรฐาน 1 ตัวบ่งชี้ 2 (เกณฑ์ 3)" and "ตัวบ่งชี้ 1.2 เกณฑ์ 3"
    m = re.search(_STD + _THI + r"(\d)\s*" + _IND + _THI + r"(\d)(?:\s*" + _CRIT + _THI + r"(\d{1,2}))?", t)
    if m:
        code = f"{m[1]}.{m[2]}" + (f".{m[3]}" if m[3] else "")
        refs.append(CodeRef("criterion" if m[3] else "indicator", code))
    m = re.search(_IND + _THI + r"(\d\s*\.\s*\d)\s*" + _CRIT + _THI + r"(\d{1,2})", t)
    if m:
        refs.append(CodeRef("criterion", f"{_num(m[1])}.{m[2]}"))
    m = re.search(_CAT + _THI + r"\d\s*(?:ขอ|ประเดน)\s*(?:ที\s*)?(\d\s*\.\s*\d{1,2})", t)  # "หมวด 2 ข้อ 2.12"
    if m:
        refs.append(CodeRef("pmqa_item", _num(m[1])))
    if refs:
        return refs[:1]

    for kw, kind in ((_CAT, "pmqa_category"), (_ISSUE, "issue"), (_CRIT, "criterion"), (_IND, "indicator"),
                     (_STD, "standard")):
        for m in re.finditer(kw + _THI + _NUM, t):
            num = _num(m[1])
            parts = num.count(".") + 1
            if kind == "pmqa_category" and parts == 2:
                refs.append(CodeRef("pmqa_item", num))
            elif kind == "issue":
                refs.append(CodeRef("issue", num))
            elif parts == 3:
                refs.append(CodeRef("criterion", num))
            elif parts == 2 and kind in ("indicator", "criterion", "standard"):
                refs.append(CodeRef("indicator" if kind != "criterion" else "criterion_suffix", num))
            elif parts == 1:
                refs.append(CodeRef({"pmqa_category": "pmqa_category", "criterion": "criterion_suffix",
                                     "indicator": "indicator_suffix", "standard": "standard"}[kind], num))

    if not refs:  # bare codes: "5.2.4", "2.1"
        for m in re.finditer(r"(?<![\d.])(\d(?:\s*\.\s*\d{1,2}){1,2})(?![\d.])", t):
            num = _num(m[1])
            refs.append(CodeRef("criterion" if num.count(".") == 2 else "indicator", num))
        if not refs and re.fullmatch(r"\d", t):
            refs.append(CodeRef("standard", t))

    # "เกณฑ์ที่ 4 ของตัวบ่งชี้ 3.1"
    suffix = next((r for r in refs if r.kind == "criterion_suffix" and "." not in r.code), None)
    indicator = next((r for r in refs if r.kind == "indicator"), None)
    if suffix and indicator and not any(r.kind == "criterion" for r in refs):
        return [CodeRef("criterion", f"{indicator.code}.{suffix.code}")]

    seen, out = set(), []
    for r in refs:
        if r not in seen:
            seen.add(r)
            out.append(r)
    return out
