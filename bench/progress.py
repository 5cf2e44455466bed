"""Progress and levels of the whole office: `office_progress` with 300 items × 20 rounds of history.

Builds a content tree of 300 criteria (the real content's standards, widened: 5 standards × 6
indicators × 10 criteria, with the real references so indicators 1.1 and 1.2 keep their rubrics),
20 rounds each with every item's state and 3 history rows per item (18,000 rows), then times
`office_progress` for the latest round (and the levels it computes). Prints the first call (which builds the item catalog) and p50/p99 of the next 49.
Target: under 50 ms. Run: python bench/progress.py (SQLite in a temp folder; set
DATABASE_URL=postgresql://… to use PostgreSQL, whose tables it fills).
"""
from __future__ import annotations

import dataclasses
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from content.loader import load_content  # noqa: E402
from content.model import Content, Indicator, Standard, Text  # noqa: E402
from handlers.evidence.compute import office_progress  # noqa: E402
from handlers.evidence.progress import STATUSES  # noqa: E402
from storage import make_engine, upgrade  # noqa: E402
from storage.models import EvidenceEvent, EvidenceState, Round  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

ROUNDS, EVENTS_PER_ITEM, RUNS = 20, 3, 50
GROUPS = ("admin", "policy", "personnel", "promotion", "supervision", "finance", "ict", "teacherdev")


def wide_content() -> Content:
    real = load_content()
    template = real.criterion("1.1.5")
    standards = []
    for s in range(1, 6):
        inds = []
        for i in range(1, 7):
            crits = tuple(dataclasses.replace(template, code=f"{s}.{i}.{c}", title=Text(f"เกณฑ์ {s}.{i}.{c}", f"เกณฑ์ {s}.{i}.{c}"),
                                              main_groups=(GROUPS[(s + i + c) % len(GROUPS)],), co_groups=("all",),
                                              pmqa_categories=())
                          for c in range(1, 11))
            inds.append(Indicator(f"{s}.{i}", Text(f"ตัวบ่งชี้ {s}.{i}", f"ตัวบ่งชี้ {s}.{i}"), crits, template.source))
        standards.append(Standard(str(s), Text(f"มาตรฐาน {s}", f"มาตรฐาน {s}"), tuple(inds), template.source))
    return Content(tuple(standards), real.groups, real.references, real.synonyms)


def main() -> None:
    content = wide_content()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    Session = sessionmaker(engine)
    keys = [c.key for s in content.standards for i in s.indicators for c in i.criteria]
    assert len(keys) == 300
    rnd = random.Random(8)
    now = datetime.now(timezone.utc)
    users = [f"U{n:032x}" for n in range(40)]
    with Session.begin() as session:
        for n in range(ROUNDS):
            row = Round(name=f"รอบ {n + 1}", kind="sar", fiscal_year=2570, due_at=now + timedelta(days=n), scope={"all": True},
                        state="closed" if n < ROUNDS - 1 else "open", created_by="bench", created_at=now)
            session.add(row)
            session.flush()
            session.execute(insert(EvidenceState), [
                dict(round_id=row.id, item_key=k, status=rnd.choice(STATUSES), note="หมายเหตุ", reason="", links=[],
                     files=[], version=EVENTS_PER_ITEM, updated_by=rnd.choice(users), updated_at=now) for k in keys])
            session.execute(insert(EvidenceEvent), [
                dict(round_id=row.id, item_key=k, by=rnd.choice(users), at=now - timedelta(minutes=e),
                     from_status="not_started", to_status=rnd.choice(STATUSES), note="", links=[], files=[], via="flow")
                for k in keys for e in range(EVENTS_PER_ITEM)])
        latest = row.id
    times = []
    gc.collect()  # the setup's 18,000 rows of garbage are not the measured work
    with Session() as session:
        target = session.get(Round, latest)
        for _ in range(RUNS):
            session.expire_all()
            started = time.perf_counter()
            op = office_progress(session, content, target, "สพป.ทดสอบ", now)
            times.append((time.perf_counter() - started) * 1000)
    levels = [i.level for s in op.standards for i in s.indicators if i.level is not None]
    cold, warm = times[0], times[1:]  # the first call also builds the item catalog of this content
    p50, p99 = statistics.median(warm), sorted(warm)[max(0, int(len(warm) * 0.99) - 1)]
    print(f"items {op.total}, rounds {ROUNDS}, history rows {ROUNDS * len(keys) * EVENTS_PER_ITEM:,}, "
          f"indicators with a level {len(levels)}, done {op.done}")
    print(f"office_progress: first call {cold:.1f} ms (builds the item catalog), then p50 {p50:.1f} ms, "
          f"p99 {p99:.1f} ms over {len(warm)} runs (target < 50 ms) on {engine.dialect.name}")
    engine.dispose()


if __name__ == "__main__":
    main()
