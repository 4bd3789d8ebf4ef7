"""The operators' features as a hostile or careless user or operator would try them: odd arguments
to /forget, /restore, /link, /subscribe, /unsubscribe, /stats and /unanswered, strangers and
operators in groups, BOT_ALLOWED_CHATS, the webhook server, `backup` and `check` on odd files,
damaged chat state, a question log on a disk that refuses it, and hostile text in the logs.
Each time: one polite line, the bot keeps running, nothing stored is lost or duplicated."""

from __future__ import annotations

import asyncio
import html
import io
import json
import logging
import os
import re
import sqlite3
from pathlib import Path

import aiohttp
import pytest

from bot import storage
from bot.backup import backup_database
from bot.check import check_database
from bot.cli import EXIT_STORAGE
from bot.config import ConfigError, load_config
from bot.knowledge import KnowledgeBase
from bot.logs import JsonFormatter, TextFormatter
from bot.questionlog import QuestionLog
from bot.storage import StorageError
from handlers.app import build_application
from handlers.persistence import DatabasePersistence
from handlers.webhook import HEALTH_PATH, MAX_UPDATE_BYTES, PATH, WebhookServer
from tests.botapi import BotAPIStandIn, load_spec, polling
from tests.conftest import SEEDS, SPEC_PATH, TOKEN, serving
from tests.test_deploy import free_port
from tests.test_hostile_telegram import unhandled

OPERATOR, READER, GROUP = 7, 100, -1001
USAGE = "Donnez le numéro"
OPERATORS_ONLY = "réservée aux opérateurs"


@pytest.fixture
async def bot(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    """The stand-in and a bot polling it, OPERATOR in BOT_ADMIN_IDS, on a knowledge base of its own
    (these tests retire articles); yields the stand-in and the application."""
    caplog.set_level(logging.WARNING)
    server = BotAPIStandIn(load_spec(SPEC_PATH))
    await server.start()
    kb = KnowledgeBase(tmp_path / "bot.db", SEEDS)
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
                          "BOT_DB": str(tmp_path / "bot.db"), "BOT_WORKERS": "0", "BOT_ADMIN_IDS": str(OPERATOR)})
    # Not rate limited: these tests send many commands from one user, which is not what they probe.
    async with polling(build_application(config, kb, rate_limited=False)) as app:
        yield server, app
    await server.stop()
    assert server.violations == []
    assert unhandled(caplog) == []


async def replies(server: BotAPIStandIn, text: str, chat_id: int = OPERATOR, user_id: int = OPERATOR) -> list[str]:
    """Send `text`; the bot's replies to it (it must reply), unescaped."""
    before = len(server.sent(chat_id=chat_id))
    server.message(text, chat_id=chat_id, user_id=user_id)
    await server.wait_for(chat_id=chat_id, count=before + 1)
    await server.quiet(0.2)
    return [html.unescape(c.params["text"]) for c in server.sent(chat_id=chat_id)[before:]]


def retired(app) -> list[int]:
    return [number for number, _, when in app.bot_data["kb"].catalogue() if when is not None]


# --- odd arguments to the operators' commands ----------------------------------------------------

ODD_NUMBERS = ["99999999999999999999", "-1", "+1", "١", "²", "1.0", "0x1", "1 2", "9" * 10_000, "<b>1</b>", "@", "'1'"]


async def test_forget_and_restore_with_odd_numbers_change_nothing(bot):
    server, app = bot
    for argument in ODD_NUMBERS:
        for command in ("/forget", "/restore"):
            (reply,) = await replies(server, f"{command} {argument}")
            assert USAGE in reply and len(reply) < 200, (command, argument[:20])
    assert retired(app) == []
    (missing,) = await replies(server, "/forget 999999999999999999")  # 18 digits: a number, but no article
    assert "pas d'article" in missing
    (done,) = await replies(server, "/forget 1")
    (again,) = await replies(server, "/forget 1")
    assert "retiré" in done and "déjà retiré" in again and retired(app) == [1]
    (listed,) = await replies(server, "/restore")
    assert listed.splitlines()[1].startswith("1. ")
    await replies(server, "/restore 1")
    assert retired(app) == []


