"""Facts in a sentence: numbers with their unit, percentages, money, dates,
people, organisations and places.

Rules over the surface text, fast enough to run on every sentence at ingest.
Numbers may be digits ("1 000", "10,5") or French number words ("deux
heures"). Names are runs of capitalised words; whether a name is a person,
an organisation or a place is decided from its shape and the words around it
("basée à San Francisco" is a place, "le PDG, Jesse Powell" a person).
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.articles import MONTHS, parse_date
from bot.text import STOPWORDS, WORD_RE, fold, is_known_word


@dataclass(frozen=True, slots=True)  # slots: a long article holds many
class Fact:
    kind: str
    text: str  # the span as written in the sentence
    value: str  # normalised: digits, ISO date or the name
    unit: str | None = None
    start: int = 0


# Far more than any real sentence holds (the seeds and test articles: 6 at most); a "sentence" of
# thousands of numbers ("0 1 2 3 …") would otherwise store one fact for each.
MAX_FACTS_PER_SENTENCE = 100


NUMBER_WORDS = {
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
    "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16,
    "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100,
    "mille": 1000, "dizaine": 10, "douzaine": 12, "vingtaine": 20, "trentaine": 30,
    "centaine": 100, "centaines": 100, "milliers": 1000, "millions": 1_000_000,
    "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10, "hundred": 100, "thousand": 1000,
    "hundreds": 100, "thousands": 1000,
}
TIME_UNITS = {"seconde", "secondes", "minute", "minutes", "heure", "heures", "jour", "jours",
              "semaine", "semaines", "mois", "an", "ans", "année", "années", "h", "hours", "days"}
_CURRENCY = r"(?:€|\$|£|euros?|dollars?|usd|eur|livres?|francs?|bitcoins?|btc)"
_SCALE = r"(?:\s+(?:mille|millions?|milliards?|billions?|k|m|md|mds))?"
# A number is read once from its start: the group (atomic) is never re-entered to try a shorter
# reading (what follows a dropped "[space]ddd" group is a space then a digit, never a unit, % or
# currency), and at most six groups of thousands (10^21) are read. Unbounded, every group of a
# run like "100 100 100 …" restarted a read to the end of the run: quadratic in its length.
_NUM = r"(?>\d{1,3}(?:[ \u00a0\u202f]\d{3}){1,6}(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
# Looked for just before a number rather than inside the pattern: far cheaper to match.
_MODIFIER_BEFORE = re.compile(r"(?:plus|moins|près|pres|environ|quelque|au moins|jusqu[’']à)\s+(?:de\s+|d[’'])?$",
                              re.IGNORECASE)
_WORD_NUM = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
# MONTHS holds folded spellings (dates are parsed from folded text); sentences are matched as written.
_MONTH = "|".join(sorted({*MONTHS, "février", "févr", "fév", "août", "décembre", "déc"}, key=len, reverse=True))

# Patterns open with a lookahead for their first character where they can: Python's re then
# skips ahead to candidate positions instead of trying the lookbehind at every character.
_PERCENT = re.compile(rf"(?=\d)(?<![\w.,])({_NUM})\s?(?:%|pour\s?cent|pourcent|percent)", re.IGNORECASE)
_MONEY = re.compile(
    rf"(?=[\d$€£])(?<![\w.,])(?:({_NUM}){_SCALE}\s?(?:de\s+|d[’'])?{_CURRENCY}\b|[$€£]\s?({_NUM}){_SCALE})",
    re.IGNORECASE,
)
_UNIT_AFTER = r"(?:\s+(?:de\s+|d[’']))?(?:\s*([A-Za-zÀ-ÿ][\w-]*))?"
_DIGIT_QUANTITY = re.compile(rf"(?=\d)(?<![\w.,])({_NUM}){_UNIT_AFTER}", re.IGNORECASE)
# A pattern that starts with a list of words is tried at every position of the sentence: run it
# only on sentences that hold one of those words.
_WORD_QUANTITY = re.compile(rf"\b({_WORD_NUM})\b{_UNIT_AFTER}", re.IGNORECASE)
_NUMBER_WORD_SET = frozenset(NUMBER_WORDS)
# Likewise dates start with a digit where they can; a month-first date ends with its year, so it
# is looked for just before each four-digit number, and "en 2021" is found from the year.
_DATE_DIGIT_FIRST = re.compile(
    rf"\b(?:\d{{1,2}}(?:er)?\s+(?:{_MONTH})\.?(?:\s+\d{{4}})?|\d{{4}}-\d{{2}}-\d{{2}})\b", re.IGNORECASE)
_DATE_MONTH_FIRST = re.compile(rf"\b(?:{_MONTH})\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?\d{{4}}\b", re.IGNORECASE)
_FOUR_DIGITS = re.compile(r"\b\d{4}\b")
_YEAR = re.compile(r"(?:1[89]|20)\d{2}")
_YEAR_PREFIX = re.compile(r"\b(?:en|in|depuis|since|fin|début|debut)\s+$", re.IGNORECASE)


def _date_spans(sentence: str) -> list[tuple[int, int]]:
    spans = {m.span() for m in _DATE_DIGIT_FIRST.finditer(sentence)}
    for year in _FOUR_DIGITS.finditer(sentence):
        # "September 30th, 2023": at most 20 characters before the year.
        month_first = _DATE_MONTH_FIRST.search(sentence, max(0, year.start() - 20), year.end())
        if month_first:
            spans.add(month_first.span())
        prefix = _YEAR_PREFIX.search(sentence, max(0, year.start() - 10), year.start())
        if prefix and _YEAR.fullmatch(year.group()):
            spans.add((prefix.start(), year.end()))
    return sorted(spans)
_NAME_TOKEN = r"[A-ZÀ-Þ][\w’'.-]*"
_NAME = re.compile(rf"{_NAME_TOKEN}(?:\s+(?:(?:de|du|des|d[’']|la|van|von|del)\s*)?{_NAME_TOKEN})*")

_PLACE_CUES = re.compile(
    r"(?:basée?s?|située?s?|installée?s?|implantée?s?|siège|ville|pays|région|née?s?|vit|habite|"
    r"based|located|headquartered)\s+(?:à|a|en|au|aux|in|at|de)\s*$|\b(?:en|au|aux|in)\s*$",
    re.IGNORECASE,
)
# Nouns of a person's role: a name just after one is a person ("le PDG, Jesse Powell"), and a
# question about one ("quel patron…") asks who (bot/questions.py).
ROLE_NOUNS = ("pdg", "ceo", "directeur", "directrice", "président", "présidente", "fondateur", "fondatrice",
              "cofondateur", "ministre", "porte-parole", "patron", "patronne", "dirigeant", "dirigeante",
              "founder", "chief", "president")
_PERSON_CUES = re.compile(
    rf"(?:{'|'.join(ROLE_NOUNS)}|m\.|mme|monsieur|madame|selon|mr\.?|mrs\.?|ms\.?)\b[\w\s,’'-]{{0,20}}$",
    re.IGNORECASE,
)
# Cheap necessary conditions for the two searches above, which most names fail: every place
# cue ends with one of these words, and every person cue contains one of these strings.
_PLACE_PREPOSITIONS = frozenset("à a en au aux in at de".split())
_PERSON_CUE_PARTS = (*ROLE_NOUNS, "m.", "mme", "monsieur", "madame", "mr", "ms", "selon")
_ORG_WORDS = {"inc", "sa", "sas", "ltd", "group", "groupe", "banque", "bank", "société", "corp",
              "université", "university", "agence", "ministère", "association", "fondation",
              "commission", "conseil", "exchange"}


_THOUSANDS_SPACE = re.compile(r"[ \u00a0\u202f]")
_FOUR_DIGIT_RUN = re.compile(r"\d{4}")


def _number_value(digits: str | None, word: str | None) -> str:
    if digits:
        return _THOUSANDS_SPACE.sub("", digits).replace(",", ".")
    return str(NUMBER_WORDS[word.lower()])


class _Taken:
    """The characters of a sentence already claimed by a fact. One mark per character rather
    than a list of spans: testing a span against every fact found so far made a sentence of
    many numbers quadratic, and a span's characters are looked at only when it is tested."""

    def __init__(self, length: int) -> None:
        self._marks = bytearray(length)
        self.empty = True

    def overlaps(self, start: int, end: int) -> bool:
        return not self.empty and self._marks.find(1, start, end) != -1

    def add(self, start: int, end: int) -> None:
        if end > start:
            self._marks[start:end] = b"\x01" * (end - start)
            self.empty = False


