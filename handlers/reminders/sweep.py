"""The reminder sweep's plan: from the database alone, what is due at `now` and to whom, and what of it
the month's quota covers. The `reminders` job (`scheduler.jobs.send_reminders`) renders the plan and
queues it in the outbox; this module sends nothing and writes nothing.

For each open round with a due date whose step is due (`schedule.due_step`):
- each active group chat bound to a work group with items in the round's scope: that group's missing
  items, progress and days left (`cards.group_card`); a group with nothing missing gets nothing, or
  once, if it was reminded earlier in the round, the short "ครบแล้ว" (`cards.done_text`);
- staff who asked for personal reminders ("เตือนฉัน"): the same card for their own work group, 1:1;
- the admins, while anything is missing: the office-wide summary, to the admins' group chat (binding
  "admins") if there is one, else to each admin 1:1.
Every message carries a dedupe key "rem:<round>:<step>:<chat>" ("rem:<round>:done:<chat>" for the
note), so a repeated or concurrent sweep queues nothing twice (`storage.outbox.enqueue`).

Quota (design.md: a group push costs one message per member): a message's cost is the chat's cached
head count (`ChatGroup.member_count`), or, unknown, the largest cached count of the office's groups
and at least `UNKNOWN_GROUP_SIZE`. `budget` is the month's limit less LINE's usage as last read and what
the outbox has queued or sent since. `fit` takes the admins' messages first, then the groups nearest
their deadline; what does not fit waits for a later sweep (within the step's day) and the admins are
warned once a month.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.model import Content
from handlers.core.thaidate import BANGKOK, MONTHS
from handlers.core.types import Reply, Settings
from handlers.core.workdays import office_calendar
from handlers.evidence.cards import days_left
from handlers.evidence.compute import office_progress
from handlers.evidence.progress import DONE, ItemProgress
from handlers.reminders import cards
from handlers.reminders.schedule import due_step, policy_for
from storage import groups, line_facts, members, outbox, reminders as reminder_store
from storage.models import ChatGroup, Round

UNKNOWN_GROUP_SIZE = 50  # head count assumed for a group whose count LINE has not told us yet (at least)
ORIGIN = "reminder"
QUOTA_ORIGIN = "reminder-quota"
ORDER = {"admins": 0, "group": 1, "personal": 1, "done": 2}  # who goes first when the quota is short


@dataclass(frozen=True)
class Outgoing:
    """One reminder to queue: to a chat or user (`to`), the replies, its estimated `cost` in messages,
    its dedupe `key`, the round's id and due date (UTC), and `what` ("group", "personal", "admins", "done")."""

    to: str
    replies: tuple[Reply, ...]
    cost: int
    key: str
    round_id: int
    due_at: datetime
    what: str


def key(round_id: int, step: str, chat: str) -> str:
    """The dedupe key of a reminder: "rem:<round>:<step>:<chat>"."""
    return f"rem:{round_id}:{step}:{chat}"


def head_count(chats: list[ChatGroup]):
    """A function giving a chat's cost: its cached head count, else the conservative estimate."""
    known = [c.member_count for c in chats if c.member_count is not None]
    guess = max([UNKNOWN_GROUP_SIZE, *known])
    return lambda chat: chat.member_count if chat.member_count is not None else guess


def _responsible(items: list[ItemProgress], group: str) -> list[ItemProgress]:
    return [i for i in items if group in i.main_groups or group in i.co_groups or "all" in i.main_groups]


def admin_targets(session: Session, settings: Settings, cost_of) -> list[tuple[str, int]]:
    """Where admin matters go, with each one's cost: the admins' group chats, else each admin 1:1."""
    rooms = groups.active_groups(session, binding=groups.ADMINS)
    if rooms:
        return [(c.chat_id, cost_of(c)) for c in rooms]
    return [(a, 1) for a in members.admin_ids(session, settings.admin_user_ids)]


