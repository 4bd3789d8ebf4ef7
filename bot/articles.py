"""Turning article files (plain text, Markdown, simple HTML) into clean articles.

Real article text arrives with scraping debris: a repeated title, a byline,
a date in another language, image captions, site chrome (share buttons,
"Lire aussi" links, cookie and paywall notices, credits) around the body.
Each format is first cut into blocks (with hints where the format has them),
then one classifier decides what every block is: metadata, heading, caption,
chrome or body. Only the body becomes quotable sentences.

Chrome is recognised by its shape, not by the words of one site: a short
label followed by a headline, a short line built on an imperative or a bare
verb ("Abonnez-vous", "Partager"), a line that talks to the reader about the
site itself (cookies, newsletter, paywall, reading time), a credit, leftover
markup. Every such rule also requires what real article sentences lack (no
sentence-final punctuation, few words, a word about the site itself), so a
sentence that merely mentions cookies or quotes an imperative stays.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import itertools
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import simplemma

from bot.sentences import split_sentences
from bot.text import fold, squeeze_spaces

MAX_FILE_BYTES = 5_000_000
SUPPORTED_SUFFIXES = {".txt": "text", ".md": "markdown", ".markdown": "markdown",
                      ".html": "html", ".htm": "html"}


class ArticleError(Exception):
    """A file that cannot become an article; `reason` is one line for a person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)  # slots: a file may hold a million of them
class Paragraph:
    text: str
    heading: str | None = None


@dataclass
class Article:
    title: str
    author: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD) of publication
    paragraphs: list[Paragraph] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    updated: str | None = None  # ISO date of the last update the file states
    site: str | None = None  # the publication's name, when the file says it
    byline: list[str] = field(default_factory=list)  # the byline lines as printed (author, dates)

    @property
    def headings(self) -> list[str]:
        seen: list[str] = []
        for p in self.paragraphs:
            if p.heading and p.heading not in seen:
                seen.append(p.heading)
        return seen


@dataclass(slots=True)  # slots: a file may hold a million of them
class _Block:
    text: str
    # "title", "heading", "caption", "author", "date", "updated", "site", "link" (text that is
    # all link: a menu or related-article entry), "hidden" (text of the page's own chrome regions,
    # read only for the site's name)
    hint: str | None = None
    soft: bool = False  # inside an HTML region whose class names it chrome (see _HTMLBlocks)


# --- dates -------------------------------------------------------------------

MONTHS = {
    "janvier": 1, "janv": 1, "january": 1, "jan": 1,
    "fevrier": 2, "fevr": 2, "fev": 2, "february": 2, "feb": 2,
    "mars": 3, "march": 3, "mar": 3,
    "avril": 4, "avr": 4, "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juin": 6, "june": 6, "jun": 6,
    "juillet": 7, "juil": 7, "july": 7, "jul": 7,
    "aout": 8, "august": 8, "aug": 8,
    "septembre": 9, "sept": 9, "september": 9, "sep": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_PATTERNS = [
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), ("y", "m", "d")),
    (re.compile(r"\b(\d{1,2})(?:er)?\s+" + _MONTH + r"\s+(\d{4})\b"), ("d", "M", "y")),
    (re.compile(r"\b" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b"), ("M", "d", "y")),
    (re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b"), ("d", "m", "y")),
]


def parse_date(text: str) -> str | None:
    """The first full date in `text` as YYYY-MM-DD (French or English month names)."""
    folded = fold(text)
    for pattern, order in _DATE_PATTERNS:
        match = pattern.search(folded)
        if not match:
            continue
        parts = dict(zip(order, match.groups(), strict=True))
        month = MONTHS[parts["M"]] if "M" in parts else int(parts["m"])
        day, year = int(parts["d"]), int(parts["y"])
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _fold_line(text: str) -> str:
    """Lower case, accents off, ’ as ': one character for each character of `text`, so that a
    match in the folded line is the same span in the original."""
    if text.isascii():
        return text.lower()
    # Not `fold`, whose cache is for words: lines would crowd them out.
    folded = _COMBINING.sub("", unicodedata.normalize("NFD", text.lower()))
    if len(folded) != len(text):  # a ligature, a dotted capital I: character by character
        folded = "".join((fold(ch) or ch)[0] for ch in text)
    return folded.replace("’", "'")


# --- bylines -------------------------------------------------------------------
#
# A byline is a short line made only of metadata: who wrote the article, when it was
# published and updated, how long it takes to read. It is read in two steps: every date
# clause ("publié le 14 mars 2024 à 10h12", "Mis à jour 01 August 2022", "03/02/2024") and
# reading-time note ("2 min de lecture") is taken out, then what is left must be empty (a date
# line) or an author phrase ("Par A et B (avec AFP)", "Rédaction X"). Anything else left over
# means the line is prose that happens to contain a date, and it stays in the body.

@dataclass
class Byline:
    author: str | None = None
    date: str | None = None  # publication (ISO)
    updated: str | None = None  # last update (ISO)
    site: str | None = None  # from a "Rédaction X" byline


_MONTH_WORD = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"
# Dates with or without a year: "publié le 14 mars à 10h" is still a byline, even if it gives no
# full date. Matched on `_fold_line` text.
_ANY_DATE = re.compile(
    r"\b\d{4}-\d{1,2}-\d{1,2}(?:t[\d:.]+(?:z|[+-]\d{2}:?\d{2})?)?"
    r"|\b\d{1,2}(?:er)?\s+" + _MONTH_WORD + r"(?:\s+\d{4}\b)?"
    r"|\b" + _MONTH_WORD + r"\s+\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s+\d{4}\b)?"
    r"|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"
)
_WEEKDAY = (r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
            r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)")
_UPDATE_KEY = (r"(?:(?:derniere\s+)?mise?s?\s+a\s+jour|maj|modifiee?s?|actualisee?s?|"
               r"(?:last\s+)?updated|(?:last\s+)?modified|revised|edited)")
_PUBLISH_KEY = (r"(?:publiee?s?|postee?s?|parue?s?|diffusee?s?|creee?s?|published|posted|first\s+published|"
                r"date\s+de\s+publication|publication|date)")
# What may stand before a date in a byline clause: a keyword, "le"/"on", a weekday.
_CLAUSE_HEAD = re.compile(
    rf"(?:(?P<upd>\b{_UPDATE_KEY})|(?P<pub>\b{_PUBLISH_KEY}))?\s*(?:\b(?:le|on|du)\b\s*)?:?\s*"
    rf"(?:\b{_WEEKDAY}\s*,?\s*)?(?:\b(?:le|on)\b\s*)?$"
)
_CLOCK = r"\d{1,2}\s*(?:h|:)\s*\d{0,2}\s*(?:am|pm)?(?:\s*\(?(?:utc|gmt|cet|cest)(?:\s*[+-]\s*\d+)?\)?)?"
_TIME_AFTER = re.compile(rf"\s*(?:,|-|–|\ba\b|\bat\b)?\s*{_CLOCK}")
_UPDATE_AT = re.compile(rf"\b{_UPDATE_KEY}\s*(?:\b(?:a|at|le)\b)?\s*:?\s*{_CLOCK}")
_RELATIVE_TIME = re.compile(rf"\b(?:{_UPDATE_KEY}|{_PUBLISH_KEY})?\s*(?:il y a|depuis)\s+(?:\d+|une?)\s*"
                            rf"(?:min(?:ute)?s?|h|heures?|jours?|semaines?)\b"
                            rf"|\b(?:{_UPDATE_KEY}|{_PUBLISH_KEY})?\s*(?:\d+|an?)\s*(?:min(?:ute)?s?|hours?|days?|weeks?)\s+ago\b")
_READING_TIME = re.compile(
    r"(?:temps\s+de\s+)?lecture\s*:?\s*(?:\d+|une?)\s*min\w*\.?"
    r"|(?:\d+|une?)?\s*min(?:ute)?s?\.?\s+(?:de\s+lecture|read|reading)"
    r"|reading\s+time\s*:?\s*\d+\s*min\w*|temps\s+de\s+lecture"
    # a bare "4 min" standing between the byline's separators ("Sophie Lambert · 22 janvier 2024 · 4 min")
    r"|(?:^|(?<=[|·•—–]))\s*\d{1,2}\s*min\.?\s*(?=$|[|·•—–])"
)
_EDGE = " \t|,;:-–—•·*_"

_UP = "A-ZÀ-ÖØ-Þ"
_NAME_WORD = rf"(?:[dDlL]['’])?[{_UP}][\w'’.-]*"
_PARTICLE = r"(?:de|du|des|d['’]|le|la|van|von|der|den|da|di|dos|del|della|ben|bin|ibn|al|el)"
_NAME = rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}){{0,4}}"
# Up to four names joined by "," / "et" / "and" / "&"; each name is capitalised words
# (particles allowed inside), which is what tells "Par Claire Martin" from "Par ailleurs, ...".
_NAMES = re.compile(rf"{_NAME}(?:\s*(?:,|&|\bet\b|\band\b)\s*{_NAME}){{0,3}}")
_BY = re.compile(r"(?i:par|by|de|written\s+by|[ée]crit\s+par|auteurs?|authors?|texte|text|"
                 r"propos\s+recueillis\s+par|sign[ée])\s*:?\s+")
# The agency that co-wrote the article is kept in the author string, as "Name (avec AFP)": the
# byline says so, and the names still come first for anyone matching on them.
_AGENCY = re.compile(rf"\s*[(\[]?\s*(?P<word>(?i:avec|with))\s+(?P<name>(?:[lL]['’])?[{_UP}][\w.&'’-]*"
                     rf"(?:\s+[{_UP}][\w.&'’-]*){{0,2}}|(?i:agences?))\s*[)\]]?"
                     rf"|\s*\((?P<bare>[{_UP}][\w.&'’ -]{{1,30}})\)")
_DOMAIN = r"[\w.-]+\.(?:fr|com|net|org|be|ch|ca|info|io|eu|co\.uk)"
# "Rédaction Ouest", "La rédaction de Ouest-France", "Par la rédaction": a newsroom signs, and
# its name is the site's.
_NEWSROOM = re.compile(rf"(?i:(?:la\s+)?r[ée]daction|the\s+editors|editorial\s+staff|newsroom)"
                       rf"(?:\s+(?i:de|du|des|d['’]|of))?\s*(?P<site>{_DOMAIN}|{_NAME})?")


