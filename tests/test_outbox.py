"""The durable outbox: crash recovery, retries with one X-Line-Retry-Key, failures, dead letters,
concurrent workers, and the scheduler that runs the delivery job.

Time is stepped with explicit `now` values far in the future, and every delivery names its rows
(`ids=`), so rows of other test sessions sharing a PostgreSQL database are never touched.
"""
from __future__ import annotations

import dataclasses
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import select

import bot.send
import scheduler
from bot import create_app, delivery
from bot.delivery import MAX_ATTEMPTS, deliver_due
from bot.send import SdkLineApi, Sender
from handlers.core.types import Settings
from scheduler import jobs
from scheduler.__main__ import build_scheduler
from storage import get_storage, outbox
from storage.models import OutboxMessage
from tests.conftest import ADMIN, SECRET, TOKEN

NOW = datetime(2099, 3, 2, 2, 0, tzinfo=timezone.utc)  # 2 มี.ค. 2642 09:00 น. in Bangkok
ADMIN2 = "U" + "d" * 32
S = timedelta(seconds=1)


def user(i: int) -> str:
    return f"U{'b' * 24}{i:08x}"


def text(t: str) -> dict:
    return {"type": "text", "text": t}


def enqueue(app, kind="push", to=None, texts=("สวัสดีค่ะ",), **kw) -> OutboxMessage:
    to = [user(0)] if to is None else to
    with get_storage(app).Session.begin() as session:
        return outbox.enqueue(session, kind, to, [text(t) for t in texts], NOW, **kw)


def pushes(app, n: int, **kw) -> list[int]:
    return [enqueue(app, to=[user(i)], texts=[f"ข้อความที่ {i}"], **kw).id for i in range(n)]


def row(app, row_id: int) -> OutboxMessage:
    with get_storage(app).Session() as session:
        return session.get(OutboxMessage, row_id)


def notices(app) -> list[OutboxMessage]:
    with get_storage(app).Session() as session:
        return list(session.scalars(select(OutboxMessage).where(
            OutboxMessage.origin == delivery.DEAD_LETTER_ORIGIN, OutboxMessage.created_at >= NOW)
            .order_by(OutboxMessage.id)))


def keys(line, endpoint="push") -> list[str]:
    """The X-Line-Retry-Key of every request to `endpoint`, answered or refused."""
    return [r.header("X-Line-Retry-Key") for r in line.calls(endpoint, delivered_only=False)]


@pytest.fixture
def runtime(app):
    return app.extensions["bot"]


# -- crashes ------------------------------------------------------------------------------------------

def test_a_crash_between_claim_and_send_sends_each_message_once_after_the_lease(app, runtime, line):
    ids = pushes(app, 3)
    with get_storage(app).Session.begin() as session:
        assert [r.id for r in outbox.claim(session, "A", NOW, ids=ids)] == ids
    # worker A dies here; a restart within A's lease leaves its rows alone
    assert deliver_due(runtime, NOW + 59 * S, worker="B", ids=ids).sent == []
    assert line.requests == []
    assert deliver_due(runtime, NOW + 61 * S, worker="B", ids=ids).sent == ids
    with get_storage(app).Session.begin() as session:  # A comes back: its late word does not count
        assert not outbox.mark_retry(session, ids[0], "A", NOW, 500, "late", None)
    assert deliver_due(runtime, NOW + 3600 * S, worker="C", ids=ids).sent == []
    rows = [row(app, i) for i in ids]
    assert keys(line) == [r.retry_key for r in rows]
    assert [p["to"] for p in line.pushes()] == [user(0), user(1), user(2)]
    assert [(r.status, r.claimed_by, r.attempts, r.sent_at) for r in rows] == [("sent", "B", 2, NOW + 61 * S)] * 3


