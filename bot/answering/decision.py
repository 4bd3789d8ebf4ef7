"""Decision: answer with the best sentence, or decline and say why.

A wrong quote costs more trust than an honest "I don't know", so a sentence answers only when it
covers enough of the question overall, holds the question's focus (its rarest words: what it is
about), and no name in the question is unknown to the articles (a question about another company
must not get a quote about this one). A question none of whose own words occur in the articles is
off-topic, whatever its words of close meaning find. Last, the best sentence must be likely enough
to be right (bot/answering/confidence.py): passing every threshold is not enough when another
sentence, of its article or of another, gives another answer about as well.
"""

from __future__ import annotations

from bot.answering.confidence import confidence
from bot.answering.knobs import KNOBS
from bot.answering.model import NOT_FOUND, OFF_TOPIC, UNKNOWN_NAMES
from bot.answering.reading import Question
from bot.answering.recall import Candidate, Expansion
from bot.lexicon import KNOWN_WORD_CUTOFF, SAME_WORD
from bot.text import is_known_word


def unknown_names(question: Question, expansions: list[Expansion]) -> list[str]:
    """Question words that look like names (capitalised, or in no dictionary) and match nothing in the
    articles. A capitalised name misspelt by one slip ("Krakken") is known; one a letter or two away
    from an ordinary word of the articles ("Binance" / "finance") is not."""
    unknown = []
    for expansion in expansions:
        word = expansion.word
        capitalised = word in question.names
        found = [m for m in expansion.matches if m.how in ("exact", "translation") or (m.how == "fuzzy" and (
            not capitalised or m.weight * 100 >= KNOWN_WORD_CUTOFF))]
        if not expansion.borrowed and (capitalised or not is_known_word(word)) and not found:
            unknown.append(word)
    return unknown


def is_off_topic(expansions: list[Expansion]) -> bool:
    """None of the question's own words occurs in the articles, as written or misspelt."""
    own = [e for e in expansions if not e.borrowed]
    return bool(own) and not any(m.how in SAME_WORD for e in own for m in e.matches)


def is_answer(candidate: Candidate) -> bool:
    """Whether a sentence passes the thresholds: it holds a question word itself, its article has the
    names asked, and its score, coverage and focus are high enough."""
    return (candidate.direct and not candidate.missing_names and candidate.score >= KNOBS.min_score
            and candidate.coverage >= KNOBS.min_coverage and candidate.focus >= KNOBS.min_focus)


def decide(question: Question, expansions: list[Expansion], ranked: list[Candidate],
           min_confidence: float = KNOBS.min_confidence) -> tuple[list[Candidate], str | None, list[str]]:
    """The candidates that answer, best first, or none and the reason (with the unknown names).
    `tools/fit_confidence.py` asks with `min_confidence=0` for what the other rules let through."""
    unknown = unknown_names(question, expansions)
    if unknown:
        return [], UNKNOWN_NAMES, unknown
    if is_off_topic(expansions):
        return [], OFF_TOPIC, []
    answers = [c for c in ranked if is_answer(c)]
    if not answers or (min_confidence > 0 and confidence(answers[0], ranked, question, expansions) < min_confidence):
        return [], NOT_FOUND, []
    return answers, None, []
