"""Logging: to stderr at BOT_LOG_LEVEL, as text or one JSON object per line (BOT_LOG_FORMAT), with
the token redacted and the outside world's failures in one line, whichever library logs them."""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from bot.config import Config, secret_pattern
from bot.storage import StorageError, storage_error

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# What a log reader (or Python's str.splitlines) takes for the end of a line, written escaped inside a
# line: a file name, an error from outside or a question at DEBUG must not forge a line of its own.
LINE_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}
# Those JSON leaves as they are (it escapes the control characters below U+0020 itself).
JSON_LINE_BREAKS = {ord(c): f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029"}

log = logging.getLogger(__name__)


class RedactSecret(logging.Filter):
    """Replace a secret (the bot token) in every log line, whichever library writes it: the
    message, the exception text and traceback, the stack, the fields a line carries; in any
    letter case and URL-encoded."""

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
        for name in fields(record):  # printed as keys of their own in JSON
            value = getattr(record, name)
            if isinstance(value, str):
                setattr(record, name, self.redact(value))
        return True


_TRACEBACKS = logging.Formatter()
# What every LogRecord has; anything else on a record came as `extra=` (the update log's fields).
_STANDARD = {*vars(logging.LogRecord("", 0, "", 0, "", (), None)), "message", "asctime"}


def fields(record: logging.LogRecord) -> list[str]:
    """The names of the fields a line was given with `extra=`."""
    return [name for name in vars(record) if name not in _STANDARD]


class TextFormatter(logging.Formatter):
    """TEXT_FORMAT, each record on one line (its traceback, printed after it, aside)."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        return super().formatMessage(record).translate(LINE_BREAKS)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors: time (UTC, ISO 8601), level, logger, message,
    the line's own fields as keys, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        entry.update((name, getattr(record, name)) for name in fields(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str).translate(JSON_LINE_BREAKS)


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
    """Log to stderr at the configured level and format, through `log_filters`, uncaught exceptions included."""
    stderr = logging.StreamHandler()
    stderr.setFormatter(JsonFormatter() if config.log_format == "json" else TextFormatter())
    logging.basicConfig(level=config.log_level, handlers=[stderr])
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
