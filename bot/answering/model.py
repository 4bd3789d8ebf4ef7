"""What an answer is: the quote, its article, the short answer, and why it declined."""

from __future__ import annotations

import functools
import types
import typing
from dataclasses import MISSING, asdict, dataclass, field, fields, is_dataclass

# Why a question got no quote; the handlers and the terminal word each one, never re-reading the question.
EMPTY = "empty"  # nothing to look for: greetings, emoji, punctuation
UNKNOWN_NAMES = "unknown_names"  # it names people or things the articles never mention
OFF_TOPIC = "off_topic"  # its key words appear nowhere in the articles
NOT_FOUND = "not_found"  # the articles speak of it, but no sentence answers it


class State:
    """Plain JSON-able state (`to_state`) and back (`from_state`), for what a chat keeps across
    restarts (handlers/persistence.py). JSON rather than pickle: the database file is copied and
    restored, and unpickling a file runs whatever it says."""

    def to_state(self) -> dict:
        return asdict(self)

    @classmethod
    def from_state(cls, data: object) -> typing.Self:
        """The object `data` describes; ValueError for anything this version did not write
        (a missing, unknown or mistyped field), so that a foreign row fails here, not in a reply."""
        return _build(cls, data)


@functools.cache
def _hints(cls: type) -> dict[str, object]:
    return typing.get_type_hints(cls)


def _build(cls: type, data: object) -> object:
    if not isinstance(data, dict):
        raise ValueError(f"{cls.__name__}: not an object")
    names = {f.name for f in fields(cls)}
    required = {f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING}
    if not required <= data.keys() <= names:
        raise ValueError(f"{cls.__name__}: fields {sorted(data)}, expected {sorted(required)} of {sorted(names)}")
    return cls(**{name: _read(_hints(cls)[name], value, f"{cls.__name__}.{name}") for name, value in data.items()})


def _read(hint: object, value: object, where: str) -> object:
    """`value` as the type `hint` says (a dataclass from its dict), or ValueError."""
    origin = typing.get_origin(hint)
    if origin is types.UnionType:
        for option in typing.get_args(hint):
            try:
                return _read(option, value, where)
            except ValueError:
                pass
    elif origin is list:
        if isinstance(value, list):
            return [_read(typing.get_args(hint)[0], item, where) for item in value]
    elif is_dataclass(hint):
        return _build(hint, value)
    elif hint is float:
        if type(value) in (int, float):  # JSON writes 1.0 back as 1.0, but a hand-made row may say 1
            return float(value)
    elif type(value) is hint:  # `type`, not isinstance: True is no sentence id
        return value
    raise ValueError(f"{where}: {value!r} is not {getattr(hint, '__name__', hint)}")


@dataclass
class ArticleRef(State):
    id: int
    title: str
    author: str | None
    date: str | None  # ISO 8601
    updated: str | None = None  # ISO 8601, when the article says it was updated
    site: str | None = None  # the publication, when the file names it


@dataclass
class Quote(State):
    sentence_id: int
    text: str
    article: ArticleRef
    score: float


@dataclass
class Conversation(State):
    """What a follow-up question may lean on: the previous question's topic and article.
    Plain data, so it travels to the question workers and can be kept per chat."""

    words: list[str]  # the previous question's content words (its topic)
    kind: str | None
    article_id: int | None  # the article the previous answer came from
    lang: str = "fr"
    about: str | None = None  # the previous question asked about an article's author, date...
    answer_words: list[str] = field(default_factory=list)  # the person or thing the previous answer named:
    # whom "il" or "they" in the next question may be
    article_guessed: bool = False  # article_id is the article nearest a question that got no answer
    names: list[str] = field(default_factory=list)  # the words of `words` written as names ("Aubry")


@dataclass
class Answer(State):
    question: str
    answered: bool
    short: str | None = None  # the person, number, date or place asked for; Oui / Non
    quote: Quote | None = None
    alternatives: list[Quote] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # names the articles never mention
    declined: str | None = None  # EMPTY, UNKNOWN_NAMES, OFF_TOPIC or NOT_FOUND when not answered
    lang: str = "fr"  # the language the question was asked in: the reply's UI language
    verdict: str | None = None  # "oui" / "non" for a yes/no question the articles settle
    article: ArticleRef | None = None  # the article answered from (also without a quote)
    conversation: Conversation | None = None  # what a follow-up to this question may lean on

    @property
    def score(self) -> float:
        return self.quote.score if self.quote else 0.0

    def to_json(self, not_found: str) -> dict:
        """The `ask --json` record."""
        article = self.quote.article if self.quote else self.article
        return {
            "question": self.question,
            "answered": self.answered,
            "answer": (self.short or (self.quote.text if self.quote else not_found)) if self.answered else not_found,
            "quote": self.quote.text if self.quote else None,
            "article": _article_json(article) if article else None,
            "score": round(self.score, 4),
            "alternatives": [{"quote": q.text, "article": _article_json(q.article), "score": round(q.score, 4)}
                             for q in self.alternatives],
            "declined": self.declined,
            "lang": self.lang,
        }


def _article_json(article: ArticleRef) -> dict:
    """The documented article fields (id, title, author, date), plus what else is known."""
    return {k: v for k, v in asdict(article).items() if v is not None or k in ("author", "date")}
