"""Evidence status per (round, item) and its history (`storage.models.EvidenceState`, `EvidenceEvent`).

`report` changes an item in one transaction with compare-and-set on `EvidenceState.version`: the
caller passes the version it showed the person; if someone else changed the item meanwhile, it raises
`Conflict` (and nothing is written), so no update is lost. A first report of an item inserts its blank
row with ON CONFLICT DO NOTHING, then compares and sets like any other.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import EvidenceEvent, EvidenceState
from storage.queries import insert_for

MAX_LINKS = 10
MAX_FILES = 10


class Conflict(Exception):
    """The item changed since it was read (another report won); `current` is its state now, if any."""

    def __init__(self, current: EvidenceState | None) -> None:
        super().__init__("evidence changed meanwhile")
        self.current = current


@dataclass(frozen=True)
class Change:
    """What a report asks: the new `status`, a note (or the reason for needs_fix), links and files to add
    (files as dicts {name, path, size, content_type}), and `via` (flow, short, cli)."""

    status: str
    note: str = ""
    links: tuple[str, ...] = ()
    files: tuple[dict[str, Any], ...] = ()
    via: str = "flow"


def state_of(session: Session, round_id: int, key: str) -> EvidenceState | None:
    return session.get(EvidenceState, (round_id, key))


def states(session: Session, round_id: int) -> dict[str, EvidenceState]:
    """Every item's current state in the round, by item key."""
    return {s.item_key: s for s in session.scalars(select(EvidenceState).where(EvidenceState.round_id == round_id))}


def report(session: Session, round_id: int, key: str, change: Change, by: str, now: datetime,
           expected_version: int | None = None) -> EvidenceState:
    """Apply `change` to item `key` of round `round_id` and keep a history row. `expected_version`
    (None: whatever is there) is the version the reporter saw; 0 means "not reported yet". Raises
    `Conflict` when the stored version differs (nothing is written)."""
    row = state_of(session, round_id, key)
    if row is None:
        if expected_version not in (None, 0):
            raise Conflict(None)
        _insert_blank(session, round_id, key, by, now)  # a racing first report makes the same row: no error
        row = state_of(session, round_id, key)
    before = row.version
    if expected_version is not None and before != expected_version:
        raise Conflict(row)
    links = list(dict.fromkeys([*row.links, *change.links]))[-MAX_LINKS:]
    files = [*row.files, *change.files][-MAX_FILES:]
    reason = change.note if change.status == "needs_fix" else ""
    note = change.note if change.status != "needs_fix" and change.note else row.note
    values = dict(status=change.status, note=note, reason=reason, links=links, files=files,
                  version=before + 1, updated_by=by, updated_at=now)
    done = session.execute(update(EvidenceState)
                           .where(EvidenceState.round_id == round_id, EvidenceState.item_key == key,
                                  EvidenceState.version == before)
                           .values(**values)
                           .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        session.expire(row)
        raise Conflict(state_of(session, round_id, key))
    session.add(EvidenceEvent(round_id=round_id, item_key=key, by=by, at=now, from_status=row.status,
                              to_status=change.status, note=change.note, links=list(change.links),
                              files=list(change.files), via=change.via))
    session.flush()
    session.refresh(row)
    return row


def _insert_blank(session: Session, round_id: int, key: str, by: str, now: datetime) -> None:
    """INSERT … ON CONFLICT DO NOTHING the item's not-started row at version 0 (SQLite and PostgreSQL;
    no savepoint, which pysqlite turns into a commit)."""
    session.execute(insert_for(session)(EvidenceState).values(
        round_id=round_id, item_key=key, status="not_started", note="", reason="", links=[], files=[], version=0,
        updated_by=by, updated_at=now).on_conflict_do_nothing())


def history(session: Session, round_id: int | None, key: str, limit: int = 20) -> list[EvidenceEvent]:
    """The item's changes, newest first (of one round, or of every round when `round_id` is None)."""
    stmt = select(EvidenceEvent).where(EvidenceEvent.item_key == key)
    if round_id is not None:
        stmt = stmt.where(EvidenceEvent.round_id == round_id)
    return list(session.scalars(stmt.order_by(EvidenceEvent.at.desc(), EvidenceEvent.id.desc()).limit(limit)))
