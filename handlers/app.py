"""The Telegram application, wired in one place: which handler answers what, in what order."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Config
from bot.knowledge import KnowledgeBase
from bot.messages import COMMAND_DESCRIPTIONS
from bot.outbox import Outbox
from bot.questionlog import QuestionLog
from bot.storage_pg import answering_file
from bot.subscriptions import Subscriptions
from bot.watch import FolderWatch, WatchLock
from bot.workers import QuestionWorkers
from handlers import access, admin, buttons, commands, fairness, inline, questions, subscriptions, updatelog, uploads
from handlers.delivery import Delivery
from handlers.errors import on_error
from handlers.persistence import DatabasePersistence, chat_moved
from handlers.transport import AiohttpRequest
from handlers.webhook import serve_webhook

log = logging.getLogger(__name__)

CONNECTIONS = 256  # to the Bot API server, for replies sent concurrently (PTB's own default)
NEW_MESSAGES = filters.UpdateType.MESSAGE  # edited messages and channel posts are not questions
PRIVATE = filters.ChatType.PRIVATE
GROUPS = filters.ChatType.GROUPS
# Every message the bot sends is HTML (text from articles and users escaped), never with a link preview.
DEFAULTS = Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))

# The command menus per scope: group members may read, group administrators also subscribe.
ARTICLE_COMMANDS = ["help", "articles", "summary", "quote", "source"]
ALERT_COMMANDS = ["subscribe", "unsubscribe", "subscriptions", "digest", "pause", "resume"]
PRIVATE_COMMANDS = ["start", *ARTICLE_COMMANDS, *ALERT_COMMANDS]
GROUP_COMMANDS = [*ARTICLE_COMMANDS, "subscriptions"]
ADMIN_COMMANDS = [*ARTICLE_COMMANDS, *ALERT_COMMANDS]
OPERATOR_COMMANDS = ["stats", "unanswered", "forget", "restore", "link"]  # added to BOT_ADMIN_IDS' private menus


def add_handlers(app: Application) -> None:
    """The table of contents."""
    # Before anything else: is the chat served at all (BOT_ALLOWED_CHATS, handlers/access.py),
    # then every update spends its sender's budget (handlers/fairness.py).
    app.add_handler(TypeHandler(Update, access.gate), group=-2)
    app.add_handler(TypeHandler(Update, fairness.gate), group=-1)
    # Commands, in private chats and groups alike (PTB ignores /cmd@OtherBot).
    app.add_handler(CommandHandler("start", commands.start, filters=NEW_MESSAGES))
    app.add_handler(CommandHandler("help", commands.help_command, filters=NEW_MESSAGES))
    app.add_handler(CommandHandler("articles", commands.articles, filters=NEW_MESSAGES))
    app.add_handler(CommandHandler("summary", commands.summary, filters=NEW_MESSAGES))
    app.add_handler(CommandHandler("quote", commands.quote, filters=NEW_MESSAGES))
    app.add_handler(CommandHandler("source", commands.source, filters=NEW_MESSAGES))
    # Alert subscriptions (changes need a group administrator), and the bot joining or leaving a chat.
    app.add_handler(CommandHandler("subscribe", subscriptions.subscribe, filters=NEW_MESSAGES))
    app.add_handler(CommandHandler("unsubscribe", subscriptions.unsubscribe, filters=NEW_MESSAGES))
    app.add_handler(CommandHandler("subscriptions", subscriptions.show_subscriptions, filters=NEW_MESSAGES))
    app.add_handler(CommandHandler("digest", subscriptions.digest, filters=NEW_MESSAGES))
    app.add_handler(CommandHandler("pause", subscriptions.pause, filters=NEW_MESSAGES))
    app.add_handler(CommandHandler("resume", subscriptions.resume, filters=NEW_MESSAGES))
    app.add_handler(CommandHandler("link", subscriptions.link, filters=NEW_MESSAGES))  # a channel (operators)
    # The operators' commands (BOT_ADMIN_IDS, in private; anyone else is told so in one line).
    app.add_handler(CommandHandler("stats", admin.stats, filters=NEW_MESSAGES))
    app.add_handler(CommandHandler("unanswered", admin.unanswered, filters=NEW_MESSAGES))
    app.add_handler(CommandHandler("forget", admin.forget, filters=NEW_MESSAGES))
    app.add_handler(CommandHandler("restore", admin.restore, filters=NEW_MESSAGES))
    app.add_handler(ChatMemberHandler(subscriptions.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(NEW_MESSAGES & filters.COMMAND, commands.unknown_command))
    # Article files from the operators, in private.
    app.add_handler(MessageHandler(NEW_MESSAGES & PRIVATE & filters.Document.ALL, uploads.document))
    # Questions: any text in private; in groups only when the bot is mentioned or replied to.
    app.add_handler(MessageHandler(NEW_MESSAGES & PRIVATE & filters.TEXT, questions.private_text))
    app.add_handler(MessageHandler(NEW_MESSAGES & GROUPS & filters.TEXT, questions.group_text))
    # A group that became a supergroup takes its state (answers under buttons, /source) along.
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, chat_moved))
    app.add_handler(MessageHandler(NEW_MESSAGES & ~filters.TEXT, questions.non_text))
    # Buttons under answers and alerts (their data is read in handlers/buttons.py), and inline mode.
    app.add_handler(CallbackQueryHandler(questions.other_answer, pattern=buttons.pattern("alt")))
    app.add_handler(CallbackQueryHandler(questions.show_context, pattern=buttons.pattern("ctx")))
    app.add_handler(CallbackQueryHandler(commands.full_summary, pattern=buttons.pattern("sum")))
    app.add_handler(InlineQueryHandler(inline.inline_query))
    # Last: any other press (stale, forged, from an inline message) is answered too, or its button spins.
    app.add_handler(CallbackQueryHandler(buttons.unknown))
    app.add_error_handler(on_error)


async def set_commands(app: Application) -> None:
    """Register the command menus per scope, in French and in English."""
    scopes = [
        (BotCommandScopeAllPrivateChats(), PRIVATE_COMMANDS),
        (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
        (BotCommandScopeAllChatAdministrators(), ADMIN_COMMANDS),
    ]
    for scope, names in scopes:
        await _set_menu(app, scope, names)
    # Each operator's private chat: the private menu and the operators' commands. Telegram refuses a
    # chat it does not know (an operator who never wrote to the bot): their menu comes at a later start.
    for operator in sorted(app.bot_data["config"].admin_ids):
        try:
            await _set_menu(app, BotCommandScopeChat(operator), [*PRIVATE_COMMANDS, *OPERATOR_COMMANDS])
        except BadRequest as error:
            log.warning("no operators' command menu for %s: %s", operator, error.message)


async def _set_menu(app: Application, scope: BotCommandScope, names: list[str]) -> None:
    """One scope's menu, in French (the default) and in English."""
    for lang in ("fr", "en"):
        menu = [BotCommand(name, COMMAND_DESCRIPTIONS[name][lang]) for name in names]
        await app.bot.set_my_commands(menu, scope=scope, language_code=None if lang == "fr" else lang)


