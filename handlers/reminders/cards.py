"""What a reminder says: a work group's missing items with its progress bar and the days left (for its
group chat, and for staff who asked for personal reminders), the admins' office-wide summary, the
"ครบแล้ว" note, and the admins' warning when the month's quota will not cover the reminders.

Buttons reuse the evidence postbacks ("ev": report an item, the backlog) and the standards "show"
(open a criterion or PMQA item), so a press goes where the "งานค้าง" card's buttons go."""
from __future__ import annotations

from datetime import datetime

from content.model import Content
from handlers.core.thaidate import thai_date
from handlers.core.types import Button, Card, Section, TextReply
from handlers.evidence.cards import (MAX_SECTIONS, backlog_button, bar, item_section, pct, report_button,
                                     round_line)
from handlers.evidence.items import by_key
from handlers.evidence.progress import DONE, ItemProgress, RoundInfo
from handlers.members.directory import group_name
from handlers.standards.cards import show

ITEMS_SHOWN = MAX_SECTIONS - 1  # the first section is the group's progress


def when_text(due_at: datetime, days: int) -> str:
    """The deadline and how far it is: "ครบกำหนด 31 มี.ค. 2570 16:30 น. · อีก 7 วัน" (days from today, Bangkok)."""
    head = f"ครบกำหนด {thai_date(due_at)} · "
    if days > 0:
        return head + f"อีก {days} วัน"
    if days == 0:
        return head + "ครบกำหนดวันนี้ ⏰"
    return head + f"เลยกำหนดมาแล้ว {-days} วัน ⚠️"


def _labels(content: Content, items: list[ItemProgress]) -> dict[str, str]:
    out = {}
    for i in items:
        item = by_key(content, i.key)
        out[i.key] = item.label if item else i.code
    return out


def _open_button(item: ItemProgress) -> Button | None:
    if item.key.startswith(("criterion:", "pmqa_item:")):
        return show(item.key, f"ดู {item.code}"[:20])
    return None


def group_card(content: Content, rnd: RoundInfo, group: str, items: list[ItemProgress], days: int,
               personal: bool = False) -> Card:
    """A work group's reminder: its progress in round `rnd` (a bar of done/total), the days left, its
    missing items (status colours) and buttons to report the first ones, open the first and see all.
    `items` are every item of the round the group is responsible for; `personal` for a 1:1 reminder."""
    missing = [i for i in items if i.status not in DONE]
    done = len(items) - len(missing)
    name = group_name(content, group)
    labels = _labels(content, missing[:ITEMS_SHOWN])
    head = Section(f"ความคืบหน้าของ{name}", (when_text(rnd.due_at, days), f"ยังขาดหลักฐาน {len(missing)} รายการ"),
                   bar=bar(done, len(items)))
    buttons = [report_button(i.key, f"รายงาน {i.code}"[:20]) for i in missing[:2]]
    opened = _open_button(missing[0]) if missing else None
    if opened is not None:
        buttons.append(opened)
    buttons.append(backlog_button("ดูงานค้างทั้งหมด", group))
    more = f"และอีก {len(missing) - ITEMS_SHOWN} รายการ · " if len(missing) > ITEMS_SHOWN else ""
    how = "พิมพ์ \"ไม่ต้องเตือน\" เพื่อหยุดการเตือนส่วนตัว" if personal else "พิมพ์ \"บอท งานค้าง\" เพื่อดูทั้งหมด"
    return Card(label=("เตือนส่วนตัว · " if personal else "เตือนกำหนดส่ง · ") + name, title=round_line(rnd),
                sections=(head,) + tuple(item_section(i, labels) for i in missing[:ITEMS_SHOWN]),
                buttons=tuple(buttons[:4]), footnote=more + how,
                alt_text=f"⏰ {rnd.name}: {name} ยังขาดหลักฐาน {len(missing)} รายการ "
                         + (f"อีก {days} วัน" if days > 0 else "ครบกำหนดวันนี้" if days == 0 else
                            f"เลยกำหนด {-days} วัน"))


def done_text(content: Content, rnd: RoundInfo, group: str) -> TextReply:
    """The short note a group chat gets once when its items of round `rnd` are all done."""
    return TextReply(f"🎉 {group_name(content, group)} มีหลักฐานครบทุกรายการของ \"{rnd.name}\" แล้วค่ะ "
                     "ขอบคุณทุกท่านนะคะ บอทจะไม่เตือนกลุ่มนี้ในรอบนี้อีก")


def summary_card(content: Content, rnd: RoundInfo, by_group: dict[str, tuple[int, int]], done: int, total: int,
                 days: int, reminded: int) -> Card:
    """The admins' office-wide summary of round `rnd`: the overall bar, the days left, then each work
    group's bar, the furthest behind first; `reminded` = how many group chats this step reminds."""
    behind = sorted(((g, d, t) for g, (d, t) in by_group.items() if g != "all" and t), key=lambda x: (pct(x[1], x[2]), x[0]))
    sections = [Section("ทั้งสำนักงาน", (when_text(rnd.due_at, days), f"ยังขาดหลักฐาน {total - done} จาก {total} รายการ"),
                        bar=bar(done, total))]
    for g, d, t in behind[:MAX_SECTIONS + 2]:
        sections.append(Section(group_name(content, g), (f"ขาด {t - d} รายการ",) if t - d else ("ครบแล้ว ✅",),
                                bar=bar(d, t)))
    more = f"และอีก {len(behind) - MAX_SECTIONS - 2} กลุ่มงาน · " if len(behind) > MAX_SECTIONS + 2 else ""
    return Card(label="สรุปสำหรับผู้ดูแลระบบ · เตือนกำหนดส่ง", title=round_line(rnd), sections=tuple(sections),
                buttons=(backlog_button("งานค้างทุกกลุ่ม"),),
                footnote=f"{more}บอทส่งเตือนถึงกลุ่มไลน์ {reminded} กลุ่มในรอบนี้",
                alt_text=f"สรุป {rnd.name}: ขาดหลักฐาน {total - done}/{total} รายการ")


def quota_warning(left: int, needed: int, skipped: int, month: str) -> TextReply:
    """The admins' warning (once a month) that the quota left will not cover the reminders due."""
    return TextReply(f"⚠️ โควตาข้อความของเดือน{month}เหลือ {max(left, 0):,} ข้อความ แต่การเตือนกำหนดส่งรอบนี้ต้องใช้ "
                     f"{needed:,} ข้อความค่ะ (การส่งเข้ากลุ่มนับตามจำนวนสมาชิก)\n\n"
                     f"บอทส่งให้กลุ่มที่ใกล้ครบกำหนดที่สุดก่อนเท่าที่โควตาพอ และยังไม่ได้ส่ง {skipped:,} รายการ "
                     "เพิ่มโควตาได้ที่ LINE Official Account Manager แล้วบอทจะส่งส่วนที่เหลือในรอบถัดไปค่ะ")