def _numbers(sentence: str, taken: _Taken, number_words: bool) -> list[Fact]:
    # Each kind stops at MAX_FACTS_PER_SENTENCE of its own: the facts after those come after as
    # many facts, so `extract_facts` would drop them (a list of thousands of numbers was read whole).
    facts: list[Fact] = []
    for match in itertools.islice(_PERCENT.finditer(sentence), MAX_FACTS_PER_SENTENCE):
        facts.append(Fact("percentage", match.group(), _number_value(match.group(1), None) + "%",
                          "%", match.start()))
        taken.add(*match.span())
    found = 0
    for match in _MONEY.finditer(sentence):
        if found == MAX_FACTS_PER_SENTENCE:
            break
        if not taken.overlaps(*match.span()):
            facts.append(Fact("money", match.group(), _number_value(match.group(1) or match.group(2), None),
                              None, match.start()))
            taken.add(*match.span())
            found += 1
    found = 0
    for start, end in _date_spans(sentence):
        if found == MAX_FACTS_PER_SENTENCE:
            break
        if not taken.overlaps(start, end):
            text = sentence[start:end]
            year = _FOUR_DIGIT_RUN.search(text)
            facts.append(Fact("date", text, parse_date(text) or (year.group() if year else fold(text)), None, start))
            taken.add(start, end)
            found += 1
    quantities: Iterable[tuple[re.Match, str | None, str | None]] = (
        (m, m.group(1), None) for m in _DIGIT_QUANTITY.finditer(sentence))
    if number_words:  # both in order of position, as one sorted list gave them
        quantities = heapq.merge(quantities, ((m, None, m.group(1)) for m in _WORD_QUANTITY.finditer(sentence)),
                                 key=lambda q: q[0].start())
    found = 0
    for match, digits, word in quantities:
        if found == MAX_FACTS_PER_SENTENCE:
            break
        unit = match.group(2)
        if taken.overlaps(*match.span()):
            continue
        if unit and (fold(unit) in STOPWORDS or unit[:1].isupper()):
            unit = None
        if word and unit is None:
            continue  # a bare number word ("neuf") is too often not a number
        end = match.end() if unit else match.end(1)
        modifier = _MODIFIER_BEFORE.search(sentence, max(0, match.start() - 20), match.start())
        start = modifier.start() if modifier else match.start()
        text = sentence[start:end].strip()
        if digits and unit is None and _YEAR.fullmatch(digits):
            facts.append(Fact("date", text, digits, None, start))
        else:
            facts.append(Fact("number", text, _number_value(digits, word), unit, start))
        taken.add(start, end)
        found += 1
    return facts


