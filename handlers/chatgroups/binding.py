"""Group chats: join/leave/member events, binding a group chat to a work group, and what a group is for.

A LINE group (or room) the bot is in is a `storage.models.ChatGroup`. An admin binds it to a work group
of `content/groups.yaml`, or marks it the all-staff room or the admins' room, with the flow "grpbind"
("ตั้งค่ากลุ่ม" in the group, or in a 1:1 chat after picking the group from the list): one choice step
whose choices are buttons on a card and may also be typed ("นโยบายและแผนค่ะ", "ห้องบุคลากรทั้งหมด"), in a
group even without addressing the bot while the admin's flow is live. The binding itself is
`handlers.chatgroups.actions.bind` (audited), which `flask groups bind` calls too. Nothing said in a group
names a person or shows private data: only the binding and LINE's cached head count. LINE leaves out the
sender's user ID from desktop clients, and then anything that needs to know who is asking is refused
politely by `handlers.core.policy.require`.

LINE facts (name, head count) come from the database through `ctx.line`; a join or a member event asks
for them to be re-read after the event (`ctx.line.refresh`), never inside it.

Postback "grp": ``c`` a group/room ID (1:1 list: set this chat up), ``l`` a page of the 1:1 list.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from content.thai import loose
from handlers import help
from handlers.chatgroups import actions
from handlers.core import policy
from handlers.core import postback
from handlers.core.flow import Flow, FlowState, Step
from handlers.core.thaidate import thai_date
from handlers.core.routing import Command
from handlers.core.types import (Button, Card, CardList, Ctx, MessageAction, PostbackAction, Result, Section,
                                 UserFacingError)
from handlers.core.words import Choice
from handlers.standards import lookup as standards
from storage import groups as chat_groups
from storage.models import ChatGroup

PAGE = 10  # group chats per carousel page in the 1:1 list
CHAT_ID = re.compile(r"[CR][0-9A-Za-z]{10,63}")  # LINE: "C"/"R" + 32 hex; the console uses its own
# the room choices: flow value -> (label, ≤ LINE's 20 characters; other ways to type it); work groups follow
ROOM_CHOICES = {"all": ("ห้องบุคลากรทั้งหมด", ("บุคลากรทั้งหมด", "ห้องบุคลากร", "ห้องรวม", "ทุกคน")),
                "admins": ("ห้องผู้ดูแลระบบ", ("ผู้ดูแลระบบ", "ห้องแอดมิน", "แอดมิน", "admin", "admins")),
                "complaints": ("ห้องเรื่องร้องเรียน", ("ห้องรับเรื่องร้องเรียน", "เรื่องร้องเรียน", "ร้องเรียน",
                                                    "รับเรื่องร้องเรียน", "ห้องร้องเรียน", "complaints")),
                "none": ("ยกเลิกการผูก", ("ไม่ผูก", "เลิกผูก", "ยกเลิกผูก", "ไม่ผูกกลุ่ม"))}
SETUP_HINT = ("ผู้ดูแลระบบ: พิมพ์ \"บอท ตั้งค่ากลุ่ม\" เพื่อผูกกลุ่มไลน์นี้กับกลุ่มงาน "
              "หรือตั้งเป็นห้องบุคลากรทั้งหมด / ห้องผู้ดูแลระบบค่ะ")
WELCOME = ("ยินดีต้อนรับสมาชิกใหม่{count}ค่ะ 🙏 บอทนี้ช่วยค้นมาตรฐานสำนักงานเขตพื้นที่การศึกษา พิมพ์ \"บอท\" ตามด้วยคำถาม "
           "เช่น \"บอท ตบช. 2.1\" หรือ \"บอท เมนู\" เพื่อดูวิธีใช้ บุคลากรของสำนักงานเพิ่มบอทเป็นเพื่อน "
           "แล้วพิมพ์ \"ลงทะเบียน\" ในแชต 1:1 ได้เลยค่ะ")
GONE = ("ขออภัยค่ะ ตอนนี้บอทไม่ได้อยู่ในกลุ่มไลน์นั้นแล้ว จึงตั้งค่าไม่ได้ พิมพ์ \"ตั้งค่ากลุ่ม\" ในแชต 1:1 "
        "เพื่อดูกลุ่มที่บอทอยู่ตอนนี้นะคะ")
OTHER_GROUP = "ขออภัยค่ะ ปุ่มนี้เป็นของกลุ่มไลน์อื่น พิมพ์ \"บอท ตั้งค่ากลุ่ม\" ในกลุ่มนี้เพื่อตั้งค่าใหม่นะคะ"
ONLY_IN_GROUP = "คำสั่งนี้ใช้ในกลุ่มไลน์ค่ะ พิมพ์ \"บอท กลุ่มนี้\" ในกลุ่มที่ต้องการดูนะคะ"
ONLY_PRIVATE = "รายการนี้ดูได้ในแชต 1:1 กับบอทค่ะ 🙏"
NO_GROUPS = ("ตอนนี้บอทยังไม่ได้อยู่ในกลุ่มไลน์ใดค่ะ เชิญบอทเข้ากลุ่มไลน์ของกลุ่มงานก่อน "
             "แล้วพิมพ์ \"บอท ตั้งค่ากลุ่ม\" ในกลุ่มนั้น หรือพิมพ์ \"ตั้งค่ากลุ่ม\" ที่นี่อีกครั้งนะคะ")
HOW_TO_CHOOSE = "กดปุ่มบนการ์ด หรือพิมพ์ชื่อกลุ่มงาน เช่น \"นโยบายและแผน\" หรือ \"ห้องบุคลากรทั้งหมด\" ได้เลยค่ะ"
# "กลุ่มนี้" followed by one of these is a question about the group; anything else is a standards question
ABOUT_GROUP = tuple(loose(w) for w in ("คือ", "ผูก", "ตั้งค่า", "เป็น", "สมาชิก", "มีกี่คน", "อยู่กลุ่ม", "ของกลุ่ม"))


# ---------------------------------------------------------------------- wording

def binding_text(ctx: Ctx, row: ChatGroup | None) -> str:
    """What `row` is bound to, in Thai (e.g. "กลุ่มนโยบายและแผน", "ยังไม่ได้ตั้งค่า")."""
    if row is None or row.binding is None:
        return "ยังไม่ได้ตั้งค่า"
    if row.binding == chat_groups.WORK_GROUP:
        try:
            return ctx.content.group(row.work_group or "").name
        except KeyError:
            return f"กลุ่มงาน \"{row.work_group}\" (ไม่มีในรายชื่อกลุ่มงานแล้ว)"
    return {chat_groups.ALL_STAFF: ROOM_CHOICES["all"][0], chat_groups.ADMINS: ROOM_CHOICES["admins"][0],
            chat_groups.COMPLAINTS: ROOM_CHOICES["complaints"][0]}[row.binding]


def count_text(row: ChatGroup) -> str:
    """The cached head count in words ("สมาชิก 12 คน", or that it is not known yet)."""
    return f"สมาชิก {row.member_count} คน" if row.member_count is not None else "ยังไม่ทราบจำนวนสมาชิก"


def chat_name(row: ChatGroup) -> str:
    """The chat's name as LINE last gave it, or what kind of chat it is."""
    return row.name or ("ห้องแชตหลายคน" if row.kind == "room" else "กลุ่มไลน์ (ไม่ทราบชื่อ)")


