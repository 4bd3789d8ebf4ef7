"""A throwaway PostgreSQL for the tests: one server for the whole session, a new database per test.

`with pg.database() as url:` gives the URL of an empty database, dropped afterwards; the first
call starts the server (initdb, then pg_ctl, in a temporary folder: a free port on 127.0.0.1,
the unix socket in that folder, fsync off) and it stops when the test session ends. Where it
cannot start (no initdb: Debian's `postgresql` package, which .ci/run installs; no psycopg)
the test is skipped with one line saying why, and so is every later one without trying again.
No test uses a server the suite did not start.

initdb refuses to run as root: as root (CI, containers) the server runs as the `postgres`
system user the package creates; as anyone else, as that user.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

USER = "bot"  # the server's superuser; local connections are trusted, so no password
_numbers = itertools.count(1)


class Unavailable(Exception):
    """Why there is no PostgreSQL here: the skip reason, one line."""


def _bin_dir() -> Path:
    """The folder of initdb and pg_ctl: on the PATH, else Debian's newest /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent  # /usr/local/bin/initdb may link to Debian's folder
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.parent.name)])
    if not versions:
        raise Unavailable("PostgreSQL not available: initdb not found (Debian: apt-get install postgresql)")
    return versions[-1].parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A PostgreSQL server in a temporary folder, until `stop`."""

    def __init__(self) -> None:
        try:
            import psycopg  # noqa: F401  (only to say so now rather than fail in every test)
        except ImportError:
            raise Unavailable("PostgreSQL tests skipped: psycopg is not installed (pip install -e .)") from None
        bin_dir = _bin_dir()
        self.account: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            try:
                self.account = pwd.getpwnam("postgres")
            except KeyError:
                raise Unavailable("PostgreSQL not available: running as root, and no 'postgres' user "
                                  "to run initdb as") from None
        self.folder = Path(tempfile.mkdtemp(prefix="bot-pg-"))
        if self.account is not None:
            os.chown(self.folder, self.account.pw_uid, self.account.pw_gid)
        self.data = self.folder / "data"
        self.port = _free_port()
        self.pg_ctl = str(bin_dir / "pg_ctl")
        try:
            self._run(str(bin_dir / "initdb"), "-D", str(self.data), "-U", USER, "--auth=trust",
                      "--encoding=UTF8", "--no-sync")
            self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "-t", "60",
                      "-o", f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off "
                      "-c synchronous_commit=off -c full_page_writes=off", "start")
        except Unavailable:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        atexit.register(self.stop)

    def _run(self, *command: str) -> None:
        as_user = {} if self.account is None else {"user": self.account.pw_uid, "group": self.account.pw_gid,
                                                   "extra_groups": []}
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.folder, timeout=120, **as_user)
        if done.returncode != 0:
            log = self.folder / "server.log"
            output = (log.read_text() if log.exists() else "") + done.stdout + done.stderr
            last = next((line for line in reversed(output.splitlines()) if line.strip()), "no output")
            raise Unavailable(f"PostgreSQL not available: {Path(command[0]).name} failed: {last.strip()}")

    def url(self, dbname: str) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{dbname}"

    def stop(self) -> None:
        """Stop at once (the data is thrown away) and remove the folder."""
        with contextlib.suppress(Unavailable, OSError, subprocess.SubprocessError):
            self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


_server: Server | Unavailable | None = None  # started by the first test that needs it


def server() -> Server:
    """The session's server, started on first use; skips the calling test where there is none."""
    global _server
    if _server is None:
        try:
            _server = Server()
        except Unavailable as error:
            _server = error
    if isinstance(_server, Unavailable):
        pytest.skip(str(_server))
    return _server


@contextlib.contextmanager
def database() -> Iterator[str]:
    """The URL of a new, empty database on the session's server; dropped afterwards."""
    import psycopg

    running = server()
    name = f"test_{os.getpid()}_{next(_numbers)}"
    with psycopg.connect(running.url("postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield running.url(name)
    finally:
        with psycopg.connect(running.url("postgres"), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
