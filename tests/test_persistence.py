"""Chat state across restarts (handlers/persistence.py): end to end through the stand-in, where
the buttons, /source and a follow-up given before a restart work the same after it; then the
persistence itself, on both backends (bot/backends.py): round trip, what is left out, damaged rows,
chats that move."""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from pathlib import Path

import pytest

from bot.answering.model import Answer, ArticleRef, Conversation, Quote
from bot.backends import open_store
from bot.config import load_config
from bot.knowledge import KnowledgeBase
from bot.storage import open_database
from handlers.app import build_application
from handlers.persistence import DatabasePersistence
from tests.botapi import BotAPIStandIn, load_spec, polling
from tests.conftest import SPEC_PATH, TOKEN

QUESTION, FOLLOW_UP = "Que fait Kraken ?", "Et pourquoi ?"
RESTARTED, CONTROL = 100, 200  # the chat asked before the restart; one that does it all before it
OLD_GROUP, NEW_GROUP = -1001, -1002003


@pytest.fixture
async def server():
    api = BotAPIStandIn(load_spec(SPEC_PATH))
    await api.start()
    yield api
    await api.stop()
    assert api.violations == []


def bot(server: BotAPIStandIn, kb: KnowledgeBase, db: Path):
    """A new Application, as a restarted `run_bot.py` builds it, over the database file `db`."""
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
                          "BOT_DB": str(db), "BOT_WORKERS": "0"})
    return polling(build_application(config, kb))