async def test_link_and_subscribe_with_odd_channel_names(bot):
    server, app = bot
    link_usage, not_found = "Donnez le canal", "Je ne trouve pas le canal"
    for argument in ["", "@", "@@", "@<b>x</b>", "@a", "-100", "-100" + "9" * 3000, "@" + "a" * 300, "#canal"]:
        (reply,) = await replies(server, f"/link {argument}")
        assert link_usage in reply, argument[:20]
    assert server.sent("getChat") == []  # nothing worth asking Telegram about
    (reply,) = await replies(server, "/link @nosuchchannel")
    assert not_found in reply
    # Markup in a channel's title comes back as text.
    server.channel(-1001000001500, "infos")["title"] = "<b>Infos</b> & co"
    (linked,) = await replies(server, "/link @infos")
    assert "<b>Infos</b> & co" in linked
    assert "<b>" not in server.sent(chat_id=OPERATOR)[-1].params["text"]  # escaped in the HTML sent
    subscriptions = app.bot_data["subscriptions"]
    assert subscriptions.settings(-1001000001500).subscribed


async def test_keywords_exclusions_and_markup(bot):
    server, app = bot
    subscriptions = app.bot_data["subscriptions"]
    (reply,) = await replies(server, "/subscribe <b>kraken</b> -<i>bitcoin</i>")
    assert "<b>kraken</b>" in reply and "<i>bitcoin</i>" in reply
    assert "<b>" not in server.sent(chat_id=OPERATOR)[-1].params["text"]
    # A keyword given as its own exclusion: the first sign wins, the chat is not subscribed to nothing.
    await replies(server, "/subscribe lune -lune")
    settings = subscriptions.settings(OPERATOR)
    assert "lune" in settings.keywords and "lune" not in settings.excluded
    # Many exclusions: at most 20 topics in all, the reply says which were left out, in one message.
    many = await replies(server, "/subscribe " + " ".join(f"-mot{i}" for i in range(500)))
    assert len(many) == 1 and "Au plus 20" in many[0]
    settings = subscriptions.settings(OPERATOR)
    assert len(settings.keywords) + len(settings.excluded) == 20
    for nothing in ["-x", "-", "---", "- -", '-""', "-«»", "@"]:
        (reply,) = await replies(server, f"/unsubscribe {nothing}")
        assert "mot-clé utilisable" in reply, nothing
    assert subscriptions.settings(OPERATOR) == settings  # nothing changed
    (removed,) = await replies(server, "/unsubscribe -mot3")  # an exclusion removed: still subscribed
    assert "mot3" not in removed and subscriptions.settings(OPERATOR).subscribed
    (long,) = await replies(server, "/subscribe " + "é" * 10_000)
    assert len(long) < 4096
    (stopped,) = await replies(server, "/unsubscribe all")
    assert "arrêté" in stopped and not subscriptions.settings(OPERATOR).subscribed


async def test_stats_and_unanswered_ignore_their_arguments(bot):
    server, _ = bot
    for argument in ["", "-5", "1e9", "x" * 10_000, "<b>"]:
        (stats,) = await replies(server, f"/stats {argument}")
        assert stats.startswith("📊")
        (unanswered,) = await replies(server, f"/unanswered {argument}")
        assert "Aucune question" in unanswered


