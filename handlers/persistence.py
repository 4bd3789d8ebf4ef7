"""Chat state kept across restarts, in the bot's own database: python-telegram-bot's persistence.

What a chat holds (handlers/questions.py, handlers/common.py) is stored in the `chat_state`
table, one JSON document per chat: the answers still under buttons ("Autre réponse",
"Contexte"), the last answer (/source) and the conversation a follow-up leans on. So a
button pressed after a restart works as before it.

JSON, never pickle: the database file is copied, backed up and restored, and unpickling a
file runs whatever it says. A row this version cannot read (damaged, hand-edited, written by
another program) is dropped with a warning; the chat starts afresh.

Not stored: bot_data, which holds the live knowledge base, workers and budgets, rebuilt at
each start; callback data, which the bot does not use (its buttons carry their own data).

The database is BOT_DB, either backend of bot/backends.py. With several instances on one
PostgreSQL database, updates of one chat may reach any of them: each instance writes a chat's
state when it changes and reads it all at start (PTB keeps chat_data in memory), so a button
pressed through another instance than the one that answered works once that instance has read
it (see `refresh_chat_data`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import BasePersistence, ContextTypes, PersistenceInput

from bot.answering.model import Answer, Conversation
from bot.backends import SqliteStore, open_store
from bot.storage import StorageError

log = logging.getLogger(__name__)

# Seconds between two writes of the chats that changed. A clean stop writes everything (PTB flushes
# on shutdown), so this only bounds what a crash or power loss forgets: the buttons of the answers
# given in the last minute, which then say the answer has expired. Shorter would re-copy and
# rewrite an active chat's state (up to 100 answers) more often for little gain.
UPDATE_INTERVAL = 60.0
# With several instances (a shared PostgreSQL database), how late another instance may see a
# chat's change: the next update of the chat may reach it.
SHARED_UPDATE_INTERVAL = 1.0

CHAT, USER = "chat_data", "user_data"  # `kind` in chat_state; conversations are "conversation:<name>"

Codec = tuple[Callable[[Any], object], Callable[[object], Any]]
ConversationKey = tuple[int | str, ...]


def _answers_state(answers: OrderedDict[int, Answer]) -> list:
    return [[message_id, answer.to_state()] for message_id, answer in answers.items()]  # in order: oldest first


def _answers_from_state(state: object) -> OrderedDict[int, Answer]:
    if not isinstance(state, list) or not all(isinstance(pair, list) and len(pair) == 2 for pair in state):
        raise ValueError("answers: not a list of [message id, answer]")
    answers = OrderedDict()
    for message_id, answer in state:
        if type(message_id) is not int:
            raise ValueError(f"answers: message id {message_id!r}")
        answers[message_id] = Answer.from_state(answer)
    return answers


# The values handlers keep per chat, and how each one is written and read back. Any other value
# is kept as it is when it is plain JSON (see `_encode`).
CODECS: dict[str, Codec] = {
    "answers": (_answers_state, _answers_from_state),
    "last_answer": (Answer.to_state, Answer.from_state),
    "conversation": (Conversation.to_state, Conversation.from_state),
}


class DatabasePersistence(BasePersistence[dict, dict, dict]):
    """chat_data and user_data in the `chat_state` table of BOT_DB (a SQLite file or a
    postgresql:// URL), through connections of their own. Every write commits at once, off the
    event loop; `flush` (on shutdown) closes the connections."""

    def __init__(self, db: str | Path, update_interval: float | None = None) -> None:
        self.store = open_store(db)
        super().__init__(PersistenceInput(bot_data=False, callback_data=False), update_interval
                         or (SHARED_UPDATE_INTERVAL if self.store.shared else UPDATE_INTERVAL))
        if isinstance(self.store, SqliteStore):
            # Text that is not UTF-8 (a damaged row) would fail the whole query, and with it the
            # bot's start: read as bytes, each row named by its rowid (its key may not be text).
            self._row, self._text = "rowid", "CAST({} AS BLOB)"
        else:  # PostgreSQL holds valid UTF-8 only; ctid names a row
            self._row, self._text = "ctid", "{}"
        self._lock = threading.Lock()
        # Rows that exist, with the time they were written as this instance last saw them: an
        # empty chat writes nothing, and another instance's write shows as a different time.
        self._stored: dict[tuple[str, str], float] = {}
        self._not_json: set[str] = set()  # keys already warned about

    # --- chat_data and user_data ----------------------------------------------------

    async def get_chat_data(self) -> dict[int, dict]:
        return await asyncio.to_thread(self._load, CHAT)

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        await asyncio.to_thread(self._save, CHAT, str(chat_id), data)

    async def drop_chat_data(self, chat_id: int) -> None:
        """The chat's state is gone (PTB's `drop_chat_data`, or `migrate_chat_data` moving it away)."""
        await asyncio.to_thread(self._save, CHAT, str(chat_id), {})

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        """Before an update of the chat is handled: alone on the database, memory is always the
        newest; with other instances, what one of them wrote since replaces it."""
        if self.store.shared:
            await asyncio.to_thread(self._refresh, CHAT, str(chat_id), chat_data)

    async def get_user_data(self) -> dict[int, dict]:
        return await asyncio.to_thread(self._load, USER)

    async def update_user_data(self, user_id: int, data: dict) -> None:
        await asyncio.to_thread(self._save, USER, str(user_id), data)

    async def drop_user_data(self, user_id: int) -> None:
        await asyncio.to_thread(self._save, USER, str(user_id), {})

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        """As for chats."""
        if self.store.shared:
            await asyncio.to_thread(self._refresh, USER, str(user_id), user_data)

    # --- conversations (ConversationHandler(persistent=True, name=...)) -------------

    async def get_conversations(self, name: str) -> dict[ConversationKey, object]:
        rows = await asyncio.to_thread(self._rows, f"conversation:{name}")
        return {tuple(json.loads(key)): json.loads(data) for _, key, data, _ in rows}

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        kind, row = f"conversation:{name}", json.dumps(list(key))
        await asyncio.to_thread(self._write, kind, row, None if new_state is None else json.dumps(new_state))

    # --- not stored (see PersistenceInput above): PTB never calls these -------------

    async def get_bot_data(self) -> dict:
        return {}

    async def update_bot_data(self, data: dict) -> None:
        """bot_data is rebuilt at each start, never stored."""

    async def refresh_bot_data(self, bot_data: dict) -> None:
        """bot_data is rebuilt at each start, never stored."""

    async def get_callback_data(self) -> None:
        return None

    async def update_callback_data(self, data: object) -> None:
        """The buttons carry their own data (handlers/buttons.py): nothing to store."""

    async def flush(self) -> None:
        """Every write is already committed: close the connections (PTB calls this on shutdown)."""
        with self._lock:
            self.store.close()

    # --- the table ----------------------------------------------------------------

    def _rows(self, kind: str, key: str | None = None) -> list[tuple[object, bytes | None, bytes | None, float]]:
        """(row, key, data, updated_at) of every row of `kind`, or of its one row `key`; the text
        as bytes."""
        one = "" if key is None else " AND key = ?"
        with self._lock:
            rows = self.store.query(f"SELECT {self._row}, {self._text.format('key')}, {self._text.format('data')}, "
                                    f"updated_at FROM chat_state WHERE kind = ?{one}",
                                    [kind] if key is None else [kind, key])
        return [(row, _bytes(key), _bytes(data), updated_at) for row, key, data, updated_at in rows]

    def _load(self, kind: str) -> dict[int, dict]:
        loaded: dict[int, dict] = {}
        for row, key, data, updated_at in self._rows(kind):
            state = self._read(kind, row, key, data)
            if state is not None:
                loaded[_chat_id(key)] = state
                self._stored[kind, key.decode()] = updated_at
        return loaded

    def _read(self, kind: str, row: object, key: bytes | None, data: bytes | None) -> dict | None:
        """What a row holds; None for a row that cannot be read, which is dropped."""
        try:
            _chat_id(key)
            return _decode(json.loads(data or b""))
        except (ValueError, TypeError, RecursionError) as error:  # json.JSONDecodeError is a ValueError
            name = key[:40].decode(errors="replace") if key is not None else None
            log.warning("%s %s in the database could not be read (%s): dropped", kind, name, error)
            self._delete_row(row)
            return None

    def _refresh(self, kind: str, key: str, data: dict) -> None:
        """Replace `data` with the stored row if another instance wrote it (or deleted it) since
        this one last saw it."""
        rows = self._rows(kind, key)
        if not rows:
            if self._stored.pop((kind, key), None) is not None:
                data.clear()
            return
        row, _, text, updated_at = rows[0]
        if self._stored.get((kind, key)) != updated_at:
            state = self._read(kind, row, key.encode(), text)
            data.clear()
            data.update(state or {})
            self._stored[kind, key] = updated_at

    def _delete_row(self, row: object) -> None:
        """Drop a row that cannot be read, by its name (rowid, ctid): its key may not even be text."""
        try:
            with self._lock, self.store.transaction() as tx:
                tx.execute(f"DELETE FROM chat_state WHERE {self._row} = ?", [row])
        except StorageError as error:  # read again, and dropped again, at the next start
            log.error("an unreadable chat state row could not be dropped: %s", error)

    def _save(self, kind: str, key: str, data: dict) -> None:
        state = self._encode(data)
        if state or (kind, key) in self._stored:
            self._write(kind, key, json.dumps(state, ensure_ascii=False) if state else None)

    def _write(self, kind: str, key: str, text: str | None) -> None:
        """Store the row, or delete it (None). A full disk or read-only file is one line in the log:
        the state stays in memory and is written again when the chat next changes."""
        now = time.time()
        try:
            with self._lock, self.store.transaction() as tx:
                if text is None:
                    tx.execute("DELETE FROM chat_state WHERE kind = ? AND key = ?", [kind, key])
                else:
                    tx.execute("INSERT INTO chat_state (kind, key, data, updated_at) VALUES (?, ?, ?, ?) "
                               "ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data, "
                               "updated_at = excluded.updated_at", [kind, key, text, now])
        except StorageError as error:
            log.error("chat state of %s %s not saved: %s", kind, key, error)
            return
        if text is None:
            self._stored.pop((kind, key), None)
        else:
            self._stored[kind, key] = now

    def _encode(self, data: dict) -> dict:
        """`data` as plain JSON; a value that is not (a set, an object...) is left out, with a warning."""
        state = {}
        for key, value in data.items():
            if key in CODECS and value is not None:
                state[key] = CODECS[key][0](value)
            elif _is_json(value):
                state[key] = value
            elif key not in self._not_json:
                self._not_json.add(key)
                log.warning("%r is not plain JSON: not kept across restarts", key)
        return state


def _is_json(value: object) -> bool:
    """True if JSON gives `value` back as it is (not so for a set, a tuple, an object, int keys...)."""
    try:
        return json.loads(json.dumps(value)) == value
    except (TypeError, ValueError):
        return False


def _bytes(text: str | bytes | None) -> bytes | None:
    """A column read as text (PostgreSQL) or as bytes (SQLite, see DatabasePersistence), as bytes."""
    return text.encode() if isinstance(text, str) else text


def _chat_id(key: bytes | None) -> int:
    """The id a row's key gives, written as `str(chat_id)` writes it; ValueError for anything else
    (" 5", "05", "1e3", "abc"), which would load as a second row for the same chat or not at all."""
    if key is None or not re.fullmatch(rb"-?[1-9][0-9]{0,18}", key):
        raise ValueError("the key is not a chat id")
    return int(key)


def _decode(state: object) -> dict:
    """A stored document back into what the handlers keep; ValueError if it is not one this version wrote."""
    if not isinstance(state, dict):
        raise ValueError("not an object")
    return {key: CODECS[key][1](value) if key in CODECS and value is not None else value
            for key, value in state.items()}


async def chat_moved(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup (a new chat id): its state follows, so buttons and /source work on.
    Telegram sends the news to both chats; acting on the new one's message moves it once."""
    message = update.effective_message
    if message.migrate_from_chat_id is not None:
        context.application.migrate_chat_data(message=message)
