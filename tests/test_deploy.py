"""Deployment, end to end: `run_bot.py check`, the webhook server's /healthz and its refusals, and
the bot behind a real nginx terminating TLS with deploy/nginx-site.conf."""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.storage import MIGRATIONS, open_database
from tests.botapi import BotAPIStandIn, load_spec, stand_in
from tests.conftest import PROJECT, SPEC_PATH, TOKEN, bot_environment, start_run_bot, terminate

SECRET = "s3cret-value"
NGINX_SITE = PROJECT / "deploy" / "nginx-site.conf"
QUESTION = {"update_id": 1, "message": {
    "message_id": 5, "date": 0, "chat": {"id": 100, "type": "private"}, "text": "Où est basée la plate-forme Kraken ?",
    "from": {"id": 100, "is_bot": False, "first_name": "U", "language_code": "fr"}}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class HoldingStandIn(BotAPIStandIn):
    """The stand-in, where the answer to a method can be held back (a slow Bot API)."""

    def __init__(self) -> None:
        super().__init__(load_spec(SPEC_PATH))
        self.held: dict[str, asyncio.Event] = {}

    async def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method in self.held:
            await self.held[method].wait()
        return await super()._result(method, params)


def post(client: httpx.AsyncClient, url: str, body: bytes | str, secret: str | None = SECRET):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return client.post(url, content=body, headers=headers)


# --- run_bot.py check ------------------------------------------------------------------


async def check(tmp_path: Path, *args: str, **settings: str) -> tuple[int, list[str], str]:
    """`run_bot.py check` in its own process: exit code, stdout lines, stderr."""
    env = bot_environment(**{"BOT_DB": str(tmp_path / "bot.db"), **settings})
    process = await start_run_bot(tmp_path, env, "check", *args, capture=True)
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode, out.decode().splitlines(), err.decode()


async def test_check_on_postgresql_reads_the_schema_and_creates_nothing(tmp_path):
    from bot.backends import open_store
    from bot.storage_pg.schema import MIGRATIONS as PG_MIGRATIONS
    from tests import pg

    with pg.database() as url:
        code, lines, _ = await check(tmp_path, BOT_DB=url)
        assert code == 0, lines
        assert lines[1].endswith(f": ok (schema 0, migrated to {len(PG_MIGRATIONS)} at the next start, 0 articles)")
        assert "@" not in lines[1]  # the URL's user (and password) stay out of the line
        open_store(url).close()  # the bot's first start migrates
        code, lines, _ = await check(tmp_path, BOT_DB=url)
        assert code == 0 and lines[1].endswith(f": ok (schema {len(PG_MIGRATIONS)}, 0 articles)"), lines
    code, lines, _ = await check(tmp_path, BOT_DB=url)  # the database is gone
    assert code == 4 and ": FAIL " in lines[1] and "check BOT_DB" in lines[1]


async def test_check_without_token_never_creates_the_database(tmp_path):
    code, lines, _ = await check(tmp_path)
    assert code == 4
    assert lines[0].startswith("configuration: ok")
    assert lines[1].startswith(f"database {tmp_path / 'bot.db'}: FAIL") and "does not exist" in lines[1]
    assert lines[2:] == ["Bot API: skipped (no TELEGRAM_BOT_TOKEN)", "webhook: skipped (no TELEGRAM_BOT_TOKEN)"]
    assert not (tmp_path / "bot.db").exists()

    open_database(tmp_path / "bot.db").close()
    code, lines, err = await check(tmp_path, "--full")
    assert code == 0, lines
    assert f": ok (schema {len(MIGRATIONS)}, 0 articles, " in lines[1] and lines[1].endswith("integrity_check ok)")
    assert err == ""


async def test_check_reports_a_bad_setting_and_a_bad_database(tmp_path):
    code, lines, _ = await check(tmp_path, BOT_TIMEZONE="Mars/Olympus")
    assert (code, len(lines)) == (2, 1) and lines[0].startswith("configuration: FAIL BOT_TIMEZONE")

    (tmp_path / "bot.db").write_bytes(b"not a database" * 100)
    code, lines, _ = await check(tmp_path)
    assert code == 4 and "FAIL" in lines[1] and "not a SQLite database" in lines[1]

    (tmp_path / "bot.db").unlink()
    with closing(sqlite3.connect(tmp_path / "bot.db")) as db:
        db.execute("PRAGMA user_version = 99")
    code, lines, _ = await check(tmp_path)
    assert code == 4 and "FAIL schema 99 is newer" in lines[1]


async def test_check_calls_getme_and_reports_the_webhook(tmp_path):
    open_database(tmp_path / "bot.db").close()
    async with stand_in() as server:
        telegram = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url}
        code, lines, err = await check(tmp_path, **telegram)
        assert code == 0, lines
        assert lines[2] == f"Bot API: ok (@ArticlesQABot at {server.base_url})"
        assert lines[3] == "webhook: ok (none: the bot receives updates by long polling)"
        assert server.sent("getWebhookInfo")

        server.webhook_info.update(url="https://bot.example.org/telegram", pending_update_count=3,
                                   last_error_date=int(time.time()) - 300, last_error_message="Connection refused")
        code, lines, _ = await check(tmp_path, **telegram)
        assert code == 3
        assert lines[3].startswith("webhook: FAIL https://bot.example.org/telegram, 3 pending updates, "
                                   "Telegram's last delivery failed 5 min ago: Connection refused")

        server.failures["getMe"] = [(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})]
        code, lines, err = await check(tmp_path, **telegram)
        assert code == 2
        assert lines[2].startswith("Bot API: FAIL") and "refused TELEGRAM_BOT_TOKEN" in lines[2]
        assert lines[3] == "webhook: skipped (the Bot API did not answer)"
        assert TOKEN.split(":")[1] not in "".join(lines) + err