async def test_strangers_and_operators_in_a_group(bot):
    server, app = bot
    server.channel(-1001000001500, "infos")
    server.admins[GROUP] = {READER}
    for user in (READER, OPERATOR):  # a group administrator, an operator: not in a group
        for command in ("/stats", "/unanswered", "/forget 1", "/restore 1", "/restore"):
            (reply,) = await replies(server, command, chat_id=GROUP, user_id=user)
            assert OPERATORS_ONLY in reply, (user, command)
        for command in ("/link @infos", "/subscribe @infos kraken", "/unsubscribe @infos"):
            (reply,) = await replies(server, command, chat_id=GROUP, user_id=user)
            assert "opérateurs" in reply, (user, command)
    for command in ("/forget 1", "/link @infos", "/subscribe @infos kraken"):  # a reader in private
        (reply,) = await replies(server, command, chat_id=READER, user_id=READER)
        assert "opérateurs" in reply, command
    assert retired(app) == [] and not app.bot_data["subscriptions"].settings(-1001000001500).subscribed
    assert server.sent("getChat") == []


# --- BOT_ALLOWED_CHATS ---------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("  100 ,, -1001 100\t-1001\n", {100, -1001}),  # spaces, tabs, empty items, duplicates
    ("100;200", None), ("abc", None), ("100, x", None), ("١٠٠", None), ("+100", None), ("1" * 20, None),
    ("0x10", None), (" , ", None),  # set but naming no chat: an error, never "every chat"
])
def test_allowed_chats_setting(value, expected):
    env = {"BOT_ALLOWED_CHATS": value}
    if expected is None:
        with pytest.raises(ConfigError, match="BOT_ALLOWED_CHATS"):
            load_config(env)
    else:
        assert load_config(env).allowed_chats == frozenset(expected)


@pytest.fixture
async def allow_list(tmp_path: Path, kb: KnowledgeBase, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.WARNING)
    async with serving(kb, tmp_path, BOT_ALLOWED_CHATS=str(READER), BOT_ADMIN_IDS=str(OPERATOR)) as server:
        yield server
    assert unhandled(caplog) == []


async def test_an_operator_in_a_group_outside_the_list_does_not_open_it(allow_list):
    """Served for the operator and left at the next member's message would be worse than left at once."""
    server = allow_list
    server.membership(GROUP, "left", "member", user_id=OPERATOR)  # an operator adds the bot
    (told,) = await server.wait_for(chat_id=GROUP)
    assert "quitte" in told.params["text"]
    await server.wait_for("leaveChat")
    server.message("@ArticlesQABot Qui est le PDG de Kraken ?", chat_id=-2002, user_id=OPERATOR)
    await server.wait_for("leaveChat", count=2)
    assert len(server.sent(chat_id=-2002)) == 1  # the reason, not an answer
    (answer,) = await replies(server, "Qui est le PDG de Kraken ?")  # the operator's private chat is served
    assert "réservé" not in answer


async def test_updates_without_a_chat_from_strangers_are_dropped_quietly(allow_list):
    server = allow_list
    stranger = {"id": 555, "is_bot": False, "first_name": "S"}
    server.push({"poll_answer": {"poll_id": "1", "user": stranger, "option_ids": [0], "option_persistent_ids": ["a"]}})
    server.push({"chosen_inline_result": {"result_id": "1", "from": stranger, "query": "x"}})
    await server.quiet(1.0)
    assert server.sent() == []
    await replies(server, "/help", chat_id=READER, user_id=READER)  # still running


# --- the webhook server ---------------------------------------------------------------------------


@pytest.fixture
async def webhook(tmp_path: Path, kb: KnowledgeBase):
    """A WebhookServer on 127.0.0.1 over an application that is not started: what it queues is read
    from the application's queue."""
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_DB": str(tmp_path / "unused.db"), "BOT_WORKERS": "0"})
    server, port = WebhookServer(build_application(config, kb), "s3cret"), free_port()
    await server.start("127.0.0.1", port)
    server.status = "running"
    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as client:
        yield server, client, port
    await server.stop()


SECRET = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
UPDATE = {"update_id": 9, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "hi"}}
NOT_UPDATES = [b"{nope", b"[1, 2]", b"null", b'"x"', b"", b"{}", b'{"update_id": "x"}', b'{"update_id": 1.5}',
               b'{"update_id": NaN}', b'{"update_id": true}', b'{"update_id": 1' + b"0" * 5000 + b"}",
               b'{"update_id": 1, "message": "x"}', b'{"update_id": 2, "message": {}}',
               b'{"update_id": 3, "x": "\xff"}', b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
               b'{"update_id": 4, "callback_query": {"id": 5}}']


