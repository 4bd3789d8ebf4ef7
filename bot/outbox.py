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

Telegram's limits, 20 messages a minute in one group and 30 a second overall, are counted in the
queue itself: what went out (sent_at) and what is being sent (`sending` under a live lease), by
any instance. `claim` counts and takes in one transaction, and on a shared database claims queue
on an advisory lock, so two instances cannot both take the last free place. On a SQLite file the
one bot's own rate limiter already holds the overall limit; the group limit is counted the same.

A digest chat's digest is taken by moving its next_digest to the next day, guarded by the value
that made it due: of the instances that wake at its time, one sends it.
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
OVERALL_LIMIT = 30  # Telegram: at most 30 messages per second from one bot, all chats together
OVERALL_WINDOW = 1.0
IN_FLIGHT_WAIT = 0.05  # seconds to wait when messages in flight alone fill a limit: they end in milliseconds
# pg_advisory_xact_lock key of claims on a shared database: any fixed number, the same in every instance.
CLAIM_LOCK = 0x73656E64
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


@dataclass
class Claim:
    """What `claim` took: `ids`, to send now. When none were taken because Telegram's overall limit
    is reached, `wait` says how many seconds to wait before asking again (0 otherwise)."""

    ids: list[int]
    wait: float = 0.0


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
        """Digest chats whose time has come, with what is queued for them (possibly nothing). Each is
        taken here, its next digest scheduled (the day after, same time): another instance waking at
        the same time finds it not due. A crash before the digest leaves loses that day's message;
        its alerts stay queued for the next one."""
        with self._lock:
            chats = self.store.query(
                "SELECT chat_id, lang, thread_id, digest_at, next_digest FROM chats "
                "WHERE digest_at IS NOT NULL AND next_digest <= ? AND active = 1 AND paused = 0", [now])
            digests = []
            for chat_id, lang, thread_id, digest_at, due in chats:
                with self.store.transaction() as tx:
                    taken = tx.execute("UPDATE chats SET next_digest = ? "
                                       "WHERE chat_id = ? AND digest_at = ? AND next_digest = ?",
                                       [next_time_of_day(digest_at, self.timezone, now), chat_id, digest_at,
                                        due]).rowcount
                if taken:
                    items = self.store.query(f"{_SELECT_ITEMS} WHERE o.status = 'pending' AND o.chat_id = ? "
                                             "ORDER BY o.due_at, o.id", [chat_id])
                    digests.append(Digest(chat_id, lang or "fr", thread_id, [_item(row) for row in items]))
            return digests

    def claim(self, ids: list[int], now: float | None = None) -> Claim:
        """About to send these rows, one message to one chat: from now on a crash leaves them in doubt.
        Takes the rows still this instance's (another may have taken over a lease that ran out), within
        Telegram's limits as every instance counts them: a group that had its 20 messages this minute
        gets the rows later (their due_at moves, none taken); with 30 messages in the last second
        (shared database) none are taken and the claim says how long to wait. `now` is on the clock
        of sent_at (`mark_sent`), the real time by default."""
        if not ids:
            return Claim([])
        clock = self.clock()
        now = clock if now is None else now
        ours = f"id IN ({', '.join('?' * len(ids))}) AND status = 'pending' AND {_TAKEN_BY_NOBODY_ELSE}"
        with self._lock, self.store.transaction() as tx:
            def read(sql: str, params: list) -> list[tuple]:
                return tx.execute(sql, params).fetchall()

            if self.store.shared:  # one claim at a time across instances: each counts the others' sends
                tx.execute("SELECT pg_advisory_xact_lock(?)", [CLAIM_LOCK])
                free_at = _free_at(read, None, OVERALL_LIMIT, OVERALL_WINDOW, now, clock)
                if free_at > now:
                    return Claim([], free_at - now)
            chat = tx.execute("SELECT chat_id FROM outbox WHERE id = ?", [ids[0]]).fetchone()
            if chat is None:  # dropped meanwhile with its chat's subscription
                return Claim([])
            free_at = now if chat[0] > 0 else _free_at(read, chat[0], GROUP_LIMIT, GROUP_WINDOW, now, clock)
            if free_at > now:
                tx.execute("UPDATE outbox SET due_at = ?, error = 'group limit', claimed_by = NULL, "
                           f"claimed_until = NULL WHERE {ours}", [free_at, *ids, self.instance, clock])
                return Claim([])
            rows = tx.execute("UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_by = ?, "
                              f"claimed_until = ? WHERE {ours} RETURNING id",
                              [self.instance, clock + self.lease, *ids, self.instance, clock]).fetchall()
        taken = {row[0] for row in rows}
        return Claim([i for i in ids if i in taken])

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

    def group_free_at(self, chat_id: int, now: float) -> float:
        """When the next message may go to this chat without passing 20 per minute in a group, as
        `claim` will count (a look before building the message; `claim` decides)."""
        if chat_id > 0:
            return now
        with self._lock:
            return _free_at(self.store.query, chat_id, GROUP_LIMIT, GROUP_WINDOW, now, self.clock())

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


def _free_at(read: Callable[[str, list], list[tuple]], chat_id: int | None, limit: int, window: float, now: float,
             clock: float) -> float:
    """When one more message may leave without passing `limit` messages in `window` seconds, to
    `chat_id` (None: to all chats together), counting what every instance sent and is sending.
    `read` gives a query's rows: in the claiming transaction, or on its own."""
    scope, params = ("chat_id = ? AND ", [chat_id]) if chat_id is not None else ("", [])
    sending = read(f"SELECT count(*) FROM outbox WHERE {scope}status = 'sending' AND claimed_until > ?",
                   [*params, clock])[0][0]
    room = limit - sending
    if room <= 0:
        return now + IN_FLIGHT_WAIT
    times = [row[0] for row in read(f"SELECT sent_at FROM outbox WHERE {scope}sent_at > ? "
                                    "ORDER BY sent_at DESC LIMIT ?", [*params, now - window, room])]
    return now if len(times) < room else times[-1] + window
