"""Broken disks, bad files and an unreachable network: one line saying what, where and what to do,
and a non-zero exit (or a retry with backoff), never a traceback. Special files are refused without
being opened for a blocking read.

Most tests run the real `run_bot.py` as a subprocess. Read-only files need a user that file
permissions apply to (root without CAP_DAC_OVERRIDE, through setpriv); a full disk needs a small
tmpfs (root): where either cannot be had, the test is skipped with one line saying why.
"""

from __future__ import annotations

import asyncio
import http.server
import logging
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

import pytest

from bot import storage
from bot.cli import EXIT_CONFIG, EXIT_NETWORK, wait_for_bot_api
from bot.config import load_config
from bot.ingest import IngestReport, IngestStopped, ingest_paths, read_file
from bot.storage import StorageError
from handlers.delivery import Delivery
from tests.botapi import BotAPIStandIn
from tests.conftest import PROJECT, SEEDS, bot_environment, start_run_bot, terminate

TOKEN = "123456:" + "F" * 35
ARTICLE_DIRS = [SEEDS, PROJECT / "tests" / "articles", PROJECT / "tests" / "made_up"]


def run_bot(tmp_path: Path, *args: str, prefix: tuple[str, ...] = (), db: Path | str | None = None,
            timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    environment = bot_environment(BOT_DB=str(db or tmp_path / "bot.db"), **env)
    return subprocess.run([*prefix, sys.executable, str(PROJECT / "run_bot.py"), *args], input="", text=True,
                          capture_output=True, cwd=tmp_path, env=environment, timeout=timeout)


def one_line(result: subprocess.CompletedProcess, code: int, *names: str) -> str:
    """The run ended with `code` and exactly one line on stderr, naming each of `names`."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert result.returncode == code, result.stderr
    for name in names:
        assert name in lines[0], lines[0]
    return lines[0]


def articles(folder: Path, count: int) -> list[Path]:
    """`count` distinct article files made from the bundled ones."""
    sources = [p for d in ARTICLE_DIRS for p in sorted(d.iterdir()) if p.suffix in (".txt", ".md")]
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for i in range(count):
        source = sources[i % len(sources)]
        path = folder / f"a{i:03d}{source.suffix}"
        extra = f"\n\nLe comité numéro {i} s'est réuni {i + 2} fois à Lyon en {1900 + i}.\n"
        path.write_text(source.read_text(encoding="utf-8") + extra, encoding="utf-8")
        made.append(path)
    return made


def stored(db_path: Path) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]


# --- file-system helpers: small disks, read-only files ------------------------------------


@pytest.fixture
def tmpfs(tmp_path) -> Iterator:
    """mount(size) -> a folder on a fresh tmpfs of that size; unmounted after the test."""
    mounted: list[Path] = []

    def mount(size: str, name: str = "disk") -> Path:
        where = tmp_path / name
        where.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"full-disk test skipped: cannot mount a small tmpfs here ({done.stderr.strip()[:80]})")
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(folder: Path) -> None:
    """Use up every free byte of the disk holding `folder`."""
    with open(folder / "filler", "wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 4096)
        except OSError:
            pass


def unprivileged(probe: Path) -> tuple[str, ...]:
    """A command prefix under which file permissions apply (root normally ignores them)."""
    if os.geteuid() != 0:
        return ()
    prefix = ("setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search")
    if shutil.which("setpriv"):
        check = subprocess.run([*prefix, sys.executable, "-c", f"open({str(probe)!r}, 'a')"], capture_output=True)
        if check.returncode != 0 and b"PermissionError" in check.stderr:
            return prefix
    pytest.skip("read-only test skipped: running as root and setpriv cannot drop CAP_DAC_OVERRIDE here")


# --- item 2: special files are refused, never opened for a blocking read --------------------


def test_ingest_fifo_device_and_loops_are_refused_in_one_line_each(tmp_path):
    os.mkfifo(tmp_path / "some.fifo")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")  # a symbolic link to itself
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(SEEDS / sorted(os.listdir(SEEDS))[0], folder / "article.txt")
    os.mkfifo(folder / "dropped.txt")  # looks like an article by its name
    (folder / "again").symlink_to(folder)  # a folder loop
    result = run_bot(tmp_path, "ingest", "some.fifo", "/dev/zero", "loop", "folder", timeout=60)
    assert result.returncode == 0, result.stderr  # the article in the folder was added
    assert result.stderr == ""
    out = result.stdout
    assert "refused  some.fifo: not a regular file (a named pipe)" in out
    assert "refused  /dev/zero: not a regular file (a character device)" in out
    assert "refused  loop: cannot read: Too many levels of symbolic links" in out
    assert "added    folder/article.txt" in out
    assert "dropped" not in out and "again" not in out  # the folder's FIFO and loop are not articles
    assert out.strip().endswith("1 added, 0 updated, 0 skipped, 3 refused")


def test_read_file_refuses_without_reading_more_than_the_limit(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    assert read_file(tmp_path / "pipe.txt") == "not a regular file (a named pipe)"
    assert read_file(Path("/dev/null")) == "not a regular file (a character device)"
    big = tmp_path / "big.txt"
    with open(big, "wb") as file:
        file.truncate(6_000_000_000)  # sparse: 6 GB that take no room, and must not be read
    assert read_file(big) == "file too large (6000000 kB, limit 5000 kB)"
    assert read_file(tmp_path / "missing.txt") == "cannot read: No such file or directory"
    (tmp_path / "ok.txt").write_bytes(b"Titre\n\nTexte.")
    assert read_file(tmp_path / "ok.txt") == b"Titre\n\nTexte."


# --- item 8: the database file and its disk -----------------------------------------------


def test_corrupt_database_file(tmp_path):
    (tmp_path / "bot.db").write_bytes(os.urandom(8192))
    line = one_line(run_bot(tmp_path, "ask", "x"), 4, "Database error", str(tmp_path / "bot.db"))
    assert "not a SQLite database" in line and "move this file aside" in line


def test_database_damaged_inside(tmp_path):
    """A real database whose pages were overwritten: damaged where only a query finds it."""
    db = tmp_path / "bot.db"
    assert run_bot(tmp_path, "ingest", str(SEEDS)).returncode == 0
    data = bytearray(db.read_bytes())
    data[4096:] = os.urandom(len(data) - 4096)  # every page but the first (schema header) is noise
    db.write_bytes(bytes(data))
    line = one_line(run_bot(tmp_path, "ask", "Qui est le PDG de Kraken ?"), 4, "Database error", "bot.db")
    assert "damaged" in line or "not a SQLite database" in line


def test_corrupt_database_with_a_token_fails_before_any_network_wait(tmp_path):
    (tmp_path / "bot.db").write_bytes(os.urandom(8192))
    result = run_bot(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot")
    one_line(result, 4, "Database error", str(tmp_path / "bot.db"))


@pytest.mark.parametrize("special", ["/dev/null", "fifo", "folder"])
def test_db_setting_that_is_not_a_file(tmp_path, special):
    if special == "fifo":
        os.mkfifo(tmp_path / "fifo")
    elif special == "folder":
        (tmp_path / "folder").mkdir()
    one_line(run_bot(tmp_path, "ask", "x", db=special, timeout=60), EXIT_CONFIG, "BOT_DB", special)


def test_storage_refuses_a_special_file_on_its_own():
    with pytest.raises(StorageError, match="not a regular file"):
        storage.open_database("/dev/null")


def test_read_only_database(tmp_path):
    db = tmp_path / "bot.db"
    assert run_bot(tmp_path, "ingest", str(SEEDS)).returncode == 0
    for path in tmp_path.glob("bot.db*"):
        path.chmod(0o444)
    prefix = unprivileged(db)
    line = one_line(run_bot(tmp_path, "ask", "x", prefix=prefix), 4, "Database error", str(db))
    assert "read-only" in line


def test_unwritable_database_folder(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "probe").write_text("")
    (locked / "probe").chmod(0o444)
    locked.chmod(0o555)
    prefix = unprivileged(locked / "probe")
    line = one_line(run_bot(tmp_path, "ask", "x", prefix=prefix, db=locked / "bot.db"), 4,
                    "Database error", str(locked / "bot.db"))
    assert "may write there" in line
    line = one_line(run_bot(tmp_path, "ask", "x", prefix=prefix, db=locked / "sub" / "bot.db"), 4,
                    "Database error", str(locked / "sub"))
    assert "Permission denied" in line


def test_database_on_a_full_disk_at_start(tmp_path, tmpfs):
    disk = tmpfs("2m")
    db = disk / "bot.db"
    assert run_bot(tmp_path, "ingest", str(SEEDS), db=db).returncode == 0
    fill(disk)
    line = one_line(run_bot(tmp_path, "ask", "x", db=db), 4, "Database error", "bot.db")
    assert "is full" in line
    fresh = one_line(run_bot(tmp_path, "ask", "x", db=disk / "new.db"), 4, "Database error", "new.db")
    assert "is full" in fresh


def test_full_disk_during_ingest_keeps_what_was_committed_and_reports_each_file(tmp_path, tmpfs):
    disk = tmpfs("400k")
    db = disk / "bot.db"
    files = articles(tmp_path / "arts", 80)
    result = run_bot(tmp_path, "ingest", "arts", db=db)
    line = one_line(result, 4, "Database error", str(db))
    assert "is full" in line
    report = result.stdout.splitlines()
    added = [r for r in report if r.startswith("added    ")]
    failed = [r for r in report if r.startswith("failed   ")]
    assert failed and all(r.endswith(": not stored (disk full)") for r in failed)
    assert len(added) + len(failed) == len(files)
    assert report[-1] == f"{len(added)} added, 0 updated, 0 skipped, 0 refused, {len(failed)} not stored"
    subprocess.run(["mount", "-o", "remount,size=20m", str(disk)], check=True)  # room to read and go on
    assert stored(db) == len(added)
    again = run_bot(tmp_path, "ingest", "arts", db=db)
    assert again.returncode == 0 and again.stderr == ""
    assert again.stdout.splitlines()[-1] == f"{len(failed)} added, 0 updated, {len(added)} skipped, 0 refused"


def test_full_database_during_ingest_in_process(tmp_path):
    """The same through SQLite's own size limit (max_page_count), batches of more than 50 included."""
    files = articles(tmp_path / "arts", 120)
    db = storage.open_database(tmp_path / "bot.db")
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages + 60}")
    with pytest.raises(IngestStopped) as raised:
        ingest_paths(db, [tmp_path / "arts"])
    error = raised.value
    assert error.reason == "disk full" and "\n" not in str(error)
    report: IngestReport = error.report
    assert report.added and report.failed
    assert len(report.added) + len(report.failed) == len(files)
    assert [name for name, _ in report.failed] == [str(f) for f in files[len(report.added):]]
    assert not db.conn.in_transaction
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == len(report.added)
    db.execute("PRAGMA max_page_count = 1000000")
    rest = ingest_paths(db, [tmp_path / "arts"])
    assert len(rest.added) == len(report.failed) and len(rest.skipped) == len(report.added)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_transaction_turns_disk_failures_into_storage_errors_and_leaves_bugs_alone(tmp_path):
    db = storage.open_database(tmp_path / "bot.db")
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
    with pytest.raises(StorageError) as raised, storage.transaction(db):
        db.execute("INSERT INTO meta (key, value) VALUES ('big', ?)", ["x" * 100_000])
    assert raised.value.reason == "disk full" and str(tmp_path / "bot.db") in str(raised.value)
    assert not db.conn.in_transaction
    with pytest.raises(sqlite3.OperationalError, match="no such table"), storage.transaction(db):
        db.execute("SELECT * FROM no_such_table")
    assert not db.conn.in_transaction
    assert storage.generation(db) == 0  # the connection still works


