"""Knowledge of words beyond the articles: French words related in meaning or by derivation
(diriger ~ directrice, recruter ~ embauche) and English words' French translations (ceo ~ pdg).

Both tables ship in bot/data (built by tools/build_lexicon.py from Wiktionary, MorphyNet, the
LibreOffice French thesaurus, FreeDict and Apertium, with wordfreq frequencies; sources and licences
in bot/data/LICENSES.md). They are read once per process and kept as one string per head word, split
only when a question asks for that word: a few megabytes, shared by every knowledge base of the process.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

import simplemma

DATA = Path(__file__).resolve().parent / "data"
RELATED = "related_fr.tsv"
TRANSLATIONS = "en_fr.tsv"


def _read(name: str) -> dict[str, str]:
    """head -> the rest of its line; {} when the table is absent (the bot then works without it)."""
    for path in (DATA / name, DATA / f"{name}.gz"):
        if path.exists():
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rt", encoding="utf-8") as lines:
                return dict(line.rstrip("\n").split("\t", 1) for line in lines if "\t" in line)
    return {}


@lru_cache(maxsize=1)
def _related_table() -> dict[str, str]:
    return _read(RELATED)


@lru_cache(maxsize=1)
def _translation_table() -> dict[str, str]:
    return _read(TRANSLATIONS)


def load() -> None:
    """Read both tables now rather than at the first question that needs them."""
    _related_table()
    _translation_table()


@lru_cache(maxsize=20_000)
def related(word: str) -> tuple[tuple[str, float], ...]:
    """French words related to `word` (as written or as its lemma), with a closeness in (0, 1]."""
    table = _related_table()
    line = table.get(word) or table.get(simplemma.lemmatize(word, lang="fr").lower())
    if not line:
        return ()
    out = []
    for item in line.split("\t"):
        linked, _, score = item.rpartition(":")
        if linked:
            out.append((linked, float(score)))
    return tuple(out)


@lru_cache(maxsize=20_000)
def translations(word: str) -> tuple[str, ...]:
    """French translations of an English word (as written or as its English lemma)."""
    table = _translation_table()
    line = table.get(word) or table.get(simplemma.lemmatize(word, lang="en").lower())
    return tuple(line.split("\t")) if line else ()
