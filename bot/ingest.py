"""Loading article files and folders into the database.

Every way in (the CLI, the seeds at first start, a file dropped in the
articles folder, a document sent to the bot) goes through `ingest_bytes`, so
refusals, idempotence and replacement in place behave the same everywhere.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import sqlite_utils

from bot.articles import MAX_FILE_BYTES, SUPPORTED_SUFFIXES, Article, ArticleError, Paragraph, checksum, parse_bytes
from bot.config import file_kind
from bot.facts import extract_facts
from bot.sentences import split_sentences
from bot.storage import FactRow, PreparedArticle, SentenceRow, SqliteArticles, StorageError
from bot.text import content_words, term

if TYPE_CHECKING:  # psycopg loads only where PostgreSQL is used
    from bot.storage_pg.articles import Articles as PgArticles

# Where articles are stored: a SQLite file, or PostgreSQL when BOT_DB names it (bot/storage_pg/articles.py).
Target: TypeAlias = "sqlite_utils.Database | SqliteArticles | PgArticles"
Articles: TypeAlias = "SqliteArticles | PgArticles"
# Called in the article's transaction: with the SQLite database, or the PostgreSQL transaction.
OnSaved = Callable[[Any, int, str], None]


def _articles(target: Target) -> Articles:
    return SqliteArticles(target) if isinstance(target, sqlite_utils.Database) else target


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    article_ids: list[int] = field(default_factory=list)  # added or updated
    # (name, reason): files a storage failure (full disk, read-only database...) kept out.
    failed: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line per file, for a person."""
        out = [f"added    {name}" for name in self.added]
        out += [f"updated  {name}" for name in self.updated]
        out += [f"skipped  {name} (already stored, unchanged)" for name in self.skipped]
        out += [f"refused  {name}: {reason}" for name, reason in self.refused]
        out += [f"failed   {name}: not stored ({reason})" for name, reason in self.failed]
        out.append(f"{len(self.added)} added, {len(self.updated)} updated, "
                   f"{len(self.skipped)} skipped, {len(self.refused)} refused"
                   + (f", {len(self.failed)} not stored" if self.failed else ""))
        return out

    def _mark(self) -> tuple[int, ...]:
        return tuple(len(entries) for entries in (self.added, self.updated, self.skipped, self.refused,
                                                  self.article_ids))

    def _rewind(self, mark: tuple[int, ...]) -> None:
        """Forget what was reported since `mark`: its transaction was rolled back."""
        for entries, length in zip((self.added, self.updated, self.skipped, self.refused, self.article_ids),
                                   mark, strict=True):
            del entries[length:]

    def _files(self) -> int:
        return len(self.added) + len(self.updated) + len(self.skipped) + len(self.refused)


class IngestStopped(StorageError):
    """A storage failure stopped an ingest. What was committed before it stays stored;
    `report` tells file by file what was stored and what was not."""

    def __init__(self, error: StorageError, report: IngestReport) -> None:
        super().__init__(str(error), error.reason)
        self.report = report


def prepare(article: Article, source: str, digest: str) -> PreparedArticle:
    """Split an article into sentences with their index terms and facts. The byline, as printed,
    comes first as paragraph -1: "qui a écrit…", "publié quand…" quote it, summaries skip it."""
    sentences: list[SentenceRow] = []
    facts: list[FactRow] = []
    vocab_words: list[str] = []
    paragraphs = [(-1, Paragraph(line)) for line in article.byline] + list(enumerate(article.paragraphs))
    for number, paragraph in paragraphs:
        for sentence in split_sentences(paragraph.text) if number >= 0 else [paragraph.text]:
            facts += [(len(sentences), f.kind, f.text, f.value, f.unit) for f in extract_facts(sentence)]
            words = content_words(sentence)
            vocab_words += set(words)
            sentences.append((sentence, number, paragraph.heading, " ".join(term(w) for w in words)))
    return PreparedArticle(source=source, checksum=digest, title=article.title, author=article.author,
                           date=article.date, headings=article.headings, sentences=sentences, facts=facts,
                           vocab_words=vocab_words, updated=article.updated, site=article.site)


Job = tuple[str, bytes, str, str]  # (name, content, source, checksum)
PARALLEL_FROM = 50  # below this many files, starting worker processes costs more than it saves
COMMIT_EVERY = 50


def _parse_and_prepare(job: Job) -> PreparedArticle | str:
    """A prepared article, or the one-line reason the file is refused."""
    name, data, source, digest = job
    try:
        return prepare(parse_bytes(name, data), source, digest)
    except ArticleError as error:
        return error.reason


def _store(db: Articles, name: str, outcome: PreparedArticle | str, report: IngestReport,
           on_saved: OnSaved | None, vocab: Counter | None = None) -> None:
    if isinstance(outcome, str):
        report.refused.append((name, outcome))
        return
    action, article_id = db.save_article(outcome, on_saved, vocab)
    getattr(report, action).append(name)
    if action != "skipped":
        report.article_ids.append(article_id)


def _is_known(db: Articles, source: str, digest: str) -> bool:
    return db.find_article(source, digest)[0] == "skipped"


