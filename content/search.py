"""Search over the curated content the way office staff type: codes first, then fuzzy Thai text.

Pipeline for a query:
1. `content.codes.parse_codes`: a code ("ตบช. 2.1", "เกณฑ์ ๑.๑.๕") resolves directly, no guessing.
2. Intent words ("ใครรับผิดชอบ", "หลักฐาน", "ตัวชี้วัด", "ระดับคุณภาพ") are noted and removed, and so
   are question words, so the topic is what is matched.
3. Synonyms and abbreviations from `content/synonyms.yaml` add the canonical wording (KM → การจัดการความรู้).
4. Each document is scored on character trigrams of the `loose` form (tone marks dropped, so typos and
   missing marks still overlap; no word segmentation needed) weighted by IDF, title above body, plus
   rapidfuzz `partial_ratio` on the title. Scores are 0–100.

`SearchResult.confident` is False when the best score is under `CONFIDENT_SCORE` (`CHAT_SCORE` when the
query has everyday-talk words, `CHAT_MARKERS`): the bot then says it is not sure instead of showing a
random criterion, and offers only `SearchResult.suggestions` (none for everyday talk).
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from content.codes import CodeRef, parse_codes
from content.documents import Doc, documents
from content.keyphrases import key_query
from content.model import Content
from content.thai import loose, normalize, tokens

CONFIDENT_SCORE = 55.0
CONFIDENT_FOUND = 0.5  # and at least half of what was asked must be in the item
FOUND_MATCH = 0.7
SEGMENT_LENGTH_POWER = 0.5  # long unknown words should not outweigh everything else
PHRASE_WEIGHT, COVERAGE_WEIGHT, PRECISION_WEIGHT = 0.60, 0.25, 0.15
BODY_DISCOUNT = 0.9  # a match in the body counts a little less than one in the title
CANDIDATES = 15  # documents rescored with rapidfuzz after the trigram pass
SHORT_SEGMENT = 4  # characters; shorter segments must appear whole
FUZZ_CUTOFF = 60
KIND_PRIOR = {"pmqa_item": 1.0}
FIELD_INTENTS = ("responsible", "evidence", "measure")
FIELD_INTENT_PRIOR = 0.9
RUBRIC_KEY = "reference:standards_2557"  # the general rubric, for "ได้ระดับ 5 ต้อง…" with no topic

# Phrases that say what the user wants to know about an item; removed before matching.
INTENTS: dict[str, tuple[str, ...]] = {
    "responsible": ("ใครรับผิดชอบ", "ผู้รับผิดชอบ", "รับผิดชอบ", "กลุ่มไหน", "กลุ่มใด", "ใครดูแล", "ใครทำ",
                    "หน่วยไหน", "ผู้รับผิดชอบหลัก", "ผู้รับผิดชอบร่วม", "รับผิดชอบหลัก", "รับผิดชอบร่วม",
                    "เจ้าภาพหลัก", "เจ้าภาพ"),
    "evidence": ("ร่องรอยหลักฐาน", "หลักฐาน", "ร่องรอย", "เอกสารอะไร", "ใช้เอกสาร", "เอกสารอ้างอิง",
                 "ต้องเตรียมอะไร", "เตรียมอะไร"),
    "measure": ("ตัวชี้วัด", "วัดยังไง", "วัดอย่างไร", "วัดผล"),
    "rubric": ("ระดับคุณภาพ", "เกณฑ์การให้คะแนน", "การให้คะแนน", "ได้ระดับ", "rubric", "คะแนน"),
}
STOPWORDS = {loose(w) for w in (
    "ใคร อะไร บ้าง ไหน ยังไง อย่างไร เรื่อง การ ของ ที่ และ มี ต้อง ครับ ค่ะ คะ คับ จ้า จ้ะ หน่อย ขอ ดู อยาก "
    "รู้ ว่า ใน ให้ กับ เป็น คือ ไร หรือ ได้ จะ นะ เกี่ยวกับ ช่วย บอก หา ค้นหา ถาม เกณฑ์ ตัวบ่งชี้ มาตรฐาน "
    "ทำ ไง ยัง กัน แล้ว ด้วย ไหม มั้ย ๆ อยู่ กี่ เท่าไหร่ เท่าไร ใด นี้ นั้น ครับผม ใช้ "
    "สวัสดี หวัดดี ขอบคุณ รับทราบ โอเค ok ว่าด้วย "
    "the what is of").split()}

# Everyday office talk ("อากาศร้อนจังเลย", "ใครว่างบ้าง", "กินข้าวยัง", "ประชุมกี่โมง"): removed before matching;
# a query that had one is answered only when the rest matches strongly (`CHAT_SCORE`), and never gets
# suggestions, so small talk is not answered with a criterion that shares a word with it.
CHAT_MARKERS = (
    "อากาศ", "ร้อนจัง", "หนาวจัง", "ฝนตก", "ฝนจะตก", "จังเลย", "กินข้าว", "ข้าวยัง", "หิว", "กี่โมง", "ว่างบ้าง",
    "ว่างไหม", "ว่างมั้ย", "ใครว่าง", "ใครอยู่", "อยู่ไหม", "หมูกระทะ",
    "ลาพัก", "ลาป่วย", "ลากิจ", "ขอลา", "เลิกงาน", "เข้างาน", "ปริ้น", "พริ้น", "กระดาษติด", "ฝากแจ้ง",
    "ขอเบอร์โทร", "เบอร์โทร", "ขอเบอร์", "555", "ฮ่าฮ่า", "ไปเที่ยว",
)
CHAT_SCORE = 85.0
LONG_QUERY_CHARS = 300  # longer text is searched by its key phrases
LOW_CONFIDENCE_SCORE = 70.0  # a confident text answer under this is shown but logged for the content team
SUGGEST_SCORE = 35.0  # a hit offered as "did you mean" when not confident: this score and
SUGGEST_FOUND = 0.4   # at least 40% of what was asked found in it
_CHAT_RE = re.compile("|".join(map(re.escape, sorted(CHAT_MARKERS, key=len, reverse=True))))

_SPACE = re.compile(r"\s+")
# "ยกระดับคุณภาพ" (raise quality) is not the intent "ระดับคุณภาพ" (quality level)
_INTENT_RES = {name: re.compile(r"(?<!ยก)(?:" + "|".join(map(re.escape, sorted(phrases, key=len, reverse=True))) + ")")
               for name, phrases in INTENTS.items()}
# question words and polite particles, removed before tokenising (newmm splits "ไหนคะ" as "ไห|นคะ")
_FILLER = re.compile(r"(?:คิดยังไง|คิดอย่างไร|อะไรบ้าง|อะไร|บ้าง|ไหน|ยังไง|อย่างไร|เท่าไหร่|เท่าไร|หรือเปล่า|หรือไม่|ไหม|มั้ย|หน่อย)"
                     r"|(?:นะ)?(?:ครับผม|ครับ|คับ|ค่ะ|คะ|จ้า|จ้ะ)(?=\s|$)")


def _group(words: list[str]) -> list[str]:
    """The words of a chunk, a word under 3 characters joined to its neighbour (newmm leaves fragments
    like "ระ|บบ" when marks are missing)."""
    groups: list[str] = []
    for w in words:
        if groups and (len(w) < 3 or len(groups[-1]) < 3):
            groups[-1] += w
        else:
            groups.append(w)
    return groups


@dataclass(frozen=True)
class Hit:
    """A search hit: the item's key, kind, code and title, and a 0–100 score."""

    key: str
    kind: str
    code: str
    title: str
    score: float
    found: float = 1.0  # share of the query's words (by weight) found in the item


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
    chat: bool = False  # the query is everyday talk (`CHAT_MARKERS`) that did not match strongly

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    @property
    def suggestions(self) -> tuple[Hit, ...]:
        """Hits worth offering as "did you mean" when the result is not confident: none for everyday
        talk, else those scoring at least `SUGGEST_SCORE` with at least `SUGGEST_FOUND` of the query
        found. Empty when the result is confident (then `hits` is the answer)."""
        if self.confident or self.chat:
            return ()
        return tuple(h for h in self.hits if h.score >= SUGGEST_SCORE and h.found >= SUGGEST_FOUND)


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
        nospace = lambda text: loose(text).replace(" ", "")  # noqa: E731
        self.synonyms = [(nospace(canon), tuple(sorted({nospace(v) for v in variants if nospace(v)}, key=len,
                                                       reverse=True)))
                         for canon, variants in synonyms.items()]
        self._spaced_variants = sorted({(normalize(v), normalize(v).replace(" ", "")) for vs in synonyms.values()
                                        for v in vs if " " in v.strip()}, key=lambda p: -len(p[0]))
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
        self._titles_nospace = [loose(d.title_text).replace(" ", "") for d in docs]
        self._bodies_nospace = [loose(d.body_text).replace(" ", "") for d in docs]
        self._title_mass = [sum(self._idf[g] for g in set(trigrams(d.title_text))) for d in docs]
        tokens("มาตรฐาน")  # load the tokeniser's dictionary now, not on the first question

    @classmethod
    def build(cls, content: Content) -> "SearchIndex":
        """Index every standard, indicator, criterion, PMQA category and item, and the references."""
        return cls(documents(content), content.synonyms)

    # -- query analysis -------------------------------------------------------------------------
    def analyse(self, query: str) -> tuple[str | None, list[tuple[str, ...]]]:
        """(intent, segments) of `query`.

        A segment is one chunk the user typed between spaces (long chunks split into word groups),
        minus question words, particles and stop words, in loose form without spaces. Each segment is a
        tuple of alternatives: itself, then itself with a synonym's canonical wording swapped in.
        """
        marked = _CHAT_RE.sub(" ", normalize(query))
        intent = None
        for name, pattern in _INTENT_RES.items():
            if pattern.search(marked):
                intent = intent or name
                marked = pattern.sub(" ", marked)
        marked = _FILLER.sub(" ", marked)
        for spaced, joined in self._spaced_variants:
            marked = marked.replace(spaced, joined)
        segments: list[tuple[str, ...]] = []
        for chunk in marked.split():
            words = [t for t in tokens(chunk) if t not in STOPWORDS]
            groups = _group(words)
            whole = "".join(words)
            for seg in groups:
                # the whole chunk is an alternative: a typo splits a word ("ประเมน" -> ประ|เมน) but the
                # chunk still matches fuzzily
                alts = [seg, whole] if len(groups) > 1 else [seg]
                for canon, variants in self.synonyms:
                    for v in variants:
                        if seg == v or (len(v) > 3 and v in seg):
                            alts.append(seg.replace(v, canon))
                            break
                segments.append(tuple(dict.fromkeys(alts)))
        return intent, segments

    # -- scoring ---------------------------------------------------------------------------------
    def _segment_weight(self, seg: str) -> float:
        grams = trigrams(seg)
        return sum(self._idf.get(g, self._default_idf) for g in grams) / max(len(grams), 1) * len(seg) ** SEGMENT_LENGTH_POWER

    def _match(self, seg: str, title: str, body: str) -> float:
        """How well `seg` appears in a document: 1.0 whole in the title, less in the body or fuzzily."""
        if len(seg) < SHORT_SEGMENT:  # short words must appear whole
            return 1.0 if seg in title else BODY_DISCOUNT if seg in body else 0.0
        return max(fuzz.partial_ratio(seg, title, score_cutoff=FUZZ_CUTOFF),
                   BODY_DISCOUNT * fuzz.partial_ratio(seg, body, score_cutoff=FUZZ_CUTOFF)) / 100

    def _score_text(self, segments: list[tuple[str, ...]], limit: int, intent: str | None = None) -> list[Hit]:
        grams = [g for alts in segments for seg in alts for g in trigrams(seg)]
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
        coverage = {i: max(title_cov[i], BODY_DISCOUNT * body_cov[i]) / total for i in set(title_cov) | set(body_cov)}
        candidates = sorted(coverage, key=coverage.get, reverse=True)[:CANDIDATES]
        seg_weights = [(alts, self._segment_weight(alts[0])) for alts in segments if len(alts[0]) >= 2]
        weight_sum = sum(w for _, w in seg_weights) or 1.0
        scored = []
        for i in candidates:
            title, body = self._titles_nospace[i], self._bodies_nospace[i]
            memo: dict[str, float] = {}  # word groups of one chunk share the chunk as an alternative
            matches = [(w, max(memo[seg] if seg in memo else memo.setdefault(seg, self._match(seg, title, body))
                               for seg in alts)) for alts, w in seg_weights]
            phrase = sum(w * m for w, m in matches) / weight_sum
            found = sum(w for w, m in matches if m >= FOUND_MATCH) / weight_sum
            precision = min(title_cov[i] / self._title_mass[i], 1.0) if self._title_mass[i] else 0.0
            s = 100 * (PHRASE_WEIGHT * phrase + COVERAGE_WEIGHT * coverage[i] + PRECISION_WEIGHT * precision)
            d = self.docs[i]
            prior = KIND_PRIOR.get(d.kind, 1.0)
            if intent in FIELD_INTENTS and d.kind not in ("criterion", "pmqa_item"):
                prior *= FIELD_INTENT_PRIOR  # only criteria and PMQA items have groups, evidence, measures
            scored.append(Hit(d.key, d.kind, d.code, d.title, round(s * prior, 2), round(found, 2)))
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
        """Search `query`; hits best first (at most `limit`, codes may give more). Never raises.

        A query over `LONG_QUERY_CHARS` characters (a pasted paragraph) is searched by its key phrases
        (`content.keyphrases.key_query`); codes in it count only when the content has them.
        """
        refs = parse_codes(query)
        long = len(query) > LONG_QUERY_CHARS
        if long:
            query = key_query(self, query)
        intent, segments = self.analyse(query)
        topic = " ".join(alts[0] for alts in segments)
        if refs:
            hits, missing = self._resolve_codes(refs)
            if long:
                missing = []
            if hits or missing:
                return SearchResult(tuple(hits), "code", intent, bool(hits), tuple(missing), topic)
        hits = self._score_text(segments, limit, intent)
        if not hits and _INTENT_RES["rubric"].search(normalize(query)) and RUBRIC_KEY in self.by_key:
            d = self.by_key[RUBRIC_KEY]
            return SearchResult((Hit(d.key, d.kind, d.code, d.title, CONFIDENT_SCORE),), "text", "rubric", True,
                                (), topic)
        chat = bool(_CHAT_RE.search(normalize(query)))
        threshold = CHAT_SCORE if chat else CONFIDENT_SCORE
        confident = bool(hits) and hits[0].score >= threshold and hits[0].found >= CONFIDENT_FOUND
        return SearchResult(tuple(hits), "text" if hits else "none", intent, confident, (), topic,
                            chat and not confident)


_KIND_ORDER = {"criterion": 0, "indicator": 1, "standard": 2, "pmqa_item": 3, "pmqa_category": 4}


def search(index: SearchIndex | None, query: str, limit: int = 5) -> SearchResult:
    """Search `query` in `index`; an empty result when there is no index."""
    if index is None:
        return SearchResult()
    return index.search(query, limit)
