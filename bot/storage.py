"""The SQLite database: schema, migrations and every write.

One file holds everything. The schema lives here and only here, as a list of
migrations numbered by `PRAGMA user_version`; opening a database brings it up
to date. WAL mode lets a running bot read while `run_bot.py ingest` writes.
A `generation` counter in `meta` goes up on every change so that readers in
other processes know when to refresh what they cache.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
import stat
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def _migration_4(db: sqlite_utils.Database) -> None:
    """What operators need (issue 11): retired articles, the question log, chat state kept
    across restarts, alerts into forum topics and channels, and keywords that exclude."""
    # NULL: answerable, listed, alerting. A time: retired by an operator (/forget), kept so that
    # the folder watcher does not load the same file again and /restore can bring it back.
    db["articles"].add_column("retired_at", float)
    # One row per question asked in Telegram, without who asked: counts for /stats, and the text
    # of declined questions for /unanswered (NULL when BOT_LOG_QUESTIONS=0). Kept 30 days.
    db["questions"].create(
        {"id": int, "asked_at": float, "chat_type": str, "text": str, "answered": int, "declined": str,
         "latency_ms": float},
        pk="id", not_null={"asked_at", "answered"},
    )
    db["questions"].create_index(["asked_at"])
    # python-telegram-bot's persistence (chat_data, user_data, bot_data, callback data,
    # conversations): one JSON document per (kind, key).
    db["chat_state"].create({"kind": str, "key": str, "data": str, "updated_at": float},
                            pk=("kind", "key"), not_null={"data"})
    # Alerts go to the forum topic the subscription was made in (NULL: the chat itself); a channel
    # records the operator who linked it.
    db["chats"].add_column("thread_id", int)
    db["chats"].add_column("linked_by", int)
    # A keyword with excluded = 1 vetoes the alert ("/subscribe kraken -bitcoin").
    db["topics"].add_column("excluded", int, not_null_default=0)


def _migration_5(db: sqlite_utils.Database) -> None:
    """Leases on the outbox (issue 12): which bot instance holds a row, and until when. Another
    instance may take the row once the lease has run out (its holder died); see bot/outbox.py."""
    db["outbox"].add_column("claimed_by", str)
    db["outbox"].add_column("claimed_until", float)


def _migration_6(db: sqlite_utils.Database) -> None:
    """Telegram's 30 messages a second counted over the whole outbox, by every instance (bot/outbox.py):
    the messages of the last second found without reading every row ever sent."""
    db["outbox"].create_index(["sent_at"])


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_migration_1, _migration_2, _migration_3, _migration_4,
                                                             _migration_5, _migration_6]


class StorageError(Exception):
    """A database failure that the operator, not the code, must fix (damaged or read-only file,
    full disk...). `str()` is one line: what failed, where, what to do; `reason` is a few words
    for per-file reports."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


# SQLite's primary result codes that mean "the file or the disk", not "the code": reason, then
# what to tell the operator ({path} is the database file).
_SQLITE_ADVICE: dict[int, tuple[str, str]] = {
    sqlite3.SQLITE_FULL: ("disk full", "the disk holding the database {path} is full: free some space "
                          "(or set BOT_DB to a file on another disk), then try again"),
    sqlite3.SQLITE_READONLY: ("database read-only", "the database {path} is read-only: let the user running "
                              "the bot write to it and to its folder (SQLite keeps -wal and -shm files beside it)"),
    sqlite3.SQLITE_PERM: ("database read-only", "the database {path} may not be written: let the user running "
                          "the bot write to it and to its folder"),
    sqlite3.SQLITE_CORRUPT: ("database damaged", "the database {path} is damaged: restore it from a backup, or "
                             "move it aside to start with a new one (the articles folder is loaded again)"),
    sqlite3.SQLITE_NOTADB: ("not a database", "{path} is not a SQLite database: set BOT_DB to the bot's "
                            "database file, or move this file aside to start with a new one"),
    sqlite3.SQLITE_CANTOPEN: ("cannot open database", "cannot open or create the database {path}: check that its "
                              "folder exists and that the user running the bot may write there"),
    sqlite3.SQLITE_IOERR: ("disk I/O error", "disk I/O error on the database {path}: check the disk, and that "
                           "BOT_DB is a regular file on a local disk"),
    sqlite3.SQLITE_BUSY: ("database busy", "the database {path} stayed locked by another process for 30 s: "
                          "let it finish (a large ingest?), then try again"),
    sqlite3.SQLITE_LOCKED: ("database busy", "the database {path} is locked: let the other writer finish, "
                            "then try again"),
    sqlite3.SQLITE_NOMEM: ("out of memory", "SQLite ran out of memory with the database {path}: "
                           "free memory, then try again"),
    sqlite3.SQLITE_NOLFS: ("file too large", "the database {path} outgrew what its file system allows: "
                           "move it to another disk"),
}


