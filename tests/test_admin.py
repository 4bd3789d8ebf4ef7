"""The operators' tools: the question log, /stats, /unanswered, /forget and /restore, in Telegram
(end to end through the stand-in) and from the shell (`run_bot.py list|forget|restore`)."""

from __future__ import annotations

import asyncio
import html
import logging
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot import storage
from bot.answering.model import EMPTY, NOT_FOUND, UNKNOWN_NAMES
from bot.config import load_config
from bot.ingest import ingest_paths
from bot.knowledge import KnowledgeBase
from bot.questionlog import INLINE, KEPT_SECONDS, PURGE_EVERY, QuestionLog, normalise
from bot.stats import gather
from bot.subscriptions import Subscriptions, queue_alerts
from handlers.app import build_application, set_commands
from tests.botapi import BotAPIStandIn, load_spec, polling
from tests.conftest import LAYOFFS, PROJECT, SEEDS, SPEC_PATH, TOKEN, bot_environment

OPERATOR = 7
READER = 100
GROUP = -1001
LAYOFFS_QUESTION = "Combien de personnes Kraken licencie ?"


@pytest.fixture
def own_kb(tmp_path: Path) -> KnowledgeBase:
    """A knowledge base of its own: these tests retire articles, which the session's must keep."""
    return KnowledgeBase(tmp_path / "bot.db", SEEDS)


def layoffs_id(kb: KnowledgeBase) -> int:
    (number,) = storage.open_database(kb.path).execute("SELECT id FROM articles WHERE source LIKE ?",
                                                       [f"%{LAYOFFS}"]).fetchone()
    return number


# --- retiring an article: the core --------------------------------------------------------


def test_a_retired_article_is_neither_answered_nor_listed_until_restored(own_kb):
    kb, number = own_kb, layoffs_id(own_kb)
    assert "Qui est Jesse Powell ?" in kb.examples("fr")
    answer = kb.ask(LAYOFFS_QUESTION)
    assert answer.answered and answer.quote.article.id == number
    sentence = answer.quote.sentence_id
    assert kb.retire(number, True, time.time()) is True
    assert kb.retire(number, True, time.time()) is False  # already retired
    assert kb.retire(999_999, True, time.time()) is None

    assert number not in [a.id for a in kb.articles()]
    assert not kb.ask(LAYOFFS_QUESTION).answered
    assert all(q.article.id != number for q in kb.quotes("service client"))
    assert kb.find_article(str(number)) is None and kb.summary(number) is None
    assert all(s.article.id != number for s in kb.summaries()) and "licencie" not in kb.digest()
    assert kb.context(sentence) is None  # the "Contexte" button under an old answer
    assert "Qui est Jesse Powell ?" not in kb.examples("fr")  # /start's examples: he is in that article only
    assert [(n, retired is not None) for n, _, retired in kb.catalogue()] == \
        [(a, a == number) for a in sorted([number, *[x.id for x in kb.articles()]])]
    # A follow-up leaning on a question about the retired article finds nothing there either.
    follow_up = kb.ask("Et pourquoi ?", conversation=answer.conversation)
    assert follow_up.quote is None or follow_up.quote.article.id != number

    assert kb.retire(number, False, time.time()) is True
    assert kb.ask(LAYOFFS_QUESTION).quote.article.id == number
    assert number in [a.id for a in kb.articles()]


def test_another_process_retiring_is_seen_at_the_next_question(own_kb):
    """`run_bot.py forget` writes through its own connection: the running bot's next answer knows."""
    number = layoffs_id(own_kb)
    assert own_kb.ask(LAYOFFS_QUESTION).answered
    shell = storage.open_database(own_kb.path)
    before = storage.generation(shell)
    assert storage.set_retired(shell, number, time.time()) is True
    assert storage.generation(shell) == before + 1
    assert not own_kb.ask(LAYOFFS_QUESTION).answered


