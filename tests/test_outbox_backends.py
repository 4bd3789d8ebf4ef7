"""The alert outbox on both backends: SQLite (one bot) and PostgreSQL (several instances sharing
the queue, each row sent by one of them). The PostgreSQL cases run on a server the suite starts
(tests/pg.py) and are skipped, with one line saying why, where it cannot."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot import storage
from bot.backends import open_store
from bot.config import ConfigError, load_config
from bot.outbox import GROUP_LIMIT, OVERALL_LIMIT, Outbox
from bot.storage_pg import is_postgres
from tests import pg


class Clock:
    """The time leases see, moved by the test."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def open_outbox(target: str | Path) -> Iterator[Callable[..., Outbox]]:
    """Opens Outbox objects on `target`, each with connections of its own, as separate instances
    have; all closed afterwards."""
    opened: list[Outbox] = []

    def open_one(**options) -> Outbox:
        opened.append(Outbox(target, **options))
        return opened[-1]

    yield open_one
    for outbox in opened:
        outbox.close()


def queue(outbox: Outbox, chats: int, status: str = "pending", sent_at: float | None = None) -> None:
    """One article queued for chats 1..`chats` (private chats: no per-group limit), due since t=0."""
    with outbox.store.transaction() as tx:
        tx.execute("INSERT INTO articles (id, source, checksum, title) VALUES (1, 's', 'c', 'Titre')")
        tx.executemany("INSERT INTO chats (chat_id, subscribed) VALUES (?, 1)", [(c,) for c in range(1, chats + 1)])
        tx.executemany("INSERT INTO outbox (chat_id, article_id, matched, status, due_at, sent_at) "
                       "VALUES (?, 1, '[\"grève\"]', ?, 0, ?)",
                       [(c, status, sent_at) for c in range(1, chats + 1)])


def test_each_due_row_goes_to_exactly_one_of_three_instances(open_outbox):
    instances = [open_outbox(instance=name) for name in "ABC"]
    queue(instances[0], 60)
    taken: dict[str, list[int]] = {name: [] for name in "ABC"}
    seconds = itertools.count(2000)  # a send a second: Telegram's limits stay out of this test

    def drain(outbox: Outbox) -> None:
        while items := outbox.due(now=1e12, limit=4):
            now = next(seconds)
            ids = outbox.claim([i.id for i in items], now).ids
            assert ids == [i.id for i in items]  # rows `due` gave are this instance's to send
            taken[outbox.instance] += ids
            outbox.mark_sent(ids, now)

    run_together(instances, drain)
    every = [i for ids in taken.values() for i in ids]
    assert len(every) == 60 and len(set(every)) == 60  # each row once, none twice
    assert instances[1].counts() == {"sent": 60}


def test_a_dead_instance_loses_its_rows_when_its_lease_runs_out(open_outbox):
    clock = Clock()
    dead, alive = open_outbox(instance="dead", lease=60, clock=clock), open_outbox(instance="alive", clock=clock)
    queue(dead, 3)
    items = dead.due(now=1e12)
    assert len(items) == 3
    assert dead.claim([items[0].id], 2000.0).ids == [items[0].id]  # in flight when the instance died
    assert alive.due(now=1e12) == []  # leased: not the other instance's
    assert alive.claim([items[1].id], 2000.0).ids == []
    clock.now += 61
    again = alive.due(now=1e12)
    assert [i.id for i in again] == [i.id for i in items]  # the one in flight too: at most one repeat
    assert [i.attempts for i in again] == [1, 0, 0]
    assert dead.claim([i.id for i in items], 2000.0).ids == []  # back from the dead, too late: not sent twice
    assert alive.claim([i.id for i in again], 2000.0).ids == [i.id for i in items]
    alive.mark_sent([i.id for i in again], 2000.0)
    assert dead.due(now=1e12) == [] and alive.counts() == {"sent": 3}


def test_sent_retry_fail_release_the_rows(open_outbox):
    first, second = open_outbox(instance="first"), open_outbox(instance="second")
    queue(first, 3)
    sent, later, refused = first.due(now=1e12)
    assert first.claim([sent.id, later.id, refused.id], 2000.0).ids == [sent.id, later.id, refused.id]
    first.mark_sent([sent.id], 2000.0)
    first.retry([later.id], 5000.0, "429")
    first.fail([refused.id], "message is too long")
    assert first.counts() == {"sent": 1, "pending": 1, "failed": 1}
    assert second.due(now=4999.0) == []
    retried = second.due(now=5000.0)  # its lease was released: any instance takes it
    assert [(i.id, i.chat_id, i.matched, i.attempts) for i in retried] == [(later.id, later.chat_id, ["grève"], 1)]
    rows = first.store.query("SELECT status, error, sent_at, claimed_by FROM outbox ORDER BY id")
    assert rows == [("sent", None, 2000.0, None), ("pending", "429", None, "second"),
                    ("failed", "message is too long", None, None)]