def storage_error(error: BaseException, path: str | Path) -> StorageError | None:
    """The operator's one-line version of a database or file-system error on `path`;
    None when the error is a bug (bad SQL, a broken constraint), which keeps its traceback."""
    if isinstance(error, StorageError):
        return error
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        code = code & 0xFF if isinstance(code, int) else None  # the primary code: extended ones say where
        if code in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN) and _no_space_left(path):
            code = sqlite3.SQLITE_FULL  # creating the -shm file on a full disk fails as an "I/O error"
        advice = _SQLITE_ADVICE.get(code) if code is not None else None
        if advice is None:
            return None
        reason, message = advice
        return StorageError(f"{message.format(path=path)} [{error}]", reason)
    if isinstance(error, OSError):
        where = error.filename or path
        if error.errno == errno.ENOSPC:
            return StorageError(f"the disk holding {where} is full: free some space, then try again", "disk full")
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return StorageError(f"cannot write {where} for the database {path} ({error.strerror}): let the user "
                                "running the bot write there, or set BOT_DB to another file", "permission denied")
        if error.errno in (errno.ENOTDIR, errno.EEXIST):
            return StorageError(f"cannot create the folder of the database {path}: {where} is not a folder; "
                                "set BOT_DB to a path in a folder", "not a folder")
        return StorageError(f"cannot use the database {path}: {error.strerror or error} ({where})",
                            error.strerror or "system error")
    return None


def _no_space_left(path: str | Path) -> bool:
    try:
        disk = os.statvfs(Path(path).parent)
    except OSError:
        return False
    return disk.f_bavail * disk.f_frsize < 64 * 1024  # less than SQLite's -shm file needs


def database_file(db: sqlite_utils.Database) -> str:
    """The file behind a connection, for messages."""
    with contextlib.suppress(sqlite3.Error):
        for _, name, file in db.conn.execute("PRAGMA database_list"):
            if name == "main":
                return file or ":memory:"
    return "(unknown file)"


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database file and migrate it to the current schema.

    Raises StorageError, one line for the operator, when the file cannot serve as the bot's
    database: not a regular file, damaged, read-only, on a full disk, in a folder that cannot be made."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = None  # not there yet (created below) or not reachable: connecting says which
    # SQLite would "open" /dev/null or a FIFO and then fail with a disk I/O error, or block.
    if mode is not None and not stat.S_ISREG(mode):
        raise StorageError(f"the database {path} is not a regular file: set BOT_DB to a file path "
                           "such as data/bot.db", "not a regular file")
    conn: sqlite3.Connection | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit: transactions are opened explicitly by `transaction()` below.
        conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
        db = sqlite_utils.Database(conn)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        migrate(db)
        # A read-only file reads fine, so without a write now the first subscription or alert
        # would fail long after start. Rewriting the schema number changes nothing.
        with transaction(db):
            db.execute(f"PRAGMA user_version = {schema_version(db)}")
        return db
    except (sqlite3.Error, OSError, StorageError) as error:
        if conn is not None:
            conn.close()
        problem = storage_error(error, path)
        if problem is None:
            raise
        if problem is error:
            raise
        raise problem from error


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK if the block raises.

    Inside another transaction it is a savepoint: the block is still all or
    nothing, and the outer transaction decides when it all commits.
    A failure of the file or the disk (full, read-only, damaged) comes out as a
    StorageError; one of the code (bad SQL, a constraint) as it was raised."""
    if db.conn.in_transaction:
        db.execute("SAVEPOINT nested")
        try:
            yield
        except sqlite3.Error as error:
            _undo(db, "ROLLBACK TO nested", "RELEASE nested")
            _raise_for_operator(error, db)
            raise
        except BaseException:
            _undo(db, "ROLLBACK TO nested", "RELEASE nested")
            raise
        db.execute("RELEASE nested")
        return
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as error:
        _raise_for_operator(error, db)
        raise
    try:
        yield
    except sqlite3.Error as error:
        _undo(db, "ROLLBACK")
        _raise_for_operator(error, db)
        raise
    except BaseException:
        _undo(db, "ROLLBACK")
        raise
    try:
        db.execute("COMMIT")
    except sqlite3.Error as error:
        _undo(db, "ROLLBACK")
        _raise_for_operator(error, db)
        raise


def _undo(db: sqlite_utils.Database, *statements: str) -> None:
    """Roll back after a failure without hiding it: on a full disk or an I/O error SQLite may
    already have rolled back by itself, and a ROLLBACK then fails with an error of its own."""
    for statement in statements:
        if not db.conn.in_transaction:
            return
        with contextlib.suppress(sqlite3.Error):
            db.execute(statement)


def _raise_for_operator(error: sqlite3.Error, db: sqlite_utils.Database) -> None:
    """Raise the StorageError for `error` if it is the file's or the disk's; return if it is a bug."""
    problem = storage_error(error, database_file(db))
    if problem is not None:
        raise problem from error


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


def bump_generation(tx: Any) -> None:
    """Tell readers the articles changed (`tx`: a SQLite database or connection, or a transaction of
    bot/backends.py; the same for the helpers below that take one)."""
    tx.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")


def sentence_word_counts(texts: list[str]) -> Counter:
    """Content word -> in how many of the texts it occurs: the articles' part of `vocab`."""
    counts: Counter = Counter()
    for text in texts:
        counts.update(set(content_words(text)))
    return counts


