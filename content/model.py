"""Typed, immutable objects for the curated content (what `content.loader.load_content` returns).

Every item carries `source`, one or more seed references like ``000_058a880a3b66f3bf.txt:8-37``
(file name and 1-based inclusive line range in `../shared/seeds/`), and `gap`, a Thai sentence when the
seeds lack part of the item (None otherwise).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Text:
    """A Thai text as the seed has it (`verbatim`) and as we show it (`display`, cleaned of typos)."""

    verbatim: str
    display: str

    def __str__(self) -> str:
        return self.display


@dataclass(frozen=True)
class SourceRef:
    """A seed file and an inclusive 1-based line range."""

    file: str
    first: int
    last: int

    def __str__(self) -> str:
        return f"{self.file}:{self.first}-{self.last}"


@dataclass(frozen=True)
class Group:
    """One of the office's work groups (`id` as used everywhere, Thai `name`, `aliases` staff type)."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class PmqaItem:
    """A numbered item of a PMQA category (หมวด) under criterion 1.1.4, e.g. code ``"1.4"``."""

    code: str
    text: Text
    guidelines: tuple[Text, ...]
    operations: tuple[Text, ...]
    evidence: tuple[Text, ...]
    measure: Text | None
    main_groups: tuple[str, ...]
    co_groups: tuple[str, ...]
    source: tuple[SourceRef, ...]
    category_code: str = ""
    gap: str | None = None
    note: str | None = None
    evidence_note: str | None = None

    @property
    def key(self) -> str:
        return f"pmqa_item:{self.code}"

    @property
    def title(self) -> Text:
        return self.text


@dataclass(frozen=True)
class PmqaCategory:
    """A PMQA category (หมวด 1–6) of criterion 1.1.4 with its items."""

    code: str
    title: Text
    items: tuple[PmqaItem, ...]
    source: tuple[SourceRef, ...]
    measure: Text | None = None
    gap: str | None = None
    note: str | None = None

    @property
    def key(self) -> str:
        return f"pmqa:{self.code}"


@dataclass(frozen=True)
class Criterion:
    """A criterion (เกณฑ์การประเมิน), code like ``"2.1.3"``: what it requires and who is responsible."""

    code: str
    title: Text
    desired_state: Text | None
    guidelines: tuple[Text, ...]
    operations: tuple[Text, ...]
    evidence: tuple[Text, ...]
    measure: Text | None
    main_groups: tuple[str, ...]
    co_groups: tuple[str, ...]
    source: tuple[SourceRef, ...]
    gap: str | None = None
    note: str | None = None
    evidence_note: str | None = None
    pmqa_categories: tuple[PmqaCategory, ...] = ()

    @property
    def key(self) -> str:
        return f"criterion:{self.code}"

    @property
    def indicator_code(self) -> str:
        return self.code.rsplit(".", 1)[0]

    @property
    def standard_code(self) -> str:
        return self.code.split(".", 1)[0]


@dataclass(frozen=True)
class Indicator:
    """An indicator (ตัวบ่งชี้), code like ``"1.2"``, with its criteria as far as the seeds give them.
    `supervisors` are the work groups (ids of `content/groups.yaml`) whose staff may review its evidence
    (set ตรวจแล้ว / ต้องแก้ไข) beside the admins; the seeds name none, so it is empty unless an office adds
    `supervisors: [...]` to the indicator in `content/standards/N.yaml`."""

    code: str
    title: Text
    criteria: tuple[Criterion, ...]
    source: tuple[SourceRef, ...]
    gap: str | None = None
    supervisors: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"indicator:{self.code}"

    @property
    def standard_code(self) -> str:
        return self.code.split(".", 1)[0]


@dataclass(frozen=True)
class Standard:
    """One of the five office standards (มาตรฐาน), code ``"1"``..``"5"``."""

    code: str
    title: Text
    indicators: tuple[Indicator, ...]
    source: tuple[SourceRef, ...]
    gap: str | None = None

    @property
    def key(self) -> str:
        return f"standard:{self.code}"


@dataclass(frozen=True)
class Reference:
    """A reference document curated as-is (2557 edition, Strategy 5, process and rounds).

    `data` is the parsed YAML mapping; every mapping inside it that has a ``source`` was validated.
    """

    key: str
    title: str
    data: dict[str, Any]
    source: tuple[SourceRef, ...]


@dataclass(frozen=True)
class Content:
    """All curated content: standards with their tree, work groups, references and search synonyms."""

    standards: tuple[Standard, ...]
    groups: tuple[Group, ...]
    references: dict[str, Reference] = field(default_factory=dict)
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def group(self, group_id: str) -> Group:
        """The work group with `group_id`; raises KeyError if unknown."""
        for g in self.groups:
            if g.id == group_id:
                return g
        raise KeyError(group_id)

    def standard(self, code: str) -> Standard | None:
        return next((s for s in self.standards if s.code == code), None)

    def indicator(self, code: str) -> Indicator | None:
        std = self.standard(code.split(".", 1)[0])
        return next((i for i in std.indicators if i.code == code), None) if std else None

    def criterion(self, code: str) -> Criterion | None:
        ind = self.indicator(code.rsplit(".", 1)[0]) if code.count(".") == 2 else None
        return next((c for c in ind.criteria if c.code == code), None) if ind else None

    def pmqa_category(self, code: str) -> PmqaCategory | None:
        return next((c for crit in self.criteria() for c in crit.pmqa_categories if c.code == code), None)

    def pmqa_item(self, code: str) -> PmqaItem | None:
        return next((i for cat in self.pmqa_categories() for i in cat.items if i.code == code), None)

    def indicators(self) -> list[Indicator]:
        return [i for s in self.standards for i in s.indicators]

    def criteria(self) -> list[Criterion]:
        return [c for i in self.indicators() for c in i.criteria]

    def pmqa_categories(self) -> list[PmqaCategory]:
        return [c for crit in self.criteria() for c in crit.pmqa_categories]
