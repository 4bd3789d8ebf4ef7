"""Articles in PostgreSQL, answered from each instance's local copy kept in step (bot/replica.py).
Runs on a server the suite starts (tests/pg.py); skipped with one line where it cannot."""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import storage
from bot.knowledge import KnowledgeBase
from bot.storage_pg.database import Database
from tests import pg
from tests.conftest import LAYOFFS, SEEDS, serving

TESTS = Path(__file__).parent
CORPUS = [SEEDS, TESTS / "articles", TESTS / "made_up"]
QUESTIONS = ["Combien de salariés la fromagerie Lactalis emploie-t-elle ?", "Qui est la directrice de la fromagerie ?",
             "Combien de vélos compte le service de Grenoble ?", "Combien de temps a duré la grève ?",
             "Qui a écrit l'article sur les vélos ?", "Que s'est-il passé chez Kraken ?", "Who is Jesse Powell?",
             "Quel temps fera-t-il demain ?"]


@pytest.fixture
def url() -> Iterator[str]:
    with pg.database() as database:
        yield database


@pytest.fixture
def instances(url: str, tmp_path: Path) -> Iterator[list[KnowledgeBase]]:
    """Two instances over one PostgreSQL database, each with its own local copy."""
    opened = [KnowledgeBase(tmp_path / f"replica_{name}.db", shared=url) for name in "ab"]
    yield opened
    for kb in opened:
        kb.close()


def state(kb: KnowledgeBase) -> list:
    """What answering reads: articles, sentences with their ids, facts, vocabulary, the FTS index."""
    db = kb.db
    return [db.execute("SELECT id, source, checksum, title, headings, retired_at FROM articles ORDER BY id").fetchall(),
            db.execute("SELECT id, article_id, position, paragraph, heading, text, terms FROM sentences "
                       "ORDER BY id").fetchall(),
            db.execute("SELECT sentence_id, article_id, kind, text, value, unit FROM facts "
                       "ORDER BY sentence_id, kind, text").fetchall(),
            db.execute("SELECT word, df FROM vocab ORDER BY word").fetchall(),
            db.execute("SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH 'greve OR velo' "
                       "ORDER BY rowid").fetchall()]


def answers(kb: KnowledgeBase) -> list[dict]:
    return [kb.ask(question).to_json("") for question in QUESTIONS]


def test_an_ingest_through_one_instance_is_answered_by_the_other_as_by_sqlite(url, instances, tmp_path):
    first, second = instances
    report = first.ingest(CORPUS)
    assert len(report.added) == 6
    assert second.articles() == []  # not copied yet: at its next look
    assert second.sync() is True and second.sync() is False  # nothing new the second time
    plain = KnowledgeBase(tmp_path / "plain.db")
    plain.ingest(CORPUS)
    assert state(second) == state(first) == state(plain)
    store = Database(url)
    try:  # PostgreSQL's own word counts too, batch by batch
        assert sorted(store.query("SELECT word, df FROM vocab")) == sorted(state(plain)[3])
    finally:
        store.close()
    assert answers(second) == answers(plain)
    assert [a for a in answers(plain) if a["answered"]]  # the questions do find answers


def test_an_update_replaces_in_place_and_a_retire_hides(instances, tmp_path):
    first, second = instances
    article = tmp_path / "layoffs.txt"
    shutil.copy(SEEDS / LAYOFFS, article)
    first.ingest([SEEDS / "000_b145b5cb3965f482.txt", article])
    second.sync()
    number = next(a.id for a in second.articles() if a.title in article.read_text(encoding="utf-8"))
    added = "Le syndicat annonce une manifestation devant le siège de Sarcelles jeudi."
    article.write_text(article.read_text(encoding="utf-8") + f"\n{added}\n", encoding="utf-8")
    assert second.ingest([article]).updated == [str(article)]
    first.sync()
    assert [a.id for a in first.articles()] == [1, 2]  # same number
    assert any(added in quote.text for quote in first.quotes("manifestation Sarcelles"))
    assert state(first) == state(second)

    assert second.retire(number, True, 1000.0) is True
    first.sync()
    assert [a.id for a in first.articles()] == [1] and first.summary(number) is None
    assert all(a.article.id != number for a in [first.ask("manifestation Sarcelles").quote] if a)
    assert first.catalogue()[1][2] == 1000.0  # still listed as retired, for /restore
    assert first.retire(number, False, 2000.0) is True
    second.sync()
    assert [a.id for a in second.articles()] == [1, 2] and second.summary(number) is not None


