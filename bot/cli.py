"""Command line: `run_bot.py [ask|ingest|list|forget|restore|check|backup|set-webhook|migrate] ...` (also installed as
`news-qa-bot`), and the choice between the terminal chat and Telegram when no subcommand is given.

What the operator must fix (a setting, the database file, the disk, the
network) ends the program with one line on stderr and a non-zero exit code,
never a traceback; the token is kept out of every line, logged or printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.metadata
import json
import logging
import os
import re
import socket
import sqlite3
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Config, ConfigError, load_config
from bot.logs import RedactSecret, configure_logging, outside_failure
from bot.storage import SqliteArticles, StorageError, open_database, storage_error
from bot.storage_pg import answering_file

if TYPE_CHECKING:  # imported where used: the knowledge base loads the language models, slow for a bad setting
    from bot.knowledge import KnowledgeBase
    from bot.storage_pg.articles import Articles as PgArticles

EXIT_REFUSED = 1  # `ingest`: every file was refused; `forget`, `restore`: there is no such article
EXIT_CONFIG = 2  # a setting is wrong, or the Bot API refused the token (or the webhook URL)
EXIT_NETWORK = 3  # the Bot API cannot be reached, or the webhook port cannot be opened
EXIT_STORAGE = 4  # the database file or its disk failed
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report it
# What runs with a PostgreSQL BOT_DB so far (issue 12): not yet the bot itself, `check` or `backup`.
ON_POSTGRESQL = (None, "check", "ask", "ingest", "list", "forget", "restore", "migrate", "set-webhook")  # None: the bot

log = logging.getLogger(__name__)


def version() -> str:
    """The version pip installed (pyproject.toml's), for --version."""
    try:
        return importlib.metadata.version("news-qa-bot")
    except importlib.metadata.PackageNotFoundError:  # `python run_bot.py` from a clone never pip-installed
        return "(not installed: pip install -e .)"


def build_parser(prog: str = "run_bot.py") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Answers questions about news articles: in Telegram when TELEGRAM_BOT_TOKEN is set, "
                    "otherwise in this terminal.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    parser.add_argument("--webhook", metavar="URL",
                        help="receive Telegram updates by webhook at this public https:// URL instead of long "
                             "polling")
    sub = parser.add_subparsers(dest="command")
    ask = sub.add_parser("ask", help="answer a question and exit")
    ask.add_argument("question", help="the question, or - to read one question per line from stdin")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--conversation", action="store_true",
                     help="with -, read the lines as one conversation: a question may lean on the one before")
    ingest = sub.add_parser("ingest", help="load article files or folders into the database")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    sub.add_parser("list", help="list every article: number, state (live or retired), title")
    forget = sub.add_parser("forget", help="retire an article: no longer answered from, listed or announced")
    forget.add_argument("number", type=article_number, help="the article's number, as `list` and /articles show it")
    restore = sub.add_parser("restore", help="bring a retired article back")
    restore.add_argument("number", type=article_number, help="the article's number, as `list` shows it")
    check = sub.add_parser("check", help="check the settings, the database and the Bot API (getMe, webhook): one "
                                         "line each, exit code 0 when all pass")
    check.add_argument("--full", action="store_true",
                       help="SQLite's full integrity_check rather than quick_check (slow on a large database)")
    backup = sub.add_parser("backup", help="copy the database to PATH, consistent even while the bot runs or an "
                                           "ingest writes")
    backup.add_argument("path", type=Path, metavar="PATH")
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")
    set_webhook = sub.add_parser("set-webhook", help="register the webhook with Telegram once, for instances "
                                                     "sharing a PostgreSQL BOT_DB (they do not at start), then exit")
    set_webhook.add_argument("url", metavar="URL", help="the bot's public https:// URL, as given to --webhook")
    set_webhook.add_argument("--drop-pending-updates", action="store_true",
                             help="Telegram forgets the updates it holds for the bot")
    migrate = sub.add_parser("migrate", help="copy a SQLite deployment (articles, subscriptions, pending alerts, chat "
                                             "state, question log) into an empty PostgreSQL database, then exit")
    migrate.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE",
                         help="the SQLite database (BOT_DB), e.g. data/bot.db; stop the bot first")
    migrate.add_argument("--to", dest="target", required=True, metavar="URL",
                         help="postgresql://user:password@host:5432/dbname")
    migrate.add_argument("--force", action="store_true", help="replace what the PostgreSQL database holds")
    return parser


