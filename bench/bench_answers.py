"""Answer quality on the evaluation question set (tests/eval), per kind, held-out half first:
hits, wrong answers and declines, and the share of answered questions whose quote is wrong.

    python bench/bench_answers.py [--split heldout|tuning] [--show wrong|declined|all]

`--show` lists the questions of the split with that verdict and what the bot said: use it on the
tuning half only (the held-out half is for measuring, not for reading until it passes).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.evaluation import build_kb, evaluate, load_questions, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="tuning", choices=["heldout", "tuning"])
    parser.add_argument("--show", choices=["wrong", "declined", "all"])
    args = parser.parse_args()
    questions = load_questions()
    with tempfile.TemporaryDirectory() as tmp:
        kb = build_kb(Path(tmp) / "eval.db")
        start = time.perf_counter()
        verdicts = evaluate(kb, questions)
        elapsed = time.perf_counter() - start
        print(report(questions, verdicts))
        print(f"{len(questions)} questions in {elapsed:.1f} s")
        if args.show:
            for q in questions:
                if q.split == args.split and (args.show == "all" or verdicts[q.id] == args.show):
                    answer = kb.ask(q.question)
                    said = answer.quote.text[:140] if answer.quote else answer.declined
                    print(f"- {q.id} [{q.kind}] {q.question}\n    expected {q.quote} {q.short or ''} {q.yesno or ''}"
                          f"\n    got {verdicts[q.id]}: {answer.short!r} | {said}")


if __name__ == "__main__":
    main()
