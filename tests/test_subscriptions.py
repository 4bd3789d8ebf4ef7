"""The core of alerts, without Telegram: keywords, matching, the outbox, the folder watch."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import storage
from bot.ingest import ingest_paths
from bot.outbox import GROUP_LIMIT, Outbox
from bot.subscriptions import (
    MAX_KEYWORDS,
    Subscriptions,
    next_time_of_day,
    parse_keywords,
    parse_time,
    queue_alerts,
)
from bot.watch import FolderWatch

ARTICLES = Path(__file__).parent / "articles"
RAIL, STORM = ARTICLES / "greve_rail.txt", ARTICLES / "tempete.md"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bot.db"


def ingest(db_path: Path, *paths: Path):
    return ingest_paths(storage.open_database(db_path), paths, queue_alerts)


def queued(db_path: Path) -> list[tuple[int, str]]:
    db = storage.open_database(db_path)
    return db.execute("SELECT o.chat_id, a.source FROM outbox o JOIN articles a ON a.id = o.article_id "
                      "ORDER BY o.id").fetchall()


def test_keywords_from_arguments():
    assert parse_keywords('panne "service client" le ? ?? Panne') == (["panne", "service client"], [])
    assert parse_keywords("« Jesse Powell » kraken") == (["Jesse Powell", "kraken"], [])
    assert parse_keywords("le la les ?! 🙂 - -le") == ([], [])
    assert all(len(k) <= 60 for k in parse_keywords("x" * 500)[0])


def test_excluded_keywords_from_arguments():
    assert parse_keywords('kraken -bitcoin -"prix du gaz" e-commerce') == (["kraken", "e-commerce"],
                                                                            ["bitcoin", "prix du gaz"])
    assert parse_keywords("-« Jesse Powell » -Bitcoins bitcoin") == ([], ["Jesse Powell", "Bitcoins"])


@pytest.mark.parametrize("text,expected", [("8:30", "08:30"), ("08h30", "08:30"), ("7h", "07:00"),
                                           ("23:59", "23:59"), ("24:00", None), ("8:75", None),
                                           ("demain", None), ("", None), ("8:30; DROP TABLE", None)])
def test_time_of_day(text, expected):
    assert parse_time(text) == expected


def test_next_time_of_day_follows_the_time_zone_across_daylight_saving():
    paris = ZoneInfo("Europe/Paris")
    evening = datetime(2026, 3, 28, 20, 0, tzinfo=paris).timestamp()  # the night clocks go forward
    first = datetime.fromtimestamp(next_time_of_day("08:00", "Europe/Paris", evening), paris)
    assert (first.day, first.hour, first.minute) == (29, 8, 0)
    second = datetime.fromtimestamp(next_time_of_day("08:00", "Europe/Paris", first.timestamp()), paris)
    assert (second.day, second.hour) == (30, 8)


def test_matching_tolerates_accents_inflection_and_typos(db_path):
    chats = Subscriptions(db_path)
    chats.subscribe(1, ["greves"], "fr")          # no accent, plural
    chats.subscribe(2, ["contrôleur"], "fr")      # singular of "contrôleurs"
    chats.subscribe(3, ["slaires"], "fr")         # typo
    chats.subscribe(4, ["Ciaran"], "fr")          # the other article
    chats.subscribe(5, [], "fr")                  # every article
    chats.subscribe(6, ["binance", "électricité"], "fr")
    ingest(db_path, RAIL)
    assert sorted(chat for chat, _ in queued(db_path)) == [1, 2, 3, 5]
    ingest(db_path, STORM)
    storm = [chat for chat, source in queued(db_path) if source.endswith("tempete.md")]
    assert sorted(storm) == [4, 5, 6]
    matched = storage.open_database(db_path).execute(
        "SELECT matched FROM outbox WHERE chat_id = 6").fetchone()[0]
    assert matched == '["électricité"]'  # which of the chat's keywords matched


def test_reingesting_never_queues_twice_and_an_update_reaches_only_new_matches(db_path, tmp_path):
    chats = Subscriptions(db_path)
    chats.subscribe(1, ["grève"], "fr")
    chats.subscribe(2, ["covoiturage", "autocar"], "fr")
    article = tmp_path / "rail.txt"
    shutil.copy(RAIL, article)
    ingest(db_path, article)
    ingest(db_path, article)
    assert [chat for chat, _ in queued(db_path)] == [1, 2]
    article.write_text(RAIL.read_text(encoding="utf-8") + "\nDes autocars remplaceront certains trains.\n",
                       encoding="utf-8")
    assert ingest(db_path, article).updated
    assert [chat for chat, _ in queued(db_path)] == [1, 2]  # both already told about this article


def test_paused_unsubscribed_and_inactive_chats_get_nothing(db_path):
    chats = Subscriptions(db_path)
    for chat_id in (1, 2, 3, 4):
        chats.subscribe(chat_id, [], "fr")
    chats.set_paused(1, True)
    chats.unsubscribe(2, None)
    chats.deactivate(3, "forbidden")
    ingest(db_path, RAIL)
    assert [chat for chat, _ in queued(db_path)] == [4]


def test_keyword_list_is_capped_and_unsubscribing_the_last_keyword_ends_it(db_path):
    chats = Subscriptions(db_path)
    settings = chats.subscribe(1, [f"mot{i}" for i in range(MAX_KEYWORDS + 5)], "fr")
    assert len(settings.keywords) == MAX_KEYWORDS
    settings = chats.subscribe(2, ["panne", "Pannes"], "fr")  # one topic, written twice
    assert settings.keywords == ["panne"]
    assert chats.unsubscribe(2, ["PANNE"]).subscribed is False


def test_subscription_without_keywords_after_keywords_means_everything(db_path):
    chats = Subscriptions(db_path)
    chats.subscribe(1, ["panne"], "fr")
    assert chats.subscribe(1, [], "fr").keywords == []


def test_alerts_commit_with_the_article_or_not_at_all(db_path):
    chats = Subscriptions(db_path)
    chats.subscribe(1, [], "fr")
    db = storage.open_database(db_path)

    def crash(db, article_id, action):
        queue_alerts(db, article_id, action)
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        ingest_paths(db, [RAIL], crash)
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    assert queued(db_path) == []


def test_outbox_states_recover_and_move(db_path):
    chats = Subscriptions(db_path)
    for chat_id in (1, -5):
        chats.subscribe(chat_id, [], "fr")
    ingest(db_path, RAIL, STORM)
    outbox = Outbox(db_path)
    items = outbox.due(now=1e12)
    assert len(items) == 4
    outbox.claim([items[0].id])
    outbox.mark_sent([items[1].id], 100.0)
    # A crash here: the claimed row is in doubt, the sent one is not.
    assert Outbox(db_path).recover() == 1
    assert {i.id for i in outbox.due(now=1e12)} == {items[0].id, items[2].id, items[3].id}
    chats.move(-5, -1005)
    assert {i.chat_id for i in outbox.due(now=1e12)} == {1, -1005}
    assert chats.settings(-1005).subscribed and not chats.settings(-5).subscribed
    chats.deactivate(-1005, "forbidden")
    assert {i.chat_id for i in outbox.due(now=1e12)} == {1}
    assert outbox.counts()["dropped"] >= 1


def test_group_limit_of_twenty_per_minute(db_path):
    outbox = Outbox(db_path)
    db = storage.open_database(db_path)
    # Twenty alerts went to the group between t=1000 and t=1019.
    db["articles"].insert_all({"id": i, "source": f"s{i}", "checksum": f"c{i}", "title": "t"}
                              for i in range(GROUP_LIMIT))
    db["outbox"].insert_all({"chat_id": -7, "article_id": i, "status": "sent", "sent_at": 1000.0 + i}
                            for i in range(GROUP_LIMIT))
    assert outbox.group_free_at(-7, 1030.0) == 1060.0  # the oldest of the twenty leaves the window
    assert outbox.group_free_at(-7, 1061.0) == 1061.0
    assert outbox.group_free_at(7, 1030.0) == 1030.0  # private chats: no per-minute limit


def test_folder_watch_hands_over_new_and_changed_files_once_stable(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "old.txt").write_text("Titre\n\nUn texte déjà là au démarrage.", encoding="utf-8")
    watch = FolderWatch(folder)
    assert watch.changed() == []
    new = folder / "new.txt"
    new.write_text("Titre\n\nUn nouveau texte.", encoding="utf-8")
    (folder / "notes.pdf").write_bytes(b"%PDF")
    assert watch.changed() == []            # seen once: may still be being written
    assert watch.changed() == [new]         # unchanged since: handed over
    assert watch.changed() == []
    new.write_text("Titre\n\nUn nouveau texte, corrigé.", encoding="utf-8")
    os.utime(new, ns=(new.stat().st_atime_ns, new.stat().st_mtime_ns + 1_000_000))
    assert watch.changed() == []
    assert watch.changed() == [new]


def test_excluded_keywords_veto_alerts_and_alone_mean_everything_except(db_path):
    chats = Subscriptions(db_path)
    chats.subscribe(1, ["grève"], "fr", excluded=["TGV"])          # both in the rail article: vetoed
    chats.subscribe(2, ["grève"], "fr", excluded=["bitcoin"])      # the exclusion is not in it
    chats.subscribe(3, [], "fr", excluded=["contrôleurs"])         # everything except (inflected)
    chats.subscribe(4, [], "fr", excluded=["tempête"])             # everything except storms
    chats.subscribe(5, ["grève"], "fr", excluded=["slaires"])      # a misspelt exclusion matches too
    ingest(db_path, RAIL, STORM)
    rail = sorted(chat for chat, source in queued(db_path) if source.endswith("greve_rail.txt"))
    storm = sorted(chat for chat, source in queued(db_path) if source.endswith("tempete.md"))
    assert rail == [2, 4]
    assert storm == [3]


def test_exclusions_are_listed_switched_and_removed_without_ending_the_subscription(db_path):
    chats = Subscriptions(db_path)
    settings = chats.subscribe(1, ["kraken"], "fr", excluded=["bitcoin"])
    assert (settings.keywords, settings.excluded) == (["kraken"], ["bitcoin"])
    settings = chats.subscribe(1, ["Bitcoins"], "fr")  # the same topic, now followed
    assert (settings.keywords, settings.excluded) == (["kraken", "Bitcoins"], [])
    chats.subscribe(1, [], "fr", excluded=["ether"])
    assert chats.subscribe(1, [], "fr").excluded == ["ether"]  # /subscribe alone: every article, still minus
    assert chats.unsubscribe(1, [], ["ether"]).subscribed     # removing an exclusion
    assert chats.settings(1).excluded == []
    chats.subscribe(2, ["kraken"], "fr", excluded=["bitcoin"])
    assert not chats.unsubscribe(2, ["kraken"]).subscribed  # the last keyword: not "everything but bitcoin"
    capped = chats.subscribe(3, [f"mot{i}" for i in range(MAX_KEYWORDS)], "fr", excluded=["bitcoin"])
    assert len(capped.keywords) == MAX_KEYWORDS and capped.excluded == []


def test_forum_topic_and_channel_reach_the_outbox(db_path):
    chats = Subscriptions(db_path)
    chats.register(-100, "supergroup", "Forum", "fr")
    assert chats.subscribe(-100, [], "fr", thread_id=7).thread_id == 7
    linked = chats.link_channel(-1009, "Canal", "en", operator_id=77)
    assert linked.subscribed and linked.active and linked.keywords == []
    chats.subscribe(-1009, ["tempête"], "en")
    chats.deactivate(-1009, "forbidden")
    assert chats.link_channel(-1009, "Canal", "en", operator_id=77).keywords == ["tempête"]  # back, as it was
    ingest(db_path, STORM)
    items = {i.chat_id: i for i in Outbox(db_path).due(now=1e12)}
    assert (items[-100].thread_id, items[-1009].thread_id, items[-1009].lang) == (7, None, "en")
    db = storage.open_database(db_path)
    assert db.execute("SELECT kind, linked_by FROM chats WHERE chat_id = -1009").fetchone() == ("channel", 77)
    chats.leave_topic(-100)
    assert chats.settings(-100).thread_id is None
