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

# No sentence of any article is this long (the longest in the seeds and test articles is 300
# characters). A paragraph without a sentence end (a list of numbers, a run of words) is cut
# into pieces of at most this length at a space: as one "sentence" of megabytes, every step
# that works on whole sentences (facts, index terms, quoting an answer) held all of it at once.
MAX_SENTENCE_CHARS = 4000

_END = re.compile(r"[.!?…]+[»\"”’)\]]*")
_SPACES = re.compile(r"\s*")
_OPENERS = re.compile(r"[A-ZÀ-ÖØ-Þ0-9«\"“(\[—–-]")


def _ends_sentence(text: str, end: int, dot_start: int) -> bool:
    """Whether the punctuation run text[dot_start:end] can close a sentence, guillemets aside
    (the caller knows whether a quotation is open: see `split_sentences`)."""
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
    return True


def split_sentences(text: str) -> list[str]:
    """Split one paragraph of French text into sentences, keeping every character."""
    text = squeeze_spaces(text)
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    # Guillemets are counted as the scan moves on, each stretch once: counting them from the
    # paragraph's start at every full stop made a long paragraph quadratic.
    opened = closed = counted = 0
    for match in _END.finditer(text):
        if not _ends_sentence(text, match.end(), match.start()):
            continue
        opened += text.count("«", counted, match.start())
        closed += text.count("»", counted, match.start())
        counted = match.start()
        # An opening « without its closing » means we are inside a quotation.
        if opened <= closed:
            sentence = text[start : match.end()].strip()
            if sentence:
                sentences.append(sentence)
            start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    if any(len(sentence) > MAX_SENTENCE_CHARS for sentence in sentences):
        sentences = [piece for sentence in sentences for piece in _pieces(sentence)]
    return sentences


def _pieces(sentence: str) -> list[str]:
    """`sentence` cut at spaces into pieces of at most MAX_SENTENCE_CHARS (a longer word is cut)."""
    pieces: list[str] = []
    start = 0
    while len(sentence) - start > MAX_SENTENCE_CHARS:
        cut = sentence.rfind(" ", start + 1, start + MAX_SENTENCE_CHARS + 1)
        if cut == -1:
            cut = start + MAX_SENTENCE_CHARS
        pieces.append(sentence[start:cut].strip())
        start = cut
    pieces.append(sentence[start:].strip())
    return [piece for piece in pieces if piece]
