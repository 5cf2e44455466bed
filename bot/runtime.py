"""Handle one webhook event end to end: dedupe, dispatch in one transaction, render, send, and then
re-read from LINE the facts the handler found missing or stale (group names and head counts, the quota).

Used by the webhook route and by the offline chat console, so both take the same path. No LINE call is
made while a database transaction is open: handlers read LINE facts from the database
(`storage.line_facts.CachedFacts` as `ctx.line`), and `refresh_facts` asks LINE first and writes after.
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
from handlers.core.types import Actor, Ctx, Exports, Input, Result, Settings
from storage import Storage, groups, line_facts, members, outbox, queries

log = logging.getLogger(__name__)
FACTS_PER_EVENT = 40  # group chats re-read from LINE after one event (a broadcast preview asks for many)
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
    exports: Exports | None = None  # charts and SAR files with signed links (bot.files); None: no PUBLIC_BASE_URL

    def handle_event(self, event: Any) -> str:
        """Process one SDK event; returns what happened ("duplicate", "ignored", "reply", "push", …).

        A handler error is logged and answered with an apology; it is never raised (LINE gets 200).
        """
        started = time.perf_counter()
        inp = events.to_input(event)
        result: Result | None = None
        outcome = "ignored"
        push_ids: list[int] = []
        facts: line_facts.CachedFacts | None = None
        stale = False
        try:
            inp = self._fetch_media(inp)
            with self.storage.Session.begin() as session:
                known, stale = self._stale_profile(session, inp)  # `known` keeps the member in the session
                eid = events.event_id(event)
                if eid and not queries.claim_event(session, eid, events.event_type(event), self.clock()):
                    log.info("duplicate webhook event %s skipped", eid)
                    return "duplicate"
                if inp is not None:
                    now = self.clock()
                    actor = Actor(None)
                    if inp.user_id:
                        actor = actor_of(members.touch_member(session, inp.user_id, now,
                                                              self.settings.admin_user_ids),
                                     self.settings.admin_user_ids)
                    facts = line_facts.CachedFacts(session, now)
                    ctx = Ctx(session=session, content=self.content, index=self.index, now=now,
                              settings=self.settings, inp=inp, actor=actor, line=facts, render=render.as_dicts,
                              exports=self.exports)
                    result = dispatch(ctx)
                    if result is not None:
                        push_ids = self.enqueue_pushes(session, result, now)
        except Exception:
            log.exception("handler failed for %s event", events.event_type(event))
            result = Result.text(APOLOGY)
            push_ids, facts = [], None
        if result is not None and result.after_commit is not None:
            try:  # slow local work (a chart, the SAR files), with no transaction open
                result = result.after_commit()
            except Exception:
                log.exception("after-commit work failed for %s event", events.event_type(event))
                result = Result.text(APOLOGY)
        if result is not None and inp is not None:
            messages = render.payload(result)
            outcome = self.sender.respond(events.reply_token(event), messages,
                                          lambda: render.payload(result, as_text=True))
            if outcome == "no-token":
                outcome = self.push_instead(inp.chat_id, messages)
        if push_ids:
            deliver_due(self, self.clock(), ids=push_ids)
        if stale and inp is not None:
            try:
                self.refresh_profile(inp)
            except Exception:  # a name can wait for the next message
                log.exception("refreshing the LINE profile failed")
        if facts is not None and (facts.chats or facts.channel_stale):
            try:
                self.refresh_facts(facts.chats[:FACTS_PER_EVENT], channel=facts.channel_stale)
            except Exception:  # the reply is out; the job will catch up with the facts
                log.exception("refreshing LINE facts failed")
        log.info("event type=%s chat=%s user=%s input=%r replies=%d outcome=%s %.1fms",
                 events.event_type(event), inp.chat_kind if inp else "-", inp.user_id if inp else "-",
                 (inp.text or inp.data)[:60] if inp else "", len(result.replies) if result else 0, outcome,
                 (time.perf_counter() - started) * 1000)
        return outcome

    @staticmethod
    def enqueue_pushes(session: Any, result: Result, now: datetime) -> list[int]:
        """Outbox rows (ids) for `result.pushes`, one push per recipient, in the event's transaction. A push
        to a group or room costs its cached head count (`ChatGroup.member_count`; 1 while unknown)."""
        ids = []
        for to, replies in result.pushes:
            messages = render.as_dicts(replies)
            if messages:
                chat = groups.get(session, to) if to[:1] in ("C", "R") else None
                cost = chat.member_count if chat is not None and chat.member_count else None
                ids.append(outbox.enqueue(session, "push", [to], messages, now, origin="notice", cost=cost).id)
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

    def refresh_facts(self, chat_ids: list[str], channel: bool = False) -> dict[str, int]:
        """Re-read from LINE the name and head count of `chat_ids` and, with `channel`, the quota and usage,
        then cache them (`storage.line_facts`) in one short transaction. LINE is asked before the
        transaction opens; an unanswered fact keeps its cached value. Returns how many facts were stored:
        {"chats": n, "channel": n}."""
        chats = [(c, self.sender.api.group_name(c), self.sender.api.group_member_count(c)) for c in chat_ids]
        quota = self.sender.api.quota() if channel else None
        usage = self.sender.api.usage() if channel else None
        stored = {"chats": 0, "channel": 0}
        now = self.clock()
        with self.storage.Session.begin() as session:
            for chat_id, name, count in chats:
                if (name or count is not None) and line_facts.put_chat(session, chat_id, name, count, now):
                    stored["chats"] += 1
            if quota is not None:
                line_facts.put(session, line_facts.QUOTA, quota, now)
                stored["channel"] += 1
            if usage is not None:
                line_facts.put(session, line_facts.USAGE, {"total": usage}, now)
                stored["channel"] += 1
        return stored

    def _stale_profile(self, session: Any, inp: Input | None) -> tuple[Any, bool]:
        """The sender's member row as stored (None if new or no sender) — holding it keeps it in `session`
        for `touch_member` — and whether LINE's profile of them should be re-read (missing or a week
        old). The profile is asked for after the event's commit (`refresh_profile`), never inside it."""
        if inp is None or not inp.user_id or inp.kind in ("unfollow", "other"):
            return None, False
        member = members.get_member(session, inp.user_id)
        return member, members.profile_is_stale(member, self.clock())

    def refresh_profile(self, inp: Input) -> None:
        """Ask LINE for the sender's profile (outside any transaction) and cache their name and picture; when
        LINE gives none, note the attempt so the next is an hour later (`storage.members.PROFILE_RETRY`)."""
        profile = self.sender.api.profile(inp.user_id, inp.chat_id if inp.chat_kind != "user" else None)
        with self.storage.Session.begin() as session:
            if profile:
                members.touch_member(session, inp.user_id, self.clock(), self.settings.admin_user_ids, profile)
            else:  # none to be had now: ask again in an hour, not at every message
                members.profile_failed(session, inp.user_id, self.clock())

    def push_instead(self, chat_id: str, messages: list[dict]) -> str:
        """Push `messages` (LINE message objects) to `chat_id` through the outbox (the reply token was
        gone), sending it now."""
        with self.storage.Session.begin() as session:
            row = outbox.enqueue(session, "push", [chat_id], messages, self.clock(), origin="reply-fallback")
        report = deliver_due(self, self.clock(), ids=[row.id])
        return "push" if report.sent else "push-queued"
