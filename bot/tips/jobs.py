"""The weekly job on the bot's JobQueue, the catch-up at start-up, and one broadcast at a time."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone

from telegram.ext import Application, CallbackContext

from bot.telegram.context import runtime
from bot.tips import ledger
from bot.tips.broadcast import BroadcastError, BroadcastReport, broadcast
from bot.tips.catalogue import CatalogueError
from bot.tips.schedule import catch_up_week, next_slot, slot, week_of, when

log = logging.getLogger(__name__)
JOB_NAME = "weekly-tip"
CATCH_UP_NAME = "weekly-tip-catch-up"
_LOCK_KEY = "carewise.tips.broadcast_lock"
# APScheduler drops a job that starts over a second late by default; a late weekly tip is still due
# (the job itself refuses once its week is over), so allow any lateness and never run twice.
_JOB_KWARGS = {"misfire_grace_time": None, "coalesce": True}


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def broadcast_lock(application: Application) -> asyncio.Lock:
    """Return the lock that keeps this bot to one broadcast at a time (so the pace holds)."""
    return application.bot_data.setdefault(_LOCK_KEY, asyncio.Lock())


async def on_startup(application: Application) -> None:
    """Schedule the weekly tip, and send this week's now if its time passed while the bot was down."""
    rt = runtime(application)
    interrupted = await asyncio.to_thread(ledger.recover, rt.state)
    if interrupted:
        log.warning("weekly tip: %d sends were interrupted by the last stop; recorded as unconfirmed, not resent",
                    interrupted)
    if not rt.settings.tips.enabled:
        log.info("weekly tips are switched off ([tips] enabled = false)")
        return
    if application.job_queue is None:
        log.error("weekly tips need python-telegram-bot's job-queue extra; no tips will be sent")
        return
    now = _utcnow()
    arm(application, now)
    if week := catch_up_week(now, rt.settings.tips):
        # Run as a job, not here: post_init blocks polling, and a broadcast takes minutes.
        application.job_queue.run_once(weekly_job, when=0, data=week, name=CATCH_UP_NAME, job_kwargs=_JOB_KWARGS)


def arm(application: Application, after: datetime) -> None:
    """Schedule the job for the first slot after the given moment, replacing any earlier one."""
    tips = runtime(application).settings.tips
    for job in application.job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    due = next_slot(after, tips)
    application.job_queue.run_once(weekly_job, when=due, data=week_of(due, tips), name=JOB_NAME,
                                   job_kwargs=_JOB_KWARGS)  # fmt: skip
    log.info("next weekly tip: %s", when(due, tips))


async def weekly_job(context: CallbackContext) -> None:
    """Send the job's week's tip, if that week is not over; then schedule next week's."""
    application, week = context.application, context.job.data
    tips = runtime(application).settings.tips
    if context.job.name == JOB_NAME:  # re-arm first, so a failed send never ends the schedule
        arm(application, max(_utcnow(), slot(week, tips)) + timedelta(seconds=1))
    if week_of(_utcnow(), tips) != week:
        log.warning("weekly tip for %s skipped: that week is over", week)
        return
    try:
        await send_week(application, week)
    except (CatalogueError, BroadcastError) as exc:  # the next run, or /broadcast_now, sends to whoever is owed
        log.error("weekly tip for %s not sent: %s", week, exc)


async def send_week(application: Application, week: str) -> BroadcastReport:
    """Broadcast a week's tip through this bot, after any broadcast already running."""
    rt = runtime(application)
    async with broadcast_lock(application):
        return await broadcast(application.bot, rt.state, rt.settings, week)