def _author_phrase(text: str, signed_alone: bool = False) -> tuple[str, str | None, bool] | None:
    """(author, site, nothing else on the line) of what is left of a byline once its dates are
    out, None if it is not one (`signed_alone`: the line had a date and a reading time, so a bare
    full name may sign it)."""
    by = _BY.match(text)
    rest = text[by.end():] if by else text
    newsroom = _NEWSROOM.fullmatch(rest.rstrip(_EDGE + "."))
    if newsroom:
        return newsroom.group(0), newsroom.group("site"), True
    if not by:
        # Without "Par", a full name standing alone between the separators of a line that also gives a
        # date and a reading time signs it ("Sophie Lambert · 22 janvier 2024 · 4 min"); with a date
        # alone the line is as likely a dateline ("New York · 22 mai 2024"). Never unmistakable: the
        # line counts only in the block before the body.
        alone = _NAMES.fullmatch(rest.strip(_EDGE)) if signed_alone else None
        if alone and " " in alone.group(0) and not re.match(r"(?i:les?|la|l['’])\b", alone.group(0)):
            return alone.group(0), None, False
        return None
    names = _NAMES.match(rest)
    if not names:
        return None
    author = names.group(0).rstrip(" ,")
    tail = rest[names.end():]
    agency = _AGENCY.match(tail)
    if agency:
        author += (f" ({agency.group('word')} {agency.group('name')})" if agency.group("name")
                   else f" ({agency.group('bare')})")
        tail = tail[agency.end():]
    # After the names, a role or a place may follow a separator ("Par X, envoyé spécial à Kiev");
    # words that follow without one ("De Gaulle a démissionné"), many words or a full stop
    # ("Par SMS, la banque a prévenu ses clients.") make it a sentence.
    junk = tail.strip(_EDGE).rstrip(".")
    if junk and (not re.match(r"\s*[|,;:\-–—•·(]", tail) or len(junk.split()) > 5
                 or re.search(r"[.!?…]$", junk)):
        return None
    # One capitalised word signs alone ("Par AFP", "By Reuters"); followed by more words it is
    # more likely a sentence's opening ("Par Internet, les fraudeurs ciblent les seniors").
    if junk and " " not in names.group(0).strip():
        return None
    return author, None, not junk


def _read_byline(text: str) -> tuple[Byline, bool] | None:
    """The byline of a metadata line, and whether it is unmistakable (a keyword names its date:
    "Publié le", "Mis à jour"; or it is only "Par NAMES"), or None when the line is not only
    metadata."""
    line = squeeze_spaces(text).strip("*_ ")
    if not line or len(line) > 200:
        return None
    # Every byline has a digit (a date, a time, a reading time) or begins with who signs it:
    # most lines are turned away here, before the date patterns run.
    if not any(ch.isdigit() for ch in line) and not re.match(r"(?i:par|by|de|written|[ée]crit|auteur|author|texte|"
                                                             r"text|propos|sign|la\s+r[ée]daction|r[ée]daction|"
                                                             r"the\s+editors|editorial|newsroom)\b", line):
        return None
    folded = _fold_line(line)
    byline = Byline()
    spans: list[tuple[int, int]] = []
    keyed = update_without_date = reading_time = False
    position = 0
    for match in _ANY_DATE.finditer(folded):
        if match.start() < position:
            continue
        head = _CLAUSE_HEAD.search(folded, position, match.start())
        start = head.start() if head else match.start()
        end = match.end()
        time = _TIME_AFTER.match(folded, end)
        if time:
            end = time.end()
        iso = parse_date(line[match.start():match.end()])
        if head and head.group("upd"):
            keyed = True
            byline.updated = max(byline.updated or "", iso or "") or None
        else:
            keyed = keyed or bool(head and head.group("pub"))
            byline.date = byline.date or iso
        spans.append((start, end))
        position = end
    for pattern in (_UPDATE_AT, _RELATIVE_TIME, _READING_TIME):
        for match in pattern.finditer(folded):
            if not any(s < match.end() and match.start() < e for s, e in spans):
                spans.append(match.span())
                if pattern is _READING_TIME:
                    reading_time = True
                else:
                    keyed = True
                    update_without_date = update_without_date or pattern is _UPDATE_AT
    spans.sort()
    pieces, last = [], 0
    for start, end in spans:
        pieces.append(line[last:start])
        last = end
    pieces.append(line[last:])
    # "(modifié le 16 mars 2024)" leaves empty brackets behind.
    rest = re.sub(r"[(\[][\s|]*[)\]]", " ", " | ".join(pieces)).strip(_EDGE + ".")
    if rest:
        phrase = _author_phrase(rest, signed_alone=reading_time and (byline.date or byline.updated) is not None)
        if phrase is None:
            return None
        byline.author, byline.site, clean = phrase
        keyed = keyed or clean
    elif not spans:
        return None
    if update_without_date and byline.updated is None:
        byline.updated = byline.date  # "publié le 3 mai, mis à jour à 19h05": updated that day
    return byline, keyed


def parse_byline(text: str) -> Byline | None:
    """Author, publication and update dates of a byline line, None if the line is anything else.

    'Par Julie Roux, publié le 14 mars 2024 à 10h12, mis à jour le 15 mars 2024' ->
    Byline('Julie Roux', '2024-03-14', '2024-03-15'). A line with only an update date gives it
    as `updated` (the caller uses it as the date too when nothing else gives one)."""
    read = _read_byline(text)
    return read[0] if read else None


_COPYRIGHT_SITE = re.compile(
    rf"^(?:(?i:copyright)\s*)?(?:©|\([cC]\))\s*(?:(?i:copyright)\s*)?(?P<year>\d{{4}}(?:\s*[-–]\s*\d{{4}})?)?\s*"
    rf"(?P<name>{_DOMAIN}|{_NAME})\s*(?:[.,\-–—|]\s*)?(?P<rights>(?i:tous droits réservés|all rights reserved))?\.?$"
)
_SOURCE_SITE = re.compile(rf"^(?i:sources?)\s*:\s*(?P<name>{_DOMAIN}|{_NAME})\.?$")


def _copyright_site(text: str) -> str | None:
    """The owner of a '© 2024 Name' footer line. A year or 'tous droits réservés' is required:
    '© Maxppp' alone is a photo credit, not the site."""
    match = _COPYRIGHT_SITE.match(squeeze_spaces(text))
    if match and (match.group("year") or match.group("rights")):
        return match.group("name").rstrip(".")
    return None


# --- site chrome -----------------------------------------------------------------
#
# Rules on one line at a time (`chrome_reason`), each resting on a general cue; the few words
# they name are those of any web page's interface (share, newsletter, cookies, subscribers),
# never of an article. What needs the neighbouring lines (a headline under a "Lire aussi"
# label, short lines after the last sentence) is in `_classify`.

_SENTENCE_END = re.compile(r"[.!?…][\s»\"”’)\]]*$")
_WORD = re.compile(r"[^\W_][\w'’-]*")
_QUOTE_START = re.compile(r"^\s*[«“\"‘—–]")
# Reported speech: an imperative or a "nous" inside a quotation belongs to the person quoted.
_ATTRIBUTION = re.compile(
    r"-t-(?:il|elle|on)\b|\b\w+-(?:il|elle|ils|elles)\b|,\s*(?:a|ont|avait|avaient)\s+(?:\w+\s+)?\w+[ée]e?s?\b"
    r"|\bselon\b|\b(?:said|says|told|according to)\b",
    re.IGNORECASE,
)


def _ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))


def _words_upto(text: str, limit: int) -> list[str]:
    """The words of `text`, but no more than `limit` + 1 of them: enough to tell a short line, without
    a list of every word of a paragraph of megabytes."""
    return [m.group() for m in itertools.islice(_WORD.finditer(text), limit + 1)]


def _headline_shaped(text: str, max_words: int = 25) -> bool:
    """A title rather than a sentence: few words, no full stop, comma or colon at the end
    (headlines may end with ? ! or an ellipsis)."""
    text = text.strip()
    if text.endswith(("...", "…")):
        text = text.rstrip(".… ")
    return 0 < len(_words_upto(text, max_words)) <= max_words and not re.search(r"[.,;:][\s»\"”’)\]]*$", text)


# Markup: complete tags and templates are removed (the text around them is real); what is left
# that still looks like markup (a tag cut in half, an attribute, braces, an unknown entity)
# means the line is debris and is dropped whole.
_INLINE_TAGS = frozenset("a b i u em strong span small sup sub mark abbr cite q s font time".split())
_TAG = re.compile(r"<!--.*?-->|</?(?P<name>[A-Za-z][\w:-]*)(?:\s[^<>]*)?/?>", re.S)
_TAG_NOT_COMMENT = re.compile(r"</?(?P<name>[A-Za-z][\w:-]*)(?:\s[^<>]*)?/?>")
_TEMPLATES = (("{{", "}}"), ("{%", "%}"), ("{#", "#}"))
# Also a conditional comment's "[if IE]" (see `_is_markup_left`).
_MARKUP_LEFT = re.compile(
    # A tag's start, also when its name ran into an attribute ("<i" then 'src="a.jpg"', joined);
    # an attribute name is debris after any letter but an ASCII one ("&eacute;" then "src=…").
    r"</?[A-Za-z!][\w:-]*(?=[\s/>=\"']|$)|[{}]|(?<![A-Za-z])(?:class|style|id|href|src|alt|width|height|data-[\w-]+|onclick|"
    r"type|rel|target|name|content)\s*=\s*[\"']|&#?\w+;|<!\[CDATA\[|\[\[|\]\]"
    # The pieces of a tag or comment cut in two, an attribute without quotes: "-->", "/>", "width=300".
    # A word glued to ">" ends a tag cut in two too ("<img" lost, 'photo">' left).
    r"|<!--|-->|/>|=[\w\"'#-]*>|[\w\"']>|(?:class|style|id|href|src|alt|width|height|data-[\w-]+|align|border)=[\w#-]"
)
_URL_LINE = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)


def _tag_space(match: re.Match) -> str:
    # An inline tag sits inside a word ("<b>dé</b>missionné"), a block tag between words.
    return "" if (match.group("name") or "").lower() in _INLINE_TAGS else " "


