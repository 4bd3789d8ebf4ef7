"""Which chats want which articles: subscriptions, their keywords and modes,
and the match of a newly stored article against them.

A chat subscribes to every new article (no keywords) or to keywords; a
keyword matches an article when each of its words occurs in the title, the
body or the facts, as an index term (so accents and inflection do not
matter) or through a spelling correction (typos). An excluded keyword
("-bitcoin") matches the same way and vetoes the alert. A chat is a private
chat, a group (alerts into one forum topic when `thread_id` is set) or a
channel an operator linked. `queue_alerts` runs inside
the transaction that stores the article, so the outbox rows it writes commit
or roll back with the article itself.

All of it runs on both backends of bot/backends.py (a SQLite file, or PostgreSQL shared by
several instances), with the same SQL.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from bot.backends import SqliteStore, Transaction, open_store
from bot.lexicon import Lexicon
from bot.text import content_words, term

MAX_KEYWORDS = 20
MAX_KEYWORD_CHARS = 60


@dataclass
class ChatSettings:
    chat_id: int
    active: bool = True
    subscribed: bool = False
    paused: bool = False
    digest_at: str | None = None  # "HH:MM" in the bot's time zone, or None for instant alerts
    lang: str = "fr"
    keywords: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # articles matching any of these are not announced
    thread_id: int | None = None  # the forum topic alerts go to; None: the chat itself


def topic_key(keyword: str) -> str:
    """The keyword's index terms, so that "Pannes" and "panne" are the same topic."""
    return " ".join(sorted({term(w) for w in content_words(keyword)}))


def parse_keywords(text: str) -> tuple[list[str], list[str]]:
    """Keywords and excluded keywords from a command's arguments: words, or "phrases in quotes",
    a leading "-" excluding one (-bitcoin, -"prix du gaz"); words that carry no meaning on their
    own ("le", "?") are dropped, repeats too (the first spelling of a topic wins)."""
    found: dict[str, tuple[str, bool]] = {}
    for minus, quoted, guillemets, word in re.findall(r'(-?)(?:"([^"]+)"|«([^»]+)»|(\S+))', text):
        keyword = " ".join((quoted or guillemets or word).split())[:MAX_KEYWORD_CHARS]
        key = topic_key(keyword)
        if key and key not in found:
            found[key] = (keyword, bool(minus))
    return ([k for k, excluded in found.values() if not excluded],
            [k for k, excluded in found.values() if excluded])


def parse_time(text: str) -> str | None:
    """'8:30', '08h30', '8h' -> '08:30' / '08:00'; None if it is not a time of day."""
    match = re.fullmatch(r"([01]?\d|2[0-3])\s*(?:[:hH]\s*([0-5]\d)?)", text.strip())
    if not match:
        return None
    return f"{int(match.group(1)):02d}:{match.group(2) or '00'}"


def next_time_of_day(hhmm: str, timezone: str, after: float) -> float:
    """The first instant after `after` (epoch seconds) when the clock in `timezone` shows hh:mm."""
    zone = ZoneInfo(timezone)
    hour, minute = map(int, hhmm.split(":"))
    local = datetime.fromtimestamp(after, zone)
    candidate = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if candidate.timestamp() <= after:
        candidate = (candidate + timedelta(days=1)).replace(hour=hour, minute=minute)
    return candidate.timestamp()


