"""Fair service while one user floods: other chats' reply latency, what the flooder gets, and
how long SIGTERM takes, through the local Bot API stand-in.

    python bench/bench_fairness.py [--flood 500] [--others 10] [--seconds 10]

The bot built as `run_bot.py` builds it (Telegram's flood limits on,
the default number of question workers):

1. private chats: one user sends `--flood` questions at once while `--others`
   users each ask one question a second for `--seconds` seconds; their reply
   latency (from the update being queued on the stand-in to the bot's
   sendMessage in that chat), and the flooder's replies and "doucement" notices;
   again with the flood spread over those seconds, and again at once with the
   per-user budgets lifted, to see what the fair scheduling alone does;
2. a group: one member mentions the bot `--flood` times, another member
   mentions it once half a second later; how long that member waits;
3. `python run_bot.py` in its own process, SIGTERM sent one second
   after `--flood` questions from one user, then from as many different users:
   seconds until it exits.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_telegram import bot_for, reply_latencies
from bench.common import percentiles
from bot.knowledge import KnowledgeBase
from bot.messages import MESSAGES
from handlers import fairness
from tests.botapi import BOT, BotAPIStandIn, polling
from tests.conftest import bot_environment, start_run_bot
from tests.questions import ANSWERABLE

FLOODER, GROUP = 1, -1001
QUESTIONS = [q for _, q, *_ in ANSWERABLE]
STOP_LIMIT = 60.0  # seconds before a bot that ignores SIGTERM is killed


def notices(server: BotAPIStandIn, chat_id: int) -> int:
    """How many of the bot's messages in the chat are the "doucement" notice (0 if the bot has none)."""
    wording = {html.escape(text) for text in MESSAGES.get("slow_down", {}).values()}
    return sum(1 for c in server.sent(chat_id=chat_id) if c.params.get("text") in wording)


async def private_flood(kb: KnowledgeBase, flood: int, others: int, seconds: int, spread: bool = False,
                        budgets: bool = True) -> None:
    """Other users' reply latency while one user floods, all at once or `spread` over the run;
    without `budgets`, what the fair scheduling alone does."""
    server = BotAPIStandIn(None)
    await server.start()
    app = bot_for(kb, server.base_url, rate_limited=True)
    if not budgets:
        app.bot_data.pop(fairness.BUDGETS, None)
    async with polling(app):
        start = time.monotonic()
        sent_flood = 0
        if not spread:
            for n in range(flood):
                server.message(QUESTIONS[n % len(QUESTIONS)], chat_id=FLOODER, user_id=FLOODER)
            sent_flood = flood
        pushed: dict[int, list[float]] = {}
        for second in range(seconds):
            for user in range(others):
                chat = 10_000 + user
                await asyncio.sleep(max(0.0, start + second + user / others - time.monotonic()))
                server.message(QUESTIONS[(user + second) % len(QUESTIONS)], chat_id=chat, user_id=chat)
                pushed.setdefault(chat, []).append(time.monotonic())
                while spread and sent_flood < flood * (second * others + user + 1) // (seconds * others):
                    server.message(QUESTIONS[sent_flood % len(QUESTIONS)], chat_id=FLOODER, user_id=FLOODER)
                    sent_flood += 1
        try:
            for chat, times in pushed.items():
                await server.wait_for(chat_id=chat, count=len(times), timeout=120)
        except AssertionError as error:
            print(f"  (gave up waiting: {error})"[:200])
        latencies = reply_latencies_so_far(server, pushed)
        how = f"over {seconds} s" if spread else "at once"
        print(f"private chats{'' if budgets else ', no budgets (scheduling only)'}: {others} other users, one "
              f"question a second each, while user {FLOODER} sends {flood} {how}: their reply latency "
              f"{percentiles(latencies)}")
        print(f"  the flooder got {len(server.sent(chat_id=FLOODER))} replies in "
              f"{time.monotonic() - start:.1f} s, of which {notices(server, FLOODER)} 'doucement' notice(s)")
    await server.stop()


