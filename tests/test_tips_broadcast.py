"""The broadcast against the fake Bot API server: exactly one tip each, faults, a killed run resumed, the pace."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

from bot.tips import ledger
from bot.tips.broadcast import MAX_IN_FLIGHT, broadcast
from bot.tips.schema import FAILED, GONE, SENT, UNCONFIRMED
from bot.tips.subscriptions import is_subscribed, subscribe
from tests.conftest import REPO
from tests.test_tips_fixtures import (add_subscribers, build_app, open_state, server,  # noqa: F401
                                      tip_messages, tips_settings)  # fmt: skip

USERS = list(range(100_001, 101_001))


def run(app, work):
    """Run work(app) inside the initialised application (no polling needed to send)."""

    async def main():
        async with app:
            return await work(app)

    return asyncio.run(main())


def statuses(state, week):
    return dict(state.conn.execute("SELECT user_id, status FROM tip_deliveries WHERE week = ?", (week,)).fetchall())


def test_a_thousand_subscribers_each_get_exactly_one_tip_and_a_rerun_sends_nothing(server, tmp_path):
    settings = tips_settings(tmp_path)
    state = open_state(settings)
    add_subscribers(state, USERS)
    late = 555_555  # subscribes while the broadcast is running

    async def work(app):
        async def subscribe_midway():
            while len(server.calls("sendMessage")) < 500:
                await asyncio.sleep(0.01)
            subscribe(state, late)

        helper = asyncio.create_task(subscribe_midway())
        first = await broadcast(app.bot, state, settings)
        await helper
        return first, await broadcast(app.bot, state, settings, week=first.week)

    first, again = run(build_app(server, settings, state), work)
    counts = tip_messages(server)
    assert set(counts) == set(USERS) | {late} and set(counts.values()) == {1}
    assert (first.sent, first.failed, first.unconfirmed) == (1001, 0, 0)
    assert again.sent == 0 and len(server.calls("sendMessage")) == 1001
    assert first.seconds < 30, first.summary()
    record = next(c for c in server.calls("sendMessage") if c["chat_id"] == USERS[0])
    assert record["reply_markup"]["inline_keyboard"][0][0]["text"] == "Ask about this"
    assert "legislation.gov.uk" in record["params"]["text"]


def test_with_429s_5xx_timeouts_and_blocked_users_each_reachable_user_still_gets_exactly_one(server, tmp_path):
    # A 1 s timeout against 2.5 s delays: on a busy machine an ordinary send may take 0.3 s, and must
    # not be counted as one of the deliberately timed-out ones.
    settings = tips_settings(tmp_path, send_timeout_s=1.0)
    state = open_state(settings)
    add_subscribers(state, USERS)
    blocked, no_chat = USERS[-10:], USERS[-15:-10]
    for user in blocked:
        server.block(user)
    for user in no_chat:
        server.chat_not_found(user)
    server.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=USERS[200])
    server.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=USERS[600])
    server.fail("sendMessage", 500, "Internal Server Error", times=2, chat_id=USERS[300])  # then succeeds
    server.fail("sendMessage", 502, "Bad Gateway", times=None, chat_id=USERS[400])  # might have been forwarded
    server.fail("sendMessage", 503, "Service Unavailable", times=None, chat_id=USERS[500])  # never succeeds
    server.delay("sendMessage", 2.5, times=3)  # the first three sends time out, yet Telegram delivers them

    report = run(build_app(server, settings, state), lambda app: broadcast(app.bot, state, settings))
    reachable = set(USERS) - set(blocked) - set(no_chat) - {USERS[400], USERS[500]}
    deadline = time.monotonic() + 8
    while len(tip_messages(server)) < len(reachable) and time.monotonic() < deadline:
        time.sleep(0.05)  # the delayed sends land a second after the client gave up
    counts = tip_messages(server)
    assert set(counts) == reachable and set(counts.values()) == {1}
    assert (report.unsubscribed, report.failed, report.unconfirmed, report.flood_waits) == (15, 1, 4, 2)
    assert report.sent == len(reachable) - 3
    week, rows = report.week, statuses(state, report.week)
    assert all(rows[user] == GONE and not is_subscribed(state, user) for user in blocked + no_chat)
    assert rows[USERS[300]] == SENT and rows[USERS[400]] == UNCONFIRMED and rows[USERS[500]] == FAILED
    attempts = state.conn.execute("SELECT attempts FROM tip_deliveries WHERE week = ? AND user_id = ?",
                                  (week, USERS[500])).fetchone()[0]  # fmt: skip
    assert attempts == settings.tips.max_attempts
    assert server.rejected_429 == 2  # our pacer saw both (flood_waits): the app's limiter did not retry them

    again = run(build_app(server, settings, state), lambda app: broadcast(app.bot, state, settings))
    assert (again.sent, again.failed, again.unconfirmed, again.unsubscribed) == (0, 1, 0, 0)  # only the failure
    assert tip_messages(server) == counts  # the timed-out and unconfirmed sends were not repeated


CHILD = """
import asyncio, pathlib, sys
sys.path.insert(0, sys.argv[1])
from telegram import Bot
from bot.tips.broadcast import broadcast
from tests.test_tips_fixtures import open_state, tips_settings
settings = tips_settings(pathlib.Path(sys.argv[2]), max_per_second=400, send_timeout_s=5)
state = open_state(settings)

async def main():
    async with Bot("123:ABC", base_url=sys.argv[3]) as bot:  # a plain Bot, as a benchmark would use
        await broadcast(bot, state, settings)

asyncio.run(main())
"""


def test_a_broadcast_killed_halfway_resumes_with_no_duplicates(server, tmp_path):
    # A generous send timeout: on a busy machine a 0.5 s one turns slow sends into "unconfirmed" ones.
    settings = tips_settings(tmp_path, max_per_second=400, send_timeout_s=5)
    state = open_state(settings)
    add_subscribers(state, USERS)
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(REPO), str(tmp_path), server.base_url],
                             env={**os.environ, "HF_HUB_OFFLINE": "1"}, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 60
    while len(server.calls("sendMessage")) < 300:
        assert child.poll() is None, child.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline, "the child never got going"
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)  # no finally blocks, no clean shutdown
    child.wait(10)
    child.stderr.close()
    before = len(tip_messages(server))
    assert 300 <= before < 1000

    claimed = state.conn.execute("SELECT COUNT(*) FROM tip_deliveries").fetchone()[0]
    interrupted = ledger.recover(state)  # what on_startup does first
    report = run(build_app(server, settings, state), lambda app: broadcast(app.bot, state, settings))
    counts = tip_messages(server)
    assert set(counts.values()) == {1}, "somebody got the week's tip twice"
    rows = statuses(state, report.week)
    unconfirmed = {user for user, status in rows.items() if status == UNCONFIRMED}
    assert len(unconfirmed) == interrupted <= MAX_IN_FLIGHT
    assert set(counts) >= set(USERS) - unconfirmed  # everyone else has theirs, exactly once
    assert report.sent == len(USERS) - claimed  # resumed where it stopped, not started again


def test_the_default_pace_keeps_under_an_enforced_30_a_second(server, tmp_path):
    settings = tips_settings(tmp_path, max_per_second=25, telegram={"max_messages_per_second": 30})
    state = open_state(settings)
    add_subscribers(state, USERS[:100])
    server.rate_limit(30)
    report = run(build_app(server, settings, state), lambda app: broadcast(app.bot, state, settings))
    assert report.sent == 100 and server.rejected_429 == 0
    assert 22 <= report.per_second <= 25.5, report.summary()
