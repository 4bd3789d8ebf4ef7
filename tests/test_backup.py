"""`run_bot.py backup PATH`: a consistent copy of the live database, while another process writes;
restored as the README says, it is a database the bot runs on."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

from bot.backup import backup_database
from bot.storage import open_database, sentence_word_counts
from bot.subscriptions import Subscriptions
from tests.conftest import PROJECT, SEEDS, bot_environment

EVAL_ARTICLES = PROJECT / "tests" / "eval" / "articles"


def run_bot(tmp_path: Path, db: Path, *args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT / "run_bot.py"), *map(str, args)], capture_output=True,
                          text=True, cwd=tmp_path, env=bot_environment(BOT_DB=str(db)), timeout=300)


def rows(db: sqlite3.Connection, query: str, params: tuple = ()) -> list[tuple]:
    return db.execute(query, params).fetchall()


def test_backup_copies_and_refuses_to_overwrite(tmp_path):
    live, copy = tmp_path / "bot.db", tmp_path / "copy.db"
    assert run_bot(tmp_path, live, "ingest", SEEDS).returncode == 0
    result = run_bot(tmp_path, live, "backup", copy)
    assert result.returncode == 0, result.stderr
    assert "2 articles" in result.stdout and str(copy) in result.stdout
    with closing(sqlite3.connect(copy)) as db:
        assert rows(db, "PRAGMA integrity_check") == [("ok",)]
        assert rows(db, "PRAGMA journal_mode") == [("delete",)]  # one self-contained file, no -wal needed
        assert len(rows(db, "SELECT id FROM articles")) == 2

    copy.write_bytes(b"an older backup")
    again = run_bot(tmp_path, live, "backup", copy)
    assert again.returncode == 4 and "already exists" in again.stderr and "--force" in again.stderr
    assert copy.read_bytes() == b"an older backup"
    assert run_bot(tmp_path, live, "backup", copy, "--force").returncode == 0
    assert copy.read_bytes().startswith(b"SQLite format 3")

    missing = run_bot(tmp_path, tmp_path / "none.db", "backup", tmp_path / "x.db")
    assert missing.returncode == 4 and "does not exist" in missing.stderr
    assert not (tmp_path / "none.db").exists()
    nowhere = run_bot(tmp_path, live, "backup", tmp_path / "no" / "such" / "folder.db")
    assert nowhere.returncode == 4 and "is not a folder" in nowhere.stderr
    assert "Traceback" not in again.stderr + missing.stderr + nowhere.stderr
    assert not list(tmp_path.glob(".*.partial"))  # no temporary file left behind


def test_backup_leaves_out_a_write_in_progress(tmp_path):
    """A writer holding its transaction open neither blocks the backup nor leaks into it."""
    live = tmp_path / "bot.db"
    assert run_bot(tmp_path, live, "ingest", SEEDS).returncode == 0
    with closing(sqlite3.connect(live, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO articles (source, checksum, title) VALUES ('half', 'x', 'Half written')")
        report = backup_database(live, tmp_path / "during.db")
        writer.execute("COMMIT")
    assert report.articles == 2
    assert backup_database(live, tmp_path / "after.db").articles == 3


def _incoming(folder: Path, count: int) -> None:
    """`count` distinct article files (the evaluation articles, each with its own last line)."""
    folder.mkdir()
    sources = sorted(EVAL_ARTICLES.iterdir())
    for number in range(count):
        source = sources[number % len(sources)]
        text = source.read_text(encoding="utf-8").rstrip()
        (folder / f"{number:03d}_{source.name}").write_text(
            f"{text}\n\nMise à jour numéro {number} : la rédaction a complété cet article.\n", encoding="utf-8")


def _check_consistent(copy: Path, final: sqlite3.Connection) -> int:
    """Assert that `copy` is a state the live database went through (every article whole, with its
    sentences, facts, word counts and queued alerts, or absent); returns its number of articles."""
    with closing(sqlite3.connect(copy)) as db:
        assert rows(db, "PRAGMA integrity_check") == [("ok",)]
        db.execute("INSERT INTO sentences_fts(sentences_fts) VALUES('integrity-check')")
        ids = [r[0] for r in rows(db, "SELECT id FROM articles ORDER BY id")]
        for table, key in (("articles", "id"), ("sentences", "article_id"), ("facts", "article_id"),
                           ("outbox", "article_id")):
            query = f"SELECT * FROM {table} WHERE {key} <= ? ORDER BY id"
            assert rows(db, query, (ids[-1],)) == rows(final, query, (ids[-1],)), table
        for table in ("chats", "topics"):
            everything = f"SELECT * FROM {table} ORDER BY 1, 2"
            assert rows(db, everything) == rows(final, everything), table
        vocab = Counter(dict(rows(db, "SELECT word, df FROM vocab")))
        assert vocab == sentence_word_counts([r[0] for r in rows(db, "SELECT text FROM sentences")])
        return len(ids)


def test_backup_while_ingesting_then_restore(tmp_path):
    """Backups taken while `run_bot.py ingest` stores 300 articles are each a state the database
    went through; one restored as the README says passes `check`, and ingesting again completes it."""
    live, incoming = tmp_path / "bot.db", tmp_path / "incoming"
    assert run_bot(tmp_path, live, "ingest", SEEDS).returncode == 0
    chats = Subscriptions(live)
    chats.subscribe(-100, [], "fr")  # every new article: its alert is queued in the article's transaction
    chats.subscribe(7, ["kraken"], "fr", excluded=["bitcoin"])
    chats.close()
    _incoming(incoming, 300)

    ingest = subprocess.Popen([sys.executable, str(PROJECT / "run_bot.py"), "ingest", str(incoming)],
                              cwd=tmp_path, env=bot_environment(BOT_DB=str(live)), stdout=subprocess.PIPE, text=True)
    copies: list[Path] = []
    while ingest.poll() is None:
        copies.append(backup_database(live, tmp_path / f"copy{len(copies)}.db").target)
        time.sleep(0.02)
    assert ingest.wait() == 0
    assert "300 added" in ingest.stdout.read()
    ingest.stdout.close()

    with closing(sqlite3.connect(live)) as final:
        total = len(rows(final, "SELECT id FROM articles"))
        assert total == 302 and len(rows(final, "SELECT id FROM outbox")) == 300
        counts = [_check_consistent(copy, final) for copy in copies]
    partial = [(copy, n) for copy, n in zip(copies, counts, strict=True) if 2 < n < total]
    assert partial, f"no backup was taken in the middle of the ingest: {counts}"

    # Restore (README): the bot stopped, the copy over BOT_DB, its -wal and -shm removed.
    copy, articles = partial[0]
    shutil.copyfile(copy, live)
    for stale in (tmp_path / "bot.db-wal", tmp_path / "bot.db-shm"):
        stale.unlink(missing_ok=True)
    check = run_bot(tmp_path, live, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"{articles} articles" in check.stdout
    open_database(live).close()  # as the bot opens it at start
    with closing(sqlite3.connect(live)) as restored, closing(sqlite3.connect(copy)) as backup:
        for table in ("articles", "sentences", "facts", "vocab", "chats", "topics", "outbox"):
            assert rows(restored, f"SELECT * FROM {table} ORDER BY 1, 2") == \
                rows(backup, f"SELECT * FROM {table} ORDER BY 1, 2"), table
    again = run_bot(tmp_path, live, "ingest", incoming)
    assert f"{total - articles} added, 0 updated, {articles - 2} skipped" in again.stdout