def test_a_worker_whose_lease_ran_out_cannot_record_over_the_new_holder(app):
    row_id = enqueue(app).id
    with get_storage(app).Session.begin() as session:
        assert [r.id for r in outbox.claim(session, "A", NOW, ids=[row_id])] == [row_id]
    with get_storage(app).Session.begin() as session:  # A is slow; its lease runs out and B takes the row
        assert [r.id for r in outbox.claim(session, "B", NOW + 61 * S, ids=[row_id])] == [row_id]
    with get_storage(app).Session.begin() as session:
        assert not outbox.mark_failed(session, row_id, "A", "failed", 400, "late", None)
        assert not outbox.release(session, [row_id], "A")
    held = row(app, row_id)
    assert (held.status, held.claimed_by, held.attempts) == ("sending", "B", 2)
    with get_storage(app).Session.begin() as session:
        assert outbox.mark_sent(session, row_id, "B", NOW + 62 * S, "req-1")
    assert row(app, row_id).status == "sent"


def test_a_crash_after_line_accepted_the_push_ends_with_a_409_that_counts_as_sent(app, runtime, line):
    row_id = enqueue(app, texts=["ประชุมบ่ายสองค่ะ"]).id
    with get_storage(app).Session.begin() as session:
        [claimed] = outbox.claim(session, "A", NOW, ids=[row_id])
    runtime.sender.api.send(claimed.kind, claimed.recipients, claimed.messages, claimed.retry_key)
    # ...and A dies before recording it
    assert deliver_due(runtime, NOW + 61 * S, worker="B", ids=[row_id]).sent == [row_id]
    first, again = line.calls("push", delivered_only=False)
    assert (first.status, again.status) == (200, 409)
    assert keys(line) == [claimed.retry_key] * 2
    assert len(line.pushes()) == 1 and line.usage == 1
    done = row(app, row_id)
    assert (done.status, done.last_status, done.request_id) == ("sent", 409, first.request_id)


def test_a_5xx_after_line_accepted_is_retried_and_the_409_counts_as_sent(app, runtime, line):
    row_id = enqueue(app).id
    line.fail_next("push", 500, accept=True)
    assert deliver_due(runtime, NOW, ids=[row_id]).retry == [row_id]
    assert deliver_due(runtime, NOW + 5 * S, ids=[row_id]).sent == [row_id]
    assert [r.status for r in line.calls("push", delivered_only=False)] == [500, 409]
    assert len(line.pushes()) == 1 and line.usage == 1
    assert len(set(keys(line))) == 1


# -- retries ------------------------------------------------------------------------------------------

def test_a_429_waits_for_retry_after_and_keeps_the_retry_key(app, runtime, line):
    row_id = enqueue(app).id
    line.fail_next("push", 429, retry_after=7)
    assert deliver_due(runtime, NOW, ids=[row_id]).retry == [row_id]
    waiting = row(app, row_id)
    assert (waiting.status, waiting.attempts, waiting.last_status) == ("pending", 1, 429)
    assert waiting.next_attempt_at == NOW + 7 * S and "Too Many Requests" in waiting.last_error
    assert deliver_due(runtime, NOW + 6 * S, ids=[row_id]).sent == []
    assert deliver_due(runtime, NOW + 7 * S, ids=[row_id]).sent == [row_id]
    assert keys(line) == [waiting.retry_key] * 2


def test_a_429_holds_back_the_rest_of_the_batch_without_using_their_tries(app, runtime, line):
    ids = pushes(app, 3)
    line.fail_next("push", 429, retry_after=7)
    report = deliver_due(runtime, NOW, ids=ids)
    assert (report.retry, report.released) == (ids[:1], ids[1:])
    assert len(line.requests) == 1
    assert [(r.status, r.attempts, r.next_attempt_at) for r in map(lambda i: row(app, i), ids[1:])] == \
        [("pending", 0, NOW + 7 * S)] * 2
    assert deliver_due(runtime, NOW + 7 * S, ids=ids).sent == ids
    assert len(line.pushes()) == 3


