"""The chat side on both backends, SQLite (one bot) and PostgreSQL (several instances sharing one
database): subscriptions and the alerts queued with an article, chat state (PTB's persistence),
the question log and /stats' figures. The PostgreSQL cases run on a server the suite starts
(tests/pg.py) and are skipped, with one line saying why, where it cannot.

Articles are written straight into the tables here: storing them through the ingest is the
articles' own business (and tests); what matters is that `queue_alerts` runs in their transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.answering.model import EMPTY, Answer
from bot.backends import Store, open_store
from bot.questionlog import INLINE, KEPT_SECONDS, PURGE_EVERY, QuestionLog
from bot.stats import gather
from bot.subscriptions import MAX_KEYWORDS, ChatSettings, Subscriptions, queue_alerts
from handlers.persistence import DatabasePersistence
from tests import pg

RAIL = ("Grève à la SNCF", ["Les contrôleurs de la SNCF sont en grève ce lundi.",
                            "Ils réclament une hausse des salaires et des TGV plus sûrs."], ["12 %"])
STORM = ("Tempête Ciaran", ["La tempête Ciaran a privé d'électricité des milliers de foyers."], [])
ANSWER = Answer("Qui dirige Kraken ?", True, short="Jesse Powell", lang="fr")


@pytest.fixture
def store(target: str | Path) -> Iterator[Store]:
    """A connection of the test's own, to write articles and look at the tables."""
    opened = open_store(target)
    yield opened
    opened.close()


@pytest.fixture
def chats(target: str | Path) -> Iterator[Subscriptions]:
    opened = Subscriptions(target)
    yield opened
    opened.close()


def store_article(store: Store, number: int, article: tuple[str, list[str], list[str]],
                  retired_at: float | None = None) -> None:
    """An article with its sentences and facts, and its alerts queued in the same transaction."""
    title, sentences, facts = article
    with store.transaction() as tx:
        tx.execute("INSERT INTO articles (id, source, checksum, title, retired_at) VALUES (?, ?, ?, ?, ?)",
                   [number, f"a{number}.txt", f"c{number}", title, retired_at])
        tx.executemany("INSERT INTO sentences (id, article_id, position, text) VALUES (?, ?, ?, ?)",
                       [(number * 100 + i, number, i, text) for i, text in enumerate(sentences)])
        tx.executemany("INSERT INTO facts (article_id, kind, value) VALUES (?, 'percent', ?)",
                       [(number, value) for value in facts])
        queue_alerts(tx, number, "added")


def queued(store: Store) -> list[tuple[int, int, list[str]]]:
    return [(chat, article, json.loads(matched)) for chat, article, matched in
            store.query("SELECT chat_id, article_id, matched FROM outbox ORDER BY article_id, chat_id")]


# --- subscriptions and queue_alerts --------------------------------------------------------------


def test_keywords_match_across_accents_inflection_and_typos_and_exclusions_veto(store, chats):
    chats.subscribe(1, ["greves"], "fr")                        # no accent, plural
    chats.subscribe(2, ["contrôleur", "Ciaran"], "fr")          # singular; the other article too
    chats.subscribe(3, ["slaires"], "fr")                       # typo
    chats.subscribe(4, [], "fr")                                # every article
    chats.subscribe(5, ["grève"], "fr", excluded=["TGV"])       # vetoed by a word of the article
    chats.subscribe(6, [], "fr", excluded=["tempêtes"])         # everything except storms
    chats.subscribe(7, ["grève"], "fr")
    chats.set_paused(7, True)                                   # paused: nothing queued
    store_article(store, 1, RAIL)
    store_article(store, 2, STORM)
    assert queued(store) == [(1, 1, ["greves"]), (2, 1, ["contrôleur"]), (3, 1, ["slaires"]), (4, 1, []),
                             (6, 1, []), (2, 2, ["Ciaran"]), (4, 2, [])]
    with store.transaction() as tx:  # the article updated: chats already alerted are not again
        queue_alerts(tx, 1, "updated")
    assert len(queued(store)) == 7


