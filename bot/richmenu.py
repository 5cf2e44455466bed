"""Rich menus per role: the menus as data, their images (Pillow, Sarabun), and `deploy`.

Each role has one or more pages (`MENUS`); a page is a grid of buttons, and a role with several pages
gets a tab strip on top whose tabs switch pages through rich menu aliases (`richmenuswitch`). Buttons
send what a person could type (a message action with a command word the chat already understands, or
the postback a chat button sends), so a tap takes the normal path through `handlers.dispatch`. A later
capability adds a button by adding a row to its role's table.

`deploy` creates every page at LINE, uploads its image (the content host, `MessagingApiBlob`), points
each page's alias at it, makes the guest menu the channel default, stores the menu per role
(`storage.richmenus`), queues links for every member with a role (the outbox delivers them), and then
deletes the rich menus earlier deploys made (their names start with `NAME_PREFIX`). Running it again
replaces everything the same way. Offline (no access token) it only writes the images.

Image sizes are LINE's: 2500×843 (one row) or 2500×1686, PNG, at most 1 MB.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.resources import files
from pathlib import Path
from typing import Any, Callable

import click
from flask import current_app
from flask.cli import with_appcontext
from PIL import Image, ImageDraw, ImageFont, features
from linebot.v3.messaging import (CreateRichMenuAliasRequest, RichMenuRequest, UpdateRichMenuAliasRequest)

from bot.delivery import deliver_due
from handlers.core import postback
from storage import Storage, richmenus

log = logging.getLogger(__name__)

WIDTH = 2500
ROW_HEIGHT = 843  # one row: 2500×843; two or three rows: 2500×1686
FULL_HEIGHT = 1686
TAB_HEIGHT = 210
MAX_IMAGE_BYTES = 1024 * 1024  # LINE: a rich menu image is at most 1 MB
NAME_PREFIX = "esa-bot:"  # every rich menu deploy creates is named so; older ones are deleted
ALIAS_PREFIX = "esa-"  # + the page's name: the page's alias (≤ 32 characters, [a-z0-9_-])
ACTION_LABEL_MAX = 20  # LINE: an action label is at most 20 characters


@dataclass(frozen=True)
class Button:
    """One tappable cell: `label` (big, "\\n" breaks it) and `hint` (small) are drawn on the image. A tap
    sends `text` as if typed, or, with `postback` (an action of `handlers.core.postback`), that postback,
    showing `text` in the chat."""

    label: str
    hint: str
    text: str
    postback: str = ""

    def action(self) -> dict[str, Any]:
        """The LINE action object (camelCase JSON) for this button."""
        label = " ".join(self.label.split())[:ACTION_LABEL_MAX]
        if self.postback:
            return {"type": "postback", "label": label, "data": postback.encode(self.postback),
                    "displayText": self.text}
        return {"type": "message", "label": label, "text": self.text}


@dataclass(frozen=True)
class Page:
    """One rich menu: `name` (its alias is `ALIAS_PREFIX` + name), `tab` (the tab's label when its role
    has several pages), `chat_bar` (LINE's menu bar text, ≤ 14 characters), `columns` of the grid."""

    name: str
    tab: str
    chat_bar: str
    columns: int
    buttons: tuple[Button, ...]

    @property
    def alias(self) -> str:
        return ALIAS_PREFIX + self.name


# -- the menus: one table per role (see README "What staff can type") ----------------------------
STANDARDS = Button("มาตรฐาน", "ดูทีละชั้น ตัวบ่งชี้ เกณฑ์", "ดูมาตรฐานทั้งหมด", postback="browse")
PMQA = Button("PMQA", "หมวดและประเด็น", "PMQA")
WORK_GROUPS = Button("กลุ่มงาน", "ใครรับผิดชอบอะไร", "กลุ่มงาน")
SCHOOLS = Button("ค้นหาโรงเรียน", "พิมพ์ชื่อตามหลังได้", "ค้นหาโรงเรียน")
WHO_AM_I = Button("ฉันคือใคร", "สิทธิ์และกลุ่มงานของฉัน", "ฉันคือใคร")
HELP = Button("ช่วยเหลือ", "วิธีใช้และตัวอย่าง", "ช่วยเหลือ")
FILE_CASE = Button("แจ้งเรื่อง", "ร้องเรียน เสนอแนะ ชมเชย", "แจ้งเรื่อง")  # handlers.complaints.filing
FOLLOW_CASE = Button("ติดตามเรื่อง", "เรื่องที่ฉันแจ้งไว้", "ติดตามเรื่อง")

GUEST = (
    STANDARDS,
    Button("ลงทะเบียน", "บุคลากรหรือสถานศึกษา", "ลงทะเบียน"),
    WORK_GROUPS,
    FILE_CASE,
    FOLLOW_CASE,
    Button("เมนู", "วิธีใช้และตัวอย่าง", "เมนู"),
)
STAFF = (STANDARDS, PMQA, WORK_GROUPS, SCHOOLS, WHO_AM_I, HELP)
SCHOOL = (WHO_AM_I, STANDARDS, WORK_GROUPS, FILE_CASE, FOLLOW_CASE, HELP)  # the school search is for office staff (handlers.core.policy)
ADMIN_TOOLS = (
    Button("ประกาศ", "ส่งประกาศ ขอรับทราบ", "ประกาศ"),
    Button("ผลรับทราบ", "ใครรับทราบแล้ว", "ผลรับทราบ"),
    Button("ประกาศ\nที่ผ่านมา", "สถานะและรายงาน", "ประกาศที่ผ่านมา"),
    Button("คำขอ\nลงทะเบียน", "อนุมัติหรือปฏิเสธ", "คำขอลงทะเบียน"),
    Button("สมาชิก", "เปลี่ยนสิทธิ์ นำออก", "สมาชิก"),
    Button("สร้างคำเชิญ", "รหัสเชิญ 7 วัน", "สร้างคำเชิญ"),
)
ADMIN_GENERAL = (STANDARDS, WORK_GROUPS, SCHOOLS, WHO_AM_I,
                 Button("คำถามที่\nตอบไม่ได้", "คำถามที่บอทยังตอบไม่ได้", "คำถามที่ตอบไม่ได้"), HELP)

MENUS: dict[str, tuple[Page, ...]] = {
    "guest": (Page("guest", "", "เมนู", 3, GUEST),),
    "staff": (Page("staff", "", "เมนู", 3, STAFF),),
    "school": (Page("school", "", "เมนู", 3, SCHOOL),),
    "admin": (Page("admin-tools", "ผู้ดูแลระบบ", "เมนูผู้ดูแล", 3, ADMIN_TOOLS),
              Page("admin-general", "ทั่วไป", "เมนูผู้ดูแล", 3, ADMIN_GENERAL)),
}
"""Role -> its pages; the first page is the one linked (guest's is the default for everyone)."""

THEMES = {"guest": "#0F766E", "staff": "#1D4ED8", "school": "#15803D", "admin": "#7E22CE"}
BACKGROUND = "#EEF1F5"
INK = "#1F2937"
GAP = 14  # pixels between cells


# -- images ------------------------------------------------------------------------------------
def font_path(weight: str = "Bold") -> Path:
    """The Sarabun TTF of `weight` ("Regular", "Bold", …) shipped by the `fontpkg-sarabun` package."""
    return Path(str(files("fontpkg_sarabun").joinpath("files", f"Sarabun-{weight}.ttf")))


def _font(size: int, weight: str) -> ImageFont.FreeTypeFont:
    # Thai needs complex shaping (tone marks over upper vowels): raqm where Pillow has it
    engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(font_path(weight)), size, layout_engine=engine)


