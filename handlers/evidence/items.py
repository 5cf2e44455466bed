"""The items evidence is judged on, as the content defines them, grouped by standard and indicator.

- criteria of the five standards: key "criterion:1.1.5" (code "1.1.5");
- PMQA items of criterion 1.1.4: key "pmqa_item:1.4" (code "PMQA 1.4"), under indicator 1.1;
- the 2557 edition's considerations (seed 003, only ข้อ 2 and 4 exist in the source): key "c2557:2",
  under indicator 1.1, where its rubric applies;
- Strategy-5 issue 5.3's two items and the two extra conditions of its level 4 (seed 002): keys
  "s5:5.3.1", "s5:5.3.2", "s5:5.3.a1", "s5:5.3.a2", under indicator 1.2 (issue 5.3 = standard 1
  indicator 2).
A round's kind and scope choose among them (`in_round`): a PMQA round has the PMQA items only; the
others have everything else; a scope narrows to standards, indicators or Strategy-5 issues (their
mapped indicators).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from content.codes import parse_codes
from content.model import Content
from handlers.standards.rubrics import text_of

ALL = "all"


@dataclass(frozen=True)
class Item:
    """One reportable item: content `key`, the `code` people type, `title`, where it sits (standard,
    indicator), `kind` (criterion, pmqa_item, c2557, s5) and its responsible work groups."""

    key: str
    code: str
    title: str
    standard: str
    indicator: str
    kind: str
    main_groups: tuple[str, ...]
    co_groups: tuple[str, ...]
    supervisors: tuple[str, ...] = ()  # the indicator's reviewers beside the admins (`content.model.Indicator`)

    @property
    def label(self) -> str:
        return {"criterion": f"เกณฑ์ {self.code}", "pmqa_item": f"PMQA ข้อ {self.code}",
                "c2557": f"ประเด็นการพิจารณาที่ {self.code.split('.')[-1]} (มาตรฐาน พ.ศ.2557)",
                "s5": f"กลยุทธ์ที่ 5 ประเด็น {self.code}"}[self.kind]


def _strategy_items(content: Content, ind) -> list[Item]:
    ref = content.references.get("strategy5")
    out: list[Item] = []
    for issue in (ref.data.get("issues") or []) if ref else []:
        maps = issue.get("maps_to") or {}
        if not isinstance(maps, dict) or str(maps.get("indicator")) != ind.code or not issue.get("details"):
            continue
        groups = tuple(dict.fromkeys(g for c in ind.criteria for g in c.main_groups)) or ("all",)
        for d in issue["details"]:
            out.append(Item(f"s5:{issue['code']}.{d['code']}", f"{issue['code']}.{d['code']}", text_of(d["text"]),
                            ind.standard_code, ind.code, "s5", groups, ()))
        rubric = issue.get("rubric") or {}
        extras = next((lv.get("also_requires") for lv in rubric.get("levels") or [] if lv.get("also_requires")), [])
        for n, text in enumerate(extras, start=1):
            out.append(Item(f"s5:{issue['code']}.a{n}", f"{issue['code']}.a{n}", text_of(text), ind.standard_code,
                            ind.code, "s5", groups, ()))
    return out


def _considerations(content: Content, ind) -> list[Item]:
    ref = content.references.get("standards_2557")
    if not ref or str((ref.data.get("indicator") or {}).get("code")) != ind.code:
        return []
    groups = ("all",)
    return [Item(f"c2557:{c['code']}", f"2557.{c['code']}", text_of(c["text"]), ind.standard_code, ind.code,
                 "c2557", groups, ()) for c in ref.data.get("considerations") or []]


_CACHE: dict[int, tuple[Content, tuple[Item, ...], dict[str, Item]]] = {}


def _catalog(content: Content) -> tuple[Item, ...]:
    hit = _CACHE.get(id(content))
    if hit is None or hit[0] is not content:
        built = _build(content)
        hit = _CACHE[id(content)] = (content, built, {i.key: i for i in built})
    return hit[1]


def _build(content: Content) -> tuple[Item, ...]:
    out: list[Item] = []
    for std in content.standards:
        for ind in std.indicators:
            start = len(out)
            for c in ind.criteria:
                out.append(Item(c.key, c.code, str(c.title), std.code, ind.code, "criterion", c.main_groups,
                                c.co_groups))
                for cat in c.pmqa_categories:
                    for p in cat.items:
                        out.append(Item(p.key, p.code, str(p.text), std.code, ind.code, "pmqa_item",
                                        p.main_groups or c.main_groups, p.co_groups or c.co_groups))
            out.extend(_considerations(content, ind))
            out.extend(_strategy_items(content, ind))
            if ind.supervisors:
                out[start:] = [replace(i, supervisors=ind.supervisors) for i in out[start:]]
    return tuple(out)


def catalog(content: Content) -> tuple[Item, ...]:
    """Every reportable item of the content, in content order."""
    return _catalog(content)


def by_key(content: Content, key: str) -> Item | None:
    _catalog(content)
    return _CACHE[id(content)][2].get(key)


def issue_indicators(content: Content, issues: list[str]) -> set[str]:
    """Indicator codes that Strategy-5 `issues` map to (5.3 → 1.2)."""
    ref = content.references.get("strategy5")
    out = set()
    for issue in (ref.data.get("issues") or []) if ref else []:
        maps = issue.get("maps_to") or {}
        if str(issue.get("code")) in issues and isinstance(maps, dict) and maps.get("indicator"):
            out.add(str(maps["indicator"]))
    return out


def in_round(content: Content, kind: str, scope: dict | None) -> list[Item]:
    """The items a round of `kind` with `scope` covers, in content order."""
    items = [i for i in _catalog(content) if (i.kind == "pmqa_item") == (kind == "pmqa")]
    scope = scope or {ALL: True}
    if kind == "strategy" and scope.get(ALL):
        scope = {"issues": ["5.3", "5.4", "5.5", "5.6"]}
    if scope.get(ALL):
        return items
    stds = set(scope.get("standards") or [])
    inds = set(scope.get("indicators") or []) | issue_indicators(content, list(scope.get("issues") or []))
    return [i for i in items if i.standard in stds or i.indicator in inds]


def find(content: Content, text: str) -> Item | None:
    """The item a typed code names: "1.1.5", "เกณฑ์ 1.1.5", "PMQA 1.4" / "หมวด 1 ข้อ 1.4", Strategy-5
    "5.3.1" / "5.3.a1", a 2557 consideration "ประเด็นการพิจารณา 2" / "2557.2"; None when it names no
    reportable item."""
    t = text.strip()
    squeezed = re.sub(r"\s+", "", t)
    m = re.fullmatch(r"(?:กลยุทธ์(?:ที่)?5)?(?:ประเด็น(?:ที่)?)?(\d\.\d)\.(a?\d)", squeezed, re.IGNORECASE)
    if m and by_key(content, f"s5:{m[1]}.{m[2].lower()}"):
        return by_key(content, f"s5:{m[1]}.{m[2].lower()}")
    m = re.fullmatch(r"(?:2557\.|(?:มาตรฐาน(?:พ\.ศ\.)?2557)?ประเด็นการพิจารณา(?:ที่)?)(\d)", squeezed)
    if m:
        return by_key(content, f"c2557:{m[1]}")
    low = t.lower()
    if low.startswith("pmqa"):
        t = "หมวด " + t[4:].strip()
    refs = parse_codes(t)
    for ref in refs:
        if ref.kind == "criterion":
            key = f"criterion:{ref.code}"
            hit = by_key(content, key) or by_key(content, f"s5:{ref.code}")
            if hit:
                return hit
        if ref.kind == "pmqa_item":
            hit = by_key(content, f"pmqa_item:{ref.code}")
            if hit:
                return hit
    return None
