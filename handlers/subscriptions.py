"""Alert subscriptions: /subscribe, /unsubscribe, /subscriptions, /digest, /pause,
/resume, /link, and the bot being added to or removed from a chat.

In groups only administrators (anonymous ones included) change subscriptions;
in a private chat the user manages their own. A subscription made in a forum
topic sends its alerts to that topic. Channels are managed by the operators
(BOT_ADMIN_IDS) from their private chat with the bot, by naming the channel
first (`/subscribe @channel mots…`, `/link @channel`): the bot must be an
administrator there, allowed to post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from telegram import ChatFullInfo, ChatMember, ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.messages import t
from bot.subscriptions import MAX_KEYWORDS, ChatSettings, Subscriptions, parse_keywords, parse_time, topic_key
from handlers.common import core, lang_of, reply, thread_of

MAX_ARGUMENTS = 2000
ADMINS = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
ALL = {"all", "tout", "tous", "toutes"}
# A channel named as a command's first argument: its public @username, or the id of a private one.
CHANNEL = re.compile(r"@[A-Za-z]\w{3,31}|-100\d{5,16}")


@dataclass
class Target:
    """The chat a subscription command acts on, and the arguments that follow its name."""

    chat_id: int
    arguments: str
    channel: ChatFullInfo | None = None  # set when an operator names a channel


def subscriptions_of(context: ContextTypes.DEFAULT_TYPE) -> Subscriptions:
    return context.bot_data["subscriptions"]


def status_text(settings: ChatSettings, lang: str, zone: str) -> str:
    """What this chat receives, in a few lines (HTML-escaped)."""
    if not settings.subscribed:
        return escape(t("not_subscribed", lang))
    lines = [t("status_keywords", lang, keywords=", ".join(settings.keywords)) if settings.keywords
             else t("status_all", lang)]
    if settings.excluded:
        lines.append(t("status_excluded", lang, keywords=", ".join(settings.excluded)))
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


def _arguments(context: ContextTypes.DEFAULT_TYPE) -> str:
    return " ".join(context.args or [])[:MAX_ARGUMENTS].strip()


async def _channel(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str,
                   check_rights: bool) -> ChatFullInfo | None:
    """The channel `name` (@username or id), for an operator in private chat; with `check_rights`,
    only if the bot may post there. Otherwise None, and the operator is told why."""
    lang, chat, user = lang_of(update), update.effective_chat, update.effective_user
    if chat.type != ChatType.PRIVATE or user is None or user.id not in context.bot_data["config"].admin_ids:
        await reply(update, escape(t("channel_operators_only", lang)))
        return None
    try:
        channel = await context.bot.get_chat(name if name.startswith("@") else int(name))
    except (BadRequest, Forbidden):
        await reply(update, escape(t("channel_not_found", lang, name=name)))
        return None
    if channel.type != ChatType.CHANNEL:
        await reply(update, escape(t("not_a_channel", lang, name=name)))
        return None
    if check_rights:
        try:
            member = await context.bot.get_chat_member(channel.id, context.bot.id)
        except (BadRequest, Forbidden):  # not a member: Telegram will not even show the member list
            member = None
        if member is None or member.status != ChatMemberStatus.ADMINISTRATOR \
                or not getattr(member, "can_post_messages", False):
            await reply(update, escape(t("channel_not_admin", lang, name=name)))
            return None
    return channel


async def _target(update: Update, context: ContextTypes.DEFAULT_TYPE, manage: bool = True,
                  check_rights: bool = False) -> Target | None:
    """This chat (if the sender may `manage` it), or the channel named first; None after a refusal."""
    arguments = _arguments(context)
    name, _, rest = arguments.partition(" ")
    if not CHANNEL.fullmatch(name):
        if manage and not await may_manage(update, context):
            return None
        return Target(update.effective_chat.id, arguments)
    channel = await _channel(update, context, name, check_rights)
    return Target(channel.id, rest.strip(), channel) if channel is not None else None


def _about(target: Target, lang: str, text: str) -> str:
    """A reply about a channel says which one first."""
    if target.channel is None:
        return text
    return f"{escape(t('channel_named', lang, title=target.channel.title or target.channel.id))}\n{text}"


async def _register(update: Update, context: ContextTypes.DEFAULT_TYPE, target: Target) -> None:
    chat = target.channel or update.effective_chat
    await core(subscriptions_of(context).register, chat.id, chat.type, chat.title, lang_of(update))


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/subscribe: every new article; /subscribe keywords… -excluded…: articles about the keywords
    and not about the excluded ones (both added to the lists); /subscribe @channel …: the same for
    a channel, which is linked on the way."""
    target = await _target(update, context, check_rights=True)
    if target is None:
        return
    lang, subscriptions = lang_of(update), subscriptions_of(context)
    keywords, excluded = parse_keywords(target.arguments)
    if target.arguments and not keywords and not excluded:
        await reply(update, t("no_usable_keywords", lang))
        return
    if target.channel is None:
        await _register(update, context, target)
    else:
        await core(subscriptions.link_channel, target.chat_id, target.channel.title, lang, update.effective_user.id)
    thread = thread_of(update.effective_message) if target.channel is None else None
    settings = await core(subscriptions.subscribe, target.chat_id, keywords, lang, excluded, thread)
    lines = [t("subscribed_keywords", lang, keywords=", ".join(settings.keywords)) if settings.keywords
             else t("subscribed_all", lang)]
    if settings.excluded:
        lines.append(t("status_excluded", lang, keywords=", ".join(settings.excluded)))
    kept = {topic_key(k) for k in settings.keywords + settings.excluded}
    dropped = [k for k in keywords + excluded if topic_key(k) not in kept]
    if dropped:
        lines.append(t("keywords_capped", lang, max=MAX_KEYWORDS, dropped=", ".join(dropped)))
    await reply(update, _about(target, lang, escape("\n".join(lines))))


