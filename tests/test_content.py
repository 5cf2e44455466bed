"""The curated content matches the seeds, every item says where it comes from, loading is idempotent."""
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from content.loader import ContentError, iter_rows, load_content, sync_content
from storage import make_engine, upgrade
from storage.models import ContentItem
from sqlalchemy.orm import Session

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
CONTENT = Path(__file__).resolve().parents[1] / "content"


@pytest.fixture(scope="module")
def content():
    return load_content()


def test_counts_match_the_seeds(content):
    # seed 000: 21 criteria over indicators 1.1, 1.2, 2.1, 2.2, 3.1, 5.1, 5.2 (3.2 from seed 002)
    assert len(content.criteria()) == 21
    assert {i.code: len(i.criteria) for i in content.indicators()} == {
        "1.1": 6, "1.2": 2, "2.1": 4, "2.2": 1, "3.1": 2, "3.2": 0, "5.1": 2, "5.2": 4}
    assert [s.code for s in content.standards] == ["1", "2", "3", "4", "5"]
    assert [c.code for c in content.pmqa_categories()] == ["1", "2", "3", "4", "5", "6"]
    assert [c.code for c in content.indicator("3.1").criteria] == ["3.1.4", "3.1.5"]


def test_standard_titles_come_from_seed_001(content):
    lines = (SEEDS / "001_46ed5f8a53de3fd0.txt").read_text(encoding="utf-8").splitlines() if SEEDS.exists() else []
    for s in content.standards:
        ref = next(r for r in s.source if r.file.startswith("001_"))
        assert 423 <= ref.first <= ref.last <= 431
        if lines:
            assert s.title.verbatim.replace(" ", "")[:20] in "".join(lines[ref.first - 1:ref.last]).replace(" ", "")


def test_gaps_are_recorded_not_invented(content):
    assert content.standard("4").indicators == () and content.standard("4").gap
    assert content.indicator("3.1").gap
    assert content.criterion("5.2.4").gap
    assert "๗" in content.criterion("1.1.4").gap or "7" in content.criterion("1.1.4").gap
    strategy = content.references["strategy5"].data
    issue_53 = next(i for i in strategy["issues"] if i["code"] == "5.3")
    assert issue_53["maps_to"] == {"standard": "1", "indicator": "1.2"}
    assert max(lv["level"] for lv in issue_53["rubric"]["levels"]) == 4 and issue_53["rubric"]["gap"]
    rubric_2557 = content.references["standards_2557"].data["rubric"]["levels"]
    assert [lv["level"] for lv in rubric_2557] == [5, 4, 3, 2, 1]


def test_every_item_has_a_source_within_its_seed_file(content):
    rows = list(iter_rows(content))
    assert rows and all(r.source for r in rows)
    if not SEEDS.exists():
        pytest.skip("shared/seeds is not beside this checkout; line ranges checked where it is")
    lengths = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in SEEDS.glob("*.txt")}
    for r in rows:
        for ref in r.source.split():
            name, first, last = re.match(r"(.+):(\d+)-(\d+)$", ref).groups()
            assert name in lengths, r.key
            assert 1 <= int(first) <= int(last) <= lengths[name], (r.key, ref)


def test_criterion_titles_are_the_seed_headings(content):
    if not SEEDS.exists():
        pytest.skip("shared/seeds is not beside this checkout")
    seed = (SEEDS / "000_058a880a3b66f3bf.txt").read_text(encoding="utf-8").splitlines()
    for c in content.criteria():
        src = c.source[0]
        text = "".join(seed[src.first - 1:src.last]).replace(" ", "").replace("\t", "")
        assert c.title.verbatim.replace(" ", "")[:15] in text, c.code


def test_responsible_groups_are_normalised_to_the_work_group_list(content):
    known = {g.id for g in content.groups}
    for c in content.criteria():
        assert set(c.main_groups) | set(c.co_groups) <= known
    assert content.criterion("1.1.1").main_groups == ("policy",)
    assert content.criterion("1.1.1").co_groups == ("all",)
    assert content.group("all").name == "ทุกกลุ่ม"


