"""The progress chart: a real PNG, drawn with the packaged Sarabun font, every Thai glyph found."""
from __future__ import annotations

import io
import warnings

import fontpkg
from matplotlib import font_manager
from PIL import Image

from bot.charts import COLOURS, progress_chart, register_fonts
from content.loader import load_content
from handlers.evidence.progress import NEEDS_FIX, VERIFIED
from tests.evidence_support import sample_progress


def _group_name(g: str) -> str:
    return load_content().group(g).name


def test_the_font_is_the_packaged_sarabun_not_a_system_font():
    family = register_fonts()
    found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert found == str(fontpkg.path("Sarabun", 400))


def test_chart_is_a_png_with_every_thai_glyph_and_the_status_colours():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = progress_chart(sample_progress(), _group_name)
    missing = [str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert missing == []
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and img.width >= 1200 and img.height > 800
    colours = {c for _, c in img.convert("RGB").getcolors(maxcolors=1 << 20)}
    for status in (VERIFIED, NEEDS_FIX):  # bars coloured by status
        hex_ = COLOURS[status].lstrip("#")
        assert tuple(int(hex_[i:i + 2], 16) for i in (0, 2, 4)) in colours


def test_a_lower_dpi_gives_a_smaller_preview():
    big, small = (progress_chart(sample_progress(), _group_name, dpi=d) for d in (150, 60))
    assert Image.open(io.BytesIO(small)).width < Image.open(io.BytesIO(big)).width / 2
    assert len(small) < 1_000_000  # LINE's preview image limit