async def on_start(app: Application) -> None:
    """After the bot is initialised: command menus, the question workers, then the alert worker."""
    await set_commands(app)
    app.bot_data["workers"].start()
    await access.stop_alerts_outside(app)
    await app.bot_data["delivery"].start()
    # On PostgreSQL: copy what other instances store into this one's local file as it comes.
    app.bot_data["kb"].follow(app.bot_data["config"].alert_interval)
    # What exists now (vocabulary, word vectors, the application) lives as long as the bot: kept out
    # of the garbage collector's full passes, which otherwise stalled replies for 65 ms at 300 updates/s.
    gc.freeze()


async def on_stop(app: Application) -> None:
    """Before the connection closes: let the alert in flight and the questions being answered finish."""
    await app.bot_data["delivery"].stop()
    await app.bot_data["workers"].stop()
    app.bot_data["kb"].unfollow()


def build_application(config: Config, kb: KnowledgeBase, rate_limited: bool = True,
                      clock: Callable[[], float] = time.time) -> Application:
    """The python-telegram-bot Application for this configuration.

    `rate_limited=False` is only for measuring raw capacity (bench/): Telegram
    itself would refuse the bursts that the limiter smooths out, and each user's
    budget (handlers/fairness.py) is lifted too. `clock` gives the time for
    digests, retries and budgets (tests move it by hand).
    """
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.api_base_url)
        .base_file_url(config.api_base_url.replace("/bot", "/file/bot", 1))
        .request(AiohttpRequest(connection_pool_size=CONNECTIONS, proxy=config.proxy))
        .get_updates_request(AiohttpRequest(proxy=config.proxy))
        .application_class(fairness.FairApplication)
        .concurrent_updates(fairness.FairUpdateProcessor())
        .post_init(on_start)
        .post_stop(on_stop)
        .defaults(DEFAULTS)
        # Chat state (answers under buttons, /source, follow-ups) in the bot's database (BOT_DB).
        .persistence(DatabasePersistence(config.db_url or config.db_path))
    )
    if rate_limited:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app = builder.build()
    # Subscriptions and the outbox live in BOT_DB (the knowledge base's file, or the shared PostgreSQL
    # database), on their own connections.
    chats = Subscriptions(config.db_url or kb.path, config.timezone)
    # Instances sharing a PostgreSQL database watch the folder one at a time.
    lock = WatchLock(config.db_url) if config.db_url else None
    watch = FolderWatch(config.articles_dir, lock) if config.articles_dir.is_dir() else None
    outbox = Outbox(config.db_url or kb.path, config.timezone)  # on PostgreSQL: shared by the instances
    delivery = Delivery(app.bot, kb, outbox, chats, watch, config.alert_interval, clock)
    app.bot_data.update(kb=kb, config=config, subscriptions=chats, delivery=delivery, clock=clock,
                        workers=QuestionWorkers(kb, config.workers))
    # For /stats and /unanswered; on PostgreSQL, every instance's questions in one table.
    app.bot_data["questions"] = QuestionLog(config.db_url or kb.path, config.log_questions, clock)
    if rate_limited:
        app.bot_data[fairness.BUDGETS] = fairness.default_budgets(clock)
    add_handlers(app)
    updatelog.trace(app)  # after every handler is added: each names itself in its update's log line
    return app


def run(config: Config, webhook_url: str | None = None) -> int:
    """Run until SIGINT/SIGTERM (both stop cleanly); returns the exit code."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll request is noise
    kb = KnowledgeBase(answering_file(config), config.articles_dir, shared=config.db_url)
    kb.warm_up()  # for the questions answered here until the worker processes are ready
    app = build_application(config, kb)
    log.info("starting with %d articles, API %s", len(kb.articles()), config.api_base_url)
    if webhook_url:
        asyncio.run(serve_webhook(app, config, webhook_url))
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
