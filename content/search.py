"""Search over the curated content the way office staff type: codes first, then fuzzy Thai text.

Pipeline for a query:
1. `content.codes.parse_codes`: a code ("ตบช. 2.1", "เกณฑ์ ๑.๑.๕") resolves directly, no guessing.
2. Intent words ("ใครรับผิดชอบ", "หลักฐาน", "ตัวชี้วัด", "ระดับคุณภาพ") are noted and removed, and so
   are question words, so the topic is what is matched.
3. Synonyms and abbreviations from `content/synonyms.yaml` add the canonical wording (KM → การจัดการความรู้).
4. Each document is scored on character trigrams of the `loose` form (tone marks dropped, so typos and
   missing marks still overlap; no word segmentation needed) weighted by IDF, title above body, plus
   rapidfuzz `partial_ratio` on the title. Scores are 0–100.

`SearchResult.confident` is False when the best score is under `CONFIDENT_SCORE`: the bot then says it
is not sure instead of showing a random criterion.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from content.codes import CodeRef, parse_codes
from content.documents import Doc, documents
from content.model import Content
from content.thai import loose, normalize, tokens

CONFIDENT_SCORE = 42.0
TITLE_WEIGHT, BODY_WEIGHT, FUZZ_WEIGHT = 0.55, 0.30, 0.15

# Phrases that say what the user wants to know about an item; removed before matching.
INTENTS: dict[str, tuple[str, ...]] = {
    "responsible": ("ใครรับผิดชอบ", "ผู้รับผิดชอบ", "รับผิดชอบ", "กลุ่มไหน", "กลุ่มใด", "ใครดูแล", "ใครทำ",
                    "หน่วยไหน", "ผู้รับผิดชอบหลัก", "ผู้รับผิดชอบร่วม"),
    "evidence": ("ร่องรอยหลักฐาน", "หลักฐาน", "ร่องรอย", "เอกสารอะไร", "ใช้เอกสาร", "เอกสารอ้างอิง",
                 "ต้องเตรียมอะไร", "เตรียมอะไร"),
    "measure": ("ตัวชี้วัด", "วัดยังไง", "วัดอย่างไร", "วัดผล"),
    "rubric": ("ระดับคุณภาพ", "เกณฑ์การให้คะแนน", "การให้คะแนน", "ได้ระดับ", "rubric", "คะแนน"),
}
STOPWORDS = {loose(w) for w in (
    "ใคร อะไร บ้าง ไหน ยังไง อย่างไร เรื่อง การ ของ ที่ และ มี ต้อง ครับ ค่ะ คะ คับ จ้า จ้ะ หน่อย ขอ ดู อยาก "
    "รู้ ว่า ใน ให้ กับ เป็น คือ ไร หรือ ได้ จะ นะ เกี่ยวกับ ช่วย บอก หา ค้นหา ถาม เกณฑ์ ตัวบ่งชี้ มาตรฐาน "
    "ทำ ไง ยัง แล้ว ด้วย ไหม มั้ย ๆ the what is of").split()}

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Hit:
    """A search hit: the item's key, kind, code and title, and a 0–100 score."""

    key: str
    kind: str
    code: str
    title: str
    score: float


@dataclass(frozen=True)
class SearchResult:
    """Hits best first; `via` is ``"code"``, ``"text"`` or ``"none"``; `missing` lists codes typed
    that the content does not have (seed gaps or typos); `intent` as in `INTENTS` or None."""

    hits: tuple[Hit, ...] = ()
    via: str = "none"
    intent: str | None = None
    confident: bool = False
    missing: tuple[CodeRef, ...] = ()
    topic: str = ""

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None


def trigrams(text: str) -> list[str]:
    """Character trigrams of `text` in loose form with spaces removed (Thai has no word spaces)."""
    s = _SPACE.sub("", loose(text))
    if len(s) < 3:
        return [s] if s else []
    return [s[i:i + 3] for i in range(len(s) - 2)]


@dataclass
class _Field:
    postings: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))


