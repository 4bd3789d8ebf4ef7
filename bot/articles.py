"""Turning article files (plain text, Markdown, simple HTML) into clean articles.

Real article text arrives with scraping debris: a repeated title, a byline,
a date in another language, image captions, site chrome at the end. Each
format is first cut into blocks (with hints where the format has them), then
one classifier decides what every block is: metadata, heading, caption,
chrome or body. A block is dropped only when it matches a chrome or caption
rule, never because it is unusual, so no real sentence is lost.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from bot.text import fold, squeeze_spaces

MAX_FILE_BYTES = 5_000_000
SUPPORTED_SUFFIXES = {".txt": "text", ".md": "markdown", ".markdown": "markdown",
                      ".html": "html", ".htm": "html"}


class ArticleError(Exception):
    """A file that cannot become an article; `reason` is one line for a person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Paragraph:
    text: str
    heading: str | None = None


@dataclass
class Article:
    title: str
    author: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD)
    paragraphs: list[Paragraph] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)

    @property
    def headings(self) -> list[str]:
        seen: list[str] = []
        for p in self.paragraphs:
            if p.heading and p.heading not in seen:
                seen.append(p.heading)
        return seen


@dataclass
class _Block:
    text: str
    hint: str | None = None  # "title", "heading", "caption", "author", "date"


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


# --- block classification ----------------------------------------------------

_BYLINE = re.compile(
    r"^(?:by|par|de|auteur|author|written by|écrit par|ecrit par)\s*:?\s+"
    r"([A-ZÀ-Þ][\w'’.-]+(?:\s+[A-ZÀ-Þ][\w'’.-]+){0,3})(?:\s*[-–—|•,].*)?$",
    re.IGNORECASE,
)
_DATE_LINE = re.compile(
    r"^(?:mis à jour|mis a jour|publié|publie|publié le|updated|published|posted|date|le)?\s*(?:le|on)?\s*:?",
    re.IGNORECASE,
)
_CHROME_LINE = re.compile(
    r"^(?:sources?|commenter|commentaires?|\d+\s+commentaires?|partager|partagez|share|tweet|"
    r"imprimer|print|lire aussi|à lire aussi|a lire aussi|voir aussi|read more|related|tags?|"
    r"mots-clés|laisser un commentaire|leave a (?:reply|comment)|publicité|advertisement|"
    r"newsletter|abonnez-vous|subscribe|test|menu|accueil|home)\s*:?$",
    re.IGNORECASE,
)
_CHROME_NOTICE = re.compile(
    r"akismet|cookies?\b|tous droits réservés|all rights reserved|inscrivez-vous à notre newsletter|"
    r"en savoir plus sur comment les données",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"(?:\bsource\s*:|\bcrédits?\s*:|\bcredits?\s*:|\bphoto\s*:|©|\blogo\b|\bimage\s*:|\billustration\s*:)",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"[.!?…:;»\"”)]\s*$")


def _is_chrome(text: str) -> bool:
    return bool(_CHROME_LINE.match(text)) or (len(text) < 400 and bool(_CHROME_NOTICE.search(text)))


def _is_caption(text: str) -> bool:
    words = text.split()
    if _TERMINAL.search(text) or len(words) > 20:
        return False
    if _CAPTION.search(text):
        return True
    # A few lower-case words with no punctuation: image alt text ("kraken").
    return len(words) <= 3 and text[:1].islower()


def _is_heading(text: str) -> bool:
    words = text.split()
    return (0 < len(words) <= 15 and not _TERMINAL.search(text)
            and (text[:1].isupper() or text[:1].isdigit()))


