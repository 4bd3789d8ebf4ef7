"""Search: which terms go to the full-text index (the cost of a question is the sentences they match),
which kind of answer a question wants, and which fact of a sentence answers it."""

from __future__ import annotations

import pytest

from bot.facts import extract_facts
from bot.lexicon import Lexicon, Match
from bot.questions import question_kind, read_question
from bot.search import RECALL_MIN_COMMON, Expansion, Searcher, answer_facts
from bot.text import term


def searcher(word_df: dict[str, int], sentences: int = 100_000) -> Searcher:
    return Searcher(None, Lexicon(word_df, sentences, semantic=False))


def expansion(word: str, *near: tuple[str, float]) -> Expansion:
    matches = [Match(term(word), 1.0, "exact", word)] + [Match(term(w), c, "semantic", w) for w, c in near]
    return Expansion(word, matches, 1.0)


def words(terms: list[str], vocabulary: dict[str, int]) -> list[str]:
    return [next(w for w in vocabulary if term(w) == t) for t in terms]


def test_own_words_first_then_close_words_while_within_budget():
    df = {"fondation": 900, "cinq": 1500, "six": 1200, "huit": 1000, "sept": 1100, "creation": 40}
    s = searcher(df)
    chosen = words(s.recall_terms([expansion("fondation", ("creation", 0.8)),
                                   expansion("cinq", ("six", 0.9), ("huit", 0.7), ("sept", 0.6))]), df)
    assert chosen[:2] == ["fondation", "cinq"]  # the question's words, rarest first
    # then the closest words while the sentences to rank stay under 2 x 2,000:
    # six (+1200 -> 3600) and creation (+40); huit (+1000) would pass the budget; sept is further still
    assert chosen[2:] == ["six", "creation"]
    assert sum(df[w] for w in chosen) <= 2 * RECALL_MIN_COMMON


def test_common_words_are_left_to_scoring_unless_nothing_else_was_asked():
    df = {"apres": 13_000, "ans": 7_000, "fondation": 900}
    s = searcher(df)
    assert words(s.recall_terms([expansion("apres"), expansion("ans"), expansion("fondation")]), df) == ["fondation"]
    assert words(s.recall_terms([expansion("apres"), expansion("ans")]), df) == ["ans", "apres"]


def test_a_small_corpus_takes_every_close_word():
    df = {"panne": 3, "coupure": 2, "interruption": 4}
    s = searcher(df, sentences=80)
    chosen = words(s.recall_terms([expansion("panne", ("coupure", 0.7), ("interruption", 0.6))]), df)
    assert chosen == ["panne", "coupure", "interruption"]


@pytest.mark.parametrize("question,expected", [
    ("Combien de temps a duré le vol ?", "plus de sept heures"),      # what happened
    ("Combien de temps le vol devait-il durer ?", "trois heures"),    # what was planned
    ("How long was the flight expected to last?", "trois heures"),
])
def test_a_planned_figure_answers_only_a_question_about_the_plan(question, expected):
    sentence = "Le vol devait durer trois heures, mais l'avion est resté bloqué pendant plus de sept heures."
    facts = [{"kind": f.kind, "text": f.text, "value": f.value, "unit": f.unit} for f in extract_facts(sentence)]
    best = answer_facts(facts, read_question(question), sentence)[0]
    assert best["text"] == expected


@pytest.mark.parametrize("question,kind", [
    ("Quel patron a parlé à la presse ?", "who"), ("Quelle ministre a signé ?", "who"),
    ("Which CEO resigned?", "who"), ("Quel pourcentage des salariés ?", "how_many"),
    ("Dans quelle ville ?", "where"), ("Quel temps fait-il ?", None),
])
def test_a_role_noun_after_quel_asks_who(question, kind):
    assert question_kind(question) == kind


def test_the_temps_of_combien_de_temps_is_not_a_topic():
    assert read_question("Combien de temps a duré la grève ?").words == ["duré", "grève"]
    assert "temps" in read_question("Quel temps de trajet pour Lyon ?").words
