"""Answering questions in worker processes, so that one bot uses more than one core.

In the Telegram bot about half of the CPU time of a question goes to answering
it (search and scoring) and half to Telegram itself (decoding the update, HTTP).
Python runs one thread at a time, so the answering moves to worker processes,
each with its own `KnowledgeBase` on the same database file. Workers only read;
they see new articles as any reader does (the database's generation counter).
Until the workers are ready, and if they ever fail, questions are answered in a
thread of this process instead.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.answering.model import Answer, Conversation
from bot.knowledge import KnowledgeBase
from bot.warm import end_with_parent

log = logging.getLogger(__name__)

_worker_kb: KnowledgeBase | None = None  # in a worker process: its own connection and vocabulary


def _exit_with(parent: int) -> None:
    """A bot killed outright (SIGKILL, OOM) cannot stop its workers: they notice and go."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _open(db_path: str, semantic: bool) -> None:
    global _worker_kb
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the bot decides
    end_with_parent()  # the fork server, which ends with the bot
    threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True).start()
    _worker_kb = KnowledgeBase(db_path, semantic=semantic)
    _worker_kb.warm_up()


def _ask(text: str, alternatives: int, conversation: Conversation | None = None) -> Answer:
    assert _worker_kb is not None
    return _worker_kb.ask(text, alternatives, conversation)


class QuestionWorkers:
    """`await ask(text)` answers in one of `processes` worker processes (0: in a thread)."""

    def __init__(self, kb: KnowledgeBase, processes: int) -> None:
        self.kb = kb
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self._ready = False
        self._warming: asyncio.Task | None = None

    @property
    def ready(self) -> bool:
        """True once questions go to the worker processes."""
        return self._ready

    def start(self) -> None:
        """Start the workers in the background; they take a few seconds to load the vocabulary."""
        if self.processes <= 0 or self._pool is not None:
            return
        # Not fork: the bot process has threads (asyncio's executor, the HTTP client). A fork server
        # that has loaded the answering code and the lemmatiser's dictionaries once forks each
        # worker, so the workers share those pages instead of loading a copy each.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["bot.warm"])
        self._pool = ProcessPoolExecutor(self.processes, mp_context=context,
                                         initializer=_open, initargs=(str(self.kb.path), self.kb.semantic))
        self._warming = asyncio.get_running_loop().create_task(self._warm_up())

    async def _warm_up(self) -> None:
        loop = asyncio.get_running_loop()
        pool = self._pool
        try:
            # As many calls at once as workers: each one starts a process.
            await asyncio.gather(*(loop.run_in_executor(pool, _ask, "", 0) for _ in range(self.processes)))
        except BrokenProcessPool:
            log.exception("question workers failed to start; answering in this process")
            return
        self._ready = True
        log.info("%d question worker process(es) ready", self.processes)

    async def started(self) -> bool:
        """Wait until the workers are ready (or failed to start); True if questions now go to them."""
        if self._warming is not None:
            await self._warming
        return self._ready

    async def ask(self, text: str, alternatives: int = 2, conversation: Conversation | None = None) -> Answer:
        if self._ready and self._pool is not None:
            try:
                return await asyncio.get_running_loop().run_in_executor(self._pool, _ask, text, alternatives,
                                                                        conversation)
            except BrokenProcessPool:
                log.exception("a question worker died; answering in this process from now on")
                self._ready = False
        return await asyncio.to_thread(self.kb.ask, text, alternatives, conversation)

    def pids(self) -> list[int]:
        """The worker processes' ids (for operators, and tests that kill one)."""
        return list(self._pool._processes) if self._pool is not None else []

    async def stop(self) -> None:
        """Let the questions in flight finish, then end the worker processes."""
        if self._warming is not None:
            self._warming.cancel()
        self._ready = False
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
