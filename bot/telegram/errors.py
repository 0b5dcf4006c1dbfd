"""One global error handler, and a log filter that keeps secrets out of every log line."""

from __future__ import annotations

import logging
import secrets

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.telegram import texts

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the traceback (never the message text) under a reference id, and apologise with that id."""
    ref = secrets.token_hex(4)
    user = update.effective_user.id if isinstance(update, Update) and update.effective_user else None
    log.error("error handling an update (ref %s, user %s)", ref, user, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat:
        try:
            await context.bot.send_message(update.effective_chat.id, texts.APOLOGY.format(ref=ref))
        except TelegramError as exc:
            log.warning("could not send the apology (ref %s): %s", ref, type(exc).__name__)


class Redact(logging.Filter):
    """Replace secrets (the bot token, the webhook secret) in a record's message and traceback."""

    def __init__(self, *secrets_: str):
        super().__init__()
        self.secrets = [s for s in secrets_ if s]

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record so no secret survives formatting."""
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for secret in self.secrets:
            message = message.replace(secret, "<redacted>")
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, "<redacted>")
        record.msg, record.args = message, ()
        return True


def redact_logs(*secrets_: str) -> None:
    """Install the filter on every root handler, where records from all loggers pass."""
    root = logging.getLogger()
    for handler in root.handlers:
        handler.addFilter(Redact(*secrets_))