def _date_line(text: str) -> str | None:
    """The date of a short metadata line such as 'Mis à jour 01 August 2022'."""
    if len(text) > 80:
        return None
    date = parse_date(text)
    if date is None:
        return None
    # What is left once the date words are removed must be a metadata prefix.
    rest = re.sub(r"\d+|[,/.-]", " ", fold(text))
    rest_words = [w for w in rest.split() if w not in MONTHS and w not in {"er", "st", "nd", "rd", "th"}]
    allowed = {"mis", "a", "jour", "publie", "le", "updated", "published", "posted", "on", "date",
               "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "monday",
               "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "at", "h", "min"}
    return date if all(w in allowed for w in rest_words) else None


def _split_header_lines(blocks: list[_Block]) -> list[_Block]:
    """Near the top, short consecutive lines are separate fields (byline, date), not prose."""
    out: list[_Block] = []
    for index, block in enumerate(blocks):
        lines = [line.strip() for line in block.text.splitlines() if line.strip()]
        if index < 5 and len(lines) > 1 and all(len(line) < 120 for line in lines):
            out.extend(_Block(line, block.hint) for line in lines)
        else:
            out.append(block)
    return out


def _classify(blocks: list[_Block]) -> Article:
    blocks = _split_header_lines([b for b in blocks if b.text.strip()])
    if not blocks:
        raise ArticleError("no text in the file")
    title_block = next((b for b in blocks if b.hint == "title"), blocks[0])
    title = " ".join(title_block.text.split())
    article = Article(title=title)
    heading: str | None = None
    body_started = False
    for index, block in enumerate(blocks):
        text = squeeze_spaces(block.text)
        if block is title_block or (not body_started and fold(text) == fold(title)):
            continue  # the title, or the title repeated by the page template
        if block.hint == "author":
            article.author = article.author or text
            continue
        if block.hint == "date":
            article.date = article.date or parse_date(text)
            continue
        if not body_started:
            byline = _BYLINE.match(text)
            if byline and article.author is None and len(text) < 120:
                article.author = byline.group(1).strip()
                article.date = article.date or parse_date(text[byline.end(1):])  # "Par X — 2 mai 2023"
                continue
            date = _date_line(text)
            if date and article.date is None:
                article.date = date
                continue
        if _is_chrome(text):
            continue
        if block.hint == "caption" or _is_caption(text):
            article.captions.append(text)
            continue
        next_block = blocks[index + 1] if index + 1 < len(blocks) else None
        if block.hint == "heading" or (
            _is_heading(text) and next_block is not None and not _is_heading(next_block.text)
        ):
            heading = text
            continue
        body_started = True
        article.paragraphs.append(Paragraph(text=text, heading=heading))
    if not article.paragraphs:
        raise ArticleError("no article body found (only a title, headings or site chrome)")
    return article


# --- formats -----------------------------------------------------------------

def _text_blocks(text: str) -> list[_Block]:
    """Paragraphs of plain text: blank-line separated when the text has blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if re.search(r"\n\s*\n", text):
        chunks = re.split(r"\n\s*\n", text)
        return [_Block(chunk.strip()) for chunk in chunks]
    return [_Block(line.strip()) for line in text.splitlines()]


_MD_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\([^)]*\)")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(\S(?:.*?\S)?)\1")


def _markdown_blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    for block in _text_blocks(text):
        line = block.text
        images = _MD_IMAGE.findall(line)
        line = _MD_IMAGE.sub("", line)
        line = _MD_LINK.sub(r"\1", line)
        line = _MD_EMPHASIS.sub(r"\2", line)
        line = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", line)  # list markers
        line = re.sub(r"^\s*>\s?", "", line)  # block quotes
        heading = re.match(r"^(#{1,6})\s+(.*?)\s*#*$", line)
        if heading:
            hint = "title" if len(heading.group(1)) == 1 and not any(b.hint == "title" for b in blocks) else "heading"
            blocks.append(_Block(heading.group(2), hint))
        elif re.fullmatch(r"\s*(?:[-*_]\s*){3,}", line):
            continue  # horizontal rule
        elif line.strip():
            blocks.append(_Block(line.strip()))
        blocks.extend(_Block(alt, "caption") for alt in images if alt.strip())
    return blocks


class _HTMLBlocks(HTMLParser):
    SKIP: ClassVar[set[str]] = {"script", "style", "nav", "footer", "aside", "form", "noscript", "svg",
                                "button", "iframe"}
    BLOCKS: ClassVar[dict[str, str | None]] = {
        "p": None, "li": None, "blockquote": None, "div": None, "td": None, "pre": None,
        "h1": "title", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading",
        "figcaption": "caption", "title": "title",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self._skip_depth = 0
        self._buffer: list[str] = []
        self._hint: str | None = None
        self._doc_title: str | None = None
        self._in_title = False

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        if text:
            self.blocks.append(_Block(text, self._hint))
        self._buffer, self._hint = [], None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag in self.SKIP:
            self._skip_depth += 1
        elif tag == "meta":
            name = (attributes.get("name") or attributes.get("property") or "").lower()
            content = attributes.get("content", "")
            if name in {"author", "article:author"} and content:
                self.blocks.append(_Block(content, "author"))
            elif name in {"article:published_time", "date", "pubdate", "dc.date"} and content:
                self.blocks.append(_Block(content, "date"))
        elif tag == "time" and attributes.get("datetime"):
            self.blocks.append(_Block(attributes["datetime"], "date"))
        elif tag == "img" and attributes.get("alt"):
            self.blocks.append(_Block(attributes["alt"], "caption"))
        elif tag == "br":
            self._buffer.append(" ")
        elif tag in self.BLOCKS and not self._skip_depth:
            self._flush()
            if tag == "title":
                self._in_title = True
            else:
                self._hint = self.BLOCKS[tag]

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag == "title":
            self._doc_title = " ".join("".join(self._buffer).split()) or None
            self._buffer, self._in_title = [], False
        elif tag in self.BLOCKS and not self._skip_depth:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self._buffer.append(data)

    def result(self) -> list[_Block]:
        self._flush()
        if self._doc_title and not any(b.hint == "title" for b in self.blocks):
            self.blocks.insert(0, _Block(self._doc_title, "title"))
        return self.blocks


def _html_blocks(text: str) -> list[_Block]:
    parser = _HTMLBlocks()
    parser.feed(text)
    parser.close()
    return parser.result()


# --- files ---------------------------------------------------------------------

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def decode(data: bytes) -> str:
    """Bytes of a text file as str: UTF-8 (with or without BOM), else cp1252."""
    if not data.strip():
        raise ArticleError("empty file")
    if b"\x00" in data:
        raise ArticleError("binary file (not text)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ArticleError("unreadable text: neither UTF-8 nor cp1252") from None
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


def parse_bytes(name: str, data: bytes) -> Article:
    """Parse an uploaded or read file; raises ArticleError with a one-line reason."""
    if len(data) > MAX_FILE_BYTES:
        raise ArticleError(f"file too large ({len(data) // 1000} kB, limit {MAX_FILE_BYTES // 1000} kB)")
    text = decode(data)
    return parse(text, detect_format(name, text))


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