def short_label(name: str, aliases: tuple[str, ...]) -> str:
    """A button label of at most 20 characters for a work group: its name, or its shortest "กลุ่ม…" alias."""
    if len(name) <= 20:
        return name
    fitting = [a for a in aliases if len(a) <= 20]
    return min(fitting, key=lambda a: (not a.startswith("กลุ่ม"), -len(a)), default=name[:20])


# ---------------------------------------------------------------------- events

def on_join(ctx: Ctx) -> Result:
    """The bot was added to a group or room: record it (or reactivate it) and introduce itself; LINE's
    name and head count for it are read after the event."""
    row = chat_groups.record_join(ctx.session, ctx.inp.chat_id, ctx.inp.chat_kind, ctx.now)
    _refresh(ctx, row.chat_id)
    if row.binding is None:
        tail = SETUP_HINT
    else:
        tail = f"กลุ่มไลน์นี้ตั้งค่าไว้แล้ว: {binding_text(ctx, row)} (ผู้ดูแลระบบเปลี่ยนได้ด้วย \"บอท ตั้งค่ากลุ่ม\")"
    return Result.text(f"{help.JOIN}\n\n{tail}", help.menu_buttons()[:3])


def _refresh(ctx: Ctx, chat_id: str) -> None:
    if ctx.line is not None:
        ctx.line.refresh(chat_id)


