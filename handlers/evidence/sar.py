"""The SAR draft's content as plain rows: what the Word and Excel writers (`bot.sar_export`) and the
progress chart (`bot.charts`) print, computed once from an `OfficeProgress` and the content's group names.

No files, no session: `sar_draft(progress, group_name)` returns a `SarDraft`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from handlers.core.thaidate import thai_date
from handlers.evidence.progress import (DONE, STATUS_NAMES, STATUSES, IndicatorProgress, ItemProgress,
                                        OfficeProgress)

NO_RUBRIC = "ไม่มีเกณฑ์ระดับคุณภาพในเอกสารต้นทาง"
NO_LEVEL_YET = "ยังไม่ถึงระดับ 1"
TITLE = "รายงานการประเมินตนเอง (SAR) ฉบับร่าง"
ALL_GROUPS = "all"


def percent(done: int, total: int) -> int:
    """`done` of `total` as a whole percentage (0 when there is nothing to do)."""
    return round(100 * done / total) if total else 0


def level_text(ind: IndicatorProgress) -> str:
    """The indicator's quality level as the SAR states it: "ระดับ 3 จาก 5 (ขาดหลักฐานอีก …)", the source's
    gap ("… ไม่มีระดับ 5 ในเอกสารต้นทาง"), or that the sources give no rubric."""
    if ind.level is None:
        return ind.rubric_note or NO_RUBRIC
    lv = ind.level
    head = f"ระดับ {lv.level} จาก {lv.max_level}" if lv.level is not None else NO_LEVEL_YET
    extra = [x for x in (lv.next_step, lv.gap) if x]
    return f"{head} ({'; '.join(extra)})" if extra else head


@dataclass(frozen=True)
class SarItem:
    """One item's row: code, title, Thai status, evidence (links and file names), notes, groups, who/when."""

    code: str
    title: str
    status: str
    status_name: str
    links: tuple[str, ...]
    file_names: tuple[str, ...]
    notes: str
    main_groups: str
    co_groups: str
    updated_by: str
    updated_at: datetime | None  # UTC

    @property
    def evidence(self) -> str:
        """Links and file names, one per line ("-" when there is none)."""
        return "\n".join((*self.links, *(f"ไฟล์: {n}" for n in self.file_names))) or "-"


@dataclass(frozen=True)
class SarIndicator:
    code: str
    title: str
    done: int
    total: int
    level: str
    items: tuple[SarItem, ...]


@dataclass(frozen=True)
class SarStandard:
    code: str
    title: str
    done: int
    total: int
    gap: str
    indicators: tuple[SarIndicator, ...]


@dataclass(frozen=True)
class SarDraft:
    """The whole draft: heading facts (office, round, dates in Buddhist Era) and the standards."""

    office_name: str
    round_name: str
    fiscal_year: int  # Buddhist Era
    due_at: datetime | None  # UTC
    as_of: datetime  # UTC
    done: int
    total: int
    standards: tuple[SarStandard, ...]

    @property
    def date_text(self) -> str:
        """The date of the draft, e.g. "5 มีนาคม 2570" (Asia/Bangkok, Buddhist Era)."""
        return thai_date(self.as_of, short=False, time=False)

    @property
    def due_text(self) -> str:
        return thai_date(self.due_at, short=False) if self.due_at else "ยังไม่กำหนด"

    def items(self):
        """(standard, indicator, item) for every item, in document order."""
        for s in self.standards:
            for ind in s.indicators:
                for item in ind.items:
                    yield s, ind, item


def group_names(ids: tuple[str, ...], group_name: Callable[[str], str]) -> str:
    """Thai names of work-group `ids`, comma-separated ("-" when none)."""
    return ", ".join(group_name(g) for g in ids) or "-"


def _item(item: ItemProgress, group_name: Callable[[str], str]) -> SarItem:
    notes = "\n".join(x for x in (f"เหตุที่ต้องแก้ไข: {item.reason}" if item.reason else "", item.note) if x)
    return SarItem(item.code, item.title, item.status, STATUS_NAMES.get(item.status, item.status), item.links,
                   tuple(f.name for f in item.files), notes or "-", group_names(item.main_groups, group_name),
                   group_names(item.co_groups, group_name), item.updated_by, item.updated_at)


def sar_draft(progress: OfficeProgress, group_name: Callable[[str], str]) -> SarDraft:
    """The SAR draft of `progress`; `group_name(id)` gives a work group's Thai name (e.g.
    `lambda g: content.group(g).name`; unknown ids should come back as they are)."""
    standards = tuple(
        SarStandard(s.code, s.title, s.done, s.total, s.gap, tuple(
            SarIndicator(ind.code, ind.title, ind.done, ind.total, level_text(ind),
                         tuple(_item(i, group_name) for i in ind.items))
            for ind in s.indicators))
        for s in progress.standards)
    r = progress.round
    return SarDraft(progress.office_name, r.name, r.fiscal_year, r.due_at, progress.as_of, progress.done,
                    progress.total, standards)


def status_counts(items) -> dict[str, int]:
    """How many of `items` (ItemProgress) are in each status, every status present (in STATUSES order)."""
    counts = dict.fromkeys(STATUSES, 0)
    for i in items:
        counts[i.status] = counts.get(i.status, 0) + 1
    return counts


def by_group_status(progress: OfficeProgress) -> dict[str, dict[str, int]]:
    """Status counts per work group id, each item counted for its main and co-responsible groups
    (as `OfficeProgress.by_group`)."""
    out: dict[str, list[ItemProgress]] = {}
    for s in progress.standards:
        for ind in s.indicators:
            for item in ind.items:
                for g in dict.fromkeys(item.main_groups + item.co_groups):
                    out.setdefault(g, []).append(item)
    return {g: status_counts(items) for g, items in out.items()}


def done_of(counts: dict[str, int]) -> int:
    return sum(n for st, n in counts.items() if st in DONE)
