"""Flex output pinned by golden JSON files (tests/golden/). Regenerate after an intended change with
UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py, then read the diff before committing."""
import json
import os
from pathlib import Path

import pytest

from tests.conftest import Chat

GOLDEN = Path(__file__).with_name("golden")


def _stable(messages: list[dict]) -> list[dict]:
    return json.loads(json.dumps(messages, ensure_ascii=False, sort_keys=True))


@pytest.mark.parametrize("name, typed", [
    ("criterion_1.1.5_responsible", "ใครรับผิดชอบการตรวจประเมินภายใน"),
    ("indicator_3.1", "ตบช. 3.1"),
    ("standard_4_gap", "มฐ.4"),
])
def test_flex_output_matches_the_golden_file(chat: Chat, name, typed):
    messages = _stable(chat.say(typed))
    path = GOLDEN / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(messages, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert messages == json.loads(path.read_text(encoding="utf-8"))