def _strip_tags(text: str) -> str:
    """`_TAG.sub(_tag_space, text)` in linear time. An unclosed "<!--" sends the pattern to
    the end of the text looking for "-->", once per "<!--": after the last "-->" no comment
    can close, so that part is read with the tag pattern alone (no match crosses the cut:
    a tag holds no "<" or ">", and the cut is just after a ">")."""
    cut = text.rfind("-->")
    if cut == -1:
        return _TAG_NOT_COMMENT.sub(_tag_space, text)
    cut += 3
    return _TAG.sub(_tag_space, text[:cut]) + _TAG_NOT_COMMENT.sub(_tag_space, text[cut:])


def _sub_delimited(text: str, pairs: tuple[tuple[str, str], ...], replacement: str) -> str:
    """What `re.sub` of OPEN.*?CLOSE | … (re.S, literal delimiters) gives, in linear time.

    The pattern looks for a closing delimiter from every opening one, to the end of the text
    when there is none: "{{ {{ {{ …" was quadratic. Here each delimiter's next occurrence is
    remembered, and a kind whose closing delimiter is nowhere after an opening one is done
    (none can close after a later opening either)."""
    out: list[str] = []
    pos = 0
    next_open = [-2] * len(pairs)  # -2: not looked for yet, -1: none left
    next_close = [-2] * len(pairs)
    while True:
        start = kind = -1
        for k, (opening, _) in enumerate(pairs):
            if next_open[k] == -1:
                continue
            if next_open[k] < pos:
                next_open[k] = text.find(opening, pos)
                if next_open[k] == -1:
                    continue
            if start == -1 or next_open[k] < start:
                start, kind = next_open[k], k
        if kind == -1:
            break
        opening, closing = pairs[kind]
        body = start + len(opening)
        if next_close[kind] != -1 and next_close[kind] < body:
            next_close[kind] = text.find(closing, body)
        if next_close[kind] == -1:
            next_open[kind] = -1
            continue
        out += [text[pos:start], replacement]
        pos = next_close[kind] + len(closing)
    out.append(text[pos:])
    return "".join(out)


def _is_markup_left(text: str) -> bool:
    """Whether `text` still holds markup. A conditional comment's "[if …]" is found by hand:
    as a pattern, "[if a [if a …" with no "]" was read to the end from every "[if"."""
    if _MARKUP_LEFT.search(text):
        return True
    opening = text.find("[if ")
    return opening != -1 and text.find("]", opening + 4) != -1


def _clean_markup(text: str) -> str | None:
    """`text` without tags, templates and entities; None when markup debris would remain."""
    if not any(ch in text for ch in "<>&{}=[]"):
        return text
    text = _strip_tags(text)
    text = _sub_delimited(text, _TEMPLATES, " ")
    for _ in range(2):  # "&amp;nbsp;" is escaped twice
        if "&" in text:
            text = html.unescape(text)
    if _is_markup_left(text):
        return None
    return squeeze_spaces(text) or None


# Credits: a credit label with a colon/slash/©, "(Photo AFP)", or a short slash-joined list of
# capitalised names ("AFP / Jean Dupont", "Reuters/John Smith").
_CREDIT_LABEL = re.compile(
    r"^\(?\s*(?:credits?(?:\s+photos?)?|photos?(?:\s+d'illustration)?|videos?|images?|illustrations?|"
    r"infographies?|sources?|montage|dessin|caricature|photographie|photograph|pictures?|footage|"
    r"capture d'ecran|screenshot)\s*[:/©]"
    r"|^(?:image|photo|video) (?:source|caption|credit)s?\b|^capture d'ecran\b"
)
_CREDIT_WORDS = frozenset("photo photos credit credits image illustration d'illustration dr archives via pour "
                          "for by de d on sur".split())


def _is_credit(text: str, folded: str, words: list[str]) -> bool:
    if "©" in text or folded.startswith(("(c) ", "copyright")):
        return len(words) <= 25
    if _CREDIT_LABEL.match(folded):
        return len(words) <= 15
    if _ends_sentence(text.rstrip(")")) or len(words) > 8:
        return False
    if re.fullmatch(rf"\((?:[{_UP}][\w.&'’-]*\s*){{1,3}}\)", text):
        return True  # "(Reuters)": the agency that wrote or photographed
    inner = text.strip("() ")
    if re.match(r"(?i:photos?|crédits?|credits?|images?|illustrations?)\b", inner):
        rest = _WORD.findall(inner)[1:]
        return all(w[:1].isupper() or fold(w).replace("’", "'") in _CREDIT_WORDS for w in rest)
    return "/" in text and len(words) <= 6 and all(w[:1].isupper() for w in words)


# Related-article links. A strong label ("Lire aussi") standing alone also takes the headlines
# under it; a weak one (a rubric: "Vidéo", "Tags") only itself.
_LABEL_STRONG = (
    r"(?:a\s+)?(?:lire|voir|decouvrir|regarder|ecouter|relire|revoir)(?:\s+(?:aussi|egalement|encore|ici))?"
    r"|sur le meme (?:sujet|theme)|dans la meme rubrique|(?:pour\s+)?aller plus loin|en savoir plus"
    r"|plus d'infos?|read (?:more|also|next)|(?:also|further) read|see also|more on this(?: story)?"
    r"|related(?: articles?| stories| content| news| coverage)?|recommended(?: for you)?|most (?:read|popular)"
    r"|les plus (?:lus|partages|commentes)|(?:nos )?articles? (?:lies|similaires|recommandes)|a la une"
    r"|vous aimerez aussi|vous pourriez aimer|you may also like|what to read next|notre selection"
    r"|a ne pas manquer|ne manquez pas|don't miss|must read|a suivre|more stories|top stories|trending(?: now)?"
)
_LABEL_WEAK = (
    r"(?:en\s+|notre\s+|le\s+|la\s+)?(?:dossier|videos?|images|photos|diaporama|podcast|infographie|direct|live|"
    r"replay|temoignages?|enquete|exclusif|reportage|analyse|interview|entretien|tribune|chronique|edito|"
    r"decryptage|portrait|infos?|alerte|recit|carte|graphique|sondage|quiz|tags?|mots[- ]?cles|keywords|"
    r"topics|themes?|categories?|rubriques?|watch|listen|breaking(?: news)?|en continu|le fil|fil info|latest)"
)
_MARK = r"(?::|>>?|»|›|→|►|▶|➜|➔|⇒|\||\.{3}|…)"
_LABEL_ALONE = re.compile(rf"^(?:{_MARK}\s*)?(?:(?P<strong>{_LABEL_STRONG})|{_LABEL_WEAK})\s*{_MARK}?\s*$")
_LABEL_THEN = re.compile(rf"^(?:(?P<strong>{_LABEL_STRONG})|{_LABEL_WEAK})\s*(?P<mark>{_MARK}|\.|-|–|—)?\s+(?=\S)")
# "Accueil > Économie > Entreprises": a path through the site's sections.
_BREADCRUMB = re.compile(r"^[^>›»|/]{1,40}(?:\s(?:>|›|»|\||/)\s[^>›»|/]{1,40}){2,}$|^[^>]{1,40}(?:\s>\s[^>]{1,40})+$")
_ARROW_LEAD = re.compile(r"^\s*(?:>>|→|►|▶|➜|➔|⇒|»)\s*(?=\S)")
_SHORT_THEN_ARROW = re.compile(r"^(?P<label>\S+(?:\s+\S+){0,3}?)\s*(?:>>|→|►|▶|➜|➔|⇒|›|\||»)\s+(?=\S)")
_CAPS_THEN = re.compile(r"^(?P<label>[^\w\s]?[^a-zà-ÿ\s][^a-zà-ÿ]{0,40}?)\s*(?P<mark>[.:]|>>|»|›|→|►|▶|\|)\s+(?=\S)")


def _related_kind(text: str, folded: str) -> str | None:
    """'label' (a strong label alone), 'related' (label and headline, a rubric, an arrow link),
    'link' (a breadcrumb)."""
    alone = _LABEL_ALONE.match(folded)
    if alone:
        return "label" if alone.group("strong") else "related"
    then = _LABEL_THEN.match(folded)
    if then:
        rest = text[then.end():]
        # A strong label may run into its headline without a mark when the headline's capital
        # shows where it starts ("Voir aussi Le stade..."); a rubric always needs a mark, else
        # "Direct des élus" would be a label.
        marked = then.group("mark") or (then.group("strong") and rest[:1].isupper())
        if marked and _headline_shaped(rest):
            return "related"
    if _BREADCRUMB.match(text) and not _ends_sentence(text) and len(_WORD.findall(text)) <= 10:
        return "link"  # never a title, unlike a headline under a label
    arrow = _ARROW_LEAD.match(text)
    if arrow and "«" not in text and _headline_shaped(text[arrow.end():]):
        return "related"
    short = _SHORT_THEN_ARROW.match(text)
    if short and "«" not in text[:short.end()] and _headline_shaped(text[short.end():]):
        return "related"
    caps = _CAPS_THEN.match(text)
    if caps and _headline_shaped(text[caps.end():]):
        label = caps.group("label")
        letters = [ch for ch in label if ch.isalpha()]
        label_words = _WORD.findall(label)
        if len(letters) >= 2 and len(label_words) <= 4:
            # "VIDÉO. Les images..." is a kicker; "SNCF : trafic perturbé" is a heading: behind a
            # colon only dictionary words of four letters or more make a kicker, not acronyms.
            if caps.group("mark") != ":" or all(len(w) >= 4 and _known(w.lower()) for w in label_words):
                return "related"
    return None


