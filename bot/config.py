"""Settings from the environment and an optional `.env` file.

Every setting is read and checked here, and only here: a missing or malformed
one stops start-up with one line naming it (`ConfigError`); the token is never
part of any message.
"""

from __future__ import annotations

import io
import ipaddress
import logging
import os
import re
import stat
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dotenv
from dotenv.parser import parse_stream

from bot.storage_pg import is_postgres

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_PORT = 8443
DEFAULT_LISTEN = "0.0.0.0"
DEFAULT_START_TIMEOUT = 30.0


class ConfigError(Exception):
    """A setting that prevents start-up; the message is one line for the operator."""


@dataclass(frozen=True)
class Config:
    token: str | None
    api_base_url: str
    db_path: Path  # the SQLite file (BOT_DB); not used when db_url is set
    articles_dir: Path
    admin_ids: frozenset[int] = field(default_factory=frozenset)
    log_level: str = "INFO"
    timezone: str = "Europe/Paris"
    alert_interval: float = 2.0  # seconds between looks at the articles folder and the outbox
    workers: int = 0  # processes answering questions for the Telegram bot (0: in the bot's own process)
    webhook_secret: str | None = None  # None: derived from the token
    webhook_listen: str = DEFAULT_LISTEN
    port: int = DEFAULT_PORT
    start_timeout: float = DEFAULT_START_TIMEOUT  # seconds to keep trying an unreachable Bot API at start
    allowed_chats: frozenset[int] | None = None  # None: every chat; else only these chats and the operators
    log_questions: bool = True  # keep the text of declined questions for /unanswered (30 days)
    log_format: str = "text"  # "text" or "json" (one JSON object per log line)
    proxy: str | None = None  # http:// proxy for the Bot API (TELEGRAM_PROXY, else HTTPS_PROXY)
    db_url: str | None = None  # BOT_DB=postgresql://…: the database several instances share
    replica_path: Path = Path("data/replica.db")  # with db_url: the local copy of the articles (bot/replica.py)


@dataclass(frozen=True)
class Setting:
    """One environment variable: `default` is the value as written in a `.env` file ("" when it
    depends on something else, then `unset` says what in words); `help` is one line, Markdown."""

    name: str
    default: str
    help: str
    unset: str = ""


# Every variable load_config reads, in the order of `.env.example` and of the README's table,
# which are both generated from here (`python -m bot.config --env-example`, `--readme-table`).
SETTINGS = (
    Setting("TELEGRAM_BOT_TOKEN", "", "bot token from @BotFather; unset = the terminal chat instead of Telegram",
            "unset"),
    Setting("TELEGRAM_API_BASE_URL", DEFAULT_API_BASE_URL,
            "Bot API base URL, PTB `base_url` form; e.g. `http://127.0.0.1:8081/bot` for a self-hosted server"),
    Setting("TELEGRAM_PROXY", "", "HTTP proxy for every call to the Bot API, e.g. `http://127.0.0.1:3128`",
            "`HTTPS_PROXY`"),
    Setting("HTTPS_PROXY", "", "the proxy when `TELEGRAM_PROXY` is unset (`https_proxy` too)", "unset"),
    Setting("NO_PROXY", "", "hosts reached without `HTTPS_PROXY` (`no_proxy` too), e.g. `127.0.0.1,.example.org`",
            "empty"),
    Setting("BOT_DB", "data/bot.db", "SQLite database file (a regular file; its folder is created; `sqlite:///path` "
            "too), or `postgresql://user:password@host:5432/dbname` (several instances: see the README)"),
    Setting("BOT_REPLICA", "data/replica.db", "with a PostgreSQL `BOT_DB`: this instance's SQLite copy of the "
            "articles, which it answers from (kept in step by itself)"),
    Setting("BOT_ARTICLES_DIR", "", "folder loaded at start (new or changed files only); a folder that does not "
            "exist is not watched", "`seeds/` of the project"),
    Setting("BOT_ADMIN_IDS", "", "comma-separated Telegram user ids of the operators", "empty"),
    Setting("BOT_ALLOWED_CHATS", "", "comma-separated chat ids the bot serves, besides the operators' "
            "(groups are negative); empty = every chat", "empty"),
    Setting("BOT_LOG_LEVEL", "INFO", "`DEBUG`, `INFO`, `WARNING`, `ERROR`; message text is logged only at `DEBUG`"),
    Setting("BOT_LOG_FORMAT", "text", "`text`, or `json` for one JSON object per line (log collectors)"),
    Setting("BOT_LOG_QUESTIONS", "1", "`0` keeps no declined question for `/unanswered` (else kept 30 days, "
            "without user ids)"),
    Setting("BOT_TIMEZONE", "Europe/Paris", "time zone of `/digest HH:MM`"),
    Setting("BOT_ALERT_INTERVAL", "2", "seconds between looks at the articles folder and the alert queue (0.05–60)"),
    Setting("BOT_WORKERS", "", "processes that answer Telegram questions; `0` answers in the bot's own process",
            "cores − 1 (at most 4)"),
    Setting("BOT_START_TIMEOUT", f"{DEFAULT_START_TIMEOUT:g}",
            "seconds to keep trying an unreachable Bot API at start (0–3600; `0` = one try)"),
    Setting("BOT_WEBHOOK_SECRET", "", "secret token Telegram sends with webhook updates (1–256 of "
            "`A-Z a-z 0-9 _ -`)", "derived from the token"),
    Setting("BOT_WEBHOOK_LISTEN", DEFAULT_LISTEN, "where the webhook server listens: an IP address or host name"),
    Setting("PORT", str(DEFAULT_PORT), "TCP port of the webhook server (1–65535)"),
)


