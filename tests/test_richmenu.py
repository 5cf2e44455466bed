"""Rich menus: `flask richmenu deploy` against the fake LINE API, links that follow role changes
through the outbox, the offline images, and every button answered by the chat."""
from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image
from sqlalchemy import select

from bot import create_app, richmenu
from bot.delivery import deliver_due
from handlers.core.postback import EXPIRED
from handlers.standards.lookup import NOT_SURE, NOT_SURE_WITH_GUESSES
from storage import get_storage
from storage.models import OutboxMessage, RichMenu
from tests import line_events as ev
from tests.conftest import texts
from tests.members_support import add_member, db, load_schools, uid

STAFF = uid(0xD1)
SCHOOL_USER = uid(0xD2)
GUEST = uid(0xD3)




def deployed(app) -> dict[str, str]:
    with db(app) as session:
        return {r.role: r.rich_menu_id for r in session.scalars(select(RichMenu))}


def richmenu_rows(app) -> list[OutboxMessage]:
    with db(app) as session:
        rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "richmenu")
                                    .order_by(OutboxMessage.id)))
        session.expunge_all()
        return rows


def calls(line, endpoint: str) -> list:
    """Requests to a rich menu `endpoint` of the fake that LINE accepted."""
    return [r for r in line.requests if r.endpoint == endpoint and r.status < 300]


def deliver(app, minutes: int = 0):
    return deliver_due(app.extensions["bot"], datetime.now(timezone.utc) + timedelta(minutes=minutes))


def test_deploy_uploads_every_menu_sets_the_default_links_members_and_replaces_itself(app, line, flask_cli,
                                                                                       tmp_path):
    load_schools(app)
    add_member(app, STAFF, "ครูสมชาย", "staff", group="policy")
    add_member(app, SCHOOL_USER, "โรงเรียนบ้านควนขนุน", "school", school="93020001")
    add_member(app, GUEST, "ผู้มาเยือน")
    assert richmenu_rows(app) == []  # nothing deployed yet: role changes queue nothing

    out = flask_cli("richmenu", "deploy", "--out", str(tmp_path))
    first = deployed(app)
    assert sorted(first) == ["admin", "guest", "school", "staff"]
    assert "deleted 0 old rich menu(s)" in out and first["guest"] in out
    pages = {p.name for pages in richmenu.MENUS.values() for p in pages}
    assert len(line.rich_menus) == len(pages) == 5
    for rid, menu in line.rich_menus.items():  # every page has its image, of the menu's own size
        ctype, data = line.rich_menu_images[rid]
        image = Image.open(io.BytesIO(data))
        assert ctype == "image/png" and len(data) <= 1024 * 1024
        assert image.size == (menu["size"]["width"], menu["size"]["height"]) in ((2500, 1686), (2500, 843))
    assert sorted(line.rich_menu_aliases) == sorted("esa-" + name for name in pages)
    assert set(line.rich_menu_aliases.values()) == set(line.rich_menus)
    assert line.default_rich_menu == first["guest"]
    assert line.user_rich_menus == {STAFF: first["staff"], SCHOOL_USER: first["school"]}
    uploads = calls(line, "set_rich_menu_image")
    assert len(uploads) == 5 and all(r.header("X-Line-Retry-Key") is None for r in line.requests)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{name}.png" for name in pages)

    # the admin's tabs switch to each other's alias; each admin page links to the other one
    admin = [m for m in line.rich_menus.values() if m["name"].startswith("esa-bot:admin-")]
    switches = {a["action"]["richMenuAliasId"] for m in admin for a in m["areas"]
                if a["action"]["type"] == "richmenuswitch"}
    assert switches == {"esa-admin-tools", "esa-admin-general"}

    out = flask_cli("richmenu", "deploy", "--out", str(tmp_path))  # again: everything is replaced
    second = deployed(app)
    assert "deleted 5 old rich menu(s)" in out
    assert set(line.rich_menus) == set(second.values()) | {line.rich_menu_aliases["esa-admin-general"]}
    assert not set(first.values()) & set(line.rich_menus)
    assert line.default_rich_menu == second["guest"]
    assert line.user_rich_menus == {STAFF: second["staff"], SCHOOL_USER: second["school"]}
    assert len(calls(line, "update_rich_menu_alias")) == 5 and len(calls(line, "create_rich_menu_alias")) == 5


