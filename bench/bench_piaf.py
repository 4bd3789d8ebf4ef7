"""Retrieval quality on PIAF, French questions written by volunteers (Etalab):
every paragraph becomes an article, every question is asked, and a hit@k is
counted when one of the top-k sentences contains a gold answer (accents and
case folded). The bot's ranking and the plain FTS5 bm25() baseline side by side,
then the bot's decision: how many it answers, and how many of those wrongly.

    python bench/bench_piaf.py [../shared/ext/piaf-v1.1.json] [--limit N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import peak_memory_mb, percentiles, timed
from bench.piaf import PIAF, answered, bot_ranking, hits, load
from bot.answering.recall import baseline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path, nargs="?", default=PIAF)
    parser.add_argument("--limit", type=int, default=0, help="ask only the first N questions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        piaf = load(args.path, Path(tmp) / "piaf.db")
        questions = piaf.questions[: args.limit] if args.limit else piaf.questions
        texts = [q for q, _ in questions]
        bot_times, bot_rank = timed(lambda q: bot_ranking(piaf, q), texts)
        base_times, base_rank = timed(lambda q: baseline(piaf.kb.db, q, 5), texts)
        print(f"PIAF {args.path.name}: {len(piaf.texts)} sentences, {len(questions)} questions")
        for name, ranking, times in (("bot", bot_rank, bot_times), ("bm25", base_rank, base_times)):
            at1, at5 = hits(piaf, ranking, questions)
            print(f"{name:<5} hit@1 {at1:.3f}  hit@5 {at5:.3f}  latency {percentiles(times)}")
        count, wrong = answered(piaf, questions)
        print(f"bot answers {count}/{len(questions)} ({count / len(questions):.1%}); "
              f"wrong quote in {wrong} of them ({wrong / max(1, count):.1%}); peak memory {peak_memory_mb():.0f} MB")


if __name__ == "__main__":
    main()
