"""Word-level normalisation shared by indexing and querying.

Every word goes through the same pipeline on both sides — lower case, SMS
spelling repaired, lemma (simplemma), Snowball stem (PyStemmer), accents
folded — so that "licenciés", "LICENCIEMENT" and "licencie" meet on one term.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import simplemma
import Stemmer

_STEMMER = Stemmer.Stemmer("french")

# \w keeps letters and digits of any script; apostrophes and hyphens split words.
WORD_RE = re.compile(r"\w+", re.UNICODE)
_TOKEN_RE = re.compile(r"\w+(?:-\w+)*")  # a word with its hyphenated compound parts

# Common French SMS / chat spellings. General language data, not article-specific.
SMS = {
    "ki": "qui", "koi": "quoi", "kwa": "quoi", "kan": "quand", "kand": "quand",
    "kel": "quel", "kelle": "quelle", "kels": "quels", "keske": "qu'est-ce que",
    "pk": "pourquoi", "pq": "pourquoi", "pkoi": "pourquoi", "pourkoi": "pourquoi",
    "cb": "combien", "cmb": "combien", "combi1": "combien", "cmt": "comment",
    "komen": "comment", "koment": "comment", "ds": "dans", "bcp": "beaucoup",
    "tt": "tout", "tjs": "toujours", "pr": "pour", "ac": "avec", "avc": "avec",
    "slt": "salut", "bjr": "bonjour", "stp": "s'il te plaît", "svp": "s'il vous plaît",
    "jsp": "je ne sais pas", "qd": "quand", "qq": "quelques", "c": "c'est",
    "ya": "il y a",
}

# Function words of French and English: they carry no topic, so they neither
# retrieve sentences nor count towards how well a sentence covers a question.
STOPWORDS = frozenset(
    """
    a à ai aie aient aies ait alors as au aucun aucune aujourd aupres auquel aura aurai
    auraient aurais aurait auras aurez auriez aurions aurons auront aussi autre autres aux
    auxquelles auxquels avaient avais avait avant avec avez aviez avions avoir avons ayant
    bah bien bon c ça ca car ce ceci cela celle celles celui cependant certain certaines certains ces
    cet cette ceux chaque chez ci comme comment d dans de des desquelles desquels dessus
    deja déjà doit donc dont du duquel durant elle elles en encore entre es est et etaient étaient
    etais étais etait était etant étant ete été etre être eu eue eues eurent eus eut eux
    fais fait faites fois font furent fut hors hui ici il ils j je jusqu jusque l la
    laquelle le lequel les lesquelles lesquels leur leurs lors lui m ma mais me meme même
    memes mêmes mes moi mon moins n ne ni nos notre nous on ont ou où par parce pas peu
    peut pour pourquoi plus qu quand que quel quelle quelles quels qui quoi s sa sans se sera
    serai seraient serait ses si sien sienne siennes siens soi soit son sont sous suis sur
    t ta te tes toi ton tous tout toute toutes tres très tu un une unes uns vos votre vous
    vu y est-ce combien quelle quel quels quelles ou où trop tant assez beaucoup peut-être voici voilà
    ainsi aussi toujours jamais déjà deja alors puis ensuite enfin oui non rien autant tellement
    salut bonjour bonsoir merci coucho coucou hello hi hey stp svp plait plaît sais dire dis dit
    the of and or to in on at by for with from is are was were be been being do does did
    what who whom whose which when where why how many much the a an this that these those it
    its he she they them his her their has have had will would can could should about tell me
    please there here than then so not no yes off up out did get got
    va vas allez aller ok okay lol mdr
    """.split()
)

QUESTION_WORDS = frozenset(
    "qui quoi quand où ou combien comment pourquoi quel quelle quels quelles lequel laquelle "
    "who what when where how why which".split()
)


# Units written out and abbreviated (SI and common symbols): "168 km" answers "combien de kilomètres".
UNIT_ABBREVIATIONS = {"km": "kilometre", "m": "metre", "cm": "centimetre", "mm": "millimetre", "kg": "kilogramme",
                      "g": "gramme", "t": "tonne", "h": "heure", "min": "minute", "mn": "minute", "s": "seconde",
                      "ha": "hectare", "l": "litre", "hl": "hectolitre", "kwh": "kilowattheure", "mw": "megawatt"}

# Verbs that carry the grammar of a question, not its topic ("L'étape faisait combien de km ?").
LIGHT_VERBS = frozenset({"faire", "avoir", "être", "aller", "pouvoir", "devoir", "vouloir", "falloir"})

_SPACE_RUN = re.compile(r"[ \t\r\n]+")


def squeeze_spaces(text: str) -> str:
    """Runs of spaces, tabs and line breaks as one space, ends stripped; inner no-break spaces stay ("1\u00a0000")."""
    if "  " in text or "\n" in text or "\t" in text or "\r" in text:  # rarely: skip the regex otherwise
        text = _SPACE_RUN.sub(" ", text)
    return text.strip()


@lru_cache(maxsize=100_000)
def fold(text: str) -> str:
    """Lower-case and strip accents: 'Élève' -> 'eleve'."""
    if text.isascii():  # most words: nothing to strip
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str, join_compounds: bool = True) -> list[str]:
    """Lower-cased words of `text`, in order, hyphenated compounds also joined.

    'plate-forme' yields 'plate', 'forme' and 'plateforme', so both spellings meet
    (indexed text joins them; questions need not, their parts already match).
    """
    out: list[str] = []
    for token in _TOKEN_RE.findall(text.lower()):
        if "-" not in token:  # nearly every word: no need to split
            out.append(token)
            continue
        parts = token.split("-")
        out.extend(parts)
        if join_compounds and all(p.isalpha() and len(p) > 2 for p in parts):
            out.append("".join(parts))
    return out


@lru_cache(maxsize=100_000)
def lemma(word: str) -> str:
    """The dictionary form of one lower-case French word (simplemma)."""
    return simplemma.lemmatize(word, lang="fr").lower()


@lru_cache(maxsize=200_000)
def term(word: str) -> str:
    """The index term of one lower-case word: lemma, then stem, then accents folded."""
    if word.isdigit():
        return word
    lemma = simplemma.lemmatize(word, lang="fr").lower()
    return fold(_STEMMER.stemWord(lemma))


def content_words(text: str, join_compounds: bool = True) -> list[str]:
    """Words that carry meaning: no stop words, no single letters."""
    # Folding only the words with accents ("très" -> "tres") keeps this loop cheap: it runs on
    # every sentence at ingest.
    return [w for w in words(text, join_compounds)
            if len(w) > 1 and w not in STOPWORDS and (w.isascii() or fold(w) not in STOPWORDS)]


def terms(text: str) -> list[str]:
    """Index terms of the content words of `text`, in order."""
    return [term(w) for w in content_words(text)]


_SMS_WORD = re.compile(r"\w+(?![’'\w])")


def expand_sms(text: str) -> str:
    """Rewrite SMS spellings ('ki', 'cb') word by word; everything else unchanged. A capitalised
    word after the first is a name ("Ya Han", "Mme Ki"), not SMS."""
    # Not a letter elided before an apostrophe: the "c" of "c'est" is not the SMS "c" (c'est).
    def rewrite(match: re.Match[str]) -> str:
        word = match.group()
        if match.start() and word[:1].isupper() and not word.isupper():
            return word
        return SMS.get(word.lower(), word)

    return _SMS_WORD.sub(rewrite, text)


@lru_cache(maxsize=100_000)
def is_known_word(word: str) -> bool:
    """True when `word` is in simplemma's French or English lexicon."""
    return simplemma.is_known(word, lang="fr") or simplemma.is_known(word, lang="en")
