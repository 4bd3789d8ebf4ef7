"""Fan-out of one new article to many subscribed chats through the local Bot API
stand-in: time to queue the alerts (in the article's transaction) and to drain
the outbox, with Telegram's flood limits on (AIORateLimiter) and off.

    python bench/bench_alerts.py [--chats 10000] [--limits on|off|both]

One chat in ten is a group with keywords (matched against the article); the
rest are private chats subscribed to everything. The stand-in runs in the same
process and event loop as the bot, so its own work is part of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import peak_memory_mb
from bot import storage
from bot.config import load_config
from bot.knowledge import KnowledgeBase
from bot.subscriptions import topic_key
from handlers.app import build_application, on_start, on_stop
from tests.botapi import BotAPIStandIn

TOKEN = "123456:" + "C" * 35
PROJECT = Path(__file__).resolve().parent.parent
ARTICLE = PROJECT / "tests" / "articles" / "greve_rail.txt"


def subscribe_many(db_path: Path, chats: int) -> list[int]:
    """Subscribe `chats` chats directly in the database (the commands would take hours at 30 msg/s)."""
    db = storage.open_database(db_path)
    ids = [-(1_000_000 + i) if i % 10 == 9 else 1_000_000 + i for i in range(chats)]
    with storage.transaction(db):
        db["chats"].insert_all(({"chat_id": c, "kind": "group" if c < 0 else "private", "lang": "fr",
                                 "subscribed": 1, "active": 1, "paused": 0} for c in ids), batch_size=1000)
        db["topics"].insert_all(({"chat_id": c, "key": topic_key(k), "keyword": k} for c in ids if c < 0
                                 for k in ("grève", "SNCF")), batch_size=1000)
    return ids


async def fan_out(chats: int, rate_limited: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db_path, folder = Path(tmp) / "bot.db", Path(tmp) / "articles"
        folder.mkdir()
        api = BotAPIStandIn(None)
        await api.start()
        config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url,
                              "BOT_DB": str(db_path), "BOT_ARTICLES_DIR": str(folder), "BOT_ALERT_INTERVAL": "0.5"})
        kb = KnowledgeBase(db_path, folder, semantic=False)
        ids = subscribe_many(db_path, chats)
        app = build_application(config, kb, rate_limited=rate_limited)
        await app.initialize()
        await on_start(app)
        await app.start()
        await app.bot_data["workers"].started()  # they load for a few seconds after start
        commands = len(api.calls)
        start = time.monotonic()
        await asyncio.to_thread(kb.ingest, [ARTICLE])
        queued = time.monotonic() - start
        app.bot_data["delivery"].wake()
        await api.wait_for(count=chats, timeout=3600)
        drained = time.monotonic() - start
        await api.quiet(1.0)
        sent = [int(c.params["chat_id"]) for c in api.calls[commands:] if c.method == "sendMessage"]
        first = api.sent()[0].at - start
        label = "limits on " if rate_limited else "limits off"
        print(f"{label}: {chats} chats; alerts queued in {queued * 1000:.0f} ms (article transaction); "
              f"first alert after {first:.2f} s; queue drained in {drained:.1f} s = {chats / drained:.0f} alerts/s; "
              f"{len(sent) - len(set(sent))} duplicates, {len(set(ids) - set(sent))} missing; "
              f"outbox {app.bot_data['delivery'].outbox.counts()}")
        await app.stop()
        await on_stop(app)
        await app.shutdown()
        await api.stop()


async def arrival(interval: str) -> None:
    """Seconds from a new file to its alert, with the default look interval: dropped into the
    articles folder, and ingested by `run_bot.py ingest` in another process."""
    with tempfile.TemporaryDirectory() as tmp:
        db_path, folder = Path(tmp) / "bot.db", Path(tmp) / "articles"
        folder.mkdir()
        api = BotAPIStandIn(None)
        await api.start()
        env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url, "BOT_DB": str(db_path),
               "BOT_ARTICLES_DIR": str(folder), "BOT_ALERT_INTERVAL": interval}
        config = load_config(env)
        kb = KnowledgeBase(db_path, folder, semantic=False)
        subscribe_many(db_path, 1)
        app = build_application(config, kb)
        await app.initialize()
        await on_start(app)
        await app.start()
        start = time.monotonic()
        shutil.copy(ARTICLE, folder / ARTICLE.name)
        (alert,) = await api.wait_for(count=1, timeout=60)
        dropped = alert.at - start
        start = time.monotonic()
        await asyncio.to_thread(subprocess.run, [sys.executable, str(PROJECT / "run_bot.py"), "ingest",
                                                 str(PROJECT / "tests" / "articles" / "tempete.md")],
                                env={**os.environ, **env}, check=True, capture_output=True)
        alerts = await api.wait_for(count=2, timeout=60)
        print(f"BOT_ALERT_INTERVAL={interval}: dropped file -> alert {dropped:.2f} s; "
              f"`run_bot.py ingest` started -> alert {alerts[-1].at - start:.2f} s (process start included)")
        await app.stop()
        await on_stop(app)
        await app.shutdown()
        await api.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--limits", choices=["on", "off", "both"], default="both")
    args = parser.parse_args()
    if args.limits in ("off", "both"):
        asyncio.run(fan_out(args.chats, rate_limited=False))
    if args.limits in ("on", "both"):
        asyncio.run(fan_out(args.chats, rate_limited=True))
    asyncio.run(arrival("2"))
    print(f"peak memory {peak_memory_mb():.0f} MB")


if __name__ == "__main__":
    main()