def reply_latencies_so_far(server: BotAPIStandIn, pushed: dict[int, list[float]]) -> list[float]:
    """Like reply_latencies, counting a question still unanswered as waiting until now."""
    complete = {c: t for c, t in pushed.items() if len(server.sent(chat_id=c)) >= len(t)}
    latencies = reply_latencies(server, complete)
    now = time.monotonic()
    for chat, times in pushed.items():
        if chat not in complete:
            answered = len(server.sent(chat_id=chat))
            latencies += reply_latencies(server, {chat: times[:answered]})
            latencies += [(now - p) * 1000 for p in times[answered:]]
    return latencies


async def group_flood(kb: KnowledgeBase, flood: int) -> None:
    server = BotAPIStandIn(None)
    await server.start()
    mention = f"@{BOT['username']}"
    async with polling(bot_for(kb, server.base_url, rate_limited=True)):
        start = time.monotonic()
        for n in range(flood):
            server.message(f"{mention} {QUESTIONS[n % len(QUESTIONS)]}", chat_id=GROUP, user_id=FLOODER)
        await asyncio.sleep(0.5)
        update_id = server.message(f"{mention} Qui est le PDG de Kraken ?", chat_id=GROUP, user_id=2)
        asked, message_id = time.monotonic(), server.pushed[update_id]["message"]["message_id"]
        waited = "no reply within 60 s"
        deadline = asked + 60
        while time.monotonic() < deadline:
            replies = [c for c in server.sent(chat_id=GROUP)
                       if c.params.get("reply_parameters", {}).get("message_id") == message_id]
            if replies:
                waited = f"{(replies[0].at - asked) * 1000:.0f} ms"
                break
            await asyncio.sleep(0.01)
        print(f"group: one member mentions the bot {flood} times, another once: that one waited {waited}; "
              f"{len(server.sent(chat_id=GROUP))} replies in the group after {time.monotonic() - start:.1f} s, "
              f"{notices(server, GROUP)} 'doucement' notice(s)")
    await server.stop()


async def sigterm_under_flood(tmp: Path, flood: int, distinct_users: bool) -> None:
    server = BotAPIStandIn(None)
    await server.start()
    env = bot_environment(TELEGRAM_BOT_TOKEN="123456:" + "C" * 35, TELEGRAM_API_BASE_URL=server.base_url,
                          BOT_DB=str(tmp / "bot.db"), BOT_ARTICLES_DIR=str(tmp / "no-drop-folder"))
    process = await start_run_bot(tmp, env)
    try:
        await server.wait_for("setMyCommands", count=6, timeout=120)
        await asyncio.sleep(2.0)  # the question workers are up
        for n in range(flood):
            user = 20_000 + n if distinct_users else FLOODER
            server.message(QUESTIONS[n % len(QUESTIONS)], chat_id=user, user_id=user)
        await asyncio.sleep(1.0)
        sent = len(server.sent())
        process.send_signal(signal.SIGTERM)
        start = time.monotonic()
        try:
            await asyncio.wait_for(process.wait(), timeout=STOP_LIMIT)
            took = f"exited after {time.monotonic() - start:.2f} s (rc {process.returncode})"
        except TimeoutError:
            took = f"still running after {STOP_LIMIT:.0f} s (killed)"
        who = f"{flood} different users" if distinct_users else "one user"
        print(f"run_bot.py: SIGTERM 1 s after {flood} questions from {who} ({sent} replies sent by then): {took}")
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flood", type=int, default=500, help="messages the flooder sends at once")
    parser.add_argument("--others", type=int, default=10, help="other users, asking one question a second each")
    parser.add_argument("--seconds", type=int, default=10, help="how long the other users keep asking")
    parser.add_argument("--runs", default="private,group,sigterm", help="which runs, comma-separated")
    args = parser.parse_args()
    runs = set(args.runs.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(Path(tmp) / "bot.db", Path(__file__).resolve().parent.parent / "seeds")
        if "private" in runs:
            asyncio.run(private_flood(kb, args.flood, args.others, args.seconds))
            asyncio.run(private_flood(kb, args.flood, args.others, args.seconds, spread=True))
            asyncio.run(private_flood(kb, args.flood, args.others, args.seconds, budgets=False))
        if "group" in runs:
            asyncio.run(group_flood(kb, args.flood))
        if "sigterm" in runs:
            asyncio.run(sigterm_under_flood(Path(tmp), args.flood, distinct_users=False))
            asyncio.run(sigterm_under_flood(Path(tmp), args.flood, distinct_users=True))


if __name__ == "__main__":
    main()
