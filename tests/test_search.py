"""Which terms go to the full-text index: the cost of a question is the sentences they match."""

from __future__ import annotations

from bot.lexicon import Lexicon, Match
from bot.search import RECALL_MIN_COMMON, Expansion, Searcher
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
