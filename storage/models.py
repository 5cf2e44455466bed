"""SQLAlchemy 2.0 models: the bot's whole database schema.

Every timestamp is stored in UTC (timezone-aware in Python; `UTCDateTime` keeps SQLite honest, since it
has no timezone type). Migrations in `storage/migrations/` are generated from these classes.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (JSON, Date, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Text, TypeDecorator,
                        false)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    Writes reject naive datetimes (a naive value is a bug: we never guess its zone); reads from SQLite,
    which drops the offset, come back tagged as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware UTC values only")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class ProcessedEvent(Base):
    """A webhook event already handled, keyed by LINE's `webhookEventId`, so a redelivery is a no-op."""

    __tablename__ = "processed_events"

    webhook_event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"ProcessedEvent({self.webhook_event_id!r}, {self.event_type!r})"


class ContentItem(Base):
    """One curated content item (standard, indicator, criterion, PMQA category/item, rubric, …).

    `key` is stable across reloads (e.g. ``criterion:1.1.4``); `content_hash` lets the loader update only
    what changed. `payload` holds the item's curated fields as in `content/*.yaml`. Rows are never
    deleted (evidence and history point at them): an item gone from the YAML gets `retired_at` (UTC), and
    every reader must skip retired rows (`ContentItem.live()`).
    """

    __tablename__ = "content_items"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    parent_key: Mapped[str | None] = mapped_column(ForeignKey("content_items.key"))
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(Text)
    gap: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    retired_at: Mapped[datetime | None]

    @classmethod
    def live(cls):
        """The WHERE clause of rows still in the curated content: ``select(ContentItem).where(ContentItem.live())``."""
        return cls.retired_at.is_(None)

    def __repr__(self) -> str:
        return f"ContentItem({self.key!r}{', retired' if self.retired_at else ''})"


class UnansweredQuery(Base):
    """A question the bot could not answer with confidence, and what it showed instead. No user ID is
    kept, by design.

    `outcome` is ``"nothing"`` (a polite "not found"), ``"suggested"`` (did-you-mean buttons) or
    ``"answered"`` (a card shown with low confidence); `shown` is the item keys shown, comma-separated
    (``""`` for nothing); `score` is the best search score, 0–100 (None when nothing matched at all).
    """

    __tablename__ = "unanswered_queries"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(String(500))
    chat_kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(12), default="nothing", server_default="nothing")
    shown: Mapped[str] = mapped_column(String(500), default="", server_default="")
    score: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (Index("ix_unanswered_queries_normalized", "normalized"),)

    def __repr__(self) -> str:
        return f"UnansweredQuery({self.text!r}, {self.chat_kind!r})"


