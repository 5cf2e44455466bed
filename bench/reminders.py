"""The reminder sweep for 300 bound group chats and 300 items in scope: sweep time, outbox rows, cost.

300 criteria (`bench/progress.py`'s widened content: 8 work groups, about 38 items each), 300 active
group chats bound to those work groups (20–49 members each, cached), a round of everything due in 7
days, a third of its items already done; then the `reminders` job at the 7-day step's 08:30 (it plans,
renders 300 cards and queues them with their dedupe keys), and once more at the same instant (a repeated
sweep: nothing to queue). Target: the first sweep under 2 s. Run: python bench/reminders.py (SQLite in a
temp folder; DATABASE_URL=postgresql://… to use PostgreSQL, whose tables it fills).
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from bench.progress import GROUPS, wide_content  # noqa: E402
from handlers.core.thaidate import BANGKOK  # noqa: E402
from handlers.core.types import Settings  # noqa: E402
from handlers.evidence.items import in_round  # noqa: E402
from scheduler import jobs  # noqa: E402
from storage import Storage, make_engine, upgrade  # noqa: E402
from storage.models import ChatGroup, EvidenceState, OutboxMessage, Round  # noqa: E402

CHATS = 300


def main() -> None:
    content = wide_content()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    Session = sessionmaker(engine, expire_on_commit=False)
    now = datetime(2027, 3, 17, 8, 30, tzinfo=BANGKOK).astimezone(timezone.utc)  # a Wednesday
    with Session.begin() as s:
        rnd = Round(name="SAR ปีงบประมาณ 2570", kind="sar", fiscal_year=2570, due_at=now + timedelta(days=7, hours=8),
                    scope={"all": True}, state="open", created_by="bench", created_at=now)
        s.add(rnd)
        s.flush()
        items = in_round(content, "sar", {"all": True})
        for n, it in enumerate(items):
            if n % 3 == 0:
                s.add(EvidenceState(round_id=rnd.id, item_key=it.key, status="has_evidence", version=1,
                                    updated_by="bench", updated_at=now))
        for n in range(CHATS):
            s.add(ChatGroup(chat_id="C" + f"{n:032x}", kind="group", name=f"กลุ่ม {n}", binding="work_group",
                            work_group=GROUPS[n % len(GROUPS)], active=True, member_count=20 + n % 30,
                            joined_at=now, facts_at=now))
    runtime = SimpleNamespace(storage=Storage(engine, Session), content=content,
                              settings=Settings(frozenset({"U" + "a" * 32})))
    print(f"{len(items)} items in scope, {CHATS} bound group chats ({engine.dialect.name})")
    for label in ("first sweep", "repeated sweep"):
        started = time.perf_counter()
        out = jobs.send_reminders(runtime, now)
        print(f"{label}: {1000 * (time.perf_counter() - started):.0f} ms — {out}")
    with Session() as s:
        rows, cost = s.execute(select(func.count(), func.coalesce(func.sum(OutboxMessage.cost), 0))).one()
    print(f"outbox rows: {rows}, message cost: {cost:,} (target: first sweep < 2 s)")


if __name__ == "__main__":
    main()
