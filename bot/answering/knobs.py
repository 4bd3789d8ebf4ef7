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
    candidates: int = knob(80, "sentences FTS5 hands to scoring; more rarely changed the best one",
                           "bench_core: hit@1 flat from 60 to 120, latency grows with it")
    recall_common_share: float = knob(0.01, "a term in more than this share of sentences is 'common'",
                                      "bench_core 10,000 articles: p99 latency")
    recall_min_common: int = knob(2000, "...and in more than this many: small corpora keep every term",
                                  "bench_core 10,000 articles: p99 latency")
    recall_budget_share: float = knob(2, "close words join the lookup while the sentences to rank stay "
                                         "under this many times the common line", "bench_core p99 at 10,000 articles")
    recall_max_terms: int = knob(24, "at most this many terms in one FTS query", "bench_core p99")
    # --- scoring (bot/answering/scoring.py) ---
    rescored: int = knob(20, "candidates, by coverage, that get the full score (kind, modality, article) "
                             "and may answer", "bench_piaf: hit@1 unchanged from 80, "
                                                            "the full score is most of the cost")
    context_weight: float = knob(0.6, "a word found only in the title or section heading counts this much",
                                 "question set over the seeds (tuning)")
    article_weight: float = knob(0.3, "a word found elsewhere in the sentence's article counts this much: "
                                      "the article is about it", "tuning set")
    missing_name_penalty: float = knob(0.3, "a sentence whose article lacks a name the question gives ranks this "
                                            "much lower (and never answers)", "bench_piaf ranking; tuning set")
    kind_bonus: float = knob(0.2, "share of the score for holding the kind of fact asked (person for qui...)",
                             "question set over the seeds (tuning)")
    unseen_word_weight: float = knob(0.6, "IDF share of a known word absent from the articles "
                                          "(gibberish and names keep all of it)", "tuning set: off-topic declines")
    follow_up_weight: float = knob(0.5, "weight of the words a follow-up borrows from the question before",
                                   "tuning set: follow_up kind")
    same_article_bonus: float = knob(0.1, "a follow-up prefers the article of the answer before",
                                     "tuning set: follow_up kind")
    disputed_penalty: float = knob(0.15, "a sentence reporting a rumour or claim the article disputes, "
                                         "for a question that does not ask about the rumour", "tuning set: fact")
    neighbour_share: float = knob(0.85, "the sentence after a leading candidate that holds the answer the "
                                        "candidate lacks (a cause, a figure after 'Elle') inherits this share of "
                                        "its score", "grid over the tuning set: 0.7 / 0.85 / 1.0 (flat)")
    # --- decision (bot/answering/decision.py) ---
    min_score: float = knob(0.55, "below this score no sentence answers",
                            "grid over the tuning set (hits - 2 x wrong answers): 0.35 / 0.45 / 0.55")
    min_coverage: float = knob(0.45, "below this IDF-weighted share of the question's words no answer",
                               "tuning set: answered vs wrong")
    min_focus: float = knob(0.6, "share of the question's focus (its rarest content words) that the answer "
                                 "must hold itself or by a close word", "grid over the tuning set: 0.3 to 0.6")
    focus_share: float = knob(0.7, "the focus is the words that hold this share of the question's IDF weight, "
                                   "rarest first", "grid over the tuning set: 0.4 / 0.5 / 0.7")
    # --- short answer (bot/answering/short.py) ---
    modality_mismatch: float = knob(15, "rank step of a figure whose clause is planned/reported/denied when the "
                                        "question asks what happened: above the step for the unit asked (10) and "
                                        "for the kind (1), so what happened wins over a plan or a rumour",
                                    "tests/test_answering.py on made-up sentences; tuning set unchanged")


KNOBS = Knobs()


def describe() -> list[tuple[str, object, str, str]]:
    """(name, value, why, set by) for every knob: the README's table."""
    return [(f.name, getattr(KNOBS, f.name), f.metadata["why"], f.metadata["set_by"]) for f in fields(Knobs)]
