"""The delivery queue: alerts waiting to be sent, in the same database as the articles.

A row goes pending -> sending -> sent. It is marked `sending` (committed)
before the message leaves and `sent` right after Telegram confirms, so after a
crash only rows left in `sending` are in doubt; `recover` puts them back to
pending, which is why at most the message in flight at a kill can repeat.
Retries move `due_at` forward; a chat that is gone drops its rows.

Several bot instances may share the queue (PostgreSQL, bot/backends.py). `due` leases the rows
it returns to this instance (claimed_by, claimed_until) in the transaction that selects them,
skipping rows another instance is taking (FOR UPDATE SKIP LOCKED) or holds: each row goes to
one instance. `claim` renews the lease while the message is sent; sent, retry and fail release
it. An instance that dies keeps its rows until the lease runs out; then any instance takes them
again, pending or sending alike: as after a crash of a single bot, the one message in flight at
the death may go out a second time, and no other. A lease must outlast what one instance spends
between `due` and `claim` on a batch (100 rows at most), or `claim` turns rows down (another
instance may have them). On SQLite the same code runs for one process, BEGIN IMMEDIATE letting
one writer in at a time.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.backends import open_store
from bot.subscriptions import next_time_of_day

GROUP_LIMIT = 20  # Telegram: at most 20 messages per minute in one group
GROUP_WINDOW = 60.0
LEASE = 60.0  # seconds an instance holds the rows it took: a batch of `due` is sent well within

_SELECT_ITEMS = ("SELECT o.id, o.chat_id, o.article_id, o.matched, o.attempts, c.lang, c.thread_id "
                 "FROM outbox o JOIN chats c ON c.chat_id = o.chat_id")
# Rows this instance may take: pending and held by nobody, by itself, or by a lease run out.
# Unqualified: SQLite's RETURNING takes no table alias, and only outbox has these columns.
_TAKEN_BY_NOBODY_ELSE = "(claimed_by IS NULL OR claimed_by = ? OR claimed_until <= ?)"


@dataclass
class Item:
    """One article to announce to one chat."""

    id: int
    chat_id: int
    article_id: int
    matched: list[str]
    attempts: int
    lang: str
    thread_id: int | None  # the chat's forum topic for alerts, if any


@dataclass
class Digest:
    """Everything queued for a digest chat whose time has come."""

    chat_id: int
    lang: str
    thread_id: int | None
    items: list[Item]


def _item(row: tuple) -> Item:
    row_id, chat, article, matched, attempts, lang, thread = row
    return Item(row_id, chat, article, json.loads(matched or "[]"), attempts, lang or "fr", thread)


class Outbox:
    """The queue in BOT_DB: a SQLite file (a path) or a PostgreSQL database (a postgresql:// URL).

    `now` arguments are the time alerts are scheduled by (a test may move it); leases run on
    `clock`, the real time, as they stand for processes alive or dead."""

    def __init__(self, db: str | Path, timezone: str = "Europe/Paris", *, lease: float = LEASE,
                 clock: Callable[[], float] = time.time, instance: str | None = None) -> None:
        self.store = open_store(db)
        self.timezone = timezone
        self.lease = lease
        self.clock = clock
        # Unique per process, also after a restart: a new run does not inherit the old one's leases.
        self.instance = instance or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._lock = threading.Lock()

    def recover(self) -> int:
        """At start: rows a previous run was sending when it stopped go back to pending. Alone on a
        SQLite file, every such row is a previous run's, and so is every lease; on a shared database
        only rows whose lease has run out are (other instances are sending theirs)."""
        if self.store.shared:
            in_doubt, params = "status = 'sending' AND claimed_until <= ?", [self.clock()]
        else:
            in_doubt, params = "status = 'sending'", []
        with self._lock, self.store.transaction() as tx:
            count = tx.execute("UPDATE outbox SET status = 'pending', claimed_by = NULL, claimed_until = NULL "
                               f"WHERE {in_doubt}", params).rowcount
            if not self.store.shared:  # rows the previous run had taken but not begun to send
                tx.execute("UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by IS NOT NULL")
            return count

    def due(self, now: float, limit: int = 100) -> list[Item]:
        """Instant alerts ready to go: pending, due, chat active, not paused, not in digest mode;
        leased to this instance. Rows of a dead instance whose lease ran out come back pending."""
        clock = self.clock()
        with self._lock, self.store.transaction() as tx:
            rows = tx.execute(
                f"{_SELECT_ITEMS} WHERE o.due_at <= ? AND c.active = 1 AND c.paused = 0 AND c.digest_at IS NULL "
                f"AND (o.status = 'pending' AND {_TAKEN_BY_NOBODY_ELSE} "
                "OR o.status = 'sending' AND o.claimed_until <= ?) "
                f"ORDER BY o.due_at, o.id LIMIT ?{self.store.skip_locked}",
                [now, self.instance, clock, clock, limit]).fetchall()
            tx.executemany("UPDATE outbox SET status = 'pending', claimed_by = ?, claimed_until = ? WHERE id = ?",
                           [(self.instance, clock + self.lease, row[0]) for row in rows])
        return [_item(row) for row in rows]

    def due_digests(self, now: float) -> list[Digest]:
        """Digest chats whose time has come, with what is queued for them (possibly nothing)."""
        with self._lock:
            chats = self.store.query(
                "SELECT chat_id, lang, thread_id FROM chats WHERE digest_at IS NOT NULL AND next_digest <= ? "
                "AND active = 1 AND paused = 0", [now])
            return [Digest(chat_id, lang or "fr", thread_id,
                           [_item(row) for row in self.store.query(
                               f"{_SELECT_ITEMS} WHERE o.status = 'pending' AND o.chat_id = ? ORDER BY o.due_at, o.id",
                               [chat_id])])
                    for chat_id, lang, thread_id in chats]

    def claim(self, ids: list[int]) -> list[int]:
        """About to send these rows: from now on a crash leaves them in doubt. Returns the rows
        taken, which leaves out any another instance took meanwhile (its lease: not to be sent)."""
        if not ids:
            return []
        clock = self.clock()
        with self._lock, self.store.transaction() as tx:
            rows = tx.execute(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1, "
                "claimed_by = ?, claimed_until = ? "
                f"WHERE id IN ({', '.join('?' * len(ids))}) AND status = 'pending' AND {_TAKEN_BY_NOBODY_ELSE} "
                "RETURNING id", [self.instance, clock + self.lease, *ids, self.instance, clock]).fetchall()
        taken = {row[0] for row in rows}
        return [i for i in ids if i in taken]

    def mark_sent(self, ids: list[int], now: float) -> None:
        self._settle("status = 'sent', sent_at = ?, error = NULL", ids, now)

    def retry(self, ids: list[int], at: float, error: str) -> None:
        """Not delivered, try again at `at`."""
        self._settle("status = 'pending', due_at = ?, error = ?", ids, at, error)

    def fail(self, ids: list[int], error: str) -> None:
        """Telegram refused the message itself: retrying would not help."""
        self._settle("status = 'failed', error = ?", ids, error)

    def _settle(self, changes: str, ids: list[int], *values: object) -> None:
        """Record what became of these rows, releasing their lease."""
        with self._lock, self.store.transaction() as tx:
            tx.executemany(f"UPDATE outbox SET {changes}, claimed_by = NULL, claimed_until = NULL WHERE id = ?",
                           [(*values, i) for i in ids])

    def digest_done(self, chat_id: int, now: float) -> None:
        """Schedule the chat's next digest (the day after, same time)."""
        with self._lock, self.store.transaction() as tx:
            row = tx.execute("SELECT digest_at FROM chats WHERE chat_id = ?", [chat_id]).fetchone()
            if row and row[0]:
                tx.execute("UPDATE chats SET next_digest = ? WHERE chat_id = ?",
                           [next_time_of_day(row[0], self.timezone, now), chat_id])

    def group_free_at(self, chat_id: int, now: float) -> float:
        """When the next message may go to this chat without passing 20 per minute in a group."""
        if chat_id > 0:
            return now
        with self._lock:
            times = [r[0] for r in self.store.query(
                "SELECT sent_at FROM outbox WHERE chat_id = ? AND sent_at > ? ORDER BY sent_at",
                [chat_id, now - GROUP_WINDOW])]
        return now if len(times) < GROUP_LIMIT else times[-GROUP_LIMIT] + GROUP_WINDOW

    def counts(self) -> dict[str, int]:
        """Rows per status, for logs and benchmarks."""
        with self._lock:
            return dict(self.store.query("SELECT status, count(*) FROM outbox GROUP BY status"))

    def close(self) -> None:
        """Hand back the rows this instance took but did not begin to send (others need not wait
        for the lease to run out), then close the connections."""
        with self._lock, self.store.transaction() as tx:
            tx.execute("UPDATE outbox SET claimed_by = NULL, claimed_until = NULL "
                       "WHERE claimed_by = ? AND status = 'pending'", [self.instance])
        self.store.close()