def _fitted(draw: ImageDraw.ImageDraw, text: str, size: int, weight: str, width: float) -> ImageFont.FreeTypeFont:
    """The largest font from `size` down whose rendering of `text` fits `width` pixels."""
    while size > 24:
        font = _font(size, weight)
        left, _top, right, _bottom = draw.multiline_textbbox((0, 0), text, font=font, align="center")
        if right - left <= width:
            return font
        size -= 6
    return _font(size, weight)


def _size(page: Page, tabs: bool) -> tuple[int, int]:
    rows = math.ceil(len(page.buttons) / page.columns)
    if not 1 <= rows <= 3:
        raise ValueError(f"page {page.name}: {len(page.buttons)} buttons in {page.columns} columns")
    return WIDTH, (ROW_HEIGHT if rows == 1 and not tabs else FULL_HEIGHT)


Bounds = tuple[int, int, int, int]  # x, y, width, height in image pixels


def layout(page: Page, pages: tuple[Page, ...]) -> list[tuple[Bounds, dict[str, Any], Button | None]]:
    """Where each tappable area of `page` is, ``((x, y, width, height), action, button)``: the tabs to
    the other pages of its role first (richmenuswitch, button None), then the buttons row by row; a
    short last row is spread over the full width."""
    tabs = len(pages) > 1
    width, height = _size(page, tabs)
    areas = []
    top = TAB_HEIGHT if tabs else 0
    if tabs:
        tab_w = width / len(pages)
        for i, other in enumerate(pages):
            if other is not page:
                areas.append(((round(i * tab_w), 0, round((i + 1) * tab_w) - round(i * tab_w), TAB_HEIGHT),
                              {"type": "richmenuswitch", "label": other.tab[:ACTION_LABEL_MAX],
                               "richMenuAliasId": other.alias, "data": f"richmenu:{other.name}"}, None))
    rows = math.ceil(len(page.buttons) / page.columns)
    row_h = (height - top) / rows
    for r in range(rows):
        row = page.buttons[r * page.columns:(r + 1) * page.columns]
        cell_w = width / len(row)
        for c, button in enumerate(row):
            x0, x1 = round(c * cell_w), round((c + 1) * cell_w)
            y0, y1 = round(top + r * row_h), round(top + (r + 1) * row_h)
            areas.append(((x0, y0, x1 - x0, y1 - y0), button.action(), button))
    return areas