class OutboxMessage(Base):
    """A message to send that is not a reply (push, multicast or broadcast), written in the same
    transaction as the change that caused it and sent by the delivery job (`bot.delivery`).

    `retry_key` is the stable `X-Line-Retry-Key` of every attempt, so LINE accepts the request at most
    once (a repeat gets 409, which counts as sent). `status`: pending → sending → sent | failed | dead,
    or held: LINE refused it for the monthly message quota (a 429 "You have reached your monthly limit."),
    so it waits, its tries untouched and the reason in `last_error`, until `next_attempt_at` (when the quota
    resets: the 1st of the next month, 00:00 Asia/Bangkok, stored in UTC) or until an admin releases it.
    A `sending` row whose `lease_until` has passed was claimed by a worker that died; it is claimed again.
    `recipients` holds user/group/room IDs (one for push, up to 500 for multicast, none for broadcast);
    `messages` holds LINE message objects as JSON. `cost` is the LINE messages it uses from the quota.
    `dedupe_key` (nullable, unique) names a message that must be queued at most once, e.g. a deadline
    reminder "rem:<round>:<step>:<chat>" (`storage.outbox.enqueue`: a second row with the key is skipped).
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    recipients: Mapped[list[str]] = mapped_column(JSON)
    messages: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    retry_key: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    cost: Mapped[int] = mapped_column(Integer, default=0)
    origin: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)

    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
                      Index("ix_outbox_origin", "origin"))

    def __repr__(self) -> str:
        return f"OutboxMessage({self.id}, {self.kind}, {self.status}, attempts={self.attempts})"


class RateLimit(Base):
    """One LINE endpoint's request counter, shared by every delivery process (`storage.ratelimit`):
    `count` requests were let through in the window that started at `window_start` (UTC)."""

    __tablename__ = "rate_limits"

    endpoint: Mapped[str] = mapped_column(String(20), primary_key=True)
    window_start: Mapped[datetime]
    count: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"RateLimit({self.endpoint!r}, {self.window_start.isoformat()}, {self.count})"


class Member(Base):
    """A LINE user the bot knows: who they are and what they may do.

    `role`: guest (default), staff (with `work_group`, an id of `content/groups.yaml`), school (with
    `school_code`), admin. `complaint_officer` is a flag an admin gives to staff. `status`: active,
    pending (waiting for approval), removed. `display_name` comes from the profile API, refreshed now
    and then (`profile_refreshed_at`, UTC). `full_name` (ชื่อ-นามสกุล) and `position` (ตำแหน่ง) are what
    the person typed when registering ("" until then); `storage.members.name_of` picks the name to show.
    `following` is False after an unfollow (block). `remind_me` is True when they asked for personal
    deadline reminders in 1:1 ("เตือนฉัน"; off by default, since every push costs a message).
    """

    __tablename__ = "members"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    full_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    position: Mapped[str] = mapped_column(String(200), default="", server_default="")
    picture_url: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(10), default="guest", index=True)
    work_group: Mapped[str | None] = mapped_column(String(20), index=True)
    school_code: Mapped[str | None] = mapped_column(ForeignKey("schools.code"))
    complaint_officer: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="active")
    following: Mapped[bool] = mapped_column(default=True)
    remind_me: Mapped[bool] = mapped_column(default=False, server_default=false())
    profile_refreshed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"Member({self.user_id!r}, {self.role!r}, {self.work_group or self.school_code!r})"


class School(Base):
    """A school (สถานศึกษา) of the office, imported from a CSV: code, name, district or network."""

    __tablename__ = "schools"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(200), default="")

    def __repr__(self) -> str:
        return f"School({self.code!r}, {self.name!r})"


class RegistrationRequest(Base):
    """A member's request to become staff (of a work group) or a school user; an admin decides."""

    __tablename__ = "registration_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("members.user_id"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    work_group: Mapped[str | None] = mapped_column(String(20))
    school_code: Mapped[str | None] = mapped_column(ForeignKey("schools.code"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"RegistrationRequest({self.id}, {self.user_id!r}, {self.role!r}, {self.status!r})"


class InviteCode(Base):
    """A single-use, expiring code that registers its user straight away with `role` and group/school."""

    __tablename__ = "invite_codes"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    work_group: Mapped[str | None] = mapped_column(String(20))
    school_code: Mapped[str | None] = mapped_column(ForeignKey("schools.code"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_by: Mapped[str | None] = mapped_column(String(64))
    used_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"InviteCode({self.code!r}, {self.role!r}, used={self.used_by is not None})"


class ChatGroup(Base):
    """A LINE group chat (or multi-person room) the bot is in, and what it is bound to.

    `binding`: None, "work_group" (with `work_group`), "all_staff" or "admins". `active` is False after
    a leave event. `name` and `member_count` are cached from the API (a push to a group costs one message
    a member), read at `facts_at`; `storage.line_facts` says when they are stale.
    """

    __tablename__ = "chat_groups"

    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="group")
    name: Mapped[str] = mapped_column(String(200), default="")
    binding: Mapped[str | None] = mapped_column(String(20))
    work_group: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    member_count: Mapped[int | None]
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]
    facts_at: Mapped[datetime | None]  # when `name` / `member_count` were last read from LINE (UTC)

    def __repr__(self) -> str:
        return f"ChatGroup({self.chat_id!r}, {self.binding!r}, {self.work_group!r}, active={self.active})"


class LineFact(Base):
    """A fact about the LINE channel cached from the Messaging API (read outside any transaction and
    stored here, so handlers never wait on LINE): `key` "quota" (`value` {"limit": int or None for
    unlimited}) or "usage" ({"total": int}, messages used this month), fetched at `fetched_at` (UTC)."""

    __tablename__ = "line_facts"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fetched_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"LineFact({self.key!r}, {self.value!r}, {self.fetched_at!r})"


class ConversationState(Base):
    """Where a multi-step flow stands for one person in one chat, with an expiry (UTC).

    `session_id` changes whenever a flow starts, so buttons of an older flow are recognised as expired.
    """

    __tablename__ = "conversation_states"

    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    flow: Mapped[str] = mapped_column(String(30))
    step: Mapped[str] = mapped_column(String(30))
    session_id: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]]
    expires_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"ConversationState({self.chat_id!r}, {self.user_id!r}, {self.flow}/{self.step})"


