"""PostgreSQL, for several bot instances sharing one database.

`BOT_DB=postgresql://…` selects it; SQLite (bot/storage.py) stays the default. The schema
(schema.py: the SQLite migrations, numbered the same, without the full-text index), the
connections (database.py) and the storing of articles (articles.py) are here; the chat side runs
on it through bot/backends.py, and questions are answered from each instance's local copy of the
articles (bot/replica.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Config

SCHEMES = ("postgresql://", "postgres://")


def is_postgres(target: str | Path) -> bool:
    """Whether BOT_DB names a PostgreSQL database rather than a SQLite file (psycopg is imported
    by the modules that connect, not here: bot/config.py asks this of every BOT_DB)."""
    return isinstance(target, str) and target.startswith(SCHEMES)


def answering_file(config: Config) -> Path:
    """The SQLite file questions are answered from: BOT_DB's, or with PostgreSQL the instance's copy."""
    return config.replica_path if config.db_url else config.db_path
