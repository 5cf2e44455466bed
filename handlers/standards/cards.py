"""Cards for the standards content: a criterion, an indicator's criteria, a standard's indicators, PMQA.

Pure functions of the content (and the search intent): they decide what a staff member sees first.
Navigation buttons carry postback data from `handlers.core.postback.encode`.
"""
from __future__ import annotations

from content.model import Content, Criterion, Indicator, PmqaCategory, PmqaItem, SourceRef, Standard
from handlers.core import postback
from handlers.standards import rubrics
from handlers.core.types import Button, Card, CardList, PostbackAction, Section

PAGE = 10  # cards per carousel page; the 12-bubble limit leaves room for the "more" bubble


def show(key: str, label: str, display: str | None = None) -> Button:
    """A button that opens the item `key` (e.g. ``criterion:1.1.4``)."""
    return Button(label, PostbackAction(postback.encode("show", k=key), display or label))


def listing(key: str, label: str, page: int = 0) -> Button:
    """A button that lists the children of `key` (page `page`)."""
    return Button(label, PostbackAction(postback.encode("list", k=key, p=page), label))


def sources_note(refs: tuple[SourceRef, ...]) -> str:
    """Where an item comes from, e.g. ``ที่มา: 000_058a….txt บรรทัด 8–37``."""
    return "ที่มา: " + "; ".join(f"{r.file} บรรทัด {r.first}–{r.last}" for r in refs)


def group_names(content: Content, ids: tuple[str, ...]) -> str:
    return ", ".join(content.group(g).name for g in ids) if ids else "ไม่ระบุในเอกสารต้นฉบับ"


def responsible_lines(content: Content, main: tuple[str, ...], co: tuple[str, ...]) -> tuple[str, ...]:
    return (f"หลัก: {group_names(content, main)}", f"ร่วม: {group_names(content, co)}")


def bullets(items) -> tuple[str, ...]:
    return tuple(f"• {i}" for i in items)


def report_button(key: str, code: str) -> Button:
    """"รายงานสถานะ": start reporting this item's evidence (postback "ev", `handlers.evidence.actions`)."""
    return Button("รายงานสถานะ", PostbackAction(postback.encode("ev", o="r", k=key), f"รายงานสถานะ {code}"))


def criterion_card(content: Content, c: Criterion, intent: str | None = None) -> Card:
    """The card of criterion `c`; `intent` ("responsible", "evidence", "measure", "rubric") goes first."""
    ind = content.indicator(c.indicator_code)
    parts: dict[str, Section] = {
        "measure": Section("ตัวชี้วัด", (c.measure.display,) if c.measure else ("ไม่ระบุในเอกสารต้นฉบับ",)),
        "responsible": Section("ผู้รับผิดชอบ", responsible_lines(content, c.main_groups, c.co_groups)),
        "evidence": Section("ร่องรอยหลักฐาน", bullets(c.evidence) if c.evidence else
                            (c.evidence_note or "เอกสารต้นฉบับไม่ได้ระบุเอกสารหลักฐานไว้",)),
    }
    if c.desired_state:
        parts["desired"] = Section("สภาพที่พึงประสงค์", (c.desired_state.display,))
    rubric = rubrics.for_indicator(content, c.indicator_code)
    if rubric:
        parts["rubric"] = Section(rubric.heading, rubric.lines)
    order = ["responsible", "evidence", "measure", "rubric", "desired"]
    if intent in parts:
        order.remove(intent)
        order.insert(0, intent)
    sections = [parts[k] for k in order if k in parts]
    if c.pmqa_categories:
        sections.append(Section("หมวด PMQA", tuple(f"หมวด {cat.code} {cat.title}" for cat in c.pmqa_categories)))
    for note in (c.gap, c.note):
        if note:
            sections.append(Section("หมายเหตุ", (note,), note=True))
    buttons = [Button("รายละเอียดเต็ม", PostbackAction(postback.encode("full", k=c.key), f"รายละเอียดเกณฑ์ {c.code}")),
               report_button(c.key, c.code)]
    if c.pmqa_categories:
        buttons.append(Button("ดูหมวด PMQA", PostbackAction(postback.encode("pmqa"), "หมวด PMQA")))
    buttons.append(listing(ind.key, f"เกณฑ์อื่นใน ตบช.{ind.code}"))
    buttons.append(show(f"standard:{c.standard_code}", f"มาตรฐานที่ {c.standard_code}"))
    return Card(
        label=f"เกณฑ์ {c.code} · มาตรฐานที่ {c.standard_code} › ตัวบ่งชี้ที่ {ind.code} {ind.title}",
        title=str(c.title), sections=tuple(sections), buttons=tuple(buttons),
        alt_text=f"เกณฑ์ {c.code} {c.title}", footnote=sources_note(c.source))


