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
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from bot import storage
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
    """Chat settings and keywords, over their own connection to the database file."""

    def __init__(self, db_path: str | Path, timezone: str = "Europe/Paris") -> None:
        self.db = storage.open_database(db_path)
        self.timezone = timezone
        self._lock = threading.Lock()

    def settings(self, chat_id: int) -> ChatSettings:
        with self._lock:
            return self._settings(chat_id)

    def _settings(self, chat_id: int) -> ChatSettings:
        row = self.db.execute("SELECT active, subscribed, paused, digest_at, lang, thread_id FROM chats "
                              "WHERE chat_id = ?", [chat_id]).fetchone()
        if row is None:
            return ChatSettings(chat_id)
        topics = self.db.execute("SELECT keyword, excluded FROM topics WHERE chat_id = ? ORDER BY rowid",
                                 [chat_id]).fetchall()
        return ChatSettings(chat_id, bool(row[0]), bool(row[1]), bool(row[2]), row[3], row[4],
                            [k for k, excluded in topics if not excluded], [k for k, excluded in topics if excluded],
                            row[5])

    def _upsert(self, chat_id: int, **values: object) -> None:
        values["updated_at"] = time.time()
        self.db["chats"].upsert({"chat_id": chat_id, **values}, pk="chat_id")

    def register(self, chat_id: int, kind: str, title: str | None, lang: str) -> None:
        """Remember a chat the bot is in (its kind, title and language), without subscribing it
        (nor reactivating one the bot was removed from: that takes a /subscribe)."""
        with self._lock, storage.transaction(self.db):
            self._upsert(chat_id, kind=kind, title=title, lang=lang)

    def link_channel(self, chat_id: int, title: str | None, lang: str, operator_id: int) -> ChatSettings:
        """An operator linked a channel the bot may post in: it is (again) active, and subscribed to
        every new article unless it already had a subscription, which is kept."""
        with self._lock, storage.transaction(self.db):
            self._upsert(chat_id, kind="channel", title=title, lang=lang, linked_by=operator_id, active=1)
            self.db.execute("UPDATE chats SET subscribed = 1 WHERE chat_id = ?", [chat_id])
            return self._settings(chat_id)

    def subscribe(self, chat_id: int, keywords: list[str], lang: str, excluded: list[str] | None = None,
                  thread_id: int | None = None) -> ChatSettings:
        """Neither keywords nor exclusions: every new article (exclusions already set stay).
        Otherwise both are added to the chat's topics (at most MAX_KEYWORDS in all); a topic
        given with the other sign changes sides. Alerts go to `thread_id`, the forum topic the
        subscription was made in (None: the chat itself)."""
        excluded = excluded or []
        with self._lock, storage.transaction(self.db):
            self._upsert(chat_id, subscribed=1, active=1, lang=lang, thread_id=thread_id)
            if not keywords and not excluded:
                self.db.execute("DELETE FROM topics WHERE chat_id = ? AND excluded = 0", [chat_id])
            room = MAX_KEYWORDS - self.db.execute("SELECT count(*) FROM topics WHERE chat_id = ?",
                                                  [chat_id]).fetchone()[0]
            for keyword, exclude in [(k, 0) for k in keywords] + [(k, 1) for k in excluded]:
                key = topic_key(keyword)
                known = self.db.execute("SELECT 1 FROM topics WHERE chat_id = ? AND key = ?", [chat_id, key]).fetchone()
                if known is None and room <= 0:
                    continue
                # A topic already there keeps its first spelling unless it changes sides ("excluded."
                # is SQLite's name for the row being inserted).
                self.db.execute("INSERT INTO topics (chat_id, key, keyword, excluded) VALUES (?, ?, ?, ?) "
                                "ON CONFLICT (chat_id, key) DO UPDATE SET keyword = excluded.keyword, "
                                "excluded = excluded.excluded WHERE topics.excluded != excluded.excluded",
                                [chat_id, key, keyword, exclude])
                room -= known is None
            return self._settings(chat_id)

    def unsubscribe(self, chat_id: int, keywords: list[str] | None, excluded: list[str] | None = None) -> ChatSettings:
        """Remove keywords and exclusions; None ends the subscription, and so does removing the
        last keyword (what is left would be every article, more than was asked for). Removing an
        exclusion never ends it.

        Alerts already queued for the chat are dropped when the subscription ends."""
        with self._lock, storage.transaction(self.db):
            for keyword, exclude in [(k, 0) for k in keywords or []] + [(k, 1) for k in excluded or []]:
                self.db.execute("DELETE FROM topics WHERE chat_id = ? AND key = ? AND excluded = ?",
                                [chat_id, topic_key(keyword), exclude])
            left = self.db.execute("SELECT count(*) FROM topics WHERE chat_id = ? AND excluded = 0",
                                   [chat_id]).fetchone()[0]
            if keywords is None or (keywords and left == 0):
                self.db.execute("DELETE FROM topics WHERE chat_id = ?", [chat_id])
                self.db.execute("UPDATE chats SET subscribed = 0 WHERE chat_id = ?", [chat_id])
                self._drop_pending(chat_id, "unsubscribed")
            return self._settings(chat_id)

    def set_digest(self, chat_id: int, hhmm: str | None, now: float) -> ChatSettings:
        """Daily digest at hh:mm (bot time zone) instead of instant alerts; None goes back to instant."""
        with self._lock, storage.transaction(self.db):
            upcoming = next_time_of_day(hhmm, self.timezone, now) if hhmm else None
            self._upsert(chat_id, digest_at=hhmm, next_digest=upcoming)
            return self._settings(chat_id)

    def set_paused(self, chat_id: int, paused: bool) -> ChatSettings:
        with self._lock, storage.transaction(self.db):
            self._upsert(chat_id, paused=int(paused))
            return self._settings(chat_id)

    def deactivate(self, chat_id: int, reason: str) -> None:
        """The bot left the chat, was blocked or the chat is gone: stop alerting it.
        Its keywords are kept, so /subscribe after coming back restores them."""
        with self._lock, storage.transaction(self.db):
            self.db.execute("UPDATE chats SET active = 0 WHERE chat_id = ?", [chat_id])
            self._drop_pending(chat_id, reason)

    def deactivate_all_but(self, allowed: frozenset[int], reason: str) -> list[int]:
        """Stop alerting every chat outside `allowed`, channels excepted (operators link those):
        the allow-list (BOT_ALLOWED_CHATS) was set or narrowed while the bot was away. Returns them."""
        with self._lock, storage.transaction(self.db):
            stopped = [row[0] for row in self.db.execute(
                "SELECT chat_id FROM chats WHERE active = 1 AND kind IS NOT 'channel'")
                if row[0] not in allowed]
            for chat_id in stopped:
                self.db.execute("UPDATE chats SET active = 0 WHERE chat_id = ?", [chat_id])
                self._drop_pending(chat_id, reason)
            return stopped

    def leave_topic(self, chat_id: int) -> None:
        """The forum topic alerts went to was deleted: they go to the chat itself from now on."""
        with self._lock, storage.transaction(self.db):
            self.db.execute("UPDATE chats SET thread_id = NULL WHERE chat_id = ?", [chat_id])

    def move(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: its settings, keywords and queued alerts follow it."""
        with self._lock, storage.transaction(self.db):
            if self.db.execute("SELECT 1 FROM chats WHERE chat_id = ?", [new_id]).fetchone():
                return  # already moved (the migration was reported twice)
            for table in ("chats", "topics", "outbox"):
                self.db.execute(f"UPDATE {table} SET chat_id = ? WHERE chat_id = ?", [new_id, old_id])

    def _drop_pending(self, chat_id: int, reason: str) -> None:
        self.db.execute("UPDATE outbox SET status = 'dropped', error = ? "
                        "WHERE chat_id = ? AND status IN ('pending', 'sending')", [reason, chat_id])


def _article_lexicon(db: sqlite_utils.Database, article_id: int) -> Lexicon:
    """The words of one article (title, body and facts), for matching keywords against it."""
    texts = [r[0] for r in db.execute("SELECT title FROM articles WHERE id = ?", [article_id])]
    texts += [r[0] for r in db.execute("SELECT text FROM sentences WHERE article_id = ?", [article_id])]
    texts += [r[0] for r in db.execute("SELECT value FROM facts WHERE article_id = ?", [article_id])]
    counts: dict[str, int] = {}
    for text in texts:
        for word in content_words(text or ""):
            counts[word] = counts.get(word, 0) + 1
    return Lexicon(counts, len(texts), semantic=False)


def keyword_matches(lexicon: Lexicon, keyword: str) -> bool:
    """Every word of the keyword is in the article: as its index term, or misspelt."""
    wanted = content_words(keyword)
    return bool(wanted) and all(lexicon.knows(term(w)) or lexicon.corrections(w) for w in wanted)


def queue_alerts(db: sqlite_utils.Database, article_id: int, action: str) -> None:
    """Queue one alert per matching chat for a stored article; runs in the article's transaction.

    A chat is alerted about an article at most once, ever: an updated article
    reaches only the chats it did not reach before (those it now matches)."""
    chats = db.execute("SELECT chat_id FROM chats WHERE subscribed = 1 AND active = 1 AND paused = 0").fetchall()
    if not chats:
        return
    topics: dict[tuple[int, int], list[str]] = {}  # (chat, excluded) -> keywords
    for chat_id, keyword, excluded in db.execute(
            "SELECT t.chat_id, t.keyword, t.excluded FROM topics t JOIN chats c "
            "ON c.chat_id = t.chat_id WHERE c.subscribed = 1 ORDER BY t.rowid"):
        topics.setdefault((chat_id, excluded), []).append(keyword)
    lexicon = _article_lexicon(db, article_id)
    matches = functools.cache(lambda keyword: keyword_matches(lexicon, keyword))  # many chats share keywords
    rows = []
    now = time.time()
    for (chat_id,) in chats:
        keywords = topics.get((chat_id, 0), [])
        matched = [k for k in keywords if matches(k)]
        if (keywords and not matched) or any(map(matches, topics.get((chat_id, 1), []))):
            continue
        rows.append((chat_id, article_id, json.dumps(matched, ensure_ascii=False), now, now))
    db.conn.executemany(
        "INSERT OR IGNORE INTO outbox (chat_id, article_id, matched, due_at, created_at) VALUES (?, ?, ?, ?, ?)",
        rows,
    )
