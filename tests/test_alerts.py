"""Alerts end to end: the real Application and its delivery worker, over real HTTP,
against the Bot API stand-in; new articles come from a second process, the
articles folder and documents sent to the bot."""

from __future__ import annotations

import asyncio
import html
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import load_config
from bot.knowledge import KnowledgeBase
from bot.subscriptions import Subscriptions
from handlers.app import build_application
from tests.botapi import ANONYMOUS_ADMIN, BotAPIStandIn, load_spec, polling
from tests.conftest import (
    PROJECT,
    SEEDS,
    SPEC_PATH,
    TOKEN,
    bot_environment,
    child_processes,
    is_running,
    start_run_bot,
    terminate,
)

ARTICLES = Path(__file__).parent / "articles"
RAIL, STORM = ARTICLES / "greve_rail.txt", ARTICLES / "tempete.md"
GROUP, ADMIN, MEMBER, OPERATOR = -2001, 501, 502, 77
PARIS = ZoneInfo("Europe/Paris")


class Clock:
    """The time the bot sees for digests and retries: real time, plus jumps the test makes."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class Bed:
    api: BotAPIStandIn
    kb: KnowledgeBase
    chats: Subscriptions
    clock: Clock
    folder: Path
    env: dict[str, str]

    def alerts(self, chat_id: int | None = None) -> list[str]:
        return [c.params["text"] for c in self.api.sent(chat_id=chat_id) if c.params["text"].startswith("🆕")]

    async def wait_alerts(self, chat_id: int, count: int = 1, timeout: float = 15.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while len(self.alerts(chat_id)) < count:
            assert time.monotonic() < deadline, f"{len(self.alerts(chat_id))}/{count} alerts in chat {chat_id}"
            await asyncio.sleep(0.05)
        return self.alerts(chat_id)

    def ingest_in_other_process(self, *paths: Path) -> str:
        done = subprocess.run([sys.executable, str(PROJECT / "run_bot.py"), "ingest", *map(str, paths)],
                              env=self.env, capture_output=True, text=True, timeout=120, check=True)
        return done.stdout


def bot_env(tmp_path: Path, api: BotAPIStandIn, folder: Path) -> dict[str, str]:
    return bot_environment(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url,
                           BOT_DB=str(tmp_path / "bot.db"), BOT_ARTICLES_DIR=str(folder), BOT_ALERT_INTERVAL="0.1",
                           BOT_ADMIN_IDS=str(OPERATOR))


@pytest.fixture
async def bed(tmp_path: Path):
    api = BotAPIStandIn(load_spec(SPEC_PATH))
    await api.start()
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    env = bot_env(tmp_path, api, folder)
    config = load_config({**env, "BOT_WORKERS": "0"})  # questions in-process: test_telegram covers the workers
    kb = KnowledgeBase(config.db_path, config.articles_dir)
    clock = Clock()
    async with polling(build_application(config, kb, clock=clock)):
        yield Bed(api, kb, Subscriptions(config.db_path), clock, folder, env)
    await api.stop()
    assert api.violations == []


async def subscribe(bed: Bed, chat_id: int, arguments: str = "", user_id: int | None = None) -> str:
    """Send /subscribe as an administrator (or the private chat's user); returns the bot's reply."""
    if chat_id < 0:
        bed.api.admins.setdefault(chat_id, set()).add(user_id or ADMIN)
    before = len(bed.api.sent(chat_id=chat_id))
    bed.api.message(f"/subscribe {arguments}".strip(), chat_id=chat_id, user_id=user_id or (ADMIN if chat_id < 0
                                                                                           else chat_id))
    calls = await bed.api.wait_for(chat_id=chat_id, count=before + 1)
    return calls[-1].params["text"]


async def test_admin_subscribes_member_is_refused(bed):
    bed.api.admins[GROUP] = {ADMIN}
    bed.api.message("/subscribe grève", chat_id=GROUP, user_id=MEMBER)
    (refusal,) = await bed.api.wait_for(chat_id=GROUP)
    assert "administrateurs" in refusal.params["text"]
    assert not bed.chats.settings(GROUP).subscribed
    bed.api.message("/subscribe grève", chat_id=GROUP, user_id=ADMIN)
    calls = await bed.api.wait_for(chat_id=GROUP, count=2)
    assert "grève" in calls[-1].params["text"]
    assert bed.chats.settings(GROUP).keywords == ["grève"]
    checked = bed.api.sent("getChatMember")
    assert {int(c.params["user_id"]) for c in checked} == {MEMBER, ADMIN}
    # An anonymous administrator writes as the group itself.
    bed.api.message("/subscribe tempête", chat_id=GROUP, user_id=ANONYMOUS_ADMIN["id"],
                    sender_chat={"id": GROUP, "type": "supergroup", "title": "Groupe"})
    await bed.api.wait_for(chat_id=GROUP, count=3)
    assert bed.chats.settings(GROUP).keywords == ["grève", "tempête"]
    # Anyone may look at the subscription.
    bed.api.message("/subscriptions", chat_id=GROUP, user_id=MEMBER)
    calls = await bed.api.wait_for(chat_id=GROUP, count=4)
    assert "grève, tempête" in calls[-1].params["text"]


async def test_ingest_from_another_process_alerts_matching_chats_once(bed):
    await subscribe(bed, GROUP, "grève")
    await subscribe(bed, 300, "")               # a private chat: every article
    await subscribe(bed, -2002, "bitcoin")      # matches nothing in the new article
    output = bed.ingest_in_other_process(RAIL)
    assert "added" in output
    (text,) = await bed.wait_alerts(GROUP)
    alert = bed.api.sent(chat_id=GROUP)[-1]
    assert "Grève à la SNCF" in text and "2024-03-12" in text
    assert "Vos mots-clés : grève" in text
    bullets = [html.unescape(line[2:]) for line in text.splitlines() if line.startswith("• ")]
    assert bullets and all(b in RAIL.read_text(encoding="utf-8") for b in bullets)  # key sentences, verbatim
    button = alert.params["reply_markup"]["inline_keyboard"][0][0]
    assert button["text"] == "Résumé complet" and button["callback_data"].startswith("sum:")
    await bed.wait_alerts(300)
    # The new article is answerable at once.
    answer = await asyncio.to_thread(bed.kb.ask, "Combien de TGV circuleront ?")
    assert answer.answered and "TGV sur trois" in answer.quote.text
    bed.ingest_in_other_process(RAIL)  # the same file again
    await bed.api.quiet(1.0)
    assert len(bed.alerts(GROUP)) == 1 and len(bed.alerts(300)) == 1
    assert bed.alerts(-2002) == []
    # The button under the alert gives the full summary.
    bed.api.callback(button["callback_data"], message_id=1, chat_id=GROUP, user_id=MEMBER)
    calls = await bed.api.wait_for(chat_id=GROUP, count=3)  # reply to /subscribe, alert, summary
    assert calls[-1].params["text"].startswith("<b>") and "Claire Martin" in calls[-1].params["text"]


async def test_429_is_retried_and_delivered_once(bed):
    await subscribe(bed, 301)
    bed.api.failures["sendMessage"] = [(429, {"ok": False, "error_code": 429, "description": "Too Many Requests",
                                              "parameters": {"retry_after": 1}})]
    bed.ingest_in_other_process(RAIL)
    await bed.wait_alerts(301, count=2, timeout=20)
    await bed.api.quiet(1.5)
    assert len(bed.alerts(301)) == 2  # the refused attempt and one delivery
    assert bed.chats.settings(301).subscribed


async def test_network_error_is_retried_with_backoff_and_delivered_once(bed):
    await subscribe(bed, 310)
    bed.api.failures["sendMessage"] = [(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})]
    bed.ingest_in_other_process(STORM)
    await bed.wait_alerts(310)
    await bed.api.quiet(0.5)
    assert len(bed.alerts(310)) == 1  # the failed attempt; the retry waits for its backoff
    bed.clock.advance(5)  # past the first backoff (2 s)
    await bed.wait_alerts(310, count=2)
    await bed.api.quiet(1.0)
    assert len(bed.alerts(310)) == 2
    assert bed.kb.db.execute("SELECT status, attempts FROM outbox WHERE chat_id = 310").fetchone() == ("sent", 2)


async def test_blocked_chat_is_deactivated_and_others_still_served(bed):
    for chat_id in (302, 303, 304):
        await subscribe(bed, chat_id)
    bed.api.chat_errors[303] = (403, {"ok": False, "error_code": 403,
                                      "description": "Forbidden: bot was blocked by the user"})
    bed.ingest_in_other_process(RAIL, STORM)
    await bed.wait_alerts(302, count=2)
    await bed.wait_alerts(304, count=2)
    await bed.api.quiet(0.5)
    assert len(bed.alerts(302)) == 2 and len(bed.alerts(304)) == 2
    assert len(bed.alerts(303)) == 1  # tried once, then the chat was deactivated
    assert not bed.chats.settings(303).active


async def test_group_upgraded_to_supergroup_gets_the_alert_at_its_new_id(bed):
    await subscribe(bed, -42, "tempête")
    bed.api.chat_errors[-42] = (400, {"ok": False, "error_code": 400,
                                      "description": "Bad Request: group chat was upgraded to a supergroup chat",
                                      "parameters": {"migrate_to_chat_id": -1000042}})
    bed.ingest_in_other_process(STORM)
    (alert,) = await bed.wait_alerts(-1000042)
    assert "Ciaran" in alert
    assert bed.chats.settings(-1000042).keywords == ["tempête"]
    assert not bed.chats.settings(-42).subscribed


async def test_digest_goes_out_once_at_the_set_time(bed):
    await subscribe(bed, 305)
    paris_now = datetime.fromtimestamp(bed.clock(), PARIS)
    target = (paris_now.replace(second=0, microsecond=0).hour + 2) % 24
    bed.api.message(f"/digest {target:02d}:00", chat_id=305)
    calls = await bed.api.wait_for(chat_id=305, count=2)
    assert f"{target:02d}:00" in calls[-1].params["text"] and "Europe/Paris" in calls[-1].params["text"]
    bed.ingest_in_other_process(RAIL, STORM)
    await bed.api.quiet(1.0)
    assert len(bed.api.sent(chat_id=305)) == 2  # no instant alert in digest mode
    bed.clock.advance(3 * 3600)  # past the digest time
    calls = await bed.api.wait_for(chat_id=305, count=3)
    digest = calls[-1].params["text"]
    assert digest.startswith("<b>🗞 Digest : 2") and "SNCF" in digest and "Ciaran" in digest
    assert len(calls[-1].params["reply_markup"]["inline_keyboard"]) == 2  # a summary button per article
    await bed.api.quiet(0.5)
    bed.clock.advance(3600)
    await bed.api.quiet(0.5)
    assert len(bed.api.sent(chat_id=305)) == 3  # nothing new: no second digest
    bed.api.message("/digest off", chat_id=305)
    await bed.api.wait_for(chat_id=305, count=4)
    assert bed.chats.settings(305).digest_at is None


async def test_added_to_a_group_says_hello_removed_stops_alerts(bed):
    bed.api.membership(-77, "left", "member", user_id=ADMIN)
    (hello,) = await bed.api.wait_for(chat_id=-77)
    assert "/subscribe" in hello.params["text"]
    await subscribe(bed, -77)
    bed.api.membership(-77, "member", "kicked", user_id=ADMIN)
    await bed.api.quiet(0.5)
    assert not bed.chats.settings(-77).active
    bed.ingest_in_other_process(RAIL)
    await bed.api.quiet(1.0)
    assert bed.alerts(-77) == []


async def test_pause_resume_and_unsubscribe(bed):
    await subscribe(bed, 306, "grève tempête")
    bed.api.message("/pause", chat_id=306)
    await bed.api.wait_for(chat_id=306, count=2)
    bed.ingest_in_other_process(RAIL)
    await bed.api.quiet(1.0)
    assert bed.alerts(306) == []
    bed.api.message("/resume", chat_id=306)
    await bed.api.wait_for(chat_id=306, count=3)
    bed.api.message("/unsubscribe grève", chat_id=306)
    calls = await bed.api.wait_for(chat_id=306, count=4)
    assert "tempête" in calls[-1].params["text"]
    bed.api.message("/unsubscribe all", chat_id=306)
    calls = await bed.api.wait_for(chat_id=306, count=5)
    assert "arrêté" in calls[-1].params["text"]
    bed.ingest_in_other_process(STORM)
    await bed.api.quiet(1.0)
    assert bed.alerts(306) == []


@pytest.mark.parametrize("command", ["/subscribe ?? !!", "/digest demain", "/digest 25:00", "/unsubscribe 🙂",
                                     "/pause", "/resume", "/unsubscribe"])
async def test_junk_or_pointless_arguments_get_a_short_explanation(bed, command):
    bed.api.message(command, chat_id=307)
    (call,) = await bed.api.wait_for(chat_id=307)
    assert 0 < len(call.params["text"]) < 300
    assert not bed.chats.settings(307).subscribed


async def test_file_dropped_in_the_articles_folder_is_loaded_and_alerted(bed):
    await subscribe(bed, 308, "Bretagne")
    shutil.copy(STORM, bed.folder / "tempete.md")
    (alert,) = await bed.wait_alerts(308)
    assert "Ciaran" in alert
    answer = await asyncio.to_thread(bed.kb.ask, "Combien de foyers privés d'électricité ?")
    assert answer.answered and "500 000 foyers" in answer.quote.text


async def test_operator_uploads_an_article_others_are_refused(bed):
    await subscribe(bed, 309, "SNCF")
    bed.api.document("greve.txt", RAIL.read_bytes(), chat_id=MEMBER, user_id=MEMBER)
    (refusal,) = await bed.api.wait_for(chat_id=MEMBER)
    assert "opérateurs" in refusal.params["text"]
    bed.api.document("photo.exe", b"MZ\x90\x00", chat_id=OPERATOR, user_id=OPERATOR)
    bed.api.document("huge.txt", b"x", chat_id=OPERATOR, user_id=OPERATOR, size=50_000_000)
    bed.api.document("empty.txt", b"", chat_id=OPERATOR, user_id=OPERATOR)
    bed.api.document("greve.txt", RAIL.read_bytes(), chat_id=OPERATOR, user_id=OPERATOR)
    calls = await bed.api.wait_for(chat_id=OPERATOR, count=4)
    replies = [c.params["text"] for c in calls]
    assert any(".txt, .md ou .html" in r for r in replies)
    assert any("trop gros" in r for r in replies)
    assert any("refused  empty.txt" in r for r in replies)
    assert any("added    greve.txt" in r for r in replies)
    (alert,) = await bed.wait_alerts(309)
    assert "SNCF" in alert
    bed.api.document("greve.txt", RAIL.read_bytes(), chat_id=OPERATOR, user_id=OPERATOR)
    calls = await bed.api.wait_for(chat_id=OPERATOR, count=5)
    assert "skipped" in calls[-1].params["text"]
    await bed.api.quiet(0.5)
    assert len(bed.alerts(309)) == 1


async def test_restart_and_kill_mid_queue_deliver_everything_at_most_one_repeat(tmp_path):
    """The real `run_bot.py`: SIGKILL while sending, restart, SIGTERM while sending, restart."""
    api = BotAPIStandIn(load_spec(SPEC_PATH))
    await api.start()
    api.send_delay = 0.05
    folder = tmp_path / "articles"
    folder.mkdir()
    env = bot_env(tmp_path, api, folder)
    chats = Subscriptions(tmp_path / "bot.db")
    chat_ids = list(range(1000, 1060))
    for chat_id in chat_ids:
        chats.subscribe(chat_id, [], "fr")
    subprocess.run([sys.executable, str(PROJECT / "run_bot.py"), "ingest", str(RAIL)], env=env, check=True,
                   capture_output=True, timeout=120)

    def alerts() -> list[int]:
        return [int(c.params["chat_id"]) for c in api.sent() if c.params["text"].startswith("🆕")]

    bot = await start_run_bot(tmp_path, env)
    try:
        await api.wait_for(count=15, timeout=60)
        workers = child_processes(bot.pid)
        bot.send_signal(signal.SIGKILL)
        await bot.wait()
        killed_at = len(alerts())
        assert workers  # the question worker had started...
        for _ in range(100):
            if not any(map(is_running, workers)):
                break
            await asyncio.sleep(0.1)
        assert not any(map(is_running, workers))  # ...and did not outlive the bot
        bot = await start_run_bot(tmp_path, env)
        await api.wait_for(count=killed_at + 15, timeout=60)
        assert await terminate(bot) == 0
        after_term = alerts()
        bot = await start_run_bot(tmp_path, env)
        await api.wait_for(count=len(chat_ids), timeout=60)
        await asyncio.sleep(1.0)
        assert await terminate(bot) == 0
    finally:
        if bot.returncode is None:
            bot.kill()
        await api.stop()
    sent = alerts()
    assert set(sent) == set(chat_ids)                     # everything delivered
    assert len(sent) - len(set(sent)) <= 1                 # at most the one in flight at the kill, again
    assert len(after_term) < len(chat_ids)                 # the SIGTERM did land mid-queue
    repeated = {chat for chat in sent if sent.count(chat) > 1}
    assert repeated <= {sent[killed_at]}                   # the first one sent after the restart, if any