def test_recover_after_a_restart(open_outbox, target):
    clock = Clock()
    before = open_outbox(instance="before", lease=60, clock=clock)
    queue(before, 2)
    before.claim([i.id for i in before.due(now=1e12)], 2000.0)
    restarted = open_outbox(instance="restarted", clock=clock)
    if is_postgres(target):  # other instances may be sending: only rows whose lease ran out are in doubt
        assert restarted.recover() == 0
        clock.now += 61
    assert restarted.recover() == 2
    assert len(restarted.due(now=1e12)) == 2


def test_rows_taken_but_not_sent_are_released_on_close_or_restart(open_outbox, target):
    leaving = Outbox(target, instance="leaving")  # closed by the test
    queue(leaving, 2)
    sending, waiting = leaving.due(now=1e12)
    leaving.claim([sending.id], 2000.0)
    leaving.close()  # SIGTERM: the row not begun goes back at once; the one in flight keeps its lease
    assert [i.id for i in open_outbox(instance="other").due(now=1e12)] == [waiting.id]
    # A SQLite file has one bot: on restart, whatever a previous run held or was sending is free.
    if not is_postgres(target):
        restarted = open_outbox(instance="restarted")
        assert restarted.recover() == 1
        assert [i.id for i in restarted.due(now=1e12)] == [sending.id, waiting.id]


def run_together(instances: list[Outbox], work: Callable[[Outbox], None]) -> None:
    """`work` for each instance, in threads started at once (instances at work side by side)."""
    start = threading.Barrier(len(instances))

    def run(outbox: Outbox) -> None:
        start.wait()
        work(outbox)

    threads = [threading.Thread(target=run, args=(outbox,)) for outbox in instances]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def queue_for_group(outbox: Outbox, pending: int, sent_at: list[float]) -> None:
    """Group -7: `pending` alerts queued, due since t=0, and messages sent at `sent_at`."""
    with outbox.store.transaction() as tx:
        tx.execute("INSERT INTO chats (chat_id, subscribed) VALUES (-7, 1)")
        tx.executemany("INSERT INTO articles (id, source, checksum, title) VALUES (?, ?, ?, 't')",
                       [(i, f"s{i}", f"c{i}") for i in range(pending + len(sent_at))])
        tx.executemany("INSERT INTO outbox (chat_id, article_id, status, due_at, sent_at) VALUES (-7, ?, ?, 0, ?)",
                       [(i, "sent", at) for i, at in enumerate(sent_at)]
                       + [(len(sent_at) + i, "pending", None) for i in range(pending)])


def test_group_limit_counts_what_every_instance_sent_and_is_sending(open_outbox):
    first, second, third = (open_outbox(instance=name) for name in ("first", "second", "third"))
    queue_for_group(first, 3, [1000.0 + i for i in range(GROUP_LIMIT - 2)])
    a, b, c = first.due(now=1030.0, limit=1) + second.due(now=1030.0, limit=1) + third.due(now=1030.0, limit=1)
    assert first.claim([a.id], 1030.0).ids == [a.id]  # 18 sent, this one in flight
    assert second.claim([b.id], 1030.0).ids == [b.id]  # the 20th of the minute, in flight too
    assert third.group_free_at(-7, 1030.0) == 1060.0 and third.group_free_at(7, 1030.0) == 1030.0
    held = third.claim([c.id], 1030.0)
    assert held.ids == [] and held.wait == 0  # not now: when the first of the minute is a minute old
    assert first.store.query("SELECT status, due_at, error, claimed_by FROM outbox WHERE id = ?", [c.id]) == \
        [("pending", 1060.0, "group limit", None)]
    assert third.due(now=1059.0) == []
    assert [i.id for i in third.due(now=1060.0)] == [c.id] and third.claim([c.id], 1060.0).ids == [c.id]


def test_three_instances_send_a_group_20_messages_a_minute_together(open_outbox):
    instances = [open_outbox(instance=name) for name in "ABC"]
    queue_for_group(instances[0], 30, [])

    def send(outbox: Outbox) -> None:
        while items := outbox.due(now=1030.0, limit=1):
            outbox.mark_sent(outbox.claim([items[0].id], 1030.0).ids, 1030.0)

    run_together(instances, send)
    assert instances[0].store.query("SELECT status, due_at, count(*) FROM outbox GROUP BY status, due_at "
                                    "ORDER BY status") == [("pending", 1090.0, 10), ("sent", 0.0, 20)]


