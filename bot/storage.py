"""The SQLite database: schema, migrations and every write.

One file holds everything. The schema lives here and only here, as a list of
migrations numbered by `PRAGMA user_version`; opening a database brings it up
to date. WAL mode lets a running bot read while `run_bot.py ingest` writes.
A `generation` counter in `meta` goes up on every change so that readers in
other processes know when to refresh what they cache.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from bot.text import content_words

SentenceRow = tuple[str, int, str | None, str]  # text, paragraph number, heading, index terms
FactRow = tuple[int, str, str, str, str | None]  # sentence number in the article, kind, text, value, unit


@dataclass
class PreparedArticle:
    """An article ready to store: metadata, then its sentences and facts as rows.

    Plain tuples, because prepared articles travel from the worker processes that
    parse them to the one that writes: unpickling objects cost more than storing them."""

    source: str
    checksum: str
    title: str
    author: str | None
    date: str | None
    headings: list[str]
    sentences: list[SentenceRow]
    facts: list[FactRow]
    # Each content word once per sentence that holds it: counted, these are the article's
    # document frequencies (see `sentence_word_counts`).
    vocab_words: list[str]
    updated: str | None = None  # ISO date of the last update the byline states
    site: str | None = None  # the publication's name, when the file says it


def _migration_1(db: sqlite_utils.Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["articles"].create(
        {"id": int, "source": str, "checksum": str, "title": str, "author": str, "date": str,
         "headings": str, "added_at": float, "updated_at": float},
        pk="id", not_null={"source", "checksum", "title"},
    )
    db["articles"].create_index(["source"], unique=True)
    db["articles"].create_index(["checksum"])
    db["sentences"].create(
        {"id": int, "article_id": int, "position": int, "paragraph": int, "heading": str,
         "text": str, "terms": str},
        pk="id", foreign_keys=[("article_id", "articles", "id")],
    )
    db["sentences"].create_index(["article_id", "position"], unique=True)
    db["facts"].create(
        {"id": int, "sentence_id": int, "article_id": int, "kind": str, "text": str,
         "value": str, "unit": str},
        pk="id", foreign_keys=[("sentence_id", "sentences", "id"), ("article_id", "articles", "id")],
    )
    db["facts"].create_index(["sentence_id"])
    db["facts"].create_index(["article_id"])
    # df = in how many sentences the word occurs: IDF weights and typo correction.
    db["vocab"].create({"word": str, "df": int}, pk="word")
    db["sentences"].enable_fts(["terms"], create_triggers=True, tokenize="unicode61")
    db["meta"].insert({"key": "generation", "value": "0"})


def _migration_2(db: sqlite_utils.Database) -> None:
    """Alerts: who subscribed to what, and the delivery queue (outbox)."""
    # No foreign keys on chat_id: a group that becomes a supergroup changes id (ChatMigrated)
    # and the three tables move together in one transaction.
    db["chats"].create(
        {"chat_id": int, "kind": str, "title": str, "lang": str, "active": int, "subscribed": int,
         "paused": int, "digest_at": str, "next_digest": float, "updated_at": float},
        pk="chat_id", defaults={"active": 1, "subscribed": 0, "paused": 0, "lang": "fr"},
    )
    # `key` is the keyword's index terms, so "Pannes" and "panne" are one topic.
    db["topics"].create({"chat_id": int, "key": str, "keyword": str}, pk=("chat_id", "key"))
    # One row per chat and article, ever: re-ingesting an article cannot alert twice.
    db["outbox"].create(
        {"id": int, "chat_id": int, "article_id": int, "matched": str, "status": str, "due_at": float,
         "attempts": int, "created_at": float, "sent_at": float, "error": str},
        pk="id", foreign_keys=[("article_id", "articles", "id")],
        defaults={"status": "pending", "attempts": 0}, not_null={"chat_id", "article_id", "status"},
    )
    db["outbox"].create_index(["chat_id", "article_id"], unique=True)
    db["outbox"].create_index(["status", "due_at"])
    db["outbox"].create_index(["chat_id", "sent_at"])


def _migration_3(db: sqlite_utils.Database) -> None:
    """The byline block: when the article was updated, and the publication (site) it names."""
    db["articles"].add_column("updated", str)
    db["articles"].add_column("site", str)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_migration_1, _migration_2, _migration_3]


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database file and migrate it to the current schema."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Autocommit: transactions are opened explicitly by `transaction()` below.
    conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
    db = sqlite_utils.Database(conn)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    migrate(db)
    return db


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK if the block raises.

    Inside another transaction it is a savepoint: the block is still all or
    nothing, and the outer transaction decides when it all commits."""
    if db.conn.in_transaction:
        db.execute("SAVEPOINT nested")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK TO nested")
            db.execute("RELEASE nested")
            raise
        db.execute("RELEASE nested")
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def migrate(db: sqlite_utils.Database) -> None:
    """Apply every migration newer than the file's `user_version`, each in its own transaction."""
    with transaction(db):
        version = db.execute("PRAGMA user_version").fetchone()[0]
        for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
            migration(db)
            db.execute(f"PRAGMA user_version = {number}")


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def generation(db: sqlite_utils.Database) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    return int(row[0])


