"""Telegram HTML for answers, summaries and lists. Every piece of article or
user text is escaped; long messages are split at paragraph boundaries."""

from __future__ import annotations

from dataclasses import replace
from html import escape

from bot.answering.model import Answer, ArticleRef, Quote
from bot.knowledge import Summary
from bot.messages import decline_key, source_parts, t

MAX_MESSAGE = 4096


def source_line(article: ArticleRef, lang: str) -> str:
    title, *rest = (escape(part) for part in source_parts(article, lang))
    return "📰 " + " — ".join([f"<i>{title}</i>", *rest])


def quote_block(quote: Quote, lang: str) -> str:
    return f"« {escape(quote.text)} »\n{source_line(quote.article, lang)}"


def answer_html(answer: Answer, quote: Quote | None, lang: str) -> str:
    """An answer with the given quote (the main one, or an alternative); an answer about an
    article itself may have no quote, only the short answer and the article's source line."""
    quote = quote or answer.quote
    lines = []
    if answer.short and quote is answer.quote:
        lines.append(f"<b>{escape(answer.short)}</b>")
    if quote is not None:
        lines.append(quote_block(quote, lang))
    elif answer.article is not None:
        lines.append(source_line(answer.article, lang))
    return "\n".join(lines)


def not_found_html(answer: Answer, articles: list[ArticleRef], lang: str) -> str:
    lines = [t(decline_key(answer), lang)]
    if answer.unknown:
        lines.append(t("unknown_names", lang, names=", ".join(escape(n) for n in answer.unknown)))
    lines.append(t("can_talk_about", lang))
    lines += [f"• {escape(a.title)}" for a in articles]
    return "\n".join(lines)


def articles_html(articles: list[ArticleRef], lang: str) -> str:
    if not articles:
        return t("no_articles", lang)
    lines = [f"<b>{escape(t('articles_header', lang, count=len(articles)))}</b>"]
    for article in articles:
        meta = " — ".join(escape(x) for x in (article.author, article.date) if x)
        lines.append(f"{article.id}. {escape(article.title)}" + (f" — {meta}" if meta else ""))
    return "\n".join(lines)


def summary_html(summary: Summary, lang: str, full: bool) -> str:
    lines = [f"<b>{summary.article.id}. {escape(summary.article.title)}</b>"]
    meta = " — ".join(escape(x) for x in (summary.article.author, summary.article.date) if x)
    if meta:
        lines.append(meta)
    lines += [f"• {escape(s)}" for s in summary.key_sentences]
    if full and summary.headings:
        lines.append(f"<i>{t('sections', lang)} :</i> " + " / ".join(escape(h) for h in summary.headings))
    return "\n".join(lines)


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Pieces of at most `limit` characters, cut at blank lines, else lines, else spaces."""
    if len(text) <= limit:
        return [text]
    for separator in ("\n\n", "\n", " "):
        cut = text.rfind(separator, 0, limit)
        if cut > 0:
            return [text[:cut], *split_message(text[cut + len(separator):], limit)]
    return [text[:limit], *split_message(text[limit:], limit)]


def _keywords_line(matched: list[str], lang: str) -> str:
    return f"\n<i>{escape(t('alert_matched', lang, keywords=', '.join(matched)))}</i>" if matched else ""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _brief(summary: Summary) -> Summary:
    """The summary with long titles and sentences cut, so that an alert is always one message."""
    article = replace(summary.article, title=_clip(summary.article.title, 300))
    return replace(summary, article=article, key_sentences=[_clip(s, 700) for s in summary.key_sentences])


def alert_html(summary: Summary, matched: list[str], lang: str) -> str:
    """A new article: title, date, key sentences and the chat's keywords it matched; one message."""
    body = summary_html(_brief(summary), lang, full=False)
    return f"{t('alert_header', lang)}\n{body}{_keywords_line(matched, lang)}"


def digest_html(entries: list[tuple[Summary, list[str]]], lang: str) -> tuple[str, int]:
    """One message for several new articles; returns it and how many articles it shows
    (the rest are counted, not listed, so the digest always fits in one message)."""
    blocks = [summary_html(_brief(s), lang, full=False) + _keywords_line(m, lang) for s, m in entries]
    shown = len(blocks)
    while True:
        text = "\n\n".join([f"<b>{escape(t('digest_header', lang, count=len(entries)))}</b>", *blocks[:shown]])
        if shown < len(blocks):
            text += "\n\n" + escape(t("digest_more", lang, count=len(blocks) - shown))
        if len(text) <= MAX_MESSAGE or shown == 0:
            return text[:MAX_MESSAGE], shown
        shown -= 1
