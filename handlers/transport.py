"""How the bot speaks HTTP to the Bot API: python-telegram-bot's request
interface (`BaseRequest`) over an aiohttp client session.

PTB's default client (httpx) spent 1–2 ms of CPU per request on this machine
against aiohttp's 0.2–0.3 ms; a question costs at least two requests (its
share of getUpdates, then sendMessage), so the client set how many questions
per second one process can answer (bench/bench_telegram.py). PTB keeps
everything else: building the calls, reading the JSON, mapping Telegram's
errors and the rate limiter.
"""

from __future__ import annotations

import re

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.config import TOKEN_SHAPE, secret_pattern
from handlers import updatelog

DEFAULT_TIMEOUT = 5.0  # seconds, for connecting and for reading, as PTB's own default client
POOL_TIMEOUT = 1.0  # waiting for a free connection


def _given(value: object, default: float | None) -> float | None:
    """The timeout a call asked for, or `default` when it left PTB's placeholder."""
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value  # type: ignore[return-value]


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a pool of keep-alive connections to the Bot API server, or to
    `proxy` (an http:// URL) which then relays every call.

    aiohttp has no write timeout: `write_timeout` is accepted and not applied (a
    request body here is at most a few kilobytes of form data)."""

    __slots__ = ("_pool_size", "_proxy", "_read_timeout", "_session")

    def __init__(self, connection_pool_size: int = 1, read_timeout: float | None = DEFAULT_TIMEOUT,
                 proxy: str | None = None) -> None:
        self._pool_size = connection_pool_size
        self._proxy = proxy
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # Created here, inside the running event loop that will use it.
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=None))

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
        write_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
        connect_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
        pool_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        updatelog.count_call()
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_given(pool_timeout, POOL_TIMEOUT),  # aiohttp counts the wait for a pooled connection here
            sock_connect=_given(connect_timeout, DEFAULT_TIMEOUT),
            sock_read=_given(read_timeout, self._read_timeout),
        )
        try:
            async with self._session.request(method, url, data=_body(request_data), timeout=timeout,
                                             headers={"User-Agent": self.USER_AGENT}, proxy=self._proxy) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut(f"Timed out talking to the Bot API server: {error.__class__.__name__}") from error
        except aiohttp.ClientError as error:
            # Some aiohttp errors quote the URL, and the URL holds the token: this message is logged.
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {_without_token(str(error), url)}") from error


def _without_token(text: str, url: str) -> str:
    token = re.search(TOKEN_SHAPE, url)
    return secret_pattern(token.group()).sub("<token>", text) if token else text


def _body(request_data: RequestData | None) -> aiohttp.FormData | None:
    """The call's parameters as a form (multipart when it uploads files), as PTB's own client sends them."""
    if request_data is None:
        return None
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mime_type) in (request_data.multipart_data or {}).items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
