"""The bot token never appears in a log line: not in messages, exception text, tracebacks or stacks,
in any letter case, URL-encoded or not."""

from __future__ import annotations

import asyncio
import io
import logging
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from telegram.error import BadRequest, NetworkError

from bot.config import load_config
from bot.logs import log_filters
from tests.botapi import BotAPIStandIn, load_spec
from tests.conftest import PROJECT, SPEC_PATH, bot_environment, start_run_bot

TOKEN = "987654:AbCdEfGhIjKlMnOpQrStUvWxYz_0123-456789"
SECRET = TOKEN.split(":")[1]


def spellings(base: str = "https://api.telegram.org/bot") -> list[str]:
    """The token as a URL quotes it, in the ways that slipped through before."""
    url = f"{base}{TOKEN}/getUpdates"
    return [url, url.lower(), url.upper(), url.replace(TOKEN, TOKEN.replace(":", "%3A")),
            TOKEN.replace(":", "%3a"), SECRET.swapcase()]


def leaked(text: str) -> bool:
    return SECRET.lower() in text.lower()


@pytest.fixture
def captured(request) -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose handler has the filters the bot configures (`log_filters`), at the given level."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    for log_filter in log_filters(load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_LOG_LEVEL": request.param})):
        handler.addFilter(log_filter)
    logger = logging.getLogger(f"test_secrets.{request.node.name}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield logger, stream
    logger.removeHandler(handler)


@pytest.mark.parametrize("captured", ["DEBUG", "INFO"], indirect=True)
def test_token_is_redacted_from_messages_exceptions_and_tracebacks(captured):
    logger, stream = captured
    for text in spellings():
        logger.info("calling %s", text)
        logger.info(text)
        try:
            raise BadRequest(f"Bad Request: wrong url {text}")
        except BadRequest:
            logger.exception("error while handling update %s", 1)
        try:
            try:
                raise ValueError(text)
            except ValueError as cause:
                raise RuntimeError("request failed") from cause
        except RuntimeError as error:
            logger.error("chained", exc_info=error)
        logger.warning("where: %s", text, stack_info=True)
    out = stream.getvalue()
    assert "<token>" in out and "Traceback" in out
    assert not leaked(out), [line for line in out.splitlines() if leaked(line)]


@pytest.mark.parametrize("captured", ["INFO"], indirect=True)
def test_network_failure_is_one_line_without_traceback_and_redacted(captured):
    logger, stream = captured
    try:
        raise NetworkError(f"aiohttp.ClientConnectorError: cannot connect to {spellings()[1]}")
    except NetworkError:
        logger.exception("Exception happened while polling for updates.")
    out = stream.getvalue()
    assert out.count("\n") == 1 and "Traceback" not in out
    assert "polling for updates: NetworkError: aiohttp.ClientConnectorError" in out
    assert not leaked(out)


def test_uncaught_exception_is_redacted(tmp_path):
    """An unexpected error's traceback goes through the same handlers (sys.excepthook)."""
    code = ("import os; from bot.logs import configure_logging; from bot.config import load_config; "
            "configure_logging(load_config()); raise RuntimeError(os.environ['URL'])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT,
                            env=bot_environment(TELEGRAM_BOT_TOKEN=TOKEN, URL=spellings()[2]), timeout=60)
    assert "RuntimeError" in result.stderr and "<token>" in result.stderr
    assert not leaked(result.stderr)


async def test_bot_api_errors_echoing_the_url_never_put_the_token_in_the_log(tmp_path):
    """End to end: `run_bot.py` at DEBUG against a stand-in whose errors quote the request URL in
    every spelling (polling, a reply, the API down for a moment)."""
    server = BotAPIStandIn(load_spec(SPEC_PATH))
    await server.start()
    echoed = ", ".join(spellings(server.base_url))
    server.failures["getUpdates"] = [
        (400, {"ok": False, "error_code": 400, "description": f"Bad Request: unknown url {echoed}"}),
        (502, {"ok": False, "error_code": 502, "description": f"Bad Gateway at {echoed}"}),
    ]
    server.chat_errors[100] = (403, {"ok": False, "error_code": 403,
                                     "description": f"Forbidden: bot was blocked by the user ({echoed})"})
    env = bot_environment(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url,
                          BOT_DB=str(tmp_path / "bot.db"), BOT_LOG_LEVEL="DEBUG", BOT_WORKERS="0")
    process = await start_run_bot(tmp_path, env, capture=True)
    try:
        await server.wait_for("setMyCommands", count=6, timeout=60)
        server.message("Où est basée la plate-forme Kraken ?")
        await server.wait_for(chat_id=100, timeout=30)
        await server.quiet(1.0)  # the error handler logs the refused reply
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
        await server.stop()
    log = stderr.decode()
    assert process.returncode == 0, log[-2000:]
    assert log.count("<token>") >= 3 * len(spellings()), log[-3000:]  # the echoes were logged, redacted
    assert not leaked(log), [line for line in log.splitlines() if leaked(line)]