async def link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/link @channel (operators, in private): the channel gets alerts, every new article unless it
    already had keywords; also what brings back a channel where the bot had lost its rights."""
    lang, name = lang_of(update), _arguments(context).partition(" ")[0]
    if not CHANNEL.fullmatch(name):
        await reply(update, escape(t("link_usage", lang)))
        return
    channel = await _channel(update, context, name, check_rights=True)
    if channel is None:
        return
    settings = await core(subscriptions_of(context).link_channel, channel.id, channel.title, lang,
                          update.effective_user.id)
    text = f"{escape(t('channel_linked', lang))}\n{status_text(settings, lang, context.bot_data['config'].timezone)}"
    await reply(update, _about(Target(channel.id, "", channel), lang, text))


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unsubscribe or /unsubscribe all: no more alerts; /unsubscribe keywords… -excluded…: stop
    following those keywords, or excluding those (optionally after @channel)."""
    target = await _target(update, context)
    if target is None:
        return
    lang, subscriptions = lang_of(update), subscriptions_of(context)
    if not (await core(subscriptions.settings, target.chat_id)).subscribed:
        await reply(update, _about(target, lang, escape(t("not_subscribed", lang))))
        return
    everything = not target.arguments or target.arguments.lower() in ALL
    keywords, excluded = (None, None) if everything else parse_keywords(target.arguments)
    if not everything and not keywords and not excluded:
        await reply(update, t("no_usable_keywords", lang))
        return
    settings = await core(subscriptions.unsubscribe, target.chat_id, keywords, excluded)
    text = (f"{escape(t('keywords_removed', lang))}\n{status_text(settings, lang, context.bot_data['config'].timezone)}"
            if settings.subscribed else escape(t("unsubscribed", lang)))
    await reply(update, _about(target, lang, text))


async def show_subscriptions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/subscriptions: this chat's keywords, exclusions and mode (anyone may look); /subscriptions
    @channel: a channel's (operators)."""
    target = await _target(update, context, manage=False)
    if target is None:
        return
    settings = await core(subscriptions_of(context).settings, target.chat_id)
    lang = lang_of(update)
    await reply(update, _about(target, lang, status_text(settings, lang, context.bot_data["config"].timezone)))


async def digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/digest HH:MM: one message a day instead of instant alerts; /digest off: back to instant."""
    target = await _target(update, context)
    if target is None:
        return
    lang, arguments = lang_of(update), target.arguments
    zone = context.bot_data["config"].timezone
    off = arguments.lower() in ("off", "non", "stop")
    hhmm = None if off else parse_time(arguments)
    if not off and hhmm is None:
        await reply(update, t("digest_usage", lang))
        return
    await _register(update, context, target)
    settings = await core(subscriptions_of(context).set_digest, target.chat_id, hhmm, context.bot_data["clock"]())
    text = escape(t("digest_off", lang) if off else t("digest_set", lang, time=hhmm, zone=zone))
    await reply(update, _about(target, lang, f"{text}\n{status_text(settings, lang, zone)}"))


async def _set_paused(update: Update, context: ContextTypes.DEFAULT_TYPE, paused: bool) -> None:
    target = await _target(update, context)
    if target is None:
        return
    lang, subscriptions = lang_of(update), subscriptions_of(context)
    if not (await core(subscriptions.settings, target.chat_id)).subscribed:
        await reply(update, _about(target, lang, escape(t("not_subscribed", lang))))
        return
    await core(subscriptions.set_paused, target.chat_id, paused)
    await reply(update, _about(target, lang, escape(t("paused" if paused else "resumed", lang))))
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
        if chat.type not in (ChatType.PRIVATE, ChatType.CHANNEL):  # a channel's readers cannot subscribe
            await context.bot.send_message(chat.id, escape(t("hello_group", lang_of(update))))