def test_alerts_commit_with_the_article_or_not_at_all(store, chats):
    chats.subscribe(1, [], "fr")
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.execute("INSERT INTO articles (id, source, checksum, title) VALUES (1, 'a', 'c', 'Grève')")
        queue_alerts(tx, 1, "added")
        raise RuntimeError("power cut")
    assert store.query("SELECT count(*) FROM articles") == [(0,)]
    assert queued(store) == []


def test_keywords_keep_their_order_cap_and_sides(chats):
    settings = chats.subscribe(1, ["kraken", "Pannes"], "fr", excluded=["bitcoin"])
    assert (settings.keywords, settings.excluded) == (["kraken", "Pannes"], ["bitcoin"])
    assert chats.subscribe(1, ["panne"], "fr").keywords == ["kraken", "Pannes"]  # the first spelling stays
    settings = chats.subscribe(1, ["Bitcoins"], "fr")  # the same topic, now followed
    assert (settings.keywords, settings.excluded) == (["kraken", "Pannes", "Bitcoins"], [])
    assert chats.unsubscribe(1, ["pannes"]).keywords == ["kraken", "Bitcoins"]
    capped = chats.subscribe(2, [f"mot{i}" for i in range(MAX_KEYWORDS + 5)], "fr", excluded=["ether"])
    assert capped.keywords == [f"mot{i}" for i in range(MAX_KEYWORDS)] and capped.excluded == []
    assert chats.subscribe(2, [], "fr").keywords == []
    assert not chats.unsubscribe(1, ["kraken", "bitcoin"]).subscribed  # the last keyword ends it
    assert chats.settings(3) == ChatSettings(3)  # never seen: the defaults


def test_chat_settings_follow_the_chat(store, chats, target):
    chats.register(-100, "supergroup", "Forum", "en")
    assert not chats.settings(-100).subscribed
    settings = chats.subscribe(-100, ["grève"], "en", thread_id=7)
    assert (settings.subscribed, settings.lang, settings.thread_id) == (True, "en", 7)
    assert chats.set_digest(-100, "08:30", now=0.0).digest_at == "08:30"
    assert chats.set_digest(-100, None, now=0.0).digest_at is None
    chats.leave_topic(-100)
    assert chats.settings(-100).thread_id is None
    linked = chats.link_channel(-1009, "Canal", "fr", operator_id=77)
    assert linked.subscribed and linked.active and linked.keywords == []
    chats.subscribe(5, [], "fr")
    chats.subscribe(6, [], "fr")
    store_article(store, 1, RAIL)
    other = Subscriptions(target)  # another instance, on the same database
    try:
        assert other.settings(-100).keywords == ["grève"]
        other.move(-100, -1002003)  # a group became a supergroup: everything follows
        other.move(-100, -1002003)  # reported twice
    finally:
        other.close()
    assert chats.settings(-1002003).keywords == ["grève"] and chats.settings(-100) == ChatSettings(-100)
    assert sorted(chats.deactivate_all_but(frozenset({5}), "not allowed")) == [-1002003, 6]  # the channel stays
    chats.deactivate(5, "blocked")
    assert [c for c, in store.query("SELECT chat_id FROM chats WHERE active = 1")] == [-1009]
    assert store.query("SELECT chat_id, status, error FROM outbox ORDER BY chat_id") == [
        (-1002003, "dropped", "not allowed"), (-1009, "pending", None), (5, "dropped", "blocked"),
        (6, "dropped", "not allowed")]
    assert chats.subscribe(5, [], "fr").active  # back: /subscribe reactivates


# --- chat state (the rest of it on both backends: tests/test_persistence.py) ---------------------


