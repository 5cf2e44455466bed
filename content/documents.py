"""Turn the content tree into flat search documents (`Doc`), one per item.

A document's title text is what the item is called; its body text is what it says (desired state,
measure, evidence, steps). Reference documents (Strategy-5 issues, the 2557 rubric, process steps,
reporting rounds, SAR, internal control, complaint channels) are indexed too, so "SAR คืออะไร",
"ควบคุมภายในทำยังไง" or "ประเด็น 5.3" find them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from content.model import Content, Text


@dataclass(frozen=True)
class Doc:
    """One searchable item: stable `key` (as in the database), `kind`, `code`, display `title`."""

    key: str
    kind: str
    code: str
    title: str
    title_text: str
    body_text: str


def _join(parts: Iterable[Any]) -> str:
    return "\n".join(str(p) for p in parts if p)


def _text(value: Any) -> str:
    """Display text of a YAML text value (string or {verbatim, display}), or of a list of them."""
    if value is None:
        return ""
    if isinstance(value, Text):
        return value.display
    if isinstance(value, dict):
        if "display" in value or "verbatim" in value:
            return str(value.get("display") or value.get("verbatim") or "")
        return _join(_text(v) for k, v in value.items() if k not in ("source", "gap", "code"))
    if isinstance(value, list):
        return _join(_text(v) for v in value)
    return str(value)


def documents(content: Content) -> list[Doc]:
    """All search documents of `content`, parents before children."""
    docs: list[Doc] = []
    for s in content.standards:
        docs.append(Doc(s.key, "standard", s.code, s.title.display, s.title.display, ""))
        for ind in s.indicators:
            docs.append(Doc(ind.key, "indicator", ind.code, ind.title.display, ind.title.display, ""))
            for c in ind.criteria:
                body = _join([c.desired_state, c.measure, *c.evidence, *c.guidelines, *c.operations])
                title_text = c.title.display
                if c.pmqa_categories:  # 1.1.4's seed heading repeats 1.1.3's; what it holds is PMQA
                    title_text = "PMQA เกณฑ์คุณภาพการบริหารจัดการภาครัฐ หมวด 1-6"
                docs.append(Doc(c.key, "criterion", c.code, c.title.display, title_text, body))
                for cat in c.pmqa_categories:
                    docs.append(Doc(cat.key, "pmqa_category", cat.code, cat.title.display,
                                    f"PMQA หมวด {cat.code} {cat.title.display}", ""))
                    for item in cat.items:
                        body = _join([item.measure, *item.evidence, *item.guidelines, *item.operations])
                        docs.append(Doc(item.key, "pmqa_item", item.code, item.text.display,
                                        item.text.display, body))
    docs.extend(reference_documents(content))
    return docs


def reference_documents(content: Content) -> list[Doc]:
    """Documents for the reference files, by the shapes `content/README.md` gives them."""
    docs: list[Doc] = []
    strategy = content.references.get("strategy5")
    if strategy:
        for issue in strategy.data.get("issues") or []:
            title = _text(issue.get("title"))
            docs.append(Doc(f"issue:{issue['code']}", "issue", str(issue["code"]), title,
                            f"ประเด็น {issue['code']} {title}", _text(issue.get("details"))))
    edition = content.references.get("standards_2557")
    if edition:
        data = edition.data
        title = _text((data.get("indicator") or {}).get("title"))
        docs.append(Doc("reference:standards_2557", "edition_2557", "2557",
                        f"มาตรฐาน พ.ศ.2557 ตัวบ่งชี้ที่ 1 {title}".strip(),
                        f"มาตรฐาน 2557 {title} ประเด็นการพิจารณา ระดับคุณภาพ",
                        _text(data.get("considerations"))))
    process = content.references.get("process")
    if process:
        data = process.data
        docs.append(Doc("reference:process_steps", "process", "steps", "ขั้นตอนการดำเนินงานมาตรฐานสำนักงานเขตพื้นที่การศึกษา",
                        "ผังกระบวนการ ขั้นตอนการดำเนินงานตามมาตรฐาน",
                        _text([s.get("text") for s in data.get("steps") or []])))
        if data.get("sar"):
            docs.append(Doc("reference:sar", "sar", "SAR", "รายงานการประเมินตนเอง (SAR)",
                            "SAR รายงานการประเมินตนเอง Self Assessment Report ขั้นตอนการจัดทำ ระยะเวลา",
                            _text(data["sar"])))
        if data.get("internal_control"):
            ic = data["internal_control"]
            docs.append(Doc("reference:internal_control", "internal_control", "internal_control",
                            "งานการควบคุมภายใน", "การควบคุมภายใน ระบบควบคุมภายใน ขั้นตอนการควบคุมภายใน",
                            _text({k: v for k, v in ic.items() if k != "work"})))
        if data.get("complaints"):
            cp = data["complaints"]
            docs.append(Doc("reference:complaints", "complaints", "complaints",
                            "ข้อร้องเรียนและช่องทางรับฟังผู้รับบริการ",
                            "ช่องทางร้องเรียน ช่องทางรับฟัง ข้อร้องเรียน ข้อเสนอแนะ ข้อคิดเห็น คำชมเชย",
                            _text({k: v for k, v in cp.items() if k != "case_types"})))
        if data.get("reporting_rounds"):
            docs.append(Doc("reference:reporting_rounds", "rounds", "rounds", "รอบการรายงานผลการดำเนินงาน",
                            "รอบการรายงาน รายงานผล 6 เดือน 9 เดือน 12 เดือน KPI ตัวชี้วัด",
                            _text(data["reporting_rounds"])))
    return docs
