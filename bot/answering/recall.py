"""Recall: the sentences worth scoring for a question.

SQLite FTS5 (BM25) over the sentences' index terms, queried with every term a question word can
match (itself, spelling corrections, words of close meaning, translations), within a budget of
sentences to rank. A follow-up's borrowed words and the neighbours of the best candidates (for a
cause given in the next sentence) join here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import sqlite_utils

from bot.answering.knobs import KNOBS
from bot.answering.reading import Question
from bot.lexicon import SAME_WORD, Lexicon, Match
from bot.text import is_known_word, terms


@dataclass
class Candidate:
    sentence_id: int
    article_id: int
    position: int
    paragraph: int
    heading: str | None
    text: str
    terms: set[str]
    facts: list[dict] = field(default_factory=list)
    coverage: float = 0.0
    direct: bool = False  # at least one question word is in the sentence itself
    focus: float = 0.0  # share of the question's focus it holds (bot/answering/scoring.py)
    missing_names: bool = False  # a name the question gives is nowhere in its article
    fits: bool = False  # holds the kind of answer the question wants (set by bot/answering/scoring.py)
    score: float = 0.0
    lead: str | None = None  # the sentence before, quoted with this one (a cause given after its event)


@dataclass
class Expansion:
    word: str
    matches: list[Match]
    idf: float  # its weight in coverage
    borrowed: bool = False  # from the previous question (a follow-up), not this one
    rarity: float = 0.0  # its IDF before any discount: a word absent from the articles is the rarest


def fts_query(index_terms: list[str]) -> str:
    """An FTS5 OR query over index terms, each quoted so no term is read as syntax."""
    unique = dict.fromkeys(t for t in index_terms if t)
    return " OR ".join(f'"{t}"' for t in unique)


def bm25_ids(db: sqlite_utils.Database, query: str, limit: int) -> list[int]:
    """Sentence ids ranked by FTS5's bm25() alone, leaving out retired articles (/forget)."""
    if not query:
        return []
    # The retired articles' sentences are listed once per query (a scan of `articles`, 0.3 ms for 10,000).
    rows = db.execute(
        "SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH ? AND rowid NOT IN (SELECT id FROM sentences "
        "WHERE article_id IN (SELECT id FROM articles WHERE retired_at IS NOT NULL)) ORDER BY rank LIMIT ?",
        [query, limit],
    ).fetchall()
    return [r[0] for r in rows]


def baseline(db: sqlite_utils.Database, question: str, limit: int = 5) -> list[int]:
    """The plain BM25 baseline: the question's own terms, OR-ed, ranked by bm25()."""
    return bm25_ids(db, fts_query(terms(question)), limit)


BODY_TERMS_KEPT = 256  # articles whose whole vocabulary stays in memory between questions


@lru_cache(maxsize=4096)
def context_terms(text: str) -> frozenset[str]:
    """Index terms of a title or heading (cached: the same few recur for every question)."""
    return frozenset(terms(text))