def ingest_bytes(target: Target, name: str, data: bytes, source: str | None = None,
                 on_saved: OnSaved | None = None) -> IngestReport:
    """Parse and store one file's content; never raises for bad content."""
    db = _articles(target)
    report = IngestReport()
    digest = checksum(data)
    if _is_known(db, source or name, digest):
        report.skipped.append(name)  # known content: no need to parse it again
        return report
    try:
        _store(db, name, _parse_and_prepare((name, data, source or name, digest)), report, on_saved)
    except StorageError as error:
        report.failed.append((name, error.reason))
        raise IngestStopped(error, report) from error
    return report


def read_file(path: Path) -> bytes | str:
    """A file's content, or the one-line reason it is refused.

    Only regular files are read, and opening never waits: opening a FIFO for reading blocks
    until something writes to it (forever, for `ingest some.fifo`), and a device such as
    /dev/zero never ends. The type is checked before opening and again on the open file, in
    case the path changed in between. No more than the parser accepts is read."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        return f"cannot read: {error.strerror or error}"
    if not stat.S_ISREG(mode):
        return f"not a regular file ({file_kind(mode)})"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        return f"cannot read: {error.strerror or error}"
    with open(fd, "rb", closefd=True) as file:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            return f"not a regular file ({file_kind(status.st_mode)})"
        if status.st_size > MAX_FILE_BYTES:  # as the parser words it, without reading gigabytes first
            return f"file too large ({status.st_size // 1000} kB, limit {MAX_FILE_BYTES // 1000} kB)"
        os.set_blocking(fd, True)
        try:
            return file.read(MAX_FILE_BYTES + 1)  # a file growing meanwhile is still refused as too large
        except OSError as error:
            return f"cannot read: {error.strerror or error}"


def article_files(folder: Path) -> list[Path]:
    """Files of a folder (recursively) that look like articles, in a stable order."""
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith("."))


def _prepare_all(jobs: list[Job]) -> Iterator[PreparedArticle | str]:
    """Outcomes in job order; parsing runs in worker processes for large batches while
    this process stores what is ready (SQLite writes stay in one process)."""
    workers = os.cpu_count() or 1
    if len(jobs) < PARALLEL_FROM or workers < 2:
        yield from map(_parse_and_prepare, jobs)
        return
    # fork: the workers only parse (they never touch the inherited database connection), and
    # unlike spawn it does not re-run the caller's main module.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    try:
        yield from pool.map(_parse_and_prepare, jobs, chunksize=16)
    finally:
        # Closed early when storing failed (full disk): what is left would not be stored anyway.
        pool.shutdown(wait=True, cancel_futures=True)


def _store_batch(db: Articles, batch: list[tuple[Job, PreparedArticle | str]],
                 report: IngestReport, on_saved: OnSaved | None) -> None:
    """Store a batch in one transaction. If the database fails (full disk...), the batch is
    rolled back and stored again one article per transaction, so that what fits is kept; the
    first article that cannot be stored raises StorageError."""
    mark = report._mark()
    vocab: Counter = Counter()
    try:
        with db.transaction():
            for job, outcome in batch:
                _store(db, job[0], outcome, report, on_saved, vocab)
            db.apply_vocab(vocab)
        return
    except StorageError:
        report._rewind(mark)
        if len(batch) == 1:
            raise
    for job, outcome in batch:
        _store(db, job[0], outcome, report, on_saved)


def ingest_paths(target: Target, paths: Iterable[str | Path],
                 on_saved: OnSaved | None = None) -> IngestReport:
    """Ingest files and folders; unreadable paths are refused, not raised."""
    db = _articles(target)
    report = IngestReport()
    jobs: list[Job] = []
    for raw in paths:
        path = Path(raw)
        files = article_files(path) if path.is_dir() else [path]
        if path.is_dir() and not files:
            report.refused.append((str(path), "folder has no .txt, .md or .html file"))
        for file in files:
            data = read_file(file)
            if isinstance(data, str):
                report.refused.append((str(file), data))
                continue
            job = (str(file), data, str(file.resolve()), checksum(data))
            if _is_known(db, job[2], job[3]):
                report.skipped.append(job[0])
            else:
                jobs.append(job)
    prepared = _prepare_all(jobs)
    outcomes = zip(jobs, prepared, strict=True)
    before = report._files()  # each stored job adds one entry: what follows them was not stored
    # Large batches commit every COMMIT_EVERY articles: one commit (and one FTS5 segment) per
    # article costs a third of the write time, and so did updating `vocab` once per article
    # (most words recur across articles). Each article stays all-or-nothing (a savepoint).
    try:
        while chunk := list(itertools.islice(outcomes, COMMIT_EVERY)):
            _store_batch(db, chunk, report, on_saved)
    except StorageError as error:
        prepared.close()
        report.failed += [(job[0], error.reason) for job in jobs[report._files() - before:]]
        raise IngestStopped(error, report) from error
    if len(report.added) + len(report.updated) >= COMMIT_EVERY:
        with contextlib.suppress(StorageError):  # only an optimisation: everything is stored already
            db.optimize_index()
    return report
