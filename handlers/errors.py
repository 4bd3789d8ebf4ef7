"""The one error handler: log with the update id, apologise in private chats, and answer a
button press that was left pending so that the user's button stops spinning."""

from __future__ import annotations

import logging
from html import escape

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.messages import t
from handlers import buttons
from handlers.common import lang_of

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log an unexpected error; the user gets a short apology, never a traceback."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    lang = lang_of(update)
    try:
        if update.callback_query is not None and not buttons.is_answered(update, context):
            await buttons.answer(update, context, t("error", lang), alert=True)
        elif update.effective_chat and update.effective_chat.type == ChatType.PRIVATE:
            await context.bot.send_message(update.effective_chat.id, escape(t("error", lang)))
    except Exception:  # the apology itself failed (network, blocked): nothing more to do
        log.warning("could not send the error notice for update %s", update_id)
