"""This instance's local copy of the articles stored in PostgreSQL, kept in step with it.

With `BOT_DB=postgresql://…` the articles, sentences and facts are stored in PostgreSQL (by any
instance, or `run_bot.py ingest` on any machine: bot/storage_pg/articles.py), and each instance
answers from a SQLite file of its own (BOT_REPLICA, data/replica.db by default): the same schema,
full-text index and vocabulary as a single bot's database, so the search and ranking code is one
and questions never wait on the network. bench/bench_pg_search.py measured that choice against PostgreSQL's own
full-text search (README, "PostgreSQL").

`sync` makes the copy equal to PostgreSQL: when PostgreSQL's `generation` (meta, bumped by every
store, retire and restore) differs from the one the copy was last made at, it compares each
article's (checksum, updated_at, retired_at) on both sides and rewrites those that differ, with
the ids PostgreSQL gave (article numbers, and sentence ids, which buttons carry from one instance
to another), through bot/storage.py's own writing code: the FTS5 index and the vocabulary follow.
An article retired or restored only changes its retired_at. Articles gone from PostgreSQL go
(a copy made of another database). All of it in one SQLite transaction: questions answered
meanwhile see the copy before or after, never half of it.

Polling, not LISTEN/NOTIFY: the bot already wakes every BOT_ALERT_INTERVAL seconds; one primary-key
read per instance then costs PostgreSQL nothing, needs no connection held open for notifications,
and misses nothing across a restart of the server (a notification sent while an instance was
reconnecting would be lost, so a poll would be needed anyway).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import sqlite_utils

from bot import storage
from bot.storage import PreparedArticle, StorageError
from bot.storage_pg.articles import Articles
from bot.storage_pg.database import Database, Transaction

log = logging.getLogger(__name__)

# meta key of the copy: PostgreSQL's generation it was last made at.
SOURCE_GENERATION = "source_generation"
FETCH_EVERY = 200  # articles read from PostgreSQL per round trip while copying

ArticleState = tuple[str, float | None, float | None]  # checksum, updated_at, retired_at


class Replica:
    """PostgreSQL's articles (`url`) and their copy in the SQLite file `path`."""

    def __init__(self, url: str, path: str | Path) -> None:
        self.path = Path(path)
        self.store = Database(url)
        self.db = storage.open_database(path)  # a connection of its own: the copy is written here only
        self._lock = threading.Lock()  # one copy at a time (the follower thread, an ingest, /forget)
        self._stop = threading.Event()
        self._follower: threading.Thread | None = None

    def articles(self) -> Articles:
        """Where an ingest stores articles (one object per ingest)."""
        return Articles(self.store)

    def sync(self) -> int:
        """Copy what changed in PostgreSQL since the last copy; how many articles changed here."""
        with self._lock, self.store.transaction() as tx:
            # One snapshot for the whole read: an article stored meanwhile waits for the next sync.
            tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            generation = int(tx.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
            if generation == _source_generation(self.db):
                return 0
            remote = {row[0]: tuple(row[1:]) for row in
                      tx.execute("SELECT id, checksum, updated_at, retired_at FROM articles").fetchall()}
            local = {row[0]: tuple(row[1:]) for row in
                     self.db.execute("SELECT id, checksum, updated_at, retired_at FROM articles").fetchall()}
            changed = [i for i, state in remote.items() if local.get(i) != state]
            gone = [i for i in local if i not in remote]
            with storage.transaction(self.db):
                changes: Counter = Counter()
                # Old content first: PostgreSQL may have given an updated article's old sentence
                # ids to another article meanwhile.
                for article_id in gone + [i for i in changed if i in local and local[i][:2] != remote[i][:2]]:
                    storage.remove_content(self.db.conn, article_id, changes)
                self.db.conn.executemany("DELETE FROM articles WHERE id = ?", [(i,) for i in gone])
                for article_id in changed:
                    if article_id in local and local[article_id][:2] == remote[article_id][:2]:
                        self.db.execute("UPDATE articles SET retired_at = ? WHERE id = ?",
                                        [remote[article_id][2], article_id])
                content = [i for i in changed if i not in local or local[i][:2] != remote[i][:2]]
                for article_id, article, stamps, first_id in _fetch(tx, content):
                    storage.write_article(self.db.conn, article, article_id, article_id in local, stamps,
                                          first_id, changes)
                storage.apply_vocab(self.db, changes)
                if changed or gone:
                    storage.bump_generation(self.db)
                self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                                [SOURCE_GENERATION, str(generation)])
        if len(content) >= FETCH_EVERY:
            with contextlib.suppress(StorageError):  # only an optimisation: everything is copied already
                storage.optimize_index(self.db)
        return len(changed) + len(gone)

    def follow(self, interval: float, on_change: Callable[[], object]) -> None:
        """Sync every `interval` seconds in a thread of its own, calling `on_change` after a sync that
        changed something; a failure (PostgreSQL away) is logged and tried again at the next turn."""
        def run() -> None:
            while not self._stop.wait(interval):
                try:
                    if self.sync():
                        on_change()
                except (psycopg.Error, StorageError) as error:
                    log.warning("articles not copied from PostgreSQL: %s", str(error).strip()[:300])

        self._stop.clear()
        self._follower = threading.Thread(target=run, name="replica", daemon=True)
        self._follower.start()

    def unfollow(self) -> None:
        """Stop the thread `follow` started (a sync under way finishes first)."""
        self._stop.set()
        if self._follower is not None:
            self._follower.join(timeout=30)
            self._follower = None

    def close(self) -> None:
        self.unfollow()
        self.store.close()
        self.db.close()


