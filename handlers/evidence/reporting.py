"""The office's progress for the exports (the SAR draft, the chart): which round, then `office_progress`."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.model import Content
from handlers.core.types import UserFacingError
from handlers.evidence.compute import office_progress
from handlers.evidence.progress import OfficeProgress
from storage import rounds
from storage.models import Round

DEFAULT_OFFICE = "สำนักงานเขตพื้นที่การศึกษา"
NO_ROUND = "ไม่พบรอบการรายงานที่ {id} ค่ะ พิมพ์ \"ปฏิทิน\" เพื่อดูรอบที่มีนะคะ"


def build_progress(session: Session, content: Content, round_id: int | None,
                   office_name: str = DEFAULT_OFFICE, now: datetime | None = None) -> OfficeProgress:
    """The progress of round `round_id`, or (None) of the latest SAR round — the reporting round of now
    (`storage.rounds.current`, created on demand) when there is no SAR round yet. `now` is UTC (default:
    the clock). Raises `UserFacingError` for an unknown round id."""
    now = now or datetime.now(timezone.utc)
    if round_id is not None:
        row = rounds.get(session, round_id)
        if row is None:
            raise UserFacingError(NO_ROUND.format(id=round_id))
    else:
        row = session.scalars(select(Round).where(Round.kind == "sar").order_by(Round.id.desc())).first() \
            or rounds.current(session, now)
    return office_progress(session, content, row, office_name, now)
