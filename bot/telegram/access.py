"""One gate before every handler: who may use the bot, and which group messages are meant for it."""

from __future__ import annotations

import hmac
import html
import re

from telegram import Bot, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import triage
from bot.telegram import texts
from bot.telegram.answering import is_urgent
from bot.telegram.context import Runtime, runtime
from bot.telegram.formatting import escape


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Let allowed users through; refuse others with one clear reply; ignore group chatter not for us."""
    rt = runtime(context)
    user = update.effective_user
    if user is None or user.is_bot or not addressed(update, context.bot):
        raise ApplicationHandlerStop
    refusal = refuse(rt, user.id, start_code(update.message))
    if refusal is None:
        rt.state.touch(user.id)
        return
    # Nothing is stored about a refused user; an urgent message still gets the emergency line first.
    if update.message and update.message.text and await is_urgent(rt.services, update.message.text):
        refusal = f"<b>{escape(triage.emergency_preface(rt.settings.answer.safeguarding_contact))}</b>\n\n{refusal}"
    if update.callback_query:
        await update.callback_query.answer(_plain(refusal), show_alert=True)
    elif update.effective_chat:
        await context.bot.send_message(update.effective_chat.id, refusal)
    raise ApplicationHandlerStop


def refuse(rt: Runtime, user_id: int, code: str | None) -> str | None:
    """Return why a user may not use the bot, or None to let them in (accepting a valid invite code)."""
    telegram, state = rt.settings.telegram, rt.state
    if telegram.access == "open" or state.is_admin(user_id):
        return None
    if telegram.access == "allowlist":
        return None if user_id in telegram.allowlist_ids else texts.REFUSED_ALLOWLIST.format(user_id=user_id)
    if state.is_allowed(user_id):
        return None
    if code is None:
        return texts.REFUSED_INVITE
    # Compared in constant time: the code is a shared secret.
    if telegram.invite_code and hmac.compare_digest(code.encode(), telegram.invite_code.encode()):
        state.allow(user_id)
        return None
    return texts.BAD_INVITE


def start_code(message: Message | None) -> str | None:
    """Return the CODE of a '/start CODE' message, else None."""
    if not message or not message.text:
        return None
    parts = message.text.split()
    return parts[1] if len(parts) == 2 and parts[0].split("@")[0] == "/start" else None


def addressed(update: Update, bot: Bot) -> bool:
    """Return True unless this is a group message that neither mentions the bot nor replies to it."""
    message = update.message
    if update.callback_query or (message and message.chat.type == ChatType.PRIVATE):
        return True
    if message is None:
        return False  # edits, channel posts, membership changes: nothing to answer
    replied_to = message.reply_to_message.from_user if message.reply_to_message else None
    if replied_to and replied_to.id == bot.id:
        return True
    text = message.text or ""
    if text.startswith("/"):
        command = text.split()[0]
        return "@" not in command or command.split("@", 1)[1].lower() == bot.username.lower()
    return any(_mentions_bot(message, entity, text, bot) for entity in message.entities)


def question_text(message: Message, bot: Bot) -> str:
    """Return the message's text without the @mention of the bot."""
    text = message.text or ""
    for entity in sorted(message.entities, key=lambda e: e.offset, reverse=True):
        if _mentions_bot(message, entity, text, bot):
            mention = message.parse_entity(entity)
            text = text.replace(mention, " ", 1)
    return " ".join(text.split())


def _mentions_bot(message: Message, entity: MessageEntity, text: str, bot: Bot) -> bool:
    if entity.type == MessageEntity.TEXT_MENTION:
        return entity.user is not None and entity.user.id == bot.id
    return entity.type == MessageEntity.MENTION and message.parse_entity(entity).lower() == f"@{bot.username.lower()}"


def _plain(html_text: str) -> str:
    """Return short plain text for a button's pop-up (no HTML there; at most 200 characters)."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))[:200]
