"""Finding and scoring the sentences that answer a question.

Recall comes from SQLite FTS5 (BM25) over the sentences' index terms, queried
with every term a question word can match (itself, spelling corrections,
words of close meaning). Each candidate is then scored by how much of the
question it covers, every question word weighted by its IDF, with the
article's title and the section heading counting for part; a sentence that
holds the kind of fact the question asks for (a person for "qui", a number
for "combien"...) gets a bonus. Scores are in [0, 1].
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import sqlite_utils

from bot.facts import is_time_unit
from bot.lexicon import Lexicon, Match
from bot.questions import Question
from bot.text import fold, is_known_word, term, terms

CONTEXT_WEIGHT = 0.6  # a word found only in the title or heading counts for this much
KIND_BONUS = 0.2
CANDIDATES = 80
UNSEEN_WORD_WEIGHT = 0.6
RECALL_COMMON_SHARE = 0.01  # a term in more than 1% of sentences...
RECALL_MIN_COMMON = 2000  # ...and in more than 2,000 of them is "common"
RECALL_MAX_TERMS = 24
RECALL_BUDGET_SHARE = 2  # sentences to rank: at most twice the "common" line, once the question's words are in
_CAUSE = re.compile(r"\b(?:en raison|parce qu|car\b|à cause|a cause|suite à|pour faire face|en expliquant|"
                    r"conséquence|because|due to|afin de|pour gérer)", re.IGNORECASE)


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
    score: float = 0.0


@dataclass
class Expansion:
    word: str
    matches: list[Match]
    idf: float


@lru_cache(maxsize=4096)
def _context_terms(text: str) -> frozenset[str]:
    return frozenset(terms(text))


def fts_query(index_terms: list[str]) -> str:
    """An FTS5 OR query over index terms, each quoted so no term is read as syntax."""
    unique = dict.fromkeys(t for t in index_terms if t)
    return " OR ".join(f'"{t}"' for t in unique)


def bm25_ids(db: sqlite_utils.Database, query: str, limit: int) -> list[int]:
    """Sentence ids ranked by FTS5's bm25() alone."""
    if not query:
        return []
    rows = db.execute(
        "SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH ? ORDER BY rank LIMIT ?", [query, limit]
    ).fetchall()
    return [r[0] for r in rows]


def baseline(db: sqlite_utils.Database, question: str, limit: int = 5) -> list[int]:
    """The plain BM25 baseline: the question's own terms, OR-ed, ranked by bm25()."""
    return bm25_ids(db, fts_query(terms(question)), limit)


class Searcher:
    def __init__(self, db: sqlite_utils.Database, lexicon: Lexicon) -> None:
        self.db = db
        self.lexicon = lexicon
        self._article_terms: dict[int, frozenset[str]] = {}

    def expand(self, question: Question) -> list[Expansion]:
        unseen = self.lexicon.idf("")
        out = []
        for word in dict.fromkeys(question.words):
            matches = self.lexicon.expand(word)
            if matches and matches[0].how != "semantic":
                idf = self.lexicon.idf(matches[0].term)
            else:  # absent from the articles: an ordinary word weighs less than a name or gibberish
                idf = unseen * (UNSEEN_WORD_WEIGHT if is_known_word(word) else 1.0)
            out.append(Expansion(word, matches, idf))
        return out

    def _title_terms(self, article_id: int) -> frozenset[str]:
        if article_id not in self._article_terms:
            row = self.db.execute("SELECT title FROM articles WHERE id = ?", [article_id]).fetchone()
            self._article_terms[article_id] = _context_terms(row[0] if row else "")
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
            if match.how == "semantic":
                near[match.term] = max(near.get(match.term, 0.0), match.weight)
            else:
                own[match.term] = self.lexicon.term_df.get(match.term, 0)
        common = max(RECALL_MIN_COMMON, self.lexicon.sentence_count * RECALL_COMMON_SHARE)
        chosen = sorted((t for t in own if own[t] <= common), key=own.__getitem__)
        rows = sum(own[t] for t in chosen)
        for term_ in sorted(near.keys() - own.keys(), key=lambda t: -near[t]):
            df = self.lexicon.term_df.get(term_, 0)
            if df <= common and rows + df <= RECALL_BUDGET_SHARE * common:
                chosen.append(term_)
                rows += df
        if not chosen:  # only common words: the two least common still find something
            every = {**{t: self.lexicon.term_df.get(t, 0) for t in near}, **own}
            chosen = sorted(every, key=every.__getitem__)[:2]
        return chosen[:RECALL_MAX_TERMS]

    def candidates(self, expansions: list[Expansion], limit: int = CANDIDATES) -> list[Candidate]:
        query = fts_query(self.recall_terms(expansions))
        ids = bm25_ids(self.db, query, limit)
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

    def score(self, candidate: Candidate, expansions: list[Expansion], question: Question) -> None:
        context = self._title_terms(candidate.article_id) | _context_terms(candidate.heading or "")
        total = got = 0.0
        for expansion in expansions:
            inside = max((m.weight for m in expansion.matches if m.term in candidate.terms), default=0.0)
            around = max((m.weight for m in expansion.matches if m.term in context), default=0.0)
            total += expansion.idf
            got += expansion.idf * max(inside, CONTEXT_WEIGHT * around)
            candidate.direct = candidate.direct or inside > 0
        candidate.coverage = got / total if total else 0.0
        if question.kind is None:
            candidate.score = candidate.coverage
        else:
            has_kind = bool(answer_facts(candidate.facts, question)) if question.wanted else bool(
                _CAUSE.search(candidate.text))
            candidate.score = (1 - KIND_BONUS) * candidate.coverage + KIND_BONUS * has_kind

    def search(self, question: Question) -> tuple[list[Expansion], list[Candidate]]:
        """Expansions of the question's words, and candidates best first."""
        expansions = self.expand(question)
        found = self.candidates(expansions)
        for candidate in found:
            self.score(candidate, expansions, question)
        # Ties (same sentence repeated in two articles) go to the earlier sentence.
        found.sort(key=lambda c: (-c.score, c.article_id, c.position))
        return expansions, found