# --- the webhook server ---------------------------------------------------------------


async def test_webhook_health_and_refusals_from_start_to_stop(tmp_path):
    """/healthz is 503 while the bot starts, 200 with counts while it serves, 503 while it stops; updates
    are refused without the secret (403), when not updates (400), when too big (413), and while not
    serving (503, Telegram sends them again)."""
    server = HoldingStandIn()
    server.held["setMyCommands"] = asyncio.Event()  # the bot's start-up stops there until released
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with stand_in(server), httpx.AsyncClient() as client:
        env = bot_environment(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url, BOT_WORKERS="0",
                              BOT_DB=str(tmp_path / "bot.db"), BOT_WEBHOOK_SECRET=SECRET,
                              BOT_WEBHOOK_LISTEN="127.0.0.1", PORT=str(port))
        process = await start_run_bot(tmp_path, env, "--webhook", "https://bot.example.org/")
        try:
            await server.wait_for("setMyCommands", timeout=60)
            starting = await client.get(f"{base}/healthz")
            assert (starting.status_code, starting.json()) == (503, {"ok": False, "status": "starting"})
            assert (await post(client, f"{base}/telegram", json.dumps(QUESTION))).status_code == 503

            server.held.pop("setMyCommands").set()
            await server.wait_for("setWebhook", timeout=30)
            running = await client.get(f"{base}/healthz")
            assert running.status_code == 200
            assert running.json() == {"ok": True, "status": "running", "articles": 2, "alerts_pending": 0}

            url = f"{base}/telegram"
            assert (await post(client, url, json.dumps(QUESTION), secret=None)).status_code == 403
            assert (await post(client, url, json.dumps(QUESTION), secret="wrong")).status_code == 403
            for junk in ("{not json", "[1, 2]", '"text"', "{}", '{"update_id": "one", "message": 7}'):
                assert (await post(client, url, junk)).status_code == 400, junk
            assert (await post(client, url, b"{" + b" " * 2_000_000 + b"}")).status_code == 413
            assert server.sent() == []  # none of that reached the bot's handlers

            server.held["sendMessage"] = asyncio.Event()  # the reply stays in flight while the bot stops
            assert (await post(client, url, json.dumps(QUESTION))).status_code == 200
            (reply,) = await server.wait_for(chat_id=100, timeout=30)
            assert reply.params["reply_parameters"]["message_id"] == 5
            process.send_signal(signal.SIGTERM)
            for _ in range(300):
                stopping = await client.get(f"{base}/healthz")
                if stopping.status_code == 503:
                    break
                await asyncio.sleep(0.05)
            assert stopping.json() == {"ok": False, "status": "stopping"}
            second = {**QUESTION, "update_id": 2}
            assert (await post(client, url, json.dumps(second))).status_code == 503
            server.held.pop("sendMessage").set()
            assert await asyncio.wait_for(process.wait(), timeout=30) == 0
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