def test_an_alert_for_an_article_not_copied_yet_finds_it(instances):
    first, second = instances
    first.ingest([SEEDS])
    assert second.summary(1) is not None  # copied on the spot rather than the alert failing


def test_two_instances_storing_the_same_files_at_once_store_and_alert_once(url, instances):
    store = Database(url)
    with store.transaction() as tx:
        tx.executemany("INSERT INTO chats (chat_id, subscribed) VALUES (?, 1)", [(1,), (2,)])
    start = threading.Barrier(2)

    def ingest(kb: KnowledgeBase) -> None:
        start.wait()
        kb.ingest([SEEDS])

    threads = [threading.Thread(target=ingest, args=(kb,)) for kb in instances]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    try:
        assert store.query("SELECT count(*) FROM articles") == [(2,)]
        assert store.query("SELECT chat_id, article_id FROM outbox ORDER BY chat_id, article_id") == \
            [(1, 1), (1, 2), (2, 1), (2, 2)]
        # Sentence ids were given under the lock, and PostgreSQL's own ids would follow them.
        last = store.query("SELECT max(id) FROM sentences")[0][0]
        assert store.query("SELECT last_value FROM pg_sequences WHERE sequencename = 'sentences_id_seq'") == [(last,)]
    finally:
        store.close()
    for kb in instances:
        kb.sync()
    assert state(instances[0]) == state(instances[1])


def test_a_copy_of_another_database_is_made_equal(url, tmp_path):
    """A local file that held other articles (another database, an old copy) ends up equal."""
    path = tmp_path / "replica.db"
    other = KnowledgeBase(path)
    other.ingest([TESTS / "made_up"])
    other.close()
    kb = KnowledgeBase(path, SEEDS, shared=url)
    try:
        assert [a.title for a in kb.articles()] == [a.title for a in KnowledgeBase(tmp_path / "p.db", SEEDS).articles()]
        assert storage.generation(kb.db) > 0
    finally:
        kb.close()


def test_an_instance_following_postgresql_copies_what_another_stores(instances):
    first, second = instances
    second.follow(0.05)
    first.ingest([SEEDS])
    deadline = time.monotonic() + 30
    while len(second.articles()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    second.unfollow()
    assert [a.id for a in second.articles()] == [1, 2]
    assert second.ask("Qui est le PDG de Kraken ?").answered  # the vocabulary was reloaded too


async def test_a_bot_on_postgresql_alerts_and_answers_what_another_instance_stored(url, tmp_path):
    """The bot (BOT_DB=postgresql://…) through the stand-in Bot API: an article stored by another
    instance is announced to a subscribed chat, and its button and questions are answered."""
    other = KnowledgeBase(tmp_path / "other.db", shared=url)
    kb = KnowledgeBase(tmp_path / "replica.db", shared=url)
    try:
        async with serving(kb, tmp_path, BOT_DB=url, BOT_ALERT_INTERVAL="0.1") as api:
            api.message("/subscribe", chat_id=300, user_id=300)
            await api.wait_for(chat_id=300)
            await asyncio.to_thread(other.ingest, [SEEDS / LAYOFFS])
            alert = (await api.wait_for(chat_id=300, count=2))[-1]
            assert "Kraken" in alert.params["text"]
            button = alert.params["reply_markup"]["inline_keyboard"][0][0]
            assert button["callback_data"] == "sum:1"
            api.message("Qui est le PDG de Kraken ?", chat_id=300, user_id=300)
            answer = (await api.wait_for(chat_id=300, count=3))[-1]
            assert "Jesse Powell" in answer.params["text"]
    finally:
        other.close()
        kb.close()
