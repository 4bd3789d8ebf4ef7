"""The data behind inline buttons, read in one place, and every button press answered exactly once.

Callback data comes back from the user's client, so it is untrusted: a modified
client or a forged update can send any string (or none), from a message the bot
no longer knows or from an inline message that has no chat at all. Data is
accepted only in the shapes the bot itself writes: `alt:N`, `ctx:N`, `sum:N`
with N in ASCII digits (`str.isdigit` accepts "²", `int` accepts "٣", and
SQLite refuses numbers past 2**63). Anything else falls to `unknown`, the
catch-all registered last, which answers with a polite alert; a press whose
handler fails is answered by the error handler (handlers/errors.py).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Update
from telegram.ext import ContextTypes

from bot.messages import t
from handlers.common import lang_of

MAX_DATA = 64  # characters; Telegram allows 64 bytes of callback data
_DATA = re.compile(r"(alt|ctx|sum):([0-9]{1,18})")  # 18 digits always fit SQLite's 64-bit integers
ANSWERED = "answered_presses"  # bot_data key: ids of the presses answered lately
REMEMBERED = 4096  # presses remembered as answered: far more than can be in flight at once


@dataclass(frozen=True)
class Press:
    """A button press the bot can act on: which button, and its number (answer index, sentence, article)."""

    kind: str
    number: int


def parse(data: object) -> Press | None:
    """The press that callback data stands for, or None for anything the bot did not write."""
    if not isinstance(data, str) or len(data) > MAX_DATA:
        return None
    match = _DATA.fullmatch(data)
    return Press(match[1], int(match[2])) if match else None


def data(kind: str, number: int) -> str:
    """Callback data for a button, in the one shape `parse` reads back."""
    return f"{kind}:{number}"


def pattern(kind: str) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern: the data is a well-formed `kind` button."""
    def matches(callback_data: object) -> bool:
        press = parse(callback_data)
        return press is not None and press.kind == kind
    return matches


def press_of(update: Update) -> Press | None:
    """The press in a callback query update (None if its data is not the bot's)."""
    query = update.callback_query
    return parse(query.data) if query is not None else None


def is_answered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True once `answer` was called for this update's button press."""
    query = update.callback_query
    return query is not None and query.id in context.bot_data.get(ANSWERED, {})


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str | None = None,
                 alert: bool = False) -> None:
    """Answer the button press (the client stops its spinner); later calls for the same press do nothing.

    Telegram refuses a second answer, so the error handler, which answers presses
    left pending, must know which were answered before the failure."""
    query = update.callback_query
    if query is None:
        return
    answered: OrderedDict[str, None] = context.bot_data.setdefault(ANSWERED, OrderedDict())
    if query.id in answered:
        return
    answered[query.id] = None  # before the call: a failed call is not retried by the error handler
    while len(answered) > REMEMBERED:
        answered.popitem(last=False)
    await query.answer(text[:200] if text else None, show_alert=alert and bool(text))


async def unknown(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Registered last: a press no other handler took (stale, forged, or data of another bot version)."""
    await answer(update, context, t("button_unknown", lang_of(update)), alert=True)