def plan(session: Session, content: Content, settings: Settings, now: datetime) -> list[Outgoing]:
    """What is due at `now` (UTC) and not yet queued, in no particular order (see the module doc)."""
    open_rounds = list(session.scalars(select(Round).where(Round.state == "open", Round.due_at.is_not(None))
                                       .order_by(Round.due_at, Round.id)))
    if not open_rounds:
        return []
    calendar = office_calendar(session)
    due = [(r, s) for r in open_rounds if (s := due_step(policy_for(session, r.kind), r.due_at, calendar, now))]
    if not due:
        return []
    chats = [c for c in groups.active_groups(session, binding=groups.WORK_GROUP) if c.work_group]
    cost_of = head_count(groups.active_groups(session))
    admins = admin_targets(session, settings, cost_of)
    people = reminder_store.opted_in(session)
    out: list[Outgoing] = []
    for rnd, step in due:
        queued = outbox.queued_keys(session, f"rem:{rnd.id}:")
        reminded = {k.rsplit(":", 1)[1] for k in queued}
        op = office_progress(session, content, rnd, settings.office_name, now)
        items = [i for s in op.standards for ind in s.indicators for i in ind.items]
        days = days_left(rnd.due_at, now)
        mine: dict[str, list[ItemProgress]] = {}

        def of(group: str) -> list[ItemProgress]:
            if group not in mine:
                mine[group] = _responsible(items, group)
            return mine[group]

        def add(to: str, replies: tuple, cost: int, k: str, what: str) -> None:
            if k not in queued:
                out.append(Outgoing(to, replies, cost, k, rnd.id, rnd.due_at, what))

        groups_reminded = 0
        for chat in chats:
            its = of(chat.work_group)
            if not its:
                continue
            if any(i.status not in DONE for i in its):
                groups_reminded += 1
                add(chat.chat_id, (cards.group_card(content, op.round, chat.work_group, its, days),),
                    cost_of(chat), key(rnd.id, step.name, chat.chat_id), "group")
            elif chat.chat_id in reminded:
                add(chat.chat_id, (cards.done_text(content, op.round, chat.work_group),), cost_of(chat),
                    key(rnd.id, "done", chat.chat_id), "done")
        for person in people:
            its = of(person.work_group)
            if any(i.status not in DONE for i in its):
                add(person.user_id, (cards.group_card(content, op.round, person.work_group, its, days, personal=True),),
                    1, key(rnd.id, step.name, person.user_id), "personal")
        if op.done < op.total:
            summary = cards.summary_card(content, op.round, op.by_group(), op.done, op.total, days, groups_reminded)
            for to, cost in admins:
                add(to, (summary,), cost, key(rnd.id, step.name, to), "admins")
    return out


def budget(session: Session) -> int | None:
    """Messages the month's quota still covers (None: no limit known): LINE's limit less its usage as last
    read, less what the outbox has queued or sent since that read (`outbox.committed_cost`)."""
    facts = line_facts.channel(session)
    quota = facts.get(line_facts.QUOTA)
    limit = (quota.value or {}).get("limit") if quota else None
    if limit is None:
        return None
    usage = facts.get(line_facts.USAGE)
    used = int((usage.value or {}).get("total") or 0) if usage else 0
    return int(limit) - used - outbox.committed_cost(session, usage.fetched_at if usage else None)


def fit(planned: list[Outgoing], left: int | None) -> tuple[list[Outgoing], list[Outgoing]]:
    """(what to queue now, what the quota `left` does not cover): the admins' messages first, then by
    deadline, nearest first; a message that does not fit is skipped and a cheaper later one may still fit."""
    ordered = sorted(planned, key=lambda o: (ORDER[o.what], o.due_at, o.round_id, o.key))
    if left is None:
        return ordered, []
    chosen, skipped = [], []
    for o in ordered:
        if o.cost <= left:
            chosen.append(o)
            left -= o.cost
        else:
            skipped.append(o)
    return chosen, skipped


def quota_warnings(session: Session, settings: Settings, now: datetime, left: int, needed: int,
                   skipped: int) -> list[Outgoing]:
    """The admins' warning that the quota `left` will not cover the `needed` messages (`skipped` of them
    wait), keyed once per admin target and month (Asia/Bangkok): "rem-quota:<YYYY-MM>:<chat>"."""
    local = now.astimezone(BANGKOK)
    month = f"{MONTHS[local.month - 1]} {local.year + 543}"
    text = cards.quota_warning(left, needed, skipped, month)
    cost_of = head_count(groups.active_groups(session))
    queued = outbox.queued_keys(session, f"rem-quota:{local:%Y-%m}:")
    return [Outgoing(to, (text,), cost, k, 0, now, "admins") for to, cost in admin_targets(session, settings, cost_of)
            if (k := f"rem-quota:{local:%Y-%m}:{to}") not in queued]

