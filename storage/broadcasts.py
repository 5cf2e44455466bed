"""Broadcast queries: who an announcement reaches and what it costs, its outbox rows and delivery totals
(acknowledgements are in `storage.acknowledgements`). `session` first; add and flush, never commit; UTC.

An audience is a JSON dict: ``{"kind": K}`` with K one of `KINDS` (``work_groups`` also has
``"groups": [work group ids]``), or ``{"kind": "mixed", "parts": [audience, ...]}`` for several at once.
"followers" means every friend of the bot (LINE's broadcast endpoint) and is never mixed with others.
Cost is counted in LINE messages: one per person reached directly, a group chat's `member_count` for a
push to it, whatever the number of message objects in the request. LINE does not say how many followers a broadcast
reaches, so for "followers" the members the bot knows to follow it are a lower bound.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from storage import groups as chat_groups
from storage import outbox
from storage.models import Broadcast, BroadcastRecipient, ChatGroup, Member, OutboxMessage

KINDS = ("all_staff", "all_schools", "work_groups", "chat_groups", "followers")
STAFF_ROLES = ("staff", "admin")
FINAL = ("sent", "failed", "dead")
WAITING = ("pending", "sending", "held")  # outbox statuses still on their way


def origin(broadcast_id: int, reminder: bool = False) -> str:
    """The outbox `origin` of a broadcast's rows ("broadcast:12"), or of its reminder."""
    return f"broadcast-remind:{broadcast_id}" if reminder else f"broadcast:{broadcast_id}"


def parts(audience: dict[str, Any]) -> list[dict[str, Any]]:
    """The simple audiences ``[{"kind": ...}, ...]`` an audience is made of."""
    if audience.get("kind") == "mixed":
        return [p for p in audience.get("parts", []) if p.get("kind") in KINDS]
    return [audience] if audience.get("kind") in KINDS else []


def audience_of(kinds: list[str], work_groups: list[str] | None = None) -> dict[str, Any]:
    """The audience dict for the chosen `kinds` (in `KINDS` order) and `work_groups`."""
    chosen = [{"kind": k, "groups": sorted(work_groups or [])} if k == "work_groups" else {"kind": k}
              for k in KINDS if k in kinds]
    if len(chosen) == 1:
        return chosen[0]
    return {"kind": "mixed", "parts": chosen}


