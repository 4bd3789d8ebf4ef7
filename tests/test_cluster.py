"""Issue 12 end to end: three `run_bot.py --webhook` processes on one PostgreSQL database, behind one
nginx (deploy/nginx-upstream.conf and deploy/nginx-site.conf, TLS, round robin), the webhook
registered once by `run_bot.py set-webhook`, the stand-in Bot API. Questions through nginx are
answered by any instance and a follow-up leans on the question another instance answered; an
article reaches 200 chats while PostgreSQL restarts, another 2,000 chats while one instance is
killed and another stopped, each chat once. Telegram's limits stay on (30 messages a second over all
instances: the 2,000 take a little over a minute). Skipped, with one line, without PostgreSQL, nginx
or openssl.

The tests share one cluster and run in order: the last one stops two of the instances."""

from __future__ import annotations

import asyncio
import collections
import json
import shutil
import signal
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
import pytest_asyncio

from bot.subscriptions import Subscriptions
from tests import pg
from tests.botapi import BotAPIStandIn, load_spec
from tests.conftest import PROJECT, SPEC_PATH, TOKEN, bot_environment, start_run_bot, terminate
from tests.test_deploy import (
    NGINX,
    free_port,
    nginx_config,
    nginx_site,
    self_signed_certificate,
    stop_nginx,
    wait_listening,
)
from tests.test_instances import SECRET
from tests.test_persistence import FOLLOW_UP, QUESTION

pytestmark = [pytest.mark.asyncio(loop_scope="module"),
              pytest.mark.skipif(NGINX is None or shutil.which("openssl") is None,
                                 reason="nginx or openssl is not installed (.ci/run installs nginx where it can)")]

UPSTREAM = PROJECT / "deploy" / "nginx-upstream.conf"
MADE_UP = PROJECT / "tests" / "made_up"
INSTANCES = 3
FAN_OUT = 2_000
RESTART_CHATS = 200  # the chats of the restart case, the first of the 2,000
FIRST_CHAT = 1_000_001


@dataclass
class Cluster:
    api: BotAPIStandIn
    db_url: str
    public: str  # nginx: https://127.0.0.1:PORT
    client: httpx.AsyncClient  # trusts the test's certificate
    bots: list[asyncio.subprocess.Process]
    ports: list[int]
    folder: Path
    access_log: Path  # one line per request: path and the instance nginx chose

    async def ingest(self, path: Path) -> None:
        """`run_bot.py ingest PATH` in its own process, as on any machine with BOT_DB."""
        cwd = self.folder / "ingest"
        cwd.mkdir(exist_ok=True)
        env = bot_environment(BOT_DB=self.db_url, BOT_REPLICA=str(cwd / "replica.db"))
        process = await start_run_bot(cwd, env, "ingest", str(path), capture=True)
        out, err = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode == 0, out.decode() + err.decode()

    def upstreams(self, path: str) -> list[str]:
        """The instance (host:port) nginx sent each request for `path` to, in order."""
        lines = [line.split() for line in self.access_log.read_text().splitlines()]
        return [fields[-1] for fields in lines if fields[0] == path]  # after those refused, if any


def upstream_conf(ports: list[int]) -> str:
    """deploy/nginx-upstream.conf with the instances' addresses filled in (its lines beyond them left out)."""
    text = UPSTREAM.read_text(encoding="utf-8")
    for number, port in enumerate(ports, 1):
        text = text.replace(f"@BOT{number}@", f"127.0.0.1:{port}")
    head, upstream = text.split("upstream news_qa_bot", 1)
    upstream = "".join(line for line in upstream.splitlines(keepends=True) if "@BOT" not in line)  # fewer than 3
    assert "@" not in upstream, "a placeholder of the upstream was left unfilled"
    return head + "upstream news_qa_bot" + upstream


