"""Read and validate the curated YAML under `content/`, and mirror it into the database idempotently.

`load_content()` returns a `Content` tree or raises `ContentError` naming the file and item at fault.
`sync_content(session, content)` upserts one `ContentItem` row per item (by stable key and content hash):
running it twice changes nothing; a changed file updates rows in place; a removed item's row is retired
(`retired_at` set, never deleted: evidence and history point at it) and restored if the item comes back.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.model import (Content, Criterion, Group, Indicator, PmqaCategory, PmqaItem, Reference,
                           SourceRef, Standard, Text)
from storage.models import ContentItem, utcnow

CONTENT_DIR = Path(__file__).parent
SOURCE_RE = re.compile(r"^(?P<file>\d{3}_[0-9a-f]{16}\.txt):(?P<first>\d+)-(?P<last>\d+)$")
REFERENCE_FILES = {
    "standards_2557": "standards_2557.yaml",
    "strategy5": "strategy5.yaml",
    "process": "process.yaml",
}
_WS = re.compile(r"[ \t\u00a0]+")


class ContentError(ValueError):
    """The curated content is invalid; the message names the file and the item."""


def _fold(s: str) -> str:
    return "\n".join(_WS.sub(" ", line).strip() for line in s.strip().splitlines())


def parse_text(value: Any, where: str) -> Text:
    """A YAML text value (a string or ``{verbatim, display}``) as `Text`; raises ContentError."""
    if isinstance(value, (int, float)):
        value = str(value)
    if isinstance(value, str):
        folded = _fold(value)
        return Text(folded, folded)
    if isinstance(value, dict) and "verbatim" in value:
        verbatim = _fold(str(value["verbatim"]))
        return Text(verbatim, _fold(str(value.get("display") or verbatim)))
    raise ContentError(f"{where}: expected text, got {value!r:.80}")


def _opt_text(value: Any, where: str) -> Text | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_text(value, where)


def _note(value: Any, where: str) -> str | None:
    """A note or gap: free Thai text shown as is (a text mapping gives its display form)."""
    text = _opt_text(value, where)
    return text.display if text else None


def _texts(value: Any, where: str) -> tuple[Text, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        value = [value]
    return tuple(parse_text(v, f"{where}[{i}]") for i, v in enumerate(value) if v not in (None, ""))


def parse_source(value: Any, where: str) -> tuple[SourceRef, ...]:
    """`source:` (one string or a list) as SourceRefs; raises ContentError when missing or malformed."""
    refs = value if isinstance(value, list) else [value]
    out = []
    for ref in refs:
        m = SOURCE_RE.match(str(ref).strip()) if ref else None
        if not m or int(m["first"]) > int(m["last"]) or int(m["first"]) < 1:
            raise ContentError(f"{where}: bad or missing source {ref!r}")
        out.append(SourceRef(m["file"], int(m["first"]), int(m["last"])))
    return tuple(out)


def _groups_of(value: Any, known: set[str], where: str) -> tuple[str, ...]:
    ids = tuple(value or ())
    for gid in ids:
        if gid not in known:
            raise ContentError(f"{where}: unknown work group {gid!r} (see content/groups.yaml)")
    return ids


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContentError(f"{path.name}: {exc}") from exc


def _parse_pmqa(raw: dict, known: set[str], where: str) -> PmqaCategory:
    code = str(raw["code"])
    items = []
    for i, it in enumerate(raw.get("items") or []):
        w = f"{where}.items[{i}]"
        items.append(PmqaItem(
            code=str(it["code"]), text=parse_text(it.get("text") or it.get("title"), w),
            guidelines=_texts(it.get("guidelines"), w), operations=_texts(it.get("operations"), w),
            evidence=_texts(it.get("evidence"), w), measure=_opt_text(it.get("measure"), w),
            main_groups=_groups_of(it.get("main_groups"), known, w),
            co_groups=_groups_of(it.get("co_groups"), known, w),
            source=parse_source(it.get("source"), w), category_code=code, gap=_note(it.get("gap"), w),
            note=_note(it.get("note"), w), evidence_note=_note(it.get("evidence_note"), w)))
    return PmqaCategory(code=code, title=parse_text(raw["title"], where), items=tuple(items),
                        source=parse_source(raw.get("source"), where), measure=_opt_text(raw.get("measure"), where),
                        gap=_note(raw.get("gap"), where), note=_note(raw.get("note"), where))


def _parse_criterion(raw: dict, indicator_code: str, known: set[str], where: str) -> Criterion:
    code = str(raw.get("code", ""))
    if code.rsplit(".", 1)[0] != indicator_code:
        raise ContentError(f"{where}: criterion {code!r} is not under indicator {indicator_code}")
    return Criterion(
        code=code, title=parse_text(raw.get("title"), where),
        desired_state=_opt_text(raw.get("desired_state"), where),
        guidelines=_texts(raw.get("guidelines"), where), operations=_texts(raw.get("operations"), where),
        evidence=_texts(raw.get("evidence"), where), measure=_opt_text(raw.get("measure"), where),
        main_groups=_groups_of(raw.get("main_groups"), known, where),
        co_groups=_groups_of(raw.get("co_groups"), known, where),
        source=parse_source(raw.get("source"), where), gap=_note(raw.get("gap"), where),
        note=_note(raw.get("note"), where), evidence_note=_note(raw.get("evidence_note"), where),
        pmqa_categories=tuple(_parse_pmqa(c, known, f"{where}.pmqa[{j}]")
                              for j, c in enumerate(raw.get("pmqa_categories") or [])))


def _parse_standard(raw: dict, known: set[str], name: str) -> Standard:
    code = str(raw.get("code", ""))
    indicators = []
    for i, ind in enumerate(raw.get("indicators") or []):
        w = f"{name}: indicator[{i}] {ind.get('code')}"
        icode = str(ind.get("code", ""))
        if icode.split(".", 1)[0] != code:
            raise ContentError(f"{w}: indicator {icode!r} is not under standard {code}")
        criteria = tuple(_parse_criterion(c, icode, known, f"{w} criterion {c.get('code')}")
                         for c in ind.get("criteria") or [])
        indicators.append(Indicator(code=icode, title=parse_text(ind.get("title"), w), criteria=criteria,
                                    source=parse_source(ind.get("source"), w), gap=_note(ind.get("gap"), w),
                                    supervisors=_groups_of(ind.get("supervisors"), known, f"{w} supervisors")))
    return Standard(code=code, title=parse_text(raw.get("title"), name), indicators=tuple(indicators),
                    source=parse_source(raw.get("source"), name), gap=_note(raw.get("gap"), name))


def _check_sources(node: Any, where: str) -> None:
    """Validate every `source` inside a reference document's mappings."""
    if isinstance(node, dict):
        if "source" in node:
            parse_source(node["source"], where)
        for k, v in node.items():
            _check_sources(v, f"{where}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _check_sources(v, f"{where}[{i}]")


def _first_source(node: Any) -> tuple[SourceRef, ...]:
    if isinstance(node, dict):
        if "source" in node:
            return parse_source(node["source"], "reference")
        for v in node.values():
            if found := _first_source(v):
                return found
    if isinstance(node, list):
        for v in node:
            if found := _first_source(v):
                return found
    return ()


@lru_cache(maxsize=4)
def load_content(directory: Path = CONTENT_DIR) -> Content:
    """Load and validate all curated content from `directory` (cached per directory; immutable)."""
    groups_raw = _read_yaml(directory / "groups.yaml")["groups"]
    groups = tuple(Group(g["id"], g["name"], tuple(g.get("aliases") or ())) for g in groups_raw)
    known = {g.id for g in groups}
    standards = []
    for path in sorted((directory / "standards").glob("*.yaml")):
        standards.append(_parse_standard(_read_yaml(path), known, path.name))
    standards.sort(key=lambda s: s.code)
    references = {}
    for key, filename in REFERENCE_FILES.items():
        path = directory / filename
        if path.exists():
            data = _read_yaml(path) or {}
            _check_sources(data, filename)
            title = _reference_title(data, filename)
            references[key] = Reference(key, title, data, _first_source(data))
    synonyms: dict[str, tuple[str, ...]] = {}
    if (directory / "synonyms.yaml").exists():
        for canonical, variants in (_read_yaml(directory / "synonyms.yaml") or {}).get("synonyms", {}).items():
            synonyms[str(canonical)] = tuple(str(v) for v in variants or ())
    return Content(tuple(standards), groups, references, synonyms)


def _reference_title(data: dict, filename: str) -> str:
    for k in ("title", "edition", "strategy"):
        v = data.get(k)
        if isinstance(v, dict) and v.get("title"):
            return _fold(str(v["title"] if not isinstance(v["title"], dict) else v["title"].get("display")
                             or v["title"]["verbatim"]))
        if isinstance(v, str):
            return _fold(v)
    return filename


@dataclass(frozen=True)
class Row:
    """One flattened content item, ready to upsert."""

    key: str
    kind: str
    parent_key: str | None
    code: str
    title: str
    position: int
    source: str
    gap: str | None
    payload: dict[str, Any]


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Text):
        return {"verbatim": obj.verbatim, "display": obj.display}
    if isinstance(obj, SourceRef):
        return str(obj)
    if isinstance(obj, (list, tuple)):
        return [_jsonable(o) for o in obj]
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if hasattr(obj, "__dataclass_fields__"):
        return {k: _jsonable(getattr(obj, k)) for k in obj.__dataclass_fields__
                if k not in ("indicators", "criteria", "pmqa_categories", "items")}
    return obj


