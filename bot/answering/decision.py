"""Decision: answer with the best sentence, or decline and say why.

A wrong quote costs more trust than an honest "I don't know", so a sentence answers only when it
covers enough of the question overall, holds the question's focus (its rarest words: what it is
about), and no name in the question is unknown to the articles (a question about another company
must not get a quote about this one). A question none of whose own words occur in the articles is
off-topic, whatever its words of close meaning find. And when a question asks for one fact and a
sentence of another article gives another one about as well, the bot cannot tell which article the
question means: it says so rather than guess.
"""

from __future__ import annotations

from bot.answering.confidence import agrees, confidence
from bot.answering.knobs import KNOBS
from bot.answering.model import NOT_FOUND, OFF_TOPIC, UNKNOWN_NAMES
from bot.answering.reading import Question
from bot.answering.recall import Candidate, Expansion
from bot.answering.scoring import has_form
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
    return (candidate.direct and not candidate.missing_names and candidate.score >= KNOBS.min_score
            and candidate.coverage >= KNOBS.min_coverage and candidate.focus >= KNOBS.min_focus)


def is_contested(best: Candidate, ranked: list[Candidate], question: Question) -> bool:
    """Whether the question asks for one fact (a person, a figure, a date, a place, a cause, Oui or
    Non) and a sentence of another article gives another one within `min_margin` of the best answer.
    An open question ("Que fait Kraken ?") gets the other articles' sentences as alternatives instead,
    and a follow-up answered from the article it leans on has said which article it means."""
    if (not has_form(question) and question.kind != "yes_no") or best.article_id == question.article_hint:
        return False
    return any(best.score - c.score < KNOBS.min_margin and not agrees(c, best, question)
               for c in ranked if c.article_id != best.article_id)


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
    if (not answers or is_contested(answers[0], ranked, question)
            or (min_confidence > 0 and confidence(answers[0], ranked, question, expansions) < min_confidence)):
        return [], NOT_FOUND, []
    return answers, None, []
