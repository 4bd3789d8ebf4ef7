"""Question latency and quality on the seeds and on a generated 10,000-article corpus,
ingest rate and peak memory; the plain FTS5 bm25() baseline side by side.

    python bench/bench_core.py [--articles 10000] [--piaf ../shared/ext/piaf-v1.1.json]

The generated corpus is built from real French sentences: the PIAF paragraphs
when the file is there, else the seeds, shuffled into articles of 30 sentences
with their numbers varied.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import peak_memory_mb, percentiles, timed
from bot.answering.recall import baseline
from bot.knowledge import KnowledgeBase
from bot.sentences import split_sentences
from tests.questions import ANSWERABLE, UNANSWERABLE

PROJECT = Path(__file__).resolve().parent.parent


def seeds_benchmark(workdir: Path) -> None:
    kb = KnowledgeBase(workdir / "seeds.db", PROJECT / "seeds")
    titles = {Path(s).name: t for s, t in kb.db.execute("SELECT source, title FROM articles")}
    questions = [q for _, q, *_ in ANSWERABLE] + UNANSWERABLE
    kb.ask("warm up")
    bot_times, _ = timed(kb.ask, questions * 5)
    base_times, _ = timed(lambda q: baseline(kb.db, q, 5), questions * 5)
    bot_hits = base_hits = 0
    for _, question, seed, must, _short in ANSWERABLE:
        answer = kb.ask(question)
        bot_hits += bool(answer.answered and answer.quote.article.title == titles[seed]
                         and must.lower() in answer.quote.text.lower())
        top = baseline(kb.db, question, 1)
        if top:
            text = kb.db.execute("SELECT text FROM sentences WHERE id = ?", [top[0]]).fetchone()[0]
            base_hits += must.lower() in text.lower()
    declined = sum(not kb.ask(q).answered for q in UNANSWERABLE)
    print("== seeds (2 articles)")
    print(f"bot      latency {percentiles(bot_times)}")
    print(f"bm25     latency {percentiles(base_times)}")
    print(f"bot      quote hit {bot_hits}/{len(ANSWERABLE)}, declined {declined}/{len(UNANSWERABLE)} unanswerable")
    print(f"bm25     quote hit {base_hits}/{len(ANSWERABLE)}, declined 0/{len(UNANSWERABLE)} (always answers)")


def sentence_pool(piaf: Path | None) -> list[str]:
    if piaf and piaf.is_file():
        data = json.loads(piaf.read_text(encoding="utf-8"))
        return [s for article in data["data"] for p in article["paragraphs"] for s in split_sentences(p["context"])
                if len(s) > 30]
    return [line for f in (PROJECT / "seeds").iterdir() for line in split_sentences(f.read_text()) if len(line) > 30]


def generate_corpus(folder: Path, count: int, pool: list[str], rng: random.Random) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        sentences = rng.sample(pool, 30)
        paragraphs = [" ".join(sentences[i:i + 5]) for i in range(0, 30, 5)]
        body = "\n\n".join(paragraphs).replace("2", str(rng.randint(2, 9)))
        title = sentences[0].split(",")[0][:80].rstrip(".")
        (folder / f"{n:05d}.txt").write_text(f"{title} {n}\n\nPar Auteur Numéro{n % 97}\n\n{body}\n",
                                             encoding="utf-8")


def corpus_benchmark(workdir: Path, count: int, piaf: Path | None) -> None:
    rng = random.Random(7)
    pool = sentence_pool(piaf)
    folder = workdir / "corpus"
    generate_corpus(folder, count, pool, rng)
    kb = KnowledgeBase(workdir / "corpus.db")
    start = time.perf_counter()
    report = kb.ingest([folder])
    seconds = time.perf_counter() - start
    sentences = kb.db.execute("SELECT count(*) FROM sentences").fetchone()[0]
    print(f"== generated corpus: {len(report.added)} articles, {sentences} sentences")
    print(f"ingest   {len(report.added) / seconds:.0f} articles/s ({seconds:.1f} s, vocabulary refresh included)")
    # Questions: real sentences of the pool turned into partial queries, plus the seed questions.
    questions = [" ".join(s.split()[2:9]) + " ?" for s in rng.sample(pool, 300)]
    questions += [q for _, q, *_ in ANSWERABLE]
    kb.ask("warm up")
    bot_times, _ = timed(kb.ask, questions)
    base_times, _ = timed(lambda q: baseline(kb.db, q, 5), questions)
    print(f"bot      latency {percentiles(bot_times)}")
    print(f"bm25     latency {percentiles(base_times)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--piaf", type=Path, default=PROJECT.parent / "shared/ext/piaf-v1.1.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        seeds_benchmark(Path(tmp))
        corpus_benchmark(Path(tmp), args.articles, args.piaf)
    print(f"peak memory {peak_memory_mb():.0f} MB (whole process)")


if __name__ == "__main__":
    main()
