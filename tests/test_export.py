"""Progress files through the real paths: the admin commands over signed webhooks (the fake LINE API
validates the image message), the signed links served by the app, and `flask sar export`.

The progress is a hand-built `OfficeProgress` (tests/evidence_support.py) put in place of
`handlers.evidence.reporting.build_progress`, so the files' contents are known; tests/test_evidence.py
walks the same path with real reports."""
from __future__ import annotations

import dataclasses
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from PIL import Image

import handlers
from bot import files, render, sar_cli
from handlers.core import types as t
from handlers.evidence import export
from storage import get_storage
from tests.conftest import ADMIN, Chat, bubbles, texts
from tests.evidence_support import sample_progress

BASE = "https://bot.example.go.th"
OFFICE = "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาทดสอบ เขต 1"


@pytest.fixture
def reporting(monkeypatch):
    """`build_progress` replaced by the sample progress, recording the round ids asked for."""
    calls = []

    def build_progress(session, content, round_id, office_name="", now=None):
        calls.append(round_id)
        return sample_progress(office_name)

    monkeypatch.setattr(export, "build_progress", build_progress)
    monkeypatch.setattr(sar_cli, "build_progress", build_progress)
    return calls


@pytest.fixture
def exports(app, monkeypatch):
    """The runtime's Exports on a public HTTPS base URL, and the office's configured name."""
    assert all(c in {cmd for _, cmd in handlers.COMMANDS.items} for c in export.COMMANDS)  # registered
    runtime = app.extensions["bot"]
    monkeypatch.setattr(runtime, "settings", dataclasses.replace(runtime.settings, office_name=OFFICE))
    links = dataclasses.replace(app.extensions["files"], base_url=BASE)
    monkeypatch.setattr(runtime, "exports", files.Exports(links, runtime.content))
    return links


def _get(client, url: str):
    """GET a link of ours through the app; the body is read and the file closed."""
    assert url.startswith(BASE + "/files/")
    resp = client.get(url[len(BASE):])
    resp.get_data()
    resp.close()
    return resp


def test_admin_gets_signed_links_to_the_sar_draft(webhook, line, client, reporting, exports):
    admin = Chat(webhook, line, user_id=ADMIN)
    msgs = admin.say("ส่งออก SAR ค่ะ")
    assert reporting == [None]  # the latest SAR round
    shown = texts(msgs)
    assert "ร่างรายงาน SAR" in shown and "มีหลักฐานแล้ว 3 จาก 7 รายการ (43%)" in shown and "ลิงก์ใช้ได้ถึง" in shown
    buttons = [n["action"] for b in bubbles(msgs) for n in b["footer"]["contents"]]
    assert [b["label"] for b in buttons] == ["ดาวน์โหลด Word", "ดาวน์โหลด Excel"]
    docx = _get(client, buttons[0]["uri"])
    assert docx.status_code == 200 and "attachment" in docx.headers["Content-Disposition"]
    assert "no-store" in docx.headers["Cache-Control"]
    doc = Document(io.BytesIO(docx.data))
    assert OFFICE in [p.text for p in doc.paragraphs]
    xlsx = _get(client, buttons[1]["uri"])
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.data))["SAR"]
    assert "ต้องแก้ไข" in [c.value for c in ws["E"]]


def test_admin_gets_the_chart_as_an_image_message(webhook, line, client, reporting, exports):
    msgs = Chat(webhook, line, user_id=ADMIN).say("กราฟความคืบหน้า")
    assert [m["type"] for m in msgs] == ["text", "image"]
    assert "43%" in msgs[0]["text"]
    image = msgs[1]
    full, preview = _get(client, image["originalContentUrl"]), _get(client, image["previewImageUrl"])
    assert full.status_code == preview.status_code == 200 and full.mimetype == "image/png"
    assert Image.open(io.BytesIO(preview.data)).width < Image.open(io.BytesIO(full.data)).width
    assert len(preview.data) < 1_000_000


def test_staff_and_group_chats_are_refused(webhook, line, reporting, exports):
    from handlers.core import policy
    assert policy.REFUSED[policy.ADMIN] in texts(Chat(webhook, line).say("ส่งออก SAR"))
    in_group = Chat(webhook, line, user_id=ADMIN, group_id="C" + "9" * 32)
    assert in_group.say("กราฟความคืบหน้า") == []  # a bare admin command in a group is not for the bot
    assert policy.PRIVATE_ONLY in texts(in_group.say("บอท กราฟความคืบหน้า"))
    assert reporting == []


