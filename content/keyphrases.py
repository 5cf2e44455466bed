"""Key phrases of a long question (a paragraph staff paste into the chat), so it can be searched.

A pasted paragraph has the question somewhere among the context around it. Its words (pythainlp newmm,
in `loose` form) minus our stop words are scored by how specific they are to the content: a word that no
item has counts nothing, a word that every item has ("สำนักงานเขตพื้นที่การศึกษา") little, and two
neighbouring words that appear together in some item ("ควบคุม" + "ภายใน") count as one phrase. The best
few phrases, in the order they were typed, make the query. An intent phrase ("ใครรับผิดชอบ",
"หลักฐาน", …) found anywhere in the text is kept in front, so the card opens on the asked-for part.
"""
from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from content.thai import normalize, tokens

if TYPE_CHECKING:
    from content.search import SearchIndex

MAX_PHRASES = 4
MIN_WORD = 3  # characters (loose form) of a Thai word; shorter ones are fragments (Latin: 2, "KM")
_DIGITS = re.compile(r"^[\d.]+$")


def key_phrases(index: "SearchIndex", text: str, limit: int = MAX_PHRASES) -> list[str]:
    """The `limit` most content-specific phrases of `text`, each in loose form without spaces, in the
    order they first appear; [] when no word of `text` is in the content."""
    from content.search import _CHAT_RE, _FILLER, STOPWORDS  # the search's own word lists (late: no cycle)

    plain = _FILLER.sub(" ", _CHAT_RE.sub(" ", normalize(text)))
    words = [w for w in tokens(plain) if w not in STOPWORDS and not _DIGITS.match(w)
             and (len(w) >= MIN_WORD or (w.isascii() and len(w) >= 2))]
    n = max(len(index.docs), 1)
    texts = [t + "\n" + b for t, b in zip(index._titles_nospace, index._bodies_nospace)]
    variants = {v: canon for canon, vs in index.synonyms for v in vs}
    df_cache: dict[str, int] = {}

    def df(phrase: str) -> int:
        if phrase not in df_cache:
            df_cache[phrase] = sum(phrase in t for t in texts)
        return df_cache[phrase]

    def weight(phrase: str) -> float:
        probe = variants.get(phrase, phrase)
        k = df(probe)
        return math.log(1 + n / k) * len(probe) ** 0.5 if k else 0.0

    scores: dict[str, float] = {}
    first: dict[str, int] = {}
    for i, w in enumerate(words):
        candidates = [w]
        if i + 1 < len(words):
            candidates.append(w + words[i + 1])
        for phrase in candidates:
            s = weight(phrase)
            if s > 0:
                scores[phrase] = scores.get(phrase, 0.0) + s
                first.setdefault(phrase, i)
    best = sorted(scores, key=lambda p: -scores[p])
    chosen: list[str] = []
    for phrase in best:
        if any(phrase in c or c in phrase for c in chosen):  # "ควบคุม" adds nothing beside "ควบคุมภายใน"
            continue
        chosen.append(phrase)
        if len(chosen) == limit:
            break
    return sorted(chosen, key=lambda p: first[p])


def key_query(index: "SearchIndex", text: str, limit: int = MAX_PHRASES) -> str:
    """A short query for the long `text`: its intent phrase (if any) and its key phrases, space-separated."""
    from content.search import _INTENT_RES

    marked = normalize(text)
    intent = next((m.group(0) for p in _INTENT_RES.values() if (m := p.search(marked))), "")
    return " ".join([intent, *key_phrases(index, text, limit)]).strip()
