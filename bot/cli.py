"""Command line: `run_bot.py [ask|ingest] ...`, and the choice between the
terminal chat and Telegram when no subcommand is given.

What the operator must fix (a setting, the database file, the disk, the
network) ends the program with one line on stderr and a non-zero exit code,
never a traceback; the token is kept out of every line, logged or printed.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import sqlite3
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from bot.config import Config, ConfigError, load_config, secret_pattern
from bot.storage import StorageError, open_database, storage_error

if TYPE_CHECKING:  # imported where used: the knowledge base loads the language models, slow for a bad setting
    from bot.knowledge import KnowledgeBase

EXIT_REFUSED = 1  # `ingest`: every file was refused
EXIT_CONFIG = 2  # a setting is wrong, or the Bot API refused the token
EXIT_NETWORK = 3  # the Bot API cannot be reached, or the webhook port cannot be opened
EXIT_STORAGE = 4  # the database file or its disk failed
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report it

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run_bot.py",
        description="Answers questions about news articles: in Telegram when TELEGRAM_BOT_TOKEN is set, "
                    "otherwise in this terminal.",
    )
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


# --- logging ----------------------------------------------------------------------


class RedactSecret(logging.Filter):
    """Replace a secret (the bot token) in every log line, whichever library writes it: the
    message, the exception text and traceback, the stack; in any letter case and URL-encoded."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.pattern = secret_pattern(secret)

    def redact(self, text: str) -> str:
        return self.pattern.sub("<token>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            # Formatted here so that the cleaned text is what every formatter prints (they reuse exc_text).
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


_TRACEBACKS = logging.Formatter()


def outside_failure(error: BaseException, db_path: str | Path) -> str | None:
    """One line for a failure of the outside world (network, disk, the database file at `db_path`),
    None for a bug. The operator can act on the line; the traceback would only say where Python was."""
    if isinstance(error, StorageError):
        return str(error)
    if isinstance(error, sqlite3.Error):
        problem = storage_error(error, db_path)
        return str(problem) if problem else None
    telegram_error = sys.modules.get("telegram.error")  # loaded only with the Telegram layer
    if telegram_error is not None and isinstance(error, telegram_error.NetworkError) \
            and not isinstance(error, telegram_error.BadRequest):  # a bad request is the code's
        return f"{type(error).__name__}: {error}"
    aiohttp = sys.modules.get("aiohttp")
    if isinstance(error, ConnectionError | TimeoutError) or (aiohttp and isinstance(error, aiohttp.ClientError)):
        return f"{type(error).__name__}: {error}"
    return None


class ShortOutsideFailures(logging.Filter):
    """A logged network or storage failure as one line, without its traceback (kept at DEBUG).
    PTB logs each failed poll with a traceback, a dozen lines a try every few seconds while the
    network is down."""

    def __init__(self, db_path: str | Path) -> None:
        super().__init__()
        self.db_path = db_path

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        line = outside_failure(error, self.db_path) if error is not None else None
        if line is not None:
            record.msg, record.args = f"{record.getMessage().rstrip('.')}: {line}", ()
            record.exc_info, record.exc_text = None, None
        return True


def log_filters(config: Config) -> list[logging.Filter]:
    """The filters every log handler gets, in order (redaction last, so it sees the final text)."""
    filters: list[logging.Filter] = []
    if config.log_level != "DEBUG":
        filters.append(ShortOutsideFailures(config.db_path))
    if config.token:
        filters.append(RedactSecret(config.token))
    return filters


def configure_logging(config: Config) -> None:
    """Log to stderr at the configured level, through `log_filters`, uncaught exceptions included."""
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        for log_filter in log_filters(config):
            handler.addFilter(log_filter)

    # Uncaught exceptions (bugs) go through the same handlers, so their tracebacks are redacted too.
    def uncaught(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        log.critical("unexpected error", exc_info=(kind, error, trace))

    def uncaught_in_thread(hook: threading.ExceptHookArgs) -> None:
        if hook.exc_value is not None and not isinstance(hook.exc_value, SystemExit):
            log.critical("unexpected error in thread %s", getattr(hook.thread, "name", "?"),
                         exc_info=(hook.exc_type, hook.exc_value, hook.exc_traceback))

    sys.excepthook = uncaught
    threading.excepthook = uncaught_in_thread


# --- start-up checks for the Telegram bot --------------------------------------------


def wait_for_bot_api(config: Config, sleep: Callable[[float], None] = time.sleep) -> tuple[int, str] | None:
    """Ask the Bot API who the bot is (getMe) until it answers: None when it did, else
    (exit code, the one line to print).

    A network that is not up yet (the bot started at boot) or a server error is retried with
    backoff (1, 2, 4... s) for at most `config.start_timeout` seconds; a refused token is final."""
    assert config.token is not None
    url = f"{config.api_base_url}{config.token}/getMe"
    # As the bot's own HTTP client (aiohttp), no proxy taken from the environment.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
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


def check_webhook_url(url: str) -> None:
    """Raise ConfigError unless `url` can be given to Telegram as the webhook."""
    if not url.startswith("https://") or len(url) <= len("https://") or any(c.isspace() for c in url):
        raise ConfigError("--webhook must be the bot's public https:// URL (Telegram sends updates only over HTTPS)")


# --- main ----------------------------------------------------------------------------


def main(argv: list[str] | None = None, run_telegram: Callable[[Config, str | None], int] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Text that is not UTF-8 on stdin (a question, the terminal chat) is read with replacement
    # characters rather than ending the program.
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")
    try:
        config = load_config()
        if args.webhook is not None:
            check_webhook_url(args.webhook)
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
    from bot.knowledge import KnowledgeBase
    from bot.terminal import chat

    # The command line loads the bundled articles on first start like the bot does, except for
    # `ingest`, whose job is precisely to say what it loads.
    kb = KnowledgeBase(config.db_path, None if args.command == "ingest" else config.articles_dir,
                       semantic=args.command != "ingest")  # storing needs no word vectors
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
    open_database(config.db_path).close()  # raises StorageError, reported by main
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

