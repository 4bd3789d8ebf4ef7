"""`run_bot.py backup PATH`: a consistent copy of the live database.

SQLite's online backup API copies the database as one read transaction: with
WAL, the bot and `run_bot.py ingest` keep writing meanwhile, and the copy is
the state at the moment the transaction began (every article whole, with its
sentences, word counts and queued alerts, or not at all). The copy is written
beside PATH under a temporary name and renamed into place once complete and
checked, so PATH is never a half-written file.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.storage import StorageError, storage_error


@dataclass
class BackupReport:
    source: Path
    target: Path
    articles: int
    subscriptions: int
    size: int  # bytes

    def line(self) -> str:
        return (f"backed up {self.source} to {self.target}: {self.articles} articles, "
                f"{self.subscriptions} subscribed chats, {self.size / 1e6:.1f} MB, integrity ok")


def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to an existing database: never creates the file (StorageError if it
    is missing), never migrates it."""
    if not path.is_file():
        raise StorageError(f"the database {path} does not exist (or is not a file): check BOT_DB; "
                           "the bot creates it on its first start", "no database")
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as error:
        problem = storage_error(error, path)
        if problem is None:
            raise
        raise problem from error


def backup_database(source: Path, target: Path, force: bool = False) -> BackupReport:
    """Copy the database `source` to `target` (refused if it exists, unless `force`)."""
    if _is_live(source, target):
        raise StorageError(f"{target} is the live database itself (or its journal): choose another PATH",
                           "target is source")
    if target.exists() and not force:
        raise StorageError(f"{target} already exists: choose another PATH, or add --force to overwrite it",
                           "target exists")
    if target.exists() and not target.is_file():  # --force replaces a file, never a folder or a device
        raise StorageError(f"{target} is not a regular file: choose another PATH", "not a file")
    if not target.parent.is_dir():
        raise StorageError(f"cannot write the backup {target}: {target.parent} is not a folder", "no folder")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        temporary.touch(exist_ok=False)  # here, so that a folder the user may not write is named as such
        with contextlib.closing(open_read_only(source)) as live:
            with contextlib.closing(sqlite3.connect(temporary, isolation_level=None)) as copy:
                live.backup(copy)  # all pages in one step: one read transaction, one consistent state
                # A self-contained file: the copy carries the live file's WAL flag, and a backup
                # should not depend on a -wal file beside it.
                copy.execute("PRAGMA journal_mode=DELETE")
                problems = [row[0] for row in copy.execute("PRAGMA quick_check")]
                if problems != ["ok"]:
                    first = " ".join(problems[0].split())  # SQLite's report spans lines: the message is one
                    raise StorageError(f"the database {source} is damaged ({first}): the backup was not "
                                       "written; restore an older backup", "database damaged")
                articles = _count(copy, "SELECT count(*) FROM articles")
                chats = _count(copy, "SELECT count(*) FROM chats WHERE subscribed = 1")
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
    except sqlite3.Error as error:
        problem = storage_error(error, temporary)
        if problem is None:
            raise
        # Reading the live file or writing the copy: the reason says which (damaged, disk full...).
        raise StorageError(f"the backup of {source} to {target} failed: {problem.reason} [{error}]",
                           problem.reason) from error
    except OSError as error:
        raise StorageError(f"cannot write the backup {target}: {error.strerror or error}",
                           error.strerror or "system error") from error
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return BackupReport(source, target, articles, chats, target.stat().st_size)


def _is_live(source: Path, target: Path) -> bool:
    """Whether writing `target` would replace the live database or one of SQLite's files beside it
    (-wal, -shm, -journal: replacing the WAL loses the writes not yet checkpointed), under any name
    (a symbolic or hard link)."""
    live = source.resolve()
    if target.resolve() in {live, *(live.with_name(live.name + suffix) for suffix in ("-wal", "-shm", "-journal"))}:
        return True
    try:
        return target.exists() and source.exists() and os.path.samefile(source, target)
    except OSError:  # a path that cannot be examined is refused later, when it is written
        return False


def _count(db: sqlite3.Connection, query: str) -> int:
    """A count from a table that a database older than the alerts (schema 1) does not have: 0."""
    try:
        return db.execute(query).fetchone()[0]
    except sqlite3.OperationalError:
        return 0