def on_leave(ctx: Ctx) -> None:
    """The bot was removed: the chat becomes inactive (no reply is possible)."""
    chat_groups.mark_left(ctx.session, ctx.inp.chat_id, ctx.now)
    return None


def on_member_joined(ctx: Ctx) -> Result:
    """People joined: one short welcome for all of them, naming no one; the head count is re-read."""
    chat_groups.ensure(ctx.session, ctx.inp.chat_id, ctx.inp.chat_kind, ctx.now)
    _refresh(ctx, ctx.inp.chat_id)
    n = len(ctx.inp.member_ids)
    return Result.text(WELCOME.format(count=f" {n} ท่าน" if n > 1 else ""))


def on_member_left(ctx: Ctx) -> None:
    """People left: the head count is re-read; no reply."""
    if chat_groups.get(ctx.session, ctx.inp.chat_id) is not None:
        _refresh(ctx, ctx.inp.chat_id)
    return None


# ---------------------------------------------------------------------- binding: the flow

@dataclass
class Binding:
    """The binding flow's data: the group chat being set up."""

    chat_id: str = ""


def _choices(ctx: Ctx, st: FlowState[Binding]) -> list[Choice]:
    rooms = [Choice(value, label, words) for value, (label, words) in ROOM_CHOICES.items()]
    work = [Choice(g.id, short_label(g.name, g.aliases), (g.name, *g.aliases), f"ผูกกับ {g.name}")
            for g in ctx.content.groups if g.id != "all"]
    return rooms + work


def _live_row(ctx: Ctx, chat_id: str) -> ChatGroup:
    row = chat_groups.get(ctx.session, chat_id)
    if row is None or not row.active:
        raise UserFacingError(GONE)
    return row


def _prompt(ctx: Ctx, st: FlowState[Binding]) -> Result:
    """The binding choices for the chat: a card for the room kinds, then the work groups four to a card."""
    row = _live_row(ctx, st.data.chat_id)
    choices = _choices(ctx, st)
    rooms, work = choices[:len(ROOM_CHOICES)], choices[len(ROOM_CHOICES):]
    head = Card(label="ตั้งค่ากลุ่มไลน์", title=chat_name(row),
                sections=(Section("ตอนนี้", (binding_text(ctx, row),)),
                          Section("เลือกได้", ("ผูกกับกลุ่มงาน: เลื่อนดูการ์ดถัดไป",
                                               f"{ROOM_CHOICES['all'][0]}: สำหรับประกาศถึงบุคลากรทุกคน",
                                               f"{ROOM_CHOICES['admins'][0]}: สำหรับเรื่องของผู้ดูแลระบบ",
                                               f"{ROOM_CHOICES['complaints'][0]}: แจ้งเจ้าหน้าที่เมื่อมีเรื่องใหม่"))),
                buttons=tuple(st.choice_buttons(rooms)), footnote=HOW_TO_CHOOSE,
                alt_text=f"ตั้งค่ากลุ่มไลน์ {chat_name(row)}")
    names = {g.id: g.name for g in ctx.content.groups}
    cards = [head]
    for i in range(0, len(work), 4):
        chunk = work[i:i + 4]
        cards.append(Card(label="ผูกกับกลุ่มงาน", title=f"เลือกกลุ่มงาน ({i // 4 + 1}/{-(-len(work) // 4)})",
                          sections=(Section("ชื่อเต็ม", tuple(names[c.value] for c in chunk)),),
                          buttons=tuple(st.choice_buttons(chunk)), alt_text="ผูกกับกลุ่มงาน"))
    return Result([CardList(f"ตั้งค่ากลุ่มไลน์ {chat_name(row)}", tuple(cards))])


