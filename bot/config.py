"""Settings from the environment and an optional `.env` file.

A missing or malformed setting stops start-up with one clear line
(`ConfigError`); the token is never part of any message.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"


class ConfigError(Exception):
    """A setting that prevents start-up; the message is one line for the operator."""


@dataclass(frozen=True)
class Config:
    token: str | None
    api_base_url: str
    db_path: Path
    articles_dir: Path
    admin_ids: frozenset[int] = field(default_factory=frozenset)
    log_level: str = "INFO"
    timezone: str = "Europe/Paris"
    alert_interval: float = 2.0  # seconds between looks at the articles folder and the outbox
    workers: int = 0  # processes answering questions for the Telegram bot (0: in the bot's own process)


def load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines into os.environ; variables already set win."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = re.match(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$", line)
        if match and not line.lstrip().startswith("#"):
            value = match.group(2)
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            os.environ.setdefault(match.group(1), value)


def load_config(env: dict[str, str] | None = None) -> Config:
    """Build the configuration; raises ConfigError naming the bad setting."""
    if env is None:
        load_dotenv(Path.cwd() / ".env")
        env = dict(os.environ)
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    if token is not None and not re.fullmatch(r"\d+:[A-Za-z0-9_-]{20,}", token):
        raise ConfigError("TELEGRAM_BOT_TOKEN is malformed (expected '<digits>:<secret>' as given by @BotFather)")
    base_url = env.get("TELEGRAM_API_BASE_URL", "").strip() or DEFAULT_API_BASE_URL
    if not re.match(r"^https?://[^\s/]+", base_url):
        raise ConfigError(f"TELEGRAM_API_BASE_URL must be an http(s) URL such as {DEFAULT_API_BASE_URL}")
    admin_text = env.get("BOT_ADMIN_IDS", "").strip()
    try:
        admins = frozenset(int(x) for x in re.split(r"[,\s]+", admin_text) if x)
    except ValueError:
        raise ConfigError("BOT_ADMIN_IDS must be comma-separated numeric Telegram user ids") from None
    level = env.get("BOT_LOG_LEVEL", "INFO").strip().upper()
    if not isinstance(logging.getLevelName(level), int):
        raise ConfigError("BOT_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR")
    timezone = env.get("BOT_TIMEZONE", "Europe/Paris").strip()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"BOT_TIMEZONE '{timezone}' is not a known time zone") from None
    try:
        interval = float(env.get("BOT_ALERT_INTERVAL", "").strip() or 2.0)
    except ValueError:
        interval = -1.0
    if not 0.05 <= interval <= 60:
        raise ConfigError("BOT_ALERT_INTERVAL must be a number of seconds between 0.05 and 60")
    workers_text = env.get("BOT_WORKERS", "").strip()
    if not re.fullmatch(r"\d{1,2}", workers_text or "0"):
        raise ConfigError("BOT_WORKERS must be a whole number of processes from 0 to 99")
    # One core stays with the bot's own process (Telegram, HTTP); the others answer questions.
    workers = int(workers_text) if workers_text else min(4, (os.cpu_count() or 1) - 1)
    articles_dir = Path(env.get("BOT_ARTICLES_DIR", "").strip() or PROJECT_DIR / "seeds")
    return Config(
        token=token,
        api_base_url=base_url,
        db_path=Path(env.get("BOT_DB", "").strip() or "data/bot.db"),
        articles_dir=articles_dir,
        admin_ids=admins,
        log_level=level,
        timezone=timezone,
        alert_interval=interval,
        workers=workers,
    )