def draw_page(role: str, page: Page, pages: tuple[Page, ...]) -> Image.Image:
    """The image of `page` (of `role`, whose pages are `pages`): tabs, then one coloured card per button
    with its label and hint centred."""
    tabs = len(pages) > 1
    image = Image.new("RGB", _size(page, tabs), BACKGROUND)
    draw = ImageDraw.Draw(image)
    theme = THEMES.get(role, INK)
    half = GAP // 2
    if tabs:
        tab_w = image.width / len(pages)
        for i, other in enumerate(pages):
            box = (round(i * tab_w) + half, half, round((i + 1) * tab_w) - half, TAB_HEIGHT - half)
            current = other is page
            draw.rounded_rectangle(box, radius=36, fill=theme if current else "#FFFFFF")
            font = _fitted(draw, other.tab, 96, "Bold", box[2] - box[0] - 80)
            draw.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), other.tab, font=font, anchor="mm",
                      fill="#FFFFFF" if current else INK)
    for (x, y, w, h), _action, button in layout(page, pages):
        if button is None:  # a tab, drawn above
            continue
        box = (x + half, y + half, x + w - half, y + h - half)
        draw.rounded_rectangle(box, radius=48, fill="#FFFFFF", outline=theme, width=10)
        inner = box[2] - box[0] - 120
        label = _fitted(draw, button.label, 150, "Bold", inner)
        hint = _fitted(draw, button.hint, 72, "Regular", inner)
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        # centre the ink (tone marks and descenders included), not the font's line boxes
        lb = draw.multiline_textbbox((0, 0), button.label, font=label, anchor="ma", align="center", spacing=18)
        hb = draw.textbbox((0, 0), button.hint, font=hint, anchor="ma")
        label_h, hint_h, between = lb[3] - lb[1], hb[3] - hb[1], 56
        top = cy - (label_h + between + hint_h) / 2
        draw.multiline_text((cx, top - lb[1]), button.label, font=label, anchor="ma", align="center",
                            spacing=18, fill=theme)
        draw.text((cx, top + label_h + between - hb[1]), button.hint, font=hint, anchor="ma", fill=INK)
    return image


