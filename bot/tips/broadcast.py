"""Send a week's tip to every subscriber owed it, paced under Telegram's limits, at most once each."""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timezone

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import ExtBot

from bot.state import State
from bot.tips import ledger, outcomes
from bot.tips.catalogue import Catalogue, load_catalogue, load_note, markup, render
from bot.tips.schedule import week_of
from bot.tips.schema import FAILED, GONE, RETRYING, SENT, UNCONFIRMED
from bot.tips.weeks import WeekTip, peek_tip, week_tip
from knowledge.config import Settings

log = logging.getLogger(__name__)
MAX_IN_FLIGHT = 16  # sends waiting for their slot or for Telegram's answer, at most
MAX_FLOOD_WAITS = 10  # 429s for one message before it is recorded as failed (a 429 does not use an attempt)


class BroadcastError(Exception):
    """The broadcast had to stop; the message says why. Nobody owed the tip was marked as sent."""


class _NoRetries(int):
    """Zero, but truthy: AIORateLimiter reads `rate_limit_args or max_retries`, so a plain 0 means its default."""

    def __bool__(self) -> bool:
        return True


# Broadcast sends bypass the application's own 429 retries so this module sees every RetryAfter and
# pauses the whole broadcast for it, instead of the limiter sleeping while our pacer keeps going.
NO_RETRIES = _NoRetries(0)


class _HandledFloodFilter(logging.Filter):
    """Drop AIORateLimiter's traceback for a 429 given up after 0 retries: only our sends ask for 0, and handle it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.msg == "Rate limit hit after maximum of %d retries" and record.args == (0,))


logging.getLogger("telegram.ext.AIORateLimiter").addFilter(_HandledFloodFilter())


@dataclass
class BroadcastReport:
    """What one broadcast run did."""

    week: str
    tip_id: str
    sent: int = 0
    unconfirmed: int = 0
    failed: int = 0
    unsubscribed: int = 0
    flood_waits: int = 0
    retries: int = 0
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        """Return messages Telegram accepted per second of the run."""
        return self.sent / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        """Return the report as one sentence."""
        return (f"Week {self.week} ({self.tip_id}): sent {self.sent}, unconfirmed {self.unconfirmed}, "
                f"failed {self.failed}, unsubscribed {self.unsubscribed} in {self.seconds:.1f} s "
                f"({self.per_second:.1f}/s; {self.flood_waits} flood waits, {self.retries} retries).")  # fmt: skip


# Sends go this long after their turn begins: committing the claim first (an fsync) takes a varying
# few milliseconds, which otherwise bunched sends enough for the server to count 31 in a second.
CLAIM_LEAD_S = 0.05


class Pacer:
    """Start sends at most `rate` a second, spaced by actual start times; after a 429 nobody starts until it passes."""

    def __init__(self, rate: float):
        self._interval = 1.0 / rate
        self._last = float("-inf")
        self._resume = 0.0

    async def wait(self) -> float:
        """Wait for this send's turn; return the time it began."""
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            start = max(now, self._last + self._interval, self._resume)
            if start <= now:
                # Spacing is measured from when sends really start, not when they were booked, so a
                # stalled event loop cannot release a backlog in one burst (which Telegram answers with 429).
                self._last = now
                return now
            await asyncio.sleep(start - now)

    async def send_at(self, turn: float) -> None:
        """Wait until a fixed lead after the turn began, so the time taken to claim it does not bunch sends."""
        delay = turn + CLAIM_LEAD_S - asyncio.get_running_loop().time()
        if delay > 0:
            await asyncio.sleep(delay)

    def pause(self, seconds: float) -> None:
        """Hold every send for the given seconds (Telegram's retry_after)."""
        self._resume = max(self._resume, asyncio.get_running_loop().time() + seconds)