def test_the_folder_does_not_bring_back_an_unchanged_file_but_a_changed_one_does(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEEDS / LAYOFFS, folder / LAYOFFS)
    kb = KnowledgeBase(tmp_path / "bot.db", folder)
    (article,) = kb.articles()
    kb.retire(article.id, True, time.time())
    report = kb.ingest([folder])
    assert report.skipped == [str(folder / LAYOFFS)] and kb.articles() == []
    (folder / LAYOFFS).write_text((SEEDS / LAYOFFS).read_text() + "\nUne phrase ajoutée depuis.\n")
    report = kb.ingest([folder])
    assert report.updated == [str(folder / LAYOFFS)]
    assert [a.id for a in kb.articles()] == [article.id]  # the same article, live again
    assert kb.ask(LAYOFFS_QUESTION).answered


def test_retiring_cancels_alerts_not_sent_yet(tmp_path):
    db_path = tmp_path / "bot.db"
    Subscriptions(db_path).subscribe(5, [], "fr")
    db = storage.open_database(db_path)
    report = ingest_paths(db, [SEEDS / LAYOFFS], queue_alerts)
    (number,) = report.article_ids
    assert storage.set_retired(db, number, time.time()) is True
    assert db.execute("SELECT status, error FROM outbox WHERE article_id = ?", [number]).fetchall() == \
        [("dropped", "article retired")]
    storage.set_retired(db, number, None)  # restoring does not announce it as new
    assert db.execute("SELECT status FROM outbox WHERE article_id = ?", [number]).fetchall() == [("dropped",)]


# --- the question log and the figures ----------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now


def test_question_log_keeps_the_text_of_real_declined_questions_only(tmp_path):
    log = QuestionLog(tmp_path / "bot.db", keep_text=True)
    log.record("private", True, None, 12.0, "Qui est le PDG de Kraken ?")
    log.record("private", False, EMPTY, 3.0, "Bonjour !")
    log.record("supergroup", False, UNKNOWN_NAMES, 20.0, "Qui est Vitalik Buterin ?")
    log.record(INLINE, False, NOT_FOUND, 5.0, "Qui est Vit")  # typed on: half a question
    rows = log.store.query("SELECT chat_type, text, answered, declined, latency_ms FROM questions ORDER BY id")
    assert rows == [("private", None, 1, None, 12.0), ("private", None, 0, EMPTY, 3.0),
                               ("supergroup", "Qui est Vitalik Buterin ?", 0, UNKNOWN_NAMES, 20.0),
                               (INLINE, None, 0, NOT_FOUND, 5.0)]
    # Who asked, and where, is not among the columns at all.
    assert {c.name for c in log.store.db["questions"].columns} == {"id", "asked_at", "chat_type", "text", "answered",
                                                                   "declined", "latency_ms"}
    silent = QuestionLog(tmp_path / "bot.db", keep_text=False)  # BOT_LOG_QUESTIONS=0
    silent.record("private", False, NOT_FOUND, 9.0, "Qui est Satoshi ?")
    assert silent.store.query("SELECT text FROM questions ORDER BY id DESC LIMIT 1") == [(None,)]


def test_unanswered_counts_questions_alike_despite_case_spacing_and_punctuation(tmp_path):
    clock = Clock()
    log = QuestionLog(tmp_path / "bot.db", keep_text=True, clock=clock)
    for text in ["Qui est Vitalik Buterin ?", "qui est  vitalik buterin", "QUI EST VITALIK BUTERIN?!",
                 "Quel temps fait-il ?", "Quel temps fait il"]:
        log.record("private", False, UNKNOWN_NAMES, 10.0, text)
    log.record("private", False, NOT_FOUND, 10.0, "Où est Ethereum ?")
    assert normalise(" Quel   temps fait-il ?") == "quel temps fait il"
    assert log.unanswered() == [("QUI EST VITALIK BUTERIN?!", 3), ("Quel temps fait il", 2), ("Où est Ethereum ?", 1)]
    assert log.unanswered(limit=1) == [("QUI EST VITALIK BUTERIN?!", 3)]
    clock.now += KEPT_SECONDS + 1
    assert log.unanswered() == []  # older than 30 days: no longer recent


