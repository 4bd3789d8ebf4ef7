"""Several instances behind nginx (issue 12): questions per second and reply latency with 1, 2 and 3
`run_bot.py --webhook` instances on one PostgreSQL database, then one article fanned out to 2,000 chats
by 3 instances.

    python bench/bench_instances.py [--questions 1000] [--rate 250] [--chats 2000] [--search]

The cluster is tests/test_cluster.py's: a throwaway PostgreSQL (tests/pg.py), nginx terminating TLS
in front of the instances (deploy/nginx-upstream.conf, round robin), the stand-in Bot API in this
process, each instance one process (BOT_WORKERS=0). Updates are posted to nginx at a steady
`--rate`, one question per simulated user; a reply's latency runs from the post to the bot's
sendMessage reaching the stand-in. Flood limits are off in the instances (the rate limiter, the
users' budgets and the 30 messages a second counted in the database): with them on, Telegram's
30 a second is the ceiling whatever the number of instances. Everything shares this machine's
cores: nginx, PostgreSQL, the instances, the stand-in and this client. `--search` then runs
bench/bench_pg_search.py (10,000 articles: the local copy's search next to PostgreSQL's).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentiles
from tests import pg
from tests.botapi import BotAPIStandIn
from tests.conftest import PROJECT
from tests.questions import ANSWERABLE
from tests.test_cluster import FIRST_CHAT, MADE_UP, Cluster, running_cluster, subscribe
from tests.test_instances import SECRET

# `run_bot.py ARGS` with Telegram's limits lifted, as bench/bench_telegram.py builds the bot in-process.
UNLIMITED = f"""
import functools, sys
sys.path.insert(0, {str(PROJECT)!r})
import bot.outbox, handlers.app
from bot.cli import main
handlers.app.build_application = functools.partial(handlers.app.build_application, rate_limited=False)
bot.outbox.OVERALL_LIMIT = 10 ** 9
sys.argv[0] = "run_bot.py"
sys.exit(main())
"""


async def start_unlimited(cwd: Path, env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(sys.executable, "-c", UNLIMITED, *args, cwd=cwd, env=env,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)


async def questions(cluster: Cluster, count: int, rate: float, first_chat: int) -> None:
    """`count` questions posted through nginx at `rate` a second, each from a user of its own."""
    texts = [q for _, q, *_ in ANSWERABLE]
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    posted: dict[int, float] = {}
    # The test's nginx has 64 connections for both sides: past 24 posts at once it would refuse some.
    in_flight = asyncio.Semaphore(24)

    async def post(n: int) -> None:
        chat = first_chat + n
        body = {"update_id": chat, "message": {
            "message_id": 1, "date": int(time.time()), "chat": {"id": chat, "type": "private"},
            "text": texts[n % len(texts)], "from": {"id": chat, "is_bot": False, "first_name": "U"}}}
        posted[chat] = time.monotonic()
        async with in_flight:
            response = await cluster.client.post(f"{cluster.public}/telegram", content=json.dumps(body),
                                                 headers=headers)
        assert response.status_code == 200, response.status_code

    start = time.monotonic()
    tasks = []
    for n in range(count):
        await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
        tasks.append(asyncio.create_task(post(n)))
    await asyncio.gather(*tasks)
    replies = await cluster.api.wait_for(count=count, timeout=600)
    elapsed = max(c.at for c in replies) - start
    latencies = [(c.at - posted[int(c.params["chat_id"])]) * 1000 for c in replies]
    print(f"  {count} questions at {rate:.0f}/s offered: {count / elapsed:.0f} answered/s, "
          f"latency {percentiles(latencies)}, {len(replies) - count} duplicates")


async def answering(work: Path, instances: int, count: int, rate: float) -> None:
    api = BotAPIStandIn(None)
    await api.start()
    try:
        with pg.database() as url:
            (work / f"q{instances}").mkdir()
            async with running_cluster(work / f"q{instances}", url, api, instances, start_unlimited) as cluster:
                print(f"== {instances} instance(s) behind nginx")
                await questions(cluster, 60, 20, 10_000)  # warm-up: first questions load each instance's models
                api.calls.clear()
                await questions(cluster, count, rate, 20_000)
    finally:
        await api.stop()


async def fan_out(work: Path, chats: int) -> None:
    api = BotAPIStandIn(None)
    await api.start()
    try:
        with pg.database() as url:
            (work / "fan-out").mkdir()
            async with running_cluster(work / "fan-out", url, api, 3, start_unlimited) as cluster:
                await asyncio.to_thread(subscribe, url, range(FIRST_CHAT, FIRST_CHAT + chats))
                start = time.monotonic()
                await cluster.ingest(MADE_UP / "fromagerie.txt")
                stored = time.monotonic()
                sent = await api.wait_for(count=chats, timeout=600)
                await api.quiet(1.0)
                last = max(c.at for c in sent)
                distinct = len({int(c.params["chat_id"]) for c in api.sent()})
                print(f"== {chats} chats, 3 instances, limits off: `run_bot.py ingest` {stored - start:.1f} s "
                      f"(a process of its own), then the queue drained in {last - stored:.1f} s "
                      f"= {chats / (last - stored):.0f} alerts/s; {len(api.sent()) - distinct} duplicates, "
                      f"{chats - distinct} missing")
    finally:
        await api.stop()


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for instances in (1, 2, 3):
            await answering(work, instances, args.questions, args.rate)
        await fan_out(work, args.chats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=1000, help="questions per run, after 60 to warm up")
    parser.add_argument("--rate", type=float, default=250, help="questions/s offered")
    parser.add_argument("--chats", type=int, default=2000, help="subscribed chats of the fan-out")
    parser.add_argument("--search", action="store_true", help="then bench/bench_pg_search.py, 10,000 articles")
    args = parser.parse_args()
    asyncio.run(run(args))
    if args.search:
        subprocess.run([sys.executable, str(PROJECT / "bench" / "bench_pg_search.py")], check=True)


if __name__ == "__main__":
    main()