class LastButtons(Base):
    """The postback buttons of the bot's last reply to one person in a 1:1 chat, so a label typed instead
    of pressed ("รายงานสถานะ", "รับเรื่อง") presses it (`handlers.core.typed_buttons`). `buttons` is
    [[label, display, postback data], ...], labels unique; `expires_at` is UTC."""

    __tablename__ = "last_buttons"

    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    buttons: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    expires_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"LastButtons({self.chat_id!r}, {self.user_id!r}, {len(self.buttons or [])} buttons)"


class Broadcast(Base):
    """An admin's announcement: audience, content, optional schedule and acknowledgement, and results.

    `audience` is e.g. ``{"kind": "work_groups", "groups": ["admin", "policy"]}`` (kinds: all_staff,
    all_schools, work_groups, chat_groups, followers). `status`: scheduled, sending, sent, cancelled.
    `scheduled_at` is UTC. `cost` is the LINE messages it used; `report` holds sent/failed counts.
    """

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[str] = mapped_column(String(64))
    audience: Mapped[dict[str, Any]]
    text: Mapped[str] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(Text)
    link_url: Mapped[str | None] = mapped_column(Text)
    link_label: Mapped[str | None] = mapped_column(String(40))
    ack_required: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="scheduled")
    scheduled_at: Mapped[datetime]
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    cost: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"Broadcast({self.id}, {self.status!r}, {self.audience!r})"


class BroadcastRecipient(Base):
    """One person a broadcast went to (directly or through a group chat) and, if asked, their ack."""

    __tablename__ = "broadcast_recipients"

    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    work_group: Mapped[str | None] = mapped_column(String(20))
    chat_id: Mapped[str | None] = mapped_column(String(64))
    acked_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"BroadcastRecipient({self.broadcast_id}, {self.user_id!r}, acked={self.acked_at is not None})"


