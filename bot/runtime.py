"""Handle one webhook event end to end: dedupe, dispatch in one transaction, render, send.

Used by the webhook route and by the offline chat console, so both take the same path.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from content.model import Content
from content.search import SearchIndex
from bot import events, render
from bot.delivery import deliver_due
from bot.send import Sender
from handlers import dispatch
from handlers.policy import actor_of
from handlers.types import Actor, Ctx, Input, Result, Settings
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
            with self.storage.Session.begin() as session:
                known, profile = self._fresh_profile(session, inp)  # `known` keeps the member in the session
                eid = events.event_id(event)
                if eid and not queries.claim_event(session, eid, events.event_type(event), self.clock()):
                    log.info("duplicate webhook event %s skipped", eid)
                    return "duplicate"
                if inp is not None:
                    now = self.clock()
                    actor = Actor(None)
                    if inp.user_id:
                        actor = actor_of(members.touch_member(session, inp.user_id, now,
                                                              self.settings.admin_user_ids, profile))
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
            messages = render.payload(result)
            outcome = self.sender.respond(events.reply_token(event), messages,
                                          lambda: render.payload(result, as_text=True))
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

    def _fresh_profile(self, session: Any, inp: Input | None) -> tuple[Any, dict | None]:
        """The sender's member row as stored (None if new or no sender), and LINE's profile of them when
        ours is missing or a week old (else None). Called before the event's first write, so no write
        lock is held while LINE answers; holding the member keeps it in `session` for `touch_member`."""
        if inp is None or not inp.user_id or inp.kind in ("unfollow", "other"):
            return None, None
        member = members.get_member(session, inp.user_id)
        if not members.profile_is_stale(member, self.clock()):
            return member, None
        return member, self.sender.api.profile(inp.user_id, inp.chat_id if inp.chat_kind != "user" else None)

    def push_instead(self, chat_id: str, messages: list[dict]) -> str:
        """Push `messages` (LINE message objects) to `chat_id` through the outbox (the reply token was
        gone), sending it now."""
        with self.storage.Session.begin() as session:
            row = outbox.enqueue(session, "push", [chat_id], messages, self.clock(), origin="reply-fallback")
        report = deliver_due(self, self.clock(), ids=[row.id])
        return "push" if report.sent else "push-queued"
