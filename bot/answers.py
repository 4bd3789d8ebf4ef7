"""From scored sentences to an answer: quote, short answer, source, alternatives.

A question is answered only when the best sentence covers enough of it and
no name in the question is unknown to the articles: a question about another
company must not be answered with a quote about this one. The quote is the
sentence verbatim, preceded by the sentence before it when it opens with a
pronoun that needs it ("Il", "Selon lui", ...).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from bot.questions import Question
from bot.search import Candidate, Expansion, answer_facts
from bot.text import is_known_word

MIN_SCORE = 0.45
MIN_COVERAGE = 0.45
MAX_ALTERNATIVES = 2
_ANAPHOR = re.compile(r"^(?:il|elle|ils|elles|cela|ceci|ce|celui-ci|celle-ci|selon (?:lui|elle|eux)|"
                      r"cette dernière|ce dernier|lui|leur|ces derniers|it|they|this)\b", re.IGNORECASE)


@dataclass
class ArticleRef:
    id: int
    title: str
    author: str | None
    date: str | None


@dataclass
class Quote:
    sentence_id: int
    text: str
    article: ArticleRef
    score: float


@dataclass
class Answer:
    question: str
    answered: bool
    short: str | None = None  # the person, number, date or place asked for
    quote: Quote | None = None
    alternatives: list[Quote] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # names the articles never mention

    @property
    def score(self) -> float:
        return self.quote.score if self.quote else 0.0

    def to_json(self, not_found: str) -> dict:
        """The `ask --json` record."""
        return {
            "question": self.question,
            "answered": self.answered,
            "answer": (self.short or self.quote.text) if self.answered and self.quote else not_found,
            "quote": self.quote.text if self.quote else None,
            "article": asdict(self.quote.article) if self.quote else None,
            "score": round(self.score, 4),
            "alternatives": [{"quote": q.text, "article": asdict(q.article), "score": round(q.score, 4)}
                             for q in self.alternatives],
        }


def unknown_names(question: Question, expansions: list[Expansion]) -> list[str]:
    """Question words that look like names and match nothing in the articles."""
    unknown = []
    for expansion in expansions:
        if any(m.how != "semantic" for m in expansion.matches):
            continue
        word = expansion.word
        if word in question.names or not is_known_word(word):
            unknown.append(word)
    return unknown


def is_answer(candidate: Candidate) -> bool:
    return candidate.direct and candidate.score >= MIN_SCORE and candidate.coverage >= MIN_COVERAGE


def short_answer(candidate: Candidate, question: Question, expansions: list[Expansion]) -> str | None:
    anchors: dict[str, float] = {}
    for expansion in expansions:
        for match in expansion.matches:
            anchors[match.term] = max(anchors.get(match.term, 0.0), expansion.idf * match.weight)
    facts = answer_facts(candidate.facts, question, candidate.text, anchors)
    return facts[0]["text"] if facts else None


def compose(question: Question, expansions: list[Expansion], ranked: list[Candidate],
            quote_text: Callable[[Candidate], str], article_ref: Callable[[int], ArticleRef],
            max_alternatives: int = MAX_ALTERNATIVES) -> Answer:
    """Build the answer from ranked candidates.

    `quote_text(candidate)` gives the verbatim quote and `article_ref(id)` the
    article's reference; both read the database, which this module does not.
    """
    unknown = unknown_names(question, expansions)
    answers = [c for c in ranked if is_answer(c)]
    if unknown or not answers:
        return Answer(question.text, False, unknown=unknown)
    best = answers[0]

    def quote(candidate: Candidate) -> Quote:
        return Quote(candidate.sentence_id, quote_text(candidate), article_ref(candidate.article_id),
                     candidate.score)

    main = quote(best)
    alternatives: list[Quote] = []
    for candidate in answers[1:]:
        if len(alternatives) == max_alternatives:
            break
        alternative = quote(candidate)
        if alternative.text not in main.text and main.text not in alternative.text and all(
                alternative.text != a.text for a in alternatives):
            alternatives.append(alternative)
    return Answer(question.text, True, short_answer(best, question, expansions), main, alternatives)


def needs_previous(sentence: str) -> bool:
    """True when the sentence opens with a pronoun that points back to the sentence before."""
    return bool(_ANAPHOR.match(sentence))
