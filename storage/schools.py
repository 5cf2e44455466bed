"""The office's schools (สถานศึกษา): CSV import (upsert by code) and a Thai-safe fuzzy name search.

`session` first; functions may add and flush, never commit. The CSV is UTF-8 (with or without the byte
order mark Excel writes for "CSV UTF-8") with a header row naming the columns code, name and district
(district or network, optional); Thai headers รหัส / ชื่อ / อำเภอ (or เครือข่าย) are accepted too.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.thai import loose
from storage.models import School

HEADERS = {
    "code": ("code", "school_code", "รหัส", "รหัสโรงเรียน", "รหัสสถานศึกษา"),
    "name": ("name", "school_name", "ชื่อ", "ชื่อโรงเรียน", "ชื่อสถานศึกษา"),
    "district": ("district", "network", "อำเภอ", "เครือข่าย", "อำเภอ/เครือข่าย"),
}
NAME_PREFIXES = ("โรงเรียน", "รร ", "รร", "ร ร ")  # in `loose` form ("รร." and "ร.ร." lose their dots)
MIN_SCORE = 75  # rapidfuzz 0-100; below this a school is not a match


class SchoolCsvError(ValueError):
    """The CSV cannot be imported; the message says which line and why (English, for the CLI)."""


@dataclass(frozen=True)
class SchoolRow:
    """One school read from the CSV (code, name with spaces folded, district or network)."""

    code: str
    name: str
    district: str = ""


@dataclass(frozen=True)
class ImportReport:
    """How many schools an import added, changed, and left as they were."""

    inserted: int
    updated: int
    unchanged: int

    def __str__(self) -> str:
        return f"inserted {self.inserted}, updated {self.updated}, unchanged {self.unchanged}"


def decode_csv(raw: bytes) -> str:
    """`raw` file bytes as text: UTF-8, a leading byte order mark dropped; SchoolCsvError otherwise."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SchoolCsvError(f"the file is not UTF-8 (byte {exc.start}); in Excel save it as "
                             "\"CSV UTF-8 (Comma delimited)\"") from None


def _column(header: list[str], field: str) -> int | None:
    names = [h.strip().lower() for h in header]
    return next((names.index(alias) for alias in HEADERS[field] if alias in names), None)


def _cell(cells: list[str], at: int | None) -> str:
    return cells[at].strip() if at is not None and at < len(cells) else ""


def parse_csv(text: str) -> list[SchoolRow]:
    """The rows of a school CSV (header first; blank lines skipped). Raises SchoolCsvError on a missing
    code or name column, an empty code or name, a code over 20 characters, or a code given twice."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if not header:
        raise SchoolCsvError("the file is empty; expected a header row: code,name,district")
    code_at, name_at, district_at = (_column(header, f) for f in ("code", "name", "district"))
    if code_at is None or name_at is None:
        raise SchoolCsvError(f"header {','.join(header)!r} lacks a code or name column; expected code,name,district")
    rows: dict[str, SchoolRow] = {}
    for line_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        code, name, district = _cell(cells, code_at), " ".join(_cell(cells, name_at).split()), _cell(cells, district_at)
        if not code or not name:
            raise SchoolCsvError(f"line {line_no}: a school needs both a code and a name")
        if len(code) > 20 or len(name) > 200 or len(district) > 200:
            raise SchoolCsvError(f"line {line_no}: code over 20 or name/district over 200 characters")
        if code in rows:
            raise SchoolCsvError(f"line {line_no}: code {code} appears twice")
        rows[code] = SchoolRow(code, name, district)
    return list(rows.values())


def import_schools(session: Session, rows: list[SchoolRow]) -> ImportReport:
    """Insert new codes and update changed names/districts (schools not in `rows` are kept: members
    refer to them). Running it twice with the same rows changes nothing the second time."""
    existing = {s.code: s for s in session.scalars(select(School).where(School.code.in_([r.code for r in rows])))}
    inserted = updated = unchanged = 0
    for row in rows:
        school = existing.get(row.code)
        if school is None:
            session.add(School(code=row.code, name=row.name, district=row.district))
            inserted += 1
        elif (school.name, school.district) != (row.name, row.district):
            school.name, school.district = row.name, row.district
            updated += 1
        else:
            unchanged += 1
    session.flush()
    return ImportReport(inserted, updated, unchanged)


def get(session: Session, code: str) -> School | None:
    """The school with `code`, or None."""
    return session.get(School, code)


def count(session: Session) -> int:
    """How many schools are in the list."""
    return session.scalar(select(func.count()).select_from(School)) or 0


def all_schools(session: Session) -> list[School]:
    """Every school, by district then name."""
    return list(session.scalars(select(School).order_by(School.district, School.name, School.code)))


def _name_key(name: str) -> str:
    key = loose(name)
    for prefix in NAME_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):].strip()
    return key


def search(session: Session, query: str, limit: int = 5) -> list[School]:
    """Schools whose name matches `query` best first (at most `limit`); a code matches exactly.

    Thai-safe: both sides in `content.thai.loose` form (tone marks dropped, Thai digits as Arabic),
    "โรงเรียน"/"รร." prefixes ignored, rapidfuzz without `default_process`, so typos and a missing
    tone mark still match ("ควนขนน" finds "โรงเรียนบ้านควนขนุน").
    """
    q = _name_key(query)
    if not q:
        return []
    if q.replace(" ", "").isdigit():
        school = session.get(School, q.replace(" ", ""))
        return [school] if school else []
    scored = []
    for school in all_schools(session):
        key = _name_key(school.name)
        full = fuzz.ratio(q, key, processor=None)
        part = fuzz.partial_ratio(q, key, processor=None) if len(q) >= 3 else 0
        score = max(full, part)
        if score >= MIN_SCORE:
            scored.append((-score, -full, school.name, school))
    scored.sort(key=lambda item: item[:3])
    return [item[3] for item in scored[:limit]]
