"""Configuration from the environment (and an optional `.env` file); nothing else is read.

| variable | meaning | default |
|---|---|---|
| LINE_CHANNEL_SECRET | verifies `X-Line-Signature` on `/callback` | unset: webhook answers 503 |
| LINE_CHANNEL_ACCESS_TOKEN | authorises calls to the Messaging API | unset: offline mode |
| LINE_API_BASE_URL | Messaging API base URL | https://api.line.me |
| LINE_API_DATA_URL | Messaging API content host (rich menu images) | https://api-data.line.me |
| DATABASE_URL | SQLAlchemy URL | sqlite in the Flask instance folder |
| LINE_ADMIN_USER_IDS | comma-separated LINE user IDs who are admins | none |
| TZ | the zone dates are shown in | Asia/Bangkok |
| SCHEDULER_EMBEDDED | "1": run the jobs inside this process (development) | off |
| OFFICE_NAME | the office's name on progress cards and the SAR draft | สำนักงานเขตพื้นที่การศึกษา |
| EVIDENCE_DIR | where photos and files sent as evidence are kept | instance/evidence |
| EVIDENCE_MAX_MB | the largest evidence file kept, in MB | 10 |
| PUBLIC_BASE_URL | the app's public HTTPS URL, for signed file links (charts, SAR draft) | unset: no links |
| FILES_SECRET | signs those links (`bot.files`) | derived from LINE_CHANNEL_SECRET, else random |
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from dotenv import dotenv_values

LINE_API_DEFAULT = "https://api.line.me"
LINE_API_DATA_DEFAULT = "https://api-data.line.me"
KEYS = ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "LINE_API_BASE_URL", "LINE_API_DATA_URL", "DATABASE_URL",
        "LINE_ADMIN_USER_IDS", "TZ", "SCHEDULER_EMBEDDED", "OFFICE_NAME", "EVIDENCE_DIR", "EVIDENCE_MAX_MB",
        "PUBLIC_BASE_URL", "FILES_SECRET")


def defaults(instance_path: str) -> dict[str, Any]:
    """Defaults that work on a fresh machine: SQLite under the instance folder, offline LINE."""
    return {
        "LINE_CHANNEL_SECRET": "",
        "LINE_CHANNEL_ACCESS_TOKEN": "",
        "LINE_API_BASE_URL": LINE_API_DEFAULT,
        "LINE_API_DATA_URL": LINE_API_DATA_DEFAULT,
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'bot.sqlite3'}",
        "LINE_ADMIN_USER_IDS": "",
        "TZ": "Asia/Bangkok",
        "AUTO_MIGRATE": True,
        "LOAD_CONTENT": True,
        "SCHEDULER_EMBEDDED": False,
        "CONTENT_DIR": None,  # tests point this at a copy of content/
        "OFFICE_NAME": "สำนักงานเขตพื้นที่การศึกษา",
        "EVIDENCE_DIR": str(Path(instance_path) / "evidence"),
        "EVIDENCE_MAX_MB": 10,
        "PUBLIC_BASE_URL": "",
        "FILES_SECRET": "",
        "EXPORTS_DIR": str(Path(instance_path) / "exports"),
    }


def from_environment(environ: Mapping[str, str] | None = None, dotenv_path: str = ".env") -> dict[str, Any]:
    """The `KEYS` set in `.env` (if present), overridden by the process environment; empty ones skipped."""
    env = dict(os.environ if environ is None else environ)
    found: dict[str, str] = {}
    if Path(dotenv_path).is_file():
        found.update({k: v for k, v in dotenv_values(dotenv_path).items() if k in KEYS and v})
    found.update({k: v for k, v in env.items() if k in KEYS and v})
    if "SCHEDULER_EMBEDDED" in found:
        found["SCHEDULER_EMBEDDED"] = str(found["SCHEDULER_EMBEDDED"]).strip().lower() in ("1", "true", "yes", "on")
    return found


def admin_ids(value: str | list[str] | tuple[str, ...]) -> frozenset[str]:
    """Parse `LINE_ADMIN_USER_IDS` ("U1, U2") into a set of user IDs."""
    items = value.split(",") if isinstance(value, str) else value
    return frozenset(i.strip() for i in items if i and i.strip())
