"""Shared fixtures: the bundled seeds in a real SQLite file, loaded once per session."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.config import load_config
from bot.knowledge import KnowledgeBase
from handlers.app import build_application
from tests.botapi import SPEC_PATH, BotAPIStandIn, load_spec, polling

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds"
SHARED = PROJECT.parent / "shared"
TOKEN = "123456:" + "A" * 35
OUTAGE = "000_b145b5cb3965f482.txt"
LAYOFFS = "001_525ffb05b9d468ee.txt"


def bot_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any setting of the bot (TELEGRAM_*, BOT_*, proxies), plus `settings`."""
    proxies = {"HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"}  # the tests' servers are on 127.0.0.1
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_")) and k.upper() not in proxies}
    return {**env, **settings}


async def start_run_bot(cwd: Path, env: dict[str, str], *args: str,
                        capture: bool = False) -> asyncio.subprocess.Process:
    """`python run_bot.py ARGS` as a separate process; its output is discarded unless captured."""
    output = asyncio.subprocess.PIPE if capture else asyncio.subprocess.DEVNULL
    return await asyncio.create_subprocess_exec(sys.executable, str(PROJECT / "run_bot.py"), *args, cwd=cwd,
                                                env=env, stdout=output, stderr=output)


async def terminate(process: asyncio.subprocess.Process) -> int:
    """SIGTERM, as a service manager stops the bot; its exit code (the test fails after 30 s)."""
    process.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(process.wait(), timeout=30)


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state, parent, ...), None once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def child_processes(pid: int) -> set[int]:
    """Running processes whose parent is `pid` (Linux)."""
    return {int(p.name) for p in Path("/proc").iterdir()
            if p.name.isdigit() and (fields := _stat(int(p.name))) and fields[1] == str(pid) and fields[0] != "Z"}


def is_running(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"  # a zombie has ended


@pytest.fixture(scope="session")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return KnowledgeBase(tmp_path_factory.mktemp("kb") / "bot.db", SEEDS)


@pytest.fixture
async def api(kb: KnowledgeBase, tmp_path: Path, caplog: pytest.LogCaptureFixture):
    """The stand-in Bot API and a bot polling it, answering in this process; afterwards, no call
    outside the Bot API spec (none is checked when the spec file is absent: see test_telegram)."""
    caplog.set_level(logging.WARNING)
    async with serving(kb, tmp_path) as server:
        yield server


@asynccontextmanager
async def serving(kb: KnowledgeBase, tmp_path: Path, **settings: str) -> AsyncIterator[BotAPIStandIn]:
    """A stand-in Bot API and a bot polling it with these settings (besides the token and the
    server's URL), answering from `kb` in this process; afterwards, no call outside the spec."""
    server = BotAPIStandIn(load_spec(SPEC_PATH))
    await server.start()
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
                          "BOT_DB": str(tmp_path / "unused.db"), "BOT_WORKERS": "0", **settings})
    try:
        async with polling(build_application(config, kb)):
            yield server
    finally:
        await server.stop()
    assert server.violations == []


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | Path]:
    """BOT_DB for a test that runs on both backends: a SQLite file, or a new database on the
    test PostgreSQL (tests/pg.py; skipped with one line where there is none)."""
    if request.param == "sqlite":
        yield tmp_path / "bot.db"
    else:
        from tests import pg

        with pg.database() as url:
            yield url


@pytest.fixture(scope="session")
def titles(kb: KnowledgeBase) -> dict[str, str]:
    """Seed file name -> stored title, so tests name articles by file, not by hard-coded text."""
    by_source = dict(kb.db.execute("SELECT source, title FROM articles").fetchall())
    return {Path(source).name: title for source, title in by_source.items()}


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the evaluation set's figures per kind after the run."""
    from tests.test_evaluation import REPORT

    if REPORT:
        terminalreporter.section("evaluation questions: hits, wrong answers and declines per kind")
        for line in REPORT[0].splitlines():
            terminalreporter.write_line(line)
