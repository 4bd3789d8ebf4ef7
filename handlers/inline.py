"""Inline mode: `@BotName question` in any chat offers matching quotes."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from handlers.common import ask, core, kb_of, lang_of
from handlers.render import answer_html, summary_html

MAX_RESULTS = 10


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Up to 10 quotes for the query; the article summaries for an empty query."""
    query = update.inline_query
    kb, lang = kb_of(context), lang_of(update)
    text = (query.query or "").strip()[:256]
    results = []
    if not text:
        for summary in await core(kb.summaries, 2):
            results.append(InlineQueryResultArticle(
                id=f"a{summary.article.id}", title=summary.article.title[:256],
                description=" ".join(summary.key_sentences)[:500],
                input_message_content=InputTextMessageContent(summary_html(summary, lang, full=False),
                                                              parse_mode=ParseMode.HTML)))
    else:
        answer = await ask(context, text, MAX_RESULTS - 1)
        if answer.answered:
            for quote in [answer.quote, *answer.alternatives]:
                short = answer.short if quote is answer.quote else None
                results.append(InlineQueryResultArticle(
                    id=f"s{quote.sentence_id}", title=(short or quote.article.title)[:256],
                    description=quote.text[:500],
                    input_message_content=InputTextMessageContent(answer_html(answer, quote, lang),
                                                                  parse_mode=ParseMode.HTML)))
    await query.answer(results[:MAX_RESULTS], cache_time=30, is_personal=False)
