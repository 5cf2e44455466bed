"""Cards for the reference sources: Strategy-5 issues, the 2557 edition, the process, SAR, rounds,
internal control and the complaint channels."""
from __future__ import annotations

from content.model import Content
from content.thai import clip_words
from handlers.standards import cards, rubrics
from handlers.standards.rubrics import text_of
from handlers.core.types import Card, Section


def _issue_card(content: Content, code: str) -> Card | None:
    ref = content.references.get("strategy5")
    issue = next((i for i in (ref.data.get("issues") or []) if str(i.get("code")) == code), None) if ref else None
    if issue is None:
        return None
    sections = []
    maps = issue.get("maps_to") or {}
    buttons = []
    if maps.get("indicator"):
        ind = content.indicator(str(maps["indicator"]))
        sections.append(Section("ตรงกับ", (f"มาตรฐานที่ {maps.get('standard')} ตัวบ่งชี้ที่ {maps['indicator']}"
                                           + (f" {ind.title}" if ind else ""),)))
        if ind:
            buttons.append(cards.listing(ind.key, f"ดู ตบช.{ind.code}"))
    rounds = [r for r in ref.data.get("rounds") or [] if code in [str(x) for x in r.get("evaluates") or []]]
    if rounds:
        sections.append(Section("ประเมินในรอบ", tuple(f"ครั้งที่ {r['code']}" for r in rounds)))
    if issue.get("note"):
        sections.append(Section("หมายเหตุ", (text_of(issue["note"]),), note=True))
    rubric = rubrics.issue_rubric(content, issue)
    if rubric:
        sections.append(Section(rubric.heading, rubric.lines))
    return Card(label=f"กลยุทธ์ที่ 5 ประเด็นที่ {code}", title=text_of(issue.get("title")), sections=tuple(sections),
                buttons=tuple(buttons), alt_text=f"ประเด็นที่ {code}",
                footnote=cards.sources_note(_refs(issue.get("source"))))


def _refs(source) -> tuple:
    from content.loader import parse_source
    return parse_source(source, "reference") if source else ()


def _edition_card(content: Content) -> Card | None:
    ref = content.references.get("standards_2557")
    if not ref:
        return None
    data = ref.data
    sections = [Section("ประเด็นการพิจารณา", tuple(f"{c.get('code')}. {text_of(c.get('text'))}"
                                                   for c in data.get("considerations") or []))]
    rubric = rubrics.edition_2557_rubric(content)
    if rubric:
        sections.append(Section(rubric.heading, rubric.lines))
    return Card(label=text_of((data.get("edition") or {}).get("title")) or "มาตรฐาน พ.ศ.2557",
                title=f"ตัวบ่งชี้ที่ 1 {text_of((data.get('indicator') or {}).get('title'))}",
                sections=tuple(sections), alt_text="มาตรฐาน พ.ศ.2557 ตัวบ่งชี้ที่ 1",
                footnote=cards.sources_note(ref.source))