# Lines that are only an interface element (a button, a rubric, a counter).
_INTERFACE_LINE = re.compile(
    r"^(?:publicite|pub|advertisement|advertising|annonce|sponsorise|sponsored|contenu sponsorise|sponsored content|"
    r"contenu partenaire|partner content|newsletters?|menu|accueil|home|sommaire|commentaires?|comments?|partages?|"
    r"recherche|rechercher|search|connexion|login|log in|sign in|sign up|s'abonner|se connecter|s'inscrire|"
    r"mon compte|my account|retour(?: en haut(?: de (?:la )?page)?| a l'accueil)?|haut de (?:la )?page|back to top|"
    r"fermer|close|suivant|precedent|next|previous|voir plus|afficher plus|load more|show more|see more|"
    r"sources?|credits?|signaler(?: un abus| une erreur| ce commentaire)?|report(?: an error)?|"
    r"ecouter(?: cet article| l'article)?|listen(?: to this article)?|abonnes|premium|offert|gratuit|"
    r"exclusif abonnes|(?:article )?reserve aux abonnes|subscribers? only|members? only|en direct|live|"
    r"ajouter a (?:mes|vos) favoris|add to favou?rites|bookmark|copier le lien|copy link|lien copie|link copied|"
    r"voir les commentaires|view comments|aucun commentaire|no comments|j'aime|like|tweet|tweeter|"
    r"deja (?:inscrite?|abonnee?|membre|client)s? \??|mot de passe oublie \??|forgot (?:your )?password \??|"
    r"identifiant|(?:article|contenu) (?:abonnes?|premium|gratuit|offert)|"
    r"(?:\d[\d\s]*|voir les \d+|afficher les \d+|lire les \d+)\s*(?:commentaires?|comments?|reactions?|partages?|"
    r"shares?|likes?|j'aime|vues|views)|"
    r"(?:(?:facebook|twitter|x|linkedin|whatsapp|instagram|tiktok|youtube|pinterest|telegram|messenger|e-?mail|"
    r"mail|bluesky|threads|snapchat|reddit|rss|flipboard)\s*[,|/•·]?\s*)+)\s*:?$"
)
# Who powers, sponsors or files the page: "Propulsé par WordPress", "Publié dans Économie".
_PAGE_ABOUT = re.compile(r"^(?:propulse par|powered by|fourni par|provided by|en partenariat avec|in partnership with|"
                         r"sponsorise par|sponsored by|presente par|presented by|publie dans|posted in|filed under|"
                         r"classe dans|categorie|category|newsletters?|acces (?:abonnes?|libre)|espace abonnes?)\b")
_BELOW = re.compile(r"\b(?:suite|article|story|continues?)\b.*\b(?:ci-dessous|ci-apres|below)\b")
_ADVERT = re.compile(r"\b(?:advertisement|advert|publicite|sponsorise|sponsored)\b")
# Comment forms: "Votre adresse e-mail ne sera pas publiée."
_FORM = re.compile(r"champs obligatoires|required fields|(?:e-?mail|adresse) ne sera pas publiee|"
                   r"will not be published|ne sera pas publie")
_READING = re.compile(r"temps de lecture|\d+\s*min(?:ute)?s?\.?\s*(?:de lecture|read)|minutes? de lecture|"
                      r"lecture\s*:?\s*\d+\s*min|reading time")
_RIGHTS = re.compile(r"tous droits reserves|all rights reserved|reproduction (?:totale ou partielle )?interdite")

# The reader, and the site speaking of itself: outside quotations a news sentence rarely
# addresses "vous" and never says "notre newsletter".
_READER = re.compile(r"\b(?:vous|votre|vos|you|your)\b")
_SELF = re.compile(r"\b(?:nous|notre|nos|we|our|us)\b|\b(?:ce|cet|cette|this|our) (?:site|article|page|video|"
                   r"podcast|newsletter|website|story|contenu|content)\b")
_ITSELF = re.compile(r"\b(?:ce|cet|cette|this) (?:site|article|page|video|podcast|website|story)\b")
_SITE_THINGS = re.compile(r"\b(?:ce|cet|cette|this) (?:site|article|page|video|podcast|website|story)\b|"
                          r"newsletter|infolettre|cookies?\b")
_OWN_THINGS = re.compile(r"^(?:notre|nos|our)\s+(?:\w+\s+)?(?:dossiers?|articles?|selection|newsletters?|offres?|"
                         r"podcasts?|videos?|journalistes|guides?|series?|contenus?|applications?|stories|coverage)\b")
_POSSESSIVE = re.compile(r"\b(?:notre|nos|our|us)\b")
_WEB = re.compile(r"cookies?\b|traceurs|navigateur|browser|navigation\b|javascript|adblock|bloqueur de pub|"
                  r"vie privee|privacy|confidentialite|"
                  r"newsletters?|infolettre|commentaires|comments\b|notifications|consentement|consent\b|"
                  r"donnees personnelles|personal data|publicites?\b|partenaires|abonnement|subscription")
_PAYWALL = re.compile(
    r"reservee?s? (?:aux|a nos) abonnes|(?:subscribers?|members?)[- ]only|for (?:subscribers|members)\b|"
    r"il vous reste \d|pour (?:lire|continuer a lire|acceder a) (?:la suite|cet article|l'article|ce contenu|"
    r"l'integralite)|to (?:continue reading|read the full|keep reading)|deja abonne|already (?:a subscriber|"
    r"subscribed|have an account)|free articles?|articles? gratuits? restants?|vous avez atteint|"
    r"you have reached|\b(?:article|contenu|content|story)s? (?:gratuite?s?|offerte?s?|en acces libre|premium|"
    r"reservee?s?)\b"
)
_ABOUT_ITSELF = re.compile(r"^(?:ce|cet|cette|this) (?:site|article|page|story|contenu|content|video)\b.*\b(?:"
                           r"abonn|subscri|lecture|read|years? old|ans\b|mis a jour|updated|traduit|translated|"
                           r"affiliat|sponsor|partenariat|commission|genere|generated|liens|links|utilise|uses|"
                           r"acces|libre|gratuit|offert|free)")
_SITE_USES = re.compile(r"^(?:ce|notre|this|our) (?:site|website|blog|service)(?: web)? (?:utilise|uses|use|emploie|"
                        r"collecte|collects|recueille)\b")


def _is_site_talk(folded: str, words: list[str]) -> bool:
    """A line about the site itself: cookies, newsletter, paywall, comments policy."""
    if len(words) > 40:
        return False
    if _PAYWALL.search(folded) and (_READER.search(folded) or _SELF.search(folded) or len(words) <= 6):
        return True
    if _READER.search(folded) and _ITSELF.search(folded):
        return True  # "Vous avez aimé cet article ?"
    if re.search(r"cookies?\b|traceurs", folded) and (
            _READER.search(folded) or _SELF.search(folded)
            or re.search(r"accept|refus|consent|parametr|preferences|navigation|experience|partenaires|personnalis",
                         folded)):
        return True
    if re.search(r"newsletter|infolettre|lettre d'information", folded) and (
            _READER.search(folded) or _SELF.search(folded)
            or re.search(r"inscri|abonnez|s'abonner|subscribe|sign up|recevez|recevoir", folded)):
        return True
    if _SITE_USES.match(folded) or _ABOUT_ITSELF.match(folded):
        return True
    if len(words) <= 6 and _OWN_THINGS.match(folded):
        return True  # "Notre dossier spécial", "Nos articles sur le sujet": the site's own rubrics
    return bool(_WEB.search(folded) and _READER.search(folded) and (
        _SELF.search(folded) or re.search(r"cookies?\b|navigateur|browser|javascript|adblock|bloqueur|"
                                          r"confidentialite|privacy", folded)))


@lru_cache(maxsize=20_000)
def _known(word: str) -> bool:
    return simplemma.is_known(word, lang="fr") or simplemma.is_known(word, lang="en")


_CLITICS = frozenset("vous nous le la les moi toi lui leur en y".split())


@lru_cache(maxsize=20_000)
def _imperative(word: str) -> str | None:
    """For a 2nd-person-plural imperative ("partagez", "abonnez-vous") its clitic ('' when bare),
    else None. simplemma tells the verb: the lemma of a conjugated -ez form is an infinitive."""
    head, _, clitic = word.partition("-")
    if (clitic and clitic not in _CLITICS) or len(head) < 4 or not head.endswith("ez"):
        return None
    lemma = simplemma.lemmatize(head, lang="fr")
    if lemma == head or not lemma.endswith(("er", "ir", "re", "oir")):
        return None
    return clitic


@lru_cache(maxsize=20_000)
def _infinitive(word: str) -> bool:
    """A French infinitive ("partager", "réagir", "lire"): a dictionary word ending like one that
    is its own lemma and the lemma of one of its conjugated forms ("bière" is no verb: no form
    of it lemmatises back to it)."""
    word = re.sub(r"^(?:s'|se\s)", "", word)
    if not word.endswith(("er", "ir", "re")) or len(word) < 4 or simplemma.lemmatize(word, lang="fr") != word:
        return False
    stems = {word[:-2], word[:-3], word[:-4]} if word.endswith("re") else {word[:-2], word[:-3]}
    forms = {stem + end for stem in stems for end in ("ez", "issez", "sez", "vez", "gnez", "é", "i", "u", "it")}
    return any(simplemma.lemmatize(form, lang="fr") == word for form in forms if form != word)


# Button labels in English have no morphology to go by: their verbs are listed.
_EN_ACTIONS = frozenset("share tweet email e-mail print comment reply save follow subscribe sign log register join "
                        "read watch listen download click tap get support donate like leave view see load show "
                        "continue enable accept manage contact send discover explore try upgrade unlock become "
                        "copy".split())
# What follows a button's verb: the article, the site, a network, a count ("Partager sur
# Facebook", "Lire la suite", "Voir les 12 commentaires"), never a topic.
_INTERFACE_WORDS = frozenset("""
    sur par via en a au aux le la les l un une des de du d cet cette ce ces mon ma mes votre vos notre nos son sa
    ses tout toute tous toutes plus aussi egalement ici suite lien liens e-mail email mail courriel sms facebook
    twitter x whatsapp linkedin messenger instagram tiktok youtube pinterest telegram bluesky threads snapchat
    reddit flipboard rss reseaux sociaux social commentaire commentaires reaction reactions newsletter newsletters
    page article articles contenu video videos photo photos podcast audio diaporama galerie favoris ami amis
    proches texte version pdf imprimable abonnement compte connexion application appli alertes alerte
    notifications fil direct dossier sujet haut fenetre nouvelle onglet gratuitement maintenant integralite
    cookies sans tard don membre parametres preferences choix dans for full app reading
    this the on to an our your my story link post more comments comment reply here now free in up us with
    """.split())


def _interface_word(word: str) -> bool:
    word = _fold_line(word)
    return word.isdigit() or word in _INTERFACE_WORDS or all(p in _INTERFACE_WORDS for p in re.split(r"['-]", word))


def _is_call_to_action(text: str, folded: str, words: list[str]) -> bool:
    """A short line telling the reader to do something on the site; also when the call closes a
    short question ("Vous souhaitez réagir ? Connectez-vous")."""
    if len(words) <= 15:
        clauses = re.split(r"(?<=[?!])\s+", text)
        if len(clauses) > 1:
            last = clauses[-1]
            if _call_to_action(last, _fold_line(last), _WORD.findall(last)):
                return True
    return _call_to_action(text, folded, words)


