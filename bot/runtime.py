"""Handle one webhook event end to end: dedupe, dispatch in one transaction, render, send.

Used by the webhook route and by the offline chat console, so both take the same path.
"""
from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from content.model import Content
from content.search import SearchIndex
from bot import events, media, render
from bot.delivery import deliver_due
from bot.send import Sender
from handlers import dispatch, wants_media
from handlers.core.policy import actor_of
from handlers.core.types import Actor, Ctx, Input, Result, Settings
from storage import Storage, members, outbox, queries

log = logging.getLogger(__name__)
APOLOGY = "ขออภัยค่ะ ระบบขัดข้องชั่วคราว ลองใหม่อีกครั้งในอีกสักครู่นะคะ 🙏"


@dataclass
class BotRuntime:
    """The live bot: database, content and its search index, settings, and the sender."""

    storage: Storage
    content: Content
    index: SearchIndex
    settings: Settings
    sender: Sender
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
    evidence_dir: Path = Path("instance/evidence")
    evidence_max_bytes: int = media.MAX_BYTES

    def handle_event(self, event: Any) -> str:
        """Process one SDK event; returns what happened ("duplicate", "ignored", "reply", "push", …).

        A handler error is logged and answered with an apology; it is never raised (LINE gets 200).
        """
        started = time.perf_counter()
        inp = events.to_input(event)
        result: Result | None = None
        outcome = "ignored"
        push_ids: list[int] = []
        try:
            profile = self._fresh_profile(inp)
            inp = self._fetch_media(inp)
            with self.storage.Session.begin() as session:
                eid = events.event_id(event)
                if eid and not queries.claim_event(session, eid, events.event_type(event), self.clock()):
                    log.info("duplicate webhook event %s skipped", eid)
                    return "duplicate"
                if inp is not None:
                    now = self.clock()
                    actor = Actor(None)
                    if inp.user_id:
                        actor = actor_of(members.touch_member(session, inp.user_id, now,
                                                              self.settings.admin_user_ids, profile),
                                     self.settings.admin_user_ids)
                    ctx = Ctx(session=session, content=self.content, index=self.index, now=now,
                              settings=self.settings, inp=inp, actor=actor, line=self.sender.api,
                              render=render.as_dicts)
                    result = dispatch(ctx)
                    if result is not None:
                        push_ids = self.enqueue_pushes(session, result, now)
        except Exception:
            log.exception("handler failed for %s event", events.event_type(event))
            result = Result.text(APOLOGY)
            push_ids = []
        if result is not None and inp is not None:
            messages = render.render(result)
            outcome = self.sender.respond(events.reply_token(event), messages, render.render(result, as_text=True))
            if outcome == "no-token":
                outcome = self.push_instead(inp.chat_id, messages)
        if push_ids:
            deliver_due(self, self.clock(), ids=push_ids)
        log.info("event type=%s chat=%s user=%s input=%r replies=%d outcome=%s %.1fms",
                 events.event_type(event), inp.chat_kind if inp else "-", inp.user_id if inp else "-",
                 (inp.text or inp.data)[:60] if inp else "", len(result.replies) if result else 0, outcome,
                 (time.perf_counter() - started) * 1000)
        return outcome

    @staticmethod
    def enqueue_pushes(session: Any, result: Result, now: datetime) -> list[int]:
        """Outbox rows (ids) for `result.pushes`, one push per recipient, in the event's transaction."""
        ids = []
        for to, replies in result.pushes:
            messages = render.as_dicts(replies)
            if messages:
                ids.append(outbox.enqueue(session, "push", [to], messages, now, origin="notice").id)
        return ids

    def _fetch_media(self, inp: Input | None) -> Input | None:
        """A photo or file sent where the person's flow step takes one: fetched from LINE now, outside any
        transaction, and stored (`bot.media`); other inputs are returned unchanged."""
        if inp is None or inp.kind != "media" or inp.media is None or inp.chat_kind != "user" or not inp.user_id:
            return inp
        with self.storage.Session() as session:
            ctx = Ctx(session=session, content=self.content, index=self.index, now=self.clock(),
                      settings=self.settings, inp=inp)
            wanted = wants_media(ctx)
            session.rollback()
        if not wanted:
            return inp
        got = media.fetch(self.sender.api, inp.media, self.evidence_dir, self.clock(), self.evidence_max_bytes)
        return dataclasses.replace(inp, media=got)

    def _fresh_profile(self, inp: Input | None) -> dict | None:
        """LINE's profile of the sender when ours is missing or a week old (asked outside any transaction)."""
        if inp is None or not inp.user_id or inp.kind in ("unfollow", "other"):
            return None
        with self.storage.Session() as session:
            stale = members.profile_is_stale(members.get_member(session, inp.user_id), self.clock())
        chat = inp.chat_id if inp.chat_kind != "user" else None
        return self.sender.api.profile(inp.user_id, chat) if stale else None

    def push_instead(self, chat_id: str, messages: list) -> str:
        """Push `messages` to `chat_id` through the outbox (the reply token was gone), sending it now."""
        with self.storage.Session.begin() as session:
            row = outbox.enqueue(session, "push", [chat_id], [m.to_dict() for m in messages], self.clock(),
                                 origin="reply-fallback")
        report = deliver_due(self, self.clock(), ids=[row.id])
        return "push" if report.sent else "push-queued"
