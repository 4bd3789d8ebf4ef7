"""Slash commands: /start, /help, /articles, /summary (and its button under alerts), /quote,
/source, and unknown ones."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.messages import t
from handlers import buttons
from handlers.common import core, kb_of, lang_of, reply, thread_of
from handlers.render import answer_html, articles_html, quote_block, split_message, summary_html

MAX_ARGUMENT = 200


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome, with example questions as buttons that ask them inline."""
    kb, lang = kb_of(context), lang_of(update)
    examples = await core(kb.examples, lang)
    buttons = [[InlineKeyboardButton(q, switch_inline_query_current_chat=q)] for q in examples]
    text = t("welcome", lang, count=len(await core(kb.articles)))
    text += "".join(f"\n• {escape(q)}" for q in examples)
    await reply(update, text, InlineKeyboardMarkup(buttons) if buttons else None)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """How to use the bot."""
    await reply(update, escape(t("help", lang_of(update))))


async def articles(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Numbered list of articles with title, author and date."""
    await reply(update, articles_html(await core(kb_of(context).articles), lang_of(update)))


async def summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/summary: every article, short; /summary N or /summary keyword: one in full."""
    kb, lang = kb_of(context), lang_of(update)
    argument = " ".join(context.args or [])[:MAX_ARGUMENT].strip()
    if argument:
        article = await core(kb.find_article, argument)
        found = await core(kb.summary, article.id) if article else None
        if found is None:
            count = len(await core(kb.articles))
            await reply(update, escape(t("summary_not_found", lang, ref=argument[:40], count=count)))
            return
        await reply(update, summary_html(found, lang, full=True))
        return
    all_summaries = await core(kb.summaries, 2)
    if not all_summaries:
        await reply(update, t("no_articles", lang))
        return
    digest = await core(kb.digest)
    parts = [f"<b>{t('digest', lang)}</b> : {escape(digest)}"] + [summary_html(s, lang, full=False)
                                                                   for s in all_summaries]
    await reply(update, "\n\n".join(parts))


async def full_summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The "Résumé complet" button under an alert: that article's summary in full."""
    press, chat, lang = buttons.press_of(update), update.effective_chat, lang_of(update)
    if press is None or chat is None:  # a button on an inline message: no chat to send the summary to
        await buttons.answer(update, context, t("button_unknown", lang), alert=True)
        return
    found = await core(kb_of(context).summary, press.number)
    if found is None:
        await buttons.answer(update, context, t("article_gone", lang), alert=True)
        return
    if chat.type == ChatType.CHANNEL:  # any reader may press: the summary is not posted to everyone
        await buttons.answer(update, context, t("summary_in_private", lang, bot=context.bot.username,
                                                number=press.number), alert=True)
        return
    await buttons.answer(update, context)
    for piece in split_message(summary_html(found, lang, full=True)):
        await context.bot.send_message(chat.id, piece, message_thread_id=thread_of(update.callback_query.message))


async def quote(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/quote words…: the sentences that contain those words, verbatim."""
    lang = lang_of(update)
    words = " ".join(context.args or [])[:MAX_ARGUMENT].strip()
    if not words:
        await reply(update, t("quote_usage", lang))
        return
    quotes = await core(kb_of(context).quotes, words)
    if not quotes:
        await reply(update, escape(t("quote_none", lang, words=words)))
        return
    await reply(update, "\n\n".join(quote_block(q, lang) for q in quotes))


async def source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/source: where the last answer in this chat came from."""
    lang = lang_of(update)
    last = context.chat_data.get("last_answer")
    if last is None:
        await reply(update, t("no_last_answer", lang))
        return
    await reply(update, answer_html(last, None, last.lang))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An unknown command: say so in private chats, or in groups when addressed to this bot."""
    text = update.effective_message.text or ""
    command = text.split()[0] if text.split() else ""
    addressed = command.lower().endswith(f"@{context.bot.username}".lower())
    if update.effective_chat.type == ChatType.PRIVATE or addressed:
        await reply(update, t("unknown_command", lang_of(update)))