def criterion_summary(content: Content, c: Criterion) -> Card:
    """A short card of `c` for lists: title, main group, measure."""
    lines = [f"ผู้รับผิดชอบหลัก: {group_names(content, c.main_groups)}"]
    if c.gap:
        lines.append(f"⚠ {c.gap}")
    return Card(label=f"เกณฑ์ {c.code}", title=str(c.title), sections=(Section("ผู้รับผิดชอบ", tuple(lines)),),
                buttons=(show(c.key, "ดูเกณฑ์นี้", f"เกณฑ์ {c.code}"),), alt_text=f"เกณฑ์ {c.code} {c.title}")


def indicator_cards(content: Content, ind: Indicator, page: int = 0) -> CardList:
    """The criteria of indicator `ind` as a carousel, headed by the indicator itself."""
    head_lines = [f"มาตรฐานที่ {ind.standard_code}: {content.standard(ind.standard_code).title}",
                  f"มีเกณฑ์การประเมินในเอกสาร {len(ind.criteria)} ข้อ"]
    sections = [Section("อยู่ภายใต้", tuple(head_lines))]
    issue = rubrics.strategy_issue_for(content, ind.code)
    buttons = [show(f"standard:{ind.standard_code}", f"กลับมาตรฐานที่ {ind.standard_code}")]
    if issue:
        sections.append(Section("ติดตามตามกลยุทธ์ที่ 5 (ปีงบประมาณ 2556)", (f"ประเด็นที่ {issue['code']}",)))
        buttons.append(show(f"issue:{issue['code']}", f"ประเด็น {issue['code']}"))
    rubric = rubrics.for_indicator(content, ind.code)
    if rubric:
        sections.append(Section(rubric.heading, rubric.lines))
    if ind.gap:
        sections.append(Section("หมายเหตุ", (ind.gap,), note=True))
    head = Card(label=f"ตัวบ่งชี้ที่ {ind.code}", title=str(ind.title), sections=tuple(sections),
                buttons=tuple(buttons),
                alt_text=f"ตัวบ่งชี้ที่ {ind.code} {ind.title}", footnote=sources_note(ind.source))
    cards = [criterion_summary(content, c) for c in ind.criteria]
    return _paged(f"ตัวบ่งชี้ที่ {ind.code} {ind.title}", head if page == 0 else None, cards, ind.key, page)


def standard_cards(content: Content, s: Standard) -> CardList:
    """The indicators of standard `s` as a carousel, headed by the standard itself."""
    sections = [Section("ตัวบ่งชี้ในเอกสาร", tuple(f"{i.code} {i.title}" for i in s.indicators) or ("ไม่มี",))]
    if s.gap:
        sections.append(Section("หมายเหตุ", (s.gap,), note=True))
    head = Card(label=f"มาตรฐานที่ {s.code}", title=str(s.title), sections=tuple(sections),
                buttons=(Button("มาตรฐานทั้งหมด", PostbackAction(postback.encode("browse"), "มาตรฐานทั้งหมด")),),
                alt_text=f"มาตรฐานที่ {s.code} {s.title}", footnote=sources_note(s.source))
    cards = []
    for ind in s.indicators:
        lines = [f"เกณฑ์การประเมิน {len(ind.criteria)} ข้อ"] + ([f"⚠ {ind.gap}"] if ind.gap else [])
        buttons = (listing(ind.key, "ดูเกณฑ์"),) if ind.criteria else (show(ind.key, "ดูตัวบ่งชี้"),)
        cards.append(Card(label=f"ตัวบ่งชี้ที่ {ind.code}", title=str(ind.title),
                          sections=(Section("ในเอกสาร", tuple(lines)),), buttons=buttons,
                          alt_text=f"ตัวบ่งชี้ที่ {ind.code}"))
    return CardList(f"มาตรฐานที่ {s.code} {s.title}", (head, *cards))


def standards_overview(content: Content) -> CardList:
    """All five standards as a carousel."""
    cards = []
    for s in content.standards:
        lines = [f"ตัวบ่งชี้ {len(s.indicators)} ตัว, เกณฑ์ {sum(len(i.criteria) for i in s.indicators)} ข้อ"]
        if s.gap:
            lines.append(f"⚠ {s.gap}")
        cards.append(Card(label=f"มาตรฐานที่ {s.code}", title=str(s.title),
                          sections=(Section("ในเอกสาร", tuple(lines)),),
                          buttons=(show(s.key, "ดูตัวบ่งชี้", f"มาตรฐานที่ {s.code}"),),
                          alt_text=f"มาตรฐานที่ {s.code}"))
    return CardList("มาตรฐานสำนักงานเขตพื้นที่การศึกษา 5 มาตรฐาน", tuple(cards))