def _bump_generation(db: sqlite_utils.Database) -> None:
    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")


def sentence_word_counts(texts: list[str]) -> Counter:
    """Content word -> in how many of the texts it occurs: the articles' part of `vocab`."""
    counts: Counter = Counter()
    for text in texts:
        counts.update(set(content_words(text)))
    return counts


def apply_vocab(db: sqlite_utils.Database, changes: Counter) -> None:
    """Add signed document-frequency changes to `vocab`; words no sentence holds any more go."""
    db.conn.executemany(
        "INSERT INTO vocab (word, df) VALUES (?, ?) "
        "ON CONFLICT(word) DO UPDATE SET df = df + excluded.df",
        [(word, n) for word, n in changes.items() if n],
    )
    if any(n < 0 for n in changes.values()):
        db.execute("DELETE FROM vocab WHERE df <= 0")


def find_article(db: sqlite_utils.Database, source: str, checksum: str) -> tuple[str, int | None]:
    """What storing this file would do: ('skipped'|'updated'|'added', existing id)."""
    same = db.execute("SELECT id FROM articles WHERE checksum = ?", [checksum]).fetchone()
    if same:
        return "skipped", same[0]
    row = db.execute("SELECT id FROM articles WHERE source = ?", [source]).fetchone()
    return ("updated", row[0]) if row else ("added", None)


def save_article(db: sqlite_utils.Database, article: PreparedArticle,
                 on_saved: Callable[[sqlite_utils.Database, int, str], None] | None = None,
                 vocab: Counter | None = None) -> tuple[str, int]:
    """Store an article in one transaction; returns (action, article id).

    The same content again is skipped; new content under a known source replaces
    that article in place (same id). `on_saved(db, id, action)` runs inside the
    same transaction, for work that must commit or roll back with the article.
    With `vocab`, the article's changes to word frequencies are added to it rather
    than written: a batch then writes `vocab` once (`apply_vocab`) before it commits.
    """
    changes: Counter = Counter() if vocab is None else vocab
    with transaction(db):
        action, article_id = find_article(db, article.source, article.checksum)
        if action == "skipped":
            return action, article_id
        now = time.time()
        row = {"source": article.source, "checksum": article.checksum, "title": article.title,
               "author": article.author, "date": article.date, "updated": article.updated, "site": article.site,
               "headings": json.dumps(article.headings, ensure_ascii=False), "updated_at": now}
        if article_id is None:
            columns = [*row, "added_at"]
            article_id = db.execute(
                f"INSERT INTO articles ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [*row.values(), now],
            ).lastrowid
        else:
            old = [r[0] for r in db.execute("SELECT text FROM sentences WHERE article_id = ?", [article_id])]
            changes.subtract(sentence_word_counts(old))
            db.execute("DELETE FROM facts WHERE article_id = ?", [article_id])
            db.execute("DELETE FROM sentences WHERE article_id = ?", [article_id])
            db.execute(f"UPDATE articles SET {', '.join(f'{c} = ?' for c in row)} WHERE id = ?",
                       [*row.values(), article_id])
        # Ids are assigned here (the transaction holds the write lock) so that sentences and
        # their facts go in as two batches rather than one statement per sentence.
        first_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM sentences").fetchone()[0]
        db.conn.executemany(
            "INSERT INTO sentences (id, article_id, position, paragraph, heading, text, terms) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(first_id + position, article_id, position, paragraph, heading, text, terms)
             for position, (text, paragraph, heading, terms) in enumerate(article.sentences)],
        )
        db.conn.executemany(
            "INSERT INTO facts (sentence_id, article_id, kind, text, value, unit) VALUES (?, ?, ?, ?, ?, ?)",
            [(first_id + position, article_id, kind, text, value, unit)
             for position, kind, text, value, unit in article.facts],
        )
        changes.update(article.vocab_words)
        if vocab is None:
            apply_vocab(db, changes)
        _bump_generation(db)
        if on_saved is not None:
            on_saved(db, article_id, action)
        return action, article_id


def optimize_index(db: sqlite_utils.Database) -> None:
    """Merge the full-text index into one segment (well under a second for 300,000 sentences):
    after a large batch, searches read one b-tree instead of dozens."""
    with transaction(db):
        db.execute("INSERT INTO sentences_fts(sentences_fts) VALUES('optimize')")
