"""The Telegram application, wired in one place: which handler answers what, in what order."""

from __future__ import annotations

import gc
import hashlib
import logging
import time
from collections.abc import Callable

from telegram import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Update,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Config
from bot.knowledge import KnowledgeBase
from bot.messages import COMMAND_DESCRIPTIONS
from bot.outbox import Outbox
from bot.subscriptions import Subscriptions
from bot.watch import FolderWatch
from bot.workers import QuestionWorkers
from handlers import buttons, commands, fairness, inline, questions, subscriptions, uploads
from handlers.delivery import Delivery
from handlers.errors import on_error
from handlers.transport import AiohttpRequest

log = logging.getLogger(__name__)

CONNECTIONS = 256  # to the Bot API server, for replies sent concurrently (PTB's own default)
NEW_MESSAGES = filters.UpdateType.MESSAGE  # edited messages and channel posts are not questions
PRIVATE = filters.ChatType.PRIVATE
GROUPS = filters.ChatType.GROUPS

# The command menus per scope: group members may read, group administrators also subscribe.
ARTICLE_COMMANDS = ["help", "articles", "summary", "quote", "source"]
ALERT_COMMANDS = ["subscribe", "unsubscribe", "subscriptions", "digest", "pause", "resume"]
PRIVATE_COMMANDS = ["start", *ARTICLE_COMMANDS, *ALERT_COMMANDS]
GROUP_COMMANDS = [*ARTICLE_COMMANDS, "subscriptions"]
ADMIN_COMMANDS = [*ARTICLE_COMMANDS, *ALERT_COMMANDS]


def add_handlers(app: Application) -> None:
    """The table of contents."""
    # Before anything else, every update spends its sender's budget (handlers/fairness.py).
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
    app.add_handler(ChatMemberHandler(subscriptions.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(NEW_MESSAGES & filters.COMMAND, commands.unknown_command))
    # Article files from the operators, in private.
    app.add_handler(MessageHandler(NEW_MESSAGES & PRIVATE & filters.Document.ALL, uploads.document))
    # Questions: any text in private; in groups only when the bot is mentioned or replied to.
    app.add_handler(MessageHandler(NEW_MESSAGES & PRIVATE & filters.TEXT, questions.private_text))
    app.add_handler(MessageHandler(NEW_MESSAGES & GROUPS & filters.TEXT, questions.group_text))
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
        for lang in ("fr", "en"):
            menu = [BotCommand(name, COMMAND_DESCRIPTIONS[name][lang]) for name in names]
            await app.bot.set_my_commands(menu, scope=scope, language_code=None if lang == "fr" else lang)


async def on_start(app: Application) -> None:
    """After the bot is initialised: command menus, the question workers, then the alert worker."""
    await set_commands(app)
    app.bot_data["workers"].start()
    await app.bot_data["delivery"].start()
    # What exists now (vocabulary, word vectors, the application) lives as long as the bot: kept out
    # of the garbage collector's full passes, which otherwise stalled replies for 65 ms at 300 updates/s.
    gc.freeze()


async def on_stop(app: Application) -> None:
    """Before the connection closes: let the alert in flight and the questions being answered finish."""
    await app.bot_data["delivery"].stop()
    await app.bot_data["workers"].stop()


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
        .request(AiohttpRequest(connection_pool_size=CONNECTIONS))
        .get_updates_request(AiohttpRequest())
        .application_class(fairness.FairApplication)
        .concurrent_updates(fairness.FairUpdateProcessor())
        .post_init(on_start)
        .post_stop(on_stop)
    )
    if rate_limited:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app = builder.build()
    # Subscriptions and the outbox live in the knowledge base's database file, on their own connections.
    chats = Subscriptions(kb.path, config.timezone)
    watch = FolderWatch(config.articles_dir) if config.articles_dir.is_dir() else None
    delivery = Delivery(app.bot, kb, Outbox(kb.path, config.timezone), chats, watch, config.alert_interval, clock)
    app.bot_data.update(kb=kb, config=config, subscriptions=chats, delivery=delivery, clock=clock,
                        workers=QuestionWorkers(kb, config.workers))
    if rate_limited:
        app.bot_data[fairness.BUDGETS] = fairness.default_budgets(clock)
    add_handlers(app)
    return app


def run(config: Config, webhook_url: str | None = None) -> int:
    """Run until SIGINT/SIGTERM (PTB stops cleanly on both); returns the exit code."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll request is noise
    kb = KnowledgeBase(config.db_path, config.articles_dir)
    kb.warm_up()  # for the questions answered here until the worker processes are ready
    app = build_application(config, kb)
    log.info("starting with %d articles, API %s", len(kb.articles()), config.api_base_url)
    if webhook_url:
        secret = config.webhook_secret or hashlib.sha256(config.token.encode()).hexdigest()[:32]
        app.run_webhook(listen=config.webhook_listen, port=config.port, url_path="telegram",
                        webhook_url=webhook_url.rstrip("/") + "/telegram", secret_token=secret,
                        allowed_updates=Update.ALL_TYPES)
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