def run_ask(kb: KnowledgeBase, question: str, as_json: bool, conversation: bool = False) -> int:
    from bot.messages import decline_key, t
    from bot.terminal import render_answer

    previous = None

    def answer(text: str) -> str:
        nonlocal previous
        result = kb.ask(text, conversation=previous)
        if conversation:
            previous = result.conversation
        if as_json:
            return json.dumps(result.to_json(t(decline_key(result), result.lang)), ensure_ascii=False)
        return render_answer(result, kb)

    # "-": one question per line of stdin, answered as it arrives (works as a pipe filter).
    questions = (line.rstrip("\n") for line in sys.stdin) if question == "-" else [question]
    for text in questions:
        print(answer(text), flush=True)
    return 0


def run_ingest(kb: KnowledgeBase, paths: list[str]) -> int:
    from bot.ingest import IngestStopped

    try:
        report = kb.ingest(paths)
    except IngestStopped as error:
        # What was stored before the failure stays: the report says file by file, the error why.
        print("\n".join(error.report.lines()), flush=True)
        raise
    print("\n".join(report.lines()))
    return EXIT_REFUSED if report.refused and not (report.added or report.updated or report.skipped) else 0


def article_number(text: str) -> int:
    """An article number as given on the command line: ASCII digits only."""
    if not re.fullmatch(r"[0-9]{1,18}", text):
        raise argparse.ArgumentTypeError(f"not an article number: {text!r} (see `list`)")
    return int(text)


@contextlib.contextmanager
def stored_articles(config: Config) -> Iterator[SqliteArticles | PgArticles]:
    """The articles of BOT_DB, for `list`, `forget` and `restore`: in the SQLite file or in PostgreSQL."""
    if config.db_url is None:
        with contextlib.closing(open_database(config.db_path)) as db:
            yield SqliteArticles(db)
        return
    from bot.storage_pg.articles import Articles
    from bot.storage_pg.database import Database

    with contextlib.closing(Database(config.db_url)) as store:
        yield Articles(store)


def run_list(config: Config) -> int:
    """Every article, one line each: number, live or retired, title."""
    with stored_articles(config) as articles:
        for number, title, retired_at in articles.article_states():
            print(f"{number:>5}  {'retired' if retired_at is not None else 'live':<7}  {title}")
    return 0


def run_retire(config: Config, number: int, retired: bool) -> int:
    """`forget` (`retired`) or `restore` an article; a running bot sees it at its next question."""
    with stored_articles(config) as articles:
        changed = articles.set_retired(number, time.time() if retired else None)
        titles = {row[0]: row[1] for row in articles.article_states()}
    if changed is None:
        print(f"there is no article {number}: `list` shows their numbers", file=sys.stderr)
        return EXIT_REFUSED
    outcome = {(True, True): "retired", (True, False): "was already retired", (False, True): "restored",
               (False, False): "was not retired"}[retired, changed]
    print(f"article {number} {outcome}: {titles[number]}")
    return 0


def run_migrate(source: Path, target: str, force: bool) -> int:
    """`migrate --from FILE --to URL`: what was copied, counted by table."""
    from bot.migrate import TargetNotEmpty, migrate

    try:
        report = migrate(source, target, force)
    except TargetNotEmpty as error:
        print(error, file=sys.stderr)
        return EXIT_REFUSED
    print("\n".join(report.lines()))
    return 0


# --- start-up checks for the Telegram bot --------------------------------------------