async def wait_healthy(client: httpx.AsyncClient, url: str, process: asyncio.subprocess.Process) -> None:
    for _ in range(1200):
        assert process.returncode is None, f"an instance stopped at start ({process.returncode})"
        try:
            if (await client.get(url)).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    pytest.fail(f"{url} never became healthy")


Start = Callable[..., Awaitable[asyncio.subprocess.Process]]  # as start_run_bot: (cwd, env, *args)


@asynccontextmanager
async def running_cluster(folder: Path, db_url: str, api: BotAPIStandIn, count: int = INSTANCES,
                          start: Start = start_run_bot) -> AsyncIterator[Cluster]:
    """nginx, `set-webhook` once, then `count` instances started by `start`, each healthy (its own
    /healthz) before this yields; afterwards SIGTERM (each must exit 0), and nginx stops."""
    certificate, key = self_signed_certificate(folder)
    nginx_port, ports = free_port(), [free_port() for _ in range(count)]
    access_log = folder / "upstream.log"
    site = folder / "site.conf"
    site.write_text(upstream_conf(ports) + f"log_format upstream '$uri $upstream_addr';\n"
                    f"access_log {access_log} upstream;\n"
                    + nginx_site(LISTEN=f"127.0.0.1:{nginx_port}", SERVER_NAME="127.0.0.1",
                                 CERTIFICATE=str(certificate), CERTIFICATE_KEY=str(key), BOT="news_qa_bot"),
                    encoding="utf-8")
    (folder / "nginx.conf").write_text(nginx_config(folder, site), encoding="utf-8")
    nginx = await asyncio.create_subprocess_exec(NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"),
                                                 "-e", str(folder / "error.log"), stdout=asyncio.subprocess.DEVNULL,
                                                 stderr=asyncio.subprocess.DEVNULL)
    public = f"https://127.0.0.1:{nginx_port}"
    telegram = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url, "BOT_DB": db_url}
    bots: list[asyncio.subprocess.Process] = []
    try:
        await wait_listening(nginx_port, nginx, folder / "error.log")
        registering = await start_run_bot(folder, bot_environment(**telegram), "set-webhook", f"{public}/",
                                          capture=True)
        _, err = await asyncio.wait_for(registering.communicate(), timeout=120)
        assert registering.returncode == 0, err.decode()
        for number, port in enumerate(ports):
            cwd = folder / f"instance{number}"
            cwd.mkdir()
            env = bot_environment(**telegram, BOT_REPLICA=str(cwd / "replica.db"), PORT=str(port),
                                  BOT_WORKERS="0", BOT_WEBHOOK_LISTEN="127.0.0.1", BOT_ALERT_INTERVAL="0.2")
            bots.append(await start(cwd, env, "--webhook", f"{public}/"))
        context = ssl.create_default_context(cafile=str(certificate))
        async with httpx.AsyncClient(verify=context, timeout=30) as client:
            for port, bot in zip(ports, bots, strict=True):
                await wait_healthy(client, f"http://127.0.0.1:{port}/healthz", bot)
            assert (await client.get(f"{public}/healthz")).status_code == 200
            yield Cluster(api, db_url, public, client, bots, ports, folder, access_log)
        for bot in bots:
            if bot.returncode is None:
                assert await terminate(bot) == 0
    finally:
        for bot in bots:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
        await stop_nginx(nginx)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Cluster]:
    api = BotAPIStandIn(load_spec(SPEC_PATH))
    with pg.database() as db_url:
        await api.start()
        try:
            async with running_cluster(tmp_path_factory.mktemp("cluster"), db_url, api) as started:
                yield started
        finally:
            await api.stop()
    assert api.violations == []


