"""`run_bot.py migrate --from data/bot.db --to postgresql://…`: a SQLite deployment moved to PostgreSQL.

Everything the bot keeps is copied, row for row and id for id: articles, sentences, facts and the
vocabulary; chats, their keywords and the alert queue (pending alerts included); chat state and
the question log; the generation counter. One read transaction on the file (a consistent state
even if something still writes to it) and one PostgreSQL transaction (all or nothing), with COPY.
The SQLite file is brought to the current schema first, as the bot does when it starts, and is
otherwise left as it was: it stays a backup.

Stop the bot before migrating: the alerts it sends meanwhile would be sent again from PostgreSQL.
What the stopped bot was sending goes back to pending, as its own restart would do (the one
message in flight at the stop may repeat), and no row keeps its lease.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import psycopg
import sqlite_utils

from bot import storage
from bot.storage import StorageError
from bot.storage_pg.articles import advance_sequences
from bot.storage_pg.database import Database

# In an order that satisfies the foreign keys (sentences and facts name articles, the outbox too).
TABLES = ("articles", "sentences", "facts", "vocab", "chats", "topics", "outbox", "chat_state", "questions")


class TargetNotEmpty(StorageError):
    """The PostgreSQL database already holds a deployment: migrating again needs --force."""


@dataclass
class MigrationReport:
    source: Path
    target: str  # the database's name, without the password
    rows: dict[str, int]  # table -> rows copied
    pending: int  # alerts waiting to be sent
    generation: int

    def lines(self) -> list[str]:
        counts = ", ".join(f"{self.rows[table]} {table}" for table in TABLES)
        return [f"copied {self.source} to {self.target}: {counts}",
                f"{self.pending} alerts pending; generation {self.generation}"]


def migrate(source: str | Path, url: str, force: bool = False) -> MigrationReport:
    """Copy the SQLite deployment `source` into the PostgreSQL database `url`; with `force`, what
    that database held is replaced, otherwise a database holding anything is refused."""
    source = Path(source)
    if not source.is_file():
        raise StorageError(f"the database {source} does not exist (or is not a file): give --from the bot's "
                           "SQLite file (BOT_DB)", "no database")
    with contextlib.closing(storage.open_database(source)) as db:
        target = Database(url)
        try:
            db.execute("BEGIN")  # one snapshot of the file for every table
            try:
                return _copy(db, target, source, force)
            finally:
                db.execute("COMMIT")
        except psycopg.OperationalError as error:
            raise StorageError(f"PostgreSQL database {target.name}: {str(error).strip()[:300]}",
                               "database unreachable") from error
        finally:
            target.close()


def _copy(db: sqlite_utils.Database, target: Database, source: Path, force: bool) -> MigrationReport:
    rows: dict[str, int] = {}
    with target.transaction() as tx:
        held = {table: tx.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
        if any(held.values()):
            if not force:
                filled = ", ".join(f"{n} {table}" for table, n in held.items() if n)
                raise TargetNotEmpty(f"{target.name} is not empty ({filled}): migrate into a new database, or "
                                     "add --force to replace what it holds", "target not empty")
            tx.execute(f"TRUNCATE {', '.join(TABLES)}")
        for table in TABLES:
            columns = [column.name for column in db[table].columns]
            names = ", ".join(columns)
            with tx.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                count = 0
                for row in db.execute(f"SELECT {names} FROM {table}"):
                    copy.write_row(row)
                    count += 1
            rows[table] = count
        # What the stopped bot held or was sending is free for whichever instance comes first.
        tx.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")
        tx.execute("UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by IS NOT NULL")
        advance_sequences(tx)
        # Past what instances following the database may have copied already (a --force).
        current = int(tx.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
        generation = max(storage.generation(db), current + 1)
        tx.execute("UPDATE meta SET value = ? WHERE key = 'generation'", [str(generation)])
        pending = tx.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
    return MigrationReport(source, target.name, rows, pending, generation)