def env_example() -> str:
    """The text of `.env.example`: every setting commented out at its default, under its help line."""
    lines = ["# Settings of news-qa-bot: copy to .env and uncomment what you change.",
             "# Generated by `python -m bot.config --env-example` from bot/config.py."]
    for setting in SETTINGS:
        default = f" (default: {setting.unset.replace('`', '')})" if setting.unset else ""
        lines += ["", f"# {setting.help.replace('`', '')}{default}", f"# {setting.name}={setting.default}"]
    return "\n".join(lines) + "\n"


def readme_table() -> str:
    """The README's configuration table (Markdown)."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    lines += [f"| `{s.name}` | {s.unset or f'`{s.default}`'} | {s.help} |" for s in SETTINGS]
    return "\n".join(lines) + "\n"


TOKEN_SHAPE = r"\d+:[A-Za-z0-9_-]{20,}"


def secret_pattern(token: str) -> re.Pattern[str]:
    """What finds the token in text for redaction: in any letter case (a lower-cased URL in an
    error message) and URL-encoded (':' as %3A); the secret part alone too, as the bot id before
    the colon is public."""
    bot_id, _, secret = token.partition(":")
    return re.compile(rf"(?:{re.escape(bot_id)}(?::|%3a))?{re.escape(secret)}", re.IGNORECASE)


def load_dotenv(path: Path) -> None:
    """Read a `.env` file into os.environ by python-dotenv's rules (quotes, `export`, inline
    comments, `${VAR}`); variables already set in the environment win.

    A byte-order mark is dropped first: python-dotenv keeps it as part of the first name, which
    silently lost the first setting (often the token). A line python-dotenv cannot read is an
    error rather than its warning, for the same reason."""
    if not path.exists():
        return
    if not path.is_file():  # a FIFO would block the start for good; a folder has nothing to read
        raise ConfigError(f"{path} is not a regular file: remove it or make it a KEY=VALUE text file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise ConfigError(f"{path} cannot be read ({error.strerror or error}): fix its permissions") from None
    except UnicodeDecodeError as error:
        line = error.object.count(b"\n", 0, error.start) + 1
        raise ConfigError(f"{path} line {line} is not UTF-8 text: save the file as UTF-8") from None
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            raise ConfigError(f"{path} line {binding.original.line} is not a KEY=VALUE setting: "
                              "fix or comment it out with #")
    dotenv.load_dotenv(stream=io.StringIO(text), override=False)


def _number(env: dict[str, str], name: str, default: float, low: float, high: float, unit: str) -> float:
    text = env.get(name, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # NaN fails too
        raise ConfigError(f"{name} must be a number of {unit} between {low:g} and {high:g}")
    return value


def _db_url(env: dict[str, str]) -> str | None:
    """BOT_DB as a postgresql:// URL (None: SQLite). Whether the server answers is for connecting to
    say; the URL is never part of a message, as it may hold a password."""
    url = env.get("BOT_DB", "").strip()
    if not is_postgres(url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number from 0 to 65535)
    except ValueError:
        raise ConfigError("BOT_DB is not a valid PostgreSQL URL: write it as "
                          "postgresql://user:password@host:5432/dbname") from None
    if not parts.path.strip("/"):
        raise ConfigError("BOT_DB names no database: write postgresql://user:password@host:5432/dbname")
    return url


def _db_path(env: dict[str, str]) -> Path:
    """BOT_DB: a file SQLite can create or open, as a path or `sqlite:///path` (SQLAlchemy's form:
    `sqlite:////srv/bot.db` is absolute). What only opening it can tell (a damaged or read-only
    file, a full disk) is reported by bot/storage.py."""
    text = env.get("BOT_DB", "").strip()
    path = Path(text.removeprefix("sqlite:///") or "data/bot.db")
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):  # not there yet; a file in the way is named below
        mode = None
    except OSError as error:
        raise ConfigError(f"BOT_DB {path} cannot be checked ({error.strerror or error}): "
                          "set BOT_DB to a database file the bot may write") from None
    if mode is not None and not stat.S_ISREG(mode):
        raise ConfigError(f"BOT_DB {path} is {file_kind(mode)}, not a database file: "
                          "set BOT_DB to a file path such as data/bot.db")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(f"BOT_DB {path}: {parent} is not a folder; set BOT_DB to a path in a folder")
            break
    return path


def file_kind(mode: int) -> str:
    """'a named pipe', 'a folder'...: what a path is, in words, from its st_mode."""
    kinds = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")]
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def load_config(env: dict[str, str] | None = None) -> Config:
    """Build the configuration; raises ConfigError naming the bad setting."""
    if env is None:
        load_dotenv(Path.cwd() / ".env")
        env = dict(os.environ)
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    if token is not None and not re.fullmatch(TOKEN_SHAPE, token):
        raise ConfigError("TELEGRAM_BOT_TOKEN is malformed (expected '<digits>:<secret>' as given by @BotFather)")
    base_url = env.get("TELEGRAM_API_BASE_URL", "").strip() or DEFAULT_API_BASE_URL
    if not re.match(r"^https?://[^\s/]+[^\s]*$", base_url):
        raise ConfigError(f"TELEGRAM_API_BASE_URL must be an http(s) URL such as {DEFAULT_API_BASE_URL}")
    admin_text = env.get("BOT_ADMIN_IDS", "").strip()
    admin_parts = [x for x in re.split(r"[,\s]+", admin_text) if x]
    # ASCII digits only: int() also takes '١٢', '+12' or '1_2', and no Telegram id looks like that.
    if not all(re.fullmatch(r"[0-9]{1,19}", x) for x in admin_parts):
        raise ConfigError("BOT_ADMIN_IDS must be comma-separated numeric Telegram user ids")
    admins = frozenset(int(x) for x in admin_parts)
    level = env.get("BOT_LOG_LEVEL", "INFO").strip().upper()
    if not isinstance(logging.getLevelName(level), int):
        raise ConfigError("BOT_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR")
    timezone = env.get("BOT_TIMEZONE", "Europe/Paris").strip()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"BOT_TIMEZONE '{timezone[:60]}' is not a known time zone") from None
    interval = _number(env, "BOT_ALERT_INTERVAL", 2.0, 0.05, 60, "seconds")
    workers_text = env.get("BOT_WORKERS", "").strip()
    if not re.fullmatch(r"\d{1,2}", workers_text or "0"):
        raise ConfigError("BOT_WORKERS must be a whole number of processes from 0 to 99")
    # One core stays with the bot's own process (Telegram, HTTP); the others answer questions.
    workers = int(workers_text) if workers_text else min(4, (os.cpu_count() or 1) - 1)
    articles_dir = Path(env.get("BOT_ARTICLES_DIR", "").strip() or PROJECT_DIR / "seeds")
    # A folder that does not exist (yet) is allowed: nothing is loaded and no folder is watched.
    if articles_dir.exists() and not articles_dir.is_dir():
        raise ConfigError(f"BOT_ARTICLES_DIR {articles_dir} is not a folder")
    # The webhook settings are read as given, not stripped: the Telegram layer passes them on as they are.
    secret = env.get("BOT_WEBHOOK_SECRET") or None
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise ConfigError("BOT_WEBHOOK_SECRET must be 1 to 256 characters among A-Z, a-z, 0-9, _ and - "
                          "(Telegram's rule for secret_token)")
    listen = env.get("BOT_WEBHOOK_LISTEN") or DEFAULT_LISTEN
    if not _is_host(listen):
        raise ConfigError("BOT_WEBHOOK_LISTEN must be an IP address such as 0.0.0.0, 127.0.0.1 or ::, or a host name")
    port_text = env.get("PORT") or str(DEFAULT_PORT)
    if not re.fullmatch(r"\s*\d{1,5}\s*", port_text) or not 1 <= int(port_text) <= 65535:
        raise ConfigError("PORT must be a TCP port number from 1 to 65535 (where the webhook server listens)")
    start_timeout = _number(env, "BOT_START_TIMEOUT", DEFAULT_START_TIMEOUT, 0, 3600, "seconds")
    allowed_text = env.get("BOT_ALLOWED_CHATS", "").strip()
    allowed_parts = [x for x in re.split(r"[,\s]+", allowed_text) if x]
    # Set but naming no chat (" , ") is an error, not "every chat": an allow-list must not fail open.
    if not all(re.fullmatch(r"-?[0-9]{1,19}", x) for x in allowed_parts) or (allowed_text and not allowed_parts):
        raise ConfigError("BOT_ALLOWED_CHATS must be comma-separated numeric chat ids (groups are negative, "
                          "e.g. -1001234567890)")
    log_questions_text = env.get("BOT_LOG_QUESTIONS", "1").strip().lower() or "1"
    if log_questions_text not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
        raise ConfigError("BOT_LOG_QUESTIONS must be 1 (keep declined questions for /unanswered) or 0")
    db_url = _db_url(env)
    log_format = env.get("BOT_LOG_FORMAT", "text").strip().lower() or "text"
    if log_format not in ("text", "json"):
        raise ConfigError("BOT_LOG_FORMAT must be text or json")
    return Config(
        token=token,
        api_base_url=base_url,
        db_path=Path("data/bot.db") if db_url else _db_path(env),
        db_url=db_url,
        replica_path=Path(env.get("BOT_REPLICA", "").strip() or "data/replica.db"),
        articles_dir=articles_dir,
        admin_ids=admins,
        log_level=level,
        timezone=timezone,
        alert_interval=interval,
        workers=workers,
        webhook_secret=secret,
        webhook_listen=listen,
        port=int(port_text),
        start_timeout=start_timeout,
        allowed_chats=frozenset(int(x) for x in allowed_parts) if allowed_parts else None,
        log_questions=log_questions_text in ("1", "true", "yes", "on"),
        log_format=log_format,
        proxy=_proxy(env, base_url),
    )


def _proxy(env: dict[str, str], base_url: str) -> str | None:
    """TELEGRAM_PROXY, else HTTPS_PROXY unless NO_PROXY names the Bot API's host (as curl and httpx
    read them); an HTTP proxy only, the one kind both of the bot's HTTP clients speak (aiohttp, and
    urllib for the start-up check)."""
    proxy = env.get("TELEGRAM_PROXY", "").strip()
    if not proxy:
        proxy = (env.get("HTTPS_PROXY") or env.get("https_proxy") or "").strip()
        no_proxy = env.get("NO_PROXY") or env.get("no_proxy") or ""
        if proxy and urllib.request.proxy_bypass_environment(urlsplit(base_url).hostname or "", {"no": no_proxy}):
            return None
    if proxy and not re.fullmatch(r"http://[^\s/@]*@?[^\s/@]+/?", proxy):
        raise ConfigError("TELEGRAM_PROXY / HTTPS_PROXY must be an HTTP proxy URL such as http://127.0.0.1:3128 "
                          "(SOCKS and https:// proxies are not supported; NO_PROXY may name the Bot API host)")
    return proxy or None


def _is_host(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return re.fullmatch(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
                            r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*", text) is not None


if __name__ == "__main__":
    # `python -m bot.config --env-example > .env.example`; `--readme-table` for the README.
    outputs = {"--env-example": env_example, "--readme-table": readme_table}
    if sys.argv[1:] not in ([option] for option in outputs):
        sys.exit(f"usage: python -m bot.config {' | '.join(outputs)}")
    print(outputs[sys.argv[1]](), end="")
