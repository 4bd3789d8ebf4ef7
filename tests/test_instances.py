"""Several bot instances on one database: the alert loops of three instances against one stand-in
Bot API (Telegram's limits and the digests counted over all of them), the articles folder watched
by one instance at a time, and the webhook registered once (`run_bot.py set-webhook URL`) rather
than by every instance at start. The PostgreSQL cases run on a server the suite starts
(tests/pg.py) and are skipped, with one line saying why, where it cannot."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import psycopg
import pytest
from telegram import Bot, Update

from bot.config import load_config
from bot.knowledge import KnowledgeBase
from bot.outbox import GROUP_LIMIT, Outbox
from bot.subscriptions import Subscriptions
from bot.watch import WATCH_LOCK, FolderWatch, WatchLock
from handlers.delivery import Delivery
from handlers.webhook import announce_webhook
from tests import pg
from tests.botapi import BotAPIStandIn, stand_in
from tests.conftest import TOKEN, bot_environment, start_run_bot

SECRET = hashlib.sha256(TOKEN.encode()).hexdigest()[:32]  # derived from the token, as handlers/webhook.py does
GROUP, DIGEST_CHAT = -7, 5


@asynccontextmanager
async def instances(kb: KnowledgeBase, target: str | Path, api: BotAPIStandIn, count: int = 3,
                    ) -> AsyncIterator[list[Delivery]]:
    """The alert loops of `count` instances: each its own Bot client and outbox connections."""
    async with AsyncExitStack() as stack:
        deliveries = []
        for _ in range(count):
            bot = await stack.enter_async_context(Bot(TOKEN, base_url=api.base_url))
            outbox = Outbox(target, "UTC")
            stack.callback(outbox.close)
            deliveries.append(Delivery(bot, kb, outbox, Subscriptions(target, "UTC"), None, interval=60))
        yield deliveries


def queue_alerts(outbox: Outbox, kb: KnowledgeBase, chat_id: int, digest_at: str | None = None,
                 sent_at: list[float] = ()) -> None:
    """An alert of each of the knowledge base's articles queued for `chat_id`, after messages to it
    sent at `sent_at` (of articles of their own)."""
    articles = [(a.id, a.title) for a in kb.articles()]
    others = range(10_000, 10_000 + len(sent_at))
    with outbox.store.transaction() as tx:
        tx.executemany("INSERT INTO articles (id, source, checksum, title) VALUES (?, ?, ?, ?)",
                       [(i, f"s{i}", f"c{i}", title) for i, title in [*articles, *((i, "t") for i in others)]])
        tx.execute("INSERT INTO chats (chat_id, subscribed, digest_at, next_digest) VALUES (?, 1, ?, 0)",
                   [chat_id, digest_at])
        tx.executemany("INSERT INTO outbox (chat_id, article_id, matched, due_at) VALUES (?, ?, '[]', 0)",
                       [(chat_id, i) for i, _ in articles])
        tx.executemany("INSERT INTO outbox (chat_id, article_id, status, sent_at) VALUES (?, ?, 'sent', ?)",
                       [(chat_id, i, at) for i, at in zip(others, sent_at, strict=True)])


async def test_three_instances_hold_a_group_to_20_messages_a_minute_together(kb, target):
    async with stand_in() as api, instances(kb, target, api) as deliveries:
        # Another instance sent the group 19 messages in the last minute: one place left.
        queue_alerts(deliveries[0].outbox, kb, GROUP, sent_at=[time.time() - 10] * (GROUP_LIMIT - 1))
        await asyncio.gather(*(d.tick() for d in deliveries))
        assert len(api.sent(chat_id=GROUP)) == 1
        rows = deliveries[0].outbox.store.query("SELECT status, error FROM outbox WHERE sent_at IS NULL "
                                                "OR sent_at > ? ORDER BY status", [time.time() - 5])
    assert rows == [("pending", "group limit")] * (len(kb.articles()) - 1) + [("sent", None)]


async def test_a_digest_goes_out_once_whichever_instance_wakes(kb, target):
    async with stand_in() as api, instances(kb, target, api) as deliveries:
        queue_alerts(deliveries[0].outbox, kb, DIGEST_CHAT, digest_at="08:00")
        await asyncio.gather(*(d.tick() for d in deliveries))
        await asyncio.gather(*(d.tick() for d in deliveries))
        sent = api.sent()
        counts = deliveries[0].outbox.counts()
    assert [call.params["chat_id"] for call in sent] == [DIGEST_CHAT]
    assert sent[0].params["text"].startswith(f"<b>🗞 Digest : {len(kb.articles())}")
    assert len(sent[0].params["reply_markup"]["inline_keyboard"]) == len(kb.articles())
    assert counts == {"sent": len(kb.articles())}


# --- the articles folder: one instance watches it --------------------------------------------------


def stable(watch: FolderWatch) -> list[Path]:
    """What the watch hands over once a file has stayed the same over two looks."""
    return watch.changed() or watch.changed()


def test_one_instance_watches_the_folder_and_another_takes_over(tmp_path, caplog):
    folder = tmp_path / "articles"
    folder.mkdir()
    with pg.database() as url:
        first, second = FolderWatch(folder, WatchLock(url)), FolderWatch(folder, WatchLock(url))
        third = FolderWatch(folder, WatchLock(url))
        try:
            (folder / "a.txt").write_text("Titre\n\nUn article.")
            assert stable(first) == [folder / "a.txt"]  # the first to look watches...
            assert stable(second) == [] and stable(third) == []  # ...and only it
            first.close()  # the instance stops: its session ends, the lock with it
            assert stable(second) == [folder / "a.txt"]  # read again by the one taking over (skipped as unchanged)
            (folder / "b.txt").write_text("Titre\n\nUn autre.")
            assert stable(third) == [] and stable(second) == [folder / "b.txt"]
            # The instance dies (or loses the server): PostgreSQL ends its session, the lock with it.
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_locks "
                              "WHERE locktype = 'advisory' AND objid = %s", [WATCH_LOCK])
                for _ in range(100):  # the session's end, a few milliseconds later
                    if not admin.execute("SELECT 1 FROM pg_locks WHERE locktype = 'advisory'").fetchall():
                        break
                    time.sleep(0.05)
            caplog.set_level(logging.WARNING, "bot.watch")
            assert sorted(stable(third)) == [folder / "a.txt", folder / "b.txt"]
            assert second.changed() == []
            assert "watching stopped, the database connection was lost" in caplog.text
        finally:
            for watch in (first, second, third):
                watch.close()


# --- the webhook: registered once ---------------------------------------------------------------------


async def set_webhook(tmp_path: Path, api: BotAPIStandIn, *args: str,
                      database: str = "postgresql://bot@127.0.0.1:1/news") -> tuple[int, str, str]:
    """`run_bot.py set-webhook ARGS` in its own process: exit code, stdout, stderr. BOT_DB: by default,
    a PostgreSQL server that is not there (set-webhook does not use the database)."""
    env = bot_environment(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url, BOT_DB=database)
    process = await start_run_bot(tmp_path, env, "set-webhook", *args, capture=True)
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode, out.decode(), err.decode()


async def test_set_webhook_registers_it_once(tmp_path):
    async with stand_in() as api:
        code, out, err = await set_webhook(tmp_path, api, "https://bot.example.org/")
        assert (code, err) == (0, "")
        assert out == ("webhook https://bot.example.org/telegram registered: Telegram sends every update type "
                       "there, with the secret token\n")
        [call] = api.sent("setWebhook")
        assert call.params == {"url": "https://bot.example.org/telegram", "secret_token": SECRET,
                               "allowed_updates": list(Update.ALL_TYPES), "drop_pending_updates": False}
        assert api.webhook_info["url"] == "https://bot.example.org/telegram"

        assert (await set_webhook(tmp_path, api, "https://bot.example.org/", "--drop-pending-updates",
                                  database=str(tmp_path / "bot.db")))[0] == 0
        assert api.sent("setWebhook")[-1].params["drop_pending_updates"] is True
        assert not (tmp_path / "bot.db").exists()  # nor does it create a SQLite file


async def test_set_webhook_failures_are_one_line(tmp_path):
    async with stand_in() as api:
        code, out, err = await set_webhook(tmp_path, api, "http://bot.example.org/")
        assert (code, out) == (2, "")
        assert err == ("Configuration error: set-webhook URL must be the bot's public https:// URL (Telegram sends "
                       "updates only over HTTPS)\n")
        api.failures["setWebhook"] = [(400, {"ok": False, "error_code": 400,
                                             "description": "Bad Request: bad webhook: Failed to resolve host"})]
        code, out, err = await set_webhook(tmp_path, api, "https://nowhere.invalid/")
        assert (code, out) == (2, "")
        assert err == ("Bot API error: setWebhook refused https://nowhere.invalid/: Bad webhook: failed to resolve "
                       "host\n")
        api.failures["getMe"] = [(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})]
        code, _, err = await set_webhook(tmp_path, api, "https://bot.example.org/")
        assert code == 2 and "refused TELEGRAM_BOT_TOKEN" in err and TOKEN.split(":")[1] not in err


@pytest.mark.parametrize("setting", ["data/bot.db", "postgresql://bot@db.example:5432/news"])
async def test_instances_register_the_webhook_at_start_only_alone_on_sqlite(setting, caplog):
    async with stand_in() as api, Bot(TOKEN, base_url=api.base_url) as bot:
        config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url, "BOT_DB": setting})
        await announce_webhook(bot, config, "https://bot.example.org")
        if config.db_url is None:  # one bot: it registers its URL at every start, as PTB's run_webhook
            [call] = api.sent("setWebhook")
            assert call.params["url"] == "https://bot.example.org/telegram" and call.params["secret_token"] == SECRET
            assert api.sent("getWebhookInfo") == []
            return
        # Several instances: none registers, each checks the URL `set-webhook` gave Telegram.
        assert api.sent("setWebhook") == [] and len(api.sent("getWebhookInfo")) == 1
        assert "run_bot.py set-webhook https://bot.example.org" in caplog.text
        assert "Telegram sends updates to no webhook (long polling), not to https://bot.example.org/telegram" \
            in caplog.text
        caplog.clear()
        api.webhook_info["url"] = "https://bot.example.org/telegram"
        await announce_webhook(bot, config, "https://bot.example.org/")
        assert api.sent("setWebhook") == [] and caplog.text == ""
