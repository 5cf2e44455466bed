"""Reporting rounds (`storage.models.Round`): create, list, open (carrying evidence forward), close, import.

Fiscal years are Buddhist Era, 1 October – 30 September: FY 2570 runs from 1 Oct 2569 (CE 2026) to
30 Sep 2570 (CE 2027). Due dates are stored in UTC and entered or shown in Asia/Bangkok.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import EvidenceEvent, EvidenceState, Round
from storage.queries import insert_for

BANGKOK = ZoneInfo("Asia/Bangkok")
KINDS = ("sar", "kpi6", "kpi9", "kpi12", "strategy", "pmqa", "other")
KIND_NAMES = {"sar": "รายงานการประเมินตนเอง (SAR)", "kpi6": "รายงานตัวชี้วัด รอบ 6 เดือน",
              "kpi9": "รายงานตัวชี้วัด รอบ 9 เดือน", "kpi12": "รายงานตัวชี้วัด รอบ 12 เดือน",
              "strategy": "ติดตามกลยุทธ์ที่ 5", "pmqa": "PMQA", "other": "อื่น ๆ"}
STATES = ("planned", "open", "closed")
STATE_NAMES = {"planned": "ยังไม่เปิด", "open": "เปิดรับรายงาน", "closed": "ปิดแล้ว"}


class RoundError(ValueError):
    """A round cannot be made or changed as asked (the message says why, in English, for the CLI)."""


def fiscal_year(at: datetime) -> int:
    """The Buddhist-Era fiscal year of `at` (aware; read in Asia/Bangkok): October starts the next one."""
    local = at.astimezone(BANGKOK)
    return local.year + 543 + (1 if local.month >= 10 else 0)


def clean_scope(scope: dict | None) -> dict:
    """A scope as stored: {"all": True}, or the non-empty lists among standards, indicators, issues."""
    scope = dict(scope or {})
    out = {k: [str(v) for v in scope.get(k) or []] for k in ("standards", "indicators", "issues")}
    out = {k: v for k, v in out.items() if v}
    return out or {"all": True}


def create(session: Session, name: str, kind: str, due_at: datetime | None, now: datetime, *,
           scope: dict | None = None, fiscal_year_be: int | None = None, by: str = "",
           state: str = "planned") -> Round:
    """A new round; `due_at` aware (stored UTC); the fiscal year defaults to the due date's (else now's).
    Raises RoundError for an unknown kind or state, or an empty name."""
    if kind not in KINDS:
        raise RoundError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    if state not in STATES:
        raise RoundError(f"unknown state {state!r}")
    name = " ".join((name or "").split())
    if not name or len(name) > 200:
        raise RoundError("a round needs a name of at most 200 characters")
    if due_at is not None and due_at.tzinfo is None:
        raise RoundError("due_at must be timezone-aware")
    row = Round(name=name, kind=kind, due_at=due_at, scope=clean_scope(scope), state=state, created_by=by,
                fiscal_year=fiscal_year_be or fiscal_year(due_at or now), created_at=now)
    session.add(row)
    session.flush()
    return row


def get(session: Session, round_id: int) -> Round | None:
    return session.get(Round, round_id)


def all_rounds(session: Session) -> list[Round]:
    """Every round, newest fiscal year first, then by due date."""
    return list(session.scalars(select(Round).order_by(Round.fiscal_year.desc(), Round.due_at, Round.id)))


def upcoming(session: Session, now: datetime) -> list[Round]:
    """Rounds not closed whose due date is still ahead (or unset), nearest first."""
    rows = session.scalars(select(Round).where(Round.state != "closed"))
    ahead = [r for r in rows if r.due_at is None or r.due_at >= now]
    return sorted(ahead, key=lambda r: (r.due_at is None, r.due_at or now, r.id))


def on_calendar(session: Session, now: datetime) -> list[Round]:
    """The rounds the calendar shows: not closed, and due ahead (or unset) — or open and past due (still
    being reported, overdue); by due date, unset last."""
    rows = session.scalars(select(Round).where(Round.state != "closed"))
    shown = [r for r in rows if r.due_at is None or r.due_at >= now or r.state == "open"]
    return sorted(shown, key=lambda r: (r.due_at is None, r.due_at or now, r.id))


def current(session: Session, now: datetime, *, create_default: bool = True) -> Round | None:
    """The round reporting goes into: the open round due soonest (not yet past), else the latest open
    one; with none open, the current fiscal year's SAR round, created (open) on demand."""
    open_rows = list(session.scalars(select(Round).where(Round.state == "open").order_by(Round.id)))
    if open_rows:
        ahead = [r for r in open_rows if r.due_at is None or r.due_at >= now]
        if ahead:
            return min(ahead, key=lambda r: (r.due_at is None, r.due_at or now, r.id))
        return open_rows[-1]
    if not create_default:
        return None
    fy = fiscal_year(now)
    existing = session.scalars(select(Round).where(Round.kind == "sar", Round.fiscal_year == fy,
                                                   Round.state != "closed").order_by(Round.id)).first()
    if existing is not None:
        existing.state = "open"
        session.flush()
        return existing
    # two first reports at once: INSERT … ON CONFLICT DO NOTHING on auto_key makes one round
    make = insert_for(session)
    session.execute(make(Round).values(
        name=f"SAR ปีงบประมาณ {fy}", kind="sar", fiscal_year=fy, due_at=None, scope={"all": True}, state="open",
        auto_key=f"sar-{fy}", created_by="auto", created_at=now).on_conflict_do_nothing())
    row = session.scalars(select(Round).where(Round.auto_key == f"sar-{fy}")).one()
    if row.state == "closed":  # an admin closed this year's SAR round and opened none: a new one, open
        return create(session, f"SAR ปีงบประมาณ {fy}", "sar", None, now, fiscal_year_be=fy, state="open", by="auto")
    return row


