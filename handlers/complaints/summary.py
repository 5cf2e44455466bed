""""สถิติเรื่องร้องเรียน" (admins, 1:1): a period's complaint statistics as a card (`handlers.complaints.stats`),
with buttons for the other periods. The same figures go to Excel with `flask complaints report`."""
from __future__ import annotations

from handlers.complaints.catalog import catalog
from handlers.complaints.stats import Summary, number, period_of, share, state_name, summarize
from handlers.core import policy
from handlers.core.routing import Command
from handlers.core.thaidate import thai_date
from handlers.core.types import Button, Card, Ctx, MessageAction, Result, Section

COMMAND = "สถิติเรื่องร้องเรียน"
PERIODS = ("เดือนนี้", "เดือนที่แล้ว", "6 เดือน", "12 เดือน", "ปีงบประมาณ")
NOTHING = "ยังไม่มีเรื่องที่ยื่นเข้ามาในช่วงนี้ค่ะ"
UNIT = "วันทำการ"


def summary_card(s: Summary) -> Card:
    """The card of summary `s`: totals by type, topic and state, times in working days, in-time shares and
    satisfaction; nothing about who filed."""
    cat = catalog()
    if not s.total:
        return Card(label="สถิติเรื่องร้องเรียน", title=s.period.label, sections=(Section("ภาพรวม", (NOTHING,)),),
                    alt_text=f"สถิติเรื่องร้องเรียน {s.period.label}: ยังไม่มีเรื่อง")
    kinds = s.count("kind")
    states = s.count("state")
    ack_ok, ack_known = s.in_time("ack")
    res_ok, res_known = s.in_time("resolve")
    sections = (
        Section("ภาพรวม", (f"ทั้งหมด {s.total} เรื่อง",
                           *(f"{k.name} {kinds[k.id]}" for k in cat.kinds if kinds.get(k.id)))),
        Section("ตามหัวข้อ", tuple(f"{cat.topic(t).name} {f.total}" for t, f in s.by_topic())),
        Section("ตามสถานะ", tuple(f"{state_name(st)} {states[st]}" for st in
                                 ("new", "acknowledged", "in_progress", "forwarded", "resolved", "dismissed")
                                 if states.get(st))),
        Section("ระยะเวลา (วันทำการ)", (
            f"รับเรื่อง: มัธยฐาน {number(s.median('ack'))} · เฉลี่ย {number(s.mean('ack'))} ({len(s.days('ack'))} เรื่อง)",
            f"ปิดเรื่อง: มัธยฐาน {number(s.median('resolve'))} · เฉลี่ย {number(s.mean('resolve'))} "
            f"({len(s.days('resolve'))} เรื่อง)")),
        Section("ทันกำหนด", (f"รับเรื่องทันกำหนด {share(ack_ok, ack_known)}",
                             f"แจ้งผลทันกำหนด {share(res_ok, res_known)}")),
        Section("ความพึงพอใจ", (f"เฉลี่ย {number(s.satisfaction)} จาก 5 ดาว ({len(s.ratings)} คนให้คะแนน)"
                                if s.ratings else "ยังไม่มีผู้ให้คะแนน",)),
    )
    return Card(label="สถิติเรื่องร้องเรียน", title=s.period.label, sections=sections,
                footnote=f"นับเรื่องที่ยื่นในช่วงนี้ สถานะ ณ {thai_date(s.as_of)} · ไม่มีข้อมูลผู้แจ้ง",
                alt_text=f"สถิติเรื่องร้องเรียน {s.period.label}: {s.total} เรื่อง")


def show(ctx: Ctx, rest: str = "") -> Result:
    """"สถิติเรื่องร้องเรียน [เดือนนี้|เดือนที่แล้ว|6 เดือน|12 เดือน|ปีงบประมาณ 2570]": the card (admins, 1:1)."""
    policy.require(ctx, "complaints.stats")
    s = summarize(ctx.session, period_of(rest, ctx.now), ctx.now)
    buttons = [Button(p, MessageAction(f"{COMMAND} {p}")) for p in PERIODS]
    return Result([summary_card(s)], buttons)


COMMANDS = [Command((COMMAND, "สถิติร้องเรียน", "สถิติข้อร้องเรียน"), show, bare_in_group=False)]
POSTBACKS: dict = {}
EVENTS: dict = {}
