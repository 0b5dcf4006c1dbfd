"""Shared helpers for the weekly-tip tests (no tests here): settings, tips file, state, a PTB app on the fake server."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot.services import build_services
from bot.state import State, now
from bot.telegram.context import Runtime, install
from bot.tips.handlers import handlers
from bot.tips.schema import ensure
from tests.botapi import BotApiServer
from tests.conftest import make_settings

ADMIN, USER = 9001, 4242
# Four tips citing real library notes; the first has characters HTML must escape.
TIPS_YAML = """\
- id: tip-alpha
  note: mca-capacity-test
  text: >-
    Check that capacity records name one decision & say which ability <the person> could not manage.
- id: tip-bravo
  note: care-act-s42-enquiries
  text: >-
    Ask the council how it wants to hear about your own enquiries under section 42.
- id: tip-charlie
  note: cqc-reg-13-safeguarding
  text: >-
    Ask two staff at handover what they would do if a resident said a colleague hurt them.
- id: tip-delta
  note: mca-five-principles
  text: >-
    Walk round and list every restriction in use, then ask whether something less restrictive was tried.
"""


def tips_settings(tmp_path: Path, telegram: dict | None = None, **tips):
    """Return settings with state in tmp_path, the test tips file, and fast, short tips settings."""
    path = tmp_path / "tips.yaml"
    if not path.exists():
        path.write_text(TIPS_YAML, encoding="utf-8")
    values = {"file": str(path), "max_per_second": 2000, "retry_base_s": 0.01, "send_timeout_s": 0.5, **tips}
    telegram = {"admin_ids": [ADMIN], "max_messages_per_second": 5000, **(telegram or {})}
    return make_settings(tmp_path, tips=values, telegram=telegram)


def open_state(settings) -> State:
    """Open the settings' state database with the tips tables."""
    state = State(settings.resolve(settings.state.path), settings.telegram.admin_ids)
    ensure(state)
    return state


def add_subscribers(state: State, user_ids) -> None:
    """Subscribe many users in one transaction (subscribe() commits each, which is slow for thousands)."""
    stamp = now()
    with state.transaction() as conn:
        conn.executemany("INSERT INTO tip_subscribers (user_id, subscribed_at) VALUES (?, ?)",
                         [(user_id, stamp) for user_id in user_ids])  # fmt: skip


def build_app(server: BotApiServer, settings, state: State) -> Application:
    """Build a PTB Application on the fake server the way app.py does: rate limiter, runtime, our handlers."""
    limiter = AIORateLimiter(overall_max_rate=settings.telegram.max_messages_per_second, max_retries=3)
    app = (ApplicationBuilder().token(server.token).base_url(server.base_url)
           .base_file_url(server.base_file_url).rate_limiter(limiter).build())  # fmt: skip
    install(app, Runtime(settings, build_services(settings), state))
    for handler in handlers():
        app.add_handler(handler)
    return app


def tip_messages(server: BotApiServer) -> dict[int, int]:
    """Return, per chat, how many weekly-tip messages the fake server recorded."""
    counts: dict[int, int] = {}
    for call in server.calls("sendMessage"):
        if ((call["result"] or {}).get("text") or "").startswith("This week's practical tip"):
            counts[call["chat_id"]] = counts.get(call["chat_id"], 0) + 1
    return counts


@pytest.fixture
def server():
    """A fake Bot API server for one test."""
    with BotApiServer(token="123:ABC", bot_username="carewise_test_bot") as srv:
        yield srv
