"""A stand-in for the Telegram Bot API server, on 127.0.0.1, for end-to-end tests.

The real python-telegram-bot Application talks to it over real HTTP exactly as
it would to api.telegram.org or a self-hosted server. Tests queue updates
(served through getUpdates), read what the bot sent, and can make a method
fail (429 with retry_after, ...). Every call is checked against the published
method list (`shared/telegram-bot-api-spec/api.min.json`): an unknown method
or parameter name is recorded in `violations`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from telegram.ext import Application

from handlers.app import on_start, on_stop

SPEC_PATH = Path(__file__).resolve().parent.parent.parent / "shared" / "telegram-bot-api-spec" / "api.min.json"
ANONYMOUS_ADMIN = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
ADMIN_RIGHTS = dict.fromkeys(
    ["can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
     "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
     "can_edit_stories", "can_delete_stories"], False)
BOT = {"id": 4242, "is_bot": True, "first_name": "Articles", "username": "ArticlesQABot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float


def load_spec(path: Path) -> dict[str, set[str]] | None:
    if not path.is_file():
        return None
    methods = json.loads(path.read_text(encoding="utf-8"))["methods"]
    return {name: {f["name"] for f in m.get("fields", [])} for name, m in methods.items()}


class BotAPIStandIn:
    def __init__(self, spec: dict[str, set[str]] | None) -> None:
        self.spec = spec
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.failures: dict[str, list[tuple[int, dict]]] = {}
        self.sent_ids: list[int] = []  # ids given to the bot's sent messages, in order
        self.chat_errors: dict[int, tuple[int, dict]] = {}  # every sendMessage to that chat fails so
        self.admins: dict[int, set[int]] = {}  # group id -> ids of its administrators
        self.chats: dict[int, dict] = {}  # chat id -> Chat, for getChat (by id or "@username")
        self.no_posting: set[int] = set()  # channels whose administrators may not post
        self.deleted_topics: set[tuple[int, int]] = set()  # (chat id, forum topic id) gone: sending there fails
        self.files: dict[str, bytes] = {}  # file_id -> content, for getFile and downloads
        self.send_delay = 0.0  # seconds each sendMessage takes
        self.pushed: dict[int, dict] = {}  # update id -> every update queued, as queued
        # What getWebhookInfo answers; setWebhook sets the URL.
        self.webhook_info: dict[str, Any] = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._new_update = asyncio.Event()
        self._new_call = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- server ----------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if isinstance(value, web.FileField):  # an upload: its bytes (the part is closed after the request)
                params[key] = value.file.read()
                continue
            try:
                params[key] = json.loads(value)
            except json.JSONDecodeError:
                params[key] = value
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        self._check(method, params)
        if method != "getUpdates":
            self.calls.append(Call(method, params, time.monotonic()))
            self._new_call.set()
        queued = self.failures.get(method)
        if queued:
            status, body = queued.pop(0)
            return web.json_response(body, status=status)
        if method == "sendMessage" and int(params.get("chat_id", 0)) in self.chat_errors:
            status, body = self.chat_errors[int(params["chat_id"])]
            return web.json_response(body, status=status)
        if method == "sendMessage" and (int(params["chat_id"]), params.get("message_thread_id")) in self.deleted_topics:
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": "Bad Request: message thread not found"}, status=400)
        if method == "getChat" and self._chat(params["chat_id"]) is None:
            return web.json_response({"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
                                     status=400)
        result = await self._result(method, params)
        return web.json_response({"ok": True, "result": result})

    def _check(self, method: str, params: dict[str, Any]) -> None:
        if self.spec is None:
            return
        if method not in self.spec:
            self.violations.append(f"unknown method {method}")
            return
        for name in params:
            if name not in self.spec[method]:
                self.violations.append(f"{method}: unknown parameter {name}")

    def _chat(self, ref: int | str) -> dict | None:
        """A known chat by its id or its "@username"."""
        if isinstance(ref, str) and ref.startswith("@"):
            return next((c for c in self.chats.values() if c.get("username", "").lower() == ref[1:].lower()), None)
        return self.chats.get(int(ref))

    async def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT
        if method == "setWebhook":
            self.webhook_info["url"] = params["url"]
        if method == "getWebhookInfo":
            return self.webhook_info
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "getChat":
            return {**self._chat(params["chat_id"]), "accent_color_id": 0, "max_reaction_count": 11}
        if method == "getChatMember":
            chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
            user = {"id": user_id, "is_bot": False, "first_name": "U"}
            channel = self.chats.get(chat_id, {}).get("type") == "channel"
            if user_id in self.admins.get(chat_id, set()):
                rights = {"can_post_messages": chat_id not in self.no_posting, "can_edit_messages": False} \
                    if channel else {}
                return {"status": "administrator", "user": user, **ADMIN_RIGHTS, **rights}
            return {"status": "left" if channel else "member", "user": user}
        if method == "getFile":
            file_id = params["file_id"]
            return {"file_id": file_id, "file_unique_id": file_id, "file_size": len(self.files[file_id]),
                    "file_path": f"documents/{file_id}"}
        if method == "sendMessage" and self.send_delay:
            await asyncio.sleep(self.send_delay)
        if method in ("sendMessage", "editMessageText"):
            chat_id = params.get("chat_id", 1)
            message_id = params.get("message_id") or next(self._message_ids)
            if method == "sendMessage":
                self.sent_ids.append(message_id)
            chat = self.chats.get(int(chat_id)) or {"id": chat_id, "type": "private" if int(chat_id) > 0
                                                    else "supergroup"}
            topic = {"message_thread_id": params["message_thread_id"], "is_topic_message": True} \
                if params.get("message_thread_id") else {}
            return {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": BOT,
                    "text": params.get("text", ""), **topic}
        return True

    async def _download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id])

    async def _get_updates(self, params: dict[str, Any]) -> list[dict]:
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout=min(float(params.get("timeout") or 0), 1.0))
            except TimeoutError:
                pass
        return self._updates[:100]

    # --- test side ---------------------------------------------------------------

    def push(self, update: dict) -> int:
        update_id = next(self._update_ids)
        self.pushed[update_id] = {"update_id": update_id, **update}
        self._updates.append(self.pushed[update_id])
        self._new_update.set()
        return update_id

    def message(self, text: str | None, chat_id: int = 100, user_id: int = 100, lang: str = "fr",
                reply_to: dict | None = None, kind: str = "message", **extra: Any) -> int:
        """Queue a message update from a user; chat ids below zero are groups."""
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        if chat_id < 0:
            chat["title"] = "Groupe"
        message: dict[str, Any] = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
                                   "from": {"id": user_id, "is_bot": False, "first_name": "U", "language_code": lang},
                                   **extra}
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return self.push({kind: message})

    def document(self, file_name: str, data: bytes, chat_id: int = 100, user_id: int = 100,
                 size: int | None = None) -> int:
        """Queue a message carrying a file (served back by getFile and the download URL)."""
        file_id = f"file{len(self.files) + 1}"
        self.files[file_id] = data
        return self.message(None, chat_id=chat_id, user_id=user_id, document={
            "file_id": file_id, "file_unique_id": file_id, "file_name": file_name,
            "file_size": len(data) if size is None else size})

    def channel(self, chat_id: int, username: str, admin: bool = True, may_post: bool = True) -> dict:
        """A channel getChat knows (as @username), with the bot among its administrators if `admin`,
        allowed to post if `may_post`."""
        self.chats[chat_id] = {"id": chat_id, "type": "channel", "title": f"Canal {username}", "username": username}
        if admin:
            self.admins.setdefault(chat_id, set()).add(BOT["id"])
        if not may_post:
            self.no_posting.add(chat_id)
        return self.chats[chat_id]

    def membership(self, chat_id: int, old: str, new: str, user_id: int = 100, lang: str = "fr") -> int:
        """Queue a my_chat_member update: the bot's status in a chat went from `old` to `new`."""
        def member(status: str) -> dict:
            return {"status": status, "user": BOT, **({"until_date": 0} if status == "kicked" else {})}

        chat = {"id": chat_id, "type": "private"} if chat_id > 0 else {"id": chat_id, "type": "group", "title": "G"}
        return self.push({"my_chat_member": {
            "chat": chat, "date": int(time.time()), "old_chat_member": member(old), "new_chat_member": member(new),
            "from": {"id": user_id, "is_bot": False, "first_name": "U", "language_code": lang}}})

    def callback(self, data: str | None, message_id: int | None = None, chat_id: int = 100, user_id: int = 100,
                 lang: str = "fr", inline_message_id: str | None = None, inaccessible: bool = False,
                 game: str | None = None, thread_id: int | None = None) -> int:
        """Queue a button press: under the bot's message `message_id` (an InaccessibleMessage, date 0,
        when `inaccessible`: older than 48 hours; in forum topic `thread_id` if given), or under an
        inline message (`inline_message_id`, no message, no chat). `data` None with `game`: a game
        button, which carries no data."""
        press: dict[str, Any] = {"id": str(next(self._message_ids)), "chat_instance": "ci",
                                 "from": {"id": user_id, "is_bot": False, "first_name": "U", "language_code": lang}}
        if data is not None:
            press["data"] = data
        if game is not None:
            press["game_short_name"] = game
        if inline_message_id is not None:
            press["inline_message_id"] = inline_message_id
        if message_id is not None:
            chat = self.chats.get(chat_id) or {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
            topic = {"message_thread_id": thread_id, "is_topic_message": True} if thread_id is not None else {}
            press["message"] = ({"message_id": message_id, "date": 0, "chat": chat} if inaccessible else
                                {"message_id": message_id, "date": int(time.time()), "from": BOT, "chat": chat,
                                 "text": "x", **topic})
        return self.push({"callback_query": press})

    def press_id(self, update_id: int) -> str:
        """The callback query id of a press queued by `callback`, as answerCallbackQuery names it."""
        return self.pushed[update_id]["callback_query"]["id"]

    def inline(self, query: str, user_id: int = 100, lang: str = "fr") -> int:
        return self.push({"inline_query": {
            "id": str(next(self._message_ids)), "query": query, "offset": "",
            "from": {"id": user_id, "is_bot": False, "first_name": "U", "language_code": lang}}})

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == method
                and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)]

    async def wait_for(self, method: str = "sendMessage", chat_id: int | None = None, count: int = 1,
                       timeout: float = 15.0) -> list[Call]:
        """Wait until the bot has made `count` such calls; returns them."""
        deadline = time.monotonic() + timeout
        while len(self.sent(method, chat_id)) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"bot made {len(self.sent(method, chat_id))}/{count} {method} calls "
                                     f"to {chat_id}; calls: {[c.method for c in self.calls]}")
            self._new_call.clear()
            try:
                await asyncio.wait_for(self._new_call.wait(), timeout=min(remaining, 0.5))
            except TimeoutError:
                pass
        return self.sent(method, chat_id)

    async def quiet(self, seconds: float = 1.0) -> None:
        """Let the bot process what is queued (for asserting that nothing was sent)."""
        await asyncio.sleep(seconds)


@asynccontextmanager
async def stand_in(server: BotAPIStandIn | None = None) -> AsyncIterator[BotAPIStandIn]:
    """A stand-in Bot API (`server`, or a new one checking calls against the spec) started on
    127.0.0.1; afterwards, no call outside the spec."""
    server = server or BotAPIStandIn(load_spec(SPEC_PATH))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    assert server.violations == []


@asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:
    """`app` started as `run_bot.py` starts it (post-init included, question workers ready),
    polling its server; stopped as SIGTERM stops it."""
    await app.initialize()
    await on_start(app)
    await app.start()
    await app.bot_data["workers"].started()
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield app
    finally:
        if app.updater.running:
            await app.updater.stop()
        await app.stop()
        await on_stop(app)
        await app.shutdown()
