"""Thai-safe text normalisation for matching.

Rules from `shared/docs/design.md`: never rapidfuzz's `default_process` (it turns Thai vowel and tone
marks into spaces) and never NFKC (it decomposes ำ, sara am). Thai digits become Arabic before matching.
`pythainlp.util.normalize` runs first: it folds what text copied from PDFs carries ("เเ" two sara e →
"แ", nikhahit + sara aa "ํา" → "ำ", doubled tone marks, marks typed in the wrong order).
"""
from __future__ import annotations

import re
from functools import lru_cache

from pythainlp.tokenize import word_tokenize
from pythainlp.util import normalize as thai_normalize

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Tone marks, mai taikhu and thanthakhat: the marks people most often drop or mistype on phones.
LOOSE_MARKS = dict.fromkeys(map(ord, "\u0e48\u0e49\u0e4a\u0e4b\u0e47\u0e4c"), None)
_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[\"'“”‘’`!?？！,;:()\[\]{}<>«»/\\|*_~^=+#@&%$\-–—―…•·]+")
_REPEAT = re.compile(r"(\D)\1{2,}")  # "ครับบบบ" -> "ครับ"; digits are kept ("555" is laughter, not "5")


@lru_cache(maxsize=16384)  # search re-normalises the same segments many times per query
def normalize(text: str) -> str:
    """pythainlp's Thai normalisation, then Latin lower-cased, Thai digits to Arabic, zero-width
    characters removed, letters repeated three times or more folded, spaces folded.

    Keeps Thai marks and dots (codes like ``1.1.4`` need them).
    """
    text = thai_normalize(text.translate(ZERO_WIDTH)).translate(THAI_DIGITS).lower()
    text = _REPEAT.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=16384)  # every command and choice matcher compares typed text in this form
def loose(text: str) -> str:
    """`normalize`, then punctuation to spaces and tone marks dropped: the form fuzzy matching uses."""
    text = _PUNCT.sub(" ", normalize(text)).translate(LOOSE_MARKS)
    return _SPACES.sub(" ", text.replace(".", " ")).strip()


@lru_cache(maxsize=8192)
def tokens(text: str) -> tuple[str, ...]:
    """Word tokens (pythainlp newmm on the marked text, so its dictionary applies), each in `loose` form."""
    marked = _SPACES.sub(" ", _PUNCT.sub(" ", normalize(text)).replace(".", " "))
    out = []
    for tok in word_tokenize(marked, engine="newmm", keep_whitespace=False):
        tok = tok.strip().translate(LOOSE_MARKS)
        if tok:
            out.append(tok)
    return tuple(out)


def clip_words(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary (pythainlp newmm), with "…" when cut;
    a Thai word is never split between a consonant and its marks."""
    if len(text) <= limit:
        return text
    out = ""
    for word in word_tokenize(text, engine="newmm", keep_whitespace=True):
        if len(out) + len(word) > limit:
            break
        out += word
    return (out.rstrip() or text[:limit]) + "…"
