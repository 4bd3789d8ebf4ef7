"""What an answer is: the quote, its article, the short answer, and why it declined."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# Why a question got no quote; the handlers and the terminal word each one, never re-reading the question.
EMPTY = "empty"  # nothing to look for: greetings, emoji, punctuation
UNKNOWN_NAMES = "unknown_names"  # it names people or things the articles never mention
OFF_TOPIC = "off_topic"  # its key words appear nowhere in the articles
NOT_FOUND = "not_found"  # the articles speak of it, but no sentence answers it


@dataclass
class ArticleRef:
    id: int
    title: str
    author: str | None
    date: str | None  # ISO 8601
    updated: str | None = None  # ISO 8601, when the article says it was updated
    site: str | None = None  # the publication, when the file names it


@dataclass
class Quote:
    sentence_id: int
    text: str
    article: ArticleRef
    score: float


@dataclass
class Conversation:
    """What a follow-up question may lean on: the previous question's topic and article.
    Plain data, so it travels to the question workers and can be kept per chat."""

    words: list[str]  # the previous question's content words (its topic)
    kind: str | None
    article_id: int | None  # the article the previous answer came from
    lang: str = "fr"
    about: str | None = None  # the previous question asked about an article's author, date...


@dataclass
class Answer:
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