def _last_word(text: str) -> str:
    """The lower-cased word that `text` ends with, trailing spaces aside ('' after punctuation)."""
    end = len(text.rstrip())
    start = end
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    return text[start:end].lower()


def _entity_kind(name: str, before: str) -> str:
    tokens = name.split()
    last_word = _last_word(before)
    if last_word in _PLACE_PREPOSITIONS and _PLACE_CUES.search(before):
        return "place"
    if any(fold(t).strip(".") in _ORG_WORDS for t in tokens):
        return "organisation"
    if len(tokens) >= 2:
        lowered = before.lower()
        if any(part in lowered for part in _PERSON_CUE_PARTS) and _PERSON_CUES.search(before):
            return "person"
    if 2 <= len(tokens) <= 4 and all(t[:1].isupper() for t in tokens):
        # "à San Francisco" after a bare preposition is a place; otherwise a full name.
        return "place" if last_word in ("à", "a", "de") else "person"
    return "organisation"


_OPENING = " «\"“-—("  # what may stand before a sentence's first word
_ARTICLES = frozenset({"le", "la", "les", "l"})
_DEMONYM_ENDINGS = ("ais", "aise", "ain", "aine", "ien", "ienne", "ois", "oise", "and", "ande", "ol", "ole")
_ARTICLE_BEFORE = re.compile(r"(?:\b[Ll][ea]s?\s|\b[Ll]['’])$")