def wait_for_bot_api(config: Config, sleep: Callable[[float], None] = time.sleep) -> tuple[int, str] | None:
    """Ask the Bot API who the bot is (getMe) until it answers: None when it did, else
    (exit code, the one line to print).

    A network that is not up yet (the bot started at boot) or a server error is retried with
    backoff (1, 2, 4... s) for at most `config.start_timeout` seconds; a refused token is final."""
    assert config.token is not None
    url = f"{config.api_base_url}{config.token}/getMe"
    # Through the bot's proxy (TELEGRAM_PROXY) as the bot's own HTTP client, never another taken from the environment.
    proxy = {"http": config.proxy, "https": config.proxy} if config.proxy else {}
    opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxy))
    started = time.monotonic()
    delay, tries = 1.0, 0
    while True:
        tries += 1
        remaining = config.start_timeout - (time.monotonic() - started)
        try:
            with opener.open(url, timeout=max(1.0, min(10.0, remaining))) as response:
                body = response.read(1_000_000)
        except urllib.error.HTTPError as error:
            if error.code == 401:
                return EXIT_CONFIG, (f"{config.api_base_url} refused TELEGRAM_BOT_TOKEN (401 Unauthorized): "
                                     "copy the token again from @BotFather")
            if error.code == 404:
                return EXIT_CONFIG, (f"{config.api_base_url} does not know this bot (404 Not Found): "
                                     "check TELEGRAM_BOT_TOKEN, and that TELEGRAM_API_BASE_URL ends in /bot")
            if error.code != 429 and error.code < 500:
                return EXIT_CONFIG, (f"{config.api_base_url} answered HTTP {error.code} to getMe: "
                                     "check TELEGRAM_API_BASE_URL")
            reason = f"HTTP {error.code}"
        except (urllib.error.URLError, OSError, ValueError) as error:  # ValueError: a URL urllib cannot use
            reason = str(getattr(error, "reason", None) or error) or type(error).__name__
        else:
            try:
                answered = json.loads(body).get("ok") is True
            except (ValueError, AttributeError):
                answered = False
            if answered:
                return None
            return EXIT_CONFIG, (f"{config.api_base_url} did not answer getMe as a Bot API server does: "
                                 "check TELEGRAM_API_BASE_URL")
        elapsed = time.monotonic() - started
        if elapsed >= config.start_timeout:
            return EXIT_NETWORK, (f"cannot reach {config.api_base_url} ({reason}; {tries} "
                                  f"tr{'y' if tries == 1 else 'ies'} in {elapsed:.0f} s): check the network and "
                                  "TELEGRAM_API_BASE_URL (BOT_START_TIMEOUT sets how long to keep trying)")
        pause = min(delay, config.start_timeout - elapsed)  # the last try comes at the deadline
        log.debug("Bot API at %s not reachable (%s): next try in %.1f s", config.api_base_url, reason, pause)
        sleep(pause)
        delay = min(delay * 2, 30.0)


def check_webhook_port(config: Config) -> str | None:
    """The one line to print if the webhook server could not listen where it is told to."""
    try:
        families = {info[0] for info in socket.getaddrinfo(config.webhook_listen, config.port,
                                                           type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)}
        for family in families:
            with socket.socket(family, socket.SOCK_STREAM) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the webhook server does
                probe.bind((config.webhook_listen, config.port))
    except OSError as error:
        return (f"Webhook error: cannot listen on {config.webhook_listen} port {config.port} "
                f"(BOT_WEBHOOK_LISTEN, PORT): {error.strerror or error}; choose another PORT or stop what uses it")
    return None


def check_webhook_url(url: str, given_as: str = "--webhook") -> None:
    """Raise ConfigError unless `url` can be given to Telegram as the webhook."""
    if not url.startswith("https://") or len(url) <= len("https://") or any(c.isspace() for c in url):
        raise ConfigError(f"{given_as} must be the bot's public https:// URL (Telegram sends updates only over "
                          "HTTPS)")


# --- main ----------------------------------------------------------------------------


def console() -> None:
    """The `news-qa-bot` command (pyproject.toml's [project.scripts]): `run_bot.py` under its own name."""
    sys.exit(main(prog="news-qa-bot"))


