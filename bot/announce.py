"""Broadcasts as LINE messages, for the outbox: the announcement card (the one the admin previewed, built by
`handlers.broadcasts.announcement` and rendered by `bot.render`), its reminder, and the author's delivery report.

The webhook path renders the same replies through `Ctx.render` (also `bot.render.as_dicts`).
"""
from __future__ import annotations

from typing import Any

from bot import render
from content.model import Content
from handlers.broadcasts import announcement


def messages_for(bc: Any, reminder: bool = False) -> list[dict[str, Any]]:
    """The LINE message objects (dicts) recipients of broadcast `bc` get; `reminder` heads it as one."""
    return render.as_dicts(announcement.recipients_see(bc, reminder))


def report_messages(bc: Any, content: Content) -> list[dict[str, Any]]:
    """The author's delivery report of finished broadcast `bc`, as LINE message dicts."""
    result = announcement.delivery_report(bc, announcement.audience_text(bc.audience, content))
    return [m.to_dict() for m in render.render(result)]  # with its quick reply to the acknowledgement report