def test_rows_older_than_30_days_are_deleted_as_new_ones_come(tmp_path):
    clock = Clock()
    log = QuestionLog(tmp_path / "bot.db", keep_text=True, clock=clock)
    for _ in range(3):
        log.record("private", False, NOT_FOUND, 1.0, "vieux")
    clock.now += KEPT_SECONDS - 60
    log.record("private", True, None, 1.0, None)  # within the hour after the last purge: nothing deleted yet
    assert log.store.query("SELECT count(*) FROM questions") == [(4,)]
    clock.now += PURGE_EVERY
    log.record("private", True, None, 1.0, None)
    assert log.store.query("SELECT count(*) FROM questions") == [(2,)]


def test_a_log_the_disk_refuses_costs_the_row_not_the_answer(tmp_path, caplog):
    log = QuestionLog(tmp_path / "bot.db", keep_text=True)
    log.store.db.execute("PRAGMA query_only = 1")  # as a read-only database or a full disk refuse writes
    with caplog.at_level(logging.WARNING):
        assert log.record("private", True, None, 1.0, None) is False
    assert "question not logged" in caplog.text and "read-only" in caplog.text


def test_figures(tmp_path):
    db_path, clock = tmp_path / "bot.db", Clock()
    kb = KnowledgeBase(db_path, SEEDS)
    kb.retire(layoffs_id(kb), True, clock())
    chats = Subscriptions(db_path)
    chats.subscribe(1, [], "fr")
    chats.register(2, "group", "G", "fr")
    log = QuestionLog(db_path, keep_text=True, clock=clock)
    clock.now -= 3 * 86400  # three days ago
    log.record("private", True, None, 100.0, None)
    clock.now += 3 * 86400
    for latency, answered in [(10.0, True), (30.0, False), (20.0, True)]:
        log.record("private", answered, None if answered else NOT_FOUND, latency, "x")
    stats = gather(db_path, {"sent": 4, "pending": 1}, clock(), "Europe/Paris")
    assert (stats.articles, stats.retired, stats.chats, stats.subscribed) == (1, 1, 2, 1)
    assert (stats.questions_today, stats.questions_week) == (3, 4)
    assert stats.answered_share == 0.75 and stats.median_ms == 20.0
    assert stats.alerts == {"sent": 4, "pending": 1}
    empty = gather(tmp_path / "empty.db", {}, clock(), "Europe/Paris")
    assert empty.answered_share is None and empty.median_ms is None and empty.questions_week == 0


# --- from the shell ----------------------------------------------------------------------------


def run_bot(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT / "run_bot.py"), *args], text=True, capture_output=True,
                          cwd=tmp_path, env=bot_environment(BOT_DB=str(tmp_path / "bot.db")), timeout=120)


