"""`office_progress`: a round's progress and levels, from the database and the content (one query for
the states, one for the names of who updated them)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from content.model import Content
from handlers.evidence import items as catalog
from handlers.evidence import levels
from handlers.evidence.progress import (NOT_STARTED, EvidenceFile, IndicatorProgress, ItemProgress,
                                        OfficeProgress, RoundInfo, StandardProgress)
from storage import evidence, members
from storage.models import Round


def round_info(row: Round) -> RoundInfo:
    return RoundInfo(row.id, row.name, row.kind, row.fiscal_year, row.due_at, row.state)


def office_progress(session: Session, content: Content, round: Round, office_name: str,
                    now: datetime) -> OfficeProgress:
    """The office's progress in `round`: per standard and indicator (content order), each item's current
    status, note, links, files and who updated it (`storage.members.names_of`), the indicator's level where the
    sources give a rubric. `now` (UTC) becomes `as_of`. Indicators with no item in the round's scope
    are left out; a standard the content gives no indicators (standard 4) shows its `gap` in rounds of
    everything."""
    states = evidence.states(session, round.id)
    names = members.names_of(session, {s.updated_by for s in states.values()})
    wanted = catalog.in_round(content, round.kind, round.scope)
    by_ind: dict[str, list] = {}
    for it in wanted:
        by_ind.setdefault(it.indicator, []).append(it)
    standards = []
    for std in content.standards:
        inds = []
        for ind in std.indicators:
            its = by_ind.get(ind.code)
            if not its:
                continue
            rows = []
            for it in its:
                st = states.get(it.key)
                if st is None:
                    rows.append(ItemProgress(it.key, it.code, it.title, NOT_STARTED, it.main_groups, it.co_groups))
                    continue
                files = tuple(EvidenceFile(f.get("name", ""), f.get("path", ""), int(f.get("size") or 0),
                                           f.get("content_type", "")) for f in st.files or [])
                rows.append(ItemProgress(it.key, it.code, it.title, st.status, it.main_groups, it.co_groups,
                                         note=st.note or "", reason=st.reason or "", links=tuple(st.links or ()),
                                         files=files, updated_by=names[st.updated_by or ""],
                                         updated_at=st.updated_at))
            level, note = levels.for_indicator(content, ind.code, {r.key: r.status for r in rows})
            inds.append(IndicatorProgress(ind.code, str(ind.title), tuple(rows), level, "" if level else note))
        if inds:
            standards.append(StandardProgress(std.code, str(std.title), tuple(inds)))
        elif not std.indicators and (round.scope or {}).get("all") and round.kind not in ("pmqa", "strategy"):
            standards.append(StandardProgress(std.code, str(std.title), (), std.gap or ""))  # standard 4's gap
    return OfficeProgress(round_info(round), tuple(standards), office_name, now)