class Subscriptions:
    """Chat settings and keywords in BOT_DB: a SQLite file (a path) or a PostgreSQL database (a
    postgresql:// URL), over connections of their own."""

    def __init__(self, db: str | Path, timezone: str = "Europe/Paris") -> None:
        self.store = open_store(db)
        self.timezone = timezone
        self._lock = threading.Lock()
        self._order = _insertion_order(self.store)

    @contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        with self._lock, self.store.transaction() as tx:
            yield tx

    def settings(self, chat_id: int) -> ChatSettings:
        with self._lock:  # outside a transaction: on SQLite, one would wait for a writer (an ingest)
            return self._settings(chat_id)

    def _settings(self, chat_id: int, tx: Transaction | None = None) -> ChatSettings:
        """The chat's settings, read in `tx` (what it changed) or on their own."""
        def read(sql: str) -> list[tuple]:
            return self.store.query(sql, [chat_id]) if tx is None else tx.execute(sql, [chat_id]).fetchall()

        rows = read("SELECT active, subscribed, paused, digest_at, lang, thread_id FROM chats WHERE chat_id = ?")
        if not rows:
            return ChatSettings(chat_id)
        row = rows[0]
        topics = read(f"SELECT keyword, excluded FROM topics t WHERE chat_id = ? ORDER BY {self._order}")
        return ChatSettings(chat_id, bool(row[0]), bool(row[1]), bool(row[2]), row[3], row[4],
                            [k for k, excluded in topics if not excluded], [k for k, excluded in topics if excluded],
                            row[5])

    def register(self, chat_id: int, kind: str, title: str | None, lang: str) -> None:
        """Remember a chat the bot is in (its kind, title and language), without subscribing it
        (nor reactivating one the bot was removed from: that takes a /subscribe)."""
        with self._transaction() as tx:
            _upsert(tx, chat_id, kind=kind, title=title, lang=lang)

    def link_channel(self, chat_id: int, title: str | None, lang: str, operator_id: int) -> ChatSettings:
        """An operator linked a channel the bot may post in: it is (again) active, and subscribed to
        every new article unless it already had a subscription, whose keywords are kept."""
        with self._transaction() as tx:
            _upsert(tx, chat_id, kind="channel", title=title, lang=lang, linked_by=operator_id, active=1,
                    subscribed=1)
            return self._settings(chat_id, tx)

    def subscribe(self, chat_id: int, keywords: list[str], lang: str, excluded: list[str] | None = None,
                  thread_id: int | None = None) -> ChatSettings:
        """Neither keywords nor exclusions: every new article (exclusions already set stay).
        Otherwise both are added to the chat's topics (at most MAX_KEYWORDS in all); a topic
        given with the other sign changes sides. Alerts go to `thread_id`, the forum topic the
        subscription was made in (None: the chat itself)."""
        excluded = excluded or []
        with self._transaction() as tx:
            _upsert(tx, chat_id, subscribed=1, active=1, lang=lang, thread_id=thread_id)
            if not keywords and not excluded:
                tx.execute("DELETE FROM topics WHERE chat_id = ? AND excluded = 0", [chat_id])
            room = MAX_KEYWORDS - tx.execute("SELECT count(*) FROM topics WHERE chat_id = ?",
                                             [chat_id]).fetchone()[0]
            for keyword, exclude in [(k, 0) for k in keywords] + [(k, 1) for k in excluded]:
                key = topic_key(keyword)
                known = tx.execute("SELECT 1 FROM topics WHERE chat_id = ? AND key = ?", [chat_id, key]).fetchone()
                if known is None and room <= 0:
                    continue
                # A topic already there keeps its first spelling unless it changes sides ("excluded."
                # is both backends' name for the row being inserted).
                tx.execute("INSERT INTO topics (chat_id, key, keyword, excluded) VALUES (?, ?, ?, ?) "
                           "ON CONFLICT (chat_id, key) DO UPDATE SET keyword = excluded.keyword, "
                           "excluded = excluded.excluded WHERE topics.excluded != excluded.excluded",
                           [chat_id, key, keyword, exclude])
                room -= known is None
            return self._settings(chat_id, tx)

    def unsubscribe(self, chat_id: int, keywords: list[str] | None, excluded: list[str] | None = None) -> ChatSettings:
        """Remove keywords and exclusions; None ends the subscription, and so does removing the
        last keyword (what is left would be every article, more than was asked for). Removing an
        exclusion never ends it.

        Alerts already queued for the chat are dropped when the subscription ends."""
        with self._transaction() as tx:
            tx.executemany("DELETE FROM topics WHERE chat_id = ? AND key = ? AND excluded = ?",
                           [(chat_id, topic_key(keyword), exclude) for keyword, exclude in
                            [(k, 0) for k in keywords or []] + [(k, 1) for k in excluded or []]])
            left = tx.execute("SELECT count(*) FROM topics WHERE chat_id = ? AND excluded = 0",
                              [chat_id]).fetchone()[0]
            if keywords is None or (keywords and left == 0):
                tx.execute("DELETE FROM topics WHERE chat_id = ?", [chat_id])
                tx.execute("UPDATE chats SET subscribed = 0 WHERE chat_id = ?", [chat_id])
                _drop_pending(tx, chat_id, "unsubscribed")
            return self._settings(chat_id, tx)

    def set_digest(self, chat_id: int, hhmm: str | None, now: float) -> ChatSettings:
        """Daily digest at hh:mm (bot time zone) instead of instant alerts; None goes back to instant."""
        upcoming = next_time_of_day(hhmm, self.timezone, now) if hhmm else None
        with self._transaction() as tx:
            _upsert(tx, chat_id, digest_at=hhmm, next_digest=upcoming)
            return self._settings(chat_id, tx)

    def set_paused(self, chat_id: int, paused: bool) -> ChatSettings:
        with self._transaction() as tx:
            _upsert(tx, chat_id, paused=int(paused))
            return self._settings(chat_id, tx)

    def deactivate(self, chat_id: int, reason: str) -> None:
        """The bot left the chat, was blocked or the chat is gone: stop alerting it.
        Its keywords are kept, so /subscribe after coming back restores them."""
        with self._transaction() as tx:
            tx.execute("UPDATE chats SET active = 0 WHERE chat_id = ?", [chat_id])
            _drop_pending(tx, chat_id, reason)

    def deactivate_all_but(self, allowed: frozenset[int], reason: str) -> list[int]:
        """Stop alerting every chat outside `allowed`, channels excepted (operators link those):
        the allow-list (BOT_ALLOWED_CHATS) was set or narrowed while the bot was away. Returns them."""
        with self._transaction() as tx:
            stopped = [row[0] for row in tx.execute(
                "SELECT chat_id FROM chats WHERE active = 1 AND (kind IS NULL OR kind != 'channel')").fetchall()
                if row[0] not in allowed]
            for chat_id in stopped:
                tx.execute("UPDATE chats SET active = 0 WHERE chat_id = ?", [chat_id])
                _drop_pending(tx, chat_id, reason)
            return stopped

    def leave_topic(self, chat_id: int) -> None:
        """The forum topic alerts went to was deleted: they go to the chat itself from now on."""
        with self._transaction() as tx:
            tx.execute("UPDATE chats SET thread_id = NULL WHERE chat_id = ?", [chat_id])

    def move(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: its settings, keywords and queued alerts follow it."""
        with self._transaction() as tx:
            if tx.execute("SELECT 1 FROM chats WHERE chat_id = ?", [new_id]).fetchone():
                return  # already moved (the migration was reported twice)
            for table in ("chats", "topics", "outbox"):
                tx.execute(f"UPDATE {table} SET chat_id = ? WHERE chat_id = ?", [new_id, old_id])

    def close(self) -> None:
        self.store.close()


def _upsert(tx: Transaction, chat_id: int, **values: object) -> None:
    """Store `values` in the chat's row, creating it if needed (its other columns are kept)."""
    values["updated_at"] = time.time()
    tx.execute(f"INSERT INTO chats (chat_id, {', '.join(values)}) VALUES (?{', ?' * len(values)}) "
               f"ON CONFLICT (chat_id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in values)}",
               [chat_id, *values.values()])


def _drop_pending(tx: Transaction, chat_id: int, reason: str) -> None:
    tx.execute("UPDATE outbox SET status = 'dropped', error = ? "
               "WHERE chat_id = ? AND status IN ('pending', 'sending')", [reason, chat_id])


def _insertion_order(store_or_tx: object) -> str:
    """What orders a chat's topics as they were added. SQLite's rowid does; PostgreSQL has no
    such column, and its row address (ctid) keeps the order of rows as they were written, a topic
    rewritten (changing sides) moving last: good enough to list keywords, until PostgreSQL's
    `topics` gets a column of its own for it."""
    return "t.rowid" if isinstance(store_or_tx, SqliteStore | sqlite3.Connection | sqlite_utils.Database) \
        else "t.ctid"


def _article_lexicon(tx: Transaction, article_id: int) -> Lexicon:
    """The words of one article (title, body and facts), for matching keywords against it."""
    texts = [r[0] for r in tx.execute("SELECT title FROM articles WHERE id = ? UNION ALL "
                                      "SELECT text FROM sentences WHERE article_id = ? UNION ALL "
                                      "SELECT value FROM facts WHERE article_id = ?",
                                      [article_id, article_id, article_id]).fetchall()]
    counts: dict[str, int] = {}
    for text in texts:
        for word in content_words(text or ""):
            counts[word] = counts.get(word, 0) + 1
    return Lexicon(counts, len(texts), semantic=False)


def keyword_matches(lexicon: Lexicon, keyword: str) -> bool:
    """Every word of the keyword is in the article: as its index term, or misspelt."""
    wanted = content_words(keyword)
    return bool(wanted) and all(lexicon.knows(term(w)) or lexicon.corrections(w) for w in wanted)


def queue_alerts(tx: Transaction | sqlite_utils.Database, article_id: int, action: str) -> None:
    """Queue one alert per matching chat for a stored article; runs in the article's transaction
    (`tx`: a transaction of bot/backends.py, or the SQLite database bot/storage.save_article
    passes to its `on_saved`).

    A chat is alerted about an article at most once, ever: an updated article
    reaches only the chats it did not reach before (those it now matches)."""
    chats = tx.execute("SELECT chat_id FROM chats WHERE subscribed = 1 AND active = 1 AND paused = 0").fetchall()
    if not chats:
        return
    topics: dict[tuple[int, int], list[str]] = {}  # (chat, excluded) -> keywords
    for chat_id, keyword, excluded in tx.execute(
            "SELECT t.chat_id, t.keyword, t.excluded FROM topics t JOIN chats c "
            f"ON c.chat_id = t.chat_id WHERE c.subscribed = 1 ORDER BY {_insertion_order(tx)}").fetchall():
        topics.setdefault((chat_id, excluded), []).append(keyword)
    lexicon = _article_lexicon(tx, article_id)
    matches = functools.cache(lambda keyword: keyword_matches(lexicon, keyword))  # many chats share keywords
    rows = []
    now = time.time()
    for (chat_id,) in chats:
        keywords = topics.get((chat_id, 0), [])
        matched = [k for k in keywords if matches(k)]
        if (keywords and not matched) or any(map(matches, topics.get((chat_id, 1), []))):
            continue
        rows.append((chat_id, article_id, json.dumps(matched, ensure_ascii=False), now, now))
    # sqlite_utils' Database has no executemany: its connection, in the same transaction, has.
    getattr(tx, "conn", tx).executemany(
        "INSERT INTO outbox (chat_id, article_id, matched, due_at, created_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (chat_id, article_id) DO NOTHING",
        rows,
    )
