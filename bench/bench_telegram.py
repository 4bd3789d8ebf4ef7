"""Updates per second and reply latency through the local Bot API stand-in,
100 simulated users asking at once, with Telegram's flood limits on and off.

    python bench/bench_telegram.py [--users 100] [--questions 5] [--rate 300]

Three runs: every update queued at once with the limits off, then on (stand-in
in the bot's process); then the stand-in in its own process offering `--rate`
updates/s steadily. Latency is from the moment an update is queued on the
stand-in to the moment the bot's sendMessage for that chat arrives; it
includes long polling.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

from telegram.ext import Application

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentiles
from bot.config import load_config
from bot.knowledge import KnowledgeBase
from handlers.app import build_application
from tests.botapi import BotAPIStandIn, polling
from tests.questions import ANSWERABLE

TOKEN = "123456:" + "B" * 35


def reply_latencies(server: BotAPIStandIn, pushed: dict[int, list[float]]) -> list[float]:
    """Milliseconds from each update (pushed at time.monotonic()) to the bot's reply in that chat."""
    latencies = []
    for chat, times in pushed.items():
        replies = sorted(c.at for c in server.sent(chat_id=chat))
        latencies += [(r - p) * 1000 for p, r in zip(times, replies[: len(times)], strict=True)]
    return latencies


def bot_for(kb: KnowledgeBase, base_url: str, rate_limited: bool) -> Application:
    """The bot as `run_bot.py` builds it (question workers included) for the server at `base_url`."""
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base_url,
                          "BOT_DB": str(kb.path), "BOT_ARTICLES_DIR": str(kb.path.parent / "no-drop-folder")})
    return build_application(config, kb, rate_limited=rate_limited)


def report(label: str, total: int, users: int, elapsed: float, latencies: list[float], duplicates: int) -> None:
    print(f"{label}: {total} updates from {users} users in {elapsed:.2f} s = {total / elapsed:.0f} updates/s; "
          f"reply latency {percentiles(latencies)}; {duplicates} duplicate replies")


async def run(kb: KnowledgeBase, users: int, per_user: int, rate_limited: bool) -> None:
    server = BotAPIStandIn(None)
    await server.start()
    async with polling(bot_for(kb, server.base_url, rate_limited)):
        questions = [q for _, q, *_ in ANSWERABLE]
        pushed: dict[int, list[float]] = {}
        start = time.monotonic()
        for round_ in range(per_user):
            for user in range(users):
                chat = 10_000 + user
                server.message(questions[(user + round_) % len(questions)], chat_id=chat, user_id=chat)
                pushed.setdefault(chat, []).append(time.monotonic())
        total = users * per_user
        await server.wait_for(count=total, timeout=600)
        elapsed = time.monotonic() - start
        await server.quiet(1.0)
        report("limits on " if rate_limited else "limits off", total, users, elapsed,
               reply_latencies(server, pushed), len(server.sent()) - total)
    await server.stop()


def stand_in_process(ports: multiprocessing.Queue, go: multiprocessing.Queue, results: multiprocessing.Queue,
                     users: int, per_user: int, rate: float) -> None:
    """The stand-in on its own core: offers `rate` updates/s (spread over the users) once told to
    go, and reports the reply latencies it saw."""
    async def serve() -> None:
        server = BotAPIStandIn(None)
        await server.start()
        ports.put(server.port)
        await asyncio.to_thread(go.get)
        questions = [q for _, q, *_ in ANSWERABLE]
        pushed: dict[int, list[float]] = {}
        start = time.monotonic()
        for n in range(users * per_user):
            chat = 10_000 + n % users
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            server.message(questions[n % len(questions)], chat_id=chat, user_id=chat)
            pushed.setdefault(chat, []).append(time.monotonic())
        total = users * per_user
        await server.wait_for(count=total, timeout=600)
        elapsed = time.monotonic() - start
        results.put((total, elapsed, reply_latencies(server, pushed), len(server.sent()) - total))
        await asyncio.to_thread(go.get)  # the bot has stopped polling
        await server.stop()

    asyncio.run(serve())


async def run_separate(kb: KnowledgeBase, users: int, per_user: int, rate: float) -> None:
    """The bot in this process, the stand-in in another, updates offered at a steady rate."""
    context = multiprocessing.get_context("spawn")
    ports, go, results = context.Queue(), context.Queue(), context.Queue()
    child = context.Process(target=stand_in_process, args=(ports, go, results, users, per_user, rate))
    child.start()
    port = await asyncio.to_thread(ports.get)
    async with polling(bot_for(kb, f"http://127.0.0.1:{port}/bot", rate_limited=False)) as app:
        go.put(True)
        total, elapsed, latencies, duplicates = await asyncio.to_thread(results.get)
        report(f"stand-in in its own process, {rate:.0f} updates/s offered", total, users, elapsed, latencies,
               duplicates)
        await app.updater.stop()
        go.put(True)  # the stand-in may stop: nobody polls it any more
    child.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--questions", type=int, default=5, help="questions per user")
    parser.add_argument("--rate", type=float, default=300, help="updates/s offered in the separate-process run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(Path(tmp) / "bot.db", Path(__file__).resolve().parent.parent / "seeds")
        asyncio.run(run(kb, args.users, args.questions, rate_limited=False))
        asyncio.run(run(kb, args.users, 1, rate_limited=True))
        asyncio.run(run_separate(kb, args.users, args.questions, args.rate))


if __name__ == "__main__":
    main()