def encode(image: Image.Image) -> tuple[bytes, str]:
    """The image as PNG, or JPEG if the PNG would pass LINE's 1 MB; ``(bytes, content type)``. Raises
    ValueError if even the JPEG is too big."""
    out = io.BytesIO()
    image.save(out, "PNG")
    if out.tell() <= MAX_IMAGE_BYTES:
        return out.getvalue(), "image/png"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    if out.tell() <= MAX_IMAGE_BYTES:
        return out.getvalue(), "image/jpeg"
    raise ValueError(f"rich menu image is {out.tell()} bytes; LINE allows {MAX_IMAGE_BYTES}")


@dataclass(frozen=True)
class Built:
    """One page ready to deploy: its role, page, LINE request body (camelCase JSON), image bytes, type."""

    role: str
    page: Page
    body: dict[str, Any]
    image: bytes
    content_type: str


def build(menus: dict[str, tuple[Page, ...]] = MENUS) -> list[Built]:
    """Every page of `menus` as a `Built`: the `RichMenuRequest` body (named `NAME_PREFIX` + page + a
    digest of body and image, so a name says what it shows) and the encoded image."""
    out = []
    for role, pages in menus.items():
        for page in pages:
            image = draw_page(role, page, pages)
            data, ctype = encode(image)
            areas = [{"bounds": {"x": x, "y": y, "width": w, "height": h}, "action": action}
                     for (x, y, w, h), action, _button in layout(page, pages)]
            body: dict[str, Any] = {"size": {"width": image.width, "height": image.height}, "selected": False,
                                    "chatBarText": page.chat_bar, "areas": areas}
            digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode() + data).hexdigest()[:12]
            body["name"] = f"{NAME_PREFIX}{page.name}:{digest}"
            RichMenuRequest.from_dict(body)  # the SDK's own model: fail here, not at LINE
            out.append(Built(role, page, body, data, ctype))
    return out


# -- deploy ------------------------------------------------------------------------------------
@dataclass
class DeployReport:
    """What `deploy` did: image files written, whether anything went to LINE, the new rich menu id per
    page name, aliases created and updated, rich menus and aliases deleted, outbox rows queued."""

    images: list[Path] = field(default_factory=list)
    uploaded: bool = False
    menus: dict[str, str] = field(default_factory=dict)
    aliases_created: list[str] = field(default_factory=list)
    aliases_updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    links: list[int] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Plain English lines for the CLI."""
        out = [f"wrote {len(self.images)} image(s) to {self.images[0].parent}" if self.images else "no images"]
        if not self.uploaded:
            return out + ["offline (no LINE_CHANNEL_ACCESS_TOKEN): nothing was uploaded to LINE"]
        out += [f"{name}: {rid}" for name, rid in self.menus.items()]
        out.append(f"aliases: {len(self.aliases_created)} created, {len(self.aliases_updated)} updated; "
                   f"default menu: {self.menus.get(MENUS['guest'][0].name)}")
        out.append(f"deleted {len(self.deleted)} old rich menu(s); queued {len(self.links)} link request(s) "
                   f"for members with a role")
        return out


def write_images(built: list[Built], out_dir: Path) -> list[Path]:
    """Write each page's image to `out_dir/<page>.png` (or .jpg); returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for b in built:
        path = out_dir / f"{b.page.name}.{'png' if b.content_type == 'image/png' else 'jpg'}"
        path.write_bytes(b.image)
        paths.append(path)
    return paths


