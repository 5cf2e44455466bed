"""Files the bot makes (progress charts, the SAR draft) and the signed, expiring links that serve them,
and links to the files people sent that the bot keeps (evidence, complaint attachments).

`GET /files/<token>`: the token is an itsdangerous signature (secret `FILES_SECRET`) over the file's path
under the exports folder (instance/exports/) or the kept-files folder (`EVIDENCE_DIR`, "r": "k"), its
download name and its expiry (Unix seconds, UTC).
A token that does not verify answers 404; one past its expiry, or whose file was swept, answers 410.
Links are absolute, on `PUBLIC_BASE_URL` (HTTPS, what LINE's servers can fetch for an image message).

| config | meaning | default |
|---|---|---|
| PUBLIC_BASE_URL | the app's public HTTPS base URL, e.g. https://bot.example.go.th | unset: no links |
| FILES_SECRET | signs the links | derived from LINE_CHANNEL_SECRET, else random (instance/files-secret) |
| EXPORTS_DIR | where generated files go | instance/exports |
"""
from __future__ import annotations

import hashlib
import logging
import os
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from flask import Blueprint, Flask, Response, current_app, send_file
from itsdangerous import BadSignature, URLSafeSerializer

from content.model import Content
from handlers.core.types import ImageReply
from handlers.evidence.progress import OfficeProgress
from handlers.evidence.sar import sar_draft
from handlers.members import directory

log = logging.getLogger(__name__)
bp = Blueprint("files", __name__)
EXPORT_TTL = timedelta(hours=24)
CHART_TTL = timedelta(hours=1)
KEPT_TTL = timedelta(hours=1)  # a link to a photo or file someone sent (complaint attachments, evidence)
PREVIEW_DPI = 60
SALT = "bot-files-v1"
BAD = "ลิงก์นี้ไม่ถูกต้องค่ะ (invalid link)\n"
EXPIRED = "ลิงก์นี้หมดอายุแล้วค่ะ ขอลิงก์ใหม่จากบอทได้เลยนะคะ (link expired)\n"


class BadLink(Exception):
    """The token does not verify, or names no file under the exports folder (404)."""


class ExpiredLink(Exception):
    """The token verified but its time is up, or its file was swept (410)."""


@dataclass
class FileLinks:
    """Signs and checks links to files under `root` (what the bot makes) or `kept` (what people sent:
    `EVIDENCE_DIR`). `base_url` is the public HTTPS base ("" = none); `clock` gives the current UTC time
    (tests move it)."""

    root: Path
    secret: str
    base_url: str = ""
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))
    kept: Path | None = None

    def _serializer(self) -> URLSafeSerializer:
        return URLSafeSerializer(self.secret, salt=SALT)

    def token(self, path: Path, name: str, expires_at: datetime) -> str:
        """The signed token for `path` (under `root` or `kept`), downloaded as `name`, valid until
        `expires_at` (UTC). Raises ValueError for a path under neither."""
        full = Path(path).resolve()
        if self.kept is not None and full.is_relative_to(self.kept.resolve()):
            rel = full.relative_to(self.kept.resolve()).as_posix()
            return self._serializer().dumps({"p": rel, "n": name, "x": int(expires_at.timestamp()), "r": "k"})
        rel = full.relative_to(self.root.resolve()).as_posix()
        return self._serializer().dumps({"p": rel, "n": name, "x": int(expires_at.timestamp())})

    def url(self, path: Path, name: str, expires_at: datetime) -> str:
        """The absolute link (`base_url`/files/<token>); raises RuntimeError when `base_url` is not set."""
        if not self.base_url:
            raise RuntimeError("PUBLIC_BASE_URL is not set")
        return f"{self.base_url.rstrip('/')}/files/{self.token(path, name, expires_at)}"

    def resolve(self, token: str) -> tuple[Path, str]:
        """(the file, its download name) for `token`; raises BadLink or ExpiredLink."""
        try:
            data = self._serializer().loads(token)
            rel, name, expires = str(data["p"]), str(data["n"]), int(data["x"])
        except (BadSignature, KeyError, TypeError, ValueError):
            raise BadLink(token[:20]) from None
        base = self.kept if data.get("r") == "k" else self.root
        if base is None:
            raise BadLink(rel)
        path = (base / rel).resolve()
        if not path.is_relative_to(base.resolve()):
            raise BadLink(rel)
        if self.clock().timestamp() > expires or not path.is_file():
            raise ExpiredLink(rel)
        return path, name


