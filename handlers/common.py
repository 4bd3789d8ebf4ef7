"""What every handler needs: the knowledge base, the user's language, replying."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from telegram import InlineKeyboardMarkup, MaybeInaccessibleMessage, Message, Update
from telegram.ext import ContextTypes

from bot.answering.model import Answer
from bot.knowledge import KnowledgeBase
from bot.messages import language
from handlers.render import split_message

T = TypeVar("T")


def kb_of(context: ContextTypes.DEFAULT_TYPE) -> KnowledgeBase:
    return context.bot_data["kb"]


def lang_of(update: Update) -> str:
    user = update.effective_user
    return language(user.language_code if user else None)


def thread_of(message: MaybeInaccessibleMessage | None) -> int | None:
    """The forum topic a message is in, to send into it (Message.reply_text does so by itself).
    None outside topics: in a plain group, message_thread_id names a chain of replies, which
    sending cannot target; a message older than 48 hours (InaccessibleMessage) does not say."""
    return message.message_thread_id if isinstance(message, Message) and message.is_topic_message else None


async def ask(context: ContextTypes.DEFAULT_TYPE, text: str, alternatives: int = 2,
              follow_up: bool = False) -> Answer:
    """The core's answer to a question, from the question workers (bot/workers.py). With `follow_up`,
    the question may lean on the chat's previous one ("Et pourquoi ?"), and becomes the one the next
    question may lean on."""
    conversation = context.chat_data.get("conversation") if follow_up and context.chat_data is not None else None
    answer = await context.bot_data["workers"].ask(text, alternatives, conversation)
    if follow_up and context.chat_data is not None:
        context.chat_data["conversation"] = answer.conversation
    return answer


async def core(function: Callable[..., T], *args: object) -> T:
    """Run a knowledge-base call in a worker thread so the event loop keeps serving others."""
    return await asyncio.to_thread(function, *args)


async def reply(update: Update, html: str, markup: InlineKeyboardMarkup | None = None) -> Message | None:
    """Reply in HTML, quoting the asking message; long text goes out in several messages."""
    message = update.effective_message
    if message is None:
        return None
    pieces = split_message(html)
    sent = None
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        sent = await message.reply_text(piece, do_quote=index == 0, reply_markup=markup if last else None)
    return sent