def deploy(api: Any, store: Storage, now: datetime, out_dir: Path,
           deliver: Callable[[list[int]], Any] | None = None) -> DeployReport:
    """Build the menus, write their images to `out_dir`, and, when `api` talks to LINE (it has the SDK's
    `messaging` and `blob` APIs, as `bot.send.SdkLineApi`), replace the deployed menus (see the module
    docstring). `now` is UTC; `deliver(outbox ids)` may send the queued links at once (before the old
    menus are deleted). LINE errors raise `ApiException`; rich menus made by a failed run are deleted
    again where possible, and the menus deployed before stay as they were."""
    built = build()
    report = DeployReport(images=write_images(built, out_dir))
    messaging, blob = getattr(api, "messaging", None), getattr(api, "blob", None)
    if messaging is None or blob is None:
        return report
    report.uploaded = True
    try:
        for b in built:
            rid = messaging.create_rich_menu(RichMenuRequest.from_dict(b.body)).rich_menu_id
            report.menus[b.page.name] = rid
            blob.set_rich_menu_image(rid, b.image, _headers={"Content-Type": b.content_type})
    except Exception:
        for rid in report.menus.values():
            _delete_quietly(messaging, rid)
        raise
    existing = {a.rich_menu_alias_id for a in messaging.get_rich_menu_alias_list().aliases}
    for b in built:
        rid, alias = report.menus[b.page.name], b.page.alias
        if alias in existing:
            messaging.update_rich_menu_alias(alias, UpdateRichMenuAliasRequest(richMenuId=rid))
            report.aliases_updated.append(alias)
        else:
            messaging.create_rich_menu_alias(CreateRichMenuAliasRequest(richMenuAliasId=alias, richMenuId=rid))
            report.aliases_created.append(alias)
    for alias in sorted(existing):
        if alias.startswith(ALIAS_PREFIX) and alias not in {b.page.alias for b in built}:
            messaging.delete_rich_menu_alias(alias)
    guest = MENUS["guest"][0]
    messaging.set_default_rich_menu(report.menus[guest.name])
    with store.Session.begin() as session:
        richmenus.replace_all(session, {role: (report.menus[pages[0].name], pages[0].alias)
                                        for role, pages in MENUS.items()}, now)
        report.links = [row.id for row in richmenus.enqueue_relink_all(session, now)]
    if deliver and report.links:
        deliver(report.links)
    new = set(report.menus.values())
    for menu in messaging.get_rich_menu_list().richmenus:
        if menu.name.startswith(NAME_PREFIX) and menu.rich_menu_id not in new:
            messaging.delete_rich_menu(menu.rich_menu_id)
            report.deleted.append(menu.rich_menu_id)
    return report


def _delete_quietly(messaging: Any, rich_menu_id: str) -> None:
    try:
        messaging.delete_rich_menu(rich_menu_id)
    except Exception as exc:  # LINE is already failing us; the next deploy deletes it by name
        log.warning("could not delete rich menu %s after a failed deploy: %s", rich_menu_id, exc)


# -- flask richmenu ----------------------------------------------------------------------------
@click.group("richmenu", help="LINE rich menus per role.")
def richmenu_cli() -> None:
    pass


@richmenu_cli.command("deploy", help="Draw the rich menus, upload them to LINE, set the default, link members.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the images (default: instance/richmenu).")
@with_appcontext
def deploy_command(out_dir: Path | None) -> None:
    runtime = current_app.extensions["bot"]
    out = out_dir or Path(current_app.instance_path) / "richmenu"
    now = datetime.now(timezone.utc)
    report = deploy(runtime.sender.api, runtime.storage, now, out,
                    deliver=lambda ids: deliver_due(runtime, datetime.now(timezone.utc), ids=ids, limit=len(ids)))
    click.echo("\n".join(report.lines()))
