"""Fair service, end to end through the Bot API stand-in: one user flooding the bot slows only
that user, who is told once to slow down; and `run_bot.py` stops on SIGTERM within 10 s
however much is queued. The budgets themselves are tested on a clock moved by hand."""

from __future__ import annotations

import asyncio
import html
import time
from pathlib import Path

import pytest

from bot.config import load_config
from bot.messages import t
from handlers import fairness
from handlers.app import build_application
from handlers.fairness import MESSAGE_BURST, Budget, Verdict
from tests.botapi import BOT, BotAPIStandIn, load_spec, polling
from tests.conftest import SPEC_PATH, TOKEN, bot_environment, start_run_bot, terminate
from tests.questions import ANSWERABLE

FLOOD = 500
FLOODER, OTHER, CHATTER, OPERATOR = 1, 2, 3, 77
GROUP = -3001
QUESTIONS = [q for _, q, *_ in ANSWERABLE]
MENTION = f"@{BOT['username']}"


def slow_down(lang: str = "fr") -> str:
    return html.escape(t("slow_down", lang))


@pytest.fixture
async def api(kb, tmp_path: Path):
    """The stand-in and a bot polling it, its budgets on a clock that stands still: nothing
    refills during a test, however slow the machine."""
    server = BotAPIStandIn(load_spec(SPEC_PATH))
    await server.start()
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
                          "BOT_DB": str(tmp_path / "unused.db"), "BOT_WORKERS": "0", "BOT_ADMIN_IDS": str(OPERATOR)})
    app = build_application(config, kb)
    app.bot_data[fairness.BUDGETS] = fairness.default_budgets(clock=lambda: 0.0)
    async with polling(app):
        yield server
    await server.stop()
    assert server.violations == []


def replies_to(api: BotAPIStandIn, update_id: int) -> list[str]:
    """The bot's messages quoting the message of that update."""
    message_id = api.pushed[update_id]["message"]["message_id"]
    return [c.params["text"] for c in api.sent()
            if c.params.get("reply_parameters", {}).get("message_id") == message_id]


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_a_flooder_in_private_slows_only_itself(api, lang):
    api.send_delay = 0.1  # every reply takes Telegram a tenth of a second, the flooder's as anyone's
    for n in range(FLOOD):
        api.message(QUESTIONS[n % len(QUESTIONS)], chat_id=FLOODER, user_id=FLOODER, lang=lang)
    api.message("Qui est le PDG de Kraken ?", chat_id=OTHER, user_id=OTHER)
    (answer,) = await api.wait_for(chat_id=OTHER, timeout=30)
    assert "Jesse Powell" in answer.params["text"]
    assert len(api.sent(chat_id=FLOODER)) < MESSAGE_BURST  # answered while the flood was being served
    await api.wait_for(chat_id=FLOODER, count=MESSAGE_BURST + 1, timeout=60)
    await api.quiet(1.0)
    flooder = [c.params["text"] for c in api.sent(chat_id=FLOODER)]
    assert flooder.count(slow_down(lang)) == 1 and flooder[-1] == slow_down(lang)  # once, then silence
    assert len(flooder) == MESSAGE_BURST + 1
    assert "«" in flooder[0]  # the budget's worth was answered


async def test_a_flooder_in_a_group_slows_only_itself(api):
    api.send_delay = 0.1
    for n in range(FLOOD):
        api.message(f"{MENTION} {QUESTIONS[n % len(QUESTIONS)]}", chat_id=GROUP, user_id=FLOODER)
    for _ in range(3 * MESSAGE_BURST):  # members talking among themselves spend no budget
        api.message("on en parle entre nous", chat_id=GROUP, user_id=CHATTER)
    other = api.message(f"{MENTION} qui est le PDG de Kraken ?", chat_id=GROUP, user_id=OTHER)
    deadline = time.monotonic() + 30
    while not replies_to(api, other):
        assert time.monotonic() < deadline, "the other member got no reply"
        await asyncio.sleep(0.05)
    assert "Jesse Powell" in replies_to(api, other)[0]
    assert len(api.sent(chat_id=GROUP)) <= MESSAGE_BURST  # the flood was not drained yet
    await api.wait_for(chat_id=GROUP, count=MESSAGE_BURST + 2, timeout=60)
    chatter = api.message(f"{MENTION} où est basée la plate-forme Kraken ?", chat_id=GROUP, user_id=CHATTER)
    await api.wait_for(chat_id=GROUP, count=MESSAGE_BURST + 3, timeout=30)
    await api.quiet(1.0)
    group = [c.params["text"] for c in api.sent(chat_id=GROUP)]
    assert group.count(slow_down()) == 1
    assert len(group) == MESSAGE_BURST + 3  # the flooder's budget, its notice, the other's and the chatter's answers
    assert "San Francisco" in replies_to(api, chatter)[0]


