"""TELEGRAM_PROXY / HTTPS_PROXY: the bot's HTTP client and the start-up getMe go through the proxy.

The Bot API here is at `bot-api.test`, a name only the test's forward proxy resolves (to the
stand-in on 127.0.0.1): a call that reached the stand-in went through the proxy."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web

from bot.config import load_config
from handlers.app import build_application
from tests.botapi import BotAPIStandIn, load_spec, polling
from tests.conftest import SPEC_PATH, TOKEN, bot_environment, start_run_bot

HIDDEN = "bot-api.test"  # .test never resolves (RFC 2606)
HIDDEN_URL = f"http://{HIDDEN}/bot"


class ForwardProxy:
    """An HTTP forward proxy on 127.0.0.1 for http:// URLs (requests in absolute form, as clients
    send them to a proxy); `hosts` maps names only it knows to real host:port."""

    def __init__(self, hosts: dict[str, str]) -> None:
        self.hosts = hosts
        self.seen: list[str] = []  # "METHOD absolute-URL" of every request relayed
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._relay)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None), auto_decompress=False)

    async def stop(self) -> None:
        assert self._runner is not None and self._client is not None
        await self._runner.cleanup()
        await self._client.close()

    async def _relay(self, request: web.Request) -> web.Response:
        assert self._client is not None
        target = request.url  # the host the client asked for, not this proxy's
        if target.host not in self.hosts:
            return web.Response(status=502, text=f"proxy: no route to {target}")
        self.seen.append(f"{request.method} {target}")
        host, port = self.hosts[target.host].split(":")
        upstream = target.with_host(host).with_port(int(port))
        headers = {name: value for name, value in request.headers.items()
                   if name.lower() in ("content-type", "user-agent", "accept")}
        async with self._client.request(request.method, upstream, headers=headers,
                                        data=await request.read()) as response:
            return web.Response(status=response.status, body=await response.read(),
                                content_type=response.content_type)


@pytest.fixture
async def stand_in():
    server = BotAPIStandIn(load_spec(SPEC_PATH))
    await server.start()
    yield server
    await server.stop()
    assert server.violations == []


@pytest.fixture
async def proxy(stand_in):
    forward = ForwardProxy({HIDDEN: f"127.0.0.1:{stand_in.port}"})
    await forward.start()
    yield forward
    await forward.stop()


def methods(proxy: ForwardProxy) -> set[str]:
    return {line.rsplit("/", 1)[1] for line in proxy.seen}


async def test_the_bot_answers_through_the_proxy(stand_in, proxy, kb, tmp_path):
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": HIDDEN_URL,
                          "TELEGRAM_PROXY": proxy.url, "BOT_DB": str(tmp_path / "unused.db"), "BOT_WORKERS": "0"})
    async with polling(build_application(config, kb)):
        stand_in.message("Où est basée la plate-forme Kraken ?")
        (call,) = await stand_in.wait_for(chat_id=100)
    assert "San Francisco" in call.params["text"]
    assert {"getMe", "getUpdates", "setMyCommands", "sendMessage"} <= methods(proxy)
    assert all(line.split()[1].startswith(f"{HIDDEN_URL}{TOKEN}/") for line in proxy.seen)


async def test_https_proxy_is_used_when_telegram_proxy_is_unset(stand_in, proxy, kb, tmp_path):
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": HIDDEN_URL,
                          "HTTPS_PROXY": proxy.url, "BOT_DB": str(tmp_path / "unused.db"), "BOT_WORKERS": "0"})
    async with polling(build_application(config, kb)):
        stand_in.message("/help")
        await stand_in.wait_for(chat_id=100)
    assert "sendMessage" in methods(proxy)


async def test_run_bot_start_up_check_goes_through_the_proxy(stand_in, proxy, tmp_path):
    """`run_bot.py`'s getMe before anything loads: here the Bot API refuses the token, which
    ends the start at once, so the refusal can only have come through the proxy."""
    stand_in.failures["getMe"] = [(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})]
    env = bot_environment(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=HIDDEN_URL, TELEGRAM_PROXY=proxy.url,
                          BOT_DB=str(tmp_path / "bot.db"), BOT_START_TIMEOUT="0")
    process = await start_run_bot(tmp_path, env, capture=True)
    _, stderr = await process.communicate()
    assert process.returncode == 2, stderr.decode()
    assert f"{HIDDEN_URL} refused TELEGRAM_BOT_TOKEN (401 Unauthorized)" in stderr.decode()
    assert proxy.seen == [f"GET {HIDDEN_URL}{TOKEN}/getMe"]
