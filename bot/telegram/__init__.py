"""Carewise on Telegram."""