def iter_rows(content: Content) -> Iterator[Row]:
    """Flatten `content` into rows, parents before children."""
    def row(obj, kind, parent, pos, title, gap=None) -> Row:
        return Row(obj.key, kind, parent, obj.code, str(title), pos, " ".join(map(str, obj.source)), gap,
                   _jsonable(obj))

    for s in content.standards:
        yield row(s, "standard", None, int(s.code), s.title, s.gap)
        for i, ind in enumerate(s.indicators):
            yield row(ind, "indicator", s.key, i, ind.title, ind.gap)
            for j, c in enumerate(ind.criteria):
                yield row(c, "criterion", ind.key, j, c.title, c.gap)
                for k, cat in enumerate(c.pmqa_categories):
                    yield row(cat, "pmqa_category", c.key, k, cat.title)
                    for m, item in enumerate(cat.items):
                        yield row(item, "pmqa_item", cat.key, m, item.text)
    for pos, ref in enumerate(content.references.values()):
        yield Row(f"reference:{ref.key}", "reference", None, ref.key, ref.title, pos,
                  " ".join(map(str, ref.source)), None, ref.data)


def _hash(row: Row) -> str:
    blob = json.dumps([row.kind, row.parent_key, row.code, row.title, row.position, row.source, row.gap,
                       row.payload], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True)
