"""PIAF, the external yardstick (human-written French questions nobody here wrote): a slice of 500
questions over every PIAF paragraph, with floors on hit@1 / hit@5 of the ranking and on the share of
wrong quotes among the questions the bot chooses to answer. The whole set: bench/bench_piaf.py."""

from __future__ import annotations

import pytest

from bench.piaf import PIAF, answered, bot_ranking, hits, load

SLICE = 500
# Set below this slice's measured figures (README): a regression fails, noise does not.
MIN_HIT_AT_1 = 0.54  # measured 0.580
MIN_HIT_AT_5 = 0.67  # measured 0.732
MAX_WRONG_OF_ANSWERED = 0.12  # measured 6/144 (the confidence model was fitted without these 500)
MIN_ANSWERED = 0.25  # measured 144/500: declining everything is no way to be right


@pytest.fixture(scope="module")
def piaf(tmp_path_factory: pytest.TempPathFactory):
    if not PIAF.exists():
        pytest.skip(f"PIAF not found at {PIAF} (it comes with ../shared/ext)")
    return load(PIAF, tmp_path_factory.mktemp("piaf") / "piaf.db")


def test_ranking_floors(piaf):
    questions = piaf.questions[:SLICE]
    at1, at5 = hits(piaf, [bot_ranking(piaf, q) for q, _ in questions], questions)
    print(f"PIAF slice: hit@1 {at1:.3f}, hit@5 {at5:.3f}")
    assert at1 >= MIN_HIT_AT_1 and at5 >= MIN_HIT_AT_5


def test_wrong_quotes_among_answered(piaf):
    count, wrong = answered(piaf, piaf.questions[:SLICE])
    print(f"PIAF slice: answered {count}/{SLICE}, wrong {wrong}")
    assert count >= MIN_ANSWERED * SLICE and wrong / count <= MAX_WRONG_OF_ANSWERED