async def update(cluster: Cluster, text: str, chat_id: int, update_id: int) -> None:
    """A message from a user, as Telegram posts it to the webhook URL (nginx)."""
    body = {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
        "text": text, "from": {"id": chat_id, "is_bot": False, "first_name": "U", "language_code": "fr"}}}
    response = await cluster.client.post(f"{cluster.public}/telegram", content=json.dumps(body), headers={
        "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status_code == 200


async def test_questions_through_nginx_are_answered_and_a_follow_up_crosses_instances(cluster, kb):
    # The webhook was registered once, by set-webhook; the instances only checked it.
    assert len(cluster.api.sent("setWebhook")) == 1
    assert len(cluster.api.sent("getWebhookInfo")) == INSTANCES
    for n, chat_id in enumerate(range(100, 106)):  # two rounds of the three instances
        await update(cluster, QUESTION, chat_id, update_id=n + 1)
        (answer,) = await cluster.api.wait_for(chat_id=chat_id, timeout=30)
        assert answer.params["reply_parameters"]["message_id"] == n + 1
        assert "Kraken" in answer.params["text"]
    assert len(set(cluster.upstreams("/telegram"))) == INSTANCES  # every instance answered some

    # A follow-up in the same chat, through the next instance of the round: it leans on the question
    # asked through the previous one, whose state that instance wrote to PostgreSQL (within a second).
    chat_id = 200
    await update(cluster, QUESTION, chat_id, update_id=10)
    await cluster.api.wait_for(chat_id=chat_id, timeout=30)
    with psycopg.connect(cluster.db_url) as db:
        for _ in range(100):
            if db.execute("SELECT 1 FROM chat_state WHERE kind = 'chat_data' AND key = %s", [str(chat_id)]).fetchall():
                break
            time.sleep(0.05)
    await update(cluster, FOLLOW_UP, chat_id, update_id=11)
    _, follow_up = await cluster.api.wait_for(chat_id=chat_id, count=2, timeout=30)
    first, second = cluster.upstreams("/telegram")[-2:]
    assert first != second
    assert not kb.ask(FOLLOW_UP).answered and "«" in follow_up.params["text"]  # alone, it finds nothing


def subscribe(db_url: str, chat_ids: Iterable[int]) -> None:
    """Chats subscribed to every new article, straight in the database (as /subscribe would)."""
    chats = Subscriptions(db_url, "UTC")
    try:
        for chat_id in chat_ids:
            chats.subscribe(chat_id, [], "fr")
    finally:
        chats.close()


def alerts(api: BotAPIStandIn, chat_ids: range) -> collections.Counter[int]:
    """Messages sent to each of these chats."""
    return collections.Counter(chat for call in api.sent() if (chat := int(call.params["chat_id"])) in chat_ids)


async def wait_alerts(cluster: Cluster, chat_ids: range, count: int, timeout: float) -> None:
    """Until `count` of these chats have had their alert; else fails with the queue's state."""
    deadline = time.monotonic() + timeout
    while len(alerts(cluster.api, chat_ids)) < count:
        if time.monotonic() > deadline:
            with psycopg.connect(cluster.db_url) as db:
                queue = db.execute("SELECT status, claimed_by, min(claimed_until) - extract(epoch FROM now()), "
                                   "count(*) FROM outbox GROUP BY 1, 2").fetchall()
            pytest.fail(f"{len(alerts(cluster.api, chat_ids))}/{count} chats alerted; outbox: {queue}")
        await asyncio.sleep(0.2)


def outbox(db_url: str, title: str) -> dict[str, int]:
    with psycopg.connect(db_url) as db:
        return dict(db.execute("SELECT o.status, count(*) FROM outbox o JOIN articles a ON a.id = o.article_id "
                               "WHERE a.title = %s GROUP BY o.status", [title]).fetchall())


def title(path: Path) -> str:
    return path.read_text(encoding="utf-8").splitlines()[0]


async def test_the_instances_finish_the_queue_when_postgresql_restarts(cluster):
    chats = range(FIRST_CHAT, FIRST_CHAT + RESTART_CHATS)
    await asyncio.to_thread(subscribe, cluster.db_url, chats)
    article = MADE_UP / "velos.txt"
    await cluster.ingest(article)
    await wait_alerts(cluster, chats, 30, timeout=60)
    assert len(alerts(cluster.api, chats)) < RESTART_CHATS  # mid-queue
    running = pg.server()
    # Its log to the file, not to _run's pipe, which the server would hold open.
    await asyncio.to_thread(running._run, running.pg_ctl, "-D", str(running.data), "-l",
                            str(running.folder / "server.log"), "-m", "fast", "-w", "restart")
    await wait_alerts(cluster, chats, RESTART_CHATS, timeout=120)
    received = alerts(cluster.api, chats)
    # At most the message each instance had in flight when the server went away goes out twice.
    assert sum(received.values()) - RESTART_CHATS <= INSTANCES, received.most_common(5)
    for port in cluster.ports:  # every instance serves again
        assert (await cluster.client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
    assert outbox(cluster.db_url, title(article)) == {"sent": RESTART_CHATS}


def leased_by(db_url: str, pid: int) -> int:
    """Rows an instance holds under a live lease (Outbox.instance is host:pid:random)."""
    with psycopg.connect(db_url) as db:
        return db.execute("SELECT count(*) FROM outbox WHERE claimed_by LIKE %s AND claimed_until > %s",
                          [f"%:{pid}:%", time.time()]).fetchone()[0]


async def test_2000_chats_get_an_article_once_while_one_instance_is_killed_and_one_stopped(cluster):
    chats = range(FIRST_CHAT, FIRST_CHAT + FAN_OUT)
    await asyncio.to_thread(subscribe, cluster.db_url, chats[RESTART_CHATS:])
    article = MADE_UP / "fromagerie.txt"
    before = alerts(cluster.api, chats)
    start = time.monotonic()
    await cluster.ingest(article)
    killed, stopped, survivor = cluster.bots

    def fan_out() -> collections.Counter[int]:
        return alerts(cluster.api, chats) - before

    while len(fan_out()) < 300:
        assert time.monotonic() - start < 120, f"{len(fan_out())}/300 chats alerted before the kill"
        await asyncio.sleep(0.1)
    # What the lease case is about: the instance dies holding leased rows. Between two batches it holds
    # none, so it is frozen (SIGSTOP: it cannot settle a row meanwhile) and looked at until it does.
    while True:
        killed.send_signal(signal.SIGSTOP)
        if await asyncio.to_thread(leased_by, cluster.db_url, killed.pid):
            break
        killed.send_signal(signal.SIGCONT)
        assert time.monotonic() - start < 150, "the instance to kill never held a leased row"
        await asyncio.sleep(0.02)
    killed.kill()  # SIGKILL: its leased rows wait for the lease to run out (60 s), then the others take them
    assert await killed.wait() == -signal.SIGKILL
    while len(fan_out()) < 700:
        assert time.monotonic() - start < 180, f"{len(fan_out())}/700 chats alerted before the stop"
        await asyncio.sleep(0.1)
    assert await terminate(stopped) == 0  # SIGTERM: the message in flight ends, the rows not begun go back
    while len(fan_out()) < FAN_OUT:
        assert time.monotonic() - start < 240, f"{len(fan_out())}/{FAN_OUT} chats alerted"
        await asyncio.sleep(0.2)
    received = fan_out()
    # Only the one message the killed instance had in flight may have gone out twice.
    assert sum(received.values()) - FAN_OUT <= 1, received.most_common(3)
    assert outbox(cluster.db_url, title(article)) == {"sent": FAN_OUT}
    # nginx leaves the two out: what Telegram posts reaches the survivor.
    await update(cluster, QUESTION, chat_id=300, update_id=20)
    await cluster.api.wait_for(chat_id=300, timeout=30)
    assert cluster.upstreams("/telegram")[-1] == f"127.0.0.1:{cluster.ports[2]}"
    assert survivor.returncode is None
