"""Webhook throughput: our bot against the LINE SDK's echo example, both under `gunicorn -w 2`.

One run starts the fake LINE Messaging API (tests/fake_line.py, in a subprocess on loopback), then, one
after the other, (a) our app (`wsgi:app`) on a fresh SQLite database (or `--database-url`) and (b) the
SDK's flask-echo example (bench/flask_echo.py), each with `LINE_API_BASE_URL` at the fake. Both get the
same load: `--requests` signed webhook requests, one text message event each (realistic questions,
a unique `webhookEventId` and reply token each, from `--users` different 1:1 chats), posted by
`--concurrency` client threads over loopback, after `--warmup` requests that are not counted. A run
stops at `--time-limit` seconds per app whatever is left.

Prints requests/s of each, the ratio (ours / echo), p50/p99 latency of each, and how many replies the
fake LINE accepted. Targets (printed, not asserted): ratio >= 0.35, our p99 < 100 ms.
Run: python bench/throughput.py [--requests 1000] [--concurrency 4] [--database-url postgresql://…]
(a PostgreSQL database given by URL gets its tables created and filled).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import line_events as ev  # noqa: E402

SECRET = "bench-channel-secret"
TOKEN = "bench-channel-access-token"
TEXTS = ("ตบช. 2.1", "ใครรับผิดชอบการตรวจประเมินภายใน", "เกณฑ์ 1.1.5", "มฐ.2", "km ต้องมีหลักฐานอะไรบ้าง",
         "ประเด็น 5.3", "เกณฑ์ ๕.๒.๔", "หมวด 3", "สวัสดีค่ะ", "ตัวบ่งชี้ที่ ๑.๒")
TARGET_RATIO, TARGET_P99_MS = 0.35, 100.0


def user_ids(n: int) -> list[str]:
    """`n` LINE-shaped user IDs, the same in every run (their profiles are on the fake)."""
    return [f"U{0xbe00 + i:032x}" for i in range(n)]


# ---------------------------------------------------------------------- the fake LINE API (subprocess)

def serve_fake_line(users: int) -> None:
    """Run the fake LINE API until stdin closes: print its URL, then answer "stats" with a JSON line
    (replies accepted, invalid requests, profile look-ups) and "reset" by forgetting requests."""
    from tests.fake_line import FakeLine
    fake = FakeLine(access_token=TOKEN, quota=None)
    with fake:
        fake.profiles.update({u: {"displayName": f"ครูทดสอบ {i}", "language": "th"}
                              for i, u in enumerate(user_ids(users))})
        print(fake.url, flush=True)
        for line in sys.stdin:
            cmd = line.strip()
            if cmd == "stats":
                reqs = fake.requests
                print(json.dumps({"reply": sum(1 for r in reqs if r.endpoint == "reply" and r.delivered),
                                  "invalid": len(fake.invalid),
                                  "profile": sum(1 for r in reqs if r.endpoint == "profile"),
                                  "other": sum(1 for r in reqs if r.endpoint not in ("reply", "profile"))}),
                      flush=True)
            elif cmd == "reset":
                fake.reset(keep_config=True)
                print("ok", flush=True)


class FakeLineProcess:
    def __init__(self, users: int) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve-fake-line", "--users", str(users)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://"):
            raise RuntimeError("the fake LINE API did not start")

    def ask(self, cmd: str) -> str:
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def stats(self) -> dict:
        return json.loads(self.ask("stats"))

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


# ---------------------------------------------------------------------- the two apps under gunicorn

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """`gunicorn -w 2 APP` on a free loopback port, its output in `log`; stopped with SIGTERM."""

    def __init__(self, app: str, env: dict[str, str], log: Path, chdir: Path, workers: int = 2) -> None:
        self.port = free_port()
        self.log = log
        self._out = open(log, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "--chdir", str(chdir), app], env=env, stdout=self._out, stderr=subprocess.STDOUT, cwd=chdir)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until both workers have booted (gunicorn logs "Booting worker" per worker, and a request
        answers); the app is built when the worker boots, so the first request is not a cold start."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}:\n{self.log.read_text()[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/")
                conn.getresponse().read()
                conn.close()
                if self.log.read_text().count("Booting worker") >= 2:
                    time.sleep(1.0)  # both workers import and build the app before they accept
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start in {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._out.close()


# ---------------------------------------------------------------------- the load

@dataclass
class Outcome:
    name: str
    latencies: list[float] = field(default_factory=list)  # seconds, 200 answers only
    errors: int = 0
    wall: float = 0.0
    sent: int = 0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def pct(self, q: float) -> float:
        """The `q`-quantile latency in milliseconds (nearest rank)."""
        s = sorted(self.latencies)
        return s[min(len(s) - 1, int(q * len(s)))] * 1000 if s else float("nan")


def make_requests(n: int, users: list[str], seed: int) -> list[tuple[bytes, str]]:
    """`n` signed webhook bodies, one text event each: a fresh event ID and reply token per request."""
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        raw = ev.body(ev.text_event(rnd.choice(TEXTS), user_id=rnd.choice(users)))
        out.append((raw, ev.sign(raw, SECRET)))
    return out


def drive(name: str, port: int, requests: list[tuple[bytes, str]], concurrency: int, time_limit: float) -> Outcome:
    """Post `requests` to `/callback` from `concurrency` threads (one connection per request, as gunicorn's
    sync workers close each); stop early at `time_limit` seconds."""
    result = Outcome(name)
    lock = threading.Lock()
    it = iter(requests)
    deadline = time.monotonic() + time_limit

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                item = next(it, None)
            if item is None:
                return
            raw, sig = item
            t0 = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("POST", "/callback", body=raw,
                             headers={"X-Line-Signature": sig, "Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                conn.close()
                ok = resp.status == 200
            except OSError:
                ok = False
            took = time.perf_counter() - t0
            with lock:
                result.sent += 1
                if ok:
                    result.latencies.append(took)
                else:
                    result.errors += 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(time_limit + 60)
    result.wall = time.perf_counter() - started
    return result


def run_app(name: str, app: str, chdir: Path, env: dict[str, str], fake: FakeLineProcess, log: Path,
            warmup: list, load: list, args: argparse.Namespace) -> tuple[Outcome, dict]:
    server = Gunicorn(app, env, log, chdir)
    try:
        drive(name, server.port, warmup, args.concurrency, args.time_limit)
        fake.ask("reset")
        outcome = drive(name, server.port, load, args.concurrency, args.time_limit)
        time.sleep(0.2)
        return outcome, fake.stats()
    finally:
        server.stop()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=1000, help="measured requests per app")
    p.add_argument("--warmup", type=int, default=100, help="requests per app before measuring")
    p.add_argument("--concurrency", type=int, default=4, help="client threads")
    p.add_argument("--users", type=int, default=50, help="distinct LINE users sending the messages")
    p.add_argument("--time-limit", type=float, default=120.0, help="seconds per app at most")
    p.add_argument("--database-url", default=None, help="our app's DATABASE_URL (default: a fresh SQLite)")
    p.add_argument("--only", choices=("ours", "echo"), default=None, help="run one app only")
    p.add_argument("--log-dir", type=Path, default=None, help="keep the gunicorn logs (ours.log, echo.log) here")
    p.add_argument("--serve-fake-line", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve_fake_line:
        serve_fake_line(args.users)
        return
    if not 1 <= args.concurrency <= 64 or not 1 <= args.requests <= 100_000:
        p.error("--concurrency must be 1..64 and --requests 1..100000")

    users = user_ids(args.users)
    warmup, load = make_requests(args.warmup, users, 1), make_requests(args.requests, users, 2)
    fake = FakeLineProcess(args.users)
    results: dict[str, tuple[Outcome, dict]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        logs = args.log_dir or Path(tmp)
        logs.mkdir(parents=True, exist_ok=True)
        base = {k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "DATABASE_URL"))}
        base |= {"LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": TOKEN, "LINE_API_BASE_URL": fake.url,
                 "PYTHONUNBUFFERED": "1"}
        ours_env = base | {"DATABASE_URL": args.database_url or f"sqlite:///{tmp}/bench.sqlite3",
                           "SCHEDULER_EMBEDDED": "0"}
        try:
            if args.only in (None, "ours"):
                # migrate and load the content once, before two workers start on the database
                subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], env=ours_env,
                               cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                results["ours"] = run_app("ours", "wsgi:app", ROOT, ours_env, fake, logs / "ours.log",
                                          warmup, load, args)
            if args.only in (None, "echo"):
                results["echo"] = run_app("echo", "flask_echo:app", ROOT / "bench", base, fake,
                                          logs / "echo.log", warmup, load, args)
        finally:
            fake.close()

    print(f"load                {args.requests} signed text-message webhooks per app ({args.warmup} warm-up), "
          f"{args.concurrency} client threads, {args.users} users, gunicorn -w 2, "
          f"{'SQLite' if not args.database_url else args.database_url.split(':')[0]}")
    for name, (o, stats) in results.items():
        label = "ours (wsgi:app)" if name == "ours" else "echo (SDK example)"
        print(f"{label:<19} {o.rps:7.1f} req/s   p50 {o.pct(0.50):6.1f} ms   p99 {o.pct(0.99):6.1f} ms   "
              f"{len(o.latencies)} ok, {o.errors} failed, {o.sent - len(o.latencies) - o.errors} unsent; "
              f"fake LINE: {stats['reply']} replies, {stats['profile']} profile look-ups, "
              f"{stats['invalid']} invalid")
    if "ours" in results and "echo" in results:
        ours, echo = results["ours"][0], results["echo"][0]
        ratio = ours.rps / echo.rps if echo.rps else float("nan")
        print(f"ratio ours/echo     {ratio:.2f}   target >= {TARGET_RATIO}  {'OK' if ratio >= TARGET_RATIO else 'UNDER'}")
    if "ours" in results:
        p99 = results["ours"][0].pct(0.99)
        print(f"our p99             {p99:.1f} ms   target < {TARGET_P99_MS:.0f} ms  "
              f"{'OK' if p99 < TARGET_P99_MS else 'OVER'}")


if __name__ == "__main__":
    main()