class SearchIndex:
    """An in-memory index over `Content` (built once per process; searching does not touch the database)."""

    def __init__(self, docs: list[Doc], synonyms: dict[str, tuple[str, ...]]) -> None:
        self.docs = docs
        self.by_key = {d.key: d for d in docs}
        self.synonyms = [(loose(canon), canon, tuple(loose(v) for v in variants if loose(v)))
                         for canon, variants in synonyms.items()]
        self._title = _Field()
        self._body = _Field()
        df: Counter[str] = Counter()
        for i, d in enumerate(docs):
            t_grams, b_grams = set(trigrams(d.title_text)), set(trigrams(d.body_text))
            for g in t_grams:
                self._title.postings[g].add(i)
            for g in b_grams:
                self._body.postings[g].add(i)
            df.update(t_grams | b_grams)
        n = max(len(docs), 1)
        self._idf = {g: math.log(1 + n / c) for g, c in df.items()}
        self._default_idf = math.log(1 + n)
        self._titles_loose = [loose(d.title_text) for d in docs]

    @classmethod
    def build(cls, content: Content) -> "SearchIndex":
        """Index every standard, indicator, criterion, PMQA category and item, and the references."""
        return cls(documents(content), content.synonyms)

    # -- query analysis -------------------------------------------------------------------------
    def analyse(self, query: str) -> tuple[str | None, str]:
        """(intent, topic): the intent of `query` and its topic words in loose form."""
        marked, lq = normalize(query), loose(query)
        intent = None
        for name, phrases in INTENTS.items():
            for p in sorted(phrases, key=len, reverse=True):
                lp = loose(p)
                if lp and lp in lq:
                    intent = intent or name
                    lq = lq.replace(lp, " ")
                    marked = marked.replace(normalize(p), " ")
        words = [t for t in tokens(marked) if t not in STOPWORDS and t.strip()]
        topic = " ".join(words)
        extra = []
        for canon_loose, canon, variants in self.synonyms:
            padded = f" {topic} "
            if any((f" {v} " in padded) if len(v) <= 3 else (v in topic.replace(" ", "") or v in topic)
                   for v in variants):
                extra.append(canon_loose)
        if extra:
            topic = " ".join([topic, *extra]).strip()
        return intent, topic

    # -- scoring ---------------------------------------------------------------------------------
    def _score_text(self, topic: str, limit: int) -> list[Hit]:
        grams = trigrams(topic)
        if not grams:
            return []
        weights = Counter(grams)
        total = sum(self._idf.get(g, self._default_idf) * c for g, c in weights.items())
        title_cov: Counter[int] = Counter()
        body_cov: Counter[int] = Counter()
        for g, c in weights.items():
            w = self._idf.get(g, self._default_idf) * c
            for i in self._title.postings.get(g, ()):
                title_cov[i] += w
            for i in self._body.postings.get(g, ()):
                body_cov[i] += w
        candidates = set(title_cov) | set(body_cov)
        topic_nospace = topic.replace(" ", "")
        scored = []
        for i in candidates:
            fz = fuzz.partial_ratio(topic_nospace, self._titles_loose[i].replace(" ", "")) / 100 \
                if len(topic_nospace) >= 4 else 0.0
            s = 100 * (TITLE_WEIGHT * title_cov[i] / total + BODY_WEIGHT * body_cov[i] / total
                       + FUZZ_WEIGHT * fz)
            d = self.docs[i]
            scored.append(Hit(d.key, d.kind, d.code, d.title, round(s, 2)))
        scored.sort(key=lambda h: (-h.score, _KIND_ORDER.get(h.kind, 9), h.code))
        return scored[:limit]

    def _resolve_codes(self, refs: list[CodeRef]) -> tuple[list[Hit], list[CodeRef]]:
        hits, missing = [], []
        for ref in refs:
            keys = self._keys_for(ref)
            if not keys:
                missing.append(ref)
            for key in keys:
                d = self.by_key[key]
                hits.append(Hit(d.key, d.kind, d.code, d.title, 100.0))
        return hits, missing

    def _keys_for(self, ref: CodeRef) -> list[str]:
        if ref.kind in ("standard", "indicator", "criterion", "pmqa_category", "pmqa_item", "issue"):
            key = {"pmqa_category": "pmqa", "issue": "issue"}.get(ref.kind, ref.kind) + ":" + ref.code
            if key in self.by_key:
                return [key]
            if ref.kind == "indicator" and f"issue:{ref.code}" in self.by_key:  # "5.3" is an issue
                return [f"issue:{ref.code}"]
            return []
        kind = {"criterion_suffix": "criterion", "indicator_suffix": "indicator"}[ref.kind]
        return [d.key for d in self.docs if d.kind == kind and d.code.endswith("." + ref.code)]

    def search(self, query: str, limit: int = 5) -> SearchResult:
        """Search `query`; hits best first (at most `limit`, codes may give more). Never raises."""
        intent, topic = self.analyse(query)
        refs = parse_codes(query)
        if refs:
            hits, missing = self._resolve_codes(refs)
            if hits or missing:
                return SearchResult(tuple(hits), "code", intent, bool(hits), tuple(missing), topic)
        hits = self._score_text(topic, limit)
        confident = bool(hits) and hits[0].score >= CONFIDENT_SCORE
        return SearchResult(tuple(hits), "text" if hits else "none", intent, confident, (), topic)


_KIND_ORDER = {"criterion": 0, "indicator": 1, "standard": 2, "pmqa_item": 3, "pmqa_category": 4}


def search(index: SearchIndex | None, query: str, limit: int = 5) -> SearchResult:
    """Search `query` in `index`; an empty result when there is no index."""
    if index is None:
        return SearchResult()
    return index.search(query, limit)