class SyncReport:
    """What `sync_content` did, in rows: inserted, updated, retired (gone from the YAML), restored (back in
    the YAML after being retired) and unchanged."""

    inserted: int
    updated: int
    retired: int
    restored: int
    unchanged: int

    @property
    def changed(self) -> bool:
        """Whether any row was written."""
        return bool(self.inserted or self.updated or self.retired or self.restored)

    def __str__(self) -> str:
        return (f"inserted {self.inserted}, updated {self.updated}, retired {self.retired}, "
                f"restored {self.restored}, unchanged {self.unchanged}")


def sync_content(session: Session, content: Content, now: datetime | None = None) -> SyncReport:
    """Upsert `content` into `content_items` within the caller's transaction (flushes, never commits).

    Rows are never deleted: an item no longer in `content` gets `retired_at = now` (UTC, default the
    current time), and a retired item that is back gets `retired_at = None` (counted as restored).
    Concurrent callers on one database must hold `storage.bootlock.boot_lock`.
    """
    now = now or utcnow()
    existing = {item.key: item for item in session.scalars(select(ContentItem))}
    inserted = updated = restored = unchanged = 0
    seen = set()
    for r in iter_rows(content):
        seen.add(r.key)
        digest = _hash(r)
        item = existing.get(r.key)
        if item is None:
            session.add(ContentItem(key=r.key, kind=r.kind, parent_key=r.parent_key, code=r.code,
                                    title=r.title, position=r.position, source=r.source, gap=r.gap,
                                    payload=r.payload, content_hash=digest))
            inserted += 1
            session.flush()  # parents before children (the parent_key foreign key)
            continue
        changed = item.content_hash != digest
        if changed:
            item.kind, item.parent_key, item.code, item.title = r.kind, r.parent_key, r.code, r.title
            item.position, item.source, item.gap, item.payload = r.position, r.source, r.gap, r.payload
            item.content_hash = digest
        if item.retired_at is not None:
            item.retired_at = None
            restored += 1
        elif changed:
            updated += 1
        else:
            unchanged += 1
    retired = 0
    for key, item in existing.items():
        if key not in seen and item.retired_at is None:
            item.retired_at = now
            retired += 1
    session.flush()
    return SyncReport(inserted, updated, retired, restored, unchanged)
