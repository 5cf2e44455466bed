"""Standards lookup: answer a typed question with the right item, and browse by postback.

`lookup` runs the search (`content.search`) and decides: a confident hit gets its card, runner-ups as
quick replies; a code the seeds lack gets an honest "not in the source" with the nearest item; anything
else gets "not sure" with help, and the question is logged for the content team (no user ID kept).
"""
from __future__ import annotations

from content.model import Content
from content.search import LOW_CONFIDENCE_SCORE, Hit, SearchResult
from content.thai import loose
from handlers.standards import cards
from handlers.core import postback
from handlers.standards import references
from handlers.help import menu_buttons
from handlers.core.types import Button, Ctx, PostbackAction, Result, TextReply, UserFacingError
from storage import queries

NOT_SURE = ("ยังไม่แน่ใจว่าหมายถึงเกณฑ์ไหนค่ะ 🙏 ลองพิมพ์รหัส เช่น \"ตบช. 2.1\" หรือ \"เกณฑ์ 1.1.5\" "
            "หรือใช้คำจากชื่อเกณฑ์ เช่น \"การตรวจประเมินภายใน\" ก็ได้ค่ะ")
NOT_SURE_WITH_GUESSES = "ยังไม่แน่ใจว่าหมายถึงข้อไหนค่ะ ใช่ข้อใดข้อหนึ่งด้านล่างไหมคะ 👇"
NOT_FOUND_ITEM = "ไม่พบรายการนี้แล้วค่ะ ลองพิมพ์ถามใหม่นะคะ"
MISSING = {
    "standard": "ไม่มีมาตรฐานที่ {code} ค่ะ มาตรฐานสำนักงานเขตพื้นที่การศึกษามี 5 มาตรฐาน (1–5)",
    "indicator": "ไม่พบตัวบ่งชี้ {code} ในเอกสารต้นฉบับค่ะ",
    "criterion": "ไม่พบเกณฑ์การประเมิน {code} ในเอกสารต้นฉบับค่ะ",
    "pmqa_category": "ไม่พบหมวด {code} ของ PMQA ในเอกสารต้นฉบับค่ะ (เอกสารมีหมวด 1–6)",
    "pmqa_item": "ไม่พบประเด็น {code} ของ PMQA ในเอกสารต้นฉบับค่ะ",
    "issue": "ไม่พบประเด็น {code} ของกลยุทธ์ที่ 5 ค่ะ (มีประเด็น 5.1–5.6)",
}
NOT_FOUND = ("ไม่พบเรื่องนี้ในมาตรฐานสำนักงานเขตพื้นที่การศึกษาค่ะ 🙏 บอทช่วยค้นมาตรฐาน ตัวบ่งชี้ เกณฑ์ "
             "ผู้รับผิดชอบ และร่องรอยหลักฐานได้ค่ะ ลองพิมพ์ เช่น \"ตบช. 2.1\" หรือ \"ใครรับผิดชอบการตรวจประเมินภายใน\" นะคะ")
MAX_TEXT_CHARS = 2000  # a pasted paragraph is read by its key phrases; past this, a polite refusal
TOO_LONG = ("ข้อความยาวเกินไปค่ะ 🙏 ลองพิมพ์เฉพาะคำถามสั้น ๆ เช่น \"ใครรับผิดชอบการตรวจประเมินภายใน\" "
            "หรือรหัส เช่น \"ตบช. 2.1\" นะคะ")
GUESS_SCORE = 25.0  # runner-ups of a confident answer offered as quick replies


HIT_LABELS = {"criterion": "เกณฑ์ {code}", "indicator": "ตบช. {code}", "standard": "มาตรฐานที่ {code}",
              "pmqa_item": "PMQA ข้อ {code}", "pmqa_category": "PMQA หมวด {code}", "issue": "ประเด็น {code}",
              "sar": "SAR", "rounds": "รอบการรายงาน", "process": "ขั้นตอนงานมาตรฐาน",
              "edition_2557": "มาตรฐาน 2557", "internal_control": "ควบคุมภายใน",
              "complaints": "ช่องทางร้องเรียน"}


def hit_button(hit: Hit) -> Button:
    """A quick reply that opens `hit`: a short label by its code, the full title as the echoed text."""
    label = HIT_LABELS.get(hit.kind, "{code}").format(code=hit.code)
    return cards.show(hit.key, label, f"{label} {hit.title}")