def test_list_forget_restore_from_the_shell(tmp_path):
    assert run_bot(["ingest", str(SEEDS)], tmp_path).returncode == 0
    listed = run_bot(["list"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [["1", "live"], ["2", "live"]]
    assert "Kraken licencie" in lines[1]
    forget = run_bot(["forget", "2"], tmp_path)
    assert forget.returncode == 0 and forget.stdout.startswith("article 2 retired: Crypto-monnaies")
    assert run_bot(["forget", "2"], tmp_path).stdout.startswith("article 2 was already retired")
    assert [line.split()[:2] for line in run_bot(["list"], tmp_path).stdout.splitlines()] == \
        [["1", "live"], ["2", "retired"]]
    answer = run_bot(["ask", LAYOFFS_QUESTION], tmp_path)
    assert "57" not in answer.stdout and "rien trouvé" in answer.stdout
    missing = run_bot(["forget", "99"], tmp_path)
    assert missing.returncode == 1 and "no article 99" in missing.stderr and missing.stdout == ""
    assert run_bot(["forget", "²"], tmp_path).returncode == 2  # not an article number: a usage error
    restore = run_bot(["restore", "2"], tmp_path)
    assert restore.returncode == 0 and restore.stdout.startswith("article 2 restored")
    assert "57" in run_bot(["ask", LAYOFFS_QUESTION], tmp_path).stdout


# --- in Telegram, end to end through the stand-in -----------------------------------------------


@pytest.fixture
async def bot(own_kb: KnowledgeBase, tmp_path: Path):
    """The stand-in and a bot polling it, BOT_ADMIN_IDS naming OPERATOR, on a knowledge base of its own."""
    server = BotAPIStandIn(load_spec(SPEC_PATH))
    await server.start()
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
                          "BOT_DB": str(tmp_path / "state.db"), "BOT_WORKERS": "0",
                          "BOT_ADMIN_IDS": str(OPERATOR)})
    async with polling(build_application(config, own_kb)):
        yield server
    await server.stop()
    assert server.violations == []


async def said(server: BotAPIStandIn, chat_id: int, text: str, user_id: int | None = None) -> str:
    """Send `text` to the bot in `chat_id` and return its one reply, unescaped."""
    before = len(server.sent(chat_id=chat_id))
    server.message(text, chat_id=chat_id, user_id=chat_id if user_id is None else user_id)
    calls = await server.wait_for(chat_id=chat_id, count=before + 1)
    await server.quiet(0.3)
    assert len(server.sent(chat_id=chat_id)) == before + 1  # one reply, no more
    return html.unescape(calls[-1].params["text"])


async def logged(kb: KnowledgeBase, count: int) -> list[tuple]:
    """The question log once it holds `count` rows (written just after each reply goes out)."""
    db = storage.open_database(kb.path)  # not the bot's connection, which its threads use meanwhile
    for _ in range(100):
        rows = db.execute("SELECT chat_type, text, answered, declined FROM questions ORDER BY id").fetchall()
        if len(rows) >= count:
            return rows
        await asyncio.sleep(0.1)
    raise AssertionError(f"the question log holds {len(rows)} of {count} rows")


@pytest.mark.parametrize("command", ["/stats", "/unanswered", "/forget 1", "/restore 1", "/restore"])
async def test_operators_commands_refuse_everyone_else_in_one_line(bot, own_kb, command):
    refusal = "réservée aux opérateurs du bot, en conversation privée"
    assert refusal in await said(bot, READER, command)  # not an operator
    assert refusal in await said(bot, GROUP, command, user_id=OPERATOR)  # an operator, but in a group
    assert refusal in await said(bot, GROUP, command, user_id=READER)
    assert len(own_kb.articles()) == 2  # nothing was retired


async def test_operator_menu_in_their_private_chat(bot):
    menus = await bot.wait_for("setMyCommands", count=8)
    mine = [c for c in menus if c.params["scope"] == {"type": "chat", "chat_id": OPERATOR}]
    assert len(mine) == 2  # French, English
    names = [c["command"] for c in mine[0].params["commands"]]
    assert {"start", "stats", "unanswered", "forget", "restore"} <= set(names)
    others = [c for c in menus if c not in mine]
    assert all("stats" not in [c["command"] for c in call.params["commands"]] for call in others)


