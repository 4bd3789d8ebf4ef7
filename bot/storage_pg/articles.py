"""Storing articles in PostgreSQL: what bot/ingest.py does to a SQLite file, on the shared database.

The rows are written by the same code as on SQLite (bot/storage.py's store_article), inside a
transaction that first takes an advisory lock: ingests from several instances or machines take
turns, so each finds what the one before stored (the same file again is skipped) and sentence ids,
which the code assigns itself (max + 1), never collide. The alerts are queued in that transaction,
so an article stored from any machine alerts each chat once (the outbox is unique per chat and
article). Answers are not read from here: each instance copies the articles into a local SQLite
file (bot/replica.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg

from bot.storage import (
    PreparedArticle,
    StorageError,
    article_states,
    find_article,
    mark_retired,
    store_article,
)
from bot.storage_pg.database import Database, Transaction

# pg_advisory_xact_lock key of article writes: any fixed number, the same in every instance ("arti").
ARTICLES_LOCK = 0x61727469
# Tables whose ids the code (or `run_bot.py migrate`) assigns: their identity sequences are moved past
# the largest id, so that an id PostgreSQL gives later cannot collide.
ASSIGNED_IDS = ("articles", "sentences", "facts", "outbox", "questions")


class Articles:
    """One ingest's writes to PostgreSQL, through the methods bot/ingest.py calls (SqliteArticles in
    bot/storage.py has the same for a SQLite file). Not shared between threads: one per ingest."""

    def __init__(self, store: Database) -> None:
        self.store = store
        self._tx: Transaction | None = None

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A transaction holding the article lock; inside another, that one (the batch commits whole).
        A lost server is a StorageError, as a full disk is on SQLite: ingest reports what was stored."""
        if self._tx is not None:
            yield self._tx
            return
        try:
            with self.store.transaction() as tx:
                tx.execute("SELECT pg_advisory_xact_lock(?)", [ARTICLES_LOCK])
                self._tx = tx
                try:
                    yield tx
                finally:
                    self._tx = None
                advance_sequences(tx, ["sentences"])
        except psycopg.OperationalError as error:
            raise StorageError(f"PostgreSQL database {self.store.name}: {str(error).strip()[:300]}",
                               "database unreachable") from error

    def find_article(self, source: str, checksum: str) -> tuple[str, int | None]:
        with self.transaction() as tx:
            return find_article(tx, source, checksum)

    def save_article(self, article: PreparedArticle, on_saved: Callable[[Transaction, int, str], None] | None = None,
                     vocab: Counter | None = None) -> tuple[str, int]:
        """As bot/storage.save_article; `on_saved(tx, id, action)` runs in the article's transaction."""
        with self.transaction() as tx:
            action, article_id = store_article(tx, article, vocab)
            if on_saved is not None and action != "skipped":
                on_saved(tx, article_id, action)
            return action, article_id

    def apply_vocab(self, changes: Counter) -> None:
        """A batch's word frequencies in one statement (row by row, they took 40% of an ingest)."""
        changed = [(word, n) for word, n in changes.items() if n]
        with self.transaction() as tx:
            tx.execute("INSERT INTO vocab (word, df) SELECT * FROM unnest(?::text[], ?::bigint[]) "
                       "ON CONFLICT (word) DO UPDATE SET df = vocab.df + excluded.df",
                       [[word for word, _ in changed], [n for _, n in changed]])
            if any(n < 0 for _, n in changed):
                tx.execute("DELETE FROM vocab WHERE df <= 0")

    def optimize_index(self) -> None:
        """Nothing to do: the full-text index is in each instance's local copy."""

    def set_retired(self, article_id: int, retired_at: float | None) -> bool | None:
        """As bot/storage.set_retired: every instance stops answering from it at its next copy."""
        with self.transaction() as tx:
            return mark_retired(tx, article_id, retired_at)

    def article_states(self) -> list[tuple[int, str, float | None]]:
        """As bot/storage.article_states; a read, which waits for no ingest."""
        with self.store.transaction() as tx:
            return article_states(tx)


def advance_sequences(tx: Transaction, tables: list[str] | tuple[str, ...] = ASSIGNED_IDS) -> None:
    """Move each table's id sequence past its largest id (an empty table's is left alone)."""
    for table in tables:
        tx.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table} "
                   "HAVING max(id) IS NOT NULL")
