"""Admin commands for the weekly tip: choose, preview, send now, and see how this week's send stands."""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from datetime import datetime, timezone

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes

from bot.telegram.context import Runtime, runtime
from bot.tips import ledger
from bot.tips.broadcast import BroadcastError, week_message
from bot.tips.catalogue import CatalogueError, load_catalogue
from bot.tips.jobs import broadcast_lock, send_week
from bot.tips.replies import say
from bot.tips.schedule import next_slot, next_week, slot, week_bounds, week_of, when
from bot.tips.subscriptions import subscriber_count
from bot.tips.weeks import WeekStartedError, choose_tip, peek_tip

log = logging.getLogger(__name__)
CONFIRM_PREFIX = "tip:send:"
CANCEL = "cancel"


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


async def _admin(update: Update, context: ContextTypes.DEFAULT_TYPE, action: str) -> Runtime | None:
    """Return the runtime if the user is an admin, auditing the action; else say no and return None."""
    rt, user = runtime(context), update.effective_user
    if not rt.state.is_admin(user.id if user else None):
        await say(context.bot, update.effective_chat.id, "Sorry, that is for admins only.")
        return None
    detail = " ".join(context.args or []) if context.args is not None else (update.callback_query.data or "")
    await asyncio.to_thread(rt.state.audit, user.id, f"tips.{action}", detail)
    return rt


async def tip_next(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Choose the tip the next weekly send carries: /tip_next TIP_ID."""
    if not (rt := await _admin(update, context, "tip_next")):
        return
    week, reply = next_week(_utcnow(), rt.settings.tips), partial(say, context.bot, update.effective_chat.id)
    try:
        catalogue = await asyncio.to_thread(load_catalogue, rt.settings)
    except CatalogueError as exc:
        await reply(f"The tips cannot be loaded: {exc}.")
        return
    if not context.args:
        current = peek_tip(rt.state, week, catalogue).tip.id
        await reply(f"Week {week}'s tip will be {current}. To choose another: /tip_next TIP_ID "
                    f"(the ids are in {rt.settings.tips.file}).")  # fmt: skip
        return
    if (tip := catalogue.tip(context.args[0])) is None:
        await reply(f"There is no tip with the id {context.args[0]!r}; the ids are in {rt.settings.tips.file}.")
        return
    try:
        choose_tip(rt.state, week, tip, update.effective_user.id)
    except WeekStartedError as exc:
        await reply(f"That cannot change now: {exc}.")
        return
    await reply(f"Done: week {week}'s tip, due {when(slot(week, rt.settings.tips), rt.settings.tips)}, "
                f"will be {tip.id}. /broadcast_preview shows it.")  # fmt: skip


async def broadcast_preview(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the next weekly message exactly as subscribers will get it."""
    if not (rt := await _admin(update, context, "broadcast_preview")):
        return
    tips, chat_id = rt.settings.tips, update.effective_chat.id
    week = next_week(_utcnow(), tips)
    try:
        catalogue = await asyncio.to_thread(load_catalogue, rt.settings)
        chosen, text, buttons = week_message(rt.state, rt.settings, week, catalogue, fix=False)
    except CatalogueError as exc:
        await say(context.bot, chat_id, f"The tips cannot be loaded: {exc}.")
        return
    due, readers = when(slot(week, tips), tips), subscriber_count(rt.state)
    await say(context.bot, chat_id, f"Preview of week {week}'s tip ({chosen.tip.id}), due {due}, "
                                    f"for {readers} subscribers:")  # fmt: skip
    await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=buttons,
                                   link_preview_options=LinkPreviewOptions(is_disabled=True))  # fmt: skip


