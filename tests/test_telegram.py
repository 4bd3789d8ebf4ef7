"""End to end: the real python-telegram-bot Application, over real HTTP, against
the Bot API stand-in on 127.0.0.1."""

from __future__ import annotations

import asyncio
import html
import json
import os
import signal
import socket
from pathlib import Path

import httpx
import pytest

from bot.config import load_config
from bot.knowledge import KnowledgeBase
from handlers.app import build_application
from tests.botapi import BOT, BotAPIStandIn, load_spec, polling
from tests.conftest import SPEC_PATH, TOKEN, bot_environment, start_run_bot, terminate

GROUP = -1001


def test_bot_api_spec_is_there_to_check_calls():
    if load_spec(SPEC_PATH) is None:
        pytest.skip(f"Bot API spec not found at {SPEC_PATH}: calls were not checked against it")


def texts(calls) -> list[str]:
    return [c.params.get("text", "") for c in calls]


async def test_private_question_gets_answer_with_quote_and_buttons(api, kb):
    """The reply's structure, from the core's own answer: the wiring is tested, not the ranking."""
    question = "Qui est le PDG de Kraken ?"
    answer = kb.ask(question)
    api.message(question)
    (call,) = await api.wait_for(chat_id=100)
    text = html.unescape(call.params["text"])
    assert f"<b>{answer.short}</b>" in call.params["text"]  # the short answer in bold
    assert f"« {answer.quote.text} »" in text  # the quote, verbatim
    assert f"📰 <i>{answer.quote.article.title}</i>" in text  # the source line
    assert call.params["parse_mode"] == "HTML"
    buttons = [b["text"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == (["Autre réponse", "Contexte"] if answer.alternatives else ["Contexte"])
    assert call.params["reply_parameters"]["message_id"]  # quotes the question


async def test_buttons_edit_the_answer_and_show_context(api, kb):
    # Any question whose answer has an alternative: the wiring is tested, not the ranking.
    question = next(q for q in ("Qui est Jesse Powell ?", "Kraken et le service client", "Que fait Kraken ?",
                                "Kraken") if kb.ask(q).alternatives)
    api.message(question)
    (call,) = await api.wait_for(chat_id=100)
    answer_id = api.sent_ids[0]
    other, context_button = (b["callback_data"] for b in call.params["reply_markup"]["inline_keyboard"][0])
    api.callback(other, message_id=answer_id)
    (edit,) = await api.wait_for("editMessageText")
    assert int(edit.params["message_id"]) == answer_id
    assert edit.params["text"] != call.params["text"] and "«" in edit.params["text"]
    api.callback(context_button, message_id=answer_id)
    calls = await api.wait_for(chat_id=100, count=2)
    first_quote = html.unescape(call.params["text"].split("« ", 1)[1].split(" »", 1)[0])
    assert first_quote.split(" ", 3)[-1] in html.unescape(calls[-1].params["text"])  # the paragraph around it
    assert len(api.sent("answerCallbackQuery")) == 2
    api.callback("alt:1", message_id=999_999)  # an answer the bot no longer holds
    calls = await api.wait_for("answerCallbackQuery", count=3)
    assert calls[-1].params["show_alert"] is True


@pytest.mark.parametrize("command,expected", [
    ("/start", "Bonjour"),
    ("/help", "/summary"),
    ("/articles", "Benson Toti"),
    ("/summary", "En bref"),
    ("/summary 1", "Rubriques"),
    ("/summary licenciement", "Kraken licencie"),
    ("/summary 999999", "Je ne trouve pas"),
    ("/summary ';DROP TABLE articles;--", "Je ne trouve pas"),
    ("/quote San Francisco", "San Francisco"),
    ("/quote", "Donnez des mots"),
    ("/quote zzzqqq", "Aucune phrase"),
    ("/source", "pas encore répondu"),
    ("/nimportequoi", "Je ne connais pas"),
])
async def test_commands_in_private(api, command, expected):
    api.message(command)
    calls = await api.wait_for(chat_id=100)
    assert expected in calls[0].params["text"]


async def test_source_after_answer(api):
    api.message("Où est basée la plate-forme Kraken ?")
    await api.wait_for(chat_id=100)
    api.message("/source")
    calls = await api.wait_for(chat_id=100, count=2)
    assert "San Francisco" in calls[1].params["text"]


async def test_commands_in_a_group_with_bot_name(api):
    api.message(f"/summary@{BOT['username']}", chat_id=GROUP)
    api.message("/articles@SomeOtherBot", chat_id=GROUP)
    calls = await api.wait_for(chat_id=GROUP)
    await api.quiet(0.5)
    assert len(api.sent(chat_id=GROUP)) == 1
    assert "En bref" in calls[0].params["text"]


async def test_group_chatter_ignored_mention_and_reply_answered(api):
    api.message("Kraken a licencié combien de personnes ?", chat_id=GROUP)
    api.message("/inconnue", chat_id=GROUP)  # unknown command not addressed to the bot: silence
    await api.quiet(1.0)
    assert api.sent(chat_id=GROUP) == []
    api.message(f"@{BOT['username']} qui est le PDG de Kraken ?", chat_id=GROUP)
    (call,) = await api.wait_for(chat_id=GROUP)
    assert "Jesse Powell" in call.params["text"]
    bot_message = {"message_id": 1, "date": 0, "chat": {"id": GROUP, "type": "supergroup"}, "from": BOT,
                   "text": "x"}
    api.message("et où est-elle basée ?", chat_id=GROUP, reply_to=bot_message)
    calls = await api.wait_for(chat_id=GROUP, count=2)
    assert "San Francisco" in calls[1].params["text"]


async def test_inline_query_offers_quotes_and_summaries(api):
    api.inline("Kraken licenciement")
    (call,) = await api.wait_for("answerInlineQuery")
    results = call.params["results"]
    assert 1 <= len(results) <= 10
    assert all("«" in r["input_message_content"]["message_text"] for r in results)
    api.inline("")
    calls = await api.wait_for("answerInlineQuery", count=2)
    assert len(calls[1].params["results"]) == 2  # one per article


async def test_english_ui(api):
    api.message("/help", lang="en")
    api.message("What is the capital of Peru?", user_id=100, lang="en")
    calls = await api.wait_for(chat_id=100, count=2)
    joined = " ".join(texts(calls))
    assert "Ask a question in plain words" in joined
    assert "I found nothing in the articles" in joined


@pytest.mark.parametrize("text,expected", [
    ("   ", "Posez-moi une question"),
    ("😀😀😀", "Posez-moi une question"),
    ("x" * 4096, "très long"),
    ("\x00\x01\x02 Kraken \x07", None),
    ("<b>Kraken</b> <script>alert(1)</script> qui est le PDG ?", None),
    ("**Kraken** _PDG_ [lien](http://x)", None),
    ("'; DROP TABLE sentences; --", None),
    ("SELECT * FROM articles WHERE 1=1", "• Crypto-monnaies"),  # declined: what it can talk about
])
async def test_bad_input_gets_a_short_reply(api, kb, text, expected):
    sentences = kb.db.execute("SELECT count(*) FROM sentences").fetchone()[0]
    api.message(text)
    calls = await api.wait_for(chat_id=100)
    reply = calls[0].params["text"]
    assert reply and "Traceback" not in reply
    if expected:
        assert expected in reply
    assert "<script>" not in reply
    assert kb.db.execute("SELECT count(*) FROM sentences").fetchone()[0] == sentences


async def test_photos_stickers_edits_and_channel_posts(api):
    api.message(None, photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}])
    (call,) = await api.wait_for(chat_id=100)
    assert "texte" in call.params["text"]
    api.message(None, chat_id=GROUP, sticker={"file_id": "s", "file_unique_id": "s", "type": "regular",
                                              "width": 1, "height": 1, "is_animated": False, "is_video": False})
    api.message("Qui est le PDG ?", kind="edited_message", edit_date=1)
    api.message("Qui est le PDG ?", chat_id=-1002, kind="channel_post")
    await api.quiet(1.0)
    assert len(api.sent()) == 1


