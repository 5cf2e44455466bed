"""The one permission policy: every action of RULES against every kind of person, and every admin or staff
chat action tried through the webhook by someone not allowed, who gets the polite refusal and changes nothing."""
import json
from datetime import datetime, timezone

import pytest

from handlers.core import policy
from handlers.core.types import Actor, UserFacingError
from storage import members as member_queries, registrations
from storage.models import Member
from tests.conftest import texts
from tests.members_support import add_member, db, load_schools, snapshot, uid

ADMIN_ONLY = {"admin"}
STAFF_UP = {"staff", "officer", "admin"}
KNOWN = {"guest", "staff", "school", "admin", "officer", "pending", "removed"}
ANYONE = KNOWN | {"no user id"}
# action -> who may do it; written out here, not derived from RULES, so a change to RULES must change this too
EXPECTED = {
    "lookup": ANYONE, "workgroups.view": ANYONE,
    "profile": KNOWN, "register": KNOWN, "ack": KNOWN,
    "groups.view": STAFF_UP, "schools.view": STAFF_UP,
    "members.view": ADMIN_ONLY, "members.set_role": ADMIN_ONLY, "members.remove": ADMIN_ONLY,
    "members.set_officer": ADMIN_ONLY, "registration.decide": ADMIN_ONLY, "invite.create": ADMIN_ONLY,
    "group.bind": ADMIN_ONLY, "broadcast.send": ADMIN_ONLY, "broadcast.report": ADMIN_ONLY,
    "unanswered.view": ADMIN_ONLY, "audit.view": ADMIN_ONLY, "evidence.export": ADMIN_ONLY,
    "complaints.handle": {"admin", "officer"}, "complaints.stats": ADMIN_ONLY, "complaints.mydata": KNOWN,
    "complaints.rate": KNOWN,
    "evidence.report": STAFF_UP, "evidence.review": ADMIN_ONLY, "evidence.view": STAFF_UP,
    "calendar.view": ANYONE, "rounds.manage": ADMIN_ONLY,
    "holidays.view": ANYONE, "holidays.manage": ADMIN_ONLY,
    "reminders.self": STAFF_UP, "reminders.manage": ADMIN_ONLY,
}
WHO = {"guest": ("guest", "active", False), "staff": ("staff", "active", False), "school": ("school", "active", False),
       "admin": ("admin", "active", False), "officer": ("staff", "active", True),
       "pending": ("staff", "pending", False), "removed": ("staff", "removed", False)}


def actor(kind: str) -> Actor:
    if kind == "no user id":
        return Actor(None)
    role, status, officer = WHO[kind]
    return policy.actor_of(Member(user_id=uid(0xD0), role=role, status=status, complaint_officer=officer,
                                  work_group="policy" if role == "staff" else None,
                                  school_code="93020001" if role == "school" else None))


def refusal(action: str, kind: str) -> str:
    allowed = EXPECTED[action]
    if action == "evidence.review":  # staff may review the items of an indicator their group supervises
        return policy.NOT_REVIEWER if kind in ("staff", "officer") else policy.REFUSED[policy.STAFF]
    if allowed == ADMIN_ONLY:
        return policy.REFUSED[policy.ADMIN]
    if "officer" in allowed and "staff" not in allowed:
        return policy.REFUSED["officer"]
    return policy.REFUSED[policy.STAFF]


def test_the_expected_table_covers_every_rule_and_the_stored_roles():
    assert set(EXPECTED) == set(policy.RULES)
    assert policy.ROLES == member_queries.ROLES


@pytest.mark.parametrize("kind", sorted(ANYONE))
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_each_action_for_each_kind_of_person(action, kind):
    who = actor(kind)
    assert policy.allowed(who, action) == (kind in EXPECTED[action])
    if kind in EXPECTED[action]:
        policy.require(who, action)
        return
    with pytest.raises(UserFacingError) as refused:
        policy.require(who, action)
    expected = policy.NEEDS_PRIVATE_CHAT if kind == "no user id" else refusal(action, kind)
    assert refused.value.message == expected and refused.value.message.startswith("ขออภัยค่ะ")


def test_unknown_actions_are_refused_even_to_admins():
    assert not policy.allowed(actor("admin"), "members.explode")
    with pytest.raises(UserFacingError):
        policy.require(actor("admin"), "members.explode")


TARGET = uid(0xD1)
SOMEONE = uid(0xD2)
ADMIN_TEXTS = ["สมาชิก", "สมาชิก บุคลากร", "รายชื่อสมาชิก", "ตั้งสิทธิ์ สมชาย", "เปลี่ยนสิทธิ์ สมชาย",
               "ลบสมาชิก สมชาย", "คำขอลงทะเบียน", "คำเชิญ", "สร้างคำเชิญ", "สร้างคำเชิญ นโยบาย 5", "คำถามที่ตอบไม่ได้"]


def admin_postbacks(request_id: int) -> list[str]:
    return [json.dumps(p, ensure_ascii=False) for p in (
        {"a": "mem", "o": "list", "f": "", "p": 0},
        {"a": "mem", "o": "role", "u": TARGET},
        {"a": "mem", "o": "role", "u": TARGET, "r": "admin"},
        {"a": "mem", "o": "role", "u": TARGET, "r": "staff", "g": "policy"},
        {"a": "mem", "o": "off", "u": TARGET, "v": 1},
        {"a": "mem", "o": "rm", "u": TARGET, "y": 1},
        {"a": "mem", "o": "inv", "s": "abcd1234", "r": "staff", "g": "policy", "n": 5},
        {"a": "regdec", "i": request_id, "d": 1},
        {"a": "regdec", "i": request_id, "d": 0},
    )]


@pytest.fixture
def setup(app):
    """A staff target named สมชาย and a pending request from someone else."""
    load_schools(app)
    add_member(app, TARGET, "สมชาย รักงาน", "staff", group="finance")
    add_member(app, SOMEONE, "มาลี ศรีสุข")
    with db(app) as session:
        req = registrations.create_request(session, session.get(Member, SOMEONE), "staff",
                                           datetime.now(timezone.utc), work_group="legal")
        return req.id


@pytest.mark.parametrize("kind", ["guest", "staff", "school", "officer", "pending", "removed"])
def test_admin_chat_actions_are_refused_and_change_nothing(app, chat, setup, kind):
    role, status, officer = WHO[kind]
    chat.user_id = uid(0xD3)
    add_member(app, chat.user_id, "ผู้ทดลอง", role, group="policy" if role == "staff" else None,
               school="93020001" if role == "school" else None, officer=officer, status=status)
    before = snapshot(app)
    for text in ADMIN_TEXTS:
        assert texts(chat.say(text)) == policy.REFUSED[policy.ADMIN], text
    for data in admin_postbacks(setup):
        assert texts(chat.press(data)) == policy.REFUSED[policy.ADMIN], data
    assert snapshot(app) == before


@pytest.mark.parametrize("kind", ["guest", "school", "pending", "removed"])
def test_staff_lookups_are_refused_to_others(app, chat, setup, kind):
    role, status, officer = WHO[kind]
    chat.user_id = uid(0xD4)
    add_member(app, chat.user_id, "ผู้ทดลอง", role, group="policy" if role == "staff" else None,
               school="93020001" if role == "school" else None, status=status)
    for text in ("ค้นหาโรงเรียน ควนขนุน", "รายชื่อโรงเรียน"):
        assert texts(chat.say(text)) == policy.REFUSED[policy.STAFF], text