def _call_to_action(text: str, folded: str, words: list[str]) -> bool:
    if not words:
        return False
    n = len(words)
    first = words[0].lower().replace("’", "'")
    final = text.rstrip(" »\"”’)]")[-1:]
    clitic = _imperative(first)
    if first == "rendez-vous" and (n < 2 or words[1].lower() != "sur"):
        clitic = None  # also the noun ("Rendez-vous manqué pour le PSG")
    if clitic is not None and n <= 25:
        if clitic == "nous" or _SITE_THINGS.search(folded):
            return True  # "Suivez-nous", "Abonnez-vous à la newsletter": the site speaks of itself
        if _POSSESSIVE.search(folded) and (n <= 10 or final not in {".", "?", "…"}):
            return True  # "Téléchargez notre application." (a long sentence may say "nos habitudes")
        if re.match(rf"{re.escape(words[0])}\s*:", text) and not clitic:
            return False  # "Rodez : ..." is a place in a heading, not a verb
        if final in {"!"}:
            return n <= 3
        return final not in {".", "?", "…"} and n <= 15
    if _ends_sentence(text):
        return False
    if n <= 4 and re.match(r"(?:je\s+|j')(?:m'|me\s+)?[^\W\d]", folded) and not _ATTRIBUTION.search(text):
        return True  # "Je m'abonne", "J'accepte": the button speaks for the reader
    if n <= 6 and (_infinitive(first) or first in _EN_ACTIONS or _interface_word(first)):
        # "Partager sur Facebook", "Lire la suite", "Tout accepter", "Share this article": verbs
        # and words of the interface only, at least one verb.
        verbs = [w for w in words if _infinitive(w.lower()) or w.lower() in _EN_ACTIONS]
        if verbs and all(_interface_word(w) or w in verbs for w in words):
            return True
    if first in _EN_ACTIONS and n <= 15:
        return bool(_SITE_THINGS.search(folded) or _POSSESSIVE.search(folded)
                    or re.search(r"\b(?:here|now|today|subscri)", folded))
    return False


def chrome_reason(line: str) -> str | None:
    """Why one line of an article file is site chrome rather than the article's own text, or None.

    Reasons: 'markup', 'noise' (no letters), 'link' (a bare URL), 'credit', 'label' (a "Lire aussi"
    that also takes the headlines under it), 'related', 'interface', 'site' (about the site
    itself), 'action' (a call to action)."""
    text = squeeze_spaces(line)
    if not text:
        return "noise"
    cleaned = _clean_markup(text)
    if cleaned is None:
        return "markup"
    text = cleaned.lstrip("-*•·▪◦ ").strip() or cleaned
    if not any(ch.isalpha() for ch in text):
        return "noise"
    if _URL_LINE.match(text):
        return "link"
    words = _words_upto(text, 40)
    if len(words) > 40:
        return None  # chrome is short; a long line is prose
    folded = _fold_line(text)
    if _is_credit(text, folded, words):
        return "credit"
    related = _related_kind(text, folded)
    if related:
        return related
    if _INTERFACE_LINE.match(folded):
        return "interface"
    short_label = len(words) <= 6 and not _ends_sentence(text)
    if short_label and (_PAGE_ABOUT.match(folded) or _ADVERT.search(folded) or _BELOW.search(folded)):
        return "interface"
    if (_READING.search(folded) and len(words) <= 10) or _RIGHTS.search(folded) or _FORM.search(folded):
        return "site"
    if _QUOTE_START.match(text) or _ATTRIBUTION.search(text):
        return None
    if _is_call_to_action(text, folded, words):
        return "action"
    if _is_site_talk(folded, words):
        return "site"
    return None


# --- block classification ----------------------------------------------------

_CAPTION = re.compile(
    r"(?:\bsource\s*:|\bcrédits?\s*:|\bcredits?\s*:|\bphoto\s*:|©|\blogo\b|\bimage\s*:|\billustration\s*:)",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"[.!?…:;»\"”)]\s*$")
_META_HINTS = frozenset({"author", "date", "updated", "site"})


def _is_caption(text: str) -> bool:
    words = text.split(maxsplit=20)  # only how many, up to 21
    if _TERMINAL.search(text) or len(words) > 20:
        return False
    if _CAPTION.search(text):
        return True
    # A few lower-case words with no punctuation: image alt text ("kraken").
    return len(words) <= 3 and text[:1].islower()


def _is_heading(text: str) -> bool:
    words = text.split(maxsplit=15)  # only how many, up to 16
    return (0 < len(words) <= 15 and not _TERMINAL.search(text)
            and (text[:1].isupper() or text[:1].isdigit()))


def _clean_blocks(blocks: list[_Block]) -> list[_Block]:
    """Blocks with markup removed line by line; a line of markup debris goes, so does a block
    left with nothing."""
    out: list[_Block] = []
    for block in blocks:
        if block.hint in _META_HINTS or block.hint == "hidden":
            out.append(block)
            continue
        lines = [line for line in (_clean_markup(raw.strip()) for raw in block.text.splitlines() if raw.strip())
                 if line]
        if lines:
            out.append(_Block("\n".join(lines), block.hint, block.soft))
    return out


def _split_header_lines(blocks: list[_Block]) -> list[_Block]:
    """Near the top, short consecutive lines are separate fields (byline, date), not prose.

    A line that continues the one before (it starts in lower case, or the one before ends with
    a comma or a hyphen) is a hard-wrapped sentence and stays with it."""
    out: list[_Block] = []
    for index, block in enumerate(blocks):
        lines = [line.strip() for line in block.text.splitlines() if line.strip()]
        if index < 5 and len(lines) > 1 and all(len(line) < 120 for line in lines):
            # Lists of lines, joined at the end, and only the previous line's last character looked
            # at: growing a string and searching it at each line made long blocks quadratic.
            fields = [[lines[0]]]
            for line in lines[1:]:
                if line[:1].islower() or fields[-1][-1][-1:] in (",", ";", "(", "-", "–"):
                    fields[-1].append(line)
                else:
                    fields.append([line])
            out.extend(_Block("\n".join(field), block.hint, block.soft) for field in fields)
        else:
            out.append(block)
    return out


_LINE_END = re.compile(r"[.!?…:;][\s»\"”’)\]]*$")


def _split_standalone_lines(blocks: list[_Block]) -> list[_Block]:
    """A chrome or byline line inside a paragraph block becomes a block of its own: joined to the
    paragraph, "Lire aussi : ..." would be glued to the sentence before or after it.

    Only a line that stands alone is taken out: the line before it ends a sentence (or was
    taken out) and neither it nor the next line starts in lower case. A hard-wrapped sentence
    has a fragment on each line, and its fragments stay together."""
    out: list[_Block] = []
    for block in blocks:
        lines = [line.strip() for line in block.text.splitlines() if line.strip()]
        if len(lines) < 2 or block.hint in _META_HINTS or block.hint == "title":
            out.append(block)
            continue
        kept: list[str] = []
        boundary, after_label = True, False
        for index, line in enumerate(lines):
            following = lines[index + 1] if index + 1 < len(lines) else ""
            split = False
            if boundary and not line[:1].islower() and not following[:1].islower():
                reason = chrome_reason(line)
                split = (reason is not None or _read_byline(line) is not None
                         or (after_label and _headline_shaped(line)))
                after_label = reason == "label" or (after_label and split)
            if split:
                if kept:
                    out.append(_Block("\n".join(kept), block.hint, block.soft))
                    kept = []
                out.append(_Block(line, None, block.soft))
            else:
                kept.append(line)
                after_label = False
            boundary = split or bool(_LINE_END.search(line))
        if kept:
            out.append(_Block("\n".join(kept), block.hint, block.soft))
    return out


# Chrome reasons that can never be an article's title; a headline under a label can.
_NOT_A_TITLE = frozenset({"markup", "noise", "link", "interface", "site", "action", "credit"})


# An article has tens of paragraphs, a long page with its menus a few thousand blocks. Classifying
# a block costs tens of microseconds: a file of a million one-word paragraphs (5 MB of "a\n\n")
# would take a minute to turn down, and it is no article.
MAX_BLOCKS = 20_000


def _check_block_count(count: int) -> None:
    if count > MAX_BLOCKS:
        raise ArticleError(f"not a news article: {count} separate paragraphs or lines "
                           f"(an article has at most a few hundred)")


def _classify(blocks: list[_Block]) -> Article:
    hidden = [b.text for b in blocks if b.hint == "hidden"]
    blocks = _clean_blocks([b for b in blocks if b.text.strip() and b.hint != "hidden"])
    _check_block_count(len(blocks))
    blocks = _split_standalone_lines(_split_header_lines(blocks))
    if not blocks:
        raise ArticleError("no text in the file")
    reasons = [None if b.hint in _META_HINTS else chrome_reason(b.text) for b in blocks]
    title_block = next((b for b in blocks if b.hint == "title"), None) or next(
        (b for b, r in zip(blocks, reasons, strict=True) if b.hint not in _META_HINTS and r not in _NOT_A_TITLE),
        blocks[0])
    title = " ".join(title_block.text.split())
    # `fold` without its cache: that is for words, and every block before the body would go in it.
    fold_block = fold.__wrapped__
    folded_title = fold_block(title)
    article = Article(title=title)
    next_kept: list[int | None] = [None] * len(blocks)  # index of the next block that is not chrome
    for index in range(len(blocks) - 2, -1, -1):
        after = index + 1
        keep = reasons[after] is None and blocks[after].hint not in _META_HINTS
        next_kept[index] = after if keep else next_kept[after]
    published: list[str] = []
    updates: list[str] = []
    copyright_sites: list[str] = []
    source_sites: list[tuple[int, str]] = []  # (body paragraphs before the line, name)
    heading: str | None = None
    body_started = after_label = False
    for index, block in enumerate(blocks):
        text = squeeze_spaces(block.text)
        if block is title_block or (not body_started and fold_block(text) == folded_title):
            continue  # the title, or the title repeated by the page template
        if block.hint in _META_HINTS:
            if block.hint == "author":
                article.author = article.author or text
            elif block.hint == "site":
                article.site = article.site or text
            elif (date := parse_date(text)) is not None:
                (updates if block.hint == "updated" else published).append(date)
            continue
        read = _read_byline(text)
        # Before the body any byline counts; after it, only one that cannot be prose
        # (a bare "Le 3 mars 2024" there may be a live blog's heading).
        if read is not None and (not body_started or read[1]):
            byline = read[0]
            article.byline.append(text)
            article.author = article.author or byline.author
            article.site = article.site or byline.site
            published += [byline.date] if byline.date else []
            updates += [byline.updated] if byline.updated else []
            continue
        reason = reasons[index]
        if reason is None and after_label and _headline_shaped(text):
            reason = "related"  # the headline under a "Lire aussi" label
        if reason is None and block.hint == "link" and not _ends_sentence(text):
            reason = "link"
        after_label = reason == "label" or (after_label and reason == "related")
        if reason is not None:
            if reason == "credit":
                article.captions.append(text)
                if site := _copyright_site(text):
                    copyright_sites.append(site)
                if source := _SOURCE_SITE.match(text):
                    source_sites.append((len(article.paragraphs), source.group("name").rstrip(".")))
            continue
        if block.hint == "caption" or _is_caption(text):
            article.captions.append(text)
            continue
        # Whether this is a heading depends on the next block that will be kept.
        following = blocks[next_kept[index]].text if next_kept[index] is not None else None
        if block.hint == "heading" or (_is_heading(text) and following is not None and not _is_heading(following)):
            heading = text
            continue
        body_started = True
        article.paragraphs.append(Paragraph(text=text, heading=heading))
    _drop_tail(article)
    if not article.paragraphs:
        raise ArticleError("no article body found (only a title, headings or site chrome)")
    article.date = published[0] if published else max(updates, default=None)
    article.updated = max(updates, default=None)
    hidden_sites = [site for chunk in hidden for line in chunk.splitlines() if (site := _copyright_site(line))]
    at_end = [name for before, name in source_sites if before >= len(article.paragraphs)]
    article.site = article.site or next(iter(copyright_sites + hidden_sites), None) or (at_end[-1] if at_end else None)
    return article


