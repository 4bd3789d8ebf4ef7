"""A PostgreSQL database shared by several bot instances: a pool of connections, migrated on open."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from bot.storage import StorageError
from bot.storage_pg.schema import migrate


def describe(url: str) -> str:
    """The database a URL names, for messages: never its password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(a malformed postgresql:// URL)"
    return f"postgresql://{parts.get('host') or 'localhost'}:{parts.get('port') or 5432}/{parts.get('dbname', '')}"


class Transaction:
    """One transaction's statements, written as for SQLite: `?` placeholders become psycopg's `%s`
    (the statements the two backends share must therefore hold no literal `?` or `%`)."""

    def __init__(self, cursor: psycopg.Cursor) -> None:
        self.cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor:
        return self.cursor.execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.cursor.executemany(sql.replace("?", "%s"), rows)


class Database:
    """Connections to one PostgreSQL database for the threads of one bot instance.

    A connection found broken when taken from the pool (PostgreSQL restarted, a network cut) is
    replaced, so the instance carries on once the server is back; the call under way when it
    went fails, and the delivery loop tries again at its next tick."""

    # Row locks for a claim: another instance's claim skips the rows this one is taking rather
    # than waiting for them (bot/outbox.py, whose claiming query calls the outbox `o`).
    skip_locked = " FOR UPDATE OF o SKIP LOCKED"
    shared = True  # several instances may use the database at once

    def __init__(self, url: str, max_size: int = 4, timeout: float = 30.0) -> None:
        self.name = describe(url)
        self.pool = ConnectionPool(url, min_size=1, max_size=max_size, timeout=timeout, open=False,
                                   check=ConnectionPool.check_connection, name="bot")
        try:
            self.pool.open(wait=True, timeout=timeout)
            with self.pool.connection() as conn:
                migrate(conn)
        except (psycopg.OperationalError, psycopg.errors.InsufficientPrivilege) as error:
            self.pool.close()
            raise StorageError(f"cannot use the PostgreSQL database {self.name}: {str(error).strip()[:300]} "
                               "(check BOT_DB, that the server is running and that the user may create tables)",
                               "cannot connect") from error

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        try:
            with self.pool.connection() as conn, conn.cursor() as cursor:
                yield Transaction(cursor)
        except psycopg.OperationalError:
            # The server went away (a restart): every idle connection is as dead as this one.
            # Checking them all now replaces them at once, rather than one by one as each is
            # taken, each failure costing the pool a backoff (1, 2, 4... s).
            with contextlib.suppress(psycopg.Error, PoolTimeout):
                self.pool.check()
            raise

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self.transaction() as tx:
            return tx.execute(sql, params).fetchall()

    def close(self) -> None:
        self.pool.close()
