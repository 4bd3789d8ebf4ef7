"""Logs: one line per update (id, chat type, handler, latency, outcome; the text only at DEBUG),
and BOT_LOG_FORMAT=json, one JSON object per line, redacted like the text format."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import signal

import pytest

from bot.config import load_config
from bot.logs import JsonFormatter, log_filters
from handlers.fairness import MESSAGE_BURST
from tests.botapi import BotAPIStandIn, load_spec
from tests.conftest import SPEC_PATH, TOKEN, bot_environment, start_run_bot

QUESTION = "Où est basée la plate-forme Kraken ?"
FIELDS = {"update_id", "chat_type", "handler", "latency_ms", "outcome"}


def update_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "handlers.updatelog"]


@pytest.fixture
def info(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="handlers.updatelog")
    return caplog


async def test_a_question_is_one_line_with_its_fields_and_without_its_text(api, info):
    update_id = api.message(QUESTION)
    await api.wait_for(chat_id=100)
    await api.quiet(0.3)
    (record,) = update_lines(info)
    assert record.levelno == logging.INFO
    assert {name: getattr(record, name) for name in FIELDS - {"latency_ms"}} == {
        "update_id": update_id, "chat_type": "private", "handler": "questions.private_text", "outcome": "answered"}
    assert isinstance(record.latency_ms, int) and record.latency_ms >= 0
    assert f"update {update_id}: private, questions.private_text," in record.getMessage()
    assert "Kraken" not in record.getMessage() and not hasattr(record, "text")


async def test_outcomes_ignored_refused_and_other_update_kinds(api, info):
    api.message("Kraken a licencié combien de personnes ?", chat_id=-1001)  # group chatter
    api.inline("Kraken")
    await api.wait_for("answerInlineQuery")
    for _ in range(MESSAGE_BURST + 1):  # one over the sender's budget
        api.message("/help", user_id=7, chat_id=7)
    await api.wait_for(chat_id=7, count=MESSAGE_BURST + 1)  # the last: "doucement"
    await api.quiet(0.3)
    lines = {(r.chat_type, r.handler, r.outcome) for r in update_lines(info)}
    assert lines == {("supergroup", "questions.group_text", "ignored"), ("inline_query", "inline.inline_query",
                     "answered"), ("private", "commands.help_command", "answered"), ("private", "fairness.gate",
                                                                                      "refused")}
    assert len(update_lines(info)) == MESSAGE_BURST + 3


async def test_the_text_is_logged_at_debug_only(api, caplog):
    caplog.set_level(logging.DEBUG, logger="handlers.updatelog")
    api.message(QUESTION)
    await api.wait_for(chat_id=100)
    await api.quiet(0.3)
    (record,) = update_lines(caplog)
    assert record.text == QUESTION and repr(QUESTION) in record.getMessage()


def test_json_lines_carry_the_fields_and_are_redacted():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    for log_filter in log_filters(load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_LOG_FORMAT": "json"})):
        handler.addFilter(log_filter)
    logger = logging.getLogger("test_logs.json")
    logger.propagate, logger.level = False, logging.DEBUG
    logger.addHandler(handler)
    try:
        logger.info("update %(update_id)s", {"update_id": 3}, extra={"update_id": 3, "text": f"leak {TOKEN}"})
        try:
            raise ValueError(f"https://api.telegram.org/bot{TOKEN}/getMe")
        except ValueError:
            logger.exception("failed «%s»", "é")
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "update 3" and first["update_id"] == 3 and first["level"] == "INFO"
    assert first["logger"] == "test_logs.json" and first["time"].endswith("+00:00")
    assert first["text"] == "leak <token>"
    assert second["message"] == "failed «é»" and "Traceback" in second["exception"]
    assert TOKEN.split(":")[1] not in stream.getvalue()


async def test_run_bot_json_logs_parse_line_by_line(tmp_path):
    """`run_bot.py` with BOT_LOG_FORMAT=json: every line of stderr is a JSON object, the update's
    fields among them, and an error quoting the token is redacted."""
    server = BotAPIStandIn(load_spec(SPEC_PATH))
    await server.start()
    server.failures["getUpdates"] = [(400, {"ok": False, "error_code": 400,
                                            "description": f"Bad Request: {server.base_url}{TOKEN}/getUpdates"})]
    env = bot_environment(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url, BOT_LOG_FORMAT="json",
                          BOT_DB=str(tmp_path / "bot.db"), BOT_WORKERS="0")
    process = await start_run_bot(tmp_path, env, capture=True)
    try:
        await server.wait_for("setMyCommands", count=6, timeout=60)
        update_id = server.message(QUESTION)
        await server.wait_for(chat_id=100, timeout=30)
        await server.quiet(0.5)
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
        await server.stop()
    assert process.returncode == 0
    entries = [json.loads(line) for line in stderr.decode().splitlines()]
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
    (update,) = [e for e in entries if e["logger"] == "handlers.updatelog"]
    assert update["update_id"] == update_id and update["outcome"] == "answered" and FIELDS <= update.keys()
    assert "text" not in update
    assert any("<token>" in json.dumps(e) for e in entries)
    assert TOKEN.split(":")[1] not in stderr.decode() and QUESTION not in stderr.decode()


async def test_a_handler_that_fails_is_an_error(api, info):
    api.failures["sendMessage"] = [(400, {"ok": False, "error_code": 400, "description": "Bad Request: no"})]
    api.message(QUESTION)
    await api.wait_for(chat_id=100, count=2)  # the refused reply, then the apology
    await api.quiet(0.3)
    (record,) = update_lines(info)
    assert (record.handler, record.outcome) == ("questions.private_text", "error")