def _drop_tail(article: Article) -> None:
    """Short lines without a full stop after the article's last sentence are what pages put
    there: rubric names, a lone "Source", tags, buttons. A long line stays, in case its full
    stop was lost."""
    paragraphs = article.paragraphs
    if not paragraphs or _ends_sentence(paragraphs[-1].text):
        return
    # Looked at once, not at each line dropped (that was quadratic in the number of lines): the
    # lines dropped do not end a sentence, so whether one before them does is the same answer.
    if not any(_ends_sentence(p.text) for p in paragraphs):
        return
    while (len(paragraphs) > 1 and not _ends_sentence(paragraphs[-1].text)
           and len(paragraphs[-1].text.split(maxsplit=8)) <= 8):
        paragraphs.pop()


# --- formats -----------------------------------------------------------------

def _text_blocks(text: str) -> list[_Block]:
    """Paragraphs of plain text: blank-line separated when the text has blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    chunks = re.split(r"\n\s*\n", text) if re.search(r"\n\s*\n", text) else text.splitlines()
    _check_block_count(len(chunks) - 2)  # before the work on each (the first and last may be empty)
    return [_Block(chunk.strip()) for chunk in chunks]


# Markdown's links, images, emphasis and headings are read by the functions below rather than
# by patterns: the patterns that say what they are (kept here, and in tests/test_linear.py as
# the reference the functions must agree with) looked for a closing "]", ")", "*" or the end of
# the heading from every opening one, to the end of the text when there was none:
# "[a [a [a …", "*a *a *a …" and "# a" followed by many spaces were quadratic.
#   link:     (?<!!)\[([^\]]*)\]\([^)]*\)        image:   !\[([^\]]*)\]\([^)]*\)
#   emphasis: (\*\*|__|\*|_|`)(\S(?:.*?\S)?)\1   heading: ^(#{1,6})\s+(.*?)\s*#*$


def _md_links(text: str, image: bool) -> list[tuple[int, int, str]]:
    """(start, end, text in brackets) of every Markdown link (or image) of `text`, as `finditer`
    of the pattern above finds them."""
    opening = "![" if image else "["
    spans: list[tuple[int, int, str]] = []
    pos = 0
    while True:
        start = text.find(opening, pos)
        while not image and start > 0 and text[start - 1] == "!":
            start = text.find(opening, start + 1)
        if start == -1:
            break
        body = start + len(opening)
        bracket = text.find("]", body)
        if bracket == -1:
            break  # no later opening finds a "]" either
        if not text.startswith("(", bracket + 1):
            pos = bracket + 1  # every opening before this "]" stops at it, and fails the same way
            continue
        paren = text.find(")", bracket + 2)
        if paren == -1:
            break  # no later link finds its ")" either
        spans.append((start, paren + 1, text[body:bracket]))
        pos = paren + 1
    return spans


def _replace_spans(text: str, spans: list[tuple[int, int, str]], keep_text: bool) -> str:
    pieces: list[str] = []
    pos = 0
    for start, end, inner in spans:
        pieces += [text[pos:start], inner if keep_text else ""]
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


_EMPHASIS_KINDS = {"*": ("**", "*"), "_": ("__", "_"), "`": ("`",)}  # tried in this order, as the pattern does
_EMPHASIS_CLOSE = {d: re.compile(r"(?<=\S)" + re.escape(d)) for kinds in _EMPHASIS_KINDS.values() for d in kinds}


@lru_cache(maxsize=8)
def _emphasis_openings(chars: str) -> re.Pattern:
    return re.compile(f"[{re.escape(chars)}](?=\\S)")


def _strip_emphasis_line(line: str) -> str:
    """The emphasis pattern's substitution on one line (it never spans two).

    From an opening delimiter the pattern takes the nearest closing one that follows a
    non-space, two characters on at least ("*a*b*" -> "a*b"), else one character. Here the
    nearest closing delimiter is remembered as the scan moves on, and a delimiter that has
    none left is not tried again on the line: a "*" that closes nothing means no later "*"
    or "**" closes anything either."""
    live = "".join(ch for ch in _EMPHASIS_KINDS if ch in line)
    closes: dict[str, int] = {}  # delimiter -> its nearest closing position found so far
    pieces: list[str] = []
    pos = i = 0
    while live:
        found = _emphasis_openings(live).search(line, i)
        if found is None:
            break
        i = found.start()
        for delimiter in _EMPHASIS_KINDS[line[i]]:
            if not line.startswith(delimiter, i):
                continue
            body = i + len(delimiter)
            if body >= len(line) or line[body].isspace():
                continue
            close = closes.get(delimiter, -1)
            if close < body + 2:
                match = _EMPHASIS_CLOSE[delimiter].search(line, body + 2)
                close = closes[delimiter] = match.start() if match else len(line) + 1
            if close > len(line) and line.startswith(delimiter, body + 1):
                close = body + 1  # one character: "*a*"
            if close <= len(line):
                pieces += [line[pos:i], line[body:close]]
                pos = i = close + len(delimiter)
                break
            if len(delimiter) == 1:
                live = live.replace(delimiter, "")
        else:
            i += 1
    pieces.append(line[pos:])
    return "".join(pieces)


def _strip_emphasis(text: str) -> str:
    if not any(ch in text for ch in _EMPHASIS_KINDS):
        return text
    return "\n".join(_strip_emphasis_line(line) if any(ch in line for ch in _EMPHASIS_KINDS) else line
                     for line in text.split("\n"))


def _md_heading(text: str) -> tuple[str, str] | None:
    """(the #s, the heading's text) when `text` is a Markdown heading, as the pattern above reads it."""
    hashes = re.match(r"(#{1,6})\s+", text)
    if hashes is None:
        return None
    rest = text[hashes.end():]
    if rest.endswith("\n"):
        rest = rest[:-1]  # "$" also matches before a final line break
    heading = rest.rstrip("#").rstrip()
    return None if "\n" in heading else (hashes.group(1), heading)


_RULE_CHARS = re.compile(r"[-*_\s]*")


def _markdown_blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    has_title = False
    for block in _text_blocks(text):
        line = block.text
        image_spans = _md_links(line, image=True)
        images = [alt for _, _, alt in image_spans]
        line = _replace_spans(line, image_spans, keep_text=False)
        line = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", line, flags=re.MULTILINE)  # list markers
        line = re.sub(r"^\s*>\s?", "", line, flags=re.MULTILINE)  # block quotes
        # A block that is nothing but links is a menu or a list of related articles.
        link_spans = _md_links(line, image=False)
        only_links = bool(link_spans) and not re.sub(r"[\W_]+", "", _replace_spans(line, link_spans, keep_text=False))
        line = _replace_spans(line, link_spans, keep_text=True)
        line = _strip_emphasis(line)
        heading = _md_heading(line)
        if heading:
            hint = "title" if len(heading[0]) == 1 and not has_title else "heading"
            has_title = has_title or hint == "title"
            blocks.append(_Block(heading[1], hint))
        elif _RULE_CHARS.fullmatch(line) and sum(map(line.count, "-*_")) >= 3:
            # A horizontal rule: \s*(?:[-*_]\s*){3,} says the same, but its backtracking state
            # grew with the line (65 MB for 1 MB of "- - -").
            continue
        elif line.strip():
            blocks.append(_Block(line.strip(), "link" if only_links else None))
        blocks.extend(_Block(alt, "caption") for alt in images if alt.strip())
    return blocks


# --- HTML tokens ---------------------------------------------------------------
#
# Python 3.11's html.parser reads a construct that never closes ("<a " with no ">", "<!--" with
# no "-->") again from each next "<" to the end of the page: 80 kB of "<a " took 48 s, and
# "<![ a" raised AssertionError. `_MarkupReader` gives the same calls (start tags with their
# attributes, end tags, text with character references converted) in one pass: every search
# either consumes what it read or is remembered to have failed. It takes the standard library's
# patterns for tags and attributes, and the same recovery for a construct left open (it becomes
# text up to the next ">"), so well-formed and ordinary broken pages read as they did. Where that
# recovery would read the same text again and again, it does not: a start tag that begins inside
# the text a failed one read is text too.

_TAG_NAME = re.compile(r"([a-zA-Z][^\t\n\r\f />\x00]*)(?:\s|/(?!>))*")
_SPACES = re.compile(r"\s*")
_MAX_ATTRIBUTES = 100  # of one tag (pages use a handful); "<a b b b … >" of megabytes kept them all
_ATTRIBUTE = re.compile(r"""((?<=['"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?(?:\s|/(?!>))*""")
_END_TAG = re.compile(r"</\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>")
_COMMENT_CLOSE = re.compile(r"--\s*>")
_SECTION_NAME = re.compile(r"[a-zA-Z][-_.a-zA-Z0-9]*\s*")
_SECTION_CLOSE = {"]]": re.compile(r"]\s*]\s*>"), "]": re.compile(r"]\s*>")}
_SECTION_KINDS = {"temp": "]]", "cdata": "]]", "ignore": "]]", "include": "]]", "rcdata": "]]",
                  "if": "]", "else": "]", "endif": "]"}


class _MarkupReader:
    """The part of `html.parser.HTMLParser` that `_HTMLBlocks` uses, in time linear in the page."""

    CDATA_CONTENT_ELEMENTS = ("script", "style")

    def __init__(self) -> None:
        self._pieces: list[str] = []

    def feed(self, data: str) -> None:
        self._pieces.append(data)

    def close(self) -> None:
        text = "".join(self._pieces)
        self._pieces = []
        self._read(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        pass

    def handle_data(self, data: str) -> None:
        pass

    def _read(self, text: str) -> None:
        n = len(text)
        last_gt = text.rfind(">")
        unclosed: dict[str, int] = {}  # closing pattern -> position from which it is known absent
        failed_tag_until = -1  # a start tag that did not close read this far
        i = 0
        while i < n:
            j = text.find("<", i)
            if j == -1:
                j = n
            if j > i:
                self.handle_data(html.unescape(text[i:j]))
            if j == n:
                break
            i = j
            following = text[i + 1 : i + 2]
            if i > last_gt:
                # No ">" after: every construct is left open and becomes text (html.parser passes
                # it on in pieces, one per "<": a million pieces for "<a <a <a …").
                self.handle_data(html.unescape(text[i:]))
                break
            elif following.isascii() and following.isalpha():
                if i < failed_tag_until:
                    i = self._open_construct(text, i)
                    continue
                k, reached = self._start_tag(text, i)
                if k == -1:
                    failed_tag_until = reached
                    i = self._open_construct(text, i)
                else:
                    i = k
            elif following == "/":
                i = self._end_tag(text, i)
            elif text.startswith("<!--", i):
                close = None if unclosed.get("--", n + 1) <= i else _COMMENT_CLOSE.search(text, i + 4)
                if close is None:
                    unclosed["--"] = i
                    i = self._open_construct(text, i)
                else:
                    i = close.end()
            elif text.startswith("<![", i):
                i = self._marked_section(text, i, unclosed)
            elif following in ("!", "?"):
                i = text.find(">", i + 2) + 1  # a declaration or processing instruction: skipped
            else:
                self.handle_data("<")
                i += 1

    def _open_construct(self, text: str, i: int) -> int:
        """A construct that does not close becomes text, up to and with the next ">"."""
        k = text.find(">", i + 1) + 1
        self.handle_data(html.unescape(text[i:k]))
        return k

    def _start_tag(self, text: str, i: int) -> tuple[int, int]:
        """(where the tag ends, -1 if it does not close; how far it was read).

        The end is found one attribute at a time, where html.parser first matches the whole tag
        with one pattern (locatestarttagend_tolerant) and then its attributes: they end at the
        same place, but that pattern's backtracking state grew with the tag, 135 MB for a tag of
        1 MB of attributes."""
        name = _TAG_NAME.match(text, i + 1)
        tag = name.group(1).lower()
        k = name.end()
        attrs: list[tuple[str, str | None]] = []
        while attribute := _ATTRIBUTE.match(text, k):
            k = attribute.end()
            if len(attrs) == _MAX_ATTRIBUTES:
                continue  # read to find where the tag ends, not kept
            attr_name, rest, value = attribute.group(1, 2, 3)
            if not rest:
                value = None
            elif value[:1] == "'" == value[-1:] or value[:1] == '"' == value[-1:]:
                value = value[1:-1]
            if value:
                value = html.unescape(value)
            attrs.append((attr_name.lower(), value))
        j = _SPACES.match(text, k).end()
        after = text[j : j + 1]
        if after == ">":
            end = j + 1
        elif text.startswith("/>", j):
            end = j + 2
        elif after == "" or after in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ=/":
            return -1, j  # left open (html.parser waits for more text)
        else:
            end = max(j, i + 1)
        closing = text[k:end].strip()
        if closing not in (">", "/>"):
            self.handle_data(text[i:end])
            return end, end
        self.handle_starttag(tag, attrs)
        if closing.endswith("/>"):
            self.handle_endtag(tag)
        elif tag in self.CDATA_CONTENT_ELEMENTS:
            # Raw text up to the element's end tag; without one, the rest of the page is script.
            close = re.compile(rf"</\s*{tag}\s*>", re.I).search(text, end)
            if close is None:
                return len(text), len(text)
            if close.start() > end:
                self.handle_data(text[end : close.start()])
            self.handle_endtag(tag)
            return close.end(), close.end()
        return end, end

    def _end_tag(self, text: str, i: int) -> int:
        gt = text.find(">", i + 1) + 1
        match = _END_TAG.match(text, i)
        if match:
            self.handle_endtag(match.group(1).lower())
            return match.end()
        name = _TAG_NAME.match(text, i + 2)
        if name is None:
            return i + 3 if text.startswith("</>", i) else text.find(">", i + 2) + 1
        self.handle_endtag(name.group(1).lower())  # what stands between the name and ">" is ignored
        return gt

    def _marked_section(self, text: str, i: int, unclosed: dict[str, int]) -> int:
        """"<![CDATA[ … ]]>", "<![if …]>": skipped; any other "<![" is a bogus comment (HTML5)."""
        name = _SECTION_NAME.match(text, i + 3)
        kind = _SECTION_KINDS.get(name.group().strip().lower()) if name else None
        if kind is None:
            return text.find(">", i + 2) + 1
        close = None if unclosed.get(kind, len(text) + 1) <= i else _SECTION_CLOSE[kind].search(text, i + 3)
        if close is None:
            unclosed[kind] = i
            return self._open_construct(text, i)
        return close.end()


_LINE_BREAK = "\n"
_VOID_TAGS = frozenset("area base br col embed hr img input link meta source track wbr".split())
_META_FIELDS = {
    "author": "author", "article:author": "author", "dc.creator": "author",
    "article:published_time": "date", "date": "date", "pubdate": "date", "dc.date": "date",
    "dc.date.issued": "date", "datepublished": "date", "publishdate": "date", "og:published_time": "date",
    "article:modified_time": "updated", "og:updated_time": "updated", "datemodified": "updated",
    "dc.date.modified": "updated", "last-modified": "updated",
    "og:site_name": "site", "publisher": "site", "application-name": "site", "dc.publisher": "site",
}
# Class and id words that name a page's chrome on any site. A region they name is only dropped
# when it holds less text than the rest of the page: if it holds more, the class was the
# article's own ("content has-ads") and its lines go through the line rules instead.
_CHROME_CLASSES = frozenset("share sharing social related newsletter comments comment advert advertisement ads ad "
                            "cookie cookies consent gdpr paywall promo breadcrumb breadcrumbs sidebar outbrain "
                            "taboola subscribe subscription popup modal".split())
_CHROME_ROLES = frozenset("navigation banner contentinfo complementary search dialog alertdialog menu menubar "
                          "toolbar".split())


_QUIET_TAGS = frozenset({"script", "style", "svg", "noscript", "template"})  # their text is not the page's


class _HTMLBlocks(_MarkupReader):
    SKIP: ClassVar[set[str]] = {"script", "style", "nav", "footer", "aside", "form", "noscript", "svg",
                                "button", "iframe", "template", "select", "dialog"}
    BLOCKS: ClassVar[dict[str, str | None]] = {
        "p": None, "li": None, "blockquote": None, "div": None, "td": None, "pre": None,
        "h1": "title", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading",
        "figcaption": "caption", "title": "title", "section": None, "article": None, "header": None,
        "dt": None, "dd": None, "th": None,
    }

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[_Block] = []
        # Open regions that are chrome. A region closes with the end tag that brings the count of
        # its tag (start tags minus end tags) back to what it was before the region began; kept per
        # tag, with counters, because scanning a list of every open region at each tag made
        # thousands of unclosed "<nav>" quadratic.
        self._depth: dict[str, int] = {}  # tag -> start tags minus end tags so far
        self._open: dict[str, list[tuple[int, str]]] = {}  # tag -> (depth before it, "hard" | "soft")
        self._open_hard = self._open_soft = self._open_quiet = 0
        self._buffer: list[str] = []
        self._chars = self._link_chars = self._link_depth = 0
        self._hint: str | None = None
        self._doc_title: str | None = None
        self._in_title = False
        self._jsonld: list[str] | None = None
        self._hidden: list[str] = []
        self._jsonld_texts: list[str] = []

    @property
    def _hard(self) -> bool:
        return self._open_hard > 0

    @property
    def _soft(self) -> bool:
        return self._open_soft > 0

    def _count_region(self, tag: str, kind: str, step: int) -> None:
        if kind == "hard":
            self._open_hard += step
        else:
            self._open_soft += step
        if tag in _QUIET_TAGS:
            self._open_quiet += step

    def _buffer_tail(self, size: int) -> str:
        """The last `size` characters of the buffered text, without joining all of it."""
        pieces: list[str] = []
        length = 0
        for piece in reversed(self._buffer):
            pieces.append(piece)
            length += len(piece)
            if length >= size:
                break
        return "".join(reversed(pieces))[-size:]

    def _flush(self) -> None:
        lines = [" ".join(line.split()) for line in "".join(self._buffer).split(_LINE_BREAK)]
        text = "\n".join(line for line in lines if line)
        if text:
            hint = self._hint
            # Text that is all link (a menu entry, a related article) is marked so; a heading that
            # is all link is such an entry too, the page's title is not.
            if self._chars and self._link_chars >= 0.8 * self._chars and hint != "title":
                hint = "link"
            self.blocks.append(_Block(text, hint, self._soft))
        self._buffer, self._hint = [], None
        self._chars = self._link_chars = 0

    def _region_kind(self, tag: str, attributes: dict[str, str]) -> str | None:
        if tag in self.SKIP or attributes.get("role", "").lower() in _CHROME_ROLES:
            return "hard"
        if "hidden" in attributes or attributes.get("aria-hidden", "").lower() == "true":
            return "hard"
        words = re.split(r"[\s_-]+", f"{attributes.get('class', '')} {attributes.get('id', '')}".lower())
        return "soft" if _CHROME_CLASSES.intersection(words) else None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "meta":
            self._meta(attributes)
            return
        if tag not in _VOID_TAGS:
            depth = self._depth.get(tag, 0)
            self._depth[tag] = depth + 1
            kind = self._region_kind(tag, attributes)
            if kind is not None:
                if not self._hard:
                    self._flush()  # the text before the region is not part of it
                self._open.setdefault(tag, []).append((depth, kind))
                self._count_region(tag, kind, 1)
                if tag == "script" and "ld+json" in attributes.get("type", ""):
                    self._jsonld = []
        if self._hard:
            return
        if tag == "time" and attributes.get("datetime"):
            # An update says so in its markup or in the words just before it ("mis à jour le").
            said = fold(self._buffer_tail(40))
            updated = ("datemodified" in attributes.get("itemprop", "").lower()
                       or re.search(r"updat|modif", attributes.get("class", "").lower())
                       or re.search(rf"{_UPDATE_KEY}\s*(?:le|on|:)?\s*$", said))
            self.blocks.append(_Block(attributes["datetime"], "updated" if updated else "date"))
        elif tag == "img" and attributes.get("alt"):
            self.blocks.append(_Block(attributes["alt"], "caption", self._soft))
        elif tag == "br":
            self._buffer.append(_LINE_BREAK)
        elif tag == "a":
            self._link_depth += 1
        elif tag in self.BLOCKS:
            self._flush()
            if tag == "title":
                self._in_title = True
            else:
                self._hint = self.BLOCKS[tag]

    def _meta(self, attributes: dict[str, str]) -> None:
        name = (attributes.get("name") or attributes.get("property") or attributes.get("itemprop") or "").lower()
        content = " ".join(attributes.get("content", "").split())
        hint = _META_FIELDS.get(name)
        if hint and content and not re.match(r"https?://", content):
            self.blocks.append(_Block(content, hint))

    def handle_endtag(self, tag: str) -> None:
        was_hard = self._hard
        depth = self._depth[tag] = self._depth.get(tag, 0) - 1
        regions = self._open.get(tag)
        if regions and regions[-1][0] >= depth:
            if tag == "script" and self._jsonld is not None:
                self._jsonld_texts.append("".join(self._jsonld))
                self._jsonld = None
            if not was_hard:
                self._flush()  # a soft region's last block belongs to it
            # Regions of one tag began at increasing depths: those closing now are the last ones.
            while regions and regions[-1][0] >= depth:
                self._count_region(tag, regions.pop()[1], -1)
            return
        if self._hard:
            return
        if tag == "title" and self._in_title:
            self._doc_title = " ".join("".join(self._buffer).split()) or None
            self._buffer, self._in_title = [], False
            self._chars = self._link_chars = 0
        elif tag == "a":
            self._link_depth = max(0, self._link_depth - 1)
        elif tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._jsonld is not None:
            self._jsonld.append(data)
        if self._hard:
            if not self._open_quiet:
                self._hidden.append(data)
            return
        self._buffer.append(data.replace("\n", " "))
        chars = len("".join(data.split()))
        self._chars += chars
        if self._link_depth:
            self._link_chars += chars

    def result(self) -> list[_Block]:
        self._flush()
        blocks = self.blocks
        if self._doc_title and not any(b.hint == "title" for b in blocks):
            blocks.insert(0, _Block(self._doc_title, "title"))
        soft = sum(len(b.text) for b in blocks if b.soft)
        if soft <= sum(len(b.text) for b in blocks if not b.soft and b.hint not in _META_HINTS):
            blocks = [b for b in blocks if not b.soft]
        given = {b.hint for b in blocks}
        blocks += [_Block(text, hint) for text, hint in _json_ld_fields(self._jsonld_texts) if hint not in given]
        hidden = "\n".join(" ".join(chunk.split()) for chunk in self._hidden if chunk.strip())
        if hidden:
            blocks.append(_Block(hidden, "hidden"))
        return blocks


_ARTICLE_TYPES = re.compile(r"Article|BlogPosting|Report")


def _json_ld_fields(texts: list[str]) -> list[tuple[str, str]]:
    """(value, hint) of the first article object in the page's JSON-LD: dates, authors,
    publisher. They only fill what the page's meta tags leave out, and come after its byline."""
    def objects(node: Any) -> list[dict]:
        if isinstance(node, list):
            return [o for item in node for o in objects(item)]
        if isinstance(node, dict):
            return [node, *objects(node.get("@graph", []))]
        return []

    def name(node: Any) -> str:
        if isinstance(node, list):
            return ", ".join(n for n in map(name, node) if n)
        if isinstance(node, dict):
            node = node.get("name", "")
        return " ".join(node.split()) if isinstance(node, str) else ""

    for text in texts:
        try:
            data = json.loads(text)
            found = objects(data)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than Python recurses
            continue
        for obj in found:
            if not _ARTICLE_TYPES.search(str(obj.get("@type", ""))):
                continue
            fields = [(name(obj.get("author")), "author"), (name(obj.get("publisher")), "site"),
                      (str(obj.get("datePublished") or ""), "date"), (str(obj.get("dateModified") or ""), "updated")]
            return [(value, hint) for value, hint in fields if value]
    return []


def _html_blocks(text: str) -> list[_Block]:
    parser = _HTMLBlocks()
    parser.feed(text)
    parser.close()
    return parser.result()


# --- files ---------------------------------------------------------------------

# C0 controls but tab and line breaks, and C1 controls (what bytes that are neither UTF-8 nor
# cp1252 become): a text file has next to none.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# Longest first: the UTF-32 little-endian mark begins with the UTF-16 one.
_BYTE_ORDER_MARKS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                     (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xef\xbb\xbf", "utf-8"))
# cp1252 for each byte; its five unassigned bytes as the Latin-1 controls (as browsers read them).
_CP1252 = [bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256)]


def _cp1252_for_invalid_utf8(error: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: the bytes that are not UTF-8 read as cp1252. A UTF-8 file edited
    once in a Windows program ("é" as 0xE9, an apostrophe as 0x92) keeps its UTF-8 text intact,
    where decoding the whole file as cp1252 turned every "é" of it into "Ã©"."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return "".join(_CP1252[b] for b in error.object[error.start : error.end]), error.end


codecs.register_error("bot-cp1252", _cp1252_for_invalid_utf8)


def decode(data: bytes) -> str:
    """Bytes of a text file as str: UTF-16 or UTF-32 when a byte order mark says so, else UTF-8
    (with or without its mark) where valid and cp1252 for the bytes that are not."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                text = data[len(mark):].decode(encoding, errors="bot-cp1252" if encoding == "utf-8" else "strict")
            except UnicodeDecodeError:
                raise ArticleError(f"unreadable text: marked as {encoding.upper()[:6]} but not valid") from None
            break
    else:
        if not data.strip():
            raise ArticleError("empty file")
        if b"\x00" in data:
            raise ArticleError("binary file (not text)")
        text = data.decode("utf-8", errors="bot-cp1252")
    if not text.strip():
        raise ArticleError("empty file")
    controls = len(_CONTROL_CHARS.findall(text))
    if controls > max(2, len(text) // 100):
        raise ArticleError("binary file (not text)")
    return text


def detect_format(name: str, text: str) -> str:
    """'text', 'markdown' or 'html', from the file name, or from the content if it says HTML."""
    if re.match(r"\s*(?:<!doctype html|<html|<article|<body)", text, re.IGNORECASE):
        return "html"
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ArticleError(f"unsupported file type '{suffix or name}' (use .txt, .md or .html)")
    return SUPPORTED_SUFFIXES[suffix]


def parse(text: str, fmt: str = "text") -> Article:
    """Parse article text of the given format ('text', 'markdown' or 'html')."""
    splitters = {"text": _text_blocks, "markdown": _markdown_blocks, "html": _html_blocks}
    return _classify(splitters[fmt](text))


# --- is it news? -------------------------------------------------------------------
#
# A news article is told in sentences. A README, a manual, a changelog, a table or a list of
# links is not: its body is mostly commands, code, file names and items without a full stop. Two
# shapes are refused: a body without one sentence of prose, and a body where sentences of prose
# hold less than half of the words.

# What prose never holds and code, commands and configuration do: shapes, and the extensions of
# the files they name.
_CODE = re.compile(
    r"[A-Za-z0-9]_[A-Za-z0-9]"  # identifiers: snake_case, ENV_NAMES
    r"|\w\.(?:py|md|txt|json|html?|sh|ya?ml|toml|cfg|ini|db|js|ts|css|env|lock|log|csv)\b"  # file names
    r"|(?:^|\s)(?:--[a-z]|-[a-z](?=\s|$))"  # command-line options
    r"|\b[A-Za-z_]\w*=\S"  # assignments
    r"|(?:^|\s)(?:\.{1,2}/|~/|/)\w"  # paths, slash commands
    r"|[{}]|</?[a-z]|->|=>|&&|\w\(\)|\$[A-Z_{(]"  # code punctuation
)
_PROSE_END = re.compile(r"[.!?…][»\"”’)\]]*$")
MIN_PROSE_SHARE = 0.5


def not_news_reason(article: Article) -> str | None:
    """Why an article's body is not news but code, commands, a table or a list; None if it is prose."""
    words = prose_words = 0
    for paragraph in article.paragraphs:
        for sentence in split_sentences(paragraph.text):
            count = sentence.count(" ") + 1
            words += count
            if _PROSE_END.search(sentence) and not _CODE.search(sentence):
                prose_words += count
    if not prose_words:
        return "not a news article: no sentence of prose in it (a list, a table or code?)"
    if prose_words < MIN_PROSE_SHARE * words:
        return (f"not a news article: only {100 * prose_words // words} % of its text is sentences of prose, "
                f"the rest code, commands or lists")
    return None


def parse_bytes(name: str, data: bytes) -> Article:
    """Parse an uploaded or read file; raises ArticleError with a one-line reason."""
    if len(data) > MAX_FILE_BYTES:
        raise ArticleError(f"file too large ({len(data) // 1000} kB, limit {MAX_FILE_BYTES // 1000} kB)")
    text = decode(data)
    article = parse(text, detect_format(name, text))
    if reason := not_news_reason(article):
        raise ArticleError(reason)
    return article


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
