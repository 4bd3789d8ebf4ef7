"""Alert subscriptions: /subscribe, /unsubscribe, /subscriptions, /digest, /pause,
/resume, and the bot being added to or removed from a chat.

In groups only administrators (anonymous ones included) change subscriptions;
in a private chat the user manages their own.
"""

from __future__ import annotations

from html import escape

from telegram import ChatMember, ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.messages import t
from bot.subscriptions import MAX_KEYWORDS, ChatSettings, Subscriptions, parse_keywords, parse_time, topic_key
from handlers.common import core, lang_of, reply

MAX_ARGUMENTS = 2000
ADMINS = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
ALL = {"all", "tout", "tous", "toutes"}


def subscriptions_of(context: ContextTypes.DEFAULT_TYPE) -> Subscriptions:
    return context.bot_data["subscriptions"]


def status_text(settings: ChatSettings, lang: str, zone: str) -> str:
    """What this chat receives, in a few lines (HTML-escaped)."""
    if not settings.subscribed:
        return escape(t("not_subscribed", lang))
    lines = [t("status_keywords", lang, keywords=", ".join(settings.keywords)) if settings.keywords
             else t("status_all", lang)]
    lines.append(t("status_digest", lang, time=settings.digest_at, zone=zone) if settings.digest_at
                 else t("status_instant", lang))
    if settings.paused:
        lines.append(t("status_paused", lang))
    if not settings.active:
        lines.append(t("status_inactive", lang))
    return escape("\n".join(lines))


async def may_manage(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """May the sender change this chat's subscriptions? If not, they are told why."""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat.type == ChatType.PRIVATE:
        return True
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous administrator, posting as the group itself
    if user is not None:
        try:
            member = await context.bot.get_chat_member(chat.id, user.id)
        except TelegramError:
            await reply(update, t("admin_check_failed", lang_of(update)))
            return False
        if member.status in ADMINS:
            return True
    await reply(update, t("admins_only", lang_of(update)))
    return False


async def _register(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    await core(subscriptions_of(context).register, chat.id, chat.type, chat.title, lang_of(update))


def _arguments(context: ContextTypes.DEFAULT_TYPE) -> str:
    return " ".join(context.args or [])[:MAX_ARGUMENTS].strip()


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/subscribe: every new article; /subscribe keywords…: articles about them (added to the list)."""
    if not await may_manage(update, context):
        return
    lang, arguments = lang_of(update), _arguments(context)
    keywords = parse_keywords(arguments)
    if arguments and not keywords:
        await reply(update, t("no_usable_keywords", lang))
        return
    await _register(update, context)
    settings = await core(subscriptions_of(context).subscribe, update.effective_chat.id, keywords, lang)
    lines = [t("subscribed_keywords", lang, keywords=", ".join(settings.keywords)) if settings.keywords
             else t("subscribed_all", lang)]
    kept = {topic_key(k) for k in settings.keywords}
    dropped = [k for k in keywords if topic_key(k) not in kept]
    if dropped:
        lines.append(t("keywords_capped", lang, max=MAX_KEYWORDS, dropped=", ".join(dropped)))
    await reply(update, escape("\n".join(lines)))


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unsubscribe or /unsubscribe all: no more alerts; /unsubscribe keywords…: stop following those."""
    if not await may_manage(update, context):
        return
    lang, arguments = lang_of(update), _arguments(context)
    subscriptions, chat_id = subscriptions_of(context), update.effective_chat.id
    if not (await core(subscriptions.settings, chat_id)).subscribed:
        await reply(update, escape(t("not_subscribed", lang)))
        return
    everything = not arguments or arguments.lower() in ALL
    keywords = None if everything else parse_keywords(arguments)
    if keywords == []:
        await reply(update, t("no_usable_keywords", lang))
        return
    settings = await core(subscriptions.unsubscribe, chat_id, keywords)
    text = (t("keywords_left", lang, keywords=", ".join(settings.keywords)) if settings.subscribed
            else t("unsubscribed", lang))
    await reply(update, escape(text))


async def show_subscriptions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/subscriptions: this chat's keywords and mode (anyone may look)."""
    settings = await core(subscriptions_of(context).settings, update.effective_chat.id)
    await reply(update, status_text(settings, lang_of(update), context.bot_data["config"].timezone))


async def digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/digest HH:MM: one message a day instead of instant alerts; /digest off: back to instant."""
    if not await may_manage(update, context):
        return
    lang, arguments = lang_of(update), _arguments(context)
    zone = context.bot_data["config"].timezone
    off = arguments.lower() in ("off", "non", "stop")
    hhmm = None if off else parse_time(arguments)
    if not off and hhmm is None:
        await reply(update, t("digest_usage", lang))
        return
    await _register(update, context)
    settings = await core(subscriptions_of(context).set_digest, update.effective_chat.id, hhmm,
                          context.bot_data["clock"]())
    text = escape(t("digest_off", lang) if off else t("digest_set", lang, time=hhmm, zone=zone))
    await reply(update, f"{text}\n{status_text(settings, lang, zone)}")


async def _set_paused(update: Update, context: ContextTypes.DEFAULT_TYPE, paused: bool) -> None:
    if not await may_manage(update, context):
        return
    lang, subscriptions, chat_id = lang_of(update), subscriptions_of(context), update.effective_chat.id
    if not (await core(subscriptions.settings, chat_id)).subscribed:
        await reply(update, escape(t("not_subscribed", lang)))
        return
    await core(subscriptions.set_paused, chat_id, paused)
    await reply(update, escape(t("paused" if paused else "resumed", lang)))
    if not paused:
        context.bot_data["delivery"].wake()  # alerts held during the pause go out now


async def pause(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/pause: hold alerts; articles published meanwhile are not announced."""
    await _set_paused(update, context, True)


async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/resume: alerts again (those queued before the pause go out now)."""
    await _set_paused(update, context, False)


def _is_in(member: ChatMember) -> bool:
    if member.status == ChatMemberStatus.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in (ChatMemberStatus.MEMBER, *ADMINS)


async def membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was added to a chat (hello in groups) or removed / blocked (alerts stop there)."""
    change: ChatMemberUpdated = update.my_chat_member
    was_in, is_in = _is_in(change.old_chat_member), _is_in(change.new_chat_member)
    chat, subscriptions = change.chat, subscriptions_of(context)
    if was_in and not is_in:
        await core(subscriptions.deactivate, chat.id, "removed from chat")
    elif is_in and not was_in:
        await core(subscriptions.register, chat.id, chat.type, chat.title, lang_of(update))
        if chat.type != ChatType.PRIVATE:
            await context.bot.send_message(chat.id, t("hello_group", lang_of(update)))
