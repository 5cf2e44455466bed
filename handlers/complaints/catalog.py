"""The complaint channel's settings as data (`content/complaints.yaml`): case types, topics, deadlines,
reopening and retention. Loaded once; `catalog()` is the one place the rest reads them from."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from handlers.core.words import Choice, strip_tail

PATH = Path(__file__).resolve().parents[2] / "content" / "complaints.yaml"


@dataclass(frozen=True)
class Kind:
    """A case type: `id` (complaint, suggestion, opinion, compliment), its Thai `name`, the case-number
    `letter` ("ร" in "ร-2570-0042") and the words people type for it."""
    id: str
    name: str
    letter: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    """A topic a case is filed under: `id`, Thai `name`, its button `label` (≤ 20 characters), typed `aliases`."""
    id: str
    name: str
    label: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """Everything in `content/complaints.yaml`. Deadlines are in working days (`handlers.core.workdays`);
    `reopen_days` and `erasure_days` in calendar days; `retention_years` after a case closes."""
    kinds: tuple[Kind, ...]
    topics: tuple[Topic, ...]
    ack_working_days: int
    outcome_working_days: int
    remind_before_working_days: int
    reopen_days: int
    retention_years: int
    erasure_days: int

    def kind(self, kind_id: str) -> Kind:
        """The kind `kind_id`; KeyError for an unknown one."""
        for k in self.kinds:
            if k.id == kind_id:
                return k
        raise KeyError(kind_id)

    def topic(self, topic_id: str) -> Topic:
        """The topic `topic_id`, or "other" for an unknown (retired) one."""
        for t in self.topics:
            if t.id == topic_id:
                return t
        return self.topics[-1]

    def kind_choices(self) -> list[Choice]:
        """The case types as choices for `handlers.core.words.choose`."""
        return [Choice(k.id, k.name, k.aliases) for k in self.kinds]

    def topic_choices(self) -> list[Choice]:
        """The topics as choices for `handlers.core.words.choose`."""
        return [Choice(t.id, t.label, (t.name, *t.aliases), display=t.name) for t in self.topics]


@lru_cache(maxsize=1)
def catalog(path: Path = PATH) -> Catalog:
    """Load and check the settings; ValueError when a kind lacks a one-letter prefix or ids repeat."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    kinds = tuple(Kind(k["id"], k["name"], k["letter"], tuple(k.get("aliases") or ())) for k in data["kinds"])
    topics = tuple(Topic(t["id"], t["name"], t.get("label") or t["name"], tuple(t.get("aliases") or ()))
                   for t in data["topics"])
    if len({k.id for k in kinds}) != len(kinds) or len({k.letter for k in kinds}) != len(kinds):
        raise ValueError("complaint kinds need distinct ids and letters")
    if len({t.id for t in topics}) != len(topics) or topics[-1].id != "other":
        raise ValueError("complaint topics need distinct ids, ending with 'other'")
    if any(len(t.label) > 20 for t in topics):
        raise ValueError("a topic's label is a button: at most 20 characters")
    d = data.get("deadlines") or {}
    return Catalog(kinds, topics, int(d.get("acknowledge_working_days", 1)), int(d.get("outcome_working_days", 15)),
                   int(d.get("remind_before_working_days", 1)), int(data.get("reopen_days", 7)),
                   int(data.get("retention_years", 2)), int(data.get("erasure_days", 90)))


_NUMBER = re.compile(r"^(?:เลขที่เรื่อง|เลขที่|เรื่องเลขที่|เรื่อง)?\s*([ก-ฮ])\s*[-–./]?\s*(\d{4})\s*[-–./]?\s*(\d{1,6})$")


def case_number(text: str) -> str | None:
    """The case number `text` is, as stored ("ร-2570-0042"), or None: a type letter of the catalog, a
    Buddhist-Era year and a sequence, with or without dashes, dots or spaces, Thai digits too ("ร 2570 42",
    "ร-๒๕๗๐-๐๐๔๒"), a leading "เลขที่" and polite particles aside."""
    m = _NUMBER.match(strip_tail(text or "").strip())
    if not m or m.group(1) not in {k.letter for k in catalog().kinds}:
        return None
    return f"{m.group(1)}-{int(m.group(2))}-{int(m.group(3)):04d}"