async def test_a_chat_telegram_does_not_know_costs_only_that_operators_menu(own_kb, tmp_path, caplog):
    """An operator who never wrote to the bot: Telegram refuses their menu, and the bot starts anyway."""
    server = BotAPIStandIn(load_spec(SPEC_PATH))
    await server.start()
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
                          "BOT_DB": str(tmp_path / "state.db"), "BOT_ADMIN_IDS": "7,8"})
    ok = (200, {"ok": True, "result": True})
    server.failures["setMyCommands"] = [ok] * 6 + [
        (400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})]
    app = build_application(config, own_kb, rate_limited=False)
    try:
        await app.initialize()
        with caplog.at_level(logging.WARNING):
            await set_commands(app)
    finally:
        await app.shutdown()
        await server.stop()
    scopes = [c.params["scope"] for c in server.sent("setMyCommands")]
    assert scopes[6:] == [{"type": "chat", "chat_id": 7}, {"type": "chat", "chat_id": 8},
                          {"type": "chat", "chat_id": 8}]  # 7 refused: its English menu is not tried
    assert "no operators' command menu for 7" in caplog.text


async def test_questions_are_logged_and_counted_in_stats(bot, own_kb):
    assert "Jesse Powell" in await said(bot, READER, "Qui est le PDG de Kraken ?")
    await said(bot, READER, "Qui est Vitalik Buterin ?")
    await said(bot, GROUP, "@ArticlesQABot qui est vitalik  buterin", user_id=READER)
    await said(bot, READER, "🙂")
    bot.inline("Qui est Vitalik Buterin")
    await bot.wait_for("answerInlineQuery")
    rows = await logged(own_kb, 5)
    assert rows == [("private", None, 1, None), ("private", "Qui est Vitalik Buterin ?", 0, UNKNOWN_NAMES),
                    ("supergroup", "qui est vitalik  buterin", 0, UNKNOWN_NAMES), ("private", None, 0, EMPTY),
                    (INLINE, None, 0, UNKNOWN_NAMES)]

    stats = await said(bot, OPERATOR, "/stats")
    assert "Articles : 2 en ligne, 0 retiré(s)" in stats
    assert "Questions : 5 aujourd'hui, 5 sur 7 jours" in stats
    assert "Réponses trouvées : 20 %" in stats and "délai médian : " in stats
    assert "Alertes : 0 envoyée(s), 0 en attente, 0 en échec" in stats
    unanswered = await said(bot, OPERATOR, "/unanswered")
    assert unanswered.splitlines()[1:] == ["2 × qui est vitalik buterin"]  # the latest wording, spaces tidied


async def test_forget_and_restore_in_telegram(bot, own_kb):
    number = layoffs_id(own_kb)
    assert "57" in await said(bot, READER, LAYOFFS_QUESTION)
    assert "Donnez le numéro" in await said(bot, OPERATOR, "/forget")
    assert "Il n'y a pas d'article n° 999" in await said(bot, OPERATOR, "/forget 999")
    assert "Aucun article n'est retiré" in await said(bot, OPERATOR, "/restore")
    done = await said(bot, OPERATOR, f"/forget {number}")
    assert done.startswith(f"Article {number} retiré : « Crypto-monnaies : Kraken licencie")
    assert "déjà retiré" in await said(bot, OPERATOR, f"/forget {number}")

    # Not answered from, not listed, not summarised, not offered inline.
    assert "57" not in await said(bot, READER, LAYOFFS_QUESTION)
    listed = await said(bot, READER, "/articles")
    assert "Kraken licencie" not in listed and "Articles (1)" in listed
    assert "Kraken licencie" not in await said(bot, READER, "/summary")
    assert "Je ne trouve pas" in await said(bot, READER, f"/summary {number}")
    bot.inline("licenciement service client")
    (inline,) = await bot.wait_for("answerInlineQuery")
    assert all("licencie" not in r["title"] for r in inline.params["results"])
    assert f"{number}. Crypto-monnaies" in await said(bot, OPERATOR, "/restore")  # the retired ones

    assert f"Article {number} rétabli" in await said(bot, OPERATOR, f"/restore {number}")
    assert "n'est pas retiré" in await said(bot, OPERATOR, f"/restore {number}")
    assert "57" in await said(bot, READER, LAYOFFS_QUESTION)
    assert "Kraken licencie" in await said(bot, READER, "/articles")
