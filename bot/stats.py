"""The operators' figures (/stats): articles, chats, questions, reply times, alerts."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.backends import open_store

WEEK = 7 * 86400


@dataclass
class Stats:
    articles: int  # live
    retired: int
    chats: int  # active: the bot is there and may write
    subscribed: int  # of which subscribed to alerts
    questions_today: int  # since midnight in the bot's time zone
    questions_week: int  # the last 7 days
    answered_share: float | None  # of the last 7 days' questions; None without any
    median_ms: float | None  # reply time over the last 7 days
    alerts: dict[str, int]  # outbox rows per status (bot/outbox.py)


def gather(db: str | Path, alerts: dict[str, int], now: float, timezone: str) -> Stats:
    """The figures at `now` in BOT_DB (a SQLite file or a postgresql:// URL: all instances'
    questions), read on a connection of their own."""
    midnight = datetime.fromtimestamp(now, ZoneInfo(timezone)).replace(hour=0, minute=0, second=0, microsecond=0)
    week = now - WEEK
    # Reads one by one, not in a transaction: on SQLite, one would wait for a writer (an ingest).
    with contextlib.closing(open_store(db)) as store:
        [(live, retired)] = store.query("SELECT count(*) - count(retired_at), count(retired_at) FROM articles")
        # count(… = 1), not sum(…): PostgreSQL's sum of integers is a decimal.
        [(chats, subscribed)] = store.query("SELECT count(*), count(CASE WHEN subscribed = 1 THEN 1 END) "
                                            "FROM chats WHERE active = 1")
        [(today,)] = store.query("SELECT count(*) FROM questions WHERE asked_at >= ?", [midnight.timestamp()])
        [(asked, answered)] = store.query("SELECT count(*), count(CASE WHEN answered = 1 THEN 1 END) "
                                          "FROM questions WHERE asked_at >= ?", [week])
        # The middle row by reply time (the lower one of an even count), without loading them all.
        median = store.query("SELECT latency_ms FROM questions WHERE asked_at >= ? "
                             "ORDER BY latency_ms LIMIT 1 OFFSET ?", [week, max(0, (asked - 1) // 2)])
    return Stats(live, retired, chats, subscribed, today, asked, answered / asked if asked else None,
                 median[0][0] if median else None, alerts)
