"""The offline chat console: a newcomer's way to try the bot without a LINE channel."""
import time
from datetime import datetime, timezone

import pytest

from bot import console, create_app
from bot.console import Console
from scheduler import jobs
from storage import get_storage, outbox


CONSOLE_ADMIN = "U" + "c0" * 16


@pytest.fixture(scope="module")
def offline_app(database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "LINE_CHANNEL_SECRET": "",
                      "LINE_CHANNEL_ACCESS_TOKEN": "", "LINE_ADMIN_USER_IDS": CONSOLE_ADMIN})
    yield app
    get_storage(app).engine.dispose()


def test_the_console_answers_codes_and_questions_and_numbers_press_buttons(offline_app):
    console = Console(offline_app.extensions["bot"])
    out = console.handle_line("ตบช. 2.1")
    assert "ตัวบ่งชี้ที่ 2.1" in out and "[1]" in out
    out = console.handle_line("ใครรับผิดชอบการตรวจประเมินภายใน")
    assert "เกณฑ์ 1.1.5" in out and "หลัก: กลุ่มอำนวยการ" in out
    number = next(line.split("]")[0].strip("[") for line in out.splitlines() if "รายละเอียดเต็ม" in line)
    details = console.handle_line(number)
    assert details.startswith("(กด: รายละเอียดเกณฑ์ 1.1.5)") and "ร่องรอยหลักฐาน" in details


def test_in_a_group_the_console_needs_the_bot_to_be_called(offline_app):
    console = Console(offline_app.extensions["bot"])
    console.handle_line("/group")
    assert console.handle_line("ประชุมบ่ายนี้นะ") == "(บอทไม่ตอบ)"
    assert "ตัวบ่งชี้ที่ 5.1" in console.handle_line("บอท ตบช 5.1")


def test_messages_to_other_people_are_shown_apart_and_their_buttons_not_numbered(offline_app):
    console = Console(offline_app.extensions["bot"], user_id="U" + "c1" * 16)
    console.handle_line("ลงทะเบียน")
    out = console.handle_line("1")  # บุคลากรสำนักงาน
    console.handle_line("นโยบายและแผน")
    console.handle_line("สมชาย ทดสอบ")  # name, then position
    out = console.handle_line("นักวิเคราะห์นโยบายและแผน")
    mine, _, elsewhere = out.partition("📨")
    assert "ส่งคำขอลงทะเบียน" in mine and f"(push ถึง {CONSOLE_ADMIN})" in elsewhere
    assert "คำขอลงทะเบียน" in elsewhere and console.options == []
    console.handle_line(f"/as {CONSOLE_ADMIN}")
    out = console.handle_line("คำขอลงทะเบียน")
    approve = next(line.split("]")[0].strip("[") for line in out.splitlines() if "] อนุมัติ" in line)
    out = console.handle_line(approve)
    assert "อนุมัติคำขอ" in out and f"(push ถึง {'U' + 'c1' * 16})" in out and "ยินดีด้วยค่ะ" in out


def test_the_flask_chat_command_runs_offline(offline_app):
    runner = offline_app.test_cli_runner()
    result = runner.invoke(args=["chat"], input="สวัสดี\nเกณฑ์ ๕.๒.๔\n/quit\n")
    assert result.exit_code == 0, result.output
    assert "บอท> " in result.output and "เกณฑ์ 5.2.4" in result.output
    assert "scheduler" not in offline_app.extensions  # the console stopped the jobs it started


def test_what_background_jobs_send_is_shown_with_a_mail_line(offline_app):
    """The README promises 📨 lines for what the jobs send: a multicast, a group push, a push to you."""
    console = Console(offline_app.extensions["bot"], user_id=CONSOLE_ADMIN)
    runtime = console.runtime
    now = datetime.now(timezone.utc)
    with runtime.storage.Session.begin() as session:
        outbox.enqueue(session, "multicast", ["U" + "c3" * 16, "U" + "c4" * 16],
                       [{"type": "text", "text": "ประชุมพรุ่งนี้ 9 โมง"}], now, origin="broadcast:1")
        outbox.enqueue(session, "push", [CONSOLE_ADMIN], [{"type": "text", "text": "รายงานผลการส่งประกาศ #1"}],
                       now, origin="broadcast-report:1")
    jobs.run(runtime, "deliver-outbox", now)
    lines = console.drain()
    assert any(line.startswith("📨 (multicast ถึง") and "ประชุมพรุ่งนี้ 9 โมง" in line for line in lines)
    assert any(line.startswith("📨 (push ถึง คุณ)") and "รายงานผลการส่งประกาศ" in line for line in lines)
    assert console.drain() == []


def test_the_console_loop_prints_job_messages_as_they_come(offline_app):
    started = []

    def start_jobs(runtime):
        def deliver():
            with runtime.storage.Session.begin() as session:
                outbox.enqueue(session, "push", ["C" + "d1" * 16], [{"type": "text", "text": "เตือนส่งงาน"}],
                               datetime.now(timezone.utc), origin="notice")
            jobs.run(runtime, "deliver-outbox", datetime.now(timezone.utc))
        started.append(deliver)
        return lambda: None

    written: list[str] = []
    inputs = iter(["สวัสดี"])

    def read(_prompt):
        line = next(inputs, None)
        if line is None:
            started[0]()  # a job sends while the person is idle
            time.sleep(0.3)
            raise EOFError
        return line

    console.run(offline_app.extensions["bot"], read=read, write=written.append, start_jobs=start_jobs, poll=0.05)
    assert any(w.startswith("📨 (push ถึง Cd1") and "เตือนส่งงาน" in w for w in written)


def test_without_a_channel_secret_the_webhook_is_off(offline_app):
    assert offline_app.test_client().post("/callback", data=b"{}").status_code == 503


def test_a_fresh_checkout_creates_its_sqlite_folder_on_first_start(tmp_path):
    url = f"sqlite:///{tmp_path / 'instance' / 'nested' / 'bot.sqlite3'}"
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    assert app.test_client().get("/healthz").status_code == 200
    get_storage(app).engine.dispose()
