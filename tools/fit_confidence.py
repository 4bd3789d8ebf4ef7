#!/usr/bin/env python3
"""Fit the answer-confidence model shipped in bot/data/confidence.json (a maintainer tool: not run by
the bot, tests or CI; about a minute).

    python tools/fit_confidence.py [../shared/ext/piaf-v1.1.json] [--out PATH]

For every question whose best sentence the decision's other rules would let answer, it records what
bot/answering/confidence.py reads about that sentence and whether the sentence is right:
- PIAF questions 500 to the end (the first 500 are the CI slice in tests/test_piaf.py, kept out so
  that slice still measures): right when the sentence holds a gold answer;
- the tuning half of the evaluation questions (never the held-out half): right when the sentence is
  from the expected article and holds the expected words; a question the articles cannot answer is
  never right.
It fits a logistic regression (standardised features, gradient descent, light L2) and prints the
`min_confidence` that maximises hits - WRONG_COST x wrong answers on those questions: the value to
put in bot/answering/knobs.py. Follow-up questions are asked after the question they follow, whose
answer (and so the article they lean on) the shipped model decides: refitting twice in a row
settles it.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import piaf as piaf_set  # noqa: E402
from bot.answering.confidence import FEATURES, MODEL_PATH, Model, asks_for_one_answer, features  # noqa: E402
from bot.answering.conversation import follow_up  # noqa: E402
from bot.answering.decision import decide  # noqa: E402
from bot.answering.pipeline import Answerer  # noqa: E402
from bot.answering.reading import Question, read_question  # noqa: E402
from bot.answering.recall import Candidate  # noqa: E402
from tests.evaluation import build_kb, load_questions  # noqa: E402

CI_SLICE = 500  # tests/test_piaf.py's questions: left out of the fit
TUNING_WEIGHT = 10  # the tuning half is the bot's own domain (news, articles on different topics) but ~40x smaller
WRONG_COST = 5  # a wrong quote costs as much as five declines (the knobs' "hits - 5 x wrong")
L2 = 1e-3
STEPS = 4000


def example(answerer: Answerer, question: Question) -> tuple[dict[str, float], Candidate] | None:
    """The features of the sentence the other rules would answer with, and that sentence; None if they
    decline or the model does not judge it (a bare topic)."""
    expansions, ranked = answerer.rank(question)
    answers, declined, _ = decide(question, expansions, ranked, min_confidence=0.0)
    if declined or not asks_for_one_answer(question, expansions):
        return None
    return features(answers[0], ranked, question, expansions), answers[0]


def piaf_rows(path: Path, work: Path) -> list[tuple[dict[str, float], int]]:
    """(features, 1 if right) for PIAF questions after the CI slice that the other rules would answer."""
    piaf = piaf_set.load(path, work / "piaf.db")
    rows = []
    for text, gold in piaf.questions[CI_SLICE:]:
        found = example(piaf.kb.answerer, read_question(text))
        if found:
            values, best = found
            rows.append((values, int(any(g in piaf.texts[best.sentence_id] for g in gold))))
    return rows


def tuning_rows(work: Path) -> list[tuple[dict[str, float], int]]:
    """(features, 1 if right) for the tuning half's questions that the other rules would answer."""
    kb = build_kb(work / "eval.db")
    sources = {i: Path(s).name for i, s in kb.db.execute("SELECT id, source FROM articles")}
    questions = load_questions()
    by_id = {q.id: q for q in questions}
    rows = []
    for q in questions:
        if q.split != "tuning":
            continue
        conversation = kb.ask(by_id[q.follow_up_of].question).conversation if q.follow_up_of else None
        found = example(kb.answerer, follow_up(read_question(q.question), conversation))
        if found:
            values, best = found
            right = (q.answerable and sources[best.article_id] == q.article
                     and (not q.quote or any(p.lower() in best.text.lower() for p in q.quote)))
            rows.append((values, int(right)))
    return rows


def fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> Model:
    """Weighted logistic regression on standardised features (a constant feature keeps a scale of 1)."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale < 1e-6, 1.0, scale)
    z = (x - mean) / scale
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        error = (p - y) * weight / weight.sum()
        w -= z.T @ error + L2 * w
        b -= error.sum()
    return Model(tuple(mean.round(6).tolist()), tuple(scale.round(6).tolist()), tuple(w.round(6).tolist()),
                 round(float(b), 6))


def best_threshold(p: np.ndarray, y: np.ndarray, weight: np.ndarray) -> float:
    """The threshold that maximises (weighted) hits - WRONG_COST x wrong answers."""
    grid = np.round(np.arange(0.30, 0.951, 0.05), 2)
    gains = [float((weight * (p >= t) * (y - WRONG_COST * (1 - y))).sum()) for t in grid]
    return float(grid[int(np.argmax(gains))])


def main() -> None:
    """Fit, write the model file, print the threshold to put in the knobs."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("piaf", nargs="?", type=Path, default=piaf_set.PIAF)
    parser.add_argument("--out", type=Path, default=MODEL_PATH,
                        help="where to write the model (default: the shipped one)")
    args = parser.parse_args()
    path = args.piaf
    with tempfile.TemporaryDirectory() as work:
        piaf, tuning = piaf_rows(path, Path(work)), tuning_rows(Path(work))
    rows = piaf + tuning
    x = np.array([[values[name] for name in FEATURES] for values, _ in rows])
    y = np.array([label for _, label in rows], dtype=float)
    weight = np.array([1.0] * len(piaf) + [float(TUNING_WEIGHT)] * len(tuning))
    model = fit(x, y, weight)
    p = np.array([model.probability(values) for values, _ in rows])
    threshold = best_threshold(p, y, weight)
    provenance = {"fitted_by": "tools/fit_confidence.py", "date": datetime.date.today().isoformat(),
                  "piaf_questions": len(piaf), "piaf_right": int(y[:len(piaf)].sum()),
                  "tuning_questions": len(tuning), "tuning_right": int(y[len(piaf):].sum()),
                  "tuning_weight": TUNING_WEIGHT, "wrong_cost": WRONG_COST, "best_min_confidence": threshold}
    args.out.write_text(model.to_json(provenance) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(piaf)} PIAF + {len(tuning)} tuning questions answered by the other "
          f"rules; weights {dict(zip(FEATURES, model.weights, strict=True))}")
    for part, rows_of in (("PIAF", slice(0, len(piaf))), ("tuning", slice(len(piaf), None))):
        kept = p[rows_of] >= threshold
        print(f"  {part}: at min_confidence {threshold}: answers {int(kept.sum())} of {len(p[rows_of])}, "
              f"right {int(y[rows_of][kept].sum())}")
    print(f"set min_confidence = {threshold} in bot/answering/knobs.py")


if __name__ == "__main__":
    main()
