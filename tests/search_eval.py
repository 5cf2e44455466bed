"""Score the search on the evaluation set (`tests/search_eval.yaml`): shared by the test and the bench."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from content.search import SearchIndex

EVAL_FILE = Path(__file__).with_name("search_eval.yaml")


@dataclass
class EvalReport:
    """Top-1 / top-3 hit counts over answerable queries; the chit-chat (negative) queries answered with
    an item, and those offered weak matches as suggestions (both are failures: expected no hit)."""

    total: int = 0
    top1: int = 0
    top3: int = 0
    misses: list[tuple[str, str, list[str]]] = field(default_factory=list)
    chitchat: int = 0
    chitchat_answered: list[tuple[str, str]] = field(default_factory=list)
    chitchat_suggested: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0


def load_queries() -> list[dict]:
    return yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))["queries"]


def evaluate(index: SearchIndex, queries: list[dict] | None = None) -> EvalReport:
    """Run every query; a confident answer counts, an unsure one does not."""
    report = EvalReport()
    for item in queries or load_queries():
        result = index.search(item["q"], limit=5)
        keys = [h.key for h in result.hits] if result.confident else []
        if item["expect"] is None:
            report.chitchat += 1
            if keys:
                report.chitchat_answered.append((item["q"], keys[0]))
            elif result.suggestions:
                report.chitchat_suggested.append((item["q"], [h.key for h in result.suggestions[:3]]))
            continue
        report.total += 1
        if keys[:1] == [item["expect"]]:
            report.top1 += 1
        if item["expect"] in keys[:3]:
            report.top3 += 1
        if keys[:1] != [item["expect"]]:
            report.misses.append((item["q"], item["expect"], keys[:3]))
    return report