class AuditLog(Base):
    """An admin action: who (`actor_id`), when (UTC), what (`action`, `target`, `detail`)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(120), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"AuditLog({self.actor_id!r}, {self.action!r}, {self.target!r})"


class Holiday(Base):
    """An office's own edit of the holiday calendar (`handlers.core.workdays`): a day the cabinet declared
    after the `holidays` package was released (`off=True`, with its Thai `name`), or a public holiday the
    office works after all (`off=False`). Kept apart from the package, so an edit survives its upgrades.
    `day` is a calendar date in Asia/Bangkok."""

    __tablename__ = "holidays"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    off: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"Holiday({self.day.isoformat()}, {self.name!r}, off={self.off})"


class RichMenu(Base):
    """The LINE rich menu deployed for a role (`flask richmenu deploy`): guest's is the channel default,
    the others are linked per user. `rich_menu_id` is LINE's id of the role's first page; `alias` is
    that page's rich menu alias (tabs switch between a role's pages by alias). `deployed_at` is UTC."""

    __tablename__ = "rich_menus"

    role: Mapped[str] = mapped_column(String(10), primary_key=True)
    rich_menu_id: Mapped[str] = mapped_column(String(64))
    alias: Mapped[str] = mapped_column(String(32))
    deployed_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"RichMenu({self.role!r}, {self.rich_menu_id!r}, {self.alias!r})"


class Round(Base):
    """A reporting round (รอบการรายงาน): `name`, `kind` (sar, kpi6, kpi9, kpi12, strategy, pmqa, other),
    `fiscal_year` in Buddhist Era (FY 2570 = 1 Oct 2569 – 30 Sep 2570), `due_at` (UTC; entered as
    Asia/Bangkok), `scope` ({"all": true} or {"standards": [...], "indicators": [...], "issues": [...]}),
    `state` (planned, open, closed) and `carried_from` (the round whose evidence it started from)."""

    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), default="sar")
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    due_at: Mapped[datetime | None]
    scope: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(10), default="planned", index=True)
    carried_from: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"))
    auto_key: Mapped[str | None] = mapped_column(String(20), unique=True)  # "sar-2570": made on demand, once
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"Round({self.id}, {self.name!r}, {self.kind}, FY{self.fiscal_year}, {self.state})"


class EvidenceState(Base):
    """An item's current evidence status in a round (`item_key` is a content key: "criterion:1.1.5",
    "pmqa_item:1.4", "c2557:2", "s5:5.3.1"). `version` grows by one at every change: writers compare and
    set it, so two people reporting at once never lose an update. `links` and `files` are what is kept
    now (files: [{name, path, size, content_type}], paths relative to EVIDENCE_DIR)."""

    __tablename__ = "evidence_states"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    item_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    note: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"EvidenceState({self.round_id}, {self.item_key!r}, {self.status}, v{self.version})"


class EvidenceEvent(Base):
    """One change of an item's evidence (kept for ever): who (`by`, a LINE user ID or "cli"), when (UTC),
    the status `from_status` → `to_status`, the note or reason, links and files added, and `via`
    (flow, short, carry, cli)."""

    __tablename__ = "evidence_events"
    __table_args__ = (Index("ix_evidence_events_round_item", "round_id", "item_key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    item_key: Mapped[str] = mapped_column(String(60))
    by: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    from_status: Mapped[str] = mapped_column(String(20), default="not_started")
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    via: Mapped[str] = mapped_column(String(10), default="flow")

    def __repr__(self) -> str:
        return f"EvidenceEvent({self.round_id}, {self.item_key!r}, {self.from_status}->{self.to_status})"


class Complaint(Base):
    """A case filed through the bot: a complaint, suggestion, opinion or compliment (seed 001 lines 321–406,
    งานพัฒนาคุณภาพการให้บริการ: "ข้อร้องเรียน / ข้อเสนอแนะ / ข้อคิดเห็น / คำชมเชย"; seed 000 PMQA 3.5–3.12).

    `number` is read aloud: type letter, Buddhist-Era year, sequence ("ร-2570-0042", `storage.complaints`).
    `kind`: complaint, suggestion, opinion, compliment. `topic` is an id of `content/complaints.yaml`.
    `state`: new → acknowledged → in_progress → forwarded → resolved, or dismissed (with `close_reason`).
    The complainant's identity is NOT here: it is kept apart in `ComplaintContact`, so an officer-facing
    query of this table cannot leak it; `anonymous` says the office's staff never see it.
    `ack_due` / `resolve_due` are Asia/Bangkok calendar dates counted in working days from `filed_at`;
    `notices` lists the deadline notices already sent ("ack-soon", "ack-missed", …), so each goes once.
    `files`: [{name, path, size, content_type}], paths relative to EVIDENCE_DIR. Times are UTC.
    """

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(12), index=True)
    topic: Mapped[str] = mapped_column(String(30), default="other")
    school_code: Mapped[str | None] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text, default="")
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    anonymous: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(12), default="new", index=True)
    assignee_id: Mapped[str | None] = mapped_column(String(64))
    forwarded_to: Mapped[str | None] = mapped_column(String(20))  # a work group id of content/groups.yaml
    close_reason: Mapped[str] = mapped_column(Text, default="")
    filed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    acknowledged_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    ack_due: Mapped[date | None] = mapped_column(Date)
    resolve_due: Mapped[date | None] = mapped_column(Date)
    notices: Mapped[list[str]] = mapped_column(JSON, default=list)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    purged_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"Complaint({self.number!r}, {self.kind}, {self.state})"


class ComplaintContact(Base):
    """Who filed a case, kept apart from `Complaint` so the complainant can follow up and be answered.

    `user_id` is the LINE user ID; `name` is the name they had with the bot at filing. Shown to officers only
    when the case is not anonymous, and every such view is written to the audit log
    (`storage.complaints.reveal`); shown to nobody when it is. Erased (set to "") by the retention purge or at
    the complainant's request, after which the case is anonymous statistics only.
    """

    __tablename__ = "complaint_contacts"

    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")

    def __repr__(self) -> str:
        return f"ComplaintContact({self.complaint_id})"


class ComplaintEvent(Base):
    """One step in a case's life, kept for ever: who (`by`: a LINE user ID, "cli:<user>", "system" or
    "complainant"), when (UTC), `action` (filed, acknowledged, taken, forwarded, state, note, reply,
    info_added, rated, reopened, dismissed, resolved, purged, erased), the state `from_state` → `to_state`,
    `text` and `files`. `public` marks what the complainant sees (replies, the outcome); internal notes are
    never public. `detail` holds extra facts (a work group, a star rating)."""

    __tablename__ = "complaint_events"
    __table_args__ = (Index("ix_complaint_events_complaint_at", "complaint_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    by: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str] = mapped_column(String(12), default="")
    to_state: Mapped[str] = mapped_column(String(12), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    public: Mapped[bool] = mapped_column(default=False)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"ComplaintEvent({self.complaint_id}, {self.action}, {self.from_state}->{self.to_state})"


class ComplaintCounter(Base):
    """The last sequence number given per case type letter and Buddhist-Era year ("ร", 2570) → 42.
    Incremented by one upsert (`storage.complaints.next_number`), so two filings at once get two numbers."""

    __tablename__ = "complaint_counters"

    prefix: Mapped[str] = mapped_column(String(4), primary_key=True)
    year_be: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class ReminderPolicy(Base):
    """The office's edit of one round kind's reminder policy (`handlers.reminders.schedule`; a kind with
    no row uses the defaults there): `days_before` (whole days before the due date, e.g. [14, 7, 3, 1];
    0 = on the due day), `every_after` (days between reminders after the due date while items are
    missing; 0 = none), `send_at` ("HH:MM", Asia/Bangkok), who changed it and when (UTC)."""

    __tablename__ = "reminder_policies"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    days_before: Mapped[list[int]] = mapped_column(JSON, default=list)
    every_after: Mapped[int] = mapped_column(Integer, default=3)
    send_at: Mapped[str] = mapped_column(String(5), default="08:30")
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"ReminderPolicy({self.kind!r}, {self.days_before}, every={self.every_after}, at={self.send_at})"


class ComplaintErasure(Base):
    """A complainant's request to erase their data ("ลบข้อมูลของฉัน"; PDPC's 2024 notification: done within
    `erasure_days`, content/complaints.yaml). `case_ids` are the cases they had filed when they asked;
    `due_at` (UTC) is when every one of them must be erased. Closed cases are erased when asked, open ones
    when they close (the daily `complaint-purge` job) or, still open, at `due_at`. `status`: pending → done
    (`done_at`); once done `user_id` is cleared too, so the record proves the erasure without keeping who
    asked. Times are UTC."""

    __tablename__ = "complaint_erasures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    case_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"ComplaintErasure({self.id}, {self.status}, {len(self.case_ids or [])} cases)"
