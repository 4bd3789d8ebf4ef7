"""Confidence: how likely the best sentence is the right answer, learnt from questions nobody here wrote.

The decision's thresholds (score, coverage, focus) were set on the tuning half of the evaluation
questions, and on the held-out half the answers they let through were wrong 43 % of the time: a
rule of thumb over one score does not say how sure the ranking is. This module turns what the
ranking knows about its best sentence — how well it covers the question, and above all how far
ahead of the next sentence it is — into a probability that it is right, with a logistic model fitted
on PIAF (French questions written by volunteers, `../shared/ext/`) and the tuning half, by
`tools/fit_confidence.py`. The fitted weights ship in `bot/data/confidence.json` with where they came
from; the decision answers only when this probability reaches `min_confidence`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.answering.reading import Question
from bot.answering.recall import Candidate, Expansion
from bot.answering.scoring import has_form
from bot.answering.short import answer_facts, verdict
from bot.modality import DENIED, span_modality
from bot.text import fold, term

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "confidence.json"
# What the model reads, each a number; the order is the order of the fitted weights.
FEATURES = (
    "score",  # the best sentence's score
    "coverage",  # IDF-weighted share of the question's words it holds
    "focus",  # share of the question's rarest words it holds
    "fits",  # 1 when it holds the kind of answer asked (a person for "qui", a figure for "combien")
    "gap",  # its lead over the next rival sentence (`is_rival`): the strongest sign of a right answer
    "gap_other_article",  # its lead over the best rival sentence of another article
    "same_article_top5",  # share of the five best sentences that come from its article
    "question_words",  # how many words the question itself gives (a longer question is more specific)
    "has_form",  # 1 when the question asks for a checkable form (person, figure, date, place, cause)
    "yes_no",  # 1 for a yes/no question
)
TOP = 5  # the sentences `same_article_top5` looks at


def short_value(candidate: Candidate, question: Question) -> str | None:
    """The value of the fact the sentence would answer with (folded), if the question asks for one;
    "non" for a yes/no question the sentence denies. Not "oui": nearly every sentence asserts
    something, so asserting is no sign that two sentences say the same (bench_piaf, first 2,000:
    6 more wrong answers when it counted)."""
    if question.kind == "yes_no":
        return "non" if verdict(candidate.text) == "non" else None
    facts = answer_facts(candidate.facts, question, candidate.text)[:1] if question.wanted else []
    return fold(facts[0]["value"]) if facts else None


def denied_words(candidate: Candidate, question: Question, expansions: list[Expansion]) -> set[str]:
    """The question's words (its names aside) that the sentence holds where it denies something:
    "fermé" in "Le club nie avoir fermé", not "club"."""
    held = {m.term: e.word for e in expansions if e.word not in question.names for m in e.matches}
    return {held[term(token.group().lower())] for token in re.finditer(r"\w+", candidate.text)
            if term(token.group().lower()) in held and span_modality(candidate.text, token.start()) == DENIED}


def agrees(other: Candidate, best: Candidate, question: Question, expansions: list[Expansion],
           best_value: str | None = None) -> bool:
    """Whether another sentence says what the best answer says: the same short answer ("basée à
    San Francisco" in both articles), the same sentence reprinted, or, to a yes/no question, a denial
    of the same thing ("Le club nie avoir fermé", "Son président dément qu'il ait fermé"; not "Le
    club ne paie pas ses joueurs"). `best_value`: the best sentence's `short_value`, when the caller
    compares it with many."""
    if other.terms == best.terms:
        return True
    ours = best_value if best_value is not None else short_value(best, question)
    if ours is None or short_value(other, question) != ours:
        return False
    return ours != "non" or bool(denied_words(other, question, expansions) & denied_words(best, question, expansions))


def is_rival(other: Candidate, best: Candidate, question: Question, expansions: list[Expansion],
             best_value: str | None = None) -> bool:
    """Whether another sentence competes with the best one: not the sentence quoted before it (a plan,
    then what happened), not one that gives the same answer, and not one of another article when a
    follow-up has said which article it means."""
    if other is best or agrees(other, best, question, expansions, best_value):
        return False
    if other.article_id == best.article_id:
        return other.text != best.lead
    # a guessed article (the question before got no answer) is a preference, not a choice
    return question.article_hint is None or question.hint_guessed or best.article_id != question.article_hint


def asks_for_one_answer(question: Question, expansions: list[Expansion]) -> bool:
    """Whether one sentence is the answer: not so for a bare topic ("Que fait Kraken ?", "Kraken ?")
    or keywords ("Kraken licenciement"), which every sentence on them answers in part, so that a tie
    among those sentences says nothing."""
    own = sum(not e.borrowed for e in expansions)
    if question.is_search or (own == 0 and len(expansions) <= 1):  # "Et pourquoi ?" after a bare topic: one too
        return False
    return question.kind is not None or has_form(question) or own > 1


def features(best: Candidate, ranked: list[Candidate], question: Question,
             expansions: list[Expansion]) -> dict[str, float]:
    """What the model reads about `best` among the candidates that could answer (`ranked`, best first)."""
    eligible = [c for c in ranked if c.direct and not c.missing_names]
    best_value = short_value(best, question)
    # `ranked` is best first, so the first rival and the first of another article are the closest:
    # the search stops when both are found.
    rival = elsewhere = None
    for candidate in eligible:
        if (rival is None or (elsewhere is None and candidate.article_id != best.article_id)) and is_rival(
                candidate, best, question, expansions, best_value):
            rival = rival or candidate
            if candidate.article_id != best.article_id:
                elsewhere = candidate
                break
    top = eligible[:TOP] or [best]
    return {
        "score": best.score,
        "coverage": best.coverage,
        "focus": best.focus,
        "fits": float(best.fits),
        "gap": best.score - (rival.score if rival else 0.0),
        "gap_other_article": best.score - (elsewhere.score if elsewhere else 0.0),
        "same_article_top5": sum(c.article_id == best.article_id for c in top) / len(top),
        "question_words": float(sum(not e.borrowed for e in expansions)),
        "has_form": float(has_form(question)),
        "yes_no": float(question.kind == "yes_no"),
    }


@dataclass(frozen=True)
class Model:
    """A logistic model over standardised features: P(right) = 1 / (1 + exp(-(bias + Σ w·(x - mean) / scale)))."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def probability(self, values: dict[str, float]) -> float:
        """P(right) for the features of one candidate (`features`)."""
        z = self.bias + sum(w * (values[name] - m) / s
                            for name, w, m, s in zip(FEATURES, self.weights, self.mean, self.scale, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def to_json(self, provenance: dict) -> str:
        """The file `model` reads, with where the weights came from."""
        return json.dumps({"features": list(FEATURES), "mean": self.mean, "scale": self.scale,
                           "weights": self.weights, "bias": self.bias, "provenance": provenance}, indent=1)


@lru_cache(maxsize=1)
def model(path: Path = MODEL_PATH) -> Model:
    """The shipped model. A file fitted for other features, or with a missing, zero or non-finite number,
    is refused with ValueError (refit with tools/fit_confidence.py); the bot loads it at start
    (bot/knowledge.py), so a damaged install fails there and not at the first question."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data.get("features", ())) != FEATURES:
        raise ValueError(f"{path} was fitted on features {data.get('features')}, the bot reads {list(FEATURES)}")
    try:
        numbers = [tuple(float(x) for x in data[key]) for key in ("mean", "scale", "weights")]
        bias = float(data["bias"])
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path}: {error}") from None
    if any(len(row) != len(FEATURES) for row in numbers) or not all(
            math.isfinite(x) for x in (*numbers[0], *numbers[1], *numbers[2], bias)) or min(numbers[1]) <= 0:
        raise ValueError(f"{path}: {len(FEATURES)} finite means, positive scales and weights, and a bias expected")
    return Model(*numbers, bias)


def confidence(best: Candidate, ranked: list[Candidate], question: Question, expansions: list[Expansion]) -> float:
    """The probability that `best` is the right answer to `question` (1 for a bare topic: see
    `asks_for_one_answer`)."""
    if not asks_for_one_answer(question, expansions):
        return 1.0
    return model().probability(features(best, ranked, question, expansions))