def previous(session: Session, row: Round) -> Round | None:
    """The latest other round that has evidence (the one to carry forward from)."""
    ids = session.scalars(select(EvidenceState.round_id).where(EvidenceState.round_id != row.id)
                          .distinct()).all()
    return session.get(Round, max(ids)) if ids else None


def open_round(session: Session, row: Round, now: datetime, *, carry: bool = True, by: str = "") -> int:
    """Open `row`; with `carry`, copy the previous round's current states into it as the starting point
    (items the new round already has are kept). Returns how many items were carried."""
    if row.state == "open":
        return 0
    row.state = "open"
    carried = 0
    source = previous(session, row) if carry else None
    if source is not None:
        have = set(session.scalars(select(EvidenceState.item_key).where(EvidenceState.round_id == row.id)))
        for st in session.scalars(select(EvidenceState).where(EvidenceState.round_id == source.id)):
            if st.item_key in have or st.status == "not_started":
                continue
            session.add(EvidenceState(round_id=row.id, item_key=st.item_key, status=st.status, note=st.note,
                                      reason=st.reason, links=list(st.links), files=list(st.files), version=1,
                                      updated_by=st.updated_by, updated_at=now))
            session.add(EvidenceEvent(round_id=row.id, item_key=st.item_key, by=by, at=now,
                                      from_status="not_started", to_status=st.status,
                                      note=f"ยกมาจากรอบ #{source.id}", links=list(st.links),
                                      files=list(st.files), via="carry"))
            carried += 1
        row.carried_from = source.id
    session.flush()
    return carried


def close_round(session: Session, row: Round) -> None:
    row.state = "closed"
    session.flush()


def parse_due(text: str) -> datetime:
    """A due date typed as ``YYYY-MM-DDTHH:MM`` (or ``YYYY-MM-DD HH:MM``, or a date alone = 16:30) in
    Asia/Bangkok; a year past 2400 is read as Buddhist Era. Returns UTC. Raises RoundError."""
    raw = (text or "").strip().replace(" ", "T")
    try:
        value = datetime.fromisoformat(raw if "T" in raw else raw + "T16:30")
    except ValueError:
        raise RoundError(f"due date {text!r} is not YYYY-MM-DDTHH:MM") from None
    if value.year > 2400:
        value = value.replace(year=value.year - 543)
    if value.tzinfo is None:
        value = value.replace(tzinfo=BANGKOK)
    return value.astimezone(ZoneInfo("UTC"))


def parse_scope(text: str | None) -> dict:
    """A scope typed on the command line: "all", or comma-separated codes — "1,2" standards, "1.1"
    indicators, "5.3" (or "s5.3") Strategy-5 issues when prefixed "s"."""
    if not text or text.strip().lower() == "all":
        return {"all": True}
    scope: dict[str, list[str]] = {"standards": [], "indicators": [], "issues": []}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part.lower().startswith("s"):
            scope["issues"].append(part[1:].strip())
        elif "." in part:
            scope["indicators"].append(part)
        elif part.isdigit():
            scope["standards"].append(part)
        else:
            raise RoundError(f"scope part {part!r}: use 1 (standard), 1.1 (indicator) or s5.3 (issue)")
    return clean_scope(scope)


def import_rows(session: Session, rows: list[dict], now: datetime, by: str = "cli") -> list[Round]:
    """Rounds from a year's calendar (rows of name, kind, due, scope?, fiscal_year?, state?), all or none:
    raises RoundError naming the row at fault."""
    made = []
    for i, r in enumerate(rows, start=1):
        try:
            due = parse_due(str(r["due"])) if r.get("due") else None
            scope = r.get("scope")
            scope = parse_scope(scope) if isinstance(scope, str) or scope is None else clean_scope(scope)
            fy = int(r["fiscal_year"]) if r.get("fiscal_year") else None
            made.append(create(session, str(r.get("name") or ""), str(r.get("kind") or "").strip(), due, now,
                               scope=scope, fiscal_year_be=fy, by=by, state=str(r.get("state") or "planned")))
        except (RoundError, KeyError, ValueError) as err:
            raise RoundError(f"row {i}: {err}") from None
    return made