def test_5xx_is_retried_with_growing_backoff_and_the_same_key(app, runtime, line):
    row_id = enqueue(app).id
    line.fail_next("push", 500, times=2)
    assert deliver_due(runtime, NOW, ids=[row_id]).retry == [row_id]
    assert row(app, row_id).next_attempt_at == NOW + 5 * S
    assert deliver_due(runtime, NOW + 4 * S, ids=[row_id]).retry == []
    assert deliver_due(runtime, NOW + 5 * S, ids=[row_id]).retry == [row_id]
    assert row(app, row_id).next_attempt_at == NOW + 15 * S
    assert deliver_due(runtime, NOW + 15 * S, ids=[row_id]).sent == [row_id]
    assert [r.status for r in line.calls("push", delivered_only=False)] == [500, 500, 200]
    assert keys(line) == [row(app, row_id).retry_key] * 3


@pytest.mark.parametrize("trouble, error", [("silent", "timed out"), ("closed", "refused")])
def test_no_answer_from_line_is_retried_with_the_same_key(app, runtime, line, monkeypatch, trouble, error):
    row_id = enqueue(app).id
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    if trouble == "silent":
        sock.listen(8)  # connections are accepted by the kernel; nobody ever answers
    else:
        sock.close()
    monkeypatch.setattr(bot.send, "REQUEST_TIMEOUT", 0.3)
    api = SdkLineApi(f"http://127.0.0.1:{port}", TOKEN)
    try:
        report = deliver_due(dataclasses.replace(runtime, sender=Sender(api)), NOW, ids=[row_id])
    finally:
        api.close()
        sock.close()
    assert report.retry == [row_id]
    waiting = row(app, row_id)
    assert (waiting.status, waiting.last_status, waiting.next_attempt_at) == ("pending", None, NOW + 5 * S)
    assert error in waiting.last_error
    assert deliver_due(runtime, NOW + 5 * S, ids=[row_id]).sent == [row_id]
    assert keys(line) == [waiting.retry_key]


def test_a_run_gives_back_what_it_cannot_send_within_its_time_budget(app, runtime, line, monkeypatch):
    monkeypatch.setattr(delivery, "SEND_BUDGET", 0.0)  # every run sends one row, then stops
    ids = pushes(app, 3)
    report = deliver_due(runtime, NOW, ids=ids)
    assert (report.sent, report.released) == (ids[:1], ids[1:])
    assert [(row(app, i).status, row(app, i).attempts) for i in ids[1:]] == [("pending", 0)] * 2
    assert deliver_due(runtime, NOW, ids=ids).sent == ids[1:2]
    assert deliver_due(runtime, NOW, ids=ids).sent == ids[2:]
    assert sorted(keys(line)) == sorted(row(app, i).retry_key for i in ids)


# -- failures and dead letters ------------------------------------------------------------------------

BAD_TO = {"message": "The property, 'to', in the request body is invalid (line: -, column: -)"}


def test_a_400_fails_at_once_keeps_lines_error_and_tells_each_admin(app, runtime, line):
    two_admins = dataclasses.replace(runtime, settings=Settings(frozenset({ADMIN, ADMIN2})))
    row_id = enqueue(app, texts=["ประชุมบ่ายนี้ ห้องประชุม 1"], origin="notice").id
    line.fail_next("push", 400, BAD_TO)
    assert deliver_due(two_admins, NOW, ids=[row_id]).failed == [row_id]
    assert deliver_due(two_admins, NOW + 3600 * S, ids=[row_id]).failed == []
    failed = row(app, row_id)
    assert (failed.status, failed.attempts, failed.last_status) == ("failed", 1, 400)
    assert "'to', in the request body is invalid" in failed.last_error
    assert keys(line) == [failed.retry_key]
    told = notices(app)
    assert sorted(n.recipients[0] for n in told) == [ADMIN, ADMIN2]
    assert deliver_due(two_admins, NOW, ids=[n.id for n in told]).sent == [n.id for n in told]
    for push in line.pushes():
        notice = push["messages"][0]["text"]
        assert "ส่งไม่สำเร็จ" in notice and "ค่ะ" in notice
        assert f"รายการที่ {row_id} (ส่งถึง 1 ห้องแชต · การแจ้งเตือน)" in notice
        assert "เข้าคิวเมื่อ 2 มี.ค. 2642 09:00 น." in notice and "ประชุมบ่ายนี้" in notice
        assert "LINE ไม่รับข้อความนี้ (ตอบ 400: The property, 'to'" in notice


