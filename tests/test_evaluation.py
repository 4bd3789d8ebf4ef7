"""Answer quality on the held-out half of the evaluation set (tests/evaluation.py): floors per kind
and on the headline rates, set below the measured figures (README) so that a regression fails.
The tuning half is measured and printed too, never floored: it is what the ranking was tuned on."""

from __future__ import annotations

import json

import pytest

from tests.evaluation import EVAL, build_kb, counts, draw_split, evaluate, headline, load_questions, report

REPORT: list[str] = []  # printed at the end of the run (conftest.py)

# Held-out floors, one question below the latest measurement (README, "Answer quality"): hits of the kind
# over questions of the kind. Kinds with fewer than 2 hits have no floor to lower.
FLOORS: dict[str, float] = {
    "about_article": 1 / 4, "fact": 3 / 13, "follow_up": 4 / 24, "how_many": 4 / 13, "not_stated": 5 / 6,
    "off_topic": 4 / 5, "paraphrase": 1 / 9, "unknown_entity": 4 / 5, "who": 4 / 9, "why_how": 2 / 10,
    "yes_no": 2 / 9,
}
MIN_ANSWERABLE_HIT = 0.26  # measured 31/114
MIN_UNANSWERABLE_DECLINED = 0.93
MAX_WRONG_OF_ANSWERED = 0.35  # measured 15/46


@pytest.fixture(scope="module")
def heldout(tmp_path_factory: pytest.TempPathFactory) -> dict:
    questions = load_questions()
    kb = build_kb(tmp_path_factory.mktemp("eval") / "eval.db")
    verdicts = evaluate(kb, questions)
    REPORT.append(report(questions, verdicts))
    return counts(questions, verdicts, "heldout")


def test_the_split_is_the_one_drawn():
    questions = load_questions()
    halves = {q.split for q in questions}
    assert halves == {"tuning", "heldout"}
    assert sum(q.split == "heldout" for q in questions) >= 75
    drawn = json.loads((EVAL / "split.json").read_text(encoding="utf-8"))
    assert draw_split(drawn) == drawn  # every written question is drawn, and drawing again moves none


def test_a_later_batch_is_split_on_its_own_and_a_follow_up_joins_its_lead(monkeypatch):
    import tests.evaluation as evaluation

    def question(qid: str, follows: str | None = None) -> evaluation.EvalQuestion:
        return evaluation.EvalQuestion(qid, "?", "fact", None, [], None, None, follows)

    old = [question("a-1"), question("a-2")]
    new = [question(f"b-{n}") for n in range(6)] + [question("b-f", "a-2"), question("b-ff", "b-f")]
    monkeypatch.setattr(evaluation, "_written", lambda: old + new)
    drawn = {"tuning": ["a-1"], "heldout": ["a-2"]}
    split = draw_split(drawn)
    assert {"b-f", "b-ff", "a-2"} <= set(split["heldout"]) and "a-1" in split["tuning"]  # nothing drawn moves
    assert sum(q.id in split["tuning"] for q in new) == 3  # the new leads, half and half


@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_kind_floor(heldout, kind):
    c = heldout[kind]
    assert c["hit"] / sum(c.values()) >= FLOORS[kind], f"{kind}: {dict(c)}"


def test_headline_rates(heldout):
    h = headline(heldout)
    assert h["answerable_hit"] >= MIN_ANSWERABLE_HIT
    assert h["unanswerable_declined"] >= MIN_UNANSWERABLE_DECLINED
    assert h["wrong_of_answered"] <= MAX_WRONG_OF_ANSWERED