async def broadcast_now(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send this week's tip now to subscribers who have not had it, after a confirmation button."""
    if not (rt := await _admin(update, context, "broadcast_now")):
        return
    week = week_of(_utcnow(), rt.settings.tips)
    if context.args and context.args[0].lower() in ("yes", "y"):
        await _start(context.application, update.effective_chat.id, week)
        return
    try:
        catalogue = await asyncio.to_thread(load_catalogue, rt.settings)
        tip_id = peek_tip(rt.state, week, catalogue).tip.id
    except CatalogueError as exc:
        await say(context.bot, update.effective_chat.id, f"The tips cannot be loaded: {exc}.")
        return
    owed = len(ledger.pending(rt.state, week))
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("Send now", callback_data=CONFIRM_PREFIX + week),
                                     InlineKeyboardButton("Cancel", callback_data=CONFIRM_PREFIX + CANCEL)]])
    await say(context.bot, update.effective_chat.id,
              f"Send week {week}'s tip ({tip_id}) now to the {owed} subscribers who have not had it?",
              reply_markup=buttons)  # fmt: skip


async def on_confirm(update: Update, context: ContextTypes.DEFAULT_TYPE, choice: str) -> None:
    """Act on the Send now / Cancel buttons of /broadcast_now."""
    query = update.callback_query
    await query.answer()
    if not (rt := await _admin(update, context, "broadcast_confirm")):
        return
    if choice == CANCEL:
        text = "Cancelled: nothing was sent."
    elif choice != week_of(_utcnow(), rt.settings.tips):
        text = f"Week {choice} is over; send /broadcast_now again for this week."
    else:
        text = f"Confirmed: sending week {choice}'s tip."
    await query.edit_message_text(text, parse_mode=None)  # None: plain text whatever the app's default
    if text.startswith("Confirmed"):
        await _start(context.application, update.effective_chat.id, choice)


async def _start(application: Application, chat_id: int, week: str) -> None:
    """Start the week's broadcast in the background and report to the admin when it ends."""
    if broadcast_lock(application).locked():
        await say(application.bot, chat_id, "A broadcast is already running; /broadcast_status shows progress.")
        return
    owed = len(ledger.pending(runtime(application).state, week))
    await say(application.bot, chat_id,
              f"Sending week {week}'s tip to {owed} subscribers; I will report here when it is done.")
    # In the background: a broadcast takes minutes, longer than any handler should hold its update.
    application.create_task(_report(application, chat_id, week), name=f"broadcast-{week}")


async def _report(application: Application, chat_id: int, week: str) -> None:
    """Run the broadcast and send its summary, or why it stopped, to the admin."""
    try:
        report = await send_week(application, week)
    except (CatalogueError, BroadcastError) as exc:
        await say(application.bot, chat_id, f"The broadcast stopped: {exc}.")
        return
    await say(application.bot, chat_id, report.summary())


async def broadcast_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show this week's sent, pending, failed and unsubscribed counts."""
    if not (rt := await _admin(update, context, "broadcast_status")):
        return
    tips, now = rt.settings.tips, _utcnow()
    week = week_of(now, tips)
    since, until = (moment.isoformat(timespec="seconds") for moment in week_bounds(week, tips))
    c = await asyncio.to_thread(ledger.counts, rt.state, week, since, until)
    lines = [
        f"Weekly tip, week {week}" + (" (sending now)" if broadcast_lock(context.application).locked() else ""),
        f"Sent: {c.sent}",
        f"Pending: {c.pending}" + (f"; being sent: {c.in_flight}" if c.in_flight else ""),
        f"Failed: {c.failed}" + (" (the next send this week tries them again)" if c.failed else ""),
        f"Unsubscribed this week: {c.unsubscribed} ({c.gone} had blocked the bot or left Telegram)",
        f"Unconfirmed: {c.unconfirmed} (timed out or interrupted; probably delivered, never resent)",
        f"Subscribers: {subscriber_count(rt.state)}",
        f"Next scheduled send: {when(next_slot(now, tips), tips)}" if tips.enabled else "Schedule: off",
    ]
    await say(context.bot, update.effective_chat.id, "\n".join(lines))