def _entities(sentence: str, taken: _Taken) -> list[Fact]:
    facts: list[Fact] = []
    # Where the first word begins, found once: a slice of the sentence up to each name made a
    # sentence of many names quadratic.
    first_word = len(sentence) - len(sentence.lstrip(_OPENING))
    for match in _NAME.finditer(sentence):
        if len(facts) == MAX_FACTS_PER_SENTENCE:
            break  # those after come after as many facts (see `_numbers`)
        written = match.group().rstrip(".’'-")
        tokens = (written[2:] if written[1:2] in ("’", "'") and written[0] in "DLdl" else written).split()  # "L’Europe"
        skip = 0  # "Selon Jesse Powell" -> "Jesse Powell"; counted, not sliced: a run may be long
        while skip < len(tokens) and fold(tokens[skip]) in STOPWORDS:
            skip += 1
        after_article = (skip and fold(tokens[skip - 1]) in _ARTICLES) or _ARTICLE_BEFORE.search(
            sentence, max(0, match.start() - 4), match.start()) is not None
        if skip:
            tokens = tokens[skip:]
        # "le Français Thomas Berthier", "la présidente Anne Roux": after an article, a people's name
        # (by its ending) or a role before a first and last name is not part of the name; "l'Hôpital
        # Georges Pompidou" keeps its first word.
        if (after_article and len(tokens) == 3 and all(t[:1].isupper() for t in tokens[1:])
                and (fold(tokens[0]).endswith(_DEMONYM_ENDINGS) or tokens[0].lower() in ROLE_NOUNS)):
            tokens = tokens[1:]
        if not tokens or not tokens[0][:1].isupper() or taken.overlaps(match.start(), match.end()):
            continue
        start = match.start() + written.index(tokens[0])
        name = " ".join(tokens)
        if len(tokens) == 1:
            if len(name) < 2 or (name.isupper() and is_known_word(name.lower())):
                continue
            at_sentence_start = start <= first_word
            if at_sentence_start and is_known_word(name.lower()):
                continue  # an ordinary word capitalised because it opens the sentence
        folded = fold(name)
        if folded in STOPWORDS or folded in MONTHS:
            continue
        # Cues stand just before the name; a short window keeps the anchored searches cheap.
        text = sentence[start:match.start() + len(written)]  # verbatim span
        facts.append(Fact(_entity_kind(name, sentence[max(0, start - 40):start]), text, name, None, start))
    return facts


_DIGIT = re.compile(r"\d")


def extract_facts(sentence: str) -> list[Fact]:
    """The facts found in one sentence, in order of appearance (the first MAX_FACTS_PER_SENTENCE)."""
    taken = _Taken(len(sentence))
    # Cheap tests that spare most sentences the number patterns.
    number_words = not _NUMBER_WORD_SET.isdisjoint(WORD_RE.findall(sentence.lower()))
    has_numbers = number_words or _DIGIT.search(sentence) is not None
    facts = _numbers(sentence, taken, number_words) if has_numbers else []
    facts += _entities(sentence, taken)
    return sorted(facts, key=lambda f: f.start)[:MAX_FACTS_PER_SENTENCE]


def is_time_unit(unit: str | None) -> bool:
    return unit is not None and unit.lower() in TIME_UNITS
