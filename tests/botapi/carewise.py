"""Fixtures and helpers for playing Carewise's managers and admins against the fake Bot API server.

Import the fixtures into a test module: ``from tests.botapi.carewise import server, start_bot``.
"""
from __future__ import annotations

import time

import pytest

from bot.state import State
from bot.telegram.app import webhook_options
from bot.telegram.context import Runtime
from tests.conftest import make_settings

from .harness import RunningBot
from .server import BotApiServer

TOKEN = "987654:CAREWISE-test-token-AbCdEf"
ADMIN, MANAGER, OTHER = 1001, 2002, 3003


@pytest.fixture
def server():
    """A fresh fake Bot API server."""
    with BotApiServer(token=TOKEN, bot_username="carewise_test_bot") as srv:
        yield srv


@pytest.fixture
def start_bot(tmp_path, server, library_services):
    """Return start(services=None, telegram={...}, **sections) -> RunningBot, stopped after the test."""
    running: list[RunningBot] = []

    def start(services=None, telegram=None, webhook_secret=None, **sections) -> RunningBot:
        values = {"api_base_url": server.base_url, "api_file_url": server.base_file_url, "admin_ids": [ADMIN],
                  "max_messages_per_second": 1000, **(telegram or {})}  # fmt: skip
        settings = make_settings(tmp_path, telegram=values, **sections)
        state = State(settings.resolve(settings.state.path), settings.telegram.admin_ids)
        webhook = webhook_options(settings, webhook_secret) if settings.telegram.webhook_url else None
        bot = RunningBot(Runtime(settings, services or library_services, state), server, webhook).start()
        running.append(bot)
        return bot

    yield start
    for bot in running:
        bot.stop()
        bot.runtime.state.close()


def reply(server: BotApiServer, user_id: int, text: str, timeout: float = 30, **where) -> dict:
    """Send text as a user and return the first message the bot sends back to that chat."""
    return replies(server, user_id, text, 1, timeout, **where)[0]


def replies(server: BotApiServer, user_id: int, text: str, n: int, timeout: float = 30, **where) -> list[dict]:
    """Send text as a user and return the next n messages the bot sends back to that chat."""
    update = server.send_text(user_id, text, **where)
    chat = update["message"]["chat"]["id"]
    before = _count_before(server, chat, update["message"]["message_id"])
    return server.wait_for_messages(chat, before + n, timeout)[before : before + n]


def upload(server: BotApiServer, user_id: int, data: bytes, name: str, mime: str, timeout: float = 60) -> dict:
    """Send a document as a user and return the bot's reply."""
    before = len(server.messages_to(user_id))
    server.send_document(user_id, data, name, mime)
    return server.wait_for_messages(user_id, before + 1, timeout)[before]


def press(server: BotApiServer, user_id: int, message: dict, data: str, method: str = "answerCallbackQuery",
          timeout: float = 30) -> dict:  # fmt: skip
    """Press a button on a bot message and return the bot's first call of `method` after it."""
    since = len(server.sent)
    server.press_button(user_id, message, data)
    return server.wait_for(lambda c: c["method"] == method, timeout, since=since)


def shown(message: dict) -> str:
    """Return a sent message's text as the user sees it (HTML rendered)."""
    return (message.get("result") or {}).get("text") or (message.get("result") or {}).get("caption") or ""


def buttons(message: dict) -> dict[str, str]:
    """Return {button text: callback data} of a sent message."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b.get("callback_data") for row in rows for b in row}


def quiet_for(server: BotApiServer, chat_id: int, seconds: float) -> list[dict]:
    """Wait and return what the bot sent to a chat meanwhile (to check that it said nothing)."""
    before = len(server.messages_to(chat_id))
    time.sleep(seconds)
    return server.messages_to(chat_id)[before:]


def _count_before(server: BotApiServer, chat_id: int, message_id: int) -> int:
    # Bot messages get ids from the same counter as user messages: count those older than the question.
    return len([m for m in server.messages_to(chat_id) if m["message_id"] < message_id])
