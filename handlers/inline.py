"""Inline mode: `@BotName question` in any chat offers matching quotes."""

from __future__ import annotations

import logging
import time

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.questionlog import INLINE
from handlers.admin import log_question
from handlers.common import ask, core, kb_of, lang_of
from handlers.render import MAX_MESSAGE, answer_html, summary_html

log = logging.getLogger(__name__)

MAX_RESULTS = 10
MAX_QUERY = 256  # characters; Telegram's own limit for an inline query


def _result(result_id: str, title: str, description: str, html: str) -> InlineQueryResultArticle | None:
    """One result, or None when its message could not be sent: an inline message is one message,
    never split, and a result Telegram refuses would make it refuse the whole answer."""
    if not html or len(html) > MAX_MESSAGE:
        return None
    return InlineQueryResultArticle(id=result_id, title=title.strip()[:256] or "…", description=description[:500],
                                    input_message_content=InputTextMessageContent(html))


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Up to 10 quotes for the query; the article summaries for an empty query."""
    query = update.inline_query
    kb, lang = kb_of(context), lang_of(update)
    text = (query.query or "").strip()[:MAX_QUERY]
    started = time.monotonic()
    answer = None  # an empty query lists the articles: not a question
    results: dict[str, InlineQueryResultArticle | None] = {}
    if not text:
        for summary in await core(kb.summaries, 2):
            results[f"a{summary.article.id}"] = _result(f"a{summary.article.id}", summary.article.title,
                                                        " ".join(summary.key_sentences),
                                                        summary_html(summary, lang, full=False))
    else:
        answer = await ask(context, text, MAX_RESULTS - 1)
        if answer.answered and answer.quote is None:  # about the articles themselves: a short answer, no quote
            results["r"] = _result("r", answer.short or "…", answer.short or "", answer_html(answer, None, lang))
        elif answer.answered:
            for quote in [answer.quote, *answer.alternatives]:
                short = answer.short if quote is answer.quote else None
                # setdefault: the same sentence twice would repeat a result id, which Telegram refuses
                results.setdefault(f"s{quote.sentence_id}", _result(f"s{quote.sentence_id}",
                                                                    short or quote.article.title, quote.text,
                                                                    answer_html(answer, quote, lang)))
    offered = [r for r in results.values() if r is not None][:MAX_RESULTS]
    try:
        await query.answer(offered, cache_time=30, is_personal=False)
    except BadRequest as error:
        # Telegram waits about 10 s for an answer; by then the user has typed on, and sees newer results.
        if "too old" not in str(error).lower() and "query id is invalid" not in str(error).lower():
            raise
        log.info("inline query %s answered too late: %s", query.id, error)
    if answer is not None:
        await log_question(context, INLINE, answer, started)
