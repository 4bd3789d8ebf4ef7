"""Ingest: idempotence, replacement in place, refusals that change nothing, schema.
What ingest stores and reports runs on both backends (`knowledge`); the SQLite file's own
schema versions and journal mode, on SQLite only."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from bot import storage
from bot.knowledge import KnowledgeBase
from tests.conftest import LAYOFFS, OUTAGE, SEEDS


@pytest.fixture
def knowledge(target: str | Path, tmp_path: Path) -> Iterator[KnowledgeBase]:
    """An empty knowledge base on the target backend: the SQLite file itself, or PostgreSQL
    answered from a local copy (bot/replica.py), whose `db` holds what was stored."""
    if isinstance(target, Path):
        kb = KnowledgeBase(target)
    else:
        kb = KnowledgeBase(tmp_path / "replica.db", shared=target)
    yield kb
    kb.close()


def counts(db) -> dict[str, int]:
    return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("articles", "sentences", "facts", "vocab", "sentences_fts")}


def snapshot(db) -> list:
    return db.execute("SELECT id, source, checksum, title FROM articles ORDER BY id").fetchall() + \
        db.execute("SELECT id, article_id, position, text FROM sentences ORDER BY id").fetchall()


def test_seeds_are_loaded_on_first_start(tmp_path):
    kb = KnowledgeBase(tmp_path / "bot.db", SEEDS)
    assert len(kb.articles()) == 2
    assert counts(kb.db)["sentences"] > 20
    assert kb.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_same_files_twice_change_nothing(knowledge):
    first = knowledge.ingest([SEEDS])
    assert len(first.added) == 2
    before, generation = snapshot(knowledge.db), storage.generation(knowledge.db)
    second = knowledge.ingest([SEEDS, SEEDS / OUTAGE])
    assert second.added == [] and second.updated == [] and len(second.skipped) == 3
    assert snapshot(knowledge.db) == before
    assert storage.generation(knowledge.db) == generation


def test_copy_of_known_file_elsewhere_is_not_duplicated(knowledge, tmp_path):
    knowledge.ingest([SEEDS])
    copy = tmp_path / "copy.txt"
    shutil.copy(SEEDS / LAYOFFS, copy)
    report = knowledge.ingest([copy])
    assert report.skipped == [str(copy)]
    assert counts(knowledge.db)["articles"] == 2


def test_changed_file_replaces_its_article_in_place(knowledge, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEEDS / OUTAGE, folder / "a.txt")
    kb = knowledge
    kb.ingest([folder])
    (article,) = kb.articles()
    before = counts(kb.db)
    text = (folder / "a.txt").read_text(encoding="utf-8")
    (folder / "a.txt").write_text(text.replace("31 janvier", "15 février"), encoding="utf-8")
    report = kb.ingest([folder])
    assert report.updated == [str(folder / "a.txt")]
    (updated,) = kb.articles()
    assert updated.id == article.id
    assert counts(kb.db) == before  # replaced, not added: same sentence and fact counts
    answer = kb.ask("Jusqu'à quand le trading est-il sans frais ?")
    assert "15 février" in answer.quote.text
    assert kb.quotes("31 janvier") == []


def test_refused_files_leave_the_database_unchanged(knowledge, tmp_path):
    knowledge.ingest([SEEDS])
    db = knowledge.db
    before, before_counts = snapshot(db), counts(db)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (bad / "latin.txt").write_bytes(b"\x81\x8d\x8f\x90\x9d" * 10)
    report = knowledge.ingest([bad, tmp_path / "missing.txt"])
    assert len(report.refused) == 4
    assert all(reason and "\n" not in reason for _, reason in report.refused)
    assert snapshot(db) == before and counts(db) == before_counts


def test_migrations_are_versioned_and_rerunnable(tmp_path):
    path = tmp_path / "bot.db"
    db = storage.open_database(path)
    assert storage.schema_version(db) == len(storage.MIGRATIONS)
    db.conn.close()
    db = storage.open_database(path)  # opening again applies nothing new and keeps the data
    assert storage.schema_version(db) == len(storage.MIGRATIONS)


def test_vocabulary_follows_replacements(knowledge, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Titre\n\nLe zygomatique rit fort.\n", encoding="utf-8")
    kb = knowledge
    kb.ingest([folder])
    assert kb.db.execute("SELECT df FROM vocab WHERE word = 'zygomatique'").fetchone() == (1,)
    (folder / "a.txt").write_text("Titre\n\nLe muscle rit fort.\n", encoding="utf-8")
    kb.ingest([folder])
    assert kb.db.execute("SELECT df FROM vocab WHERE word = 'zygomatique'").fetchone() is None
    assert kb.ask("zygomatique").answered is False


def test_vocabulary_matches_the_stored_sentences_after_batches(knowledge, tmp_path):
    """Batches write `vocab` once per commit: it must still count exactly what is stored."""
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    for n in range(3):
        (folder / f"extra{n}.txt").write_text(f"Titre {n}\n\nLe zygomatique rit {n} fois. Le muscle dort.\n",
                                              encoding="utf-8")
    kb = knowledge
    kb.ingest([folder])
    (folder / "extra0.txt").write_text("Titre 0\n\nLe muscle rit.\n", encoding="utf-8")  # replaced in place
    (folder / "extra1.txt").write_text("Titre 1\n\nUn sourire.\n", encoding="utf-8")
    kb.ingest([folder, folder / "extra2.txt"])  # a file named twice is stored once

    texts = [row[0] for row in kb.db.execute("SELECT text FROM sentences")]
    assert dict(kb.db.execute("SELECT word, df FROM vocab").fetchall()) == storage.sentence_word_counts(texts)
    assert kb.db.execute("SELECT df FROM vocab WHERE word = 'zygomatique'").fetchone() == (1,)


def test_version_2_database_gains_updated_and_site_and_keeps_its_data(tmp_path):
    """A database written before migration 3 opens, gets the new columns, loses nothing."""
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    with storage.transaction(db):
        for migration in storage.MIGRATIONS[:2]:
            migration(db)
        db.execute("PRAGMA user_version = 2")
    db.execute("INSERT INTO articles (source, checksum, title, author, date, headings) "
               "VALUES ('a.txt', 'abc', 'Un titre', 'Julie Roux', '2024-03-14', '[]')")
    db.conn.close()

    db = storage.open_database(path)
    assert storage.schema_version(db) == len(storage.MIGRATIONS) >= 3
    assert {"updated", "site"} <= set(db["articles"].columns_dict)
    assert db.execute("SELECT title, author, date, updated, site FROM articles").fetchall() == [
        ("Un titre", "Julie Roux", "2024-03-14", None, None)]


def test_updated_and_site_are_stored(knowledge, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Un titre\n\nPar Julie Roux, publié le 14 mars 2024, mis à jour le 15 mars 2024\n\n"
                                  "Le conseil a voté le budget.\n\nSource : La Gazette du Nord\n", encoding="utf-8")
    knowledge.ingest([folder])
    assert knowledge.db.execute("SELECT author, date, updated, site FROM articles").fetchall() == [
        ("Julie Roux", "2024-03-14", "2024-03-15", "La Gazette du Nord")]
