"""Postback data: built only by `encode`, read only by `decode`.

Compact JSON with short keys, e.g. ``{"a":"show","k":"criterion:1.1.4"}``; LINE allows 300 characters
(Messaging API reference, postback action `data`).
"""
from __future__ import annotations

import json
from typing import Any

from handlers.core.types import UserFacingError

MAX_DATA = 300
ACTIONS = {
    "f",                                                          # a flow's button (handlers.core.flow)
    "show", "list", "full", "pmqa", "browse", "help", "cancel",  # standards, help, any flow
    "regdec",                                                     # registration approval
    "mem",                                                        # admin member management
    "grp",                                                        # group chat binding
    "bc", "ack", "ackrep",                                        # broadcasts and acknowledgements
    "ev",                                                         # evidence: report, history, backlog
    "hol",                                                        # the holiday calendar: add, remove
    "cfshow", "cfadd", "cfre",                                    # complaints: a filer's case, add info, reopen
    "cd", "cdr",                                                  # complaints desk; a complainant's rating
}
EXPIRED = "ปุ่มนี้ใช้ไม่ได้แล้ว ลองพิมพ์ถามใหม่ หรือพิมพ์ \"เมนู\" เพื่อดูสิ่งที่ทำได้ค่ะ"


def encode(action: str, **payload: Any) -> str:
    """Postback data for `action` with `payload` (short keys); raises ValueError past 300 characters."""
    if action not in ACTIONS:
        raise ValueError(f"unknown postback action {action!r}")
    data = json.dumps({"a": action, **payload}, ensure_ascii=False, separators=(",", ":"))
    if len(data) > MAX_DATA:
        raise ValueError(f"postback data is {len(data)} characters; LINE allows {MAX_DATA}")
    return data


def decode(data: str) -> tuple[str, dict[str, Any]]:
    """(action, payload) of postback `data`; raises UserFacingError for anything we did not build."""
    try:
        obj = json.loads(data)
    except (TypeError, ValueError):
        raise UserFacingError(EXPIRED) from None
    if not isinstance(obj, dict) or obj.get("a") not in ACTIONS:
        raise UserFacingError(EXPIRED)
    action = obj.pop("a")
    return action, obj
