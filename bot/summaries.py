"""Extractive summaries: the sentences that carry an article's key facts.

Each sentence is scored on three general signals: how central it is (TF-IDF
cosine to the whole article), how much of the title it repeats, and how
many facts it holds (numbers, dates, names), with a small bonus for the lead.
The best 2-3 are returned in article order, never rewritten.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from bot.lexicon import Lexicon
from bot.text import terms

MIN_LENGTH = 40  # shorter sentences ("Trop vite peut-être.") rarely carry a fact


@dataclass
class SentenceInfo:
    position: int
    paragraph: int
    text: str
    terms: list[str]
    fact_count: int


def _vector(words: list[str], lexicon: Lexicon) -> dict[str, float]:
    counts = Counter(words)
    return {t: n * lexicon.idf(t) for t, n in counts.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def key_sentences(title: str, sentences: list[SentenceInfo], lexicon: Lexicon, count: int = 3) -> list[str]:
    """The `count` sentences that best carry the article, in article order."""
    if not sentences:
        return []
    whole = _vector([t for s in sentences for t in s.terms], lexicon)
    title_vector = _vector(terms(title), lexicon)
    scored = []
    for s in sentences:
        vector = _vector(s.terms, lexicon)
        score = (_cosine(vector, whole) + 0.5 * _cosine(vector, title_vector)
                 + 0.1 * min(s.fact_count, 3) + (0.15 if s.position == 0 else 0.0))
        if len(s.text) < MIN_LENGTH:
            score *= 0.3
        scored.append((score, s))
    chosen: list[SentenceInfo] = []
    for _, s in sorted(scored, key=lambda pair: -pair[0]):
        if len(chosen) == count:
            break
        if all(_overlap(s.terms, c.terms) < 0.6 for c in chosen):
            chosen.append(s)
    return [s.text for s in sorted(chosen, key=lambda s: s.position)]


def _overlap(a: list[str], b: list[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / max(1, min(len(sa), len(sb)))