def lookup(ctx: Ctx, text: str) -> Result:
    """Answer `text` (a question or a code, or a pasted paragraph of up to `MAX_TEXT_CHARS` characters,
    which the search reads by its key phrases) from the standards content.

    Not confident: suggestions as buttons when the search has some, else a polite "not found" that says
    what the bot can do (everyday talk gets that too, never a criterion). Not confident, and confident
    with a best score under `LOW_CONFIDENCE_SCORE`, is logged for admins with what was shown.
    """
    if len(text) > MAX_TEXT_CHARS:
        return Result.text(TOO_LONG, menu_buttons()[:1])
    found = ctx.index.search(text, limit=5)
    if found.missing and not found.hits:
        return _missing(ctx.content, found)
    best_score = found.best.score if found.best else None
    if not found.confident:
        guesses = found.suggestions[:3]
        queries.log_unanswered(ctx.session, text, loose(text), ctx.inp.chat_kind, ctx.now,
                               "suggested" if guesses else "nothing", [h.key for h in guesses], best_score)
        if guesses:
            return Result.text(NOT_SURE_WITH_GUESSES, [hit_button(h) for h in guesses] + menu_buttons()[:1])
        return Result.text(NOT_FOUND if found.chat or not found.hits else NOT_SURE, menu_buttons())
    best, *rest = found.hits
    if found.via == "text" and best.score < LOW_CONFIDENCE_SCORE:
        queries.log_unanswered(ctx.session, text, loose(text), ctx.inp.chat_kind, ctx.now, "answered",
                               [best.key], best_score)
    result = open_item(ctx.content, best.key, found.intent)
    if found.via == "code" and rest:  # "เกณฑ์ที่ 1" matches one per indicator: list them
        result.quick_replies = [hit_button(h) for h in found.hits[1:12]] + result.quick_replies
    else:
        result.quick_replies = [hit_button(h) for h in rest[:3] if h.score >= GUESS_SCORE] + result.quick_replies
    result.quick_replies = result.quick_replies[:13]
    return result


def _missing(content: Content, found: SearchResult) -> Result:
    ref = found.missing[0]
    text = MISSING.get(ref.kind, MISSING["criterion"]).format(code=ref.code)
    parent = _nearest_parent(content, ref.code)
    if parent is None:
        return Result.text(text, menu_buttons())
    result = open_item(content, parent)
    result.replies.insert(0, TextReply(text + " ที่ใกล้ที่สุดคือรายการนี้ค่ะ 👇"))
    return result


def _nearest_parent(content: Content, code: str) -> str | None:
    parts = code.split(".")
    while parts:
        candidate = ".".join(parts)
        for kind, get in (("criterion", content.criterion), ("indicator", content.indicator),
                          ("standard", content.standard)):
            if get(candidate):
                return f"{kind}:{candidate}"
        parts.pop()
    return None


def open_item(content: Content, key: str, intent: str | None = None, page: int = 0) -> Result:
    """The reply that shows item `key`; raises UserFacingError when the key no longer exists."""
    kind, _, code = key.partition(":")
    if kind == "criterion" and (c := content.criterion(code)):
        ind = content.indicator(c.indicator_code)
        siblings = [cards.show(x.key, f"เกณฑ์ {x.code}") for x in ind.criteria if x.code != c.code]
        return Result([cards.criterion_card(content, c, intent)], siblings[:4])
    if kind == "indicator" and (ind := content.indicator(code)):
        back = [cards.show(f"standard:{ind.standard_code}", f"มาตรฐานที่ {ind.standard_code}")]
        return Result([cards.indicator_cards(content, ind, page)], back)
    if kind == "standard" and (s := content.standard(code)):
        return Result([cards.standard_cards(content, s)], [browse_button()])
    if kind == "pmqa" and (cat := content.pmqa_category(code)):
        return Result([cards.pmqa_category_cards(content, cat, page)], [pmqa_button()])
    if kind == "pmqa_item" and (item := content.pmqa_item(code)):
        return Result([cards.pmqa_item_card(content, item)], [pmqa_button()])
    if kind in ("issue", "reference") and (card := references.card(content, key)):
        return Result([card], [browse_button()])
    raise UserFacingError(NOT_FOUND_ITEM, menu_buttons())


def full_text(content: Content, key: str) -> Result:
    """Every field of a criterion or PMQA item as text (split by LINE's limits on render)."""
    text = cards.full_text(content, key)
    if text is None:
        raise UserFacingError(NOT_FOUND_ITEM, menu_buttons())
    return Result([TextReply(text)], [cards.show(key, "กลับไปที่การ์ด")])


def browse_button() -> Button:
    return Button("มาตรฐานทั้งหมด", PostbackAction(postback.encode("browse"), "มาตรฐานทั้งหมด"))


def pmqa_button() -> Button:
    return Button("หมวด PMQA ทั้งหมด", PostbackAction(postback.encode("pmqa"), "หมวด PMQA"))


def on_postback(ctx: Ctx, action: str, payload: dict) -> Result:
    """Route a decoded standards postback (`show`, `list`, `full`, `browse`, `pmqa`)."""
    key = str(payload.get("k", ""))
    page = payload.get("p", 0)
    page = page if isinstance(page, int) and 0 <= page < 50 else 0
    if action in ("show", "list"):
        return open_item(ctx.content, key, page=page)
    if action == "full":
        return full_text(ctx.content, key)
    if action == "pmqa":
        return Result([cards.pmqa_overview(ctx.content)], [show_criterion_button("1.1.4"), browse_button()])
    return Result([cards.standards_overview(ctx.content)], menu_buttons()[1:])


def show_criterion_button(code: str) -> Button:
    return cards.show(f"criterion:{code}", f"เกณฑ์ {code}")