# --- behind nginx ------------------------------------------------------------------------


def nginx_site(**values: str) -> str:
    """deploy/nginx-site.conf with its @PLACEHOLDERS@ filled in."""
    text = NGINX_SITE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    assert "@" not in text.split("server {", 1)[1], "a placeholder of the site was left unfilled"
    return text


def nginx_config(folder: Path, site: Path) -> str:
    """A whole nginx configuration around the site, every file in `folder`, run by the current user."""
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                           "uwsgi", "scgi"))
    return (f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
            f"events {{ worker_connections 64; }}\nhttp {{\n    access_log {folder / 'access.log'};\n{temp}\n"
            f"    include {site};\n}}\n")


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made by the openssl command."""
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(certificate), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=60)
    return certificate, key


async def wait_listening(port: int, process: asyncio.subprocess.Process, log: Path) -> None:
    for _ in range(200):
        if process.returncode is not None:
            pytest.fail(f"nginx stopped: {log.read_text() if log.exists() else '(no log)'}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            await asyncio.sleep(0.05)
    pytest.fail(f"nginx is not listening on port {port}")


NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


@pytest.mark.skipif(NGINX is None or shutil.which("openssl") is None,
                    reason="nginx or openssl is not installed (.ci/run installs nginx where apt-get may)")
async def test_bot_behind_nginx_terminating_tls(tmp_path):
    """deploy/nginx-site.conf in a real nginx: HTTPS on 127.0.0.1 with a self-signed certificate, forwarding
    to `run_bot.py --webhook`; an update through it is answered, /healthz is 200, a wrong secret 403."""
    certificate, key = self_signed_certificate(tmp_path)
    nginx_port, bot_port = free_port(), free_port()
    site = tmp_path / "site.conf"
    site.write_text(nginx_site(LISTEN=f"127.0.0.1:{nginx_port}", SERVER_NAME="127.0.0.1", CERTIFICATE=str(certificate),
                               CERTIFICATE_KEY=str(key), BOT=f"127.0.0.1:{bot_port}"), encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(nginx_config(tmp_path, site), encoding="utf-8")
    nginx = await asyncio.create_subprocess_exec(NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                                                 "-e", str(tmp_path / "error.log"), stdout=asyncio.subprocess.DEVNULL,
                                                 stderr=asyncio.subprocess.DEVNULL)
    public = f"https://127.0.0.1:{nginx_port}"
    try:
        await wait_listening(nginx_port, nginx, tmp_path / "error.log")
        async with stand_in() as server, httpx.AsyncClient(verify=ssl.create_default_context(
                cafile=str(certificate))) as client:
            env = bot_environment(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url, BOT_WORKERS="0",
                                  BOT_DB=str(tmp_path / "bot.db"), BOT_WEBHOOK_SECRET=SECRET,
                                  BOT_WEBHOOK_LISTEN="127.0.0.1", PORT=str(bot_port))
            bot = await start_run_bot(tmp_path, env, "--webhook", f"{public}/")
            try:
                (registered,) = await server.wait_for("setWebhook", timeout=60)
                assert registered.params["url"] == f"{public}/telegram"
                assert registered.params["secret_token"] == SECRET
                health = await client.get(f"{public}/healthz")
                assert (health.status_code, health.json()["status"]) == (200, "running")
                assert (await post(client, f"{public}/telegram", json.dumps(QUESTION), "wrong")).status_code == 403
                assert (await client.get(f"{public}/")).status_code == 404  # nothing else is forwarded
                assert (await post(client, f"{public}/telegram", json.dumps(QUESTION))).status_code == 200
                (reply,) = await server.wait_for(chat_id=100, timeout=30)
                assert reply.params["reply_parameters"]["message_id"] == 5
                assert await terminate(bot) == 0
            finally:
                if bot.returncode is None:
                    bot.kill()
                    await bot.wait()
    finally:
        await stop_nginx(nginx)


async def stop_nginx(nginx: asyncio.subprocess.Process) -> None:
    nginx.send_signal(signal.SIGQUIT)  # nginx's graceful stop
    try:
        await asyncio.wait_for(nginx.wait(), timeout=30)
    except TimeoutError:
        nginx.kill()
        await nginx.wait()