def test_every_synonym_leads_to_wording_the_content_has(content):
    from content.documents import documents
    from content.thai import loose
    corpus = loose(" ".join(d.title_text + " " + d.body_text for d in documents(content))).replace(" ", "")
    for canonical in content.synonyms:
        assert loose(canonical).replace(" ", "") in corpus, canonical


def _database(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    upgrade(engine)
    return engine


def test_loading_twice_changes_nothing_and_a_changed_file_updates_in_place(tmp_path):
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    engine = _database(tmp_path)
    with Session(engine) as session, session.begin():
        first = sync_content(session, load_content(copy))
    with Session(engine) as session, session.begin():
        second = sync_content(session, load_content(copy))
    assert first.inserted > 90 and (second.inserted, second.updated, second.retired) == (0, 0, 0)
    assert second.unchanged == first.inserted

    path = copy / "standards" / "2.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["indicators"][0]["criteria"][0]["measure"] = "ตัวชี้วัดที่แก้ไขแล้ว"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_content.cache_clear()
    with Session(engine) as session, session.begin():
        third = sync_content(session, load_content(copy))
        row = session.get(ContentItem, "criterion:2.1.1")
        assert row.payload["measure"]["display"] == "ตัวชี้วัดที่แก้ไขแล้ว" and row.retired_at is None
    assert (third.inserted, third.updated, third.retired, third.restored) == (0, 1, 0, 0)
    load_content.cache_clear()


def _live_keys(session: Session) -> set[str]:
    return set(session.scalars(select(ContentItem.key).where(ContentItem.live())))


def test_an_item_gone_from_the_yaml_is_retired_not_deleted_and_restored_when_it_comes_back(tmp_path):
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    engine = _database(tmp_path)
    with Session(engine) as session, session.begin():
        sync_content(session, load_content(copy))
        everything = _live_keys(session)
    assert {"indicator:2.2", "criterion:2.2.1"} <= everything

    path = copy / "standards" / "2.yaml"
    original = path.read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    del data["indicators"][1]  # indicator 2.2 and its criterion go away
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_content.cache_clear()
    when = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
    with Session(engine) as session, session.begin():
        gone = sync_content(session, load_content(copy), now=when)
    with Session(engine) as session, session.begin():
        assert session.get(ContentItem, "indicator:2.2").retired_at == when  # the row stays, marked
        assert session.get(ContentItem, "criterion:2.2.1").retired_at == when
        assert _live_keys(session) == everything - {"indicator:2.2", "criterion:2.2.1"}
        again = sync_content(session, load_content(copy))  # retiring is done once
    assert (gone.inserted, gone.updated, gone.retired, gone.restored) == (0, 0, 2, 0)
    assert (again.retired, again.restored, again.unchanged) == (0, 0, len(everything) - 2)

    path.write_text(original, encoding="utf-8")
    load_content.cache_clear()
    with Session(engine) as session, session.begin():
        back = sync_content(session, load_content(copy))
        assert session.get(ContentItem, "indicator:2.2").retired_at is None
        assert _live_keys(session) == everything
    assert (back.inserted, back.updated, back.retired, back.restored) == (0, 0, 0, 2)
    load_content.cache_clear()
    engine.dispose()


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["indicators"][0]["criteria"][0].pop("source"), "source"),
    (lambda d: d["indicators"][0]["criteria"][0].update(main_groups=["nobody"]), "unknown work group"),
    (lambda d: d["indicators"][0]["criteria"][0].update(code="9.9.9"), "not under indicator"),
])
def test_invalid_content_is_refused_with_the_place_named(tmp_path, mutate, message):
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = copy / "standards" / "5.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    mutate(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError, match=message) as err:
        load_content(copy)
    assert "5.yaml" in str(err.value)