class Recall:
    def __init__(self, db: sqlite_utils.Database, lexicon: Lexicon) -> None:
        self.db = db
        self.lexicon = lexicon
        self._article_terms: dict[int, frozenset[str]] = {}
        self._body_terms: dict[int, frozenset[str]] = {}

    def expand(self, question: Question) -> list[Expansion]:
        """Every way each question word meets the articles, with its IDF weight; the words a
        follow-up borrows from the question before count for less."""
        unseen = self.lexicon.idf("")
        out = []
        own = dict.fromkeys(question.words)
        borrowed = [w for w in dict.fromkeys(question.context_words) if w not in own]
        for word in [*own, *borrowed]:
            matches = self.lexicon.expand(word, question.lang)
            present = bool(matches) and matches[0].how in SAME_WORD
            rarity = self.lexicon.idf(matches[0].term) if present else unseen
            # Absent from the articles: an ordinary word weighs less than a name or gibberish.
            idf = rarity if present or not is_known_word(word) else rarity * KNOBS.unseen_word_weight
            if word not in own:
                idf *= KNOBS.follow_up_weight
            out.append(Expansion(word, matches, idf, borrowed=word not in own, rarity=rarity))
        return out

    def body_terms(self, article_id: int) -> frozenset[str]:
        """Every index term of an article (title and sentences); kept for the most recent articles asked about."""
        found = self._body_terms.pop(article_id, None)
        if found is None:
            rows = self.db.execute("SELECT terms FROM sentences WHERE article_id = ?", [article_id]).fetchall()
            found = frozenset(t for (text,) in rows for t in text.split()) | self.title_terms(article_id)
        self._body_terms[article_id] = found  # most recent last
        while len(self._body_terms) > BODY_TERMS_KEPT:
            del self._body_terms[next(iter(self._body_terms))]
        return found

    def title_terms(self, article_id: int) -> frozenset[str]:
        if article_id not in self._article_terms:
            row = self.db.execute("SELECT title FROM articles WHERE id = ?", [article_id]).fetchone()
            self._article_terms[article_id] = context_terms(row[0] if row else "")
        return self._article_terms[article_id]

    def recall_terms(self, expansions: list[Expansion]) -> list[str]:
        """The terms worth an FTS lookup. FTS5 ranks every sentence holding any of them, so
        the cost is the number of sentences they match: very common terms are left to
        scoring unless nothing rarer was asked, and words of close meaning join the
        question's own words (and their spelling corrections), closest first, only while
        the sentences to rank stay within a budget."""
        own: dict[str, int] = {}  # term -> sentences holding it
        near: dict[str, float] = {}  # term -> closeness
        for match in (m for e in expansions for m in e.matches):
            if match.how in SAME_WORD:
                own[match.term] = self.lexicon.term_df.get(match.term, 0)
            else:
                near[match.term] = max(near.get(match.term, 0.0), match.weight)
        common = max(KNOBS.recall_min_common, self.lexicon.sentence_count * KNOBS.recall_common_share)
        chosen = sorted((t for t in own if own[t] <= common), key=own.__getitem__)
        rows = sum(own[t] for t in chosen)
        # Ties in closeness are many (0.595…): broken by the term, not by set order, which changes with
        # PYTHONHASHSEED and made which close words fit the budget differ from one run to the next.
        for term_ in sorted(near.keys() - own.keys(), key=lambda t: (-near[t], t)):
            df = self.lexicon.term_df.get(term_, 0)
            if df <= common and rows + df <= KNOBS.recall_budget_share * common:
                chosen.append(term_)
                rows += df
        if not chosen:  # only common words: the two least common still find something
            every = {**{t: self.lexicon.term_df.get(t, 0) for t in near}, **own}
            chosen = sorted(every, key=every.__getitem__)[:2]
        return chosen[: int(KNOBS.recall_max_terms)]

    def candidates(self, expansions: list[Expansion], limit: int = int(KNOBS.candidates)) -> list[Candidate]:
        """The sentences FTS5 ranks first for the question's terms, with their facts, and those it
        ranks first for the question's own words alone: BM25 weighs a word of close meaning like
        the word itself, so close words could crowd out the sentences that use the question's words. That
        second lookup ranks every sentence holding them: it is made only when they are few."""
        chosen = self.recall_terms(expansions)
        ids = bm25_ids(self.db, fts_query(chosen), limit)
        own = {m.term for e in expansions for m in e.matches if m.how in SAME_WORD}
        own_chosen = [t for t in chosen if t in own]
        rows = sum(self.lexicon.term_df.get(t, 0) for t in own_chosen)
        if own_chosen and len(own_chosen) < len(chosen) and rows <= KNOBS.own_recall_rows:
            ids = list(dict.fromkeys(ids + bm25_ids(self.db, fts_query(own_chosen), int(KNOBS.own_candidates))))
        return self.sentences(ids)

    def sentences(self, ids: list[int]) -> list[Candidate]:
        """Candidates for the given sentence ids, in that order, with their facts."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"SELECT id, article_id, position, paragraph, heading, text, terms FROM sentences WHERE id IN ({marks})",
            ids,
        ).fetchall()
        by_id = {r[0]: Candidate(r[0], r[1], r[2], r[3], r[4], r[5], set(r[6].split())) for r in rows}
        for sentence_id, kind, text, value, unit in self.db.execute(
            f"SELECT sentence_id, kind, text, value, unit FROM facts WHERE sentence_id IN ({marks})", ids
        ):
            by_id[sentence_id].facts.append({"kind": kind, "text": text, "value": value, "unit": unit})
        return [by_id[i] for i in ids if i in by_id]

    def next_sentences(self, found: list[Candidate]) -> list[Candidate]:
        """The sentence right after each candidate in its paragraph, when not a candidate already:
        a cause is often given in the sentence after the one that names the event."""
        have = {c.sentence_id for c in found}
        pairs = [(c.article_id, c.position + 1, c.paragraph) for c in found]
        if not pairs:
            return []
        clause = " OR ".join("(article_id = ? AND position = ? AND paragraph = ?)" for _ in pairs)
        ids = [r[0] for r in self.db.execute(f"SELECT id FROM sentences WHERE {clause}",
                                             [v for pair in pairs for v in pair]) if r[0] not in have]
        return self.sentences(ids)
