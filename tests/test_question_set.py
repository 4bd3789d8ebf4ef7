"""The hand-written question set: hit rate per group, reported at the end of the run.

A hit is an answer from the right article whose quote holds the expected words
and, for who / how many / when / where questions, whose short answer holds the
expected value. Unanswerable questions hit when the bot declines.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.questions import ANSWERABLE, UNANSWERABLE

RESULTS: dict[str, list[bool]] = defaultdict(list)

# Floors per group, set below the measured rates (see README) so that a regression fails.
FLOORS = {"plain": 0.9, "no_accents": 0.8, "typos": 0.85, "caps": 0.9, "sms": 0.9, "paraphrase": 0.7,
          "english": 0.25, "unanswerable": 1.0}


def is_hit(kb, titles, seed, must, short, question) -> bool:
    answer = kb.ask(question)
    return (answer.answered and answer.quote is not None
            and answer.quote.article.title == titles[seed]
            and must.lower() in answer.quote.text.lower()
            and (short is None or short.lower() in (answer.short or "").lower()))


def test_question_set_sizes():
    assert len(ANSWERABLE) >= 60
    assert len(UNANSWERABLE) >= 15
    questions = {q for _, q, *_ in ANSWERABLE}
    assert len(questions) == len(ANSWERABLE), "duplicate questions"


@pytest.fixture(scope="module")
def rates(kb, titles) -> dict[str, float]:
    for group, question, seed, must, short in ANSWERABLE:
        RESULTS[group].append(is_hit(kb, titles, seed, must, short, question))
    for question in UNANSWERABLE:
        RESULTS["unanswerable"].append(not kb.ask(question).answered)
    return {group: sum(hits) / len(hits) for group, hits in RESULTS.items()}


@pytest.mark.parametrize("group", sorted(FLOORS))
def test_group_hit_rate(rates, group):
    assert rates[group] >= FLOORS[group], f"{group}: {rates[group]:.0%} < {FLOORS[group]:.0%}"


def test_unanswerable_questions_get_no_quote(kb):
    for question in UNANSWERABLE:
        answer = kb.ask(question)
        assert answer.quote is None and answer.short is None, question


def test_unknown_company_is_named(kb):
    answer = kb.ask("Combien d'employés Binance a-t-il licenciés ?")
    assert not answer.answered
    assert "binance" in answer.unknown
