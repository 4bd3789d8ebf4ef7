"""`run_bot.py --webhook URL`: the bot's own web server, behind a reverse proxy that terminates TLS.

PTB's `run_webhook` serves the update path and nothing else; a load balancer
also wants a health URL. So, as PTB's customwebhookbot example does, updates
are received here (aiohttp, already the bot's HTTP client) and put on
`application.update_queue`, and the application's life cycle is run here in
PTB's order:

- `POST /telegram`: an update from Telegram. 403 without the secret token
  (`X-Telegram-Bot-Api-Secret-Token`), 400 for a body that is not an update,
  413 above `MAX_UPDATE_BYTES`, 503 while the bot is starting or stopping
  (Telegram keeps the update and sends it again), else 200 once queued.
- `GET /healthz`: 200 and `{"ok": true, "status": "running", "articles": N,
  "alerts_pending": N}` while the bot serves; 503 and `"status": "starting"`
  or `"stopping"` (or `"database error"`) otherwise.

Registering the URL with Telegram (setWebhook): one bot on a SQLite file does it at each start, as
PTB's `run_webhook`. Instances sharing a PostgreSQL database do not, as each call would race the
others': `run_bot.py set-webhook URL` registers it once, and each instance at start only checks
(getWebhookInfo) that Telegram has that URL, with a warning if not.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import signal
import sqlite3

from aiohttp import web
from telegram import Bot, Update
from telegram.ext import Application

from bot.config import Config
from bot.storage import StorageError
from handlers.common import core
from handlers.transport import AiohttpRequest

log = logging.getLogger(__name__)

PATH = "/telegram"
HEALTH_PATH = "/healthz"
# Telegram's largest update (a message with its replied-to message, entities and a poll) is a few
# tens of kilobytes: anything far bigger is not from Telegram and is refused before it is read.
MAX_UPDATE_BYTES = 1024 * 1024
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)  # as PTB's run_polling


def webhook_secret(config: Config) -> str:
    """BOT_WEBHOOK_SECRET, or one derived from the token: stable across restarts, unguessable."""
    assert config.token is not None
    return config.webhook_secret or hashlib.sha256(config.token.encode()).hexdigest()[:32]


def webhook_url(public_url: str) -> str:
    """Where Telegram sends updates, for the bot's public URL (--webhook, set-webhook)."""
    return public_url.rstrip("/") + PATH


async def register_webhook(bot: Bot, config: Config, public_url: str, drop_pending_updates: bool = False) -> str:
    """setWebhook: every update type, with the secret token; the URL registered."""
    url = webhook_url(public_url)
    await bot.set_webhook(url, secret_token=webhook_secret(config), allowed_updates=Update.ALL_TYPES,
                          drop_pending_updates=drop_pending_updates)
    return url


async def set_webhook_once(config: Config, public_url: str, drop_pending_updates: bool = False) -> str:
    """`run_bot.py set-webhook URL`, through the bot's own HTTP client (and proxy)."""
    async with Bot(config.token, base_url=config.api_base_url, request=AiohttpRequest(proxy=config.proxy)) as bot:
        return await register_webhook(bot, config, public_url, drop_pending_updates)


async def announce_webhook(bot: Bot, config: Config, public_url: str) -> None:
    """At start, once the bot takes updates: register the URL (one bot, SQLite), or with a shared
    database check that Telegram has it (set-webhook registered it)."""
    if config.db_url is None:
        await register_webhook(bot, config, public_url)
        log.info("webhook %s registered", webhook_url(public_url))
        return
    registered = (await bot.get_webhook_info()).url
    if registered != webhook_url(public_url):
        log.warning("Telegram sends updates to %s, not to %s: register it once with `run_bot.py set-webhook %s` "
                    "(instances sharing a database do not, so as not to race)",
                    registered or "no webhook (long polling)", webhook_url(public_url), public_url)


class WebhookServer:
    """The two routes over one Application; `status` says whether updates are taken."""

    def __init__(self, app: Application, secret: str) -> None:
        self.app = app
        self.secret = secret.encode()
        self.status = "starting"  # then "running", then "stopping"
        self._runner: web.AppRunner | None = None

    async def start(self, host: str, port: int) -> None:
        server = web.Application(client_max_size=MAX_UPDATE_BYTES)
        server.router.add_post(PATH, self.receive)
        server.router.add_post(PATH + "/", self.receive)  # as PTB's server, with or without the slash
        server.router.add_get(HEALTH_PATH, self.health)
        self._runner = web.AppRunner(server, access_log=None)  # one line per update comes from the bot itself
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def receive(self, request: web.Request) -> web.Response:
        """An update from Telegram, queued for the application."""
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
        if not hmac.compare_digest(given, self.secret):
            log.debug("webhook request without the secret token from %s", request.remote)
            return web.Response(status=403)
        if self.status != "running":
            return web.Response(status=503)
        body = await request.read()  # aiohttp answers 413 beyond MAX_UPDATE_BYTES
        try:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise TypeError(f"JSON {type(data).__name__}, not an object")
            if type(data.get("update_id")) is not int:  # PTB takes "x", 1.5 or NaN and queues them
                raise TypeError(f"update_id {str(data.get('update_id'))[:20]!r}, not an integer")
            update = Update.de_json(data, self.app.bot)
        except Exception as error:  # whatever PTB makes of a malformed update, the answer is 400, not a crash
            log.warning("webhook: a request with the secret token is not an update (%s: %s): 400",
                        type(error).__name__, str(error)[:100])
            return web.Response(status=400)
        self.app.bot.insert_callback_data(update)  # as PTB's own server (arbitrary callback data)
        await self.app.update_queue.put(update)
        return web.Response()

    async def health(self, request: web.Request) -> web.Response:
        """For load balancers and container health checks."""
        if self.status != "running":
            return web.json_response({"ok": False, "status": self.status}, status=503)
        try:
            articles = len(await core(self.app.bot_data["kb"].articles))
            pending = (await core(self.app.bot_data["delivery"].outbox.counts)).get("pending", 0)
        except (StorageError, sqlite3.Error) as error:
            log.warning("healthz: the database failed: %s", error)
            return web.json_response({"ok": False, "status": "database error"}, status=503)
        return web.json_response({"ok": True, "status": "running", "articles": articles, "alerts_pending": pending})


async def serve_webhook(app: Application, config: Config, public_url: str) -> None:
    """Run `app` by webhook at `public_url` + /telegram until SIGINT, SIGTERM or SIGABRT, in the order of
    PTB's `run_webhook`:
    the server listens first (answering 503), the application starts, then Telegram is told the URL
    (`announce_webhook`).
    Stopping, the server answers 503 while the updates already queued are handled."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in STOP_SIGNALS:
        loop.add_signal_handler(number, stop.set)
    server = WebhookServer(app, webhook_secret(config))
    await server.start(config.webhook_listen, config.port)
    try:
        await app.initialize()
        if app.post_init:
            await app.post_init(app)
        await app.start()
        server.status = "running"
        await announce_webhook(app.bot, config, public_url)
        log.info("listening on %s port %d (%s, %s)", config.webhook_listen, config.port, PATH, HEALTH_PATH)
        await stop.wait()
    finally:
        server.status = "stopping"
        try:
            if app.running:
                await app.stop()
                if app.post_stop:
                    await app.post_stop(app)
            await app.shutdown()
            if app.post_shutdown:
                await app.post_shutdown(app)
        finally:
            await server.stop()
            for number in STOP_SIGNALS:
                loop.remove_signal_handler(number)
