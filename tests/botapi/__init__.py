"""Fake Telegram Bot API server for driving the real PTB Application in tests."""
from .server import ApiError, BotApiServer

__all__ = ["ApiError", "BotApiServer"]
