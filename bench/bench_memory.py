"""Memory of the bot as an operator runs it, on the seeds: the summed PSS (proportional set size:
shared pages counted once, split between the processes that share them) of `run_bot.py`'s whole
process tree after its first answer, with the default number of question workers and with 4; and
the PSS of `run_bot.py ask` after its first answer.

    python bench/bench_memory.py

Targets (issue 10): <= 300 MB with default settings, <= 450 MB with 4 workers, `ask` <= 150 MB.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.botapi import BotAPIStandIn
from tests.conftest import PROJECT, bot_environment, child_processes, start_run_bot, terminate

TOKEN = "123456:" + "M" * 35


def pss_mb(pid: int) -> float:
    """PSS of one process, from /proc/PID/smaps_rollup (Linux)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo += child_processes(current)
    return out


async def bot_tree_pss(workers: str | None, workdir: Path) -> tuple[float, int]:
    """Summed PSS of the running bot's processes after one answer (and the worker warm-up)."""
    server = BotAPIStandIn(None)
    await server.start()
    settings = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
                "BOT_DB": str(workdir / f"bot-{workers}.db"), "BOT_ARTICLES_DIR": str(PROJECT / "seeds")}
    if workers is not None:
        settings["BOT_WORKERS"] = workers
    process = await start_run_bot(workdir, bot_environment(**settings))
    try:
        await server.wait_for("deleteWebhook", timeout=120)  # polling starts next
        await asyncio.sleep(15)  # the question workers warm up in the background
        server.message("Qui est le PDG de Kraken ?")
        await server.wait_for(chat_id=100, timeout=60)
        await asyncio.sleep(1)
        pids = tree(process.pid)
        for pid in pids:
            name = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:90].decode(errors="replace")
            print(f"    {pid}: {pss_mb(pid):6.1f} MB  {name}")
        return sum(pss_mb(pid) for pid in pids), len(pids)
    finally:
        await terminate(process)
        await server.stop()


def ask_pss_mb(workdir: Path) -> float:
    """PSS of `run_bot.py ask -` after its first answer (it then waits for the next line), the
    database already loaded by a first run."""
    env = bot_environment(BOT_DB=str(workdir / "ask.db"))
    command = [sys.executable, str(PROJECT / "run_bot.py"), "ask", "-"]
    subprocess.run(command, input="x\n", text=True, env=env, cwd=workdir, capture_output=True, check=True)
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=workdir)
    try:
        process.stdin.write("Qui est le PDG de Kraken ?\n")
        process.stdin.flush()
        process.stdout.readline()
        time.sleep(1)
        return pss_mb(process.pid)
    finally:
        process.stdin.close()
        process.wait(timeout=30)


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        print(f"run_bot.py ask: PSS {ask_pss_mb(workdir):.0f} MB after its first answer")
        for workers in (None, "4"):
            start = time.monotonic()
            total, count = await bot_tree_pss(workers, workdir)
            default = max(1, min(4, (os.cpu_count() or 2) - 1))
            label = f"BOT_WORKERS={workers}" if workers else f"default workers ({default})"
            print(f"bot, {label}: {count} processes, summed PSS {total:.0f} MB ({time.monotonic() - start:.0f} s)")


if __name__ == "__main__":
    asyncio.run(main())
