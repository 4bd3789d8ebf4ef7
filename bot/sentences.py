"""French sentence splitting.

A sentence ends at . ! ? or … followed by white space and something that can
start a sentence (a capital, a digit, an opening quote or dash). It does not
end after a known abbreviation, an initial ("J. Powell"), inside a number
("1 000", "10.5", "10%"), or inside « guillemets » unless the quote itself
ends the sentence.
"""

from __future__ import annotations

import re

from bot.text import squeeze_spaces

ABBREVIATIONS = frozenset(
    """
    m mm mme mmes mlle mlles dr pr me mgr st ste vs cf etc ex env av apr hab
    p pp vol chap fig art al éd ed ibid op cit nb no n° tél tel inc ltd co corp jr sr
    janv févr fév avr juil sept oct nov déc
    mr mrs ms prof gen gén col lt sgt capt
    """.split()
)

_END = re.compile(r"[.!?…]+[»\"”’)\]]*")
_SPACES = re.compile(r"\s*")
_OPENERS = re.compile(r"[A-ZÀ-ÖØ-Þ0-9«\"“(\[—–-]")


def _ends_sentence(text: str, end: int, dot_start: int) -> bool:
    """Whether the punctuation run text[dot_start:end] closes a sentence."""
    # Positions rather than slices: a paragraph has many full stops, and copying or
    # searching the text before each one made splitting quadratic in its length.
    after = _SPACES.match(text, end).end()
    if after == len(text):
        return True
    if after == end:  # no space after: "10.5", "Kraken.com"
        return False
    if not _OPENERS.match(text, after):
        return False
    if text[dot_start] == ".":
        word_start = dot_start
        while word_start > 0 and (text[word_start - 1].isalnum() or text[word_start - 1] in "_°"):
            word_start -= 1
        word = text[word_start:dot_start]
        if word.lower() in ABBREVIATIONS:
            return False
        if len(word) == 1 and word.isupper():  # initial: "J. Powell"
            return False
    # An opening « without its closing » means we are inside a quotation.
    return text.count("«", 0, dot_start) <= text.count("»", 0, dot_start)


def split_sentences(text: str) -> list[str]:
    """Split one paragraph of French text into sentences, keeping every character."""
    text = squeeze_spaces(text)
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in _END.finditer(text):
        if _ends_sentence(text, match.end(), match.start()):
            sentence = text[start : match.end()].strip()
            if sentence:
                sentences.append(sentence)
            start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences
