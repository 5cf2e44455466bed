"""Which kept files (photos and files people sent, under EVIDENCE_DIR) the database still points at.

A file is fetched before the event's transaction (`bot.media`), so one sent into a flow that is then
cancelled, or expires, is on disk with nothing pointing at it: `referenced` lets the `prune-files` job
delete such orphans (a cancelled complaint's photos must not outlive the complaint the person dropped).
"""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Complaint, ComplaintEvent, ConversationState, EvidenceEvent, EvidenceState


def _paths(node: Any) -> Iterable[str]:
    """Every "path" string inside a JSON value (a files list, or a flow's data)."""
    if isinstance(node, dict):
        if isinstance(node.get("path"), str):
            yield node["path"]
        for value in node.values():
            yield from _paths(value)
    elif isinstance(node, list):
        for value in node:
            yield from _paths(value)


def referenced(session: Session) -> set[str]:
    """The paths (relative to EVIDENCE_DIR, as stored) that evidence, its history, complaints, their steps or a
    live conversation (a draft still being written) point at."""
    out: set[str] = set()
    for column in (EvidenceState.files, EvidenceEvent.files, Complaint.files, ComplaintEvent.files,
                   ConversationState.data):
        for value in session.scalars(select(column)):
            out.update(_paths(value))
    return out
