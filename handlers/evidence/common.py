"""What the evidence steps and actions share: finding the item, who may report it, reading notes and
links, the limits, and the confirmation card."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from rapidfuzz import fuzz

from content.thai import loose
from handlers.core import policy
from handlers.core.types import Actor, Ctx, Result, UserFacingError
from handlers.core.words import FUZZY_MARGIN, Choice, is_only_particles, plain, word_rest
from handlers.evidence import cards, items as catalog
from handlers.evidence.compute import office_progress
from handlers.evidence.items import Item
from handlers.evidence.progress import (HAS_EVIDENCE, IN_PROGRESS, NEEDS_FIX, NOT_STARTED, STATUS_NAMES, VERIFIED,
                                        IndicatorProgress, ItemProgress, OfficeProgress)
from handlers.members.directory import group_name
from storage import members, rounds
from storage.models import Round

MAX_NOTE = 1000  # characters of a note or a reason
MAX_LINK = 1000
REVIEW_STATUSES = (VERIFIED, NEEDS_FIX)  # admins only
STATUS_WORDS = {
    NOT_STARTED: ("ยังไม่เริ่ม", "ยังไม่ได้เริ่ม", "ยังไม่ได้ทำ", "ยังไม่ทำ"),
    IN_PROGRESS: ("กำลังดำเนินการ", "อยู่ระหว่างดำเนินการ", "ดำเนินการอยู่", "กำลังทำ", "กำลังทำอยู่"),
    HAS_EVIDENCE: ("มีหลักฐานแล้ว", "มีหลักฐาน", "หลักฐานครบแล้ว", "หลักฐานครบ", "เสร็จแล้ว"),
    NEEDS_FIX: ("ต้องแก้ไข", "ต้องแก้", "ให้แก้ไข", "แก้ไข"),
    VERIFIED: ("ตรวจแล้ว", "ตรวจสอบแล้ว", "ผ่านการตรวจ"),
}
_LINKISH = re.compile(r"\S*://\S*|(?<!\S)www\.\S+", re.IGNORECASE)
UNKNOWN_CODE = ("ไม่พบรายการ \"{code}\" ค่ะ 🙏 พิมพ์รหัสเกณฑ์ เช่น \"1.1.5\", ข้อ PMQA เช่น \"PMQA 1.4\" "
                "หรือประเด็นกลยุทธ์ เช่น \"5.3.1\" นะคะ")
NOTE_TOO_LONG = "ข้อความยาว {n:,} ตัวอักษร เกิน {limit:,} ตัวอักษรค่ะ ลองย่อให้สั้นลง หรือแนบเป็นไฟล์/ลิงก์แทนนะคะ"
BAD_LINK = ("\"{link}\" ไม่ใช่ลิงก์ที่ใช้ได้ค่ะ 🙏 ลิงก์ต้องขึ้นต้นด้วย http:// หรือ https:// ตามด้วยชื่อเว็บไซต์ "
            "เช่น https://drive.google.com/… นะคะ")
REVIEW_ONLY = "สถานะ \"{name}\" ให้ได้เฉพาะผู้ดูแลระบบและผู้กำกับตัวบ่งชี้ค่ะ 🙏 เลือก กำลังดำเนินการ หรือ มีหลักฐานแล้ว ได้นะคะ"
NEEDS_REASON = "สถานะ \"ต้องแก้ไข\" ต้องมีเหตุผลด้วยค่ะ เช่น \"รายงาน 1.1.5 ต้องแก้ไข ขาดคำสั่งแต่งตั้งคณะกรรมการ\""


def status_choices(actor: Actor, item: Item | None = None) -> list[Choice]:
    """The statuses this person may set on `item`, as choices (typed in Thai: "มีหลักฐานแล้วค่ะ", "2");
    ตรวจแล้ว/ต้องแก้ไข only for reviewers (admins, and staff of the indicator's supervising groups)."""
    review = policy.allowed(actor, "evidence.review", item)
    allowed = [s for s in STATUS_NAMES if s not in REVIEW_STATUSES or review]
    return [Choice(s, f"{cards.ICONS[s]} {STATUS_NAMES[s]}", STATUS_WORDS[s], STATUS_NAMES[s]) for s in allowed]


TYPO_MIN = 85  # rapidfuzz ratio (0-100, loose forms) a mistyped status word needs ("มีหลกฐานแล้ว")


def split_status(text: str, typos: bool = False) -> tuple[str | None, str]:
    """(status, the rest) when `text` starts with a status word as a whole word ("มีหลักฐานแล้ว https://…";
    not "มีหลักฐานอะไรบ้าง"), else (None, text).
    With `typos`, a first word that is not one but is within `TYPO_MIN` of exactly one status's words
    ("มีหลกฐานแล้ว", "กำลังดำเนิการ") counts as that status."""
    t = text.strip()
    words = sorted(((w, s) for s, ws in STATUS_WORDS.items() for w in ws), key=lambda ws: -len(ws[0]))
    for w, s in words:
        rest = word_rest(t, w)
        if rest is not None:
            return s, rest
    if typos:
        first, _, rest = t.partition(" ")
        q = plain(first)
        if len(q) >= 4 and not q.isdigit():
            scored = sorted(((max(fuzz.ratio(q, loose(w)) for w in ws), s) for s, ws in STATUS_WORDS.items()),
                            reverse=True)
            if scored[0][0] >= TYPO_MIN and scored[0][0] - scored[1][0] >= FUZZY_MARGIN:
                return scored[0][1], rest.strip()
    return None, t


def is_url(link: str) -> bool:
    """True for an http(s) URL with a host name that has a dot (or is localhost), at most 1,000 characters."""
    if len(link) > MAX_LINK or any(c.isspace() for c in link):
        return False
    try:
        parts = urlsplit(link)
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme in ("http", "https") and ("." in host or host == "localhost") and not host.startswith(".")


def note_and_links(text: str) -> tuple[str, list[str]]:
    """Split typed text into a note and links ("" for a note of polite particles only: "https://… ค่ะ");
    raises UserFacingError for a link that is not a URL or a note over `MAX_NOTE` characters."""
    links = []
    for m in _LINKISH.finditer(text):
        link = m.group(0).rstrip(".,)")
        if not is_url(link):
            raise UserFacingError(BAD_LINK.format(link=link[:80]))
        links.append(link)
    note = " ".join(_LINKISH.sub(" ", text).split())
    if is_only_particles(note):
        note = ""
    if len(note) > MAX_NOTE:
        raise UserFacingError(NOTE_TOO_LONG.format(n=len(note), limit=MAX_NOTE))
    return note, links


def find_item(ctx: Ctx, code: str) -> Item:
    """The item `code` names, or UserFacingError saying how to type one."""
    item = catalog.find(ctx.content, code)
    if item is None and re.match(r"\s*(?:ประเด็นการพิจารณา|2557\s*\.)", code):
        from handlers.evidence.levels import gap_2557
        raise UserFacingError(f"ประเด็นนี้ไม่มีในเอกสารต้นฉบับค่ะ 🙏 {gap_2557(ctx.content)}")
    if item is None:
        raise UserFacingError(UNKNOWN_CODE.format(code=code.strip()[:40]))
    return item


def responsible_text(ctx: Ctx, item: Item) -> str:
    main = ", ".join(group_name(ctx.content, g) for g in item.main_groups) or "-"
    co = ", ".join(group_name(ctx.content, g) for g in item.co_groups)
    return f"ผู้รับผิดชอบหลัก: {main}" + (f" · ร่วม: {co}" if co else "")


def require_reporter(ctx: Ctx, item: Item, status: str | None = None) -> None:
    """Refuse (UserFacingError) unless this person may report `item` (and set `status`): staff of its
    main or co-responsible groups ("ทุกกลุ่ม": any staff) and admins; ตรวจแล้ว/ต้องแก้ไข only admins and
    staff of the indicator's supervising groups (`Item.supervisors`).
    A member of another group is told who is responsible."""
    if not policy.allowed(ctx.actor, "evidence.report", item):
        if ctx.actor.role in (policy.STAFF,) and ctx.actor.user_id:
            raise UserFacingError(f"{item.label} เป็นงานของกลุ่มที่รับผิดชอบค่ะ 🙏 {responsible_text(ctx, item)} "
                                  "ติดต่อกลุ่มนั้น หรือผู้ดูแลระบบได้นะคะ")
        policy.require(ctx, "evidence.report", item)
    if status in REVIEW_STATUSES and not policy.allowed(ctx.actor, "evidence.review", item):
        raise UserFacingError(REVIEW_ONLY.format(name=STATUS_NAMES[status]))


def current_round(ctx: Ctx) -> Round:
    """The round reporting goes into now (created on demand: the current fiscal year's SAR round)."""
    return rounds.current(ctx.session, ctx.now)


def progress_of(ctx: Ctx, rnd: Round) -> OfficeProgress:
    return office_progress(ctx.session, ctx.content, rnd, ctx.settings.office_name, ctx.now)


def locate(op: OfficeProgress, key: str) -> tuple[ItemProgress | None, IndicatorProgress | None]:
    for s in op.standards:
        for ind in s.indicators:
            for it in ind.items:
                if it.key == key:
                    return it, ind
    return None, None


def state_card(ctx: Ctx, item: Item, rnd: Round, heading: str = "") -> Result:
    """The item's state in `rnd` and its indicator's progress, as a card."""
    op = progress_of(ctx, rnd)
    state, ind = locate(op, item.key)
    if state is None:  # outside the round's scope: show it alone
        from storage import evidence
        row = evidence.state_of(ctx.session, rnd.id, item.key)
        state = ItemProgress(item.key, item.code, item.title, row.status if row else NOT_STARTED, item.main_groups,
                             item.co_groups, note=row.note if row else "", reason=row.reason if row else "",
                             links=tuple(row.links) if row else ())
    return Result([cards.item_card(ctx.content, item, state, ind, rnd.name, heading)])


def office_name_of(ctx: Ctx, user_id: str) -> str:
    """The name to show for who updated an item (`storage.members.names_of`), or "-"."""
    return members.names_of(ctx.session, {user_id}).get(user_id) or "-"
