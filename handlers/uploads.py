"""Articles sent to the bot as documents by its operators (BOT_ADMIN_IDS), in private."""

from __future__ import annotations

from html import escape
from pathlib import Path

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.articles import MAX_FILE_BYTES, SUPPORTED_SUFFIXES
from bot.messages import t
from handlers.common import core, kb_of, lang_of, reply


async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ingest an article file from an operator; anyone else, or any other file, gets a polite no."""
    lang, sent = lang_of(update), update.effective_message.document
    user = update.effective_user
    if user is None or user.id not in context.bot_data["config"].admin_ids:
        await reply(update, t("upload_operators_only", lang))
        return
    name = Path(sent.file_name or "article").name
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        await reply(update, t("upload_bad_type", lang))
        return
    if (sent.file_size or 0) > MAX_FILE_BYTES:
        await reply(update, t("upload_too_big", lang, limit=MAX_FILE_BYTES // 1_000_000))
        return
    try:
        data = bytes(await (await sent.get_file()).download_as_bytearray())
    except TelegramError:
        await reply(update, t("upload_failed", lang))
        return
    # The source names the file, not the upload: sending a corrected file replaces the article.
    report = await core(kb_of(context).ingest_file, name, data, f"telegram:{name}")
    await reply(update, escape("\n".join(report.lines())))
    context.bot_data["delivery"].wake()