def test_a_failed_dead_letter_notice_is_only_logged_never_reported_again(app, runtime, line):
    row_id = enqueue(app).id
    line.fail_next("push", 400, BAD_TO, times=2)
    deliver_due(runtime, NOW, ids=[row_id])
    [notice] = notices(app)
    assert deliver_due(runtime, NOW, ids=[notice.id]).failed == [notice.id]
    assert [n.id for n in notices(app)] == [notice.id]
    assert deliver_due(runtime, NOW + 3600 * S, ids=[notice.id]).failed == []
    assert len(line.calls("push", delivered_only=False)) == 2


def test_failures_before_a_notice_leaves_are_added_to_it(app, runtime, line):
    ids = pushes(app, 2)
    line.fail_next("push", 400, BAD_TO, times=2)
    assert deliver_due(runtime, NOW, ids=ids).failed == ids
    [notice] = notices(app)
    assert all(f"รายการที่ {i} " in notice.messages[0]["text"] for i in ids)


def test_after_max_attempts_a_row_is_dead_and_admins_are_told(app, runtime, line):
    row_id = enqueue(app, texts=["แจ้งกำหนดส่งรายงาน"]).id
    line.fail_next("push", 503, times=MAX_ATTEMPTS)
    at, waits = NOW, []
    for _ in range(MAX_ATTEMPTS - 1):
        assert deliver_due(runtime, at, ids=[row_id]).retry == [row_id]
        waits.append(row(app, row_id).next_attempt_at - at)
        at += waits[-1]
    assert deliver_due(runtime, at, ids=[row_id]).dead == [row_id]
    dead = row(app, row_id)
    assert (dead.status, dead.attempts, dead.last_status) == ("dead", MAX_ATTEMPTS, 503)
    assert waits == [min(5 * 2 ** n, 600) * S for n in range(MAX_ATTEMPTS - 1)]
    assert sum(waits, timedelta()) > timedelta(minutes=30)  # a LINE outage this long loses nothing
    assert keys(line) == [dead.retry_key] * MAX_ATTEMPTS
    assert deliver_due(runtime, at + 86400 * S, ids=[row_id]).sent == []
    [notice] = notices(app)
    assert notice.recipients == [ADMIN]
    assert f"ลองส่ง {MAX_ATTEMPTS} ครั้งแล้วไม่สำเร็จ ครั้งล่าสุด LINE ตอบ 503" in notice.messages[0]["text"]


def test_a_row_the_sdk_cannot_send_fails_without_holding_up_the_others(app, runtime, line):
    with get_storage(app).Session.begin() as session:
        bad = outbox.enqueue(session, "push", [user(1)], [{"type": "text"}], NOW).id  # no "text"
    good = enqueue(app).id
    report = deliver_due(runtime, NOW, ids=[bad, good])
    assert (report.failed, report.sent) == ([bad], [good])
    assert row(app, bad).last_status is None and "ValidationError" in row(app, bad).last_error
    assert "ข้อความในคิวผิดรูปแบบ" in notices(app)[0].messages[0]["text"]


@pytest.mark.parametrize("kind, to, messages", [
    ("push", [], 1), ("push", [user(1), user(2)], 1), ("multicast", [], 1),
    ("multicast", [user(i) for i in range(501)], 1), ("broadcast", [user(1)], 1), ("push", [user(1)], 0),
    ("push", [user(1)], 6), ("narrowcast", [], 1)])
def test_enqueue_refuses_what_line_would_refuse(app, kind, to, messages):
    with pytest.raises(ValueError), get_storage(app).Session.begin() as session:
        outbox.enqueue(session, kind, to, [text("x")] * messages, NOW)


# -- many workers -------------------------------------------------------------------------------------

