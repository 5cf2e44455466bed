"""Photos and files sent as evidence: fetched from LINE's content host with the SDK's blob API
(`MessagingApiBlob.get_message_content`) BEFORE dispatch, outside any database transaction, and kept
under EVIDENCE_DIR (default: the instance folder's `evidence/`), with a size and a type limit.

The handler gets a `handlers.core.types.Media` with where the file is (`path`, relative to the folder)
or why it was not kept (`error`: too_large, bad_type, unavailable). Files are named by LINE's message id
(unique), in a folder per month (`2026-12/<message id>.<ext>`).
"""
from __future__ import annotations

import dataclasses
import logging
import mimetypes
from datetime import datetime
from pathlib import Path

from linebot.v3.messaging import ApiException

from handlers.core.types import Media

log = logging.getLogger(__name__)
MAX_BYTES = 10 * 1024 * 1024
TYPES = {
    "image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf",
    "application/msword": ".doc", "application/vnd.ms-excel": ".xls", "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
}


def _type_of(declared: str, name: str) -> str:
    ctype = (declared or "").split(";")[0].strip().lower()
    if ctype in TYPES:
        return ctype
    guessed = mimetypes.guess_type(name)[0] or ""
    return guessed if guessed in TYPES and ctype in ("", "application/octet-stream") else ctype


def fetch(api, media: Media, folder: Path, now: datetime, max_bytes: int = MAX_BYTES) -> Media:
    """`media` fetched from LINE through `api` (an `SdkLineApi`; offline APIs have no content) and saved
    under `folder`; the returned `Media` has `path`, `size`, `content_type`, or `error`."""
    blob = getattr(api, "blob", None)
    if blob is None:
        return dataclasses.replace(media, error="unavailable")
    try:
        resp = blob.get_message_content_with_http_info(media.message_id, _preload_content=False)
        raw = resp.raw_data if hasattr(resp, "raw_data") else resp.data
        body = raw.read(max_bytes + 1) if hasattr(raw, "read") else bytes(raw)
        headers = resp.headers or {}
    except ApiException as exc:
        log.warning("message content %s: LINE answered %s", media.message_id, exc.status)
        return dataclasses.replace(media, error="unavailable")
    except Exception:  # network trouble: the person may send again
        log.exception("message content %s could not be fetched", media.message_id)
        return dataclasses.replace(media, error="unavailable")
    if len(body) > max_bytes:
        return dataclasses.replace(media, error="too_large", size=len(body))
    ctype = _type_of(str(headers.get("Content-Type") or headers.get("content-type") or ""), media.name)
    if ctype not in TYPES:
        return dataclasses.replace(media, error="bad_type", content_type=ctype)
    rel = Path(f"{now:%Y-%m}") / f"{media.message_id}{TYPES[ctype]}"
    target = folder / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)
    name = media.name if media.kind == "file" else f"รูปภาพ-{media.message_id}{TYPES[ctype]}"
    return dataclasses.replace(media, name=name, path=str(rel), size=len(body), content_type=ctype)