# --- item 8: settings and the network at start ---------------------------------------------


def test_port_not_a_number_with_webhook(tmp_path):
    result = run_bot(tmp_path, "--webhook", "https://bot.example.org/", PORT="abc", TELEGRAM_BOT_TOKEN=TOKEN)
    one_line(result, EXIT_CONFIG, "Configuration error", "PORT")


def test_webhook_url_must_be_https(tmp_path):
    result = run_bot(tmp_path, "--webhook", "http://bot.example.org/", TELEGRAM_BOT_TOKEN=TOKEN)
    one_line(result, EXIT_CONFIG, "Configuration error", "--webhook")


def test_webhook_port_in_use(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_bot(tmp_path, "--webhook", "https://bot.example.org/", PORT=str(port),
                         BOT_WEBHOOK_LISTEN="127.0.0.1", TELEGRAM_BOT_TOKEN=TOKEN,
                         TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot")
    line = one_line(result, EXIT_NETWORK, "Webhook error", f"port {port}", "PORT")
    assert "in use" in line


def test_bot_api_unreachable_at_start_is_retried_then_one_line(tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens there once the socket is closed
    base = f"http://127.0.0.1:{port}/bot"
    result = run_bot(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=base, BOT_START_TIMEOUT="2")
    line = one_line(result, EXIT_NETWORK, "Bot API error", base, "TELEGRAM_API_BASE_URL", "BOT_START_TIMEOUT")
    assert "3 tries in 2 s" in line  # at 0, 1 and 2 s
    assert TOKEN.split(":")[1] not in result.stderr


class FlakyBotAPI(http.server.BaseHTTPRequestHandler):
    """getMe answered by the statuses in `script`, then 200."""

    script: ClassVar[list[int]] = []

    def do_GET(self) -> None:
        status = self.script.pop(0) if self.script else 200
        body = b'{"ok": true, "result": {"id": 1, "is_bot": true, "first_name": "B"}}' if status == 200 \
            else b'{"ok": false, "description": "no"}'
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def flaky_api() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FlakyBotAPI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/bot"
    server.shutdown()
    server.server_close()


def test_bot_api_back_after_server_errors_is_waited_for_with_backoff(flaky_api):
    FlakyBotAPI.script = [502, 503, 429]
    pauses: list[float] = []
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": flaky_api})
    assert wait_for_bot_api(config, sleep=pauses.append) is None
    assert pauses == [1.0, 2.0, 4.0]


@pytest.mark.parametrize("status,words", [(401, "TELEGRAM_BOT_TOKEN"), (404, "TELEGRAM_API_BASE_URL")])
def test_bot_api_refusing_the_token_is_final(flaky_api, status, words):
    FlakyBotAPI.script = [status]
    pauses: list[float] = []
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": flaky_api})
    code, line = wait_for_bot_api(config, sleep=pauses.append)
    assert code == EXIT_CONFIG and words in line and pauses == []
    assert TOKEN.split(":")[1] not in line


# --- item 8: at run time, the alert worker ------------------------------------------------


async def test_alert_worker_reports_a_storage_failure_in_one_line_and_backs_off(caplog, tmp_path):
    kb = SimpleNamespace(path=tmp_path / "bot.db")
    delivery = Delivery(None, kb, None, None, None, interval=0.05)  # type: ignore[arg-type]
    ticks = 0

    async def failing_tick() -> None:
        nonlocal ticks
        ticks += 1
        if ticks <= 3:
            raise StorageError(f"the disk holding the database {kb.path} is full: free some space", "disk full")
        delivery._stop.set()

    delivery.tick = failing_tick  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger="handlers.delivery"):
        await asyncio.wait_for(delivery._run(), timeout=10)
    lines = [r for r in caplog.records if r.name == "handlers.delivery"]
    assert len(lines) == 3 and all(r.exc_info is None for r in lines)
    assert all("bot.db is full" in r.getMessage() for r in lines)
    assert [r.getMessage().rsplit("next try in ", 1)[1] for r in lines] == ["0.1 s)", "0.2 s)", "0.4 s)"]
    assert ticks == 4


async def test_dropped_files_a_full_disk_kept_out_are_tried_again(tmp_path):
    folder = tmp_path / "drop"
    (first,) = articles(folder, 1)
    seen: list[list[Path]] = []

    class KB:
        path = tmp_path / "bot.db"

        def ingest(self, paths: list[Path]) -> IngestReport:
            seen.append(list(paths))
            if len(seen) == 1:
                report = IngestReport(failed=[(str(first), "disk full")])
                raise IngestStopped(StorageError("disk full", "disk full"), report)
            return IngestReport(added=[str(p) for p in paths])

    class Watch:
        def changed(self) -> list[Path]:
            return [first] if not seen else []

    class Outbox:
        def due(self, now: float) -> list:
            return []

        def due_digests(self, now: float) -> list:
            return []

    delivery = Delivery(None, KB(), Outbox(), None, Watch(), interval=0.05)  # type: ignore[arg-type]
    await delivery.tick()  # stores the dropped file in the background
    await asyncio.sleep(0.2)
    with pytest.raises(IngestStopped):  # the next look reports the failure (the loop then backs off)
        await delivery.tick()
    await delivery.tick()
    await asyncio.sleep(0.2)
    assert seen == [[first], [first]]
    await delivery.tick()
    await asyncio.sleep(0.2)
    assert len(seen) == 2  # stored the second time: not tried again


async def test_bot_api_lost_while_running_is_retried_one_line_a_try(tmp_path):
    server = BotAPIStandIn(None)
    await server.start()
    env = bot_environment(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url,
                          BOT_DB=str(tmp_path / "bot.db"), BOT_WORKERS="0")
    process = await start_run_bot(tmp_path, env, capture=True)
    try:
        await server.wait_for("setMyCommands", count=6, timeout=60)
        await asyncio.sleep(2)  # polling
        await server.stop()
        await asyncio.sleep(12)  # room for two tries with backoff, on a loaded machine too
        assert await terminate(process) == 0
        stderr = (await process.stderr.read()).decode()
    finally:
        if process.returncode is None:
            process.kill()
    assert "Traceback" not in stderr, stderr
    failures = [line for line in stderr.splitlines() if "NetworkError" in line]
    assert len(failures) >= 2, stderr  # tried again, each try one line
    assert all("Cannot connect to host 127.0.0.1" in line for line in failures)


async def test_a_long_ingest_of_dropped_files_does_not_hold_back_the_alerts(tmp_path):
    """The folder's files are stored in the background: the look at the outbox does not wait."""
    folder = tmp_path / "drop"
    (first,) = articles(folder, 1)
    release, looked = threading.Event(), []

    class KB:
        path = tmp_path / "bot.db"

        def ingest(self, paths: list[Path]) -> IngestReport:
            release.wait(10)  # a 5 MB article, a slow disk
            return IngestReport(added=[str(p) for p in paths])

    class Watch:
        def changed(self) -> list[Path]:
            return [first]

    class Outbox:
        def due(self, now: float) -> list:
            looked.append(now)
            return []

        def due_digests(self, now: float) -> list:
            return []

    delivery = Delivery(None, KB(), Outbox(), None, Watch(), interval=0.05)  # type: ignore[arg-type]
    await asyncio.wait_for(delivery.tick(), timeout=5)  # returns while the ingest is still running
    assert looked and not delivery._wake.is_set()
    release.set()
    await asyncio.wait_for(delivery._wake.wait(), timeout=5)  # stored: the loop is woken for its alerts
