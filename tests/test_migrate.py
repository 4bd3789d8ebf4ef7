"""`run_bot.py migrate`: a SQLite deployment copied into PostgreSQL, its pending alerts then sent from
there; and the command line on a PostgreSQL BOT_DB. Runs on a server the suite starts (tests/pg.py);
skipped with one line where it cannot."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import storage
from bot.ingest import ingest_paths
from bot.knowledge import KnowledgeBase
from bot.migrate import TABLES
from bot.outbox import Outbox
from bot.storage_pg.database import Database
from bot.subscriptions import queue_alerts
from tests import pg
from tests.conftest import PROJECT, SEEDS, bot_environment

# Columns compared row for row between the file and PostgreSQL, by table.
COMPARED = {"articles": "id, source, checksum, title, headings, added_at, retired_at",
            "sentences": "id, article_id, position, text, terms", "facts": "id, sentence_id, kind, value",
            "vocab": "word, df", "chats": "chat_id, kind, lang, subscribed, digest_at, thread_id",
            "topics": "chat_id, key, keyword, excluded", "outbox": "id, chat_id, article_id, matched, status, sent_at",
            "chat_state": "kind, key, data", "questions": "id, chat_type, text, answered, declined"}


@pytest.fixture
def url() -> Iterator[str]:
    with pg.database() as database:
        yield database


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT / "run_bot.py"), *args], text=True, capture_output=True,
                          cwd=cwd, env=bot_environment(**env), timeout=300)


def deployment(path: Path) -> None:
    """A SQLite bot's database: two articles, three subscribed chats (one keyword, one digest), their
    alerts (one sent, one in flight when the bot stopped, the rest pending), chat state, questions."""
    db = storage.open_database(path)
    with storage.transaction(db):
        db.execute("INSERT INTO chats (chat_id, kind, subscribed, thread_id) VALUES (1, 'private', 1, NULL), "
                   "(-100, 'supergroup', 1, 7)")
        db.execute("INSERT INTO chats (chat_id, kind, subscribed, digest_at, next_digest) "
                   "VALUES (2, 'private', 1, '08:00', 1000)")
        db.execute("INSERT INTO topics (chat_id, key, keyword, excluded) VALUES (-100, 'licenci', 'licenciement', 0)")
        db.execute("INSERT INTO chat_state (kind, key, data, updated_at) VALUES ('chat_data', '1', '{\"a\": 1}', 5)")
        db.execute("INSERT INTO questions (asked_at, chat_type, text, answered, declined, latency_ms) "
                   "VALUES (5, 'private', 'Qui ?', 0, 'empty', 3.0)")
    ingest_paths(db, [SEEDS], queue_alerts)
    with storage.transaction(db):
        db.execute("UPDATE outbox SET status = 'sent', sent_at = 10 WHERE id = 1")
        db.execute("UPDATE outbox SET status = 'sending', claimed_by = 'old', claimed_until = 1e12 WHERE id = 2")
    db.close()


def rows(db_or_store, table: str) -> list[tuple]:
    """A table's rows, in an order that does not depend on the database's collation."""
    sql = f"SELECT {COMPARED[table]} FROM {table}"
    found = db_or_store.query(sql) if isinstance(db_or_store, Database) else db_or_store.execute(sql).fetchall()
    return sorted(map(tuple, found), key=repr)


def test_migrate_copies_everything_and_postgresql_sends_the_pending_alerts(url, tmp_path):
    deployment(tmp_path / "bot.db")
    result = run(["migrate", "--from", "bot.db", "--to", url], tmp_path)
    assert result.returncode == 0, result.stderr
    db, store = storage.open_database(tmp_path / "bot.db"), Database(url)
    try:
        counts = {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
        assert counts["articles"] == 2 and counts["outbox"] == 5  # chat -100 matched one article
        assert result.stdout.splitlines()[0].endswith(", ".join(f"{n} {table}" for table, n in counts.items()))
        assert result.stdout.splitlines()[1] == f"4 alerts pending; generation {storage.generation(db)}"
        assert "secret" not in result.stdout and url not in result.stdout
        for table in TABLES:
            expected = rows(db, table)
            if table == "outbox":  # the alert in flight when the bot stopped is pending again, as at its restart
                expected = [(*row[:4], "pending" if row[4] == "sending" else row[4], row[5]) for row in expected]
            assert rows(store, table) == expected, table
        assert store.query("SELECT count(*) FROM outbox WHERE claimed_by IS NOT NULL") == [(0,)]
    finally:
        db.close()
        store.close()

    outbox = Outbox(url, instance="new")
    try:
        items = outbox.due(now=2e9)  # chat 2 takes a digest: its alerts wait for it
        assert sorted((i.chat_id, i.article_id) for i in items) == [(-100, 2), (1, 2)]
        assert next(i.thread_id for i in items if i.chat_id == -100) == 7
        for item in items:
            assert outbox.claim([item.id], 2000.0).ids == [item.id]
            outbox.mark_sent([item.id], 2000.0)
        digest, = outbox.due_digests(2e9)
        assert (digest.chat_id, len(digest.items)) == (2, 2)
        outbox.mark_sent([i.id for i in digest.items], 2000.0)
        assert outbox.counts() == {"sent": 5}
    finally:
        outbox.close()

    # PostgreSQL's own ids follow the copied ones: articles stored next do not collide.
    kb = KnowledgeBase(tmp_path / "replica.db", shared=url)
    try:
        assert [a.id for a in kb.articles()] == [1, 2]
        report = kb.ingest([Path(__file__).parent / "articles"])
        assert report.article_ids == [3, 4]
    finally:
        kb.close()


def test_a_database_holding_something_is_replaced_only_when_told(url, tmp_path):
    deployment(tmp_path / "bot.db")
    first = run(["migrate", "--from", "bot.db", "--to", url], tmp_path)
    assert first.returncode == 0, first.stderr
    again = run(["migrate", "--from", "bot.db", "--to", url], tmp_path)
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr.startswith("postgresql://127.0.0.1:") and "is not empty (2 articles," in again.stderr
    assert "--force" in again.stderr
    forced = run(["migrate", "--from", "bot.db", "--to", url, "--force"], tmp_path)
    assert forced.returncode == 0, forced.stderr
    store = Database(url)
    try:
        assert store.query("SELECT count(*) FROM articles") == [(2,)]
        # Past the first copy's generation: instances that copied that one see a change.
        generation = int(store.query("SELECT value FROM meta WHERE key = 'generation'")[0][0])
        assert generation == int(forced.stdout.split()[-1]) > int(first.stdout.split()[-1])
    finally:
        store.close()


def test_a_missing_file_is_one_line(tmp_path):
    missing = run(["migrate", "--from", "nothing.db", "--to", "postgresql://bot:secret@127.0.0.1:9/x"], tmp_path)
    assert missing.returncode == 4 and missing.stderr.count("\n") == 1 and "nothing.db does not exist" in missing.stderr
    assert not (tmp_path / "nothing.db").exists()


def test_the_command_line_on_a_postgresql_bot_db(url, tmp_path):
    ingested = run(["ingest", str(SEEDS)], tmp_path, BOT_DB=url)
    assert ingested.returncode == 0, ingested.stderr
    assert ingested.stdout.splitlines()[-1] == "2 added, 0 updated, 0 skipped, 0 refused"
    forgot = run(["forget", "1"], tmp_path, BOT_DB=url)
    assert forgot.returncode == 0 and forgot.stdout.startswith("article 1 retired: ")
    listed = run(["list"], tmp_path, BOT_DB=url)
    assert [line.split()[:2] for line in listed.stdout.splitlines()] == [["1", "retired"], ["2", "live"]]
    asked = run(["ask", "Qui est le PDG de Kraken ?"], tmp_path, BOT_DB=url)
    assert asked.returncode == 0 and "Jesse Powell" in asked.stdout, asked.stderr
    assert (tmp_path / "data" / "replica.db").is_file()  # the copy it answered from
    refused = run(["backup", str(tmp_path / "copy.db")], tmp_path, BOT_DB=url)
    assert refused.returncode == 2 and "does not run on PostgreSQL" in refused.stderr