def test_a_role_change_links_the_role_menu_after_delivery_and_removal_unlinks_it(app, line, flask_cli, tmp_path):
    flask_cli("richmenu", "deploy", "--out", str(tmp_path))
    menus = deployed(app)
    add_member(app, GUEST, "คุณใหม่")
    assert richmenu_rows(app) == []  # still a guest: nothing to change

    flask_cli("members", "set-role", GUEST, "staff", "--group", "policy")
    rows = richmenu_rows(app)
    assert [(r.recipients, r.messages, r.status, r.cost) for r in rows] == \
        [([GUEST], [{"role": "staff"}], "pending", 0)]
    assert GUEST not in line.user_rich_menus  # not inside the command's transaction
    deliver(app)
    link = calls(line, "link_rich_menu")[-1]
    assert link.path == f"/v2/bot/user/{GUEST}/richmenu/{menus['staff']}"
    assert link.header("X-Line-Retry-Key") is None
    assert line.user_rich_menus[GUEST] == menus["staff"]

    flask_cli("members", "set-role", GUEST, "admin")
    deliver(app)
    assert line.user_rich_menus[GUEST] == menus["admin"]

    flask_cli("members", "remove", GUEST)
    deliver(app)
    assert calls(line, "unlink_rich_menu")[-1].path == f"/v2/bot/user/{GUEST}/richmenu"
    assert GUEST not in line.user_rich_menus
    assert [r.status for r in richmenu_rows(app)] == ["sent", "sent", "sent"]


def test_a_link_waits_out_line_being_down_and_follows_the_role_at_delivery(app, line, flask_cli, tmp_path):
    flask_cli("richmenu", "deploy", "--out", str(tmp_path))
    menus = deployed(app)
    add_member(app, GUEST, "คุณใหม่")
    flask_cli("members", "set-role", GUEST, "staff", "--group", "policy")
    line.fail_next("link_rich_menu", 500)
    report = deliver(app)
    assert report.retry and GUEST not in line.user_rich_menus
    flask_cli("members", "set-role", GUEST, "admin")  # changed again while LINE was down
    deliver(app, minutes=15)
    assert line.user_rich_menus[GUEST] == menus["admin"]
    assert [r.status for r in richmenu_rows(app)] == ["sent", "sent"]


def test_a_configured_admin_seen_first_gets_the_admin_menu(app, line, webhook, flask_cli, tmp_path):
    from tests.conftest import ADMIN
    flask_cli("richmenu", "deploy", "--out", str(tmp_path))
    webhook.post(ev.text_event("สวัสดี", user_id=ADMIN))
    deliver(app)
    assert line.user_rich_menus[ADMIN] == deployed(app)["admin"]


def test_offline_deploy_writes_the_images_and_uploads_nothing(app, database_url, line, tmp_path):
    offline = create_app({"TESTING": True, "DATABASE_URL": database_url, "AUTO_MIGRATE": False,
                          "LOAD_CONTENT": False})
    try:
        result = offline.test_cli_runner().invoke(args=["richmenu", "deploy", "--out", str(tmp_path)])
    finally:
        get_storage(offline).engine.dispose()
    assert result.exit_code == 0, result.output
    assert "nothing was uploaded" in result.output
    assert line.requests == [] and deployed(app) == {}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{p.name}.png" for pages in richmenu.MENUS.values()
                                                                for p in pages)
    for path in tmp_path.iterdir():
        with Image.open(path) as image:
            assert image.size in ((2500, 1686), (2500, 843)) and path.stat().st_size <= 1024 * 1024


@pytest.mark.parametrize("role", list(richmenu.MENUS))
def test_every_button_is_understood_in_a_chat_by_the_role_it_is_for(app, chat, line, role):
    load_schools(app)
    if role != "guest":
        add_member(app, chat.user_id, "ทดสอบ", role, group="policy" if role == "staff" else None,
                   school="93020001" if role == "school" else None)
    refusals = ("ขออภัยค่ะ", NOT_SURE, NOT_SURE_WITH_GUESSES, EXPIRED)
    for page in richmenu.MENUS[role]:
        for button in page.buttons:
            action = button.action()
            sent = chat.press(action["data"]) if action["type"] == "postback" else chat.say(action["text"])
            said = texts(sent)
            assert said and not any(said.startswith(r) for r in refusals), (role, button.label, said)
            chat.say("ยกเลิก")  # leave any flow the button started


def test_a_rich_menu_tab_switch_gets_no_reply(app, webhook, line):
    action = next(a for (_b, a, button) in richmenu.layout(*_admin_pages()) if button is None)
    resp = webhook.post(ev.postback_event(action["data"], params={"newRichMenuAliasId": action["richMenuAliasId"],
                                                                  "status": "SUCCESS"}))
    assert resp.status_code == 200 and line.calls("reply") == []


def _admin_pages():
    pages = richmenu.MENUS["admin"]
    return pages[0], pages


def test_the_menu_bodies_pass_the_sdk_model_and_the_fake(app):
    from tests.fake_line import validate_rich_menu_body
    for built in richmenu.build():
        assert validate_rich_menu_body("create_rich_menu", json.loads(json.dumps(built.body))) == []
        assert len(built.body["areas"]) <= 20 and built.body["name"].startswith(richmenu.NAME_PREFIX)
