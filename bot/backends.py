"""One storage interface, two backends: SQLite (one bot process, the default) or PostgreSQL
(several instances sharing a database, `BOT_DB=postgresql://…`).

Code that runs on both (bot/outbox.py so far) writes its SQL once, with `?` placeholders and
what SQLite and PostgreSQL both understand, and goes through a store:
- `store.transaction()`: a block whose statements commit together (`tx.execute`, `tx.executemany`);
- `store.query(sql, params)`: the rows of one read, outside any transaction (on SQLite it does
  not wait for a writer, such as a long `run_bot.py ingest`);
- `store.skip_locked`: what a claiming SELECT ends with, so that two instances never take the
  same rows ("" on SQLite, where BEGIN IMMEDIATE already lets one writer in at a time);
- `store.shared`: whether other processes may be using the database right now.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import sqlite_utils

from bot import storage
from bot.storage_pg import is_postgres


class Transaction(Protocol):
    def execute(self, sql: str, params: Any = ..., /) -> Any: ...

    def executemany(self, sql: str, rows: Any, /) -> Any: ...


class Store(Protocol):
    skip_locked: str
    shared: bool

    def transaction(self) -> Any: ...  # a context manager giving a Transaction

    def query(self, sql: str, params: Any = ()) -> list[tuple]: ...

    def close(self) -> None: ...


class SqliteStore:
    """A SQLite file used by one bot process."""

    skip_locked = ""
    shared = False

    def __init__(self, path: str | Path) -> None:
        self.db: sqlite_utils.Database = storage.open_database(path)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with storage.transaction(self.db):
            yield self.db.conn

    def query(self, sql: str, params: Any = ()) -> list[tuple]:
        return self.db.execute(sql, params).fetchall()

    def close(self) -> None:
        self.db.close()


def open_store(target: str | Path) -> Store:
    """The store BOT_DB names: a postgresql:// URL, or a SQLite file (its path)."""
    if is_postgres(target):
        # Imported here: psycopg loads only where PostgreSQL is used.
        from bot.storage_pg.database import Database

        return Database(str(target))
    return SqliteStore(target)