def test_thirty_messages_a_second_from_every_instance_together(open_outbox, target):
    instances = [open_outbox(instance=name) for name in "ABC"]
    queue(instances[0], 2 * OVERALL_LIMIT)
    waits: list[float] = []

    def send(outbox: Outbox) -> None:
        while items := outbox.due(now=2000.0, limit=1):
            claim = outbox.claim([items[0].id], 2000.0)
            if claim.wait:
                waits.append(claim.wait)
                return
            outbox.mark_sent(claim.ids, 2000.0)

    run_together(instances, send)
    if is_postgres(target):
        assert instances[0].counts() == {"sent": OVERALL_LIMIT, "pending": OVERALL_LIMIT}
        assert waits == [1.0] * 3  # until the messages of 2000.0 are a second old
        assert instances[0].claim([i.id for i in instances[0].due(now=2001.0, limit=1)], 2001.0).ids
    else:  # one bot on a SQLite file: its own rate limiter holds the 30 a second
        assert instances[0].counts() == {"sent": 2 * OVERALL_LIMIT} and waits == []


def test_a_digest_goes_out_once_whichever_of_three_instances_wakes(open_outbox):
    instances = [open_outbox(instance=name, timezone="UTC") for name in "ABC"]
    with instances[0].store.transaction() as tx:
        tx.execute("INSERT INTO articles (id, source, checksum, title) VALUES (1, 's', 'c', 'Titre')")
        tx.execute("INSERT INTO chats (chat_id, subscribed, digest_at, next_digest) VALUES (5, 1, '08:00', ?)",
                   [8 * 3600.0])
        tx.execute("INSERT INTO outbox (chat_id, article_id, matched, due_at) VALUES (5, 1, '[]', 0)")
    taken: list[tuple[str, int, int]] = []

    def wake(outbox: Outbox) -> None:
        taken.extend((outbox.instance, d.chat_id, len(d.items)) for d in outbox.due_digests(9 * 3600.0))

    run_together(instances, wake)
    assert len(taken) == 1 and taken[0][1:] == (5, 1)
    assert instances[1].store.query("SELECT next_digest FROM chats") == [(86400.0 + 8 * 3600.0,)]  # the next day
    assert [outbox.due_digests(9 * 3600.0) for outbox in instances] == [[], [], []]


def test_schema_is_the_same_on_both_backends(target):
    """Migrations numbered the same make the same tables and columns (SQLite's full-text index aside)."""
    store = open_store(target)
    try:
        if is_postgres(target):
            version = store.query("SELECT max(version) FROM schema_version")[0][0]
            columns = store.query("SELECT table_name, column_name FROM information_schema.columns "
                                  "WHERE table_schema = 'public' AND table_name <> 'schema_version'")
        else:
            version = storage.schema_version(store.db)
            columns = [(table.name, column.name) for table in store.db.tables
                       if not table.name.startswith("sentences_fts") for column in table.columns]
    finally:
        store.close()
    reference = storage.open_database(":memory:")
    assert version == len(storage.MIGRATIONS) == 6
    assert sorted(columns) == sorted((table.name, column.name) for table in reference.tables
                                     if not table.name.startswith("sentences_fts") for column in table.columns)


def test_instances_starting_together_migrate_once():
    """PostgreSQL only: on SQLite one bot process owns the file."""
    with pg.database() as url:
        migrate_together(url)


def migrate_together(target: str) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_one() -> None:
        start.wait()
        try:
            open_store(target).close()
        except BaseException as error:  # reported below, with the others
            errors.append(error)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    store = open_store(target)
    try:
        assert errors == []
        assert store.query("SELECT version FROM schema_version") == [(len(storage.MIGRATIONS),)]
        assert Counter(r[0] for r in store.query("SELECT key FROM meta")) == {"generation": 1}
    finally:
        store.close()


@pytest.mark.parametrize("bot_db,path,url", [
    ("data/bot.db", "data/bot.db", None),
    ("sqlite:///data/bot.db", "data/bot.db", None),
    ("sqlite:////srv/bot.db", "/srv/bot.db", None),
    ("postgresql://bot:secret@db.example:5432/news", "data/bot.db", "postgresql://bot:secret@db.example:5432/news"),
])
def test_bot_db_selects_the_backend(bot_db, path, url):
    config = load_config({"BOT_DB": bot_db})
    assert (config.db_path, config.db_url) == (Path(path), url)


@pytest.mark.parametrize("bot_db", ["postgresql://bot:secret@db.example:99999/news", "postgresql://bot:secret@h/"])
def test_a_malformed_postgresql_url_is_refused_without_its_password(bot_db):
    with pytest.raises(ConfigError, match=r"^BOT_DB") as refused:
        load_config({"BOT_DB": bot_db})
    assert "secret" not in str(refused.value)