# "devait durer deux heures, mais ... pendant plus de 24 heures": a figure in a clause of
# expectation is what was planned, the other what happened. The question's own wording says
# which one it wants ("devait-elle durer" vs "a duré").
_EXPECTATION = re.compile(
    r"\b(?:devai(?:t|ent)|devrai(?:t|ent)|aurai(?:t|ent) du|allai(?:t|ent)|prevu|prevoyai(?:t|ent)|censee?s?|"
    r"supposed|expected|planned|should|was going|were going)\b")
_CLAUSE_START = re.compile(r"[,;:(]|\b(?:mais|but|alors que|whereas|while)\b")
MODALITY_MISMATCH = 0.3  # below a kind's rank step (1), above any distance tie-break


def _is_expectation(sentence: str, start: int) -> bool:
    """Whether the clause holding sentence[start:] states an expectation rather than a fact."""
    before = fold(sentence[:start])
    clause_start = max((m.end() for m in _CLAUSE_START.finditer(before)), default=0)
    return bool(_EXPECTATION.search(before, clause_start))


def answer_facts(facts: list[dict], question: Question, sentence: str = "",
                 anchors: dict[str, float] | None = None) -> list[dict]:
    """The facts that answer the question's kind, best first, leaving out what the question says.

    Among facts of equal kind, a precise figure beats a vague one ("57" over
    "centaines"), then the fact nearest the question's most specific words wins
    (`anchors`: index term -> weight, distances are divided by it).
    """
    anchors = anchors or {}
    asked = fold(question.text)
    asked_expectation = bool(_EXPECTATION.search(asked))
    question_terms = set(terms(question.text))
    positions = [(m.start(), anchors[t]) for m in re.finditer(r"\w+", sentence)
                 if (t := term(m.group().lower())) in anchors]
    ranked: list[tuple[float, float, dict]] = []
    for fact in facts:
        if fact["kind"] not in question.wanted or fold(fact["value"]) in asked:
            continue
        if question.kind == "how_long" and not is_time_unit(fact["unit"]):
            continue
        rank = question.wanted.index(fact["kind"])
        if question.kind == "how_many":
            if fact["unit"] and set(terms(fact["unit"])) & question_terms:
                rank -= 10  # "combien d'employés" -> the number of employés
            if fact["kind"] == "percentage" and re.search(r"pourcentage|%|percent|part|proportion", asked):
                rank -= 10
            if not re.search(r"\d", fact["text"]):
                rank += 0.5
        start = sentence.find(fact["text"])
        end = start + len(fact["text"])
        if start >= 0 and _is_expectation(sentence, start) != asked_expectation:
            rank += MODALITY_MISMATCH
        distance = min((abs(start - p) / w for p, w in positions if not start <= p < end), default=0)
        ranked.append((rank, distance, fact))
    return [fact for _, _, fact in sorted(ranked, key=lambda r: (r[0], r[1]))]
