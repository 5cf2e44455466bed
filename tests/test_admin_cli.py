"""`flask` admin commands: school import (UTF-8 with or without BOM), members, invite codes, the audit log."""
import getpass
import re

import pytest
from sqlalchemy import select

from storage.models import School
from tests.conftest import texts
from tests.members_support import SCHOOLS_CSV, audit_rows, db, member, name_and_position, uid

PERSON = uid(0xE1)
OTHER = uid(0xE2)




def school_names(app) -> dict[str, str]:
    with db(app) as session:
        return {s.code: s.name for s in session.scalars(select(School))}


def test_schools_import_is_idempotent_and_reads_excel_utf8_with_bom(app, flask_cli, tmp_path):
    assert flask_cli("schools", "import", str(SCHOOLS_CSV)).strip() == "inserted 16, updated 0, unchanged 0"
    assert flask_cli("schools", "import", str(SCHOOLS_CSV)).strip() == "inserted 0, updated 0, unchanged 16"
    assert school_names(app)["93020008"] == "โรงเรียนชุมชนบ้านพนางตุง (ประชาสามัคคี)"
    excel = tmp_path / "excel.csv"
    excel.write_bytes("\ufeffรหัส,ชื่อ,อำเภอ\r\n93020001,โรงเรียนบ้านควนขนุน (ใหม่),อำเภอควนขนุน\r\n"
                      "93020099,โรงเรียนบ้านทดสอบ,อำเภอควนขนุน\r\n\r\n".encode("utf-8"))
    assert flask_cli("schools", "import", str(excel)).strip() == "inserted 1, updated 1, unchanged 0"
    names = school_names(app)
    assert names["93020001"] == "โรงเรียนบ้านควนขนุน (ใหม่)" and len(names) == 17
    assert [r.target for r in audit_rows(app, "schools.import")] == ["schools.csv", "schools.csv", "excel.csv"]


@pytest.mark.parametrize("raw, message", [
    ("code,name\n93020001,โรงเรียนบ้านควนขนุน\n".encode("cp874"), "not UTF-8"),
    ("id,title\n1,x\n".encode(), "lacks a code or name column"),
    ("code,name\n93020001,ก\n93020001,ข\n".encode(), "line 3: code 93020001 appears twice"),
    ("code,name\n93020001,\n".encode(), "line 2: a school needs both a code and a name"),
])
def test_a_bad_school_file_says_why_and_imports_nothing(app, flask_cli, tmp_path, raw, message):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(raw)
    assert message in flask_cli("schools", "import", str(bad), ok=False)
    assert school_names(app) == {} and audit_rows(app) == []


def test_members_set_role_list_officer_and_remove(app, flask_cli):
    flask_cli("schools", "import", str(SCHOOLS_CSV))
    assert flask_cli("members", "set-role", PERSON, "staff", "--group", "นโยบายและแผน").strip() == \
        f"{PERSON} is now staff policy"
    flask_cli("members", "set-role", OTHER, "school", "--school", "93020003")
    listing = flask_cli("members", "list", "--role", "staff")
    assert PERSON in listing and OTHER not in listing and "policy (กลุ่มนโยบายและแผน)" in listing
    assert OTHER in flask_cli("members", "list") and "2 member(s)" in flask_cli("members", "list")
    assert "0 member(s)" in flask_cli("members", "list", "--group", "ict")
    flask_cli("members", "set-officer", PERSON)
    assert member(app, PERSON).complaint_officer is True
    assert flask_cli("members", "remove", PERSON).strip() == f"{PERSON} removed"
    m = member(app, PERSON)
    assert (m.status, m.role, m.complaint_officer) == ("removed", "guest", False)
    assert "already removed" in flask_cli("members", "remove", PERSON)
    rows = audit_rows(app)
    assert [r.action for r in rows] == ["schools.import", "member.set_role", "member.set_role", "member.set_officer",
                                        "member.remove"]
    assert {r.actor_id for r in rows} == {f"cli:{getpass.getuser()}"}


@pytest.mark.parametrize("args, message", [
    (("members", "set-role", PERSON, "staff"), "staff needs --group, one of: admin, policy"),
    (("members", "set-role", PERSON, "staff", "--group", "ดนตรี"), "unknown work group 'ดนตรี'"),
    (("members", "set-role", PERSON, "school", "--school", "99999999"), "unknown school code '99999999'"),
    (("members", "set-role", "Ubad", "admin"), "is not a LINE user ID"),
    (("members", "set-role", PERSON, "boss"), "'boss' is not one of 'guest', 'staff', 'school', 'admin'"),
    (("members", "remove", OTHER), f"no member {OTHER}"),
    (("members", "set-officer", PERSON), f"no member {PERSON}"),
])
def test_bad_member_commands_say_why_and_change_nothing(app, flask_cli, args, message):
    assert message in flask_cli(*args, ok=False)
    assert member(app, PERSON) is None and audit_rows(app) == []