async def test_429_retry_after_still_delivers_once(api):
    api.failures["sendMessage"] = [(429, {"ok": False, "error_code": 429, "description": "Too Many Requests",
                                          "parameters": {"retry_after": 1}})]
    api.message("Où est basée la plate-forme Kraken ?")
    calls = await api.wait_for(chat_id=100, count=2, timeout=20)
    await api.quiet(1.0)
    assert len(api.sent(chat_id=100)) == 2  # the refused attempt, then exactly one delivery
    assert calls[0].params["text"] == calls[1].params["text"]


async def test_commands_registered_per_scope_and_language(api):
    calls = api.sent("setMyCommands")
    scopes = {(c.params["scope"]["type"], c.params.get("language_code")) for c in calls}
    assert scopes == {(s, lang) for s in ("all_private_chats", "all_group_chats", "all_chat_administrators")
                      for lang in (None, "en")}
    private_fr = next(c for c in calls if c.params["scope"]["type"] == "all_private_chats"
                      and not c.params.get("language_code"))
    assert {"start", "help", "articles", "summary", "quote", "source", "subscribe", "unsubscribe",
            "subscriptions", "digest", "pause", "resume"} == {c["command"] for c in private_fr.params["commands"]}
    groups = {c.params["scope"]["type"]: {x["command"] for x in c.params["commands"]} for c in calls}
    assert "subscribe" in groups["all_chat_administrators"] and "subscribe" not in groups["all_group_chats"]