class _Run:
    """One pass over the subscribers owed one week's message."""

    def __init__(self, bot: Bot, state: State, settings: Settings, week: str, tip_id: str, text: str,
                 buttons: InlineKeyboardMarkup, report: BroadcastReport):  # fmt: skip
        self.bot, self.state, self.tips = bot, state, settings.tips
        self.week, self.tip_id, self.text, self.buttons, self.report = week, tip_id, text, buttons, report
        self.pacer = Pacer(settings.tips.max_per_second)
        self.abort: str | None = None

    async def everyone(self) -> None:
        """Send to every subscriber owed the tip, again until none is left (people subscribe meanwhile)."""
        seen: set[int] = set()
        room = asyncio.Semaphore(min(MAX_IN_FLIGHT, max(4, math.ceil(self.tips.max_per_second))))
        while self.abort is None:
            owed = [user for user in await asyncio.to_thread(ledger.pending, self.state, self.week) if user not in seen]
            if not owed:
                break
            async with asyncio.TaskGroup() as group:  # cancelling the run cancels every send in flight
                for user_id in owed:
                    await room.acquire()
                    if self.abort is not None:
                        room.release()
                        break
                    seen.add(user_id)
                    group.create_task(self._released(self.one(user_id), room))
        if self.abort is not None:
            raise BroadcastError(f"the broadcast of week {self.week} stopped: {self.abort}")

    @staticmethod
    async def _released(job, room: asyncio.Semaphore) -> None:
        try:
            await job
        finally:
            room.release()

    async def one(self, user_id: int) -> str | None:
        """Deliver to one user at most once; return the final status, or None if they were not owed it."""
        refused = floods = 0
        while self.abort is None:
            turn = await self.pacer.wait()
            if not await asyncio.to_thread(ledger.claim, self.state, self.week, self.tip_id, user_id):
                return None  # had it already (another run), or unsubscribed meanwhile
            await self.pacer.send_at(turn)
            try:
                message = await self._send(user_id)
            except Exception as exc:  # noqa: BLE001 - every failure is sorted below; cancellation is not caught
                outcome = outcomes.classify(exc)
            else:
                return await self._final(user_id, SENT, None, message.message_id)
            backoff = 0.0
            if outcome.kind == outcomes.FLOOD and floods < MAX_FLOOD_WAITS:
                floods += 1
                self.report.flood_waits += 1
                self.pacer.pause(outcome.wait_s)  # everyone waits; this send goes again after
            elif outcome.kind == outcomes.RETRY and refused + 1 < self.tips.max_attempts:
                refused += 1
                self.report.retries += 1
                backoff = self.tips.retry_base_s * 2 ** (refused - 1)
            elif outcome.kind == outcomes.ABORT:
                self.abort = outcome.reason
            else:
                status = {outcomes.GONE: GONE, outcomes.UNCONFIRMED: UNCONFIRMED}.get(outcome.kind, FAILED)
                return await self._final(user_id, status, outcome.reason)
            # Refused outright, so safe to send again: record that before waiting, in case the bot stops meanwhile.
            await asyncio.to_thread(ledger.record, self.state, self.week, user_id, RETRYING, outcome.reason)
            await asyncio.sleep(backoff)
        return None

    async def _send(self, user_id: int):
        timeout = self.tips.send_timeout_s
        extra = {"rate_limit_args": NO_RETRIES} if isinstance(self.bot, ExtBot) and self.bot.rate_limiter else {}
        return await self.bot.send_message(
            user_id, self.text, parse_mode=ParseMode.HTML, reply_markup=self.buttons,
            link_preview_options=LinkPreviewOptions(is_disabled=True), read_timeout=timeout,
            write_timeout=timeout, connect_timeout=timeout, pool_timeout=timeout, **extra,
        )  # fmt: skip

    async def _final(self, user_id: int, status: str, reason: str | None, message_id: int | None = None) -> str:
        await asyncio.to_thread(ledger.record, self.state, self.week, user_id, status, reason, message_id)
        field = {SENT: "sent", UNCONFIRMED: "unconfirmed", GONE: "unsubscribed"}.get(status, "failed")
        setattr(self.report, field, getattr(self.report, field) + 1)
        if status != SENT:
            log.info("weekly tip %s to a subscriber: %s (%s)", self.week, status, reason)
        return status


def week_message(state: State, settings: Settings, week: str, catalogue: Catalogue,
                 fix: bool = True) -> tuple[WeekTip, str, InlineKeyboardMarkup]:  # fmt: skip
    """Return the week's tip and its message; fix the choice unless only previewing."""
    chosen = (week_tip if fix else peek_tip)(state, week, catalogue)
    note = catalogue.notes.get(chosen.tip.note) or load_note(settings, chosen.tip.note)
    return chosen, render(chosen.tip, note), markup(note)


async def _prepare(bot: Bot, state: State, settings: Settings, week: str | None,
                   catalogue: Catalogue | None) -> _Run:  # fmt: skip
    """Fix the week's tip and build its message."""
    week = week or week_of(datetime.now(timezone.utc), settings.tips)
    catalogue = catalogue or await asyncio.to_thread(load_catalogue, settings)
    chosen, text, buttons = week_message(state, settings, week, catalogue)
    report = BroadcastReport(week=week, tip_id=chosen.tip.id)
    return _Run(bot, state, settings, week, chosen.tip.id, text, buttons, report)


async def broadcast(bot: Bot, state: State, settings: Settings, week: str | None = None,
                    catalogue: Catalogue | None = None) -> BroadcastReport:  # fmt: skip
    """Send the week's tip (default: this week) to every current subscriber without a ledger row for it."""
    run = await _prepare(bot, state, settings, week, catalogue)
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        await run.everyone()
    finally:
        run.report.seconds = loop.time() - started
    log.info("%s", run.report.summary())
    return run.report


async def deliver_one(bot: Bot, state: State, settings: Settings, user_id: int, week: str | None = None,
                      catalogue: Catalogue | None = None) -> str | None:  # fmt: skip
    """Send the week's tip to one subscriber if they are still owed it; return the final status."""
    run = await _prepare(bot, state, settings, week, catalogue)
    return await run.one(user_id)
