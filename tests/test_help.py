"""The help menu offers what this person may do, and nothing they may not (handlers.core.policy decides)."""
import pytest

from tests.conftest import Chat, quick_replies, texts
from tests.members_support import add_member, load_schools, uid

POWERS = ("คำขอลงทะเบียน", "ประกาศ", "ตั้งค่ากลุ่ม", "คำถามที่ตอบไม่ได้", "ตั้งค่าการเตือน", "เพิ่มวันหยุด")
STAFF_POWERS = ("เตือนฉัน", "งานค้าง")


@pytest.mark.parametrize("role, group, shown", [
    ("guest", None, ()), ("staff", "policy", ()), ("school", None, ()), ("admin", None, POWERS),
])
def test_the_menu_shows_only_the_powers_a_role_has(app, webhook, line, role, group, shown):
    user = uid(0x4E + len(role))
    if role == "school":
        load_schools(app)
    add_member(app, user, f"ผู้ใช้ {role}", role=role, group=group,
               school="93020001" if role == "school" else None)
    out = Chat(webhook, line, user_id=user).say("เมนูค่ะ")
    body, labels = texts(out), [q["label"] for q in quick_replies(out)]
    for power in POWERS:
        assert (power in body) == (power in shown), power
    for power in STAFF_POWERS:
        assert (power in body) == (role in ("staff", "admin")), power
    assert ("ประกาศ" in labels) == (role == "admin")
    assert ("ลงทะเบียน" in labels) == (role == "guest")


def test_in_a_group_the_menu_is_the_standards_help_only(app, webhook, line):
    add_member(app, uid(0x4F), "แอดมิน", role="admin")
    out = Chat(webhook, line, user_id=uid(0x4F), group_id="C" + "b8" * 16).say("บอท เมนู")
    assert "ตบช. 2.1" in texts(out) and "ประกาศ" not in texts(out)