def run_workers(n: int, work) -> None:
    errors, start = [], threading.Barrier(n)

    def run(i):
        try:
            start.wait()
            work(f"worker-{i}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_concurrent_claims_never_share_a_row(app):
    ids = pushes(app, 200)
    claimed: list[int] = []

    def work(name):
        while True:
            with get_storage(app).Session.begin() as session:
                got = [r.id for r in outbox.claim(session, name, NOW, limit=9, ids=ids)]
            if not got:
                return
            claimed.extend(got)

    run_workers(4, work)
    assert sorted(claimed) == ids


def test_four_delivery_workers_send_200_rows_exactly_once(app, runtime, line):
    ids = pushes(app, 200)

    def work(name):
        while deliver_due(runtime, NOW, worker=name, limit=7, ids=ids).sent:
            pass

    run_workers(4, work)
    rows = [row(app, i) for i in ids]
    assert len(line.calls("push", delivered_only=False)) == 200
    assert sorted(keys(line)) == sorted(r.retry_key for r in rows) and len(set(keys(line))) == 200
    assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}
    assert len({r.claimed_by for r in rows}) > 1


# -- kinds and cost -----------------------------------------------------------------------------------

def test_multicast_broadcast_and_group_push_use_their_endpoints_the_key_and_record_the_cost(app, runtime, line):
    group = "C" + "e" * 32
    line.groups[group] = {"groupName": "กลุ่มนโยบายและแผน", "count": 12}
    line.friend_count = 40
    users = [user(i) for i in range(3)]
    multi = enqueue(app, "multicast", users, ["ประชุมพรุ่งนี้ 9 โมงค่ะ", "ห้องประชุม 2"])
    cast = enqueue(app, "broadcast", [], ["ประกาศปิดระบบ 18:00 น."], cost=40)
    to_group = enqueue(app, "push", [group], ["ส่งรายงานภายในวันศุกร์ค่ะ"], cost=12)
    ids = [multi.id, cast.id, to_group.id]
    assert deliver_due(runtime, NOW, ids=ids).sent == ids
    [m] = line.calls("multicast")
    assert (m.json["to"], len(m.json["messages"]), m.header("X-Line-Retry-Key")) == (users, 2, multi.retry_key)
    assert keys(line, "broadcast") == [cast.retry_key] and keys(line, "push") == [to_group.retry_key]
    assert [multi.cost, cast.cost, to_group.cost] == [3, 40, 12]
    assert line.usage == 3 + 40 + 12  # what LINE counted is what the outbox recorded


# -- the scheduler ------------------------------------------------------------------------------------

def test_add_jobs_registers_every_job_once_with_its_own_id(runtime):
    sched = scheduler.add_jobs(BackgroundScheduler(timezone="UTC"), runtime)
    sched.start(paused=True)  # jobs go into the job store, none runs
    try:
        scheduler.add_jobs(sched, runtime)  # again: replaced, not doubled
        assert sorted(j.id for j in sched.get_jobs()) == sorted(jobs.SCHEDULE)
        assert {"deliver-outbox", "prune-events"} <= set(jobs.SCHEDULE)
        deliver = sched.get_job("deliver-outbox")
        assert deliver.trigger.interval == 3 * S and deliver.max_instances == 1 and deliver.coalesce
        assert deliver.args == (runtime, "deliver-outbox")
    finally:
        sched.shutdown(wait=True)


def test_the_deliver_outbox_job_sends_what_is_due(app, runtime, line):
    row_id = enqueue(app).id
    assert re.fullmatch(r"sent \d+, retry \d+, failed \d+, dead \d+, released \d+, held \d+",
                        jobs.run(runtime, "deliver-outbox", NOW - S))
    assert row(app, row_id).status == "pending"
    jobs.run(runtime, "deliver-outbox", NOW)
    assert row(app, row_id).status == "sent" and keys(line) == [row(app, row_id).retry_key]


def test_a_failing_job_is_logged_and_does_not_stop_the_scheduler(caplog):
    broken = SimpleNamespace(storage=SimpleNamespace(Session=None))
    scheduler._run_job(broken, "deliver-outbox")
    assert "job deliver-outbox failed" in caplog.text


