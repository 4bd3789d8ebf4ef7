"""Fair service: each user and each chat gets its share, and one flooder slows only itself.

PTB's own update processor starts updates in arrival order, so 500 questions
from one user went to the question workers and to Telegram's flood limits
ahead of everyone who wrote after them (another private chat waited 15.7 s; in
a group another member got no reply in 60 s). Three parts put that right:

- `FairUpdateProcessor` decides when an update is handled: one sender's updates
  one at a time and in order, a chat at most `PER_CHAT` at a time, and the
  `CONCURRENT_UPDATES` slots taken in turn. Each sender queues only one update
  for a chat's share and each chat only `PER_CHAT` for a slot, so a first-come
  queue at each step serves senders and chats round-robin.
- `gate`, the first handler for every update, spends the sender's budget (a
  token bucket, `Budget`) on anything that makes the bot work or write. Over
  budget, the sender is told once, politely ("doucement"), then ignored until
  the bucket is full again; button presses are still answered, silently.
- `FairApplication.stop` bounds SIGTERM: updates still waiting are dropped,
  those in progress get `STOP_GRACE` seconds and are then cancelled.
"""

from __future__ import annotations

import asyncio
import enum
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from html import escape
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, BaseUpdateProcessor, ContextTypes

from bot.messages import t
from handlers import buttons, updatelog
from handlers.common import lang_of, reply
from handlers.questions import addressed_text

log = logging.getLogger(__name__)

# Budgets. Messages (questions, commands, files) and button presses: a person reading the answers
# asks far less than 20 a minute, and 10 at once covers a burst of buttons ("Autre réponse" ×5).
MESSAGE_BURST = 10
MESSAGE_REFILL = 3.0  # seconds per message once the burst is spent: 20 a minute
# Inline queries: clients send one per pause in typing, so a question typed inline costs several.
INLINE_BURST = 30
INLINE_REFILL = 1.0
BUDGETS = "budgets"  # bot_data key: {"messages": Budget, "inline": Budget}, absent when unlimited

# Scheduling.
CONCURRENT_UPDATES = 256  # updates handled at once, everyone together (PTB's own default)
PER_CHAT = 4  # of which one group holds at most this many, however many of its members write
WAITING = 1_000_000  # PTB's semaphore in front of this processor: the waiting happens here, in fair order
STOP_GRACE = 4.0  # seconds the updates in progress get on SIGTERM; the rest of the 10 s goes to closing down


class Verdict(enum.Enum):
    ADMIT = "admit"
    WARN = "warn"  # the first refusal: say "doucement" once
    SILENT = "silent"


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    warned: bool = False


