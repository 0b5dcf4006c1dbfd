"""What managers use: /start, /help, /forget, questions, and the buttons under answers."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.telegram import texts
from bot.telegram.access import question_text
from bot.telegram.answering import quietly, reply_with_answer, send_html
from bot.telegram.context import runtime
from bot.telegram.formatting import answer_buttons, quotes_html
from bot.tips import handlers as tips
from bot.tips import subscriptions


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome a manager: what Carewise can and cannot do, and what it keeps about them."""
    privacy = texts.privacy_notice(runtime(context).settings.privacy)
    await update.message.reply_text(texts.WELCOME.format(privacy=privacy), reply_markup=tips.offer_markup())


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands this user can use."""
    admin = runtime(context).state.is_admin(update.effective_user.id)
    await update.message.reply_text(texts.help_text(admin))


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete everything kept about the user."""
    rt, user_id = runtime(context), update.effective_user.id
    rt.state.forget(user_id)
    subscriptions.forget(rt.state, user_id)
    rt.limiter.forget(user_id)
    await update.message.reply_text(texts.FORGOTTEN)


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a text message as a question (in groups, replying to it)."""
    message = update.message
    text = question_text(message, context.bot)
    if not text:
        await message.reply_text(texts.help_text(False))
        return
    in_group = message.chat.type != ChatType.PRIVATE
    await reply_with_answer(context, message.chat_id, update.effective_user.id, text,
                            reply_to=message.message_id if in_group else None)  # fmt: skip


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain that only typed questions are read."""
    await update.message.reply_text(texts.NOT_TEXT)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point to /help for a command the bot does not have."""
    await update.message.reply_text(texts.UNKNOWN_COMMAND)


async def show_quotes(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the exact source text behind each [n] of an answer."""
    query = update.callback_query
    citations = runtime(context).state.citations(query.data.split(":")[2])
    await quietly(query.answer(None if citations is not None else texts.ANSWER_GONE), "button answer")
    if citations is not None:
        await send_html(context.bot, query.message.chat_id, quotes_html(citations), reply_to=query.message.message_id)


async def vote(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Store a 👍 or 👎 (one per user per answer, changeable) and tick it on the buttons."""
    query = update.callback_query
    _, _, answer_id, direction = query.data.split(":")
    rt, value = runtime(context), 1 if direction == "up" else -1
    stored = rt.state.vote(answer_id, update.effective_user.id, value)
    await quietly(query.answer(texts.VOTED[value] if stored else texts.ANSWER_GONE), "button answer")
    if stored:
        markup = answer_buttons(answer_id, bool(rt.state.citations(answer_id)), value)
        await quietly(query.edit_message_reply_markup(markup), "button edit")