def test_web_apps_run_no_jobs_and_scheduler_embedded_runs_them_in_the_app(app, database_url, fake_line,
                                                                          monkeypatch):
    assert "scheduler" not in app.extensions
    ran = threading.Event()
    for name in jobs.JOBS:  # stand-ins: the real jobs would touch rows of other tests
        monkeypatch.setitem(jobs.JOBS, name, lambda runtime, now, name=name: ran.set() if name == "deliver-outbox"
                            else "")
    dev = create_app({"TESTING": True, "DATABASE_URL": database_url, "LINE_API_BASE_URL": fake_line.url,
                      "LINE_CHANNEL_ACCESS_TOKEN": TOKEN, "AUTO_MIGRATE": False, "LOAD_CONTENT": False,
                      "SCHEDULER_EMBEDDED": True})
    sched = dev.extensions["scheduler"]
    try:
        assert isinstance(sched, BackgroundScheduler) and sched.running
        assert sorted(j.id for j in sched.get_jobs()) == sorted(jobs.SCHEDULE)
        assert ran.wait(5), "the embedded scheduler did not run deliver-outbox"
    finally:
        sched.shutdown(wait=True)
        get_storage(dev).engine.dispose()


def test_the_scheduler_process_builds_its_jobs_without_starting(app):
    sched = build_scheduler(app)
    assert isinstance(sched, BlockingScheduler) and not sched.running
    assert sorted(j.id for j in sched.get_jobs()) == sorted(jobs.SCHEDULE)
    assert "scheduler" not in app.extensions


def test_python_m_scheduler_delivers_and_stops_cleanly_on_sigterm(app, line, database_url, tmp_path):
    with get_storage(app).Session.begin() as session:  # due now, in real time
        row_id = outbox.enqueue(session, "push", [user(7)], [text("จากกระบวนการ scheduler ค่ะ")],
                                datetime.now(timezone.utc)).id
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root), "DATABASE_URL": database_url, "LINE_CHANNEL_SECRET": SECRET,
           "LINE_CHANNEL_ACCESS_TOKEN": TOKEN, "LINE_API_BASE_URL": line.url, "SCHEDULER_EMBEDDED": ""}
    proc = subprocess.Popen([sys.executable, "-m", "scheduler"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while row(app, row_id).status != "sent" and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert row(app, row_id).status == "sent", err
    assert [p["to"] for p in line.pushes()] == [user(7)]
    assert proc.returncode == 0, err
    assert re.search(r"scheduler process started: .*deliver-outbox", err) and "scheduler process stopped" in err


def test_prune_outbox_forgets_only_rows_that_ended_long_ago(app, runtime, line):
    line.fail_next("push", 400, BAD_TO)
    failed, sent, waiting = pushes(app, 3)
    deliver_due(runtime, NOW, ids=[failed, sent])
    later = NOW + outbox.KEEP + S
    assert jobs.run(runtime, "prune-outbox", NOW + outbox.KEEP) == "pruned 0 outbox rows"
    assert jobs.run(runtime, "prune-outbox", later) == "pruned 2 outbox rows"
    assert row(app, failed) is None and row(app, sent) is None
    assert row(app, waiting).status == "pending" and notices(app)[0].status == "pending"


def test_prune_keeps_rows_with_a_dedupe_key_until_they_are_over_a_year_old(app, runtime, line):
    keyed = enqueue(app, dedupe_key="rem:1:done:Cgroup").id
    plain = enqueue(app, to=[user(1)]).id
    deliver_due(runtime, NOW, ids=[keyed, plain])
    assert jobs.run(runtime, "prune-outbox", NOW + outbox.KEEP + S) == "pruned 1 outbox rows"
    assert row(app, plain) is None and row(app, keyed).status == "sent"
    assert enqueue(app, dedupe_key="rem:1:done:Cgroup") is None  # the key still stops a second "ครบแล้ว"
    assert jobs.run(runtime, "prune-outbox", NOW + outbox.KEEP_KEYED + S) == "pruned 1 outbox rows"