def _source_generation(db: sqlite_utils.Database) -> int | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [SOURCE_GENERATION]).fetchone()
    return int(row[0]) if row else None


def _fetch(tx: Transaction, ids: list[int]) -> Iterator[tuple[int, PreparedArticle, dict, int]]:
    """Each article as stored in PostgreSQL: (id, prepared article, its time stamps, first sentence
    id), read FETCH_EVERY at a time. An article's sentence ids are consecutive, from the first, as
    bot/storage.store_article numbers them: a fact's sentence is found by its offset."""
    for start in range(0, len(ids), FETCH_EVERY):
        chunk = ids[start:start + FETCH_EVERY]
        marks = ", ".join("?" * len(chunk))
        rows = tx.execute("SELECT id, source, checksum, title, author, date, headings, updated, site, added_at, "
                          f"updated_at, retired_at FROM articles WHERE id IN ({marks})", chunk).fetchall()
        sentences: dict[int, list[tuple]] = {}
        for row in tx.execute("SELECT article_id, id, text, paragraph, heading, terms FROM sentences "
                              f"WHERE article_id IN ({marks}) ORDER BY article_id, position", chunk).fetchall():
            sentences.setdefault(row[0], []).append(row[1:])
        facts: dict[int, list[tuple]] = {}
        for row in tx.execute(f"SELECT article_id, sentence_id, kind, text, value, unit FROM facts "
                              f"WHERE article_id IN ({marks}) ORDER BY id", chunk).fetchall():
            facts.setdefault(row[0], []).append(row[1:])
        for (article_id, source, checksum, title, author, date, headings, updated, site, added_at, updated_at,
             retired_at) in rows:
            own = sentences.get(article_id, [])
            first_id = own[0][0] if own else 0
            texts = [text for _, text, _, _, _ in own]
            article = PreparedArticle(
                source=source, checksum=checksum, title=title, author=author, date=date,
                headings=json.loads(headings or "[]"),
                sentences=[(text, paragraph, heading, terms) for _, text, paragraph, heading, terms in own],
                facts=[(sentence_id - first_id, kind, text, value, unit)
                       for sentence_id, kind, text, value, unit in facts.get(article_id, [])],
                vocab_words=list(storage.sentence_word_counts(texts).elements()), updated=updated, site=site)
            yield article_id, article, {"added_at": added_at, "updated_at": updated_at, "retired_at": retired_at}, \
                first_id