def test_without_a_public_url_the_admin_is_told_how_else(app, webhook, line, reporting, exports, monkeypatch):
    monkeypatch.setattr(app.extensions["bot"], "exports", None)
    assert export.NO_LINKS in texts(Chat(webhook, line, user_id=ADMIN).say("กราฟความคืบหน้า"))


def test_the_files_are_written_with_no_database_connection_held(app, webhook, line, reporting, exports,
                                                                 monkeypatch):
    """Drawing the chart and writing the SAR files take a second: no transaction may wait on them."""
    engine = get_storage(app).engine
    held = []
    for name in ("chart_image", "sar_files"):
        real = getattr(files.Exports, name)

        def spy(self, *args, _real=real):
            held.append(engine.pool.checkedout())
            return _real(self, *args)
        monkeypatch.setattr(files.Exports, name, spy)
    admin = Chat(webhook, line, user_id=ADMIN)
    assert "ร่างรายงาน SAR" in texts(admin.say("ส่งออก SAR"))
    assert [m["type"] for m in admin.say("กราฟความคืบหน้า")] == ["text", "image"]
    assert held == [0, 0]


def test_bad_and_expired_links(app, client, tmp_path):
    links = dataclasses.replace(app.extensions["files"], base_url=BASE)
    path = links.root / "sar" / "probe.docx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"probe")
    now = datetime.now(timezone.utc)
    good = links.url(path, "ร่าง SAR.docx", now + timedelta(hours=24))
    resp = _get(client, good)
    assert resp.status_code == 200 and resp.data == b"probe"
    assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]  # the Thai download name
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    assert _get(client, tampered).status_code == 404 and "ไม่ถูกต้อง" in _get(client, tampered).text
    other_secret = dataclasses.replace(links, secret="another")
    assert _get(client, other_secret.url(path, "x.docx", now + timedelta(hours=1))).status_code == 404
    expired = _get(client, links.url(path, "x.docx", now - timedelta(seconds=1)))
    assert expired.status_code == 410 and "หมดอายุ" in expired.text
    later = dataclasses.replace(links, clock=lambda: now + timedelta(hours=25))
    with pytest.raises(files.ExpiredLink):
        later.resolve(good.rsplit("/", 1)[1])
    path.unlink()  # swept
    assert _get(client, good).status_code == 410
    with pytest.raises(ValueError):  # a file outside the exports folder is never signed
        links.token(tmp_path / "x", "x", now)


def test_files_secret_defaults(tmp_path):
    assert files.files_secret({"FILES_SECRET": "s"}, str(tmp_path)) == "s"
    derived = files.files_secret({"LINE_CHANNEL_SECRET": "abc"}, str(tmp_path))
    assert derived != "abc" and len(derived) == 64
    first = files.files_secret({}, str(tmp_path))
    assert first == files.files_secret({}, str(tmp_path)) and (tmp_path / "files-secret").stat().st_mode & 0o077 == 0


def test_image_reply_renders_as_an_image_message():
    msg = render.as_dicts([t.ImageReply(BASE + "/files/a", BASE + "/files/b")])
    assert msg == [{"type": "image", "originalContentUrl": BASE + "/files/a", "previewImageUrl": BASE + "/files/b"}]
    assert render.fallback_text(t.ImageReply(BASE + "/a", BASE + "/b")) == f"รูปภาพ: {BASE}/a"
    with pytest.raises(ValueError):
        render.as_dicts([t.ImageReply("http://bot.example/a", BASE + "/b")])


def test_flask_sar_export_writes_both_files(app, reporting, tmp_path):
    out = tmp_path / "out"
    result = app.test_cli_runner().invoke(args=["sar", "export", "--round", "7", "--out", str(out)])
    assert result.exit_code == 0, result.output
    paths = [Path(p) for p in result.output.split()]
    assert reporting == [7] and sorted(p.suffix for p in paths) == [".docx", ".xlsx"]
    assert all(p.parent == out and p.is_file() for p in paths)
    doc = Document(str(next(p for p in paths if p.suffix == ".docx")))
    assert any("5 มีนาคม 2570" in p.text for p in doc.paragraphs)


def test_flask_sar_export_of_an_unknown_round(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["sar", "export", "--round", "999", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "999" in result.output
    assert list(tmp_path.iterdir()) == []
