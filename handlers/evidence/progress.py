"""The shape of a round's progress, as the cards, the charts and the SAR export read it.

Built by the evidence code from the database and the content (one function, `office_progress`, lives
beside the reporting code); read by `handlers.evidence.cards`, `bot.charts` and the SAR export. Plain
frozen data: no session, no SDK.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Evidence statuses, in the order work goes (issue: ยังไม่เริ่ม, กำลังดำเนินการ, มีหลักฐานแล้ว, ต้องแก้ไข, ตรวจแล้ว)
NOT_STARTED, IN_PROGRESS, HAS_EVIDENCE, NEEDS_FIX, VERIFIED = (
    "not_started", "in_progress", "has_evidence", "needs_fix", "verified")
STATUSES = (NOT_STARTED, IN_PROGRESS, HAS_EVIDENCE, NEEDS_FIX, VERIFIED)
STATUS_NAMES = {NOT_STARTED: "ยังไม่เริ่ม", IN_PROGRESS: "กำลังดำเนินการ", HAS_EVIDENCE: "มีหลักฐานแล้ว",
                NEEDS_FIX: "ต้องแก้ไข", VERIFIED: "ตรวจแล้ว"}
DONE = frozenset({HAS_EVIDENCE, VERIFIED})  # counts as "has clear evidence" for progress and rubrics


@dataclass(frozen=True)
class EvidenceFile:
    """A file kept with an item: its original `name`, where it is stored (`path`, relative to the
    evidence folder), `size` in bytes and MIME `content_type`."""

    name: str
    path: str
    size: int
    content_type: str


@dataclass(frozen=True)
class ItemProgress:
    """One item evidence is judged on (a criterion, PMQA item, 2557 consideration, Strategy-5 item):
    its content `key` ("criterion:1.1.5"), `code`, `title`, `status` (one of STATUSES), the latest note,
    reason (for NEEDS_FIX), links and files, who updated it last and when (UTC), and its responsible
    work groups (ids of content/groups.yaml)."""

    key: str
    code: str
    title: str
    status: str
    main_groups: tuple[str, ...]
    co_groups: tuple[str, ...]
    note: str = ""
    reason: str = ""
    links: tuple[str, ...] = ()
    files: tuple[EvidenceFile, ...] = ()
    updated_by: str = ""  # a display name, not a LINE user ID
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Level:
    """A computed quality level (ระดับคุณภาพ): `level` (None when none is reached yet), the rubric's
    `max_level`, what is missing for the next level in Thai ("ขาดหลักฐานอีก 1 ประเด็นเพื่อขึ้นระดับ 5"),
    and `gap` when the source's rubric is incomplete (seed 002 has no level 5)."""

    level: int | None
    max_level: int
    next_step: str = ""
    gap: str = ""


@dataclass(frozen=True)
class IndicatorProgress:
    """An indicator's items and their count; `level` is None when the sources give no rubric for it."""

    code: str
    title: str
    items: tuple[ItemProgress, ...]
    level: Level | None = None
    rubric_note: str = ""  # e.g. "ไม่มีเกณฑ์ระดับคุณภาพในเอกสารต้นทาง"

    @property
    def done(self) -> int:
        return sum(i.status in DONE for i in self.items)

    @property
    def total(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class StandardProgress:
    """A standard's indicators (none when the sources give none: `gap` says so)."""

    code: str
    title: str
    indicators: tuple[IndicatorProgress, ...]
    gap: str = ""

    @property
    def done(self) -> int:
        return sum(i.done for i in self.indicators)

    @property
    def total(self) -> int:
        return sum(i.total for i in self.indicators)


@dataclass(frozen=True)
class RoundInfo:
    """A reporting round as shown: id, name, kind, fiscal year (Buddhist Era), due (UTC), state."""

    id: int
    name: str
    kind: str
    fiscal_year: int
    due_at: datetime | None
    state: str


@dataclass(frozen=True)
class OfficeProgress:
    """The whole office's progress in one round: what the progress cards, charts and the SAR draft show.
    `office_name` is the office's name from the configuration; `as_of` is when it was computed (UTC)."""

    round: RoundInfo
    standards: tuple[StandardProgress, ...]
    office_name: str
    as_of: datetime

    @property
    def done(self) -> int:
        return sum(s.done for s in self.standards)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.standards)

    def items_of(self, group: str) -> list[ItemProgress]:
        """The items work group `group` answers for in this round: main or co-responsible, or an item
        of every group ("all"), in content order."""
        return [i for s in self.standards for ind in s.indicators for i in ind.items
                if group in i.main_groups or group in i.co_groups or "all" in i.main_groups]

    def missing_of(self, group: str) -> tuple[int, int]:
        """(items of `group` not yet มีหลักฐานแล้ว/ตรวจแล้ว, all its items) in this round."""
        mine = self.items_of(group)
        return sum(i.status not in DONE for i in mine), len(mine)

    def by_group(self) -> dict[str, tuple[int, int]]:
        """(done, total) per work group id, counting each item for its main and co-responsible groups."""
        out: dict[str, list[int]] = {}
        for s in self.standards:
            for ind in s.indicators:
                for item in ind.items:
                    for g in dict.fromkeys(item.main_groups + item.co_groups):
                        pair = out.setdefault(g, [0, 0])
                        pair[0] += item.status in DONE
                        pair[1] += 1
        return {g: (d, t) for g, (d, t) in out.items()}