def apply_vocab(db: Any, changes: Counter) -> None:
    """Add signed document-frequency changes to `vocab`; words no sentence holds any more go."""
    # sqlite_utils' Database has no executemany: its connection, in the same transaction, has.
    getattr(db, "conn", db).executemany(
        "INSERT INTO vocab (word, df) VALUES (?, ?) "
        "ON CONFLICT(word) DO UPDATE SET df = vocab.df + excluded.df",
        [(word, n) for word, n in changes.items() if n],
    )
    if any(n < 0 for n in changes.values()):
        db.execute("DELETE FROM vocab WHERE df <= 0")


def find_article(db: Any, source: str, checksum: str) -> tuple[str, int | None]:
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
    with transaction(db):
        action, article_id = store_article(db.conn, article, vocab)
        if on_saved is not None and action != "skipped":
            on_saved(db, article_id, action)
        return action, article_id


def store_article(tx: Any, article: PreparedArticle, vocab: Counter | None = None) -> tuple[str, int]:
    """save_article's work inside a transaction that holds the write lock, on either backend
    (bot/storage_pg/articles.py calls it in a PostgreSQL transaction)."""
    changes: Counter = Counter() if vocab is None else vocab
    action, article_id = find_article(tx, article.source, article.checksum)
    if action == "skipped":
        return action, article_id
    now = time.time()
    # New content under a retired article's source brings it back.
    stamps = {"updated_at": now, "retired_at": None, **({"added_at": now} if article_id is None else {})}
    if article_id is not None:
        remove_content(tx, article_id, changes)
    # Ids are assigned here (the transaction holds the write lock) so that sentences and
    # their facts go in as two batches rather than one statement per sentence.
    first_id = tx.execute("SELECT coalesce(max(id), 0) + 1 FROM sentences").fetchone()[0]
    article_id = write_article(tx, article, article_id, action == "updated", stamps, first_id, changes)
    if vocab is None:
        apply_vocab(tx, changes)
    bump_generation(tx)
    return action, article_id


def remove_content(tx: Any, article_id: int, changes: Counter) -> None:
    """Delete an article's sentences and facts (its row stays), their words taken off `changes`."""
    old = [r[0] for r in tx.execute("SELECT text FROM sentences WHERE article_id = ?", [article_id]).fetchall()]
    changes.subtract(sentence_word_counts(old))
    tx.execute("DELETE FROM facts WHERE article_id = ?", [article_id])
    tx.execute("DELETE FROM sentences WHERE article_id = ?", [article_id])


