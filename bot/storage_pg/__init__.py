"""PostgreSQL, for several bot instances sharing one database (issue 12, in progress).

`BOT_DB=postgresql://…` selects it; SQLite (bot/storage.py) stays the default. So far the
schema (schema.py: the SQLite migrations 1–5, numbered the same, without the full-text index)
and the connections (database.py) exist, and the alert outbox runs on it (bot/outbox.py
through bot/backends.py); articles, search and subscriptions are still SQLite-only.
"""

from __future__ import annotations

from pathlib import Path

SCHEMES = ("postgresql://", "postgres://")


def is_postgres(target: str | Path) -> bool:
    """Whether BOT_DB names a PostgreSQL database rather than a SQLite file (psycopg is imported
    by the modules that connect, not here: bot/config.py asks this of every BOT_DB)."""
    return isinstance(target, str) and target.startswith(SCHEMES)