async def test_webhook_refuses_what_is_not_an_update(webhook, caplog):
    server, client, _ = webhook
    for body in NOT_UPDATES:
        for content_type in ("application/json", "text/plain"):
            async with client.post(PATH, data=body, headers={**SECRET, "Content-Type": content_type}) as response:
                assert response.status == 400, body[:40]
    async with client.post(PATH, data=b"{" + b" " * MAX_UPDATE_BYTES + b"}", headers=SECRET) as response:
        assert response.status == 413
    async with client.post(PATH, json=UPDATE) as response:
        assert response.status == 403  # no secret
    async with client.post(PATH, json=UPDATE, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cre"}) as response:
        assert response.status == 403
    async with client.post(PATH, data=json.dumps(UPDATE), headers={**SECRET, "Content-Type": "text/plain"}) as response:
        assert response.status == 200  # the content type is not what makes an update
    assert server.app.update_queue.qsize() == 1
    assert all("\n" not in r.getMessage() for r in caplog.records)


async def test_webhook_slow_body_blocks_nobody_and_health_says_stopping(webhook):
    server, client, port = webhook
    body = json.dumps(UPDATE).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"POST {PATH} HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: s3cret\r\n"
                 f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body[:10])
    await writer.drain()
    async with client.get(HEALTH_PATH) as response:  # while that body trickles in
        assert response.status == 200 and (await response.json())["status"] == "running"
    writer.write(body[10:])
    await writer.drain()
    assert (await reader.readline()).startswith(b"HTTP/1.1 200")
    writer.close()
    server.status = "stopping"
    async with client.get(HEALTH_PATH) as response:
        assert response.status == 503 and await response.json() == {"ok": False, "status": "stopping"}
    async with client.post(PATH, json=UPDATE, headers=SECRET) as response:
        assert response.status == 503  # Telegram sends it again later
    assert server.app.update_queue.qsize() == 1


# --- backup and check on odd paths ---------------------------------------------------------------


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """A live database in WAL mode, its last writes still in its -wal file."""
    path = tmp_path / "bot.db"
    KnowledgeBase(path, SEEDS)
    return path


def articles(path: Path) -> int:
    return storage.open_database(path).execute("SELECT count(*) FROM articles").fetchone()[0]


def test_backup_never_replaces_the_live_database_its_journal_or_a_device(live, tmp_path):
    wal = live.with_name("bot.db-wal")
    assert wal.stat().st_size > 0
    before = wal.read_bytes()
    (tmp_path / "link.db").symlink_to(live)
    os.link(live, tmp_path / "hard.db")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    for target, force, reason in [(live, True, "live database"), (wal, True, "live database"),
                                  (live.with_name("bot.db-shm"), True, "live database"),
                                  (live.with_name("bot.db-journal"), False, "live database"),
                                  (tmp_path / "link.db", True, "live database"),
                                  (tmp_path / "hard.db", True, "live database"),
                                  (Path("/dev/null"), False, "already exists"),
                                  (tmp_path / "fifo", True, "not a regular file"),
                                  (tmp_path / "folder", True, "not a regular file"),
                                  (tmp_path / "no folder" / "x.db", False, "is not a folder"),
                                  (Path("/proc/self/x.db"), False, "cannot write")]:
        with pytest.raises(StorageError, match=reason) as raised:
            backup_database(live, target, force)
        assert "\n" not in str(raised.value)
    assert wal.read_bytes() == before and (tmp_path / "fifo").is_fifo() and Path("/dev/null").is_char_device()
    assert not [p for p in tmp_path.rglob("*.partial")]
    assert articles(live) == 2
    spaced = tmp_path / "with space é.db"
    assert backup_database(live, spaced).articles == 2 and articles(spaced) == 2


