"""Questions in plain text: private chats, and groups when the bot is addressed;
the buttons under an answer ("Autre réponse", "Contexte")."""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.answering.model import EMPTY, Answer
from bot.messages import t
from handlers import buttons, updatelog
from handlers.admin import log_question
from handlers.common import ask, core, kb_of, lang_of, reply, thread_of
from handlers.render import answer_html, not_found_html, source_line, split_message

KEPT_ANSWERS = 100  # per chat, for the buttons of recent answers


def _keyboard(answer: Answer, shown: int, lang: str) -> InlineKeyboardMarkup:
    quotes = [answer.quote, *answer.alternatives]
    row = []
    if len(quotes) > 1:
        row.append(InlineKeyboardButton(t("other_answer", lang),
                                        callback_data=buttons.data("alt", (shown + 1) % len(quotes))))
    row.append(InlineKeyboardButton(t("context", lang), callback_data=buttons.data("ctx", quotes[shown].sentence_id)))
    return InlineKeyboardMarkup([row])


def addressed_text(message: Message, bot_username: str, bot_id: int) -> str | None:
    """In a group: the question if the message is for the bot (mention or reply), else None."""
    text = message.text or ""
    mention = re.compile(rf"@{re.escape(bot_username)}\b", re.IGNORECASE)
    if mention.search(text):
        return mention.sub(" ", text).strip()
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return text
    return None


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Answer `text`, then log the question (bot/questionlog.py) with how long the reply took."""
    started = time.monotonic()
    answer = await _reply_to_question(update, context, text)
    if not answer.answered:
        updatelog.set_outcome("declined")
    await log_question(context, update.effective_chat.type, answer, started)


async def _reply_to_question(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> Answer:
    """Answer `text` (a follow-up leans on the chat's previous question) and remember the answer
    for the buttons and /source. The reply speaks the language the question was asked in."""
    kb = kb_of(context)
    if len(text) > 4000:
        await reply(update, t("too_long", lang_of(update)))
    answer = await ask(context, text, follow_up=True)
    lang = answer.lang
    if not answer.answered:
        if answer.declined == EMPTY:  # emoji, punctuation, greetings: nothing to look for
            await reply(update, t("empty_question", lang, example=escape((kb.examples(lang) or ["?"])[0])))
            return answer
        await reply(update, not_found_html(answer, await core(kb.articles), lang))
        return answer
    sent = await reply(update, answer_html(answer, None, lang), _keyboard(answer, 0, lang) if answer.quote else None)
    answers: OrderedDict = context.chat_data.setdefault("answers", OrderedDict())
    if sent is not None:
        answers[sent.message_id] = answer
        while len(answers) > KEPT_ANSWERS:
            answers.popitem(last=False)
    context.chat_data["last_answer"] = answer
    return answer


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any text in a private chat is a question."""
    await answer_question(update, context, update.effective_message.text)


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In groups, answer only a message that mentions the bot or replies to it."""
    text = addressed_text(update.effective_message, context.bot.username, context.bot.id)
    if text is not None:
        await answer_question(update, context, text)


async def non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Photos, stickers, voice...: a hint in private chats, silence in groups."""
    if update.effective_chat.type == ChatType.PRIVATE:
        await reply(update, t("unsupported_message", lang_of(update)))


def _held_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Answer | None:
    """The answer under the pressed button, if this chat still holds it; a button on an inline
    message has no chat, hence nothing held."""
    message = update.callback_query.message
    if message is None or context.chat_data is None:
        return None
    return context.chat_data.get("answers", {}).get(message.message_id)


async def other_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'Autre réponse': show the next quote in place of the current one."""
    press, answer = buttons.press_of(update), _held_answer(update, context)
    if press is None or answer is None or answer.quote is None:
        await buttons.answer(update, context, t("answer_expired", lang_of(update)), alert=True)
        return
    lang = answer.lang
    quotes = [answer.quote, *answer.alternatives]
    index = press.number % len(quotes)
    await buttons.answer(update, context)
    await update.callback_query.edit_message_text(
        answer_html(answer, quotes[index], lang), reply_markup=_keyboard(answer, index, lang))


async def show_context(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'Contexte': the paragraph around the quote, as a reply to the answer."""
    press, message, lang = buttons.press_of(update), update.callback_query.message, lang_of(update)
    found = await core(kb_of(context).context, press.number) if press is not None and message is not None else None
    if found is None:
        await buttons.answer(update, context, t("answer_expired", lang), alert=True)
        return
    paragraph, article = found
    await buttons.answer(update, context)
    # Sent to the chat rather than as Message.reply_text: a message older than 48 hours comes
    # as an InaccessibleMessage, which has a chat and an id but no reply_text.
    where = ReplyParameters(message.message_id, allow_sending_without_reply=True)
    for piece in split_message(f"{escape(paragraph)}\n\n{source_line(article, lang)}"):
        await context.bot.send_message(message.chat.id, piece, message_thread_id=thread_of(message),
                                       reply_parameters=where)
