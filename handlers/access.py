"""Who the bot serves: everyone, or with `BOT_ALLOWED_CHATS` only those chats and the operators.

The allow-list is checked before anything else, so a chat outside it costs one
look-up and nothing more. A private chat outside it is told why once, then
ignored; a group outside it is told why, then left (and its alert subscription
stops). Channels are the exception: the bot never reads a channel, and posts in
one only after an operator linked it (`/link`), which is the operators' call.
Inline queries and presses under inline messages have no chat: their user is
checked, as if it were their private chat (a private chat's id is its user's).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from html import escape

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes

from bot.config import Config
from bot.messages import t
from handlers import buttons
from handlers.common import core, lang_of, reply

log = logging.getLogger(__name__)

TOLD = "told_not_allowed"  # bot_data key: chats already told they are not served
REMEMBERED = 10_000  # chats remembered as told; past that, the oldest may be told once more


def is_allowed(config: Config, update: Update) -> bool:
    """Whether the bot serves this update's chat (or, without a chat, its user)."""
    allowed = config.allowed_chats
    if allowed is None:
        return True
    chat, user = update.effective_chat, update.effective_user
    if chat is None or chat.type == ChatType.PRIVATE:
        return user is not None and (user.id in allowed or user.id in config.admin_ids)
    # A group is served for all its members or for none: an operator speaking in a group outside
    # the list would have the bot answer them there, then leave at the next member's message.
    return chat.type == ChatType.CHANNEL or chat.id in allowed


def _first_time(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> bool:
    told: OrderedDict[int, None] = context.bot_data.setdefault(TOLD, OrderedDict())
    if chat_id in told:
        return False
    told[chat_id] = None
    while len(told) > REMEMBERED:
        told.popitem(last=False)
    return True


async def gate(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """First handler for every update: outside the allow-list, say why once (and leave a group), then stop."""
    if not isinstance(update, Update) or is_allowed(context.bot_data["config"], update):
        return
    chat, lang = update.effective_chat, lang_of(update)
    try:
        if update.callback_query is not None:
            await buttons.answer(update, context, t("not_allowed", lang), alert=True)
        elif update.inline_query is not None:
            await update.inline_query.answer([], cache_time=60, is_personal=True)  # nothing on offer, no spinner
        elif chat is None:
            pass  # a poll answer, a chosen inline result: nobody to tell
        elif chat.type == ChatType.PRIVATE:
            if update.effective_message is not None and _first_time(context, chat.id):
                await reply(update, escape(t("not_allowed", lang)))
        elif update.my_chat_member is None or update.my_chat_member.new_chat_member.status not in ("left", "kicked"):
            await leave(context, chat.id, lang)
    except TelegramError as error:  # blocked, network: the update is refused all the same
        log.warning("could not tell chat %s it is not served: %s", chat.id if chat else None, error)
    raise ApplicationHandlerStop


async def stop_alerts_outside(app: Application) -> None:
    """At start: chats subscribed before the allow-list was set (or narrowed) get no more alerts."""
    config: Config = app.bot_data["config"]
    if config.allowed_chats is None:
        return
    stopped = await asyncio.to_thread(app.bot_data["subscriptions"].deactivate_all_but,
                                      config.allowed_chats | config.admin_ids, "not in BOT_ALLOWED_CHATS")
    if stopped:
        log.info("alerts stopped for %d chat(s) not in BOT_ALLOWED_CHATS", len(stopped))


async def leave(context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str) -> None:
    """Say why in the group, stop its alerts, then leave it."""
    log.info("leaving chat %s: not in BOT_ALLOWED_CHATS", chat_id)
    if _first_time(context, chat_id):
        await context.bot.send_message(chat_id, escape(t("not_allowed_group", lang)))
    await core(context.bot_data["subscriptions"].deactivate, chat_id, "not in BOT_ALLOWED_CHATS")
    await context.bot.leave_chat(chat_id)