def _on_choice(ctx: Ctx, st: FlowState[Binding], value: str) -> Result:
    """A choice made (pressed or typed): bind, confirm, end the flow."""
    _live_row(ctx, st.data.chat_id)
    try:
        done = actions.bind(ctx.session, ctx.content, ctx.actor, st.data.chat_id, value, ctx.now,
                            from_chat=ctx.inp.chat_kind)
    except actions.NotInChat:
        raise UserFacingError(GONE) from None
    row = done.row
    more = [Button("ตั้งค่ากลุ่มอื่น", MessageAction("ตั้งค่ากลุ่ม"))] if ctx.inp.chat_kind == "user" else []
    if not done.changed:
        return st.end(Result.text(f"ไม่มีอะไรเปลี่ยนค่ะ 👌 ตอนนี้{_subject(ctx, row)} {_bound_phrase(ctx, row)}", more))
    return st.end(Result.text(f"ตั้งค่าแล้วค่ะ ✅ {_subject(ctx, row)} {_bound_phrase(ctx, row)}", more))


BIND_FLOW: Flow[Binding] = Flow("grpbind", Binding, {
    "choose": Step(_prompt, choices=_choices, on_choice=_on_choice, expects=HOW_TO_CHOOSE),
}, first="choose")


def _bound_phrase(ctx: Ctx, row: ChatGroup) -> str:
    if row.binding is None:
        return "ยังไม่ได้ตั้งค่า"
    return f"{'ผูกกับ' if row.binding == chat_groups.WORK_GROUP else 'ตั้งเป็น'} {binding_text(ctx, row)}"


def _subject(ctx: Ctx, row: ChatGroup) -> str:
    """How a reply names `row`: by its name, or "กลุ่มไลน์นี้" when said in that very chat."""
    if row.name:
        return f"กลุ่มไลน์ \"{row.name}\""
    return "กลุ่มไลน์นี้" if ctx.inp.chat_id == row.chat_id else "กลุ่มไลน์ที่เลือก"


def setup(ctx: Ctx, rest: str = "") -> Result:
    """"ตั้งค่ากลุ่ม" (admins): in a group, this group's choices (the flow); in a 1:1 chat, the group chats
    to pick from."""
    policy.require(ctx, "group.bind")
    if ctx.inp.chat_kind != "user":
        row = chat_groups.get(ctx.session, ctx.inp.chat_id)
        if row is None or not row.active:  # in a chat it has no (live) record of: it is evidently here
            row = chat_groups.record_join(ctx.session, ctx.inp.chat_id, ctx.inp.chat_kind, ctx.now)
            _refresh(ctx, row.chat_id)
        return BIND_FLOW.begin(ctx, chat_id=row.chat_id)
    return group_list(ctx, 0)


