"""Retrieval quality on PIAF, French questions written by volunteers (Etalab):
every paragraph becomes an article, every question is asked, and a hit@k is
counted when one of the top-k sentences contains a gold answer (accents and
case folded). The bot's ranking and the plain FTS5 bm25() baseline side by side.

    python bench/bench_piaf.py ../shared/ext/piaf-v1.1.json [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentiles, timed
from bot import storage
from bot.ingest import ingest_bytes
from bot.knowledge import KnowledgeBase
from bot.questions import read_question
from bot.search import baseline
from bot.text import fold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="ask only the first N questions")
    args = parser.parse_args()
    data = json.loads(args.path.read_text(encoding="utf-8"))["data"]
    questions: list[tuple[str, list[str]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = storage.open_database(Path(tmp) / "piaf.db")
        for a, article in enumerate(data):
            for p, paragraph in enumerate(article["paragraphs"]):
                text = f"{article['title']} ({p})\n\n{paragraph['context']}\n"
                ingest_bytes(db, f"{a}-{p}.txt", text.encode("utf-8"))
                questions += [(qa["question"], [fold(x["text"]) for x in qa["answers"]]) for qa in paragraph["qas"]]
        kb = KnowledgeBase(Path(tmp) / "piaf.db")
        if args.limit:
            questions = questions[: args.limit]
        texts = dict(kb.db.execute("SELECT id, text FROM sentences").fetchall())

        def bot_top5(question: str) -> list[int]:
            _, ranked = kb.searcher.search(read_question(question))
            return [c.sentence_id for c in ranked[:5]]

        def hits(ranking: list[list[int]]) -> tuple[float, float]:
            at1 = at5 = 0
            for ids, (_, gold) in zip(ranking, questions, strict=True):
                found = [any(g in fold(texts[i]) for g in gold) for i in ids]
                at1 += bool(found[:1] and found[0])
                at5 += any(found)
            return at1 / len(questions), at5 / len(questions)

        bot_times, bot_rank = timed(bot_top5, [q for q, _ in questions])
        base_times, base_rank = timed(lambda q: baseline(kb.db, q, 5), [q for q, _ in questions])
        answered = sum(kb.ask(q).answered for q, _ in questions[:1000])
        print(f"PIAF {args.path.name}: {len(texts)} sentences, {len(questions)} questions")
        for name, ranking, times in (("bot", bot_rank, bot_times), ("bm25", base_rank, base_times)):
            at1, at5 = hits(ranking)
            print(f"{name:<5} hit@1 {at1:.3f}  hit@5 {at5:.3f}  latency {percentiles(times)}")
        print(f"bot answered (score above its threshold) {answered}/{min(1000, len(questions))} of the first questions")


if __name__ == "__main__":
    main()
