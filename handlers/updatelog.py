"""One log line per update, at INFO: its id, the chat type, the handler that took it, how long it
took from leaving the queue to done (its wait for its turn included), and the outcome:

- `answered`: the bot called the Bot API for it (a reply, an edit, a button answered);
- `ignored`: no handler took it, or the one that did sent nothing (group chatter);
- `refused`: a gate before the handlers stopped it (over budget, a chat not served);
- `error`: a handler raised (the error handler logs the traceback);
- `cancelled`: still running when the bot stopped;
- or what a handler said with `set_outcome`.

The message text is in the line only at DEBUG. The fields are also the line's `extra`, so
`BOT_LOG_FORMAT=json` gives them as keys (update_id, chat_type, handler, latency_ms, outcome).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    started: float = field(default_factory=time.perf_counter)
    handler: str | None = None
    outcome: str | None = None
    calls: int = 0


# The entry of the update being handled: handlers, and the Bot API calls they make, run in its task.
_current: ContextVar[_Entry | None] = ContextVar("update_log", default=None)


def set_outcome(outcome: str) -> None:
    """Name the outcome of the update being handled (e.g. "declined"), instead of the one inferred."""
    entry = _current.get()
    if entry is not None:
        entry.outcome = outcome


def count_call() -> None:
    """A Bot API call made for the update being handled, if any (handlers/transport.py)."""
    entry = _current.get()
    if entry is not None:
        entry.calls += 1


def logged(update: object, process: Callable[[object], Awaitable[None]]) -> Coroutine[Any, Any, None]:
    """`process(update)`, then its log line. Not a coroutine function itself, so that the clock
    starts when this is called (the update taken from the queue), not when its turn comes."""
    return _logged(update, process, _Entry())


async def _logged(update: object, process: Callable[[object], Awaitable[None]], entry: _Entry) -> None:
    token = _current.set(entry)
    try:
        await process(update)
    except asyncio.CancelledError:  # stopping, past the grace period (handlers/fairness.py)
        entry.outcome = "cancelled"
        raise
    finally:
        _current.reset(token)
        _write(update, entry)


def _write(update: object, entry: _Entry) -> None:
    if not isinstance(update, Update):
        return
    latency = round((time.perf_counter() - entry.started) * 1000)
    outcome = entry.outcome or ("answered" if entry.handler and entry.calls else "ignored")
    chat = update.effective_chat
    fields = {"update_id": update.update_id, "chat_type": chat.type if chat else _kind(update),
              "handler": entry.handler or "-", "latency_ms": latency, "outcome": outcome}
    line = "update %(update_id)s: %(chat_type)s, %(handler)s, %(latency_ms)d ms, %(outcome)s"
    if log.isEnabledFor(logging.DEBUG):
        fields["text"] = _text(update)
        line += ": %(text)r"
    log.info(line, fields, extra=fields)


def _kind(update: Update) -> str:
    """What an update without a chat is (an inline query, a press under an inline message)."""
    return next((name for name in ("inline_query", "callback_query", "chosen_inline_result") if getattr(update, name)),
                "none")


def _text(update: Update) -> str | None:
    message = update.effective_message
    if update.inline_query is not None:
        return update.inline_query.query
    if update.callback_query is not None:
        return update.callback_query.data
    return (message.text or message.caption) if message else None


def trace(app: Application) -> None:
    """Make every handler's callback note itself in the log line of the update it handles. A
    handler in a group before 0 is a gate: it is named only when it stops the update."""
    for group, handlers in app.handlers.items():
        for handler in handlers:
            handler.callback = _traced(handler.callback, gate=group < 0)


def _traced(callback: Callable[..., Awaitable[Any]], gate: bool) -> Callable[..., Awaitable[Any]]:
    name = f"{callback.__module__.rpartition('.')[2]}.{getattr(callback, '__qualname__', type(callback).__name__)}"

    @wraps(callback)
    async def traced(update: object, context: Any) -> Any:
        entry = _current.get()
        if entry is None:
            return await callback(update, context)
        previous, entry.handler = entry.handler, name
        try:
            result = await callback(update, context)
        except ApplicationHandlerStop:
            if gate and entry.outcome is None:
                entry.outcome = "refused"
            raise
        except Exception:
            entry.outcome = "error"
            raise
        if gate:
            entry.handler = previous
        return result

    return traced
