"""End to end, as an attacker would try it: forged button data, presses on inline and old
messages, odd inline queries, commands and messages, through the real Application and
the Bot API stand-in. Nothing may raise an unhandled exception, and every button press
is answered exactly once."""

from __future__ import annotations

import logging

import pytest

from bot.config import load_config
from bot.knowledge import KnowledgeBase
from handlers.app import build_application
from tests.botapi import BotAPIStandIn, load_spec, polling
from tests.conftest import SEEDS, SPEC_PATH, TOKEN

UNKNOWN_BUTTON = "Ce bouton n'est plus valable"
EXPIRED = "Cette réponse n'est plus disponible"


def unhandled(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log lines of errors: the error handler's, PTB's own, asyncio's "exception never retrieved"."""
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


def answers_to(api: BotAPIStandIn, update_id: int) -> list[dict]:
    press = api.press_id(update_id)
    return [c.params for c in api.sent("answerCallbackQuery") if str(c.params["callback_query_id"]) == press]


async def press_all(api: BotAPIStandIn, presses: dict[str, int]) -> None:
    """Wait until every press is answered, then a moment more for any second answer."""
    await api.wait_for("answerCallbackQuery", count=len(presses), timeout=30)
    await api.quiet(0.5)


FORGED = [
    "alt:²", "ctx:²", "sum:²",                          # str.isdigit() says yes, int() says no
    "alt:٣", "ctx:٣", "sum:٣",                          # int() reads Arabic-Indic digits
    "ctx:" + "9" * 23, "sum:" + "9" * 23, "alt:" + "9" * 23,  # past SQLite's integers
    "ctx:" + "1" * 5000,                               # past int()'s 4300 digits, and Telegram's 64 bytes
    "alt:", "ctx:", "sum:", "ctx:-1", "ctx:+1", "ctx: 1", "ctx:1 ", "ctx:1\n", "ctx:1:2", "sum:0x1f", "sum:1e3",
    "nimportequoi", ":", "ALT:1", "x" * 64, "é" * 64, "\x00", "🙂:1",
]


async def test_forged_button_data_gets_one_polite_alert(api, caplog):
    # Each from another user: one user pressing this many buttons at once would be told to slow down.
    presses = {data: api.callback(data, message_id=1, chat_id=1000 + n, user_id=1000 + n)
               for n, data in enumerate(FORGED)}
    await press_all(api, presses)
    for data, update_id in presses.items():
        answers = answers_to(api, update_id)
        assert len(answers) == 1, f"{data[:30]!r}: {len(answers)} answers"
        assert answers[0].get("show_alert") is True and UNKNOWN_BUTTON in answers[0]["text"], data[:30]
    assert api.sent() == []
    assert unhandled(caplog) == []


async def test_well_formed_but_stale_buttons_say_so(api, caplog):
    presses = {data: api.callback(data, message_id=999_999)
               for data in ("alt:1", "ctx:" + "9" * 18, "sum:" + "9" * 18, "sum:0", "ctx:0")}
    await press_all(api, presses)
    for data, update_id in presses.items():
        (answer,) = answers_to(api, update_id)
        assert answer.get("show_alert") is True, data
        assert (EXPIRED if data[:3] in ("alt", "ctx") else "Cet article n'existe plus") in answer["text"], data
    assert unhandled(caplog) == []


async def test_presses_on_inline_messages_and_game_buttons(api, kb, caplog):
    """A press on an inline message comes without a message and without a chat."""
    sentence = kb.db.execute("SELECT min(id) FROM sentences").fetchone()[0]
    presses = {data: api.callback(data, inline_message_id="AAEAAQ") for data in ("alt:0", f"ctx:{sentence}", "sum:1")}
    presses["game"] = api.callback(None, message_id=1, game="chess")
    presses["nothing"] = api.callback(None, inline_message_id="AAEAAQ")
    await press_all(api, presses)
    for data, update_id in presses.items():
        (answer,) = answers_to(api, update_id)
        assert answer.get("show_alert") is True, data
    assert api.sent() == []
    assert unhandled(caplog) == []


async def test_presses_on_messages_older_than_48_hours(api, kb, caplog):
    """Telegram sends such a message as an InaccessibleMessage: a chat and an id, nothing else."""
    sentence = kb.db.execute("SELECT min(id) FROM sentences").fetchone()[0]
    article = kb.db.execute("SELECT min(id) FROM articles").fetchone()[0]
    presses = {data: api.callback(data, message_id=5, inaccessible=True)
               for data in ("alt:1", f"ctx:{sentence}", f"sum:{article}")}
    await press_all(api, presses)
    assert answers_to(api, presses["alt:1"])[0]["show_alert"] is True  # the answer is not held any more
    for data in (f"ctx:{sentence}", f"sum:{article}"):
        (answer,) = answers_to(api, presses[data])
        assert not answer.get("text"), data
    sent = await api.wait_for(chat_id=100, count=2)
    context = next(c for c in sent if "reply_parameters" in c.params)
    assert context.params["reply_parameters"] == {"message_id": 5, "allow_sending_without_reply": True,
                                                  "quote_parse_mode": "HTML"}  # PTB's Defaults add it
    assert unhandled(caplog) == []


async def test_a_press_whose_handler_fails_is_answered_once_by_the_error_handler(tmp_path, caplog):
    """The database breaks under the bot: the press still gets one answer, an apology."""
    server = BotAPIStandIn(load_spec(SPEC_PATH))
    await server.start()
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
                          "BOT_DB": str(tmp_path / "bot.db"), "BOT_WORKERS": "0"})
    kb = KnowledgeBase(config.db_path, SEEDS)
    sentence = kb.db.execute("SELECT min(id) FROM sentences").fetchone()[0]
    async with polling(build_application(config, kb)):
        kb.db.execute("ALTER TABLE sentences RENAME TO gone")
        pending = server.callback(f"ctx:{sentence}", message_id=1)  # fails before answering
        await server.wait_for("answerCallbackQuery", count=1)
        kb.db.execute("ALTER TABLE gone RENAME TO sentences")
        server.failures["sendMessage"] = [(400, {"ok": False, "error_code": 400,
                                                 "description": "Bad Request: message to be replied not found"})]
        answered = server.callback(f"ctx:{sentence}", message_id=1)  # answered, then sending fails
        await server.wait_for("answerCallbackQuery", count=2)
        await server.wait_for(chat_id=100, count=2)  # the failed context, then the apology
        await server.quiet(0.5)
    await server.stop()
    (first,) = answers_to(server, pending)
    assert first["show_alert"] is True and "Désolé" in first["text"]
    (second,) = answers_to(server, answered)
    assert not second.get("text")
    assert "Désolé" in server.sent(chat_id=100)[-1].params["text"]
    assert server.violations == []


