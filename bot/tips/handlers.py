"""Telegram commands and buttons for the weekly tip: subscribe, unsubscribe, /tip, "Ask about this"."""

from __future__ import annotations

import asyncio
import html
import logging
from datetime import datetime, timezone

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.telegram.context import runtime
from bot.tips import admin
from bot.tips.broadcast import BroadcastError, deliver_one, week_message
from bot.tips.catalogue import ASK_PREFIX, CatalogueError, load_catalogue, load_note, question_about
from bot.tips.jobs import on_startup
from bot.tips.replies import say
from bot.tips.schedule import catch_up_week, describe, week_of
from bot.tips.subscriptions import subscribe, unsubscribe

__all__ = ["handlers", "offer_markup", "on_startup"]
log = logging.getLogger(__name__)
SUBSCRIBE_DATA = "tip:subscribe"
UNAVAILABLE = "Sorry, the weekly tips are not available just now. Please try again later."


def offer_markup() -> InlineKeyboardMarkup:
    """Return the button /start shows to offer the weekly tip."""
    return InlineKeyboardMarkup([[InlineKeyboardButton("Send me a weekly tip", callback_data=SUBSCRIBE_DATA)]])


def handlers() -> list[BaseHandler]:
    """Return the weekly tip's handlers, for app.py to register."""
    return [
        CommandHandler("subscribe", subscribe_command),
        CommandHandler("unsubscribe", unsubscribe_command),
        CommandHandler("tip", tip_command),
        CommandHandler("tip_next", admin.tip_next),
        CommandHandler("broadcast_preview", admin.broadcast_preview),
        CommandHandler("broadcast_now", admin.broadcast_now),
        CommandHandler("broadcast_status", admin.broadcast_status),
        CallbackQueryHandler(on_button, pattern=r"^tip:"),
    ]


async def subscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Subscribe the user to the weekly tip."""
    await _subscribe(update, context)


async def unsubscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop the user's weekly tip."""
    stopped = unsubscribe(runtime(context).state, update.effective_user.id)
    text = ("Done: no more weekly tips. /subscribe starts them again." if stopped
            else "You are not subscribed to the weekly tip. /subscribe starts it.")  # fmt: skip
    await say(context.bot, update.effective_chat.id, text)


async def tip_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show this week's tip."""
    rt = runtime(context)
    try:
        catalogue = await asyncio.to_thread(load_catalogue, rt.settings)
        _, text, buttons = week_message(rt.state, rt.settings, week_of(_utcnow(), rt.settings.tips), catalogue)
    except CatalogueError as exc:
        log.error("weekly tip unavailable: %s", exc)
        await say(context.bot, update.effective_chat.id, UNAVAILABLE)
        return
    await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=buttons,
                                              link_preview_options=LinkPreviewOptions(is_disabled=True))  # fmt: skip


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route a "tip:" button: subscribe, ask about a tip's note, or an admin's broadcast confirmation."""
    data = update.callback_query.data or ""
    if data == SUBSCRIBE_DATA:
        await update.callback_query.answer()
        await _subscribe(update, context)
    elif data.startswith(ASK_PREFIX):
        await _ask(update, context, data.removeprefix(ASK_PREFIX))
    elif data.startswith(admin.CONFIRM_PREFIX):
        await admin.on_confirm(update, context, data.removeprefix(admin.CONFIRM_PREFIX))
    else:
        await update.callback_query.answer("This button no longer works.")


async def _subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Subscribe, confirm, and send this week's tip at once if this week's send has already gone out."""
    rt, user, chat = runtime(context), update.effective_user, update.effective_chat
    if chat.type != ChatType.PRIVATE:  # tips go to each manager privately, never to a group
        await say(context.bot, chat.id, "Please message me privately to subscribe to the weekly tip.")
        return
    if not subscribe(rt.state, user.id):
        await say(context.bot, chat.id, "You are already subscribed. /unsubscribe stops the weekly tip.")
        return
    await say(context.bot, chat.id, f"Subscribed: one practical tip {describe(rt.settings.tips)}, with its source. "
                                    "/tip shows this week's; /unsubscribe stops them.")  # fmt: skip
    if rt.settings.tips.enabled and (week := catch_up_week(_utcnow(), rt.settings.tips)):
        try:  # through the ledger, so this counts as their send for the week
            await deliver_one(context.bot, rt.state, rt.settings, user.id, week)
        except (CatalogueError, BroadcastError, TelegramError) as exc:
            log.error("this week's tip for a new subscriber failed: %s", exc)


async def _ask(update: Update, context: ContextTypes.DEFAULT_TYPE, note_id: str) -> None:
    """Answer a question about the tip's source note, as if the user had asked it."""
    from bot.telegram.answering import reply_with_answer  # the Telegram package's; imported late on purpose

    query, rt = update.callback_query, runtime(context)
    try:
        note = await asyncio.to_thread(load_note, rt.settings, note_id)
    except CatalogueError:
        await query.answer("That note is no longer in the library.")
        return
    question = question_about(note)
    await query.answer()
    chat_id = update.effective_chat.id
    await context.bot.send_message(chat_id, f"<i>{html.escape(question)}</i>", parse_mode=ParseMode.HTML)
    await reply_with_answer(context, chat_id, update.effective_user.id, question)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)