def main(argv: list[str] | None = None, run_telegram: Callable[[Config, str | None], int] | None = None,
         prog: str = "run_bot.py") -> int:
    args = build_parser(prog).parse_args(argv)
    # Text that is not UTF-8 on stdin (a question, the terminal chat) is read with replacement
    # characters rather than ending the program.
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")
    if args.command == "check":  # a bad setting is one of the failures it reports
        from bot.check import run_check

        return run_check(args.full)
    try:
        config = load_config()
        if config.db_url is not None and args.command not in ON_POSTGRESQL:
            raise ConfigError(f"BOT_DB: `{args.command}` does not run on PostgreSQL: PostgreSQL's own pg_dump "
                              "makes its backups (see the README)")
        if args.webhook is not None:
            check_webhook_url(args.webhook)
        if args.command == "set-webhook":
            check_webhook_url(args.url, "set-webhook URL")
            if not config.token:
                raise ConfigError("set-webhook needs TELEGRAM_BOT_TOKEN")
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(config)
    redact = RedactSecret(config.token).redact if config.token else str

    def fail(code: int, line: str) -> int:
        print(redact(line), file=sys.stderr, flush=True)
        return code

    try:
        if args.command is None and config.token:
            return _run_telegram(config, args.webhook, run_telegram, fail)
        if args.command == "migrate":
            return run_migrate(args.source, args.target, args.force)
        if args.command == "set-webhook":
            return run_set_webhook(config, args.url, args.drop_pending_updates, fail)
        return _run_here(config, args)
    except StorageError as error:
        return fail(EXIT_STORAGE, f"Database error: {error}")
    except sqlite3.Error as error:
        problem = storage_error(error, config.db_path)
        if problem is None:
            raise
        return fail(EXIT_STORAGE, f"Database error: {problem}")
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `run_bot.py ask - | head`: the reader is gone, nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run_here(config: Config, args: argparse.Namespace) -> int:
    """The command line and the terminal chat."""
    # On the database alone: no article is loaded, no language model either.
    if args.command == "list":
        return run_list(config)
    if args.command in ("forget", "restore"):
        return run_retire(config, args.number, retired=args.command == "forget")
    if args.command == "backup":
        from bot.backup import backup_database

        print(backup_database(config.db_path, args.path, args.force).line())
        return 0
    from bot.knowledge import KnowledgeBase
    from bot.terminal import chat

    # The command line loads the bundled articles on first start like the bot does, except for
    # `ingest`, whose job is precisely to say what it loads.
    kb = KnowledgeBase(answering_file(config), None if args.command == "ingest" else config.articles_dir,
                       semantic=args.command != "ingest", shared=config.db_url)  # storing needs no word vectors
    if args.command == "ask":
        return run_ask(kb, args.question, args.json, args.conversation)
    if args.command == "ingest":
        return run_ingest(kb, args.paths)
    chat(kb)
    return 0


def _run_telegram(config: Config, webhook: str | None, run_telegram: Callable[[Config, str | None], int] | None,
                  fail: Callable[[int, str], int]) -> int:
    """Check what the bot needs before loading anything heavy — the database, the webhook port,
    the Bot API — then run it. Each check fails with one line."""
    if config.db_url:  # raises StorageError, reported by main
        from bot.backends import open_store

        open_store(config.db_url).close()
    else:
        open_database(config.db_path).close()
    if webhook:
        problem = check_webhook_port(config)
        if problem:
            return fail(EXIT_NETWORK, problem)
    unreachable = wait_for_bot_api(config)
    if unreachable:
        code, line = unreachable
        return fail(code, f"Bot API error: {line}")
    if run_telegram is None:
        from handlers.app import run  # the Telegram layer is imported only when used

        run_telegram = run
    try:
        return run_telegram(config, webhook)
    except (StorageError, sqlite3.Error):
        raise  # reported by main
    except Exception as error:
        # The Bot API went away between the check above and the bot's own first call.
        line = outside_failure(error, config.db_path)
        if line is None:
            raise
        return fail(EXIT_NETWORK, f"Bot API error: {config.api_base_url}: {line}")


def run_set_webhook(config: Config, public_url: str, drop_pending_updates: bool,
                    fail: Callable[[int, str], int]) -> int:
    """`set-webhook URL`: getMe as at start (the token, the network), then setWebhook; one line."""
    unreachable = wait_for_bot_api(config)
    if unreachable:
        code, line = unreachable
        return fail(code, f"Bot API error: {line}")
    from telegram.error import BadRequest

    from handlers.webhook import set_webhook_once

    try:
        url = asyncio.run(set_webhook_once(config, public_url, drop_pending_updates))
    except BadRequest as error:  # Telegram refused the URL: not resolvable, a port it does not send to...
        return fail(EXIT_CONFIG, f"Bot API error: setWebhook refused {public_url}: {error.message}")
    except Exception as error:
        line = outside_failure(error, config.db_path)
        if line is None:
            raise
        return fail(EXIT_NETWORK, f"Bot API error: {config.api_base_url}: {line}")
    print(f"webhook {url} registered: Telegram sends every update type there, with the secret token")
    return 0