def pmqa_overview(content: Content) -> CardList:
    """PMQA categories 1–6 of criterion 1.1.4 (category 7 is not in the seeds)."""
    crit = next((c for c in content.criteria() if c.pmqa_categories), None)
    cards = []
    for cat in crit.pmqa_categories if crit else ():
        cards.append(Card(label=f"PMQA หมวด {cat.code} · เกณฑ์ {crit.code}", title=str(cat.title),
                          sections=(Section("ประเด็น", (f"{len(cat.items)} ข้อ",)),),
                          buttons=(listing(cat.key, "ดูประเด็น"),), alt_text=f"PMQA หมวด {cat.code}"))
    return CardList("หมวด PMQA ของเกณฑ์ 1.1.4", tuple(cards))


def pmqa_category_cards(content: Content, cat: PmqaCategory, page: int = 0) -> CardList:
    """The items of PMQA category `cat` as a carousel (paged)."""
    sections = [Section("ประเด็นในเอกสาร", (f"{len(cat.items)} ข้อ",))]
    if cat.measure:
        sections.append(Section("ตัวชี้วัดของหมวด", (cat.measure.display,)))
    if cat.gap:
        sections.append(Section("หมายเหตุ", (cat.gap,), note=True))
    head = Card(label=f"PMQA หมวด {cat.code} · เกณฑ์ 1.1.4", title=str(cat.title), sections=tuple(sections),
                buttons=(Button("หมวด PMQA ทั้งหมด", PostbackAction(postback.encode("pmqa"), "หมวด PMQA")),),
                alt_text=f"PMQA หมวด {cat.code}", footnote=sources_note(cat.source))
    cards = [pmqa_item_card(content, item) for item in cat.items]
    return _paged(f"PMQA หมวด {cat.code} {cat.title}", head if page == 0 else None, cards, cat.key, page)


def pmqa_item_card(content: Content, item: PmqaItem) -> Card:
    """The card of PMQA item `item` (e.g. 1.4) under criterion 1.1.4."""
    sections = [Section("ผู้รับผิดชอบ", responsible_lines(content, item.main_groups, item.co_groups))]
    if item.evidence:
        sections.append(Section("ร่องรอยหลักฐาน", bullets(item.evidence)))
    elif item.evidence_note:
        sections.append(Section("ร่องรอยหลักฐาน", (item.evidence_note,), note=True))
    if item.measure:
        sections.append(Section("ตัวชี้วัด", (item.measure.display,)))
    for note in (item.gap, item.note):
        if note:
            sections.append(Section("หมายเหตุ", (note,), note=True))
    return Card(label=f"PMQA หมวด {item.category_code} ข้อ {item.code} · เกณฑ์ 1.1.4", title=str(item.text),
                sections=tuple(sections),
                buttons=(Button("รายละเอียดเต็ม", PostbackAction(postback.encode("full", k=item.key),
                                                                  f"รายละเอียด PMQA {item.code}")),
                         report_button(item.key, f"PMQA {item.code}"),
                         listing(f"pmqa:{item.category_code}", f"หมวด {item.category_code} ทั้งหมด")),
                alt_text=f"PMQA {item.code} {item.text}", footnote=sources_note(item.source))


def _paged(alt: str, head: Card | None, cards: list[Card], key: str, page: int) -> CardList:
    start = page * PAGE
    chunk = cards[start:start + PAGE]
    more = listing(key, "ดูต่อ", page + 1) if start + PAGE < len(cards) else None
    return CardList(alt, tuple([head] if head else []) + tuple(chunk), more)


def full_text(content: Content, key: str) -> str | None:
    """Every curated field of a criterion or PMQA item as plain text, with sources; None if unknown."""
    kind, _, code = key.partition(":")
    item = content.criterion(code) if kind == "criterion" else content.pmqa_item(code) if kind == "pmqa_item" else None
    if item is None:
        return None
    head = f"เกณฑ์ {item.code} {item.title}" if kind == "criterion" else f"PMQA ข้อ {item.code} {item.text}"
    parts = [head]
    desired = getattr(item, "desired_state", None)
    if desired:
        parts.append(f"สภาพที่พึงประสงค์\n{desired}")
    for heading, values in (("แนวทางการดำเนินการ", item.guidelines), ("การดำเนินงาน", item.operations),
                            ("ร่องรอยหลักฐาน", item.evidence)):
        if values:
            parts.append(heading + "\n" + "\n".join(f"• {v}" for v in values))
    if item.measure:
        parts.append(f"ตัวชี้วัด\n{item.measure}")
    parts.append("ผู้รับผิดชอบ\n" + "\n".join(responsible_lines(content, item.main_groups, item.co_groups)))
    for note in (item.gap, item.note, item.evidence_note):
        if note:
            parts.append(f"หมายเหตุ: {note}")
    parts.append(sources_note(item.source))
    return "\n\n".join(parts)
