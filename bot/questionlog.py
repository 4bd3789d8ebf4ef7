"""The question log: one row per question asked in Telegram, for the operators' /stats and
/unanswered.

A row says when, in what kind of chat (private, group, supergroup, inline), whether the bot
answered, why not, and how long the reply took; never who asked or in which chat. The text is kept
only for a question the bot declined that was a real question (not a greeting or an emoji), asked
in a chat (inline queries arrive as they are typed, half-written), and only while
BOT_LOG_QUESTIONS is on (turned off, those already kept are erased at the next start). Rows
older than 30 days are deleted as new ones come in.

The table is in BOT_DB, either backend of bot/backends.py: with several instances on one
PostgreSQL database, each writes its questions there and /stats counts them all.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bot.answering.model import EMPTY
from bot.backends import SqliteStore, Store, Transaction, open_store
from bot.storage import StorageError

log = logging.getLogger(__name__)

KEPT_DAYS = 30
KEPT_SECONDS = KEPT_DAYS * 86400
PURGE_EVERY = 3600.0  # seconds between two deletions of old rows
PURGE_BATCH = 5000  # rows deleted at most per deletion: a backlog goes over several, none long
MAX_TEXT = 500  # characters of a declined question kept
INLINE = "inline"  # the chat type recorded for inline queries


def normalise(text: str) -> str:
    """The form under which declined questions are counted together: letter case, spacing and
    punctuation do not count ("Qui est Powell ?" is "qui est powell")."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def _refusals(store: Store) -> tuple[type[Exception], ...]:
    """What the database raises when it cannot take a row now: StorageError from SQLite (a full
    disk, a read-only file); from PostgreSQL, the server gone or full, its pool closed or timed
    out, or a read-only standby (psycopg, imported only for PostgreSQL)."""
    if isinstance(store, SqliteStore):
        return (StorageError,)
    import psycopg

    return (StorageError, psycopg.OperationalError, psycopg.errors.ReadOnlySqlTransaction)


class QuestionLog:
    """The `questions` table of BOT_DB (a SQLite file or a postgresql:// URL), on connections of
    its own (one lock: handlers write from threads)."""

    def __init__(self, db: str | Path, keep_text: bool, clock: Callable[[], float] = time.time) -> None:
        self.store = open_store(db)
        self._refused = _refusals(self.store)
        self.keep_text = keep_text
        self.clock = clock
        self._lock = threading.Lock()
        self._next_purge = 0.0
        if not keep_text:
            self._erase_texts()

    def _erase_texts(self) -> None:
        """BOT_LOG_QUESTIONS=0 keeps no text: not even those kept while it was on."""
        try:
            with self.store.transaction() as tx:
                tx.execute("UPDATE questions SET text = NULL WHERE text IS NOT NULL")
        except self._refused as error:  # a full disk or read-only file must not stop the bot
            log.warning("the questions kept for /unanswered could not be erased: %s", error)

    def record(self, chat_type: str, answered: bool, declined: str | None, latency_ms: float,
               text: str | None) -> bool:
        """Log one question; False if the database refused the row (full disk...), which is logged,
        not raised: the reply went out already, and the log must never cost one."""
        now = self.clock()
        keep = self.keep_text and not answered and declined != EMPTY and chat_type != INLINE
        kept = text[:MAX_TEXT] if keep and text else None
        try:
            with self._lock, self.store.transaction() as tx:
                tx.execute(
                    "INSERT INTO questions (asked_at, chat_type, text, answered, declined, latency_ms) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [now, chat_type, kept, int(answered), declined, round(latency_ms, 1)])
                if now >= self._next_purge:
                    self._purge(tx, now)
        except self._refused as error:
            log.warning("question not logged: %s", error)
            return False
        return True

    def _purge(self, tx: Transaction, now: float) -> None:
        deleted = tx.execute(
            "DELETE FROM questions WHERE id IN (SELECT id FROM questions WHERE asked_at < ? ORDER BY asked_at "
            "LIMIT ?)", [now - KEPT_SECONDS, PURGE_BATCH]).rowcount
        # A full batch: more are waiting, deleted with the next question rather than all at once.
        self._next_purge = now if deleted == PURGE_BATCH else now + PURGE_EVERY

    def unanswered(self, limit: int = 10) -> list[tuple[str, int]]:
        """The declined questions asked most often in the last 30 days: (the latest wording, count),
        most frequent first."""
        with self._lock:
            rows = self.store.query("SELECT text FROM questions WHERE text IS NOT NULL AND asked_at >= ? "
                                    "ORDER BY asked_at", [self.clock() - KEPT_SECONDS])
        counts: Counter[str] = Counter()
        wording: dict[str, str] = {}
        for (text,) in rows:
            key = normalise(text)
            if key:
                counts[key] += 1
                wording[key] = " ".join(text.split())
        return [(wording[key], count) for key, count in counts.most_common(limit)]

    def close(self) -> None:
        self.store.close()
