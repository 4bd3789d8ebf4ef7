"""The delivery queue: alerts waiting to be sent, in the same database as the articles.

A row goes pending -> sending -> sent. It is marked `sending` (committed)
before the message leaves and `sent` right after Telegram confirms, so after a
crash only rows left in `sending` are in doubt; `recover` puts them back to
pending, which is why at most the message in flight at a kill can repeat.
Retries move `due_at` forward; a chat that is gone drops its rows.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from bot import storage
from bot.subscriptions import next_time_of_day

GROUP_LIMIT = 20  # Telegram: at most 20 messages per minute in one group
GROUP_WINDOW = 60.0


@dataclass
class Item:
    """One article to announce to one chat."""

    id: int
    chat_id: int
    article_id: int
    matched: list[str]
    attempts: int
    lang: str


@dataclass
class Digest:
    """Everything queued for a digest chat whose time has come."""

    chat_id: int
    lang: str
    items: list[Item]


class Outbox:
    def __init__(self, db_path: str | Path, timezone: str = "Europe/Paris") -> None:
        self.db = storage.open_database(db_path)
        self.timezone = timezone
        self._lock = threading.Lock()

    def _items(self, where: str, params: list, limit: int = -1) -> list[Item]:
        rows = self.db.execute(
            "SELECT o.id, o.chat_id, o.article_id, o.matched, o.attempts, c.lang FROM outbox o "
            f"JOIN chats c ON c.chat_id = o.chat_id WHERE {where} ORDER BY o.due_at, o.id LIMIT ?",
            [*params, limit]).fetchall()
        return [Item(i, chat, article, json.loads(m or "[]"), n, lang or "fr")
                for i, chat, article, m, n, lang in rows]

    def recover(self) -> int:
        """At start: rows a previous run was sending when it stopped go back to pending."""
        with self._lock, storage.transaction(self.db):
            return self.db.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'").rowcount

    def due(self, now: float, limit: int = 100) -> list[Item]:
        """Instant alerts ready to go: pending, due, chat active, not paused, not in digest mode."""
        with self._lock:
            return self._items("o.status = 'pending' AND o.due_at <= ? AND c.active = 1 AND c.paused = 0 "
                               "AND c.digest_at IS NULL", [now], limit)

    def due_digests(self, now: float) -> list[Digest]:
        """Digest chats whose time has come, with what is queued for them (possibly nothing)."""
        with self._lock:
            chats = self.db.execute(
                "SELECT chat_id, lang FROM chats WHERE digest_at IS NOT NULL AND next_digest <= ? "
                "AND active = 1 AND paused = 0", [now]).fetchall()
            return [Digest(chat_id, lang or "fr",
                           self._items("o.status = 'pending' AND o.chat_id = ?", [chat_id]))
                    for chat_id, lang in chats]

    def claim(self, ids: list[int]) -> None:
        """About to send these rows: from now on a crash leaves them in doubt."""
        with self._lock, storage.transaction(self.db):
            self.db.conn.executemany("UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ?",
                                     [(i,) for i in ids])

    def mark_sent(self, ids: list[int], now: float) -> None:
        with self._lock, storage.transaction(self.db):
            self.db.conn.executemany("UPDATE outbox SET status = 'sent', sent_at = ?, error = NULL WHERE id = ?",
                                     [(now, i) for i in ids])

    def retry(self, ids: list[int], at: float, error: str) -> None:
        """Not delivered, try again at `at`."""
        with self._lock, storage.transaction(self.db):
            self.db.conn.executemany("UPDATE outbox SET status = 'pending', due_at = ?, error = ? WHERE id = ?",
                                     [(at, error, i) for i in ids])

    def fail(self, ids: list[int], error: str) -> None:
        """Telegram refused the message itself: retrying would not help."""
        with self._lock, storage.transaction(self.db):
            self.db.conn.executemany("UPDATE outbox SET status = 'failed', error = ? WHERE id = ?",
                                     [(error, i) for i in ids])

    def digest_done(self, chat_id: int, now: float) -> None:
        """Schedule the chat's next digest (the day after, same time)."""
        with self._lock, storage.transaction(self.db):
            row = self.db.execute("SELECT digest_at FROM chats WHERE chat_id = ?", [chat_id]).fetchone()
            if row and row[0]:
                self.db.execute("UPDATE chats SET next_digest = ? WHERE chat_id = ?",
                                [next_time_of_day(row[0], self.timezone, now), chat_id])

    def group_free_at(self, chat_id: int, now: float) -> float:
        """When the next message may go to this chat without passing 20 per minute in a group."""
        if chat_id > 0:
            return now
        with self._lock:
            times = [r[0] for r in self.db.execute(
                "SELECT sent_at FROM outbox WHERE chat_id = ? AND sent_at > ? ORDER BY sent_at",
                [chat_id, now - GROUP_WINDOW])]
        return now if len(times) < GROUP_LIMIT else times[-GROUP_LIMIT] + GROUP_WINDOW

    def counts(self) -> dict[str, int]:
        """Rows per status, for logs and benchmarks."""
        with self._lock:
            return dict(self.db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
