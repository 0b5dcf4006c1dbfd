"""What admins use: uploads, /docs, /remove, /stats, /grant and /revoke; every action audited."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.telegram import library, texts
from bot.telegram.answering import quietly
from bot.telegram.context import runtime
from bot.telegram.formatting import escape
from bot.telegram.views import docs_page, stats_html

CONFIRM, CANCEL = "rm:yes:", "rm:no"


async def admin_only(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str, audit: bool = False) -> bool:
    """Return True for an admin (auditing the command if asked); tell anyone else it is not theirs."""
    state, actor = runtime(context).state, update.effective_user.id
    if state.is_admin(actor):
        if audit:
            state.audit(actor, f"/{command}")
        return True
    await update.effective_message.reply_text(texts.ADMINS_ONLY.format(command=command))
    return False


async def upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Add an admin's document to the library; refuse anyone else's without downloading it."""
    rt, message, actor = runtime(context), update.message, update.effective_user.id
    if not rt.state.is_admin(actor):
        await message.reply_text(texts.UPLOAD_ADMINS_ONLY)
        return
    await quietly(message.reply_chat_action(ChatAction.UPLOAD_DOCUMENT), "chat action")
    try:
        result = await library.add_upload(context.bot, rt, message.document, actor)
    except library.UploadError as exc:
        await message.reply_text(texts.NOT_ADDED.format(reason=escape(str(exc))))
        return
    done = texts.UNCHANGED if result.status == "unchanged" else texts.ADDED
    await message.reply_text(done.format(title=escape(result.title or ""), doc_id=escape(result.doc_id or ""),
                                         chunks=result.chunks))  # fmt: skip


async def docs(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the library, one page at a time."""
    if not await admin_only(update, context, "docs", audit=True):
        return
    text, markup = docs_page(await library.documents(runtime(context)), 0)
    await update.message.reply_text(text, reply_markup=markup)


async def docs_turn(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show another page of /docs."""
    query = update.callback_query
    if not runtime(context).state.is_admin(update.effective_user.id):
        await query.answer(texts.ADMINS_ONLY.format(command="docs"), show_alert=True)
        return
    await quietly(query.answer(), "button answer")
    text, markup = docs_page(await library.documents(runtime(context)), int(query.data.split(":")[1]))
    await quietly(query.edit_message_text(text, reply_markup=markup), "button edit")


async def remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask an admin to confirm removing a document."""
    if not await admin_only(update, context, "remove"):
        return
    record = await library.find(runtime(context), doc_id=context.args[0]) if context.args else None
    if record is None:
        await update.message.reply_text(texts.REMOVE_HOW)
        return
    buttons = [[InlineKeyboardButton("Remove", callback_data=CONFIRM + library.removal_key(record.doc_id)),
                InlineKeyboardButton("Cancel", callback_data=CANCEL)]]  # fmt: skip
    await update.message.reply_text(texts.REMOVE_CONFIRM.format(**_described(record, record.chunk_count)),
                                    reply_markup=InlineKeyboardMarkup(buttons))  # fmt: skip


async def remove_confirmed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remove the document once an admin confirms (or leave it on Cancel)."""
    query, rt = update.callback_query, runtime(context)
    if not rt.state.is_admin(update.effective_user.id):
        await query.answer(texts.ADMINS_ONLY.format(command="remove"), show_alert=True)
        return
    await quietly(query.answer(), "button answer")
    record = None if query.data == CANCEL else await library.find(rt, key=query.data.removeprefix(CONFIRM))
    if record is None:
        await _edit_or_send(update, context, texts.KEPT if query.data == CANCEL else texts.ALREADY_GONE)
        return
    chunks = await library.remove(rt, record, update.effective_user.id)
    await _edit_or_send(update, context, texts.REMOVED.format(**_described(record, chunks)))


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show users, questions this week, answered and not-covered rates, feedback and content gaps."""
    if not await admin_only(update, context, "stats", audit=True):
        return
    await update.message.reply_text(stats_html(runtime(context).state.stats()))


async def grant(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Make a user an admin."""
    if not await admin_only(update, context, "grant"):
        return
    if (user := await _user_id_arg(update, context, "grant")) is None:
        return
    done = runtime(context).state.grant(update.effective_user.id, user)
    await update.message.reply_text(texts.GRANTED[done].format(user=user))


async def revoke(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Take a granted admin role away (admins named in config.toml stay admins)."""
    if not await admin_only(update, context, "revoke"):
        return
    if (user := await _user_id_arg(update, context, "revoke")) is None:
        return
    state = runtime(context).state
    if user in state.config_admins:
        await update.message.reply_text(texts.CONFIG_ADMIN.format(user=user))
        return
    await update.message.reply_text(texts.REVOKED[state.revoke(update.effective_user.id, user)].format(user=user))


async def _user_id_arg(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str) -> int | None:
    """Return the numeric user id after a command, or explain how to give one."""
    if len(context.args or []) == 1 and context.args[0].isdigit():
        return int(context.args[0])
    await update.message.reply_text(texts.USER_ID_HOW.format(command=command))
    return None


def _described(record, chunks: int) -> dict:
    """Return a document's title, id and chunk count, escaped for a message."""
    return {"title": escape(record.title), "doc_id": escape(record.doc_id), "chunks": chunks}


async def _edit_or_send(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Replace the confirmation with the outcome; if that edit fails, send the outcome instead."""
    try:
        await update.callback_query.edit_message_text(text)
    except TelegramError:
        await context.bot.send_message(update.effective_chat.id, text)
