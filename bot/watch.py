"""Watching the articles folder for files dropped in or changed while the bot runs.

A file is handed over once it has stopped changing (same size and modification
time on two scans in a row), so a file still being copied is not read half
written. Removing a file does not remove its article: what was published stays
answerable.

Instances sharing a PostgreSQL database watch their folder one at a time (`WatchLock`): the others
hand nothing over until the one watching stops or dies. On a SQLite file the one bot watches.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.ingest import article_files

log = logging.getLogger(__name__)

Stamp = tuple[int, int]  # (modification time in ns, size)
# pg_try_advisory_lock key of the watcher: any fixed number, the same in every instance ("watc").
WATCH_LOCK = 0x77617463


class WatchLock:
    """Whether this instance is the one watching the articles folder: a PostgreSQL session advisory
    lock, on a connection of its own. It lasts as long as that connection, so it is released when
    the instance stops, dies or loses the server, and the next instance to ask takes it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn = None  # psycopg.Connection, opened on first use
        self._held = False

    def held(self) -> bool:
        """Take the lock if it is free; whether this instance holds it (False while the server is away)."""
        import psycopg  # only where PostgreSQL is used

        try:
            if self._conn is None:
                self._conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
            if self._held:
                self._conn.execute("SELECT 1")  # the session lives, and the lock with it
            else:
                self._held = self._conn.execute("SELECT pg_try_advisory_lock(%s)", [WATCH_LOCK]).fetchone()[0]
                if self._held:
                    log.info("articles folder: this instance watches it")
        except psycopg.OperationalError as error:
            if self._held:
                log.warning("articles folder: watching stopped, the database connection was lost (%s)",
                            str(error).strip()[:200])
            self.close()
        return self._held

    def close(self) -> None:
        """Release the lock (another instance takes it at its next look)."""
        if self._conn is not None:
            self._conn.close()
        self._conn, self._held = None, False


class FolderWatch:
    def __init__(self, folder: Path, lock: WatchLock | None = None) -> None:
        self.folder = folder
        self.lock = lock  # None: this bot alone watches the folder
        # What is there at start was loaded by the knowledge base when it opened.
        self._handled: dict[Path, Stamp] = self._scan()
        self._previous: dict[Path, Stamp] = dict(self._handled)

    def _scan(self) -> dict[Path, Stamp]:
        if not self.folder.is_dir():
            return {}
        stamps = {}
        for path in article_files(self.folder):
            try:
                info = path.stat()
            except OSError:  # removed between listing and stat
                continue
            stamps[path] = (info.st_mtime_ns, info.st_size)
        return stamps

    def changed(self) -> list[Path]:
        """Files new or modified since they were last handed over, and now stable; none while
        another instance watches. The one taking over compares with what was there when this one
        started: files already stored by the other are read again, and skipped as unchanged."""
        if self.lock is not None and not self.lock.held():
            return []
        current = self._scan()
        ready = [path for path, stamp in current.items()
                 if self._handled.get(path) != stamp and self._previous.get(path) == stamp]
        self._previous = current
        for path in ready:
            self._handled[path] = current[path]
        return ready

    def close(self) -> None:
        if self.lock is not None:
            self.lock.close()
