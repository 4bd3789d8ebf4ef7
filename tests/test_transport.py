"""The bot's HTTP client (aiohttp under python-telegram-bot's request interface):
calls, uploads, downloads and failures as PTB's own client reports them."""

from __future__ import annotations

import socket

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from handlers.transport import AiohttpRequest
from tests.botapi import BotAPIStandIn

TOKEN = "123456:" + "C" * 35


@pytest.fixture
async def server():
    stand_in = BotAPIStandIn(None)
    await stand_in.start()
    yield stand_in
    await stand_in.stop()


def bot_for(base_url: str, read_timeout: float = 5.0) -> Bot:
    return Bot(TOKEN, base_url=base_url, base_file_url=base_url.replace("/bot", "/file/bot"),
               request=AiohttpRequest(read_timeout=read_timeout))


async def test_calls_uploads_and_downloads(server):
    server.files["doc1"] = b"Titre\n\nUn texte.\n"
    async with bot_for(server.base_url) as bot:
        sent = await bot.send_message(7, "<b>Bonjour</b> & «salut»", parse_mode="HTML")
        assert sent.text == "<b>Bonjour</b> & «salut»" and sent.chat.id == 7
        assert await bot.set_chat_photo(7, photo=b"\x89PNG fake image bytes")
        downloaded = await (await bot.get_file("doc1")).download_as_bytearray()
    assert bytes(downloaded) == b"Titre\n\nUn texte.\n"
    # sent as a multipart file part
    assert server.sent(method="setChatPhoto")[0].params["photo"] == b"\x89PNG fake image bytes"


async def test_a_server_that_is_not_there_is_a_network_error():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = bot_for(f"http://127.0.0.1:{port}/bot")
    await bot.request.initialize()
    with pytest.raises(NetworkError):
        await bot.get_me()
    await bot.request.shutdown()


async def test_a_reply_slower_than_the_read_timeout_is_timed_out(server):
    server.send_delay = 1.0
    async with bot_for(server.base_url, read_timeout=0.2) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(7, "lent")
