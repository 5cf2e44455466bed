"""LINE's 429s through the real delivery path: the monthly quota holds rows (tries kept, admins told
once, released at the month boundary, by the command, or when LINE says the quota has room), a
rate-limit 429 still backs off, and the database-shared limiter caps concurrent runs per endpoint.

The fake LINE API enforces its `quota` for real (a send whose cost does not fit is answered 429 "You
have reached your monthly limit."), so most quota tests run out of quota rather than inject it.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot import delivery
from bot.delivery import QUOTA_ORIGIN, deliver_due, quota_reset
from scheduler import jobs
from storage import get_storage, ratelimit
from storage.models import OutboxMessage
from tests.conftest import ADMIN
from tests.members_support import add_member
from tests.test_outbox import NOW, S, enqueue, keys, pushes, row, run_workers, user

RESET = datetime(2099, 3, 31, 17, 0, tzinfo=timezone.utc)  # 1 เม.ย. 2642 00:00 น. in Bangkok
ADMIN_MEMBER = "U" + "f" * 32
QUOTA_BODY = {"message": "You have reached your monthly limit."}
RATE_BODY = {"message": "The API rate limit has been exceeded. Try again later."}


@pytest.fixture
def runtime(app):
    return app.extensions["bot"]




def quota_notices(app) -> list[OutboxMessage]:
    with get_storage(app).Session() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.origin == QUOTA_ORIGIN)
                                    .order_by(OutboxMessage.id)))


def all_ids(app) -> list[int]:
    with get_storage(app).Session() as session:
        return list(session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))


def states(app, ids) -> list[tuple]:
    return [(row(app, i).status, row(app, i).attempts) for i in ids]


# -- the monthly quota ----------------------------------------------------------------------------------

def test_a_quota_429_holds_the_rows_keeps_their_tries_and_tells_each_admin_once(app, runtime, line):
    add_member(app, ADMIN_MEMBER, "ผู้ดูแล", role="admin")
    line.quota = 2
    ids = pushes(app, 4)
    report = deliver_due(runtime, NOW, ids=ids)
    assert (report.sent, report.held, report.retry, report.dead) == (ids[:2], ids[2:], [], [])
    assert len(line.calls("push", delivered_only=False)) == 3  # the 4th was never tried
    assert states(app, ids[2:]) == [("held", 0)] * 2
    refused = row(app, ids[2])
    assert (refused.last_status, refused.next_attempt_at) == (429, RESET)
    assert "You have reached your monthly limit." in refused.last_error
    assert "monthly limit" in row(app, ids[3]).last_error and row(app, ids[3]).next_attempt_at == RESET

    told = quota_notices(app)
    assert sorted(n.recipients[0] for n in told) == sorted([ADMIN, ADMIN_MEMBER])
    text = told[0].messages[0]["text"]
    assert "โควตาข้อความของเดือนนี้หมดแล้ว" in text and "ข้อความ 2 รายการรอส่ง" in text and "ค่ะ" in text
    assert "1 เม.ย. 2642 00:00 น." in text and "outbox release-held" in text

    # the notices are pushes too: LINE refuses them, they are held, and no notice is made about them
    assert deliver_due(runtime, NOW + S, ids=all_ids(app)).held == [n.id for n in told]
    for later in (NOW + 60 * S, NOW + 3600 * S, NOW + 86400 * S):  # more runs: nothing is tried
        assert deliver_due(runtime, later, ids=all_ids(app)).held == []
    assert len(line.calls("push", delivered_only=False)) == 4  # the second notice went back untried
    assert [n.id for n in quota_notices(app)] == [n.id for n in told]

    # a row queued later is refused too: the waiting notices get the new count, no new notice
    extra = enqueue(app, to=[user(9)]).id
    assert deliver_due(runtime, NOW + 86400 * S, ids=[extra]).held == [extra]
    again = quota_notices(app)
    assert [n.id for n in again] == [n.id for n in told] and {n.status for n in again} == {"held"}
    assert "ข้อความ 3 รายการรอส่ง" in again[0].messages[0]["text"]
    assert all(r.status != "dead" for r in map(lambda i: row(app, i), all_ids(app)))


def test_held_rows_go_out_when_the_month_turns_in_bangkok(app, runtime, line):
    line.quota = 0
    ids = pushes(app, 2)
    deliver_due(runtime, NOW, ids=ids)
    everything = all_ids(app)  # the two rows and the admin's notice
    deliver_due(runtime, NOW + S, ids=everything)
    assert {row(app, i).status for i in everything} == {"held"}
    line.usage, line.quota = 0, 1000  # LINE's new month
    assert deliver_due(runtime, RESET - S, ids=everything).sent == []
    assert deliver_due(runtime, RESET, ids=everything).sent == everything
    assert states(app, everything) == [("sent", 1)] * 3  # one try each: the refusals did not count
    tries = [everything[0], everything[2]] * 2 + [everything[1]]  # refused once each, and the untried row
    assert sorted(keys(line)) == sorted(row(app, i).retry_key for i in tries)
    [notice] = [p for p in line.pushes() if p["to"] == ADMIN]
    assert "ข้อความ 2 รายการรอส่ง" in notice["messages"][0]["text"]


@pytest.mark.parametrize("now, reset", [
    (datetime(2099, 3, 2, 2, 0, tzinfo=timezone.utc), datetime(2099, 3, 31, 17, 0, tzinfo=timezone.utc)),
    (datetime(2099, 3, 31, 17, 0, tzinfo=timezone.utc), datetime(2099, 4, 30, 17, 0, tzinfo=timezone.utc)),
    (datetime(2099, 3, 31, 16, 59, tzinfo=timezone.utc), datetime(2099, 3, 31, 17, 0, tzinfo=timezone.utc)),
    (datetime(2099, 12, 15, 0, 0, tzinfo=timezone.utc), datetime(2099, 12, 31, 17, 0, tzinfo=timezone.utc)),
])
def test_the_quota_resets_on_the_first_at_midnight_bangkok(now, reset):
    assert quota_reset(now) == reset


def test_an_admin_releases_held_rows_with_the_command(app, runtime, line, flask_cli):
    line.fail_next("push", 429, {"message": "You have reached your MONTHLY limit."})  # matched loosely
    ids = pushes(app, 3)
    assert deliver_due(runtime, NOW, ids=ids).held == ids
    assert flask_cli("outbox", "status").strip() == "held 3, pending 1"  # the rows and the notice
    assert flask_cli("outbox", "release-held").strip() == "released 3 held row(s)"
    assert states(app, ids) == [("pending", 0)] * 3
    assert deliver_due(runtime, NOW + S, ids=all_ids(app)).sent == all_ids(app)
    assert flask_cli("outbox", "release-held").strip() == "released 0 held row(s)"


def test_check_quota_releases_what_fits_when_line_has_room_again(app, runtime, line):
    assert jobs.run(runtime, "check-quota", NOW) == "nothing held"
    assert line.requests == []  # nothing held, nothing asked
    line.quota = 1
    ids = pushes(app, 3)
    deliver_due(runtime, NOW, ids=ids)
    everything = all_ids(app)
    deliver_due(runtime, NOW + S, ids=everything)  # the notice is held too
    assert jobs.run(runtime, "check-quota", NOW + 2 * S) == "3 held; quota 1 used up"
    line.quota = 3  # the office bought more: room for two messages
    assert jobs.run(runtime, "check-quota", NOW + 3 * S) == "released 2 of 3 held rows (quota left 2)"
    assert [row(app, i).status for i in everything[1:]] == ["pending", "pending", "held"]
    assert deliver_due(runtime, NOW + 3 * S, ids=everything).sent == everything[1:3]
    line.quota = None  # no limit at all
    assert jobs.run(runtime, "check-quota", NOW + 4 * S) == "released 1 of 1 held rows (quota left no limit)"
    assert {e for e, in [(r.endpoint,) for r in line.requests]} >= {"quota", "quota_consumption"}


def test_a_rate_limit_429_still_backs_off_and_is_not_held(app, runtime, line):
    ids = pushes(app, 2)
    line.fail_next("push", 429, RATE_BODY, retry_after=3)
    report = deliver_due(runtime, NOW, ids=ids)
    assert (report.retry, report.released, report.held) == (ids[:1], ids[1:], [])
    waiting = row(app, ids[0])
    assert (waiting.status, waiting.attempts, waiting.next_attempt_at) == ("pending", 1, NOW + 3 * S)
    assert "rate limit has been exceeded" in waiting.last_error and quota_notices(app) == []
    assert deliver_due(runtime, NOW + 3 * S, ids=ids).sent == ids


def test_a_broadcast_with_held_rows_is_not_finished(app, runtime, line):
    row_id = enqueue(app, "broadcast", [], ["ประกาศค่ะ"], origin="broadcast:1").id
    line.fail_next("broadcast", 429, QUOTA_BODY)
    assert deliver_due(runtime, NOW, ids=[row_id]).held == [row_id]
    from storage import broadcasts
    with get_storage(app).Session() as session:
        got = broadcasts.totals(session, "broadcast:1")
    assert (got["held"], got["rows"]) == (1, 1)


# -- the shared rate limiter ----------------------------------------------------------------------------

def test_two_concurrent_runs_send_at_most_60_broadcasts_an_hour(app, runtime, line):
    ids = [enqueue(app, "broadcast", [], [f"ประกาศที่ {i}"]).id for i in range(70)]

    def work(name):
        while deliver_due(runtime, NOW, worker=name, limit=8, ids=ids).sent:
            pass

    run_workers(2, work)
    assert len(line.calls("broadcast", delivered_only=False)) == 60  # the 61st is not sent within the hour
    rows = [row(app, i) for i in ids]
    sent = [r for r in rows if r.status == "sent"]
    waiting = [r for r in rows if r.status != "sent"]
    assert len(sent) == 60 and len({r.claimed_by for r in sent}) == 2
    assert {(r.status, r.attempts) for r in waiting} == {("pending", 0)}
    assert all(NOW + 3600 * S <= r.next_attempt_at < NOW + 3660 * S for r in waiting)
    assert deliver_due(runtime, NOW + 1800 * S, ids=ids).sent == []
    assert sorted(deliver_due(runtime, NOW + 3660 * S, ids=ids).sent) == sorted(r.id for r in waiting)
    assert len(line.calls("broadcast")) == 70


def test_the_limiter_lets_200_multicasts_a_second_through_across_threads(app):
    Session = get_storage(app).Session
    granted, lock = [], threading.Lock()

    def work(_name):
        for _ in range(150):
            wait = ratelimit.acquire(Session, "multicast", NOW)
            with lock:
                granted.append(wait)

    run_workers(2, work)
    assert sum(1 for w in granted if w == 0) == 200
    assert all(0 < w <= 1.0 for w in granted if w)
    assert ratelimit.acquire(Session, "multicast", NOW + 0.5 * S) == pytest.approx(0.5)
    assert ratelimit.acquire(Session, "multicast", NOW + S) == 0  # a new window
    assert ratelimit.usage(Session, "multicast") == (NOW + S, 1)
    assert ratelimit.acquire(Session, "reply", NOW) == 0  # not limited
    assert ratelimit.acquire(Session, "multicast", NOW + S, n=199) == 0  # several at once: 200 of 200
    assert ratelimit.acquire(Session, "multicast", NOW + S, n=2) > 0  # all or nothing
    assert ratelimit.usage(Session, "multicast") == (NOW + S, 200)
    with pytest.raises(ValueError):
        ratelimit.acquire(Session, "broadcast", NOW, n=61)


def test_a_run_waits_briefly_for_a_short_window_instead_of_giving_rows_back(app, runtime, line, monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "multicast", (2, 0.3))  # 2 requests per 0.3 s
    ids = [enqueue(app, "multicast", [user(i), user(i + 1)]).id for i in range(5)]
    started = time.monotonic()
    assert deliver_due(runtime, NOW, ids=ids).sent == ids
    assert time.monotonic() - started >= 0.6  # three windows
    assert len(line.calls("multicast")) == 5


def test_a_throttled_kind_waits_while_other_kinds_go_on(app, runtime, line, monkeypatch):
    monkeypatch.setattr(delivery, "MAX_LIMIT_WAIT", 0.0)
    monkeypatch.setitem(ratelimit.LIMITS, "broadcast", (1, 3600.0))
    cast1, cast2 = (enqueue(app, "broadcast", [], [f"ประกาศ {i}"]).id for i in range(2))
    push = enqueue(app).id
    report = deliver_due(runtime, NOW, ids=[cast1, cast2, push])
    assert (report.sent, report.released) == ([cast1, push], [cast2])
    assert row(app, cast2).status == "pending" and row(app, cast2).next_attempt_at >= NOW + 3600 * S
