"""The operators' commands (BOT_ADMIN_IDS, in a private chat): /stats, /unanswered, /forget,
/restore; and the question log they read, written after each question is answered."""

from __future__ import annotations

import re
import time
from html import escape

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.answering.model import Answer
from bot.messages import t
from bot.questionlog import QuestionLog
from bot.stats import gather
from handlers.common import core, kb_of, lang_of, reply


def question_log(context: ContextTypes.DEFAULT_TYPE) -> QuestionLog:
    return context.bot_data["questions"]


async def log_question(context: ContextTypes.DEFAULT_TYPE, chat_type: str, answer: Answer, started: float) -> None:
    """Log a question once its reply went out (`started`: time.monotonic() when it came in).
    QuestionLog.record never raises for the database: a full disk costs the row, not the answer."""
    latency_ms = (time.monotonic() - started) * 1000
    await core(question_log(context).record, chat_type, answer.answered, answer.declined, latency_ms, answer.question)


async def operator_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True for an operator in a private chat; anyone else, anywhere, is told in one line."""
    user, chat = update.effective_user, update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE and user is not None \
            and user.id in context.bot_data["config"].admin_ids:
        return True
    await reply(update, t("operators_only", lang_of(update)))
    return False


def _share(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


def _duration(ms: float | None) -> str:
    if ms is None:
        return "—"
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: articles, chats, questions today and over 7 days, replies, alerts."""
    if not await operator_only(update, context):
        return
    alerts = await core(context.bot_data["delivery"].outbox.counts)
    # The shared database (on PostgreSQL, kb is this instance's local copy of the articles only).
    config = context.bot_data["config"]
    figures = await core(gather, config.db_url or kb_of(context).path, alerts, context.bot_data["clock"](),
                         config.timezone)
    text = t("stats", lang_of(update), articles=figures.articles, retired=figures.retired, chats=figures.chats,
             subscribed=figures.subscribed, today=figures.questions_today, week=figures.questions_week,
             share=_share(figures.answered_share), median=_duration(figures.median_ms),
             sent=alerts.get("sent", 0), pending=alerts.get("pending", 0) + alerts.get("sending", 0),
             failed=alerts.get("failed", 0))
    await reply(update, escape(text))


async def unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unanswered: the declined questions asked most often in the last 30 days, with their counts."""
    if not await operator_only(update, context):
        return
    lang, log = lang_of(update), question_log(context)
    found = await core(log.unanswered)
    if not found:
        await reply(update, t("unanswered_none" if log.keep_text else "unanswered_off", lang))
        return
    lines = [t("unanswered_header", lang)] + [f"{count} × {text}" for text, count in found]
    await reply(update, escape("\n".join(lines)))


def _number(context: ContextTypes.DEFAULT_TYPE) -> int | None:
    """The article number given as the only argument (ASCII digits, as /articles shows it)."""
    args = context.args or []
    return int(args[0]) if len(args) == 1 and re.fullmatch(r"[0-9]{1,18}", args[0]) else None


async def _retire(update: Update, context: ContextTypes.DEFAULT_TYPE, retired: bool) -> None:
    kb, lang, number = kb_of(context), lang_of(update), _number(context)
    if number is None:
        await reply(update, t("forget_usage" if retired else "restore_usage", lang))
        return
    changed = await core(kb.retire, number, retired, context.bot_data["clock"]())
    if changed is None:
        await reply(update, t("no_such_article", lang, number=number))
        return
    done, already = ("forgotten", "already_forgotten") if retired else ("restored", "not_forgotten")
    title = (await core(kb.article_ref, number)).title
    await reply(update, escape(t(done if changed else already, lang, number=number, title=title)))


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/forget N: article N is no longer answered from, listed or announced."""
    if await operator_only(update, context):
        await _retire(update, context, retired=True)


async def restore(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/restore N brings a retired article back; /restore alone lists the retired ones."""
    if not await operator_only(update, context):
        return
    if context.args:
        await _retire(update, context, retired=False)
        return
    lang = lang_of(update)
    retired = [(number, title) for number, title, retired_at in await core(kb_of(context).catalogue)
               if retired_at is not None]
    if not retired:
        await reply(update, t("no_retired", lang))
        return
    await reply(update, escape("\n".join([t("retired_list", lang), *(f"{n}. {title}" for n, title in retired)])))
