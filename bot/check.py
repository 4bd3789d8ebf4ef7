"""`run_bot.py check`: is this installation ready to run? For operators, scripts and container
health checks.

One line per check on stdout — `NAME: ok (...)`, `NAME: FAIL what to fix` or
`NAME: skipped (why)` — and the exit code of the first failure, by the table
of bot/cli.py (0 when everything passed). Nothing is changed: the database is
opened read-only (a missing file is reported, not created, an old schema is
not migrated) and the webhook is only read.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from bot.backup import open_read_only
from bot.cli import EXIT_CONFIG, EXIT_NETWORK, EXIT_STORAGE, wait_for_bot_api
from bot.config import Config, ConfigError, load_config
from bot.logs import RedactSecret
from bot.storage import MIGRATIONS, StorageError, storage_error

CHECK_TIMEOUT = 5.0  # seconds to keep trying an unreachable Bot API, at most (BOT_START_TIMEOUT if shorter)


@dataclass
class Result:
    name: str
    failed: int  # the exit code for this failure, 0 when the check passed
    detail: str
    skipped: bool = False

    def line(self) -> str:
        if self.failed:
            return f"{self.name}: FAIL {self.detail}"
        return f"{self.name}: {'skipped' if self.skipped else 'ok'} ({self.detail})"


def run_check(full: bool = False, output: Callable[[str], None] = print) -> int:
    """Run every check in order, `output` one line each; the exit code of the first failure."""
    try:
        config = load_config()
    except ConfigError as error:
        output(Result("configuration", EXIT_CONFIG, str(error)).line())
        return EXIT_CONFIG
    redact = RedactSecret(config.token).redact if config.token else str
    database = check_postgres(config.db_url) if config.db_url else check_database(config.db_path, full)
    results = [Result("configuration", 0, f"database {database.name.removeprefix('database ')}, articles folder "
                                          f"{config.articles_dir}, "
                                          + ("Telegram bot" if config.token else "no token: terminal chat only")),
               database, *check_telegram(config)]
    for result in results:
        output(redact(result.line()))
    return next((r.failed for r in results if r.failed), 0)


def check_database(path: Path, full: bool = False) -> Result:
    """The file exists, SQLite reads it, its pages are sound (quick_check, or the slower
    integrity_check with `full`), and its schema is one this version of the bot can use."""
    name = f"database {path}"
    try:
        with contextlib.closing(open_read_only(path)) as db:
            problems = [row[0] for row in db.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check")]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            known = 0 < version <= len(MIGRATIONS)  # a schema whose tables this version of the bot knows
            articles = db.execute("SELECT count(*) FROM articles").fetchone()[0] if known else 0
    except StorageError as error:
        return Result(name, EXIT_STORAGE, str(error))
    except sqlite3.Error as error:
        problem = storage_error(error, path)
        if problem is None:
            raise
        return Result(name, EXIT_STORAGE, str(problem))
    if problems != ["ok"]:
        return Result(name, EXIT_STORAGE, f"damaged: {'; '.join(problems[:3])}: restore it from a backup "
                                          "(README, Backup and restore)")
    kind = "integrity_check" if full else "quick_check"
    return _schema(name, version, len(MIGRATIONS),
                   f"{articles} articles, {path.stat().st_size / 1e6:.1f} MB, {kind} ok")


def check_postgres(url: str) -> Result:
    """The server answers (within CHECK_TIMEOUT), and its schema is one this version of the bot can
    use; nothing is created or migrated. Pages are PostgreSQL's own business (its checksums)."""
    import psycopg  # only where PostgreSQL is used

    from bot.storage_pg.database import describe
    from bot.storage_pg.schema import MIGRATIONS as PG_MIGRATIONS

    name = f"database {describe(url)}"
    try:
        with psycopg.connect(url, connect_timeout=int(CHECK_TIMEOUT)) as conn:
            exists = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()[0]
            version = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0 if exists else 0
            articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0] if version else 0
    except psycopg.Error as error:
        return Result(name, EXIT_STORAGE, f"{str(error).strip().splitlines()[0][:200]}: check BOT_DB and that the "
                                          "server is running")
    return _schema(name, version, len(PG_MIGRATIONS), f"{articles} articles")


def _schema(name: str, version: int, current: int, detail: str) -> Result:
    """The database's schema `version` against the `current` one this version of the bot knows."""
    if version > current:
        return Result(name, EXIT_STORAGE, f"schema {version} is newer than this version of the bot knows "
                                          f"({current}): run the newer version, or restore a backup")
    schema = f"schema {version}" + (f", migrated to {current} at the next start" if version < current else "")
    return Result(name, 0, f"{schema}, {detail}")


def check_telegram(config: Config) -> list[Result]:
    """getMe, as the bot does at start, then the webhook Telegram has for the bot."""
    from telegram.error import TelegramError  # the Telegram layer is imported only when there is a token

    if not config.token:
        why = "no TELEGRAM_BOT_TOKEN"
        return [Result("Bot API", 0, why, skipped=True), Result("webhook", 0, why, skipped=True)]
    refused = wait_for_bot_api(replace(config, start_timeout=min(config.start_timeout, CHECK_TIMEOUT)))
    if refused:
        code, line = refused
        return [Result("Bot API", code, line), Result("webhook", 0, "the Bot API did not answer", skipped=True)]
    try:
        username, webhook = asyncio.run(_bot_and_webhook(config))
    except TelegramError as error:  # the Bot API went away after getMe
        return [Result("Bot API", EXIT_NETWORK, f"{config.api_base_url}: {type(error).__name__}: {error}"),
                Result("webhook", 0, "the Bot API did not answer", skipped=True)]
    return [Result("Bot API", 0, f"@{username} at {config.api_base_url}"), webhook]


async def _bot_and_webhook(config: Config) -> tuple[str, Result]:
    """Through the bot's own HTTP client (and proxy): its username, and the webhook check."""
    from telegram import Bot

    from handlers.transport import AiohttpRequest

    async with Bot(config.token, base_url=config.api_base_url, request=AiohttpRequest(proxy=config.proxy)) as bot:
        username = bot.username  # from the getMe of the bot's initialisation
        info = await bot.get_webhook_info()
    if not info.url:
        return username, Result("webhook", 0, "none: the bot receives updates by long polling")
    state = f"{info.url}, {info.pending_update_count} pending updates"
    if info.last_error_date is None:
        return username, Result("webhook", 0, state)
    error = (f"{state}, Telegram's last delivery failed {_ago(info.last_error_date)}: "
             f"{info.last_error_message or 'no reason given'}")
    # Telegram keeps the updates it could not deliver: piling up, they are replies nobody gets.
    if info.pending_update_count:
        return username, Result("webhook", EXIT_NETWORK, f"{error} (is run_bot.py --webhook running, and "
                                                            "the reverse proxy forwarding /telegram to it?)")
    return username, Result("webhook", 0, error)


def _ago(when: datetime) -> str:
    seconds = max(0, int((datetime.now(UTC) - when).total_seconds()))
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"