async def test_question_workers_answer_and_see_new_articles(tmp_path):
    """BOT_WORKERS=1: questions are answered in a worker process, which also sees an article
    stored by the bot's own process after the worker started; if it dies, the bot answers itself."""
    server = BotAPIStandIn(load_spec(SPEC_PATH))
    await server.start()
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
                          "BOT_DB": str(tmp_path / "bot.db"), "BOT_WORKERS": "1"})
    kb = KnowledgeBase(config.db_path, config.articles_dir)
    async with polling(build_application(config, kb)) as app:
        workers = app.bot_data["workers"]
        assert workers.ready
        server.message("Qui est le PDG de Kraken ?")
        (call,) = await server.wait_for(chat_id=100)
        assert "<b>Jesse Powell</b>" in call.params["text"]
        await asyncio.to_thread(kb.ingest, [Path(__file__).parent / "articles" / "tempete.md"])
        server.message("Combien de foyers privés d'électricité ?", chat_id=101, user_id=101)
        (call,) = await server.wait_for(chat_id=101)
        assert "500 000" in call.params["text"] and "Ciaran" in call.params["text"]
        assert workers.ready  # still answered by the worker, not by the fallback in this process

        for pid in workers.pids():  # the worker dies (OOM killer, a bug): questions still answered
            os.kill(pid, signal.SIGKILL)
        server.message("Où est basée la plate-forme Kraken ?", chat_id=102, user_id=102)
        (call,) = await server.wait_for(chat_id=102)
        assert "San Francisco" in call.params["text"]
        assert not workers.ready  # answered in this process from then on
    await server.stop()
    assert server.violations == []


async def test_run_bot_serves_then_stops_cleanly_on_sigterm(tmp_path):
    """`python run_bot.py` with a token: polls the configured server, answers, exits 0 on SIGTERM."""
    server = BotAPIStandIn(load_spec(SPEC_PATH))
    await server.start()
    env = bot_environment(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url,
                          BOT_DB=str(tmp_path / "bot.db"), BOT_LOG_LEVEL="DEBUG")
    process = await start_run_bot(tmp_path, env, capture=True)
    try:
        await server.wait_for("setMyCommands", count=6, timeout=60)
        server.message("Où est basée la plate-forme Kraken ?")
        (call,) = await server.wait_for(chat_id=100, timeout=30)
        assert "San Francisco" in call.params["text"]
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
        await server.stop()
    assert process.returncode == 0
    assert TOKEN.split(":")[1] not in stderr.decode()
    assert server.violations == []


async def test_run_bot_with_webhook_checks_the_secret_and_answers(tmp_path):
    """`python run_bot.py --webhook URL`: registers the webhook, accepts only updates carrying the secret."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = BotAPIStandIn(load_spec(SPEC_PATH))
    await server.start()
    env = bot_environment(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url,
                          BOT_DB=str(tmp_path / "bot.db"), BOT_WEBHOOK_SECRET="s3cret-value",
                          BOT_WEBHOOK_LISTEN="127.0.0.1", PORT=str(port))
    process = await start_run_bot(tmp_path, env, "--webhook", "https://bot.example.org/")
    update = {"update_id": 1, "message": {
        "message_id": 5, "date": 0, "chat": {"id": 100, "type": "private"},
        "text": "Où est basée la plate-forme Kraken ?",
        "from": {"id": 100, "is_bot": False, "first_name": "U", "language_code": "fr"}}}
    try:
        (registered,) = await server.wait_for("setWebhook", timeout=60)
        assert registered.params["url"] == "https://bot.example.org/telegram"
        assert registered.params["secret_token"] == "s3cret-value"
        await server.wait_for("setMyCommands", count=6, timeout=30)
        async with httpx.AsyncClient() as client:
            url = f"http://127.0.0.1:{port}/telegram"
            forged = await client.post(url, content=json.dumps(update),
                                       headers={"Content-Type": "application/json",
                                                "X-Telegram-Bot-Api-Secret-Token": "wrong"})
            assert forged.status_code == 403
            genuine = await client.post(url, content=json.dumps(update),
                                        headers={"Content-Type": "application/json",
                                                 "X-Telegram-Bot-Api-Secret-Token": "s3cret-value"})
            assert genuine.status_code == 200
        (call,) = await server.wait_for(chat_id=100, timeout=30)
        assert "San Francisco" in call.params["text"]
        assert await terminate(process) == 0
    finally:
        if process.returncode is None:
            process.kill()
        await server.stop()