def test_invites_created_on_the_command_line_work_in_chat(app, flask_cli, chat):
    out = flask_cli("invites", "create", "--role", "staff", "--group", "policy", "--count", "3", "--days", "2")
    codes = re.findall(r"^[A-Z]{3}\d{3}$", out, re.M)
    assert len(codes) == 3 and re.search(r"valid until \d{1,2} \S+ 25\d\d", out)
    chat.user_id = PERSON
    chat.say(f"ลงทะเบียน {codes[1]}")
    assert "ลงทะเบียนเรียบร้อยแล้วค่ะ" in texts(name_and_position(chat, "สมชาย ทดสอบ", "นักวิเคราะห์นโยบายและแผน"))
    assert member(app, PERSON).work_group == "policy"


def test_invite_commands_check_their_target(flask_cli):
    assert "unknown school code" in flask_cli("invites", "create", "--role", "school", "--school", "1", ok=False)
    assert "staff needs --group" in flask_cli("invites", "create", "--role", "staff", ok=False)
    assert "Invalid value for '--count'" in flask_cli("invites", "create", "--role", "staff", "--group", "policy",
                                                      "--count", "500", ok=False)


def test_audit_shows_who_did_what_newest_first_with_thai_dates(app, flask_cli, chat, line):
    assert "the audit log is empty" in flask_cli("audit")
    flask_cli("members", "set-role", PERSON, "staff", "--group", "legal")
    flask_cli("members", "remove", PERSON)
    lines = flask_cli("audit", "--limit", "5").strip().splitlines()
    assert "member.remove" in lines[0] and "member.set_role" in lines[1]
    assert re.match(r"^\d{1,2} \S+ 25\d\d \d\d:\d\d น\.  cli:", lines[0])
    assert f"  {PERSON}  " in lines[0] and '"from_group": "legal"' in lines[0]
    assert len(flask_cli("audit", "--limit", "1").strip().splitlines()) == 1


def test_role_changes_on_the_command_line_are_told_to_the_member_through_the_outbox(app, flask_cli, chat, line):
    chat.user_id = PERSON
    chat.say("สวัสดี")  # now a member who follows the bot
    flask_cli("members", "set-role", PERSON, "staff", "--group", "policy")
    assert "already staff policy" in flask_cli("members", "set-role", PERSON, "staff", "--group", "policy")
    flask_cli("members", "set-officer", PERSON)
    flask_cli("members", "set-officer", PERSON)  # no change: nothing to tell
    flask_cli("run-job", "deliver-outbox")
    told = [p["messages"][0]["text"] for p in line.pushes() if p["to"] == PERSON]
    assert told == ["ผู้ดูแลระบบปรับสิทธิ์ของคุณเป็น บุคลากรสำนักงาน · กลุ่มนโยบายและแผน แล้วค่ะ "
                    "พิมพ์ \"ฉันคือใคร\" เพื่อดูรายละเอียดได้ค่ะ",
                    "ผู้ดูแลระบบมอบหมายให้คุณเป็นเจ้าหน้าที่รับเรื่องร้องเรียนแล้วค่ะ 🙏"]
    assert [r.action for r in audit_rows(app)] == ["member.set_role", "member.set_officer"]


def test_a_configured_admin_cannot_be_demoted_or_removed_from_the_command_line(app, flask_cli, chat):
    from tests.conftest import ADMIN
    chat.user_id = ADMIN
    chat.say("สวัสดี")  # the configured admin is a member now
    for args in (("members", "set-role", ADMIN, "guest"), ("members", "set-role", ADMIN, "staff", "--group", "ict"),
                 ("members", "remove", ADMIN)):
        out = flask_cli(*args, ok=False)
        assert "refused:" in out and "การตั้งค่าของระบบ" in out
    m = member(app, ADMIN)
    assert (m.role, m.status) == ("admin", "active") and audit_rows(app) == []
    flask_cli("members", "set-role", PERSON, "admin")  # another admin is fine
    assert member(app, PERSON).role == "admin"
