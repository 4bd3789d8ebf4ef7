"""Loading article files and folders into the database.

Every way in (the CLI, the seeds at first start, a file dropped in the
articles folder, a document sent to the bot) goes through `ingest_bytes`, so
refusals, idempotence and replacement in place behave the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from bot.articles import SUPPORTED_SUFFIXES, Article, ArticleError, checksum, parse_bytes
from bot.facts import extract_facts
from bot.sentences import split_sentences
from bot.storage import PreparedArticle, SentenceRow, find_article, save_article
from bot.text import content_words, term

OnSaved = Callable[[sqlite_utils.Database, int, str], None]


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    article_ids: list[int] = field(default_factory=list)  # added or updated

    def merge(self, other: IngestReport) -> None:
        for name in ("added", "updated", "skipped", "refused", "article_ids"):
            getattr(self, name).extend(getattr(other, name))

    def lines(self) -> list[str]:
        """One line per file, for a person."""
        out = [f"added    {name}" for name in self.added]
        out += [f"updated  {name}" for name in self.updated]
        out += [f"skipped  {name} (already stored, unchanged)" for name in self.skipped]
        out += [f"refused  {name}: {reason}" for name, reason in self.refused]
        out.append(f"{len(self.added)} added, {len(self.updated)} updated, "
                   f"{len(self.skipped)} skipped, {len(self.refused)} refused")
        return out


def prepare(article: Article, source: str, digest: str) -> PreparedArticle:
    """Split an article into sentences with their index terms and facts."""
    rows: list[SentenceRow] = []
    for number, paragraph in enumerate(article.paragraphs):
        for sentence in split_sentences(paragraph.text):
            facts = [{"kind": f.kind, "text": f.text, "value": f.value, "unit": f.unit}
                     for f in extract_facts(sentence)]
            words = content_words(sentence)
            rows.append(SentenceRow(sentence, number, paragraph.heading, " ".join(term(w) for w in words),
                                    facts, set(words)))
    return PreparedArticle(source=source, checksum=digest, title=article.title, author=article.author,
                           date=article.date, headings=article.headings, sentences=rows)


def ingest_bytes(db: sqlite_utils.Database, name: str, data: bytes, source: str | None = None,
                 on_saved: OnSaved | None = None) -> IngestReport:
    """Parse and store one file's content; never raises for bad content."""
    report = IngestReport()
    digest = checksum(data)
    if find_article(db, source or name, digest)[0] == "skipped":
        report.skipped.append(name)  # known content: no need to parse it again
        return report
    try:
        article = parse_bytes(name, data)
    except ArticleError as error:
        report.refused.append((name, error.reason))
        return report
    action, article_id = save_article(db, prepare(article, source or name, digest), on_saved)
    getattr(report, action).append(name)
    if action != "skipped":
        report.article_ids.append(article_id)
    return report


def article_files(folder: Path) -> list[Path]:
    """Files of a folder (recursively) that look like articles, in a stable order."""
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith("."))


def ingest_paths(db: sqlite_utils.Database, paths: Iterable[str | Path],
                 on_saved: OnSaved | None = None) -> IngestReport:
    """Ingest files and folders; unreadable paths are refused, not raised."""
    report = IngestReport()
    for raw in paths:
        path = Path(raw)
        files = article_files(path) if path.is_dir() else [path]
        if path.is_dir() and not files:
            report.refused.append((str(path), "folder has no .txt, .md or .html file"))
        for file in files:
            try:
                data = file.read_bytes()
            except OSError as error:
                report.refused.append((str(file), f"cannot read: {error.strerror or error}"))
                continue
            report.merge(ingest_bytes(db, str(file), data, str(file.resolve()), on_saved))
    return report