@dataclass
class Reach:
    """Who a broadcast reaches: `users` direct (user_id, work_group), `chats` (bound group chats) with the
    members we track for each (`chat_members`), head counts learned for chats whose cached
    `ChatGroup.member_count` is unknown (`counts`), and whether it goes to every `followers` (with the
    members known to follow, `known_followers`)."""

    users: list[tuple[str, str | None]] = field(default_factory=list)
    chats: list[ChatGroup] = field(default_factory=list)
    chat_members: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    followers: bool = False
    known_followers: int = 0

    @property
    def multicasts(self) -> int:
        return -(-len(self.users) // outbox.MULTICAST_MAX)

    @property
    def requests(self) -> int:
        """LINE API requests the send takes: multicasts, one push a chat, one broadcast."""
        return self.multicasts + len(self.chats) + (1 if self.followers else 0)

    def head_count(self, chat: ChatGroup) -> int | None:
        """`chat`'s head count: the cached `member_count`, else one learned for this reach, else None."""
        return chat.member_count if chat.member_count is not None else self.counts.get(chat.chat_id)

    def chat_cost(self, chat: ChatGroup) -> int:
        """Messages a push to `chat` uses: its head count, else the members we know are in it (≥ 1)."""
        count = self.head_count(chat)
        if count is not None:
            return count
        return max(len(self.chat_members.get(chat.chat_id, ())), 1)

    def cost(self) -> int:
        """LINE messages the send uses from the monthly quota (followers: the known lower bound). LINE
        counts one message per recipient per request, however many message objects (up to 5) it carries
        (Messaging API pricing, developers.line.biz/en/docs/messaging-api/pricing/)."""
        people = len(self.users) + sum(self.chat_cost(c) for c in self.chats)
        return people + (self.known_followers if self.followers else 0)

    @property
    def unknown_counts(self) -> int:
        """Chats whose head count LINE has not told us."""
        return sum(1 for c in self.chats if self.head_count(c) is None)

    @property
    def empty(self) -> bool:
        return not (self.users or self.chats or self.followers)


def _people(session: Session, roles: tuple[str, ...], work_groups: list[str] | None = None,
            following_only: bool = True) -> list[tuple[str, str | None]]:
    """(user_id, work_group) of active members with one of `roles` (and of `work_groups`), by user ID;
    `following_only` leaves out those who blocked the bot (a multicast would not reach them)."""
    stmt = select(Member.user_id, Member.work_group).where(Member.role.in_(roles), Member.status == "active")
    if following_only:
        stmt = stmt.where(Member.following.is_(True))
    if work_groups is not None:
        stmt = stmt.where(Member.work_group.in_(work_groups))
    return [(uid, wg) for uid, wg in session.execute(stmt.order_by(Member.user_id))]


def bound_chats(session: Session) -> list[ChatGroup]:
    """Active group chats with a binding (what "chat_groups" sends to)."""
    return [c for c in chat_groups.active_groups(session) if c.binding]


def chat_members(session: Session, chat: ChatGroup) -> list[tuple[str, str | None]]:
    """The members we count as in `chat` by its binding: its work group's staff, all staff, or admins
    (blocking the bot does not take anyone out of a group chat)."""
    if chat.binding == chat_groups.WORK_GROUP:
        return _people(session, STAFF_ROLES, [chat.work_group], following_only=False)
    if chat.binding == chat_groups.ALL_STAFF:
        return _people(session, STAFF_ROLES, following_only=False)
    if chat.binding == chat_groups.ADMINS:
        return _people(session, ("admin",), following_only=False)
    return []


def resolve(session: Session, audience: dict[str, Any],
            count_of: Callable[[str], int | None] | None = None) -> Reach:
    """Who `audience` reaches now (members who blocked the bot are left out; each person once).

    A bound chat's head count is its cached `member_count`; where that is unknown, `count_of(chat_id)`
    (LINE facts as `Ctx.line.group_member_count` gives them, None when unknown) is asked and the answer
    kept in `Reach.counts` only: nothing is written. Head counts are refreshed, outside any transaction,
    by the chat-groups code, not here."""
    reach, seen = Reach(), set()
    by_binding: dict[tuple[str | None, str | None], list[tuple[str, str | None]]] = {}
    for part in parts(audience):
        kind = part["kind"]
        if kind == "followers":
            reach.followers = True
            reach.known_followers = session.scalar(select(func.count()).select_from(Member).where(
                Member.following.is_(True), Member.status != "removed")) or 0
            continue
        if kind == "chat_groups":
            for chat in bound_chats(session):
                if chat.chat_id not in reach.chat_members:
                    key = (chat.binding, chat.work_group)
                    if key not in by_binding:
                        by_binding[key] = chat_members(session, chat)
                    reach.chats.append(chat)
                    reach.chat_members[chat.chat_id] = by_binding[key]
                    if chat.member_count is None and count_of is not None:
                        count = count_of(chat.chat_id)
                        if count is not None:
                            reach.counts[chat.chat_id] = count
            continue
        people = (_people(session, STAFF_ROLES) if kind == "all_staff" else
                  _people(session, ("school",)) if kind == "all_schools" else
                  _people(session, STAFF_ROLES, list(part.get("groups") or [])))
        for uid, wg in people:
            if uid not in seen:
                seen.add(uid)
                reach.users.append((uid, wg))
    return reach


def create(session: Session, author_id: str, audience: dict[str, Any], text: str, now: datetime,
           scheduled_at: datetime, image_url: str | None = None, link_label: str | None = None,
           link_url: str | None = None, ack_required: bool = False) -> Broadcast:
    """A new broadcast, status "scheduled" at `scheduled_at` (UTC; `now` or earlier means send now)."""
    row = Broadcast(author_id=author_id, audience=audience, text=text, image_url=image_url,
                    link_label=link_label, link_url=link_url, ack_required=ack_required, status="scheduled",
                    scheduled_at=scheduled_at, recipients=0, cost=0, report={}, created_at=now)
    session.add(row)
    session.flush()
    return row


def due_ids(session: Session, now: datetime) -> list[int]:
    """IDs of scheduled broadcasts whose time has come, oldest first."""
    return list(session.scalars(select(Broadcast.id).where(
        Broadcast.status == "scheduled", Broadcast.scheduled_at <= now).order_by(Broadcast.scheduled_at)))


def claim(session: Session, broadcast_id: int, status: str, new_status: str) -> Broadcast | None:
    """Move a broadcast from `status` to `new_status` if it is still in `status` (compare-and-set, so two
    workers never both act on it); the row, or None when someone else got there first."""
    done = session.execute(update(Broadcast).where(Broadcast.id == broadcast_id, Broadcast.status == status)
                           .values(status=new_status).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        return None
    return session.scalars(select(Broadcast).where(Broadcast.id == broadcast_id)
                           .execution_options(populate_existing=True)).one()


def start_sending(session: Session, bc: Broadcast, messages: list[dict[str, Any]], now: datetime,
                  reach: Reach | None = None) -> Reach:
    """Write the outbox rows of `bc` (multicasts of ≤500 users, a push per chat, or one broadcast), its
    recipients for acknowledgement tracking, and set it "sending" with its reach and planned cost.
    `reach` is `resolve(session, bc.audience)` when the caller has it already.

    A person reached several ways has one recipient row: direct (no `chat_id`) if messaged directly,
    else through the chat bound to their work group, else the first other chat."""
    reach = reach or resolve(session, bc.audience)
    tag = origin(bc.id)
    outbox.enqueue_multicasts(session, [uid for uid, _ in reach.users], messages, now, origin=tag)
    for chat in reach.chats:
        outbox.enqueue(session, "push", [chat.chat_id], messages, now, origin=tag,
                       cost=reach.chat_cost(chat))
    if reach.followers:
        outbox.enqueue(session, "broadcast", [], messages, now, origin=tag, cost=reach.known_followers)
    rows = {uid: {"broadcast_id": bc.id, "user_id": uid, "work_group": wg, "chat_id": None}
            for uid, wg in reach.users}
    for chat in sorted(reach.chats, key=lambda c: c.binding != chat_groups.WORK_GROUP):  # most specific first
        for uid, wg in reach.chat_members[chat.chat_id]:
            rows.setdefault(uid, {"broadcast_id": bc.id, "user_id": uid, "work_group": wg, "chat_id": chat.chat_id})
    if rows:
        session.execute(insert(BroadcastRecipient), list(rows.values()))
    bc.status = "sending"
    bc.recipients = len(rows) + (reach.known_followers if reach.followers else 0)
    bc.cost = reach.cost()
    bc.report = {**(bc.report or {}), "planned": {"requests": reach.requests, "users": len(reach.users),
                                                  "chats": len(reach.chats), "followers": reach.followers,
                                                  "cost": bc.cost}}
    session.flush()
    return reach


def totals(session: Session, tag: str) -> dict[str, int]:
    """Outbox rows of origin `tag` by status (pending, sending, held, sent, failed, dead), with "rows" and
    the "cost" of those sent. Held rows (waiting for the monthly quota) are not final."""
    out = {s: 0 for s in WAITING + FINAL}
    out["cost"] = 0
    for status, n, cost in session.execute(select(OutboxMessage.status, func.count(), func.sum(OutboxMessage.cost))
                                           .where(OutboxMessage.origin == tag).group_by(OutboxMessage.status)):
        out[status] = n
        if status == "sent":
            out["cost"] = int(cost or 0)
    out["rows"] = sum(out[s] for s in WAITING + FINAL)
    return out


def finish_if_done(session: Session, bc: Broadcast, now: datetime) -> dict[str, int] | None:
    """When every outbox row of `bc` is final: mark it "sent" (once, compare-and-set), store the report
    (row counts and the cost actually used) and return it; otherwise None."""
    got = totals(session, origin(bc.id))
    if any(got[s] for s in WAITING):
        return None
    row = claim(session, bc.id, "sending", "sent")
    if row is None:
        return None
    row.sent_at, row.cost = now, got["cost"]
    row.report = {**(row.report or {}), "sent": got["sent"], "failed": got["failed"] + got["dead"],
                  "rows": got["rows"], "cost": got["cost"]}
    session.flush()
    return got


def sending(session: Session) -> list[Broadcast]:
    """Broadcasts whose outbox rows are out for delivery, oldest first."""
    return list(session.scalars(select(Broadcast).where(Broadcast.status == "sending").order_by(Broadcast.id)))


def recent(session: Session, limit: int = 10) -> list[Broadcast]:
    """The newest broadcasts first."""
    return list(session.scalars(select(Broadcast).order_by(Broadcast.created_at.desc(), Broadcast.id.desc())
                                .limit(limit)))


def get(session: Session, broadcast_id: int, for_update: bool = False) -> Broadcast | None:
    """The broadcast `broadcast_id`, or None; `for_update` locks its row on PostgreSQL."""
    return session.get(Broadcast, broadcast_id, with_for_update=for_update or None)


def latest_with_ack(session: Session) -> Broadcast | None:
    """The newest broadcast that asked for acknowledgements."""
    return session.scalars(select(Broadcast).where(Broadcast.ack_required.is_(True))
                           .order_by(Broadcast.id.desc()).limit(1)).first()
