"""Quality levels: the rubric functions at every level boundary, with the rubric data read from content/."""
import pytest

from content.loader import load_content
from handlers.evidence import levels
from handlers.evidence.progress import HAS_EVIDENCE, IN_PROGRESS, NEEDS_FIX, NOT_STARTED, VERIFIED

CONTENT = load_content()
R2557 = CONTENT.references["standards_2557"].data["rubric"]
R5 = next(i for i in CONTENT.references["strategy5"].data["issues"] if i["code"] == "5.3")["rubric"]


@pytest.mark.parametrize("clear,level,next_step", [
    (6, 5, ""),
    (5, 4, "ขาดหลักฐานอีก 1 ประเด็นเพื่อขึ้นระดับ 5"),
    (4, 3, "ขาดหลักฐานอีก 1 ประเด็นเพื่อขึ้นระดับ 4"),
    (3, 2, "ขาดหลักฐานอีก 1 ประเด็นเพื่อขึ้นระดับ 3"),
    (2, 1, "ขาดหลักฐานอีก 1 ประเด็นเพื่อขึ้นระดับ 2"),   # "fewer than three" starts at two
    (1, 1, "ขาดหลักฐานอีก 2 ประเด็นเพื่อขึ้นระดับ 2"),
    (0, 1, "ขาดหลักฐานอีก 3 ประเด็นเพื่อขึ้นระดับ 2"),
])
def test_2557_levels_by_considerations_with_clear_evidence(clear, level, next_step):
    got = levels.level_2557(clear, 6, R2557)
    assert (got.level, got.max_level, got.next_step) == (level, 5, next_step)


@pytest.mark.parametrize("carried_out", [0, 2, 5])
def test_2557_needs_all_six_carried_out_before_any_level(carried_out):
    got = levels.level_2557(min(carried_out, 2), carried_out, R2557)
    assert got.level is None and f"ขาดอีก {6 - carried_out} ประเด็น" in got.next_step


def test_2557_gap_says_which_considerations_the_source_lacks():
    gap = levels.gap_2557(CONTENT)
    assert "2 จาก 6" in gap and "ข้อ 2, ข้อ 4" in gap and "1, 3, 5, 6" in gap


S = {"none": NOT_STARTED, "work": IN_PROGRESS, "unclear": NEEDS_FIX, "clear": HAS_EVIDENCE, "ok": VERIFIED}


@pytest.mark.parametrize("items,extras,level", [
    (("none", "none"), ("none", "none"), None),
    (("work", "none"), ("none", "none"), None),       # one item not carried out: no level yet
    (("work", "work"), ("none", "none"), 1),          # both carried out, no evidence
    (("unclear", "work"), ("none", "none"), 2),       # evidence, none of it clear
    (("unclear", "unclear"), ("none", "none"), 2),
    (("clear", "unclear"), ("none", "none"), 3),      # clear for some
    (("clear", "ok"), ("clear", "none"), 3),          # clear for all, one extra condition missing
    (("clear", "ok"), ("ok", "clear"), 4),            # clear for all and both extras: the top the source has
])
def test_strategy5_levels(items, extras, level):
    gap = "level 5 missing"
    got = levels.level_strategy5([S[i] for i in items], [S[e] for e in extras], R5, gap)
    assert got.level == level and got.max_level == 4 and got.gap == gap
    assert bool(got.next_step) == (level != 4)


def test_strategy5_next_step_counts_what_is_missing():
    got = levels.level_strategy5([HAS_EVIDENCE, VERIFIED], [HAS_EVIDENCE, IN_PROGRESS], R5)
    assert got.next_step == "ขาดหลักฐานอีก 1 เงื่อนไขเพื่อขึ้นระดับ 4"


def test_indicators_without_a_rubric_show_progress_only():
    level, note = levels.for_indicator(CONTENT, "2.1", {})
    assert level is None and note == levels.NO_RUBRIC
    level, note = levels.for_indicator(CONTENT, "1.2", {})
    assert level is not None and "ระดับ 5" in level.gap  # seed 002 has no level 5
    level, note = levels.for_indicator(CONTENT, "1.1", {"c2557:2": HAS_EVIDENCE, "c2557:4": HAS_EVIDENCE})
    assert level.level is None and "ไม่มีข้อ 1, 3, 5, 6" in level.gap