async def test_every_press_is_answered_even_over_budget(api):
    presses = [api.callback("alt:1", message_id=999, chat_id=FLOODER, user_id=FLOODER) for _ in range(30)]
    await api.wait_for("answerCallbackQuery", count=len(presses), timeout=30)
    await api.quiet(1.0)
    answers = [c.params for c in api.sent("answerCallbackQuery")]
    assert sorted(str(a["callback_query_id"]) for a in answers) == sorted(api.press_id(p) for p in presses)
    notices = [a for a in answers if a.get("text") == t("slow_down", "fr")]
    assert len(notices) == 1 and not notices[0].get("show_alert")  # a passing notice, not an alert to close
    assert sum(1 for a in answers if a.get("show_alert")) == MESSAGE_BURST  # "no longer available", as allowed
    assert sum(1 for a in answers if not a.get("text")) == 30 - MESSAGE_BURST - 1  # silent, but answered


async def test_operators_have_no_budget(api):
    for _ in range(2 * MESSAGE_BURST):
        api.message("/help", chat_id=OPERATOR, user_id=OPERATOR)
    calls = await api.wait_for(chat_id=OPERATOR, count=2 * MESSAGE_BURST, timeout=30)
    assert all("/summary" in c.params["text"] for c in calls)


def test_budget_refills_and_warns_once_per_flood():
    now = [0.0]
    budget = Budget(burst=3, refill=2.0, clock=lambda: now[0])
    assert [budget.take(1) for _ in range(6)] == [Verdict.ADMIT] * 3 + [Verdict.WARN] + [Verdict.SILENT] * 2
    assert budget.take(2) is Verdict.ADMIT  # another sender has its own budget
    now[0] += 2.0  # one refilled: answered, and no second notice while the flood goes on
    assert [budget.take(1) for _ in range(3)] == [Verdict.ADMIT, Verdict.SILENT, Verdict.SILENT]
    now[0] += 6.0  # full again: the sender calmed down, a new flood earns a new notice
    assert [budget.take(1) for _ in range(5)] == [Verdict.ADMIT] * 3 + [Verdict.WARN, Verdict.SILENT]
    now[0] -= 100.0  # a wall clock set back drains nothing
    assert budget.take(2) is Verdict.ADMIT


def test_budget_forgets_senders_whose_budget_is_full():
    now = [0.0]
    budget = Budget(burst=2, refill=1.0, clock=lambda: now[0])
    for sender in range(Budget.PRUNE_EVERY - 1):
        budget.take(sender)
    assert len(budget) == Budget.PRUNE_EVERY - 1
    now[0] += 2.0
    budget.take(-1)  # the PRUNE_EVERY-th request
    assert len(budget) == 0


async def test_run_bot_stops_within_10_seconds_of_sigterm_under_a_flood(tmp_path):
    """`python run_bot.py` with hundreds of questions queued from one flooder and from many
    users, behind Telegram's flood limits and a slow Bot API: SIGTERM ends it within 10 s."""
    server = BotAPIStandIn(load_spec(SPEC_PATH))
    await server.start()
    env = bot_environment(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url,
                          BOT_DB=str(tmp_path / "bot.db"))
    process = await start_run_bot(tmp_path, env, capture=True)
    assert process.stderr is not None
    log = asyncio.create_task(process.stderr.read())  # read all along: a full pipe would stall the bot
    users = 300
    try:
        await server.wait_for("setMyCommands", count=6, timeout=60)
        server.send_delay = 0.05
        for n in range(FLOOD):
            server.message(QUESTIONS[n % len(QUESTIONS)], chat_id=FLOODER, user_id=FLOODER)
        for n in range(users):
            server.message(QUESTIONS[n % len(QUESTIONS)], chat_id=10_000 + n, user_id=10_000 + n)
        await server.wait_for(count=5, timeout=60)  # busy answering
        start = time.monotonic()
        code = await terminate(process)
        took = time.monotonic() - start
        stderr = (await log).decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await server.stop()
    assert took < 10, f"SIGTERM took {took:.1f} s"
    assert code == 0
    assert len(server.sent()) < users  # it did stop mid-load
    assert "Traceback" not in stderr
    assert server.violations == []