async def test_what_another_instance_wrote_replaces_memory_on_a_shared_database(target):
    """With several instances, the next update of a chat may reach another one: it must see the
    chat as the last instance left it. Alone on a SQLite file, memory is the newest: kept."""
    first, second = DatabasePersistence(target), DatabasePersistence(target)
    try:
        seen = (await second.get_chat_data()).setdefault(-100, {})
        await first.update_chat_data(-100, {"last_answer": ANSWER})
        await second.refresh_chat_data(-100, seen)
        await second.refresh_user_data(5, user := {"lang": "fr"})
        if second.store.shared:
            assert seen == {"last_answer": ANSWER} and user == {"lang": "fr"}  # no row: left as it is
            assert first.update_interval < 60  # changes reach the database within a second
            await first.drop_chat_data(-100)
            await second.refresh_chat_data(-100, seen)
            assert seen == {}
        else:
            assert seen == {}
    finally:
        await first.flush()
        await second.flush()


# --- the question log and the figures ------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now


def test_question_log_keeps_declined_texts_counts_them_and_forgets_old_rows(target, store):
    clock = Clock()
    log = QuestionLog(target, keep_text=True, clock=clock)
    log.record("private", True, None, 12.0, "Qui est le PDG de Kraken ?")
    log.record("private", False, EMPTY, 3.0, "Bonjour !")
    for text in ["Qui est Vitalik Buterin ?", "qui est  vitalik buterin"]:
        log.record("supergroup", False, "unknown_names", 20.0, text)
    log.record(INLINE, False, "not_found", 5.0, "Qui est Vit")  # typed on: half a question
    assert store.query("SELECT chat_type, text, answered FROM questions ORDER BY id") == [
        ("private", None, 1), ("private", None, 0), ("supergroup", "Qui est Vitalik Buterin ?", 0),
        ("supergroup", "qui est  vitalik buterin", 0), (INLINE, None, 0)]
    assert log.unanswered() == [("qui est vitalik buterin", 2)]
    clock.now += KEPT_SECONDS + PURGE_EVERY
    assert log.record("private", True, None, 1.0, None)
    assert store.query("SELECT count(*) FROM questions") == [(1,)]  # the older ones deleted
    log.record("private", False, "not_found", 1.0, "Où est Ethereum ?")
    log.close()
    QuestionLog(target, keep_text=False).close()  # the next start, BOT_LOG_QUESTIONS=0
    assert store.query("SELECT count(*) FROM questions WHERE text IS NOT NULL") == [(0,)]


def test_a_server_gone_costs_the_row_not_the_answer(caplog):
    """PostgreSQL's side of tests/test_admin.py's read-only SQLite file."""
    with pg.database() as url:
        log = QuestionLog(url, keep_text=True)
        log.store.close()  # as the server gone: no connection to be had
        with caplog.at_level(logging.WARNING):
            assert log.record("private", True, None, 1.0, None) is False
    assert "question not logged" in caplog.text


def test_figures(target, store, chats):
    clock = Clock()
    store_article(store, 1, RAIL)
    store_article(store, 2, STORM, retired_at=clock())
    chats.subscribe(1, [], "fr")
    chats.register(2, "group", "G", "fr")
    log = QuestionLog(target, keep_text=True, clock=clock)
    clock.now -= 3 * 86400  # three days ago
    log.record("private", True, None, 100.0, None)
    clock.now += 3 * 86400
    for latency, answered in [(10.0, True), (30.0, False), (20.0, True)]:
        log.record("private", answered, None if answered else "not_found", latency, "x")
    log.close()
    stats = gather(target, {"sent": 4}, clock(), "Europe/Paris")
    assert (stats.articles, stats.retired, stats.chats, stats.subscribed) == (1, 1, 2, 1)
    assert (stats.questions_today, stats.questions_week) == (3, 4)
    assert stats.answered_share == 0.75 and stats.median_ms == 20.0 and stats.alerts == {"sent": 4}
    with store.transaction() as tx:
        tx.execute("DELETE FROM questions")
    empty = gather(target, {}, clock(), "Europe/Paris")
    assert empty.answered_share is None and empty.median_ms is None and empty.questions_week == 0
