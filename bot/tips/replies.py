"""Plain-text replies that stay plain whatever parse mode the application sets by default."""

from __future__ import annotations

from typing import Any

from telegram import Bot, Message


async def say(bot: Bot, chat_id: int, text: str, **kwargs: Any) -> Message:
    """Send text as it is, so a '<' or '&' (an admin's typo, a file path) can never break the reply."""
    # app.py sets Defaults(parse_mode=HTML); an explicit None overrides it for this message only.
    return await bot.send_message(chat_id, text, parse_mode=None, **kwargs)
