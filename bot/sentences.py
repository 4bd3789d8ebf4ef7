"""French sentence splitting.

A sentence ends at . ! ? or … followed by white space and something that can
start a sentence (a capital, a digit, an opening quote or dash). It does not
end after a known abbreviation, an initial ("J. Powell"), inside a number
("1 000", "10.5", "10%"), or inside « guillemets » unless the quote itself
ends the sentence.
"""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset(
    """
    m mm mme mmes mlle mlles dr pr me mgr st ste vs cf etc ex env av apr hab
    p pp vol chap fig art al éd ed ibid op cit nb no n° tél tel inc ltd co corp jr sr
    janv févr fév avr juil sept oct nov déc
    mr mrs ms prof gen gén col lt sgt capt
    """.split()
)

_END = re.compile(r"[.!?…]+[»\"”’)\]]*")
_OPENERS = re.compile(r"[A-ZÀ-ÖØ-Þ0-9«\"“(\[—–-]")


def _ends_sentence(text: str, end: int, dot_start: int) -> bool:
    """Whether the punctuation run text[dot_start:end] closes a sentence."""
    rest = text[end:]
    stripped = rest.lstrip()
    if not stripped:
        return True
    if len(stripped) == len(rest):  # no space after: "10.5", "Kraken.com"
        return False
    if not _OPENERS.match(stripped):
        return False
    if text[dot_start] == ".":
        before = re.search(r"([\wÀ-ÿ°]+)$", text[:dot_start])
        if before:
            word = before.group(1)
            if word.lower() in ABBREVIATIONS:
                return False
            if len(word) == 1 and word.isupper():  # initial: "J. Powell"
                return False
    # An opening « without its closing » means we are inside a quotation.
    opened = text[:dot_start].count("«") - text[:dot_start].count("»")
    return opened <= 0


def split_sentences(text: str) -> list[str]:
    """Split one paragraph of French text into sentences, keeping every character."""
    text = re.sub(r"[ \t\r\n]+", " ", text).strip()  # keeps no-break spaces: "1\u00a0000"
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
