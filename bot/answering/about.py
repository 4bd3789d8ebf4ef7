"""Questions about the articles themselves — who wrote one, when it was published or updated, its
title, its source, what it is about, how many there are, the latest — answered from the articles'
own fields, quoting the byline as printed when the file has one.

Which article: the one the question's other words point to ("l'article sur la panne"), else the
one a follow-up leans on, else the only one; with several and nothing to choose by, every article
is listed.
"""

from __future__ import annotations

import re
from typing import Protocol

from bot.answering.model import OFF_TOPIC, Answer, ArticleRef, Quote
from bot.answering.reading import ABOUT_WORDS, Question
from bot.facts import extract_facts
from bot.messages import format_date, t
from bot.text import fold

# "l'article sur la grève", "the article about the strike": the question says which article it means.
_NAMES_TOPIC = re.compile(r"\barticles?\s+(?:sur|a propos d\w*|concernant|consacres? a|qui parlen?t? d\w*|"
                          r"about|on|regarding)\b")
LISTED = 8  # articles named in one reply: a large collection is not listed whole


class ArticleLookup(Protocol):
    def articles(self) -> list[ArticleRef]: ...

    def article_for(self, words: list[str]) -> int | None: ...

    def byline(self, article_id: int) -> Quote | None: ...

    def key_sentence(self, article_id: int) -> str | None: ...


def _printed_date(quote: Quote | None, iso: str | None, lang: str) -> str | None:
    """The date as the byline prints it ("02/02/2024", "12 octobre 2023"), else written out."""
    if iso is None:
        return None
    if quote is not None:
        for fact in extract_facts(quote.text):
            if fact.kind == "date" and fact.value == iso:
                return fact.text
        year, month, day = iso.split("-")
        for candidate in (f"{day}/{month}/{year}", f"{int(day)}/{month}/{year}"):
            if candidate in quote.text:
                return candidate
    return format_date(iso, lang)


def _field(article: ArticleRef, name: str, byline: Quote | None, lookup: ArticleLookup, lang: str) -> str:
    if name == "author":
        return article.author or t("about_no_author", lang)
    if name in ("date", "updated"):
        iso = article.updated if name == "updated" and article.updated else article.date
        return _printed_date(byline, iso, lang) or t("about_no_date", lang)
    if name == "source":
        return article.site or t("about_no_site", lang, title=article.title)
    if name == "topic":
        return lookup.key_sentence(article.id) or article.title
    return article.title  # "title"


def topic(question: Question) -> list[str]:
    """The words that say which article is meant: those of "l'article sur la panne", or a name
    ("l'article Kraken"); not a stray word ("Quand a-t-il été publié exactement ?")."""
    words = [w for w in question.words if fold(w) not in ABOUT_WORDS]
    return words if _NAMES_TOPIC.search(fold(question.text)) else [w for w in words if w in question.names]


def which_article(question: Question, articles: list[ArticleRef], lookup: ArticleLookup) -> ArticleRef | None:
    by_id = {a.id: a for a in articles}
    words = topic(question)
    if words:  # it says which article it means: that one, or none ("l'article sur la météo")
        found = lookup.article_for(words)
        return by_id.get(found) if found is not None else None
    if question.exclude_article is not None:
        others = [a for a in articles if a.id != question.exclude_article]
        return others[0] if len(others) == 1 else None
    if question.article_hint in by_id and not question.hint_guessed:
        return by_id[question.article_hint]
    return articles[0] if len(articles) == 1 else None


def answer_about(question: Question, lookup: ArticleLookup) -> Answer:
    """The answer to a question about the articles (question.about says which field)."""
    articles = lookup.articles()
    lang = question.lang
    if not articles:
        return Answer(question.typed, True, short=t("no_articles", lang), lang=lang)
    if question.about == "count":
        titles = "; ".join(a.title for a in articles[:LISTED]) + (" …" if len(articles) > LISTED else "")
        return Answer(question.typed, True, short=t("about_count", lang, count=len(articles), titles=titles), lang=lang)
    if question.about == "latest":
        latest = max(articles, key=lambda a: (a.updated or a.date or "", a.id))
        return Answer(question.typed, True, short=latest.title, article=latest, lang=lang)
    article = which_article(question, articles, lookup)
    if article is None and topic(question):  # it names an article none of them is
        return Answer(question.typed, False, declined=OFF_TOPIC, lang=lang)
    if article is None:  # several articles, nothing to choose by: each one (the latest first)
        recent = sorted(articles, key=lambda a: (a.updated or a.date or "", a.id), reverse=True)[:LISTED]
        lines = [f"{a.title} : {_field(a, question.about, lookup.byline(a.id), lookup, lang)}" for a in recent]
        lines += ["…"] * (len(articles) > LISTED)
        return Answer(question.typed, True, short="\n".join(lines), lang=lang)
    byline = lookup.byline(article.id)
    short = _field(article, question.about, byline, lookup, lang)
    return Answer(question.typed, True, short=short, quote=byline if question.about != "topic" else None,
                  article=article, lang=lang)
