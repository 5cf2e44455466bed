"""PNG charts of a round's progress: by standard and by work group, horizontal bars stacked by status.

matplotlib ≥ 3.11 (its libraqm text shaping stacks Thai tone marks over upper vowels: ที่, สิทธิ์) with the
Sarabun TTFs of the `fontpkg-sarabun` package registered in matplotlib's font manager, so no system font
is needed; the Agg backend (no display). `progress_chart(progress, group_name)` returns PNG bytes.
"""
from __future__ import annotations

import functools
import io
from collections.abc import Callable

import fontpkg
import matplotlib

matplotlib.use("Agg")  # before pyplot: no display, no GUI toolkit
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from handlers.core.thaidate import thai_date  # noqa: E402
from handlers.evidence.progress import (HAS_EVIDENCE, IN_PROGRESS, NEEDS_FIX, NOT_STARTED,  # noqa: E402
                                        STATUS_NAMES, VERIFIED, OfficeProgress)
from handlers.evidence.sar import by_group_status, done_of, percent, status_counts  # noqa: E402

FONT_FAMILY = "Sarabun"
# status -> bar colour: grey (not started), amber (in progress), green (has evidence), red (needs fix),
# dark green (verified); the stacking order is this order, done work first
COLOURS = {VERIFIED: "#166534", HAS_EVIDENCE: "#4ADE80", IN_PROGRESS: "#FBBF24", NEEDS_FIX: "#EF4444",
           NOT_STARTED: "#D1D5DB"}
ORDER = (VERIFIED, HAS_EVIDENCE, IN_PROGRESS, NEEDS_FIX, NOT_STARTED)
LABEL_CHARS = 34  # a bar's label is cut to this many characters
DPI = 150


@functools.cache
def register_fonts() -> str:
    """Register every Sarabun TTF shipped by `fontpkg-sarabun` with matplotlib (once); the family name."""
    for f in fontpkg.family(FONT_FAMILY).files:
        font_manager.fontManager.addfont(str(f.path))
    return FONT_FAMILY


def _clip(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _panel(ax, title: str, rows: list[tuple[str, dict[str, int]]]) -> None:
    """Horizontal bars (first row on top), one segment per status, "done/total (pct%)" right of each bar."""
    labels = [_clip(label) for label, _ in rows]
    ys = list(range(len(rows)))[::-1]
    widest = max((sum(c.values()) for _, c in rows), default=0) or 1
    for status in ORDER:
        lefts = [sum(c.get(s, 0) for s in ORDER[:ORDER.index(status)]) for _, c in rows]
        widths = [c.get(status, 0) for _, c in rows]
        ax.barh(ys, widths, left=lefts, color=COLOURS[status], height=0.6, label=STATUS_NAMES[status],
                edgecolor="white", linewidth=0.6)
    for y, (_, counts) in zip(ys, rows):
        total, done = sum(counts.values()), done_of(counts)
        ax.text(total + widest * 0.01, y, f"{done}/{total} ({percent(done, total)}%)", va="center", fontsize=10)
    ax.set_yticks(ys, labels, fontsize=10)
    ax.set_xlim(0, widest * 1.25)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title, loc="left", fontsize=13, fontweight="bold")
    ax.set_xlabel("จำนวนรายการ", fontsize=9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if not rows:
        ax.text(0.5, 0.5, "ยังไม่มีรายการ", transform=ax.transAxes, ha="center", va="center")


def progress_chart(progress: OfficeProgress, group_name: Callable[[str], str], dpi: int = DPI) -> bytes:
    """A PNG (bytes) of `progress`: a panel per standard and a panel per work group (Thai names from
    `group_name(id)`), each bar stacked by status and labelled done/total and %; the round, the office and
    the date (Asia/Bangkok, Buddhist Era) in the heading. `dpi` scales it (the preview uses a lower one)."""
    family = register_fonts()
    standards = [(f"{s.code} {s.title}" if not s.title.startswith("มาตรฐาน") else s.title,
                  status_counts(i for ind in s.indicators for i in ind.items)) for s in progress.standards]
    groups = sorted(by_group_status(progress).items(), key=lambda kv: -percent(done_of(kv[1]), sum(kv[1].values())))
    group_rows = [(group_name(g), counts) for g, counts in groups]
    n = len(standards) + len(group_rows)
    with matplotlib.rc_context({"font.family": family, "axes.unicode_minus": False}):
        fig = Figure(figsize=(10, 2.6 + 0.42 * n), dpi=dpi)
        top, bottom = fig.subplots(2, 1, height_ratios=[max(len(standards), 1) + 1, max(len(group_rows), 1) + 1])
        fig.suptitle(f"ความคืบหน้า {progress.round.name}: {progress.done}/{progress.total} รายการ "
                     f"({percent(progress.done, progress.total)}%)", x=0.02, ha="left", fontsize=15,
                     fontweight="bold")
        fig.text(0.02, 0.005, f"{progress.office_name} · ข้อมูล ณ {thai_date(progress.as_of)}", fontsize=9,
                 color="#4B5563")
        _panel(top, "รายมาตรฐาน", standards)
        _panel(bottom, "รายกลุ่มงาน (นับทั้งกลุ่มหลักและกลุ่มร่วม)", group_rows)
        handles, names = top.get_legend_handles_labels()
        fig.legend(handles, names, loc="upper left", bbox_to_anchor=(0.02, 0.955), ncols=len(ORDER), fontsize=10,
                   frameon=False)
        fig.tight_layout(rect=(0, 0.02, 1, 0.93))
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=dpi)
    return out.getvalue()