def test_check_on_damaged_empty_and_foreign_files(live, tmp_path):
    copy = tmp_path / "copy.db"
    backup_database(live, copy)
    data = bytearray(copy.read_bytes())
    data[5 * 4096:5 * 4096 + 3000] = os.urandom(3000)
    (tmp_path / "damaged.db").write_bytes(bytes(data))
    (tmp_path / "truncated.db").write_bytes(copy.read_bytes()[:len(data) // 2])
    (tmp_path / "junk.db").write_bytes(b"not a database " * 500)
    (tmp_path / "empty.db").write_bytes(b"")
    for name in ("damaged.db", "truncated.db", "junk.db", "folder", "missing.db"):
        (tmp_path / "folder").mkdir(exist_ok=True)
        result = check_database(tmp_path / name, full=True)
        assert result.failed == EXIT_STORAGE and "\n" not in result.line(), name
        with pytest.raises(StorageError):
            backup_database(tmp_path / name, tmp_path / f"{name}.copy")
    empty = check_database(tmp_path / "empty.db")  # what SQLite makes a new database of
    assert not empty.failed and "0 articles" in empty.detail
    assert check_database(copy).detail.startswith("schema")


# --- chat state the bot cannot read ---------------------------------------------------------------


async def test_unreadable_chat_state_rows_are_dropped_and_the_bot_starts(tmp_path, caplog):
    db = storage.open_database(tmp_path / "bot.db")
    rows = [("1", '{"note": "' + "a" * 5_000_000 + '"}'),  # gigantic, but plain JSON: kept
            ("2", "[" * 100_000), ("3", "null"), ("4", '{"answers": [[1, {}]]}'),
            (" 5", "{}"), ("05", '{"note": 1}'), ("1e3", "{}"), ("-0", "{}"), ("chat", "{}"), ("9" * 5000, "{}")]
    for key, data in rows:
        db.execute("INSERT INTO chat_state (kind, key, data, updated_at) VALUES ('chat_data', ?, ?, 0)", [key, data])
    db.execute("INSERT INTO chat_state VALUES ('chat_data', '6', CAST(x'ff7b7d' AS TEXT), 0)")  # not UTF-8
    db.execute("INSERT INTO chat_state VALUES ('chat_data', CAST(x'37ff' AS TEXT), '{}', 0)")
    db.execute("INSERT INTO chat_state VALUES ('chat_data', NULL, '{}', 0)")
    db.conn.commit()
    caplog.set_level(logging.WARNING)
    loaded = await DatabasePersistence(tmp_path / "bot.db").get_chat_data()
    assert list(loaded) == [1] and len(loaded[1]["note"]) == 5_000_000
    assert [key for (key,) in db.execute("SELECT key FROM chat_state")] == ["1"]
    assert len([r for r in caplog.records if "could not be read" in r.getMessage()]) == len(rows) + 2
    assert all(len(r.getMessage()) < 400 for r in caplog.records)


# --- the question log on a disk that refuses it ---------------------------------------------------


async def test_answers_go_out_when_the_question_log_cannot_be_written(bot, caplog):
    server, app = bot
    log: QuestionLog = app.bot_data["questions"]
    log.store.db.execute("PRAGMA query_only = 1")  # as a read-only file or a full disk refuse writes
    for question in ("Qui est le PDG de Kraken ?", "Qui est Satoshi ?"):
        (answer,) = await replies(server, question, chat_id=READER, user_id=READER)
        assert answer
    assert [r for r in caplog.records if "question not logged" in r.getMessage()]
    log.store.db.execute("PRAGMA query_only = 0")
    await replies(server, "Qui est Satoshi ?", chat_id=READER, user_id=READER)
    await server.quiet(0.3)
    assert log.store.db.execute("SELECT count(*) FROM questions").fetchone()[0] == 1  # none lost twice, none twice


def test_turning_the_question_log_off_erases_the_texts_kept(tmp_path, caplog, monkeypatch):
    on = QuestionLog(tmp_path / "bot.db", keep_text=True)
    on.record("private", False, "not_found", 1.0, "Qui est Satoshi ?")
    QuestionLog(tmp_path / "bot.db", keep_text=False)  # the next start, BOT_LOG_QUESTIONS=0
    assert on.store.db.execute("SELECT count(*), count(text) FROM questions").fetchone() == (1, 0)
    assert on.unanswered() == []
    # A database that refuses the erasure: a warning, and the bot starts all the same.
    on.record("private", False, "not_found", 1.0, "Qui est Satoshi ?")
    refusing = storage.open_database(tmp_path / "bot.db")
    refusing.execute("PRAGMA query_only = 1")  # as a read-only file or a full disk
    monkeypatch.setattr(storage, "open_database", lambda _: refusing)
    caplog.set_level(logging.WARNING)
    QuestionLog(tmp_path / "bot.db", keep_text=False)
    assert "could not be erased" in caplog.text
    assert on.store.db.execute("SELECT count(text) FROM questions").fetchone() == (1,)


# --- hostile text in the logs ---------------------------------------------------------------------

FORGED = "2026-01-01 00:00:00,000 CRITICAL forged: rm -rf"
HOSTILE = f"Qui est le PDG ?\n{FORGED}\r\n{FORGED}\u2028{FORGED}\x85{FORGED}\u2029{FORGED}\v{FORGED}"


@pytest.mark.parametrize("formatter", [TextFormatter, JsonFormatter])
async def test_hostile_text_at_debug_cannot_forge_log_lines(api, formatter):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        api.message(HOSTILE)
        api.inline(HOSTILE[:200])
        api.callback(HOSTILE[:64], message_id=1)
        await api.wait_for(chat_id=100)
        await api.wait_for("answerInlineQuery")
        await api.wait_for("answerCallbackQuery")
        await api.quiet(0.3)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    output = stream.getvalue()
    lines = output.splitlines()  # every line break Python knows of, U+2028 and U+0085 included
    assert "forged" in output and len(lines) > 10
    assert not [line for line in lines if "forged" in line.split(": ", 1)[0]]
    if formatter is JsonFormatter:
        assert output.count("\n") == len(lines)
        entries = [json.loads(line) for line in lines]
        assert any(FORGED in e["message"] or FORGED in str(e.get("text")) for e in entries)
    else:
        assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ ", line) for line in lines), \
            [line[:80] for line in lines if not re.match(r"\d{4}-", line)][:3]


def test_outside_text_in_any_log_line_stays_in_that_line():
    """A file name in the articles folder, an error text from a server: whatever logs them."""
    try:
        raise ValueError("boom")
    except ValueError as error:
        record = logging.LogRecord("bot.watch", logging.INFO, __file__, 1, "articles folder: %s: refused",
                                   (f"evil{HOSTILE}.txt",), (type(error), error, error.__traceback__))
    text = TextFormatter().format(record)
    message, *traceback = text.splitlines()
    assert FORGED in message and message.endswith(": refused")
    assert traceback[0] == "Traceback (most recent call last):" and traceback[-1] == "ValueError: boom"
    (line,) = JsonFormatter().format(record).splitlines()
    assert json.loads(line)["message"] == f"articles folder: evil{HOSTILE}.txt: refused"


async def test_chat_state_read_as_bytes_comes_back_as_written(tmp_path):
    """The rows are read as bytes (CAST AS BLOB): what was written as text comes back, non-ASCII included."""
    await DatabasePersistence(tmp_path / "bot.db").update_chat_data(-100123, {"note": "é \u2028 😀"})
    assert await DatabasePersistence(tmp_path / "bot.db").get_chat_data() == {-100123: {"note": "é \u2028 😀"}}
    assert sqlite3.connect(tmp_path / "bot.db").execute("SELECT key FROM chat_state").fetchone() == ("-100123",)