def buttons(call) -> list[str]:
    return [b["callback_data"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]


async def press_and_follow(server: BotAPIStandIn, chat_id: int, message_id: int, done: int) -> list:
    """'Autre réponse', 'Contexte', /source and a follow-up in the chat (after `done` sendMessage
    calls there): the edit, then the three messages sent."""
    answer = server.sent(chat_id=chat_id)[0]
    other, context = buttons(answer)
    edits = len(server.sent("editMessageText"))
    server.callback(other, message_id=message_id, chat_id=chat_id, user_id=chat_id)
    edit = (await server.wait_for("editMessageText", count=edits + 1))[-1]
    server.callback(context, message_id=message_id, chat_id=chat_id, user_id=chat_id)
    await server.wait_for(chat_id=chat_id, count=done + 1)
    server.message("/source", chat_id=chat_id, user_id=chat_id)
    await server.wait_for(chat_id=chat_id, count=done + 2)
    server.message(FOLLOW_UP, chat_id=chat_id, user_id=chat_id)
    sent = await server.wait_for(chat_id=chat_id, count=done + 3)
    return [edit, *sent[done:]]


def shape(calls) -> list:
    """What the user sees of each call: its text and buttons."""
    return [(c.params["text"], c.params.get("reply_markup")) for c in calls]


async def test_buttons_source_and_follow_up_work_after_a_restart(server, kb, tmp_path):
    assert kb.ask(QUESTION).alternatives  # "Autre réponse" is offered
    db = tmp_path / "bot.db"
    async with bot(server, kb, db):
        server.message(QUESTION, chat_id=RESTARTED, user_id=RESTARTED)
        (asked,) = await server.wait_for(chat_id=RESTARTED)
        asked_id = server.sent_ids[-1]
        # The same, all before a restart, in another chat: what the restarted chat must see.
        server.message(QUESTION, chat_id=CONTROL, user_id=CONTROL)
        (control,) = await server.wait_for(chat_id=CONTROL)
        assert shape([control]) == shape([asked])
        expected = await press_and_follow(server, CONTROL, server.sent_ids[-1], done=1)
    (row,) = open_database(db).execute("SELECT data FROM chat_state WHERE kind = 'chat_data' AND key = ?",
                                       [str(RESTARTED)]).fetchall()
    assert json.loads(row[0])["last_answer"]["question"] == QUESTION  # JSON, readable without the bot

    async with bot(server, kb, db):
        after = await press_and_follow(server, RESTARTED, asked_id, done=1)
    assert int(after[0].params["message_id"]) == asked_id
    assert shape(after) == shape(expected)
    edit, context, source, follow_up = after
    assert edit.params["text"] != asked.params["text"]  # the other quote, in place of the first
    assert context.params["reply_parameters"]["message_id"] == asked_id
    assert source.params["text"] == asked.params["text"]  # /source: the last answer, as given
    fresh = kb.ask(FOLLOW_UP)
    assert not fresh.answered and "«" in follow_up.params["text"]  # it leaned on the question asked before


async def test_a_group_that_becomes_a_supergroup_keeps_its_state(server, kb, tmp_path):
    db = tmp_path / "bot.db"
    async with bot(server, kb, db):
        server.message(f"@ArticlesQABot {QUESTION}", chat_id=OLD_GROUP)
        (asked,) = await server.wait_for(chat_id=OLD_GROUP)
        # Telegram tells both chats; the new one's message moves the state.
        server.message(None, chat_id=OLD_GROUP, migrate_to_chat_id=NEW_GROUP)
        server.message(None, chat_id=NEW_GROUP, migrate_from_chat_id=OLD_GROUP)
        await server.quiet(0.5)
        server.message("/source", chat_id=NEW_GROUP)
        (source,) = await server.wait_for(chat_id=NEW_GROUP)
    assert source.params["text"] == asked.params["text"]
    keys = {key for (key,) in open_database(db).execute("SELECT key FROM chat_state WHERE kind = 'chat_data'")}
    assert keys == {str(NEW_GROUP)}


# --- the persistence on its own ------------------------------------------------------------

ARTICLE = ArticleRef(3, "Kraken licencie", "Benson Toti", "2022-11-30", site="Journal du Coin")
ANSWER = Answer("Qui ?", True, short="Jesse Powell", quote=Quote(12, "Jesse Powell a dit…", ARTICLE, 0.75),
                alternatives=[Quote(13, "Autre phrase.", ARTICLE, 0.5)], lang="fr", article=ARTICLE,
                conversation=Conversation(["kraken"], "person", 3))


async def test_round_trip_in_json(target):
    data = {"answers": OrderedDict([(1005, ANSWER), (1002, Answer("Et ?", False, declined="not_found"))]),
            "last_answer": ANSWER, "conversation": ANSWER.conversation, "told": True, "seen": {"a": [1, 2]}}
    persistence = DatabasePersistence(target)
    await persistence.update_chat_data(-100, data)
    await persistence.update_chat_data(7, {})  # nothing to keep: no row
    await persistence.update_user_data(5, {"lang": "en"})
    await persistence.flush()

    again = DatabasePersistence(target)
    chats = await again.get_chat_data()
    assert chats == {-100: data}
    assert isinstance(chats[-100]["answers"], OrderedDict) and list(chats[-100]["answers"]) == [1005, 1002]
    assert await again.get_user_data() == {5: {"lang": "en"}}
    await again.drop_chat_data(-100)
    assert await again.get_chat_data() == {}


async def test_what_is_not_plain_json_is_left_out_with_a_warning(target, caplog):
    persistence = DatabasePersistence(target)
    await persistence.update_chat_data(1, {"last_answer": ANSWER, "ids": {1, 2}, "pair": (1, 2)})
    assert await persistence.get_chat_data() == {1: {"last_answer": ANSWER}}
    assert "'ids' is not plain JSON" in caplog.text and "'pair' is not plain JSON" in caplog.text


@pytest.mark.parametrize("key,data", [
    ("8", "{not json"),
    ("8", "[]"),
    ("8", json.dumps({"last_answer": {"question": 1, "answered": True}})),  # mistyped
    ("8", json.dumps({"last_answer": {"question": "q"}})),  # a field missing
    ("8", json.dumps({"conversation": {"words": [], "kind": None, "article_id": None, "rm -rf": 1}})),  # unknown
    ("8", json.dumps({"answers": {"1": {"question": "q", "answered": True}}})),  # not in order
    ("8", json.dumps({"answers": [["1", {"question": "q", "answered": True}]]})),  # message id as text
    ("8", json.dumps({"last_answer": {"question": "q", "answered": True, "quote": {"sentence_id": True}}})),
    ("eight", "{}"),
])
async def test_a_damaged_or_foreign_row_is_dropped_with_a_warning(target, caplog, key, data):
    store = open_store(target)
    good = json.dumps({"last_answer": ANSWER.to_state()})
    with store.transaction() as tx:
        tx.executemany("INSERT INTO chat_state (kind, key, data, updated_at) VALUES ('chat_data', ?, ?, 0)",
                       [(key, data), ("9", good)])
    caplog.set_level(logging.WARNING)
    assert await DatabasePersistence(target).get_chat_data() == {9: {"last_answer": ANSWER}}
    assert f"chat_data {key} in the database could not be read" in caplog.text
    assert store.query("SELECT key FROM chat_state") == [("9",)]
    store.close()


async def test_conversations_and_what_is_never_stored(target):
    persistence = DatabasePersistence(target)
    assert not persistence.store_data.bot_data and not persistence.store_data.callback_data
    await persistence.update_conversation("order", (1, 2), "ASKED")
    await persistence.update_conversation("order", (3, 4), "ASKED")
    await persistence.update_conversation("order", (3, 4), None)  # ended
    assert await persistence.get_conversations("order") == {(1, 2): "ASKED"}
    assert await persistence.get_conversations("other") == {}
    assert await persistence.get_callback_data() is None
