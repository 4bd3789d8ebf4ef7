"""Search with a PostgreSQL BOT_DB: each instance's local copy (SQLite FTS5, bot/replica.py) next to
PostgreSQL's own full-text search over the same normalised terms (a GIN index), in one run.

    python bench/bench_pg_search.py [--articles 10000] [--piaf ../shared/ext/piaf-v1.1.json]

Starts a throwaway PostgreSQL (tests/pg.py: Debian's `postgresql` package), stores a generated
corpus there through `ingest` (bench/bench_core.py's corpus), makes a new instance's copy of it (the
full sync at start), then times the one step the two designs differ in: the candidate search a
question begins with (the sentences whose terms match the question's, best first, 200 of them),
by FTS5's bm25 on the copy and by PostgreSQL's `@@` and ts_rank over a tsvector of the stored
`terms` (a generated column with a GIN index, made here for the measurement: PostgreSQL at its
best). Whole answers from the copy are timed too. The server is on this machine: a real network
adds its round trip to every PostgreSQL query, and nothing to the copy's.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_core import generate_corpus, sentence_pool
from bench.common import percentiles, timed
from bot.answering.recall import bm25_ids, fts_query
from bot.knowledge import KnowledgeBase
from bot.storage_pg.database import Database
from bot.text import terms
from tests import pg
from tests.questions import ANSWERABLE

PROJECT = Path(__file__).resolve().parent.parent
CANDIDATES = 200

# PostgreSQL's candidate search: the question's terms OR-ed, matched on the GIN index, ranked.
PG_SEARCH = """
WITH q AS (SELECT to_tsquery('simple', string_agg(quote_literal(t), ' | ')) AS query FROM unnest(%s::text[]) t)
SELECT s.id FROM sentences s, q
WHERE s.tsv @@ q.query
  AND s.article_id NOT IN (SELECT id FROM articles WHERE retired_at IS NOT NULL)
ORDER BY ts_rank(s.tsv, q.query) DESC LIMIT %s
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--piaf", type=Path, default=PROJECT.parent / "shared/ext/piaf-v1.1.json")
    args = parser.parse_args()
    rng = random.Random(7)
    pool = sentence_pool(args.piaf)
    with tempfile.TemporaryDirectory() as tmp, pg.database() as url:
        work = Path(tmp)
        generate_corpus(work / "corpus", args.articles, pool, rng)
        writer = KnowledgeBase(work / "writer.db", semantic=False, shared=url)
        start = time.perf_counter()
        report = writer.ingest([work / "corpus"])
        stored = time.perf_counter() - start
        writer.close()
        start = time.perf_counter()
        kb = KnowledgeBase(work / "instance.db", shared=url)  # a new instance: the full copy at start
        copied = time.perf_counter() - start
        sentences = kb.db.execute("SELECT count(*) FROM sentences").fetchone()[0]
        print(f"== {len(report.added)} articles, {sentences} sentences in PostgreSQL")
        print(f"ingest into PostgreSQL (alerts queued, then this instance's copy): {stored:.1f} s")
        print(f"a new instance's full copy at start (with its vocabulary): {copied:.1f} s")

        store = Database(url)
        start = time.perf_counter()
        with store.transaction() as tx:
            tx.execute("ALTER TABLE sentences ADD COLUMN tsv tsvector "
                       "GENERATED ALWAYS AS (to_tsvector('simple', coalesce(terms, ''))) STORED")
            tx.execute("CREATE INDEX bench_sentences_tsv ON sentences USING gin (tsv)")
        with store.transaction() as tx:
            tx.execute("ANALYZE sentences")
        print(f"PostgreSQL tsvector column and GIN index built in {time.perf_counter() - start:.1f} s")

        questions = [" ".join(s.split()[2:9]) + " ?" for s in rng.sample(pool, 300)]
        questions += [q for _, q, *_ in ANSWERABLE]
        asked = [list(dict.fromkeys(terms(q))) for q in questions]
        asked = [t for t in asked if t]

        def local(question_terms: list[str]) -> list[int]:
            return bm25_ids(kb.db, fts_query(question_terms), CANDIDATES)

        def remote(question_terms: list[str]) -> list[int]:
            with store.transaction() as tx:
                return [row[0] for row in tx.cursor.execute(PG_SEARCH, [question_terms, CANDIDATES])]

        for warm in (local, remote):
            timed(warm, asked[:20])
        local_times, local_ids = timed(local, asked)
        remote_times, remote_ids = timed(remote, asked)
        overlap = sum(len(set(a) & set(b)) / max(1, len(a)) for a, b in zip(local_ids, remote_ids, strict=True))
        kb.ask("warm up")
        answer_times, _ = timed(kb.ask, questions)
        print(f"candidate search, local copy (FTS5 bm25)        {percentiles(local_times)}")
        print(f"candidate search, PostgreSQL (GIN, ts_rank)     {percentiles(remote_times)}")
        print(f"  the same sentences in both top {CANDIDATES}: {100 * overlap / len(asked):.0f}% on average")
        print(f"whole answer from the local copy                {percentiles(answer_times)}")
        store.close()
        kb.close()


if __name__ == "__main__":
    main()
