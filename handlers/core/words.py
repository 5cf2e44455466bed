"""How typed Thai is read: polite particles and fillers, whole-word commands, choices typed in words.

Every matcher in the bot goes through this module, so "กลุ่มนโยบายและแผนค่ะ", "ลงทะเบียน cyw875 ครับ" and
"ยืนยันจ้า" read the same as their bare forms everywhere. Text is compared in `content.thai.loose` form
(tone marks dropped, punctuation folded), never through rapidfuzz's `default_process` (design.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from rapidfuzz import fuzz

from content.thai import LOOSE_MARKS, loose, normalize

# Polite particles and fillers people add at the end of a chat message (Thai has no spaces, so they are
# stripped as a tail, repeatedly: "นะคะ", "ครับผม", "หน่อยค่ะ").
PARTICLES = ("ครับผม", "ครับ", "คับ", "คร้าบ", "ฮะ", "ฮับ", "งับ", "ค่ะ", "คะ", "ค่า", "คร่า", "จ้า", "จ้ะ", "จ๊ะ",
             "จ๊า", "นะ", "น้า", "นะคะ", "นะครับ", "หน่อย", "เลย", "ด้วย", "please", "pls", "na", "ka", "krub")
# Fillers that may lead a choice ("ขอเป็นบุคลากร", "เอาสถานศึกษา"); stripped only when choosing.
LEADING_FILLERS = ("รบกวน", "ขอ", "เอา", "เลือก", "อยาก", "ช่วย", "เป็น", "คือ")
# Tail forms in `loose` form (tone marks gone) and as typed, longest first.
_TAILS = sorted({loose(p) for p in PARTICLES}, key=len, reverse=True)
_TAIL = re.compile(r"(?:\s*(?:" + "|".join(map(re.escape, _TAILS)) + r"))+$")
_LEAD = re.compile(r"^(?:" + "|".join(map(re.escape, sorted({loose(w) for w in LEADING_FILLERS}, key=len,
                                                              reverse=True))) + r")\s*")
_MARKED_TAILS = sorted({p for p in PARTICLES} | {p.translate(LOOSE_MARKS) for p in PARTICLES}, key=len, reverse=True)
_THAI_LETTER = re.compile(r"[\u0e01-\u0e4e]")  # consonants, vowels and marks: a word goes on

FUZZY_MIN = 80  # rapidfuzz score (0-100) a typed choice needs
FUZZY_MARGIN = 6  # and by how much it must beat the next choice


@lru_cache(maxsize=16384)  # the command table compares each message against every command word
def plain(text: str) -> str:
    """`text` in loose form without its trailing particles: "นโยบายและแผนค่ะ" -> "นโยบายและแผน".

    A text that is only particles ("ค่ะ") stays as it is, so a bare "ครับ" is still something typed.
    """
    lt = loose(text)
    stripped = _TAIL.sub("", lt).strip()
    return stripped or lt


def is_only_particles(text: str) -> bool:
    """True when `text` is empty or nothing but particles and punctuation ("ค่ะ", "นะคะ!!")."""
    lt = loose(text)
    return not lt or not _TAIL.sub("", lt).strip()


def strip_tail(text: str) -> str:
    """`text` as typed (marks kept) without trailing particles: "ลงทะเบียน cyw875 ค่ะ" -> "ลงทะเบียน cyw875"."""
    return drop_particles(normalize(text), " !?~.,")


def drop_particles(text: str, punct: str = " ") -> str:
    """`text` exactly as typed without its trailing polite particles (and the `punct` characters around
    them): "หยุดพิเศษตามมติ ครม.ค่ะ" -> "หยุดพิเศษตามมติ ครม."; a text of particles only stays."""
    t = text.rstrip(punct)
    while True:
        for p in _MARKED_TAILS:
            if t.endswith(p) and len(t) > len(p):
                t = t[:-len(p)].rstrip(punct)
                break
        else:
            return t


# -- commands ----------------------------------------------------------------------------------------

def command_rest(text: str, word: str, args: Sequence[str] = ()) -> str | None:
    """The rest of `text` after command `word` when `text` starts with it as a whole word, else None.

    A command is a whole word: after it comes the end, a space, a character that is not a Thai letter
    ("ลงทะเบียนABC123", "ประกาศ!"), only particles ("ลงทะเบียนค่ะ"), or one of its `args` glued on
    ("สมาชิกรออนุมัติ"). So "ประกาศนียบัตร" is not "ประกาศ" and "ลงทะเบียนเรียนต่อ" is not "ลงทะเบียน".
    The rest has its trailing particles removed. A command typed alone may also miss or repeat its tone
    marks ("ลงทะเบยน"). Design.md, "Manners in a chat".
    """
    t = normalize(text)
    w = normalize(word)
    if plain(t) == plain(w):
        return ""
    if not t.startswith(w):
        return None
    after = t[len(w):]
    if not after or after[0].isspace() or not (_THAI_LETTER.match(after[0]) if _THAI_LETTER.match(w[-1])
                                               else after[0].isalpha()):
        return strip_tail(after).strip(" !:,;-") if not is_only_particles(after) else ""
    if is_only_particles(after):
        return ""
    if any(plain(after) == plain(a) for a in args):
        return strip_tail(after).strip()
    return None


def word_rest(text: str, word: str) -> str | None:
    """The rest of `text`, as typed, after `word` when `text` starts with it as a whole word (followed by
    the end, a space or a character that is not a Thai letter, once polite particles are dropped), else None:
    "มีหลักฐานแล้วค่ะ https://…" -> "https://…"; "มีหลักฐานอะไรบ้าง" is not "มีหลักฐาน"."""
    if not text.startswith(word):
        return None
    rest = text[len(word):]
    stripped = True
    while stripped:
        stripped = False
        for p in _MARKED_TAILS:
            if rest.startswith(p):
                rest, stripped = rest[len(p):], True
                break
    if rest and _THAI_LETTER.match(rest[0]):
        return None
    return rest.strip().lstrip("!?~.,:;-").strip()


def is_bare(text: str, word: str) -> bool:
    """True when the whole of `text` is command `word` (particles and punctuation aside)."""
    return plain(text) == plain(word)


# -- choices -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Choice:
    """One answer a step offers: `value` (compact, goes into postback data), the button `label`, other
    ways people type it (`words`), and what the chat shows when the button is pressed (`display`)."""

    value: str
    label: str
    words: tuple[str, ...] = ()
    display: str | None = None


def _bare_label(label: str) -> str:
    """A button label without its decorations ("✅ ยืนยัน" -> "ยืนยัน", "ถัดไป ▶" -> "ถัดไป")."""
    return re.sub(r"^[✓✅▶◀✏️📢\s]+|[▶◀\s]+$", "", label)


def _forms(choice: Choice) -> list[str]:
    return [f for f in {plain(x) for x in (_bare_label(choice.label), choice.display or "", *choice.words)} if f]


def _containing(q: str, choices: Sequence[Choice]) -> list[Choice]:
    """The choices one of whose forms has `q` (in `plain` form) inside it."""
    return [c for c in choices if any(q in f for f in _forms(c))]


def _queries(text: str) -> tuple[str, str]:
    """`text` in `plain` form, and the same without leading fillers ("ขอเป็นบุคลากร" -> "บุคลากร")."""
    q = plain(text)
    q2 = q
    while _LEAD.match(q2) and _LEAD.sub("", q2, count=1).strip():
        q2 = _LEAD.sub("", q2, count=1).strip()
    return q, q2


def exact_choice(text: str, choices: Sequence[Choice]) -> Choice | None:
    """The choice whose label, display or a synonym `text` is exactly (particles, leading fillers and
    button decorations aside), else None: `choose` without numbers, parts or fuzz."""
    return _exact(*_queries(text), choices)


def _exact(q: str, q2: str, choices: Sequence[Choice]) -> Choice | None:
    if not q:
        return None
    return next((c for c in choices if q in _forms(c) or q2 in _forms(c)), None)


def choose(text: str, choices: Sequence[Choice]) -> Choice | None:
    """The choice `text` names, typed in natural Thai, or None when it names none or is ambiguous.

    Exact forms first (label, display, synonyms; particles and leading fillers aside), then a number
    ("2" = the second choice), then fuzzy (rapidfuzz ratio on loose forms ≥ `FUZZY_MIN`, ahead of the
    next best by `FUZZY_MARGIN`), so "นโยบายแผน" finds "กลุ่มนโยบายและแผน" and "โอเคค่ะ" finds nothing.
    """
    q, q2 = _queries(text)
    if not q:
        return None
    found = _exact(q, q2, choices)
    if found is not None:
        return found
    if q.isdigit() and 1 <= int(q) <= len(choices):
        return choices[int(q) - 1]
    if len(q2) >= 3:  # a part of one choice's name only: "การเงิน" -> "บริหารงานการเงินและสินทรัพย์"
        parts = _containing(q2, choices)
        if len(parts) == 1:
            return parts[0]
    scored = sorted(((max(fuzz.ratio(q2, f) for f in _forms(c)) if _forms(c) else 0, i)
                     for i, c in enumerate(choices)), reverse=True)
    if not scored or scored[0][0] < FUZZY_MIN:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < FUZZY_MARGIN:
        return None
    return choices[scored[0][1]]


def candidates(text: str, choices: Sequence[Choice]) -> list[Choice]:
    """The choices `text` is a part of (3 letters or more), when that is more than one: "ทุกคน" is in both
    "บุคลากรทุกคน" and "ผู้ติดตามทุกคน", so `choose` picks neither and a re-ask can name the two."""
    q = _queries(text)[1]
    found = _containing(q, choices) if len(q) >= 3 else []
    return found if len(found) > 1 else []


AMBIGUOUS = "\"{typed}\" ตรงกับหลายตัวเลือกค่ะ หมายถึง {choices} คะ 👇"


def ambiguity(text: str, choices: Sequence[Choice]) -> str:
    """The re-ask naming the choices `text` could mean ("…หมายถึง บุคลากรทั้งหมด หรือ ผู้ติดตามทุกคน คะ"),
    or "" when it is not a part of two or more."""
    found = candidates(text, choices)
    if not found:
        return ""
    names = [_bare_label(c.label) for c in found]
    return AMBIGUOUS.format(typed=text.strip()[:30], choices=", ".join(names[:-1]) + " หรือ " + names[-1])


def choice_list(choices: Sequence[Choice]) -> str:
    """The choices as a short Thai list for a re-ask: "บุคลากรสำนักงาน, สถานศึกษา"."""
    return ", ".join(re.sub(r"^[✓\s]+", "", c.label) for c in choices)