def write_article(tx: Any, article: PreparedArticle, article_id: int | None, exists: bool,
                  stamps: dict[str, float | None], first_sentence_id: int, changes: Counter) -> int:
    """Write an article's row (updating it if it `exists`, else inserting it, under `article_id` or
    a new id when None), then its sentences, numbered from `first_sentence_id`, and its facts; its
    words are added to `changes`. Old sentences must be gone (`remove_content`). Returns the id.
    Both backends store through here, and so do the local copies of PostgreSQL (bot/replica.py)."""
    row = {"source": article.source, "checksum": article.checksum, "title": article.title,
           "author": article.author, "date": article.date, "updated": article.updated, "site": article.site,
           "headings": json.dumps(article.headings, ensure_ascii=False), **stamps}
    if exists:
        tx.execute(f"UPDATE articles SET {', '.join(f'{c} = ?' for c in row)} WHERE id = ?",
                   [*row.values(), article_id])
    else:
        if article_id is not None:
            row = {"id": article_id, **row}
        article_id = tx.execute(f"INSERT INTO articles ({', '.join(row)}) VALUES ({', '.join('?' * len(row))}) "
                                "RETURNING id", list(row.values())).fetchall()[0][0]
    tx.executemany(
        "INSERT INTO sentences (id, article_id, position, paragraph, heading, text, terms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(first_sentence_id + position, article_id, position, paragraph, heading, text, terms)
         for position, (text, paragraph, heading, terms) in enumerate(article.sentences)],
    )
    tx.executemany(
        "INSERT INTO facts (sentence_id, article_id, kind, text, value, unit) VALUES (?, ?, ?, ?, ?, ?)",
        [(first_sentence_id + position, article_id, kind, text, value, unit)
         for position, kind, text, value, unit in article.facts],
    )
    changes.update(article.vocab_words)
    return article_id


def set_retired(db: sqlite_utils.Database, article_id: int, retired_at: float | None) -> bool | None:
    """Retire an article at `retired_at` (/forget) or bring it back with None (/restore): True if
    that changed it, False if it was so already, None if there is no such article."""
    with transaction(db):
        return mark_retired(db, article_id, retired_at)


def mark_retired(tx: Any, article_id: int, retired_at: float | None) -> bool | None:
    """set_retired inside a transaction, on either backend. Retiring also cancels the alerts about
    it not sent yet; the generation goes up so that every reader stops (or starts again) answering
    from it."""
    row = tx.execute("SELECT retired_at FROM articles WHERE id = ?", [article_id]).fetchone()
    if row is None:
        return None
    if (row[0] is None) == (retired_at is None):
        return False
    tx.execute("UPDATE articles SET retired_at = ? WHERE id = ?", [retired_at, article_id])
    if retired_at is not None:
        tx.execute("UPDATE outbox SET status = 'dropped', error = 'article retired' "
                   "WHERE article_id = ? AND status = 'pending'", [article_id])
    bump_generation(tx)
    return True


def article_states(db: Any) -> list[tuple[int, str, float | None]]:
    """Every article, retired ones too: (id, title, retired_at or None), by id."""
    return db.execute("SELECT id, title, retired_at FROM articles ORDER BY id").fetchall()


def optimize_index(db: sqlite_utils.Database) -> None:
    """Merge the full-text index into one segment (well under a second for 300,000 sentences):
    after a large batch, searches read one b-tree instead of dozens."""
    with transaction(db):
        db.execute("INSERT INTO sentences_fts(sentences_fts) VALUES('optimize')")


class SqliteArticles:
    """The article writes of bot/ingest.py on a SQLite file, as methods: bot/storage_pg/articles.py
    offers the same on PostgreSQL, so one ingest code serves both."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        return transaction(self.db)

    def find_article(self, source: str, checksum: str) -> tuple[str, int | None]:
        return find_article(self.db, source, checksum)

    def save_article(self, article: PreparedArticle,
                     on_saved: Callable[[sqlite_utils.Database, int, str], None] | None = None,
                     vocab: Counter | None = None) -> tuple[str, int]:
        return save_article(self.db, article, on_saved, vocab)

    def apply_vocab(self, changes: Counter) -> None:
        apply_vocab(self.db, changes)

    def optimize_index(self) -> None:
        optimize_index(self.db)

    def set_retired(self, article_id: int, retired_at: float | None) -> bool | None:
        return set_retired(self.db, article_id, retired_at)

    def article_states(self) -> list[tuple[int, str, float | None]]:
        return article_states(self.db)
