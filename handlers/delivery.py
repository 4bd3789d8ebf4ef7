"""The background worker that brings new articles in and sends the alerts.

Every `interval` seconds it ingests files dropped into the articles folder,
then drains the outbox: instant alerts one message at a time (so at most one
is in flight), and the digests whose time has come. Telegram's answers decide
what happens to a row: sent; retried later (429, network); dropped with the
chat's subscription (blocked, kicked, chat gone, a channel's posting right
withdrawn); moved to the new chat id (group upgraded to a supergroup); or sent
to the group itself when its forum topic was deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.ingest import IngestStopped
from bot.knowledge import KnowledgeBase, Summary
from bot.messages import t
from bot.outbox import Digest, Item, Outbox
from bot.storage import StorageError, storage_error
from bot.subscriptions import Subscriptions
from bot.watch import FolderWatch
from handlers.common import core
from handlers.render import alert_html, digest_html

log = logging.getLogger(__name__)

MAX_BACKOFF = 300.0
GONE = ("chat not found", "bot was kicked", "user is deactivated", "have no rights to send", "not enough rights",
        "need administrator rights")  # the last two: a channel or group where the bot may no longer post
TOPIC_GONE = ("message thread not found", "topic_deleted")


def seconds(period: float | timedelta) -> float:
    """PTB gives flood-wait periods as int or timedelta depending on its settings."""
    return period.total_seconds() if isinstance(period, timedelta) else float(period)


def summary_button(article_id: int, title: str, lang: str) -> InlineKeyboardButton:
    label = t("full_summary", lang) if not title else f"{t('full_summary', lang)} : {title}"[:60]
    return InlineKeyboardButton(label, callback_data=f"sum:{article_id}")


class Delivery:
    def __init__(self, bot: Bot, kb: KnowledgeBase, outbox: Outbox, subscriptions: Subscriptions,
                 watch: FolderWatch | None, interval: float, clock: Callable[[], float] = time.time) -> None:
        self.bot = bot
        self.kb = kb
        self.outbox = outbox
        self.subscriptions = subscriptions
        self.watch = watch
        self.interval = interval
        self.clock = clock
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._summaries: dict[tuple[int, int], Summary | None] = {}  # for one tick: fan-outs share them
        self._unstored: list[Path] = []  # dropped files a storage failure kept out: tried again next tick
        self._ingesting: asyncio.Task | None = None  # the dropped files being stored

    # --- life cycle --------------------------------------------------------------

    async def start(self) -> None:
        recovered = await core(self.outbox.recover)
        if recovered:
            log.warning("%d alert(s) were being sent when the bot last stopped: sending them again", recovered)
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="delivery")

    async def stop(self, grace: float = 10.0) -> None:
        """Let the message in flight and the ingest under way finish (up to `grace` seconds), then stop."""
        self._stop.set()
        self._wake.set()
        if self._ingesting is not None:
            with contextlib.suppress(Exception):  # reported by the loop, or cut short: files are seen again
                await asyncio.wait_for(asyncio.shield(self._ingesting), timeout=grace)
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=grace)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None
        if self.watch is not None:  # another instance may watch the folder now
            self.watch.close()
        try:  # rows taken but not begun go back at once, rather than when their lease runs out
            await core(self.outbox.close)
        except StorageError as error:
            log.warning("could not hand back the alerts not sent yet: %s", error)

    def wake(self) -> None:
        """Look at the outbox now rather than at the next tick (an article just came in)."""
        self._wake.set()

    async def _run(self) -> None:
        failures = 0  # ticks in a row that the database failed
        while not self._stop.is_set():
            wait = self.interval
            try:
                await self.tick()
                failures = 0
            except Exception as error:  # one bad tick must not end deliveries for good
                problem = storage_error(error, self.kb.path) if isinstance(error, StorageError | sqlite3.Error) \
                    else None
                if problem is None:  # a bug: its traceback
                    log.exception("delivery tick failed")
                else:  # full disk, read-only or damaged database: one line, then again later, less often
                    failures += 1
                    wait = min(MAX_BACKOFF, self.interval * 2 ** failures)
                    log.error("alerts and the articles folder paused: %s (next try in %.3g s)", problem, wait)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    # --- one pass ----------------------------------------------------------------

    async def tick(self) -> None:
        """Start ingesting dropped files (in the background: a large file does not hold back the
        alerts already due), then send everything that is due."""
        self._summaries.clear()
        if self.watch is not None and (self._ingesting is None or self._ingesting.done()):
            finished, self._ingesting = self._ingesting, None
            if finished is not None and not finished.cancelled() and finished.exception() is not None:
                raise finished.exception()  # a storage failure: _run reports it and backs off
            changed = await core(self.watch.changed)
            changed += [path for path in self._unstored if path not in changed]
            if changed:
                self._ingesting = asyncio.create_task(self._ingest(changed), name="ingest")
        while not self._stop.is_set():
            items = await core(self.outbox.due, self.clock())
            if not items:
                break
            troubled: set[int] = set()  # chats whose last send failed: their state may have changed
            for item in items:
                if self._stop.is_set():
                    return
                if item.chat_id not in troubled and not await self._send_alert(item):
                    troubled.add(item.chat_id)
        for digest in await core(self.outbox.due_digests, self.clock()):
            if self._stop.is_set():
                return
            await self._send_digest(digest)

    async def _ingest(self, changed: list[Path]) -> None:
        """Store dropped files (a connection of their own), then wake the loop for their alerts."""
        try:
            report = await core(self.kb.ingest, changed)
        except IngestStopped as error:
            # The watch hands a file over once: what was not stored is kept here for the next try.
            self._unstored = [Path(name) for name, _ in error.report.failed]
            log.info("articles folder: %s", "; ".join(error.report.lines()))
            raise
        self._unstored = []
        log.info("articles folder: %s", "; ".join(report.lines()))
        self._wake.set()

    async def _summary(self, article_id: int, count: int = 3) -> Summary | None:
        key = (article_id, count)
        if key not in self._summaries:
            found = await core(self.kb.summary, article_id, count)
            if found is None:  # not kept: on PostgreSQL, this instance's copy may just be behind
                return None
            self._summaries[key] = found
        return self._summaries[key]

    async def _send_alert(self, item: Item) -> bool:
        """Send one alert; False if it was not delivered (retry, chat gone or moved)."""
        now = self.clock()
        free_at = await core(self.outbox.group_free_at, item.chat_id, now)
        if free_at > now:
            await core(self.outbox.retry, [item.id], free_at, "group limit")
            return False
        summary = await self._summary(item.article_id)
        if summary is None:
            await core(self.outbox.fail, [item.id], "article missing")
            return True
        markup = InlineKeyboardMarkup([[summary_button(item.article_id, "", item.lang)]])
        html = alert_html(summary, item.matched, item.lang)
        return await self._deliver(item.chat_id, item.thread_id, [item], html, markup)

    async def _send_digest(self, digest: Digest) -> None:
        """The digest `due_digests` gave this instance (its next one already scheduled)."""
        entries = []
        for item in digest.items:
            summary = await self._summary(item.article_id, 1)
            if summary is not None:
                entries.append((summary, item.matched))
        if entries:
            text, shown = digest_html(entries, digest.lang)
            buttons = [[summary_button(s.article.id, s.article.title, digest.lang)] for s, _ in entries[:shown]]
            await self._deliver(digest.chat_id, digest.thread_id, digest.items, text, InlineKeyboardMarkup(buttons[:8]))

    async def _deliver(self, chat_id: int, thread_id: int | None, items: list[Item], html: str,
                       markup: InlineKeyboardMarkup) -> bool:
        """Send one message for these rows and record the outcome; True if delivered.
        Never raises for Telegram errors."""
        # Only the rows still leased to this instance (PostgreSQL: another may have taken over a lease
        # that ran out while this one waited), within Telegram's limits counted over every instance.
        claim = await core(self.outbox.claim, [i.id for i in items], self.clock())
        while claim.wait and not self._stop.is_set():  # 30 messages in the last second: a place frees soon
            await asyncio.sleep(claim.wait)
            claim = await core(self.outbox.claim, [i.id for i in items], self.clock())
        if not claim.ids:
            return False
        return await self._send(chat_id, thread_id, claim.ids, max(i.attempts for i in items), html, markup)

    async def _send(self, chat_id: int, thread_id: int | None, ids: list[int], attempts: int, html: str,
                    markup: InlineKeyboardMarkup) -> bool:
        """Send the message for these claimed rows and record the outcome; True if delivered."""
        try:
            await self.bot.send_message(chat_id, html, message_thread_id=thread_id, reply_markup=markup)
        except RetryAfter as error:
            await core(self.outbox.retry, ids, self.clock() + seconds(error.retry_after), "429")
        except Forbidden as error:
            log.info("chat %s is gone (%s): its subscription is deactivated", chat_id, error.message)
            await core(self.subscriptions.deactivate, chat_id, "forbidden")
        except ChatMigrated as error:
            log.info("chat %s became %s: subscription moved", chat_id, error.new_chat_id)
            await core(self.subscriptions.move, chat_id, error.new_chat_id)
            await core(self.outbox.retry, ids, self.clock(), "migrated")
        except BadRequest as error:
            if thread_id is not None and any(reason in error.message.lower() for reason in TOPIC_GONE):
                # A deleted forum topic: the group itself gets this message, and the next ones.
                log.info("topic %s of chat %s is gone: alerts go to the chat itself", thread_id, chat_id)
                await core(self.subscriptions.leave_topic, chat_id)
                return await self._send(chat_id, None, ids, attempts, html, markup)
            elif any(reason in error.message.lower() for reason in GONE):
                await core(self.subscriptions.deactivate, chat_id, error.message)
            else:
                log.error("alert to chat %s refused: %s", chat_id, error.message)
                await core(self.outbox.fail, ids, error.message)
        except TelegramError as error:  # timeouts, connection errors, 5xx (NetworkError)
            backoff = min(MAX_BACKOFF, 2.0 ** (1 + attempts))  # 2, 4, 8... s
            log.warning("alert to chat %s not sent (%s): retry in %.0f s", chat_id, error, backoff)
            await core(self.outbox.retry, ids, self.clock() + backoff, str(error)[:200])
        else:
            await core(self.outbox.mark_sent, ids, self.clock())
            return True
        return False
