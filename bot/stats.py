"""The operators' figures (/stats): articles, chats, questions, reply times, alerts."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import storage

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


def gather(db_path: str | Path, alerts: dict[str, int], now: float, timezone: str) -> Stats:
    """The figures at `now`, read on a connection of their own."""
    midnight = datetime.fromtimestamp(now, ZoneInfo(timezone)).replace(hour=0, minute=0, second=0, microsecond=0)
    week = now - WEEK
    with contextlib.closing(storage.open_database(db_path)) as db:
        live, retired = db.execute("SELECT count(*) - count(retired_at), count(retired_at) FROM articles").fetchone()
        chats, subscribed = db.execute("SELECT count(*), coalesce(sum(subscribed), 0) FROM chats "
                                       "WHERE active = 1").fetchone()
        today = db.execute("SELECT count(*) FROM questions WHERE asked_at >= ?", [midnight.timestamp()]).fetchone()[0]
        asked, answered = db.execute("SELECT count(*), coalesce(sum(answered), 0) FROM questions "
                                     "WHERE asked_at >= ?", [week]).fetchone()
        # The middle row by reply time (the lower one of an even count), without loading them all.
        median = db.execute("SELECT latency_ms FROM questions WHERE asked_at >= ? "
                            "ORDER BY latency_ms LIMIT 1 OFFSET ?", [week, max(0, (asked - 1) // 2)]).fetchone()
    return Stats(live, retired, chats, subscribed, today, asked, answered / asked if asked else None,
                 median[0] if median else None, alerts)