async def test_odd_inline_queries_get_answers(api, caplog):
    queries = ["Combien d'articles ?",  # answered without a quote: the bot failed on it
               "é" * 300, "\x00\x01", "<b>Kraken</b>", "'; DROP TABLE sentences; --", "²", "9" * 5000, "🙂" * 50]
    for query in queries:
        api.inline(query)
    calls = await api.wait_for("answerInlineQuery", count=len(queries), timeout=30)
    assert len(calls[0].params["results"]) == 1
    assert all(len(c.params["results"]) <= 10 for c in calls)
    assert unhandled(caplog) == []


async def test_odd_commands_and_messages_get_short_replies(api, caplog):
    sent = [
        "/summary ²", "/summary " + "9" * 5000, "/summary ٣", "/quote " + "²" * 5000, "/source@ArticlesQABot",
        "/start " + "x" * 4000, "/" + "a" * 100,
    ]
    others = [
        {"location": {"latitude": 48.85, "longitude": 2.35}},
        {"dice": {"emoji": "🎲", "value": 3}},
        {"contact": {"phone_number": "+33100000000", "first_name": "A"}},
        {"document": {"file_id": "nofile", "file_unique_id": "nofile"}},  # no name, no size
    ]
    # Each from another user: one user sending this many at once would be told to slow down.
    for n, text in enumerate(sent):
        api.message(text, chat_id=300 + n, user_id=300 + n)
    for n, extra in enumerate(others):
        api.message(None, chat_id=400 + n, user_id=400 + n, **extra)
    api.document("article.exe", b"MZ\x00\x00", chat_id=500, user_id=500)  # not an operator: a polite no
    calls = await api.wait_for(count=len(sent) + len(others) + 1, timeout=30)
    assert all(c.params["text"] and "Traceback" not in c.params["text"] for c in calls)
    await api.quiet(0.5)
    assert unhandled(caplog) == []
