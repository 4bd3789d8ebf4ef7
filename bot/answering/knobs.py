"""Every tuning knob of the answer pipeline, in one object: its value, why, and what set it.

"tuning set" below is the tuning half of the evaluation questions (tests/eval, split.json); the
held-out half never set a value. `python bench/bench_answers.py` prints both halves per kind;
`python bench/bench_piaf.py` gives the external yardstick; `python bench/bench_core.py` the cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


def knob(value: float, why: str, set_by: str) -> float:
    return field(default=value, metadata={"why": why, "set_by": set_by})


@dataclass(frozen=True)
class Knobs:
    # --- recall (bot/answering/recall.py) ---
    candidates: int = knob(
        80, "sentences FTS5 hands to scoring", "inherited from the earlier ranking, not re-tuned")
    own_candidates: int = knob(
        40, "...plus the sentences it ranks first for the question's own words alone (close words left out)",
        "bench_piaf, first 500: gold sentence recalled 397 -> 413 (40) / 420 (80)")
    own_recall_rows: int = knob(
        600, "...when the question's own words are in at most this many sentences (that lookup ranks them all)",
        "bench_piaf, first 1,000: the same gold sentences recalled as with no limit; bench_core 10,000 articles: "
        "0.5 ms per question instead of 7.4")
    recall_common_share: float = knob(
        0.01, "a term in more than this share of sentences is 'common'", "bench_core p99, 10,000 articles (stop 7)")
    recall_min_common: int = knob(
        2000, "...and in more than this many: small corpora keep every term",
        "bench_core p99, 10,000 articles (stop 7)")
    recall_budget_share: float = knob(
        2, "close words join the lookup while the sentences to rank stay under this many times the common line",
        "bench_core p99, 10,000 articles (stop 7)")
    recall_max_terms: int = knob(24, "at most this many terms in one FTS query", "bench_core p99 (stop 7)")
    # --- scoring (bot/answering/scoring.py) ---
    rescored: int = knob(
        20, "candidates, by coverage, that get the full score (kind, modality, article) and may answer",
        "cost: those checks are most of a question's time; tuning set unchanged")
    context_weight: float = knob(
        0.6, "a word found only in the title or section heading counts this much",
        "inherited (question set over the seeds); grid 0.4 / 0.5 / 0.6 / 0.7 / 0.8 (names at 0.9): tuning set "
        "75 / 79 / 85 / 85 / 85 right, 3 wrong throughout; bench_piaf hits - 5 x wrong within 10 of each other")
    context_name_weight: float = knob(
        0.9, "...but a name the question gives (a capitalised word) found there counts this much: the article "
             "or section is about it", "grid 0.6 / 0.7 / 0.8 / 0.9 / 1.0: tuning set 82 / 82 / 85 / 85 / 82 right "
             "(3 wrong throughout); bench_piaf hits - 5 x wrong, first 2,000: 154 / 158 / 150 / 161 / 168, "
             "2,000-4,000: 284 / - / 305 / 309 / 300")
    paragraph_weight: float = knob(
        0.2, "a question word found not in the sentence but in one before it in its paragraph counts this much "
             "(times its match's weight): the sentence may go on about it without repeating it",
        "grid 0 / 0.1 / 0.2 / 0.3 / 0.4 (names at 0.7; a first version that took a word's best match weight) on "
        "bench_piaf hit@1, first 2,000: 0.554 / 0.557 / 0.558 / 0.559 / 0.558, hits - 5 x wrong 192 / 190 / 200 / "
        "198 / 190; 2,000-4,000: 0.596 / 0.601 / 0.603 / 0.603 / 0.602, 331 / 331 / 328 / 317 / 309. This version "
        "at 0.2: 0.557, 201; 0.606, 328; tuning set 84 right at 0 and 0.2, 3 wrong")
    paragraph_name_weight: float = knob(
        0.7, "...but a name the question gives found there counts this much (times its match's weight): the "
             "sentence goes on about it ('Il a nié…' after '…a recruté Paolo Verdi')",
        "grid 0 / 0.5 / 0.6 / 0.7 / 0.8 / 0.9 on bench_piaf hit@1, first 2,000: 0.543 / 0.551 / 0.553 / 0.554 / "
        "0.553 / 0.550 (wrong answers 65 / 59 / 59 / 58 / 59 / 63); 2,000-4,000: 0.596 / 0.598 / 0.598 / 0.596 / "
        "0.595 / 0.592 (50 / 47 / 46 / 47 / 47 / 51); tuning set 85 right at 0, 84 above (3 wrong throughout)")
    article_weight: float = knob(
        0.3, "a word found elsewhere in the sentence's article counts this much: the article is about it",
        "grid over the tuning set: 0 / 0.3; with this stop's changes 0.2 / 0.3 / 0.4: tuning set and bench_piaf "
        "(first 4,000) within one answer")
    missing_name_penalty: float = knob(
        0.3, "a sentence whose article lacks a name the question gives ranks this much lower (and never answers)",
        "bench_piaf, first 600 questions: hit@1 0.540 -> 0.565 (with two fixes of question reading)")
    kind_bonus: float = knob(
        0.2, "share of the score for holding the kind of answer asked (a person for qui...)",
        "inherited (question set over the seeds); grid 0.1 / 0.15 / 0.2 / 0.25 / 0.3: tuning set 77 / 82 / 85 / 85 / "
        "85 right, 3 wrong; bench_piaf hits - 5 x wrong, first 2,000: 154 / 147 / 161 / 152 / 107, 2,000-4,000: "
        "291 / 300 / 309 / 296 / 265")
    kind_full_coverage: float = knob(
        0.67, "...in full for a sentence covering this share of the question, in proportion below",
        "bench_piaf, first 2,000: hit@1 0.532 (flat) -> 0.535 / 0.537 / 0.537 (0.5 / 0.67 / 0.8); "
        "tuning set ranking 101 -> 102 / 101 / 100 of 129")
    unseen_word_weight: float = knob(
        0.6, "IDF share of a known word absent from the articles (gibberish and names keep all of it)",
        "inherited (question set over the seeds); grid 0.4 / 0.6 / 0.8 / 1.0: tuning set 85 / 85 / 83 / 74 right, "
        "3 wrong; bench_piaf hits - 5 x wrong, first 2,000: 162 / 161 / 161 / 163, 2,000-4,000: 311 / 309 / 313 / 324")
    follow_up_weight: float = knob(
        0.5, "weight of the words a follow-up borrows from the question before",
        "set by hand (2 follow-ups then); grid over the tuning set's 18: 0.3 to 1.0 flat with the bonus at 0.1")
    same_article_bonus: float = knob(
        0.1, "a follow-up prefers the article of the answer before (or the one nearest a question declined)",
        "grid over the tuning set's 18 follow-ups: 0 / 0.05 / 0.1 / 0.2 / 0.3 -> 3 / 4 / 5 / 6 / 7 right, but 1 / 1 / "
        "1 / 1 / 3 wrong, and 0.2 is one step from that cliff: 0.1 kept")
    disputed_penalty: float = knob(
        0.15, "a sentence reporting a rumour or a claim the article disputes, unless the question asks about it",
        "set by hand; tests on made-up sentences; grid 0.05 / 0.15 / 0.3: tuning set 86 / 86 / 84 right, 3 wrong; "
        "bench_piaf hits - 5 x wrong, first 2,000: 162 / 161 / 148, 2,000-4,000: 306 / 309 / 309")
    neighbour_share: float = knob(
        0.85, "the sentence after a leading candidate that holds the answer it lacks (a cause, a figure after "
              "'Elle') inherits this share of its score", "grid over the tuning set: 0.7 / 0.85 / 1.0 (flat)")
    # --- decision (bot/answering/decision.py) ---
    min_score: float = knob(
        0.6, "below this score no sentence answers",
        "grid over the tuning set, hits - 5 x wrong answers (the issue's wrong <= 5 %): 0.35 to 0.7")
    min_coverage: float = knob(
        0.45, "below this IDF-weighted share of the question's words no answer",
        "inherited (question set over the seeds); grid 0.35 to 0.5: tuning set and bench_piaf (first 4,000) "
        "unchanged, the other gates decide")
    min_focus: float = knob(
        0.7, "share of the question's focus (its rarest content words) the answer must hold itself or by a "
             "related word", "grid over the tuning set, hits - 5 x wrong answers: 0.3 to 0.8")
    focus_share: float = knob(
        0.7, "the focus is the words that hold this share of the question's rarity, rarest first",
        "grid over the tuning set: 0.4 / 0.5 / 0.7 / 0.85")
    min_confidence: float = knob(
        0.75, "the best sentence answers only when the calibrated probability that it is right reaches this "
             "(bot/answering/confidence.py)", "tools/fit_confidence.py: the value that maximises hits - 5 x wrong "
             "answers on the questions the model was fitted on (PIAF 500-7,569 and the tuning set)")
    # --- short answer (bot/answering/short.py) ---
    modality_mismatch: float = knob(
        15, "rank step of a figure in a planned or denied clause when the question asks what happened (one in a "
            "disputed claim is left out): "
            "above the steps for the unit (10) and the kind (1)", "tests on made-up sentences; tuning set unchanged")


KNOBS = Knobs()


def describe() -> list[tuple[str, object, str, str]]:
    """(name, value, why, set by) for every knob: the README's table."""
    return [(f.name, getattr(KNOBS, f.name), f.metadata["why"], f.metadata["set_by"]) for f in fields(Knobs)]


def markdown_table() -> str:
    """The README's table of knobs (`python -m bot.answering.knobs`); tests/test_answering.py
    checks that the README holds it as printed, so the two cannot drift."""
    lines = ["| knob | value | why | set by |", "|---|---|---|---|"]
    lines += [f"| `{name}` | {value:g} | {why} | {set_by} |" for name, value, why, set_by in describe()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
