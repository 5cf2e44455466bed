"""Search quality and latency over the whole bundled content.

Prints top-1 and top-3 on the evaluation set (tests/search_eval.yaml), how many negative (chit-chat)
queries were answered or offered suggestions, and p50/p99 latency per query (pasted paragraphs apart).
Target: p99 under 10 ms on the project machine (2 cores). Run: python bench/search.py
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from content.loader import load_content  # noqa: E402
from content.search import LONG_QUERY_CHARS, SearchIndex  # noqa: E402
from content.thai import normalize, tokens  # noqa: E402
from tests.search_eval import evaluate, load_queries  # noqa: E402

ROUNDS = 20


def main() -> None:
    t0 = time.perf_counter()
    index = SearchIndex.build(load_content())
    build_ms = (time.perf_counter() - t0) * 1000
    queries = load_queries()
    report = evaluate(index, queries)
    for q in queries:  # warm caches (tokeniser) once, as a running bot would be
        index.search(q["q"])
    samples, long_samples = [], []
    for _ in range(ROUNDS):
        for q in queries:
            if len(q["q"]) > LONG_QUERY_CHARS:  # a pasted paragraph is new each time: time it with cold caches
                tokens.cache_clear()
                normalize.cache_clear()
            t = time.perf_counter()
            index.search(q["q"])
            (long_samples if len(q["q"]) > LONG_QUERY_CHARS else samples).append((time.perf_counter() - t) * 1000)
    samples.sort()
    long_samples.sort()
    p50 = statistics.median(samples)
    p99 = samples[int(len(samples) * 0.99) - 1]
    print(f"documents indexed   {len(index.docs)}  (index built in {build_ms:.0f} ms)")
    print(f"queries             {report.total} answerable + {report.chitchat} chit-chat")
    print(f"top-1               {report.top1_rate:.1%}  ({report.top1}/{report.total})")
    print(f"top-3               {report.top3_rate:.1%}  ({report.top3}/{report.total})")
    print(f"chit-chat answered  {len(report.chitchat_answered)}  (offered suggestions: {len(report.chitchat_suggested)})")
    print(f"latency p50         {p50:.2f} ms")
    print(f"latency p99         {p99:.2f} ms  (target < 10 ms; {len(samples)} searches)")
    print(f"latency max         {samples[-1]:.2f} ms")
    if long_samples:
        print(f"long paragraphs     p50 {statistics.median(long_samples):.2f} ms, max {long_samples[-1]:.2f} ms "
              f"({len(long_samples)} searches, cold caches; not in the figures above)")
    for q, expect, got in report.misses:
        print(f"  miss: {q!r} expected {expect}, got {got}")
    for q, got in report.chitchat_answered:
        print(f"  chit-chat answered: {q!r} -> {got}")
    for q, got in report.chitchat_suggested:
        print(f"  chit-chat offered: {q!r} -> {got}")


if __name__ == "__main__":
    main()