def group_list(ctx: Ctx, page: int) -> Result:
    """The active group chats as cards (1:1, admins), each with a button to set it up; `page` from 0."""
    rows = chat_groups.active_groups(ctx.session)
    if not rows:
        return Result.text(NO_GROUPS)
    page = max(0, min(page, (len(rows) - 1) // PAGE))
    cards = tuple(Card(label="กลุ่มไลน์ที่บอทอยู่", title=chat_name(r),
                       sections=(Section("ผูกกับ", (binding_text(ctx, r),)),
                                 Section("ข้อมูล", (count_text(r),
                                                    f"บอทเข้ากลุ่มเมื่อ {thai_date(r.joined_at, time=False)}"))),
                       buttons=(_grp("ตั้งค่ากลุ่มนี้", f"ตั้งค่า {chat_name(r)}", c=r.chat_id),),
                       alt_text=chat_name(r))
                  for r in rows[page * PAGE:(page + 1) * PAGE])
    more = _grp("ดูกลุ่มถัดไป", "ดูกลุ่มไลน์ถัดไป", l=page + 1) if (page + 1) * PAGE < len(rows) else None
    return Result([CardList(f"กลุ่มไลน์ที่บอทอยู่ {len(rows)} กลุ่ม", cards, more)])


def _grp(label: str, display: str, **payload) -> Button:
    return Button(label, PostbackAction(postback.encode("grp", **payload), display))


def on_postback(ctx: Ctx, payload: dict) -> Result:
    """A "grp" button of the 1:1 list: a page of it, or setting up one chat (the flow starts). Buttons of
    the cards from before the flow ("b": a choice) are expired: their choice is made by the flow now."""
    policy.require(ctx, "group.bind")
    if "l" in payload:
        if ctx.inp.chat_kind != "user" or not isinstance(payload["l"], int):
            raise UserFacingError(postback.EXPIRED)
        return group_list(ctx, payload["l"])
    chat_id = payload.get("c")
    if not isinstance(chat_id, str) or not CHAT_ID.fullmatch(chat_id) or "b" in payload:
        raise UserFacingError(postback.EXPIRED)
    if ctx.inp.chat_kind != "user" and chat_id != ctx.inp.chat_id:
        raise UserFacingError(OTHER_GROUP)
    _live_row(ctx, chat_id)
    return BIND_FLOW.begin(ctx, chat_id=chat_id)


# ---------------------------------------------------------------------- read-only views

def this_group(ctx: Ctx, rest: str = "") -> Result:
    """"สมาชิกกลุ่มนี้" / "กลุ่มนี้" (anyone, in a group): the binding and the head count, no names."""
    lr = loose(rest)
    if lr and any(ch.isalnum() for ch in lr) and not lr.startswith(ABOUT_GROUP):
        return standards.lookup(ctx, f"กลุ่มนี้{rest}")  # e.g. "กลุ่มนี้รับผิดชอบเกณฑ์ไหน" is a standards question
    if ctx.inp.chat_kind == "user":
        return Result.text(ONLY_IN_GROUP)
    row = chat_groups.get(ctx.session, ctx.inp.chat_id)
    if row is not None and ctx.line is not None:
        ctx.line.group_member_count(row.chat_id)  # unknown or stale: re-read after this event
    bound = row is not None and row.binding is not None
    lines = [f"กลุ่มไลน์นี้{_bound_phrase(ctx, row)} ค่ะ" if bound else "กลุ่มไลน์นี้ยังไม่ได้ตั้งค่าค่ะ"]
    if row is not None:
        lines.append(count_text(row))
    if not bound:
        lines.append(SETUP_HINT)
    return Result.text("\n".join(lines))


def list_all(ctx: Ctx, rest: str = "") -> Result:
    """"รายชื่อกลุ่มไลน์" (admins, 1:1): every group chat ever joined, with binding, state, count, date."""
    policy.require(ctx, "group.bind")
    if ctx.inp.chat_kind != "user":
        raise UserFacingError(ONLY_PRIVATE)
    rows = chat_groups.all_groups(ctx.session)
    if not rows:
        return Result.text(NO_GROUPS)
    active = sum(r.active for r in rows)
    lines = [f"กลุ่มไลน์ที่บอทรู้จัก {len(rows)} กลุ่ม (อยู่ในกลุ่มตอนนี้ {active} กลุ่ม) ค่ะ"]
    for i, r in enumerate(rows, 1):
        state = "อยู่ในกลุ่ม" if r.active else \
            f"ออกจากกลุ่มแล้ว{' เมื่อ ' + thai_date(r.left_at, time=False) if r.left_at else ''}"
        lines.append(f"{i}. {chat_name(r)}\n   ผูกกับ: {binding_text(ctx, r)} · {count_text(r)} · {state} · "
                     f"เข้ากลุ่ม {thai_date(r.joined_at, time=False)}")
    return Result.text("\n".join(lines), [Button("ตั้งค่ากลุ่ม", MessageAction("ตั้งค่ากลุ่ม"))])


COMMANDS = [Command(("ตั้งค่ากลุ่ม", "ตั้งค่ากลุ่มไลน์"), setup),
            Command(("สมาชิกกลุ่มนี้",), this_group),
            Command(("กลุ่มนี้",), this_group, bare_in_group=False),  # "กลุ่มนี้" alone is group talk
            Command(("รายชื่อกลุ่มไลน์", "กลุ่มไลน์ทั้งหมด"), list_all, bare_in_group=False)]
POSTBACKS = {"grp": on_postback}
FLOWS = (BIND_FLOW,)
EVENTS = {"join": on_join, "leave": on_leave, "member_joined": on_member_joined, "member_left": on_member_left}