def _process_card(content: Content, part: str) -> Card | None:
    ref = content.references.get("process")
    if not ref:
        return None
    data = ref.data
    if part == "process_steps":
        lines = tuple(f"{s.get('step')}. {text_of(s.get('text'))} ({text_of(s.get('responsible'))})"
                      for s in data.get("steps") or [])
        return Card(label="ผังกระบวนการ", title="ขั้นตอนการดำเนินงานมาตรฐานสำนักงานเขตพื้นที่การศึกษา",
                    sections=(Section("ขั้นตอน", lines),), alt_text="ขั้นตอนการดำเนินงานมาตรฐาน",
                    footnote=cards.sources_note(_refs((data.get("steps") or [{}])[0].get("source"))))
    if part == "sar" and data.get("sar"):
        sar = data["sar"]
        lines = tuple(text_of(v) for k, v in sar.items()
                      if k not in ("source", "gap", "main_groups", "co_groups") and not isinstance(v, list))
        sections = [Section("ขั้นตอนและระยะเวลา", tuple(_step_line(s) for s in sar.get("steps") or [])),
                    Section("สาระสำคัญ", lines)]
        if sar.get("gap"):
            sections.append(Section("หมายเหตุ", (text_of(sar["gap"]),), note=True))
        return Card(label="SAR", title="รายงานการประเมินตนเอง (Self Assessment Report: SAR)",
                    sections=tuple(sections), alt_text="รายงานการประเมินตนเอง (SAR)",
                    footnote=cards.sources_note(_refs(sar.get("source"))))
    if part == "internal_control" and data.get("internal_control"):
        ic = data["internal_control"]
        sections = [Section("ความหมาย", (text_of(ic.get("definition")),)),
                    Section("ขั้นตอน", tuple(_step_line(s) for s in ic.get("steps") or [])),
                    Section("รายงานผล", (text_of(ic.get("reports_to")),))]
        if ic.get("regulation"):
            sections.append(Section("ระเบียบที่ใช้", (text_of(ic["regulation"]),)))
        if ic.get("gap"):
            sections.append(Section("หมายเหตุ", (text_of(ic["gap"]),), note=True))
        return Card(label="ควบคุมภายใน", title=text_of(ic.get("work")) or "งานการควบคุมภายใน",
                    sections=tuple(sections), alt_text="งานการควบคุมภายใน",
                    footnote=cards.sources_note(_refs(ic.get("source"))))
    if part == "complaints" and data.get("complaints"):
        cp = data["complaints"]
        req = cp.get("channel_requirement") or {}
        sections = [Section("รับเรื่อง 4 ประเภท", tuple(f"• {text_of(t.get('text'))}" for t in cp.get("case_types") or [])),
                    Section("ช่องทางรับฟัง", tuple(x for x in (text_of(req.get("text")),
                                                                text_of(req.get("quality_standard"))) if x))]
        if cp.get("channels"):
            sections.append(Section("ตัวอย่างช่องทาง", tuple(f"• {text_of(c.get('text'))}" for c in cp["channels"])))
        if cp.get("channels_gap"):
            sections.append(Section("หมายเหตุ", (text_of(cp["channels_gap"]),), note=True))
        return Card(label="ช่องทางร้องเรียน", title="ข้อร้องเรียนและช่องทางรับฟังผู้รับบริการ",
                    sections=tuple(sections), alt_text="ข้อร้องเรียนและช่องทางรับฟังผู้รับบริการ",
                    footnote=cards.sources_note(_refs(cp.get("source"))))
    if part == "reporting_rounds" and data.get("reporting_rounds"):
        rr = data["reporting_rounds"]
        items = rr if isinstance(rr, list) else rr.get("rounds") or []
        lines = tuple(f"• {text_of(r.get('text'))}" for r in items)
        gap = rr.get("gap") if isinstance(rr, dict) else data.get("reporting_rounds_gap")
        sections = [Section("รอบการรายงาน", lines)]
        if gap:
            sections.append(Section("หมายเหตุ", (gap,), note=True))
        return Card(label="รอบการรายงาน", title="รอบการรายงานผลการดำเนินงาน (6, 9, 12 เดือน)",
                    sections=tuple(sections), alt_text="รอบการรายงานผลการดำเนินงาน",
                    footnote=cards.sources_note(_refs(items[0].get("source")) if items else ()))
    return None


STEP_CHARS = 55  # a card section holds 600 characters: steps are cut at a word, the duration kept


def _step_line(step: dict) -> str:
    """One process step: its number, its text cut near `STEP_CHARS` at a word, and its duration where
    the seed gives one, e.g. ``6. ประเมินตนเองและจัดทำรายงาน… (1 เดือน)``."""
    number = str(step.get("step") or step.get("code"))
    text = clip_words(text_of(step.get("text")), STEP_CHARS)
    duration = text_of(step.get("duration")) if step.get("duration") else ""
    return f"{number}{' ' if '.' in number else '. '}{text}" + (f" ({duration})" if duration else "")


def card(content: Content, key: str) -> Card | None:
    """The card of reference item `key` (``issue:5.3``, ``reference:sar``, …), or None if unknown."""
    kind, _, code = key.partition(":")
    if kind == "issue":
        return _issue_card(content, code)
    if code == "standards_2557":
        return _edition_card(content)
    return _process_card(content, code)
