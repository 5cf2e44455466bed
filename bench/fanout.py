"""Broadcast fan-out: one announcement to 5,000 staff and 300 bound group chats (~15 members each).

Runs the production path against the fake LINE API (tests/fake_line.py) with every request delayed by
20 ms: the "send-broadcasts" job writes the outbox rows, the "deliver-outbox" job is run back to back
until every row is final, and "report-broadcasts" writes the author's report. Prints the LINE API
requests by endpoint, the wall time, and the message cost (ours and the fake's usage counter).
Target: at most ceil(5000/500) + 300 = 310 requests, under 30 s. Run: python bench/fanout.py
(on SQLite in a temp folder; set DATABASE_URL=postgresql://… to use PostgreSQL, whose tables it fills).
"""
from __future__ import annotations

import logging
import math
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from bot import create_app  # noqa: E402
from scheduler import jobs  # noqa: E402
from storage import broadcasts, get_storage  # noqa: E402
from storage.models import ChatGroup, Member  # noqa: E402
from tests.fake_line import FakeLine  # noqa: E402

STAFF, CHATS, CHAT_MEMBERS = 5000, 300, 15
DELAY = 0.020  # seconds per LINE API request
TOKEN = "bench-access-token"
ADMIN = "U" + "a" * 32
WORK_GROUPS = ("admin", "policy", "personnel", "promotion", "supervision", "finance", "ict", "teacherdev", "legal",
               "private", "audit")


def delayed(app, seconds: float):
    """`app` (a WSGI app) answering every request `seconds` later, as a distant LINE would."""
    def wrapped(environ, start_response):
        time.sleep(seconds)
        return app(environ, start_response)
    return wrapped


def seed(app, fake: FakeLine, now: datetime) -> int:
    """5,000 staff, 300 chats bound to work groups; a broadcast to both due now. Returns its id."""
    with get_storage(app).Session.begin() as session:
        session.execute(insert(Member), [
            {"user_id": f"U{i:032x}", "display_name": f"บุคลากร {i}", "role": "staff",
             "work_group": WORK_GROUPS[i % len(WORK_GROUPS)], "status": "active", "following": True,
             "complaint_officer": False, "created_at": now, "updated_at": now} for i in range(1, STAFF + 1)])
        session.execute(insert(ChatGroup), [
            {"chat_id": f"C{i:032x}", "kind": "group", "name": f"กลุ่ม {i}", "binding": "work_group",
             "work_group": WORK_GROUPS[i % len(WORK_GROUPS)], "active": True, "member_count": CHAT_MEMBERS,
             "joined_at": now} for i in range(1, CHATS + 1)])
        for i in range(1, CHATS + 1):
            fake.groups[f"C{i:032x}"] = {"groupName": f"กลุ่ม {i}", "count": CHAT_MEMBERS}
        bc = broadcasts.create(session, ADMIN, broadcasts.audience_of(["all_staff", "chat_groups"]),
                               "ประชุมประจำเดือน วันศุกร์นี้ 09:00 น. ห้องประชุม 1", now, now, ack_required=True)
        return bc.id


def main() -> None:
    fake = FakeLine(access_token=TOKEN, quota=None)
    fake._wsgi = delayed(fake._wsgi, DELAY)  # the fake serves `self._wsgi`; wrap it before it starts
    with fake, tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3"),
                          "LINE_CHANNEL_SECRET": "bench-secret", "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
                          "LINE_API_BASE_URL": fake.url, "LINE_ADMIN_USER_IDS": ADMIN,
                          "SCHEDULER_EMBEDDED": False})
        logging.getLogger().setLevel(logging.WARNING)
        runtime = app.extensions["bot"]
        now = datetime.now(timezone.utc)
        broadcast_id = seed(app, fake, now)

        started = time.perf_counter()
        jobs.run(runtime, "send-broadcasts", now)
        planned = time.perf_counter() - started
        runs = 0
        while True:
            with runtime.storage.Session() as session:
                left = broadcasts.totals(session, broadcasts.origin(broadcast_id))
            if not (left["pending"] or left["sending"]):
                break
            jobs.run(runtime, "deliver-outbox", datetime.now(timezone.utc))
            runs += 1
        wall = time.perf_counter() - started
        fanout = [r for r in fake.requests if r.endpoint in ("multicast", "push")]
        by_endpoint = Counter(r.endpoint for r in fanout)
        jobs.run(runtime, "report-broadcasts", datetime.now(timezone.utc))
        with runtime.storage.Session() as session:
            bc = broadcasts.get(session, broadcast_id)
            report, cost = dict(bc.report), bc.cost
        get_storage(app).engine.dispose()

    target = math.ceil(STAFF / 500) + CHATS
    print(f"audience            {STAFF:,} staff + {CHATS} group chats x {CHAT_MEMBERS} members, "
          f"{DELAY * 1000:.0f} ms per request")
    print(f"API requests        {len(fanout)}  ({', '.join(f'{k} {v}' for k, v in sorted(by_endpoint.items()))}); "
          f"target <= {target}  {'OK' if len(fanout) <= target else 'OVER'}")
    print(f"wall time           {wall:.1f} s  (outbox rows written in {planned:.2f} s, {runs} delivery runs); "
          f"target < 30 s  {'OK' if wall < 30 else 'OVER'}")
    print(f"message cost        {cost:,}  (fake LINE counted {fake.usage:,}; sent {report.get('sent')} of "
          f"{report.get('rows')} rows, failed {report.get('failed')})")


if __name__ == "__main__":
    main()
