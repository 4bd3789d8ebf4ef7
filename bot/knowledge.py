"""The knowledge base: one object that the terminal chat, the CLI and the
Telegram handlers all talk to.

It owns the database connection and the in-memory vocabulary, and refreshes
the vocabulary whenever another process (a separate `ingest`) changed the
database, so new articles are answerable at once.

With a PostgreSQL BOT_DB (`shared`), articles are stored there and the file it
answers from is this instance's copy of them, kept in step (bot/replica.py).
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import storage, wordlinks
from bot.answering import confidence
from bot.answering.knobs import KNOBS
from bot.answering.model import Answer, ArticleRef, Conversation, Quote
from bot.answering.pipeline import Answerer
from bot.answering.reading import read_question
from bot.answering.recall import Candidate, Recall
from bot.ingest import IngestReport, ingest_bytes, ingest_paths
from bot.lexicon import SAME_WORD, Lexicon
from bot.subscriptions import queue_alerts
from bot.summaries import SentenceInfo, key_sentences
from bot.text import fold

if TYPE_CHECKING:
    from bot.replica import Replica

MAX_QUESTION_CHARS = 1000
ARTICLE_TIE = 0.05  # article_for: sentences this close to the best cover the words alike; the title decides
ARTICLE_COLUMNS = "id, title, author, date, updated, site"
# A quote opening with a pronoun that points back is quoted with the sentence before it.
_ANAPHOR = re.compile(r"^(?:il|elle|ils|elles|cela|ceci|ce|celui-ci|celle-ci|selon (?:lui|elle|eux)|"
                      r"cette dernière|ce dernier|lui|leur|ces derniers|it|they|this)\b", re.IGNORECASE)


@dataclass
class Summary:
    article: ArticleRef
    headings: list[str]
    key_sentences: list[str]


class KnowledgeBase:
    def __init__(self, db_path: str | Path, articles_dir: str | Path | None = None,
                 semantic: bool = True, shared: str | None = None) -> None:
        confidence.model()  # the shipped answer-confidence model: a damaged install fails here, not mid-question
        self.path = Path(db_path)
        self.db = storage.open_database(db_path)
        self.replica: Replica | None = None
        if shared:
            from bot.replica import Replica  # psycopg loads only where PostgreSQL is used

            self.replica = Replica(shared, db_path)
        self.semantic = semantic
        self._lock = threading.RLock()  # one connection, shared by threads of the terminal and the bot
        self._generation = -1
        if articles_dir is not None and Path(articles_dir).is_dir():
            self.ingest([articles_dir])
        self.sync()

    # --- freshness -------------------------------------------------------------

    def refresh(self) -> bool:
        """Reload the vocabulary if the database changed since last time; True if it did."""
        with self._lock:
            current = storage.generation(self.db)
            if current == self._generation:
                return False
            self.lexicon = Lexicon.from_db(self.db, self.semantic)
            self.recall = Recall(self.db, self.lexicon)
            self.answerer = Answerer(self.recall, self, self._quote_text, self.article_ref)
            self._generation = current
            return True

    def sync(self) -> bool:
        """Copy what changed in PostgreSQL into this instance's file (nothing to do on SQLite), then
        refresh; True if the vocabulary was reloaded."""
        if self.replica is not None:
            self.replica.sync()
        return self.refresh()

    def follow(self, interval: float) -> None:
        """On PostgreSQL: keep this instance's copy in step, looking every `interval` seconds."""
        if self.replica is not None:
            self.replica.follow(interval, self.refresh)

    def unfollow(self) -> None:
        if self.replica is not None:
            self.replica.unfollow()

    def close(self) -> None:
        if self.replica is not None:
            self.replica.close()
        self.db.close()

    # Every way in queues the alerts for subscribed chats in the article's own transaction.
    # Ingest writes through a connection of its own: questions, lists and the alert queue on this
    # knowledge base's connection go on meanwhile (SQLite's WAL lets them read while it writes).

    @contextlib.contextmanager
    def _storing(self) -> Iterator[Any]:
        """Where an ingest stores: PostgreSQL's articles, or this file on a connection of its own."""
        if self.replica is not None:
            yield self.replica.articles()
            return
        with contextlib.closing(storage.open_database(self.path)) as db:
            yield db

    def ingest(self, paths: list[str | Path]) -> IngestReport:
        """Load files and folders."""
        with self._storing() as target:
            report = ingest_paths(target, paths, queue_alerts)
        self.sync()
        return report

    def ingest_file(self, name: str, data: bytes, source: str) -> IngestReport:
        """Load one file's content received by other means (a document sent to the bot)."""
        with self._storing() as target:
            report = ingest_bytes(target, name, data, source, queue_alerts)
        self.sync()
        return report

    # --- questions -------------------------------------------------------------

    def ask(self, text: str, alternatives: int = 2, conversation: Conversation | None = None) -> Answer:
        """Answer a question from the articles (or say why not); `conversation` is what the
        previous answer in the same chat returned, for follow-ups."""
        text = (text or "")[:MAX_QUESTION_CHARS]
        self.refresh()
        with self._lock:
            return self.answerer.answer(text, conversation, alternatives)

    def _quote_text(self, candidate: Candidate) -> str:
        if candidate.position > 0 and _ANAPHOR.match(candidate.text):
            row = self.db.execute(
                "SELECT text FROM sentences WHERE article_id = ? AND position = ? AND paragraph = ?",
                [candidate.article_id, candidate.position - 1, candidate.paragraph],
            ).fetchone()
            if row:
                return f"{row[0]} {candidate.text}"
        return candidate.text

    def quotes(self, words: str, limit: int = 5) -> list[Quote]:
        """Sentences that contain every given word (spelling tolerated), verbatim."""
        self.refresh()
        with self._lock:
            question = read_question(words[:MAX_QUESTION_CHARS])
            if not question.words:
                return []
            # Words as written or misspelt, not words of close meaning: a quote must contain them.
            expansions = self.recall.expand(question)
            for expansion in expansions:
                expansion.matches = [m for m in expansion.matches if m.how in SAME_WORD]
            if any(not e.matches for e in expansions):
                return []
            found = self.recall.candidates(expansions, limit=200)
            keep = [c for c in found if all(any(m.term in c.terms for m in e.matches) for e in expansions)]
            return [Quote(c.sentence_id, c.text, self.article_ref(c.article_id), 1.0) for c in keep[:limit]]

    def context(self, sentence_id: int) -> tuple[str, ArticleRef] | None:
        """The paragraph around a sentence, and its article."""
        with self._lock:
            row = self.db.execute("SELECT s.article_id, s.paragraph FROM sentences s JOIN articles a ON "
                                  "a.id = s.article_id WHERE s.id = ? AND a.retired_at IS NULL",
                                  [sentence_id]).fetchone()
            if not row:
                return None
            texts = [r[0] for r in self.db.execute(
                "SELECT text FROM sentences WHERE article_id = ? AND paragraph = ? ORDER BY position", row)]
            return " ".join(texts), self.article_ref(row[0])

    # --- articles --------------------------------------------------------------

    def article_ref(self, article_id: int) -> ArticleRef:
        row = self.db.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ?", [article_id]).fetchone()
        return ArticleRef(*row)

    def articles(self) -> list[ArticleRef]:
        """The live articles (not retired), numbered by id: a retired one leaves a gap."""
        self.refresh()
        with self._lock:
            rows = self.db.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE retired_at IS NULL "
                                   "ORDER BY id").fetchall()
        return [ArticleRef(*r) for r in rows]

    def retire(self, article_id: int, retired: bool, now: float) -> bool | None:
        """/forget (`retired`) or /restore an article: see storage.set_retired."""
        if self.replica is not None:
            changed = self.replica.articles().set_retired(article_id, now if retired else None)
        else:
            with self._lock:
                changed = storage.set_retired(self.db, article_id, now if retired else None)
        self.sync()
        return changed

    def catalogue(self) -> list[tuple[int, str, float | None]]:
        """Every article, retired ones too: (id, title, retired_at or None)."""
        with self._lock:
            return storage.article_states(self.db)

    # --- what questions about the articles read (bot/answering/about.py) --------

    def article_for(self, words: list[str]) -> int | None:
        """The article that words such as "la panne" point to: that of the sentence that, with its
        title, covers them best (the same recall and scoring as questions, not a scan of every title)."""
        expansions, ranked = self.answerer.rank(read_question(" ".join(words)))
        if not ranked:
            return None
        # Sentences of several articles may cover the words alike ("le prix du repas", "la guerre des
        # prix"): the article whose title holds them is the one "l'article sur les prix" names.
        # `max` keeps the best-ranked sentence among equal titles.
        asked = {m.term for e in expansions for m in e.matches if m.how in SAME_WORD}
        tied = [c for c in ranked if c.score >= ranked[0].score - ARTICLE_TIE]
        recall = self.answerer.recall
        best = max(tied, key=lambda c: len(asked & recall.title_terms(c.article_id)))
        # A loose word of close meaning does not name an article: "l'article sur les élections" is
        # not the one that speaks of "négociations". One of the words itself, or a word the dictionary
        # links to it ("bicyclettes" -> "vélos"), must be in it, or the sentence must hold the
        # question's focus as an answer would ("tram" -> "tramway").
        named = asked | {m.term for e in expansions for m in e.matches if m.how == "related"}
        return best.article_id if named & recall.body_terms(best.article_id) or best.focus >= KNOBS.min_focus \
            else None

    def byline(self, article_id: int) -> Quote | None:
        """The byline block as printed (author, dates), stored as the article's paragraph -1."""
        row = self.db.execute("SELECT id, text FROM sentences WHERE article_id = ? AND paragraph = -1 "
                              "ORDER BY position", [article_id]).fetchall()
        if not row:
            return None
        return Quote(row[0][0], " ".join(text for _, text in row), self.article_ref(article_id), 1.0)

    def key_sentence(self, article_id: int) -> str | None:
        summary = self.summary(article_id, count=1)
        return summary.key_sentences[0] if summary and summary.key_sentences else None

    def find_article(self, reference: str) -> ArticleRef | None:
        """An article by its number, or the one whose title best matches the keywords."""
        reference = reference.strip()[:MAX_QUESTION_CHARS]
        if not reference:
            return None
        # An article number is ASCII digits: str.isdigit() also takes '²' or '٣', which int()
        # refuses or reads as another number, and int() refuses more than 4300 digits.
        if re.fullmatch(r"[0-9]+", reference):
            number = int(reference) if len(reference) <= 18 else -1  # no article has such a number
            return next((a for a in self.articles() if a.id == number), None)
        wanted = set(read_question(reference).words)
        if not wanted:
            return None
        best, best_score = None, 0.0
        for article in self.articles():
            title = fold(article.title)
            score = sum(1 for w in wanted if fold(w) in title)
            if score > best_score:
                best, best_score = article, score
        if best is None:  # not in a title: the article of the best quote
            quotes = self.quotes(reference, limit=1)
            return quotes[0].article if quotes else None
        return best

    def summary(self, article_id: int, count: int = 3) -> Summary | None:
        self.refresh()
        with self._lock:
            row = self._headings(article_id)
        # An alert may be due for an article another instance stored and this one has not copied yet.
        # Read again whatever sync says: the background copy may have brought it just now (sync then
        # finds nothing left to copy), and this connection must see it too.
        if row is None and self.replica is not None:
            self.replica.sync()
            self.refresh()
            with self._lock:
                row = self._headings(article_id)
        if row is None:
            return None
        with self._lock:
            rows = self.db.execute(
                "SELECT s.id, s.position, s.paragraph, s.text, s.terms, s.heading "
                "FROM sentences s WHERE s.article_id = ? AND s.paragraph >= 0 ORDER BY s.position",  # not the byline
                [article_id]).fetchall()
            # Each sentence's facts (kind, value, unit) and section heading: a figure weighs more than a
            # name, and a figure of the title or words of the heading mark the sentence that states the event.
            facts: dict[int, list[tuple[str, str, str | None]]] = {}
            for sentence_id, kind, value, unit in self.db.execute(
                    "SELECT sentence_id, kind, value, unit FROM facts WHERE article_id = ?", [article_id]):
                facts.setdefault(sentence_id, []).append((kind, value, unit))
            ref = self.article_ref(article_id)
            sentences = [SentenceInfo(p, para, text, t.split(), len(facts.get(i, [])), facts.get(i, []), heading)
                         for i, p, para, text, t, heading in rows]
            return Summary(ref, json.loads(row[0] or "[]"), key_sentences(ref.title, sentences, self.lexicon, count))

    def _headings(self, article_id: int) -> tuple | None:
        """The article's row (its headings) if it is there and live."""
        return self.db.execute("SELECT headings FROM articles WHERE id = ? AND retired_at IS NULL",
                               [article_id]).fetchone()

    def summaries(self, count: int = 3) -> list[Summary]:
        return [s for a in self.articles() if (s := self.summary(a.id, count)) is not None]

    def digest(self) -> str:
        """One paragraph over all articles: each article's title, date and key sentence."""
        parts = []
        for summary in sorted(self.summaries(count=1), key=lambda s: s.article.date or "", reverse=True):
            when = f" ({summary.article.date})" if summary.article.date else ""
            lead = summary.key_sentences[0] if summary.key_sentences else ""
            parts.append(f"{summary.article.title}{when} : {lead}")
        return " ".join(parts)

    def warm_up(self) -> None:
        """Answer the example questions once: a first question otherwise loads the lemmatiser's
        dictionaries on the spot, which stalled answers for about 0.2 s."""
        wordlinks.load()
        for question in self.examples("fr") + self.examples("en"):
            self.ask(question)

    def examples(self, lang: str = "fr") -> list[str]:
        """Example questions built from the most cited names and quantities of the articles."""
        with self._lock:
            rows = self.db.execute(
                "SELECT kind, value, unit, count(*) AS n FROM facts WHERE kind IN ('person', 'organisation', 'number') "
                "AND article_id NOT IN (SELECT id FROM articles WHERE retired_at IS NOT NULL) "
                "GROUP BY kind, value, unit ORDER BY n DESC, value LIMIT 50").fetchall()
        first: dict[str, tuple[str, str | None]] = {}
        for kind, value, unit, _ in rows:
            if kind == "number" and not unit:
                continue
            first.setdefault(kind, (value, unit))
        templates = {
            "fr": {"person": "Qui est {v} ?", "organisation": "Que s'est-il passé chez {v} ?",
                   "number": "Combien de {u} ?"},
            "en": {"person": "Who is {v}?", "organisation": "What happened at {v}?", "number": "How many {u}?"},
        }[lang]
        examples = [templates[k].format(v=v, u=u) for k, (v, u) in first.items()]
        return [re.sub(r"\bde (?=[aeiouyhéèêàâîôûAEIOUYHÉ])", "d'", e) for e in examples]  # "Combien d'heures ?"