class Budget:
    """A token bucket per sender: `burst` requests at once, then one every `refill` seconds."""

    PRUNE_EVERY = 1024  # requests between forgetting the senders whose bucket is full again

    def __init__(self, burst: int, refill: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst = burst
        self.refill = refill
        self.clock = clock
        self._buckets: dict[int, _Bucket] = {}
        self._taken = 0

    def take(self, sender: int) -> Verdict:
        """Spend one request of `sender`'s budget, if there is one left."""
        now = self.clock()
        bucket = self._buckets.get(sender)
        if bucket is None:
            bucket = self._buckets[sender] = _Bucket(float(self.burst), now)
        else:
            # max(): a wall clock set back must not drain budgets
            bucket.tokens = min(self.burst, bucket.tokens + max(0.0, now - bucket.stamp) / self.refill)
            bucket.stamp = now
        if bucket.tokens >= self.burst:
            bucket.warned = False  # full again: the sender calmed down, a new flood earns a new notice
        self._taken += 1
        if self._taken % self.PRUNE_EVERY == 0:
            self._prune(now)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return Verdict.ADMIT
        if bucket.warned:
            return Verdict.SILENT
        bucket.warned = True
        return Verdict.WARN

    def _prune(self, now: float) -> None:
        """A full bucket is the same as none: forget it, so that memory follows the active senders."""
        full = [sender for sender, b in self._buckets.items()
                if b.tokens + max(0.0, now - b.stamp) / self.refill >= self.burst]
        for sender in full:
            del self._buckets[sender]

    def __len__(self) -> int:
        return len(self._buckets)


def default_budgets(clock: Callable[[], float] = time.monotonic) -> dict[str, Budget]:
    """The budgets `gate` spends, by kind of request."""
    return {"messages": Budget(MESSAGE_BURST, MESSAGE_REFILL, clock),
            "inline": Budget(INLINE_BURST, INLINE_REFILL, clock)}


def _costly(update: Update, bot_username: str, bot_id: int) -> str | None:
    """Which budget an update spends: None for what the bot ignores or cannot be flooded with
    (group chatter, edits, channel posts, membership changes)."""
    if update.callback_query is not None:
        return "messages"
    if update.inline_query is not None:
        return "inline"
    message = update.message
    if message is None:
        return None
    if message.chat.type == ChatType.PRIVATE:
        return "messages"
    text = message.text or ""
    if text.startswith("/"):  # a command for this bot or for every bot, not /cmd@OtherBot
        command = text.split(maxsplit=1)[0]
        return "messages" if "@" not in command or command.lower().endswith(f"@{bot_username}".lower()) else None
    return "messages" if message.text and addressed_text(message, bot_username, bot_id) is not None else None


async def gate(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """First handler for every update: spend the sender's budget; over it, a notice once, then silence."""
    budgets: dict[str, Budget] | None = context.bot_data.get(BUDGETS)
    if not budgets or not isinstance(update, Update):
        return
    sender, user = update.effective_sender, update.effective_user
    kind = _costly(update, context.bot.username, context.bot.id)
    if kind is None or sender is None or (user is not None and user.id in context.bot_data["config"].admin_ids):
        return  # the operators are trusted: twenty article files at once are their job
    verdict = budgets[kind].take(sender.id)
    if verdict is Verdict.ADMIT:
        return
    try:
        if verdict is Verdict.WARN and kind == "messages":
            log.info("sender %s is over budget: told once, then ignored until the budget refills", sender.id)
            if update.callback_query is not None:
                await buttons.answer(update, context, t("slow_down", lang_of(update)))
            else:
                await reply(update, escape(t("slow_down", lang_of(update))))
        elif update.callback_query is not None:
            await buttons.answer(update, context)  # silence, but a press left unanswered spins on
    except TelegramError as error:  # blocked, network: the update is ignored all the same
        log.warning("could not answer sender %s over budget: %s", sender.id, error)
    raise ApplicationHandlerStop


def _lanes(update: object) -> list[tuple[tuple[str, int], int]]:
    """The shares an update waits for, with their sizes: its sender's (one at a time), and its
    group's. The sender is the chat for posts made as a channel or an anonymous admin, whose
    user is one shared account for everyone in Telegram."""
    if not isinstance(update, Update):
        return []
    sender, chat = update.effective_sender, update.effective_chat
    lanes = []
    if sender is not None:
        lanes.append((("sender", sender.id), 1))
    if chat is not None and (sender is None or chat.id != sender.id) and chat.type != ChatType.PRIVATE:
        lanes.append((("chat", chat.id), PER_CHAT))
    return lanes


class _Lane:
    __slots__ = ("semaphore", "users")

    def __init__(self, size: int) -> None:
        self.semaphore = asyncio.Semaphore(size)
        self.users = 0  # updates waiting for or holding it; at 0 the lane is forgotten


class FairUpdateProcessor(BaseUpdateProcessor):
    """Handles updates concurrently, each sender in turn (see the module's docstring)."""

    def __init__(self, concurrent: int = CONCURRENT_UPDATES) -> None:
        super().__init__(WAITING)
        self.concurrent = concurrent
        self._slots: asyncio.Semaphore | None = None
        self._lanes: dict[tuple[str, int], _Lane] = {}
        self._waiting: set[asyncio.Task] = set()
        self._running: set[asyncio.Task] = set()
        self._closing = False
        self._dropped = 0
        self._deadline: asyncio.TimerHandle | None = None

    async def initialize(self) -> None:
        """Created here, in the event loop that will use it."""
        self._slots = asyncio.Semaphore(self.concurrent)

    async def shutdown(self) -> None:
        """Nothing left to free once stopped, except a pending deadline."""
        if self._deadline is not None:
            self._deadline.cancel()
        if self._dropped:
            log.warning("%d update(s) received were dropped unanswered while stopping", self._dropped)

    @property
    def waiting(self) -> int:
        """Updates received and not started yet."""
        return len(self._waiting)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the sender's turn, the chat's share and a slot, in that order; then handle the update."""
        task = asyncio.current_task()
        assert task is not None and self._slots is not None
        if self._closing:
            self._drop(coroutine)
            return
        lanes = []
        for key, size in _lanes(update):
            lane = self._lanes.get(key) or self._lanes.setdefault(key, _Lane(size))
            lane.users += 1
            lanes.append((key, lane))
        held: list[asyncio.Semaphore] = []
        try:
            self._waiting.add(task)
            try:
                for semaphore in [*(lane.semaphore for _, lane in lanes), self._slots]:
                    await semaphore.acquire()
                    held.append(semaphore)
            finally:
                self._waiting.discard(task)
            self._running.add(task)
            try:
                await coroutine
            finally:
                self._running.discard(task)
        except asyncio.CancelledError:
            if not self._closing:
                raise
            task.uncancel()  # cancelled by close(), not by PTB: the update is dropped, the task ends normally
            self._drop(coroutine)
        finally:
            for semaphore in reversed(held):
                semaphore.release()
            for key, lane in lanes:
                lane.users -= 1
                if lane.users == 0:
                    del self._lanes[key]

    def _drop(self, coroutine: Awaitable[Any]) -> None:
        self._dropped += 1
        if inspect.iscoroutine(coroutine):
            coroutine.close()  # never started: no "never awaited" warning; finished: no effect

    def close(self, grace: float = STOP_GRACE) -> None:
        """Stop taking updates: drop those waiting and those still to come, give the ones in
        progress `grace` seconds, then cancel them."""
        if self._closing:
            return
        self._closing = True
        waiting, running = list(self._waiting), list(self._running)
        for task in waiting:
            task.cancel()
        if waiting or running:
            log.warning("stopping: %d update(s) not started are dropped, %d in progress get %.0f s",
                        len(waiting), len(running), grace)
        if running:
            self._deadline = asyncio.get_running_loop().call_later(grace, self._cancel_running, grace)

    def _cancel_running(self, grace: float) -> None:
        if self._running:
            log.warning("stopping: %d update(s) still in progress after %.0f s are cancelled",
                        len(self._running), grace)
        for task in list(self._running):
            task.cancel()


class FairApplication(Application):
    """PTB's Application, except that stopping does not wait for every update received: with
    hundreds queued behind Telegram's flood limits that took minutes, and SIGTERM must end the
    bot within seconds."""

    def process_update(self, update: object) -> Coroutine[Any, Any, None]:
        """Handle the update as PTB does, then log it in one line (handlers/updatelog.py). Not a
        coroutine function: its latency counts from here, the update taken from the queue."""
        return updatelog.logged(update, super().process_update)

    async def stop(self) -> None:
        """Close the fair processor first (drop what waits, bound what runs), then stop as PTB does."""
        if isinstance(self.update_processor, FairUpdateProcessor):
            self.update_processor.close()
        await super().stop()