@dataclass
class Exports:
    """`handlers.core.types.Exports`: writes charts and SAR drafts under `links.root` (sar/, charts/) and
    links to them; files older than a day past their links' lifetime are swept on each write."""

    links: FileLinks
    content: Content

    def _group_name(self, group_id: str) -> str:
        return directory.group_name(self.content, group_id)

    def _folder(self, kind: str, keep: timedelta) -> Path:
        folder = self.links.root / kind
        folder.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - (keep + timedelta(days=1)).total_seconds()
        for old in folder.iterdir():
            try:
                if old.is_file() and old.stat().st_mtime < cutoff:
                    old.unlink()
            except OSError:  # another worker swept it first
                pass
        return folder

    @staticmethod
    def _stem(progress: OfficeProgress, now: datetime) -> str:
        return f"round{progress.round.id}-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"

    def sar_files(self, progress: OfficeProgress, now: datetime) -> list[tuple[str, str, datetime]]:
        """Write the SAR draft of `progress` (docx, xlsx); [(download name, link, expiry UTC)]."""
        docx, xlsx = self.write_sar(progress, self._folder("sar", EXPORT_TTL), self._stem(progress, now))
        expires = now + EXPORT_TTL
        base = f"SAR {progress.round.name}"
        return [(f"{base}.docx", self.links.url(docx, f"{base}.docx", expires), expires),
                (f"{base}.xlsx", self.links.url(xlsx, f"{base}.xlsx", expires), expires)]

    def write_sar(self, progress: OfficeProgress, out_dir: Path, stem: str) -> tuple[Path, Path]:
        """The SAR draft of `progress` as `stem`.docx and `stem`.xlsx in `out_dir`."""
        return write_sar_draft(progress, self.content, out_dir, stem)

    def kept_file_url(self, rel_path: str, name: str, now: datetime) -> str | None:
        """A link, valid for `KEPT_TTL`, to a file people sent that the bot keeps (`rel_path` as stored on
        evidence and complaints: relative to EVIDENCE_DIR); None when it is gone (purged) or unsafe."""
        if self.links.kept is None or not rel_path:
            return None
        path = (self.links.kept / rel_path).resolve()
        if not path.is_relative_to(self.links.kept.resolve()) or not path.is_file():
            return None
        return self.links.url(path, name or path.name, now + KEPT_TTL)

    def chart_image(self, progress: OfficeProgress, now: datetime) -> ImageReply:
        """Draw the progress chart (full size and a small preview, PNG) and link both for an image message."""
        from bot import charts  # matplotlib loads on first use, not at boot
        folder, stem = self._folder("charts", CHART_TTL), self._stem(progress, now)
        full, preview = folder / f"{stem}.png", folder / f"{stem}-preview.png"
        full.write_bytes(charts.progress_chart(progress, self._group_name))
        preview.write_bytes(charts.progress_chart(progress, self._group_name, dpi=PREVIEW_DPI))
        expires = now + CHART_TTL
        return ImageReply(self.links.url(full, "progress.png", expires),
                          self.links.url(preview, "progress-preview.png", expires))


def write_sar_draft(progress: OfficeProgress, content: Content, out_dir: Path, stem: str) -> tuple[Path, Path]:
    """The SAR draft of `progress` as `stem`.docx and `stem`.xlsx in `out_dir` (created if missing); their
    paths. The chat's links and `flask sar export` both write through here."""
    from bot import sar_export  # python-docx and openpyxl load on first use, not at boot
    return sar_export.write_sar(sar_draft(progress, lambda g: directory.group_name(content, g)), out_dir, stem)


@bp.get("/files/<token>")
def download(token: str) -> Response:
    """Serve a signed file: images inline, documents as attachments with their Thai download names."""
    links: FileLinks = current_app.extensions["files"]
    try:
        path, name = links.resolve(token)
    except BadLink:
        return Response(BAD, 404, mimetype="text/plain")
    except ExpiredLink:
        return Response(EXPIRED, 410, mimetype="text/plain")
    image = path.suffix.lower() in (".png", ".jpg", ".jpeg")
    resp = send_file(path, as_attachment=not image, download_name=name, max_age=300 if image else 0)
    resp.headers["Cache-Control"] = "private, max-age=300" if image else "private, no-store"
    return resp


def files_secret(config: dict, instance_path: str) -> str:
    """FILES_SECRET, else one derived from LINE_CHANNEL_SECRET, else a random one kept in
    instance/files-secret (created once, shared by every worker of this instance)."""
    if config.get("FILES_SECRET"):
        return str(config["FILES_SECRET"])
    if config.get("LINE_CHANNEL_SECRET"):
        return hashlib.sha256(f"files:{config['LINE_CHANNEL_SECRET']}".encode()).hexdigest()
    path = Path(instance_path) / "files-secret"
    try:
        return _stored_secret(path)
    except OSError:  # a read-only instance folder: links then work only in this process
        log.warning("cannot keep a files secret in %s: set FILES_SECRET for links every worker accepts", path)
        return secrets.token_hex(32)


def _stored_secret(path: Path) -> str:
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".files-secret-{uuid.uuid4().hex}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # atomic: the first worker's secret wins, complete
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def init_app(app: Flask, content: Content) -> Exports | None:
    """Register `/files/<token>` and return the `Exports` for handlers (None without PUBLIC_BASE_URL)."""
    base = str(app.config.get("PUBLIC_BASE_URL") or "")
    if base and not base.startswith("https://"):
        app.logger.warning("PUBLIC_BASE_URL %r is not HTTPS: LINE will not fetch images from it", base)
    root = Path(app.config.get("EXPORTS_DIR") or Path(app.instance_path) / "exports")
    links = FileLinks(root, files_secret(app.config, app.instance_path), base,
                      kept=Path(app.config["EVIDENCE_DIR"]) if app.config.get("EVIDENCE_DIR") else None)
    app.extensions["files"] = links
    app.register_blueprint(bp)
    return Exports(links, content) if base else None
