"""The weekly tip through a real PTB Application on the fake server: buttons, commands, admins, start-up."""

from __future__ import annotations

import asyncio
import sys
import types
from datetime import datetime, timezone

import pytest

from bot.tips import ledger
from bot.tips.catalogue import load_note, question_about
from bot.tips.handlers import offer_markup, on_startup
from bot.tips.jobs import JOB_NAME, weekly_job
from bot.tips.schedule import catch_up_week, next_slot, next_week, week_of
from bot.tips.schema import SENT
from bot.tips.subscriptions import is_subscribed
from bot.services import build_services
from bot.telegram.context import Runtime, install
from tests.test_tips_fixtures import (ADMIN, USER, add_subscribers, build_app, open_state, server,  # noqa: F401
                                      tip_messages, tips_settings)  # fmt: skip

SLOT_PASSED = {"weekday": "monday", "time": "00:00"}  # any moment of the week is after this week's slot


def run_bot(app, scenario, startup=True, post_init=False):
    """Poll the fake server with the application while scenario(app) drives it."""

    async def main():
        async with app:
            if startup:
                await on_startup(app)  # what app.py's post_init does
            if post_init:
                await app.post_init(app)  # run_polling would call it; here we poll by hand
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=1)
            try:
                await asyncio.wait_for(scenario(app), 30)
            finally:
                await app.updater.stop()
                await app.stop()

    asyncio.run(main())


def text_of(call):
    return (call["result"] or {}).get("text") or ""


async def said(server, chat_id, start, since=0):
    """Wait for a message to chat_id whose text starts with start; return its record."""
    return await server.async_wait_for(
        lambda c: c["method"] == "sendMessage" and c["chat_id"] == chat_id and text_of(c).startswith(start),
        since=since,
    )  # fmt: skip


def command(server, user_id, text):
    """Send a command and return where to look for the reply."""
    mark = len(server.sent)
    server.send_text(user_id, text)
    return mark


@pytest.fixture
def answers(monkeypatch):
    """Stand in for the Telegram package's answering module, recording each question."""
    asked = []

    async def reply_with_answer(context, chat_id, user_id, question):
        asked.append((chat_id, user_id, question))
        await context.bot.send_message(chat_id, "ANSWER")

    module = types.ModuleType("bot.telegram.answering")
    module.reply_with_answer = reply_with_answer
    monkeypatch.setitem(sys.modules, "bot.telegram.answering", module)
    return asked


def test_subscribe_button_mid_week_tip_once_unsubscribe_and_ask_about_this(server, tmp_path, answers):
    settings = tips_settings(tmp_path, **SLOT_PASSED)
    state = open_state(settings)

    async def scenario(app):
        await app.bot.send_message(USER, "Welcome to Carewise", reply_markup=offer_markup())  # what /start shows
        server.press_button(USER, server.calls("sendMessage")[-1], "tip:subscribe")
        await said(server, USER, "Subscribed: one practical tip every Monday at 00:00 (Europe/London time)")
        tip = await said(server, USER, "This week's practical tip")  # subscribed mid-week: this week's at once
        assert load_note(settings, "mca-capacity-test").title in text_of(tip)
        await said(server, USER, "You are already subscribed", command(server, USER, "/subscribe"))
        await said(server, USER, "Done: no more weekly tips", command(server, USER, "/unsubscribe"))
        await said(server, USER, "Subscribed:", command(server, USER, "/subscribe"))
        # Updates are handled in order, so any second tip from that /subscribe would precede this reply.
        await said(server, USER, "Done: no more weekly tips", command(server, USER, "/unsubscribe"))
        assert tip_messages(server) == {USER: 1}  # re-subscribing in the same week did not send it again
        shown = await said(server, USER, "This week's practical tip", command(server, USER, "/tip"))
        button = shown["reply_markup"]["inline_keyboard"][0][0]
        assert (button["text"], button["callback_data"]) == ("Ask about this", "tip:ask:mca-capacity-test")
        mark = len(server.sent)
        server.press_button(USER, shown, button["callback_data"])
        await said(server, USER, "ANSWER", mark)
        assert answers == [(USER, USER, question_about(load_note(settings, "mca-capacity-test")))]
        assert any(text_of(c) == answers[0][2] for c in server.messages_to(USER))

    run_bot(build_app(server, settings, state), scenario)
    assert ledger.status_of(state, week_of(datetime.now(timezone.utc), settings.tips), USER) == SENT
    assert not is_subscribed(state, USER)


def test_admin_commands_choose_preview_send_now_and_status(server, tmp_path):
    settings = tips_settings(tmp_path, enabled=False, **SLOT_PASSED)  # no schedule: the admin sends
    state = open_state(settings)
    subscribers = list(range(7001, 7021))
    add_subscribers(state, subscribers)
    server.block(subscribers[0])
    now = datetime.now(timezone.utc)
    this, following = week_of(now, settings.tips), next_week(now, settings.tips)

    async def scenario(app):
        await said(server, USER, "Sorry, that is for admins only", command(server, USER, "/broadcast_now"))
        await said(server, ADMIN, "There is no tip with the id 'tip-nope'",
                   command(server, ADMIN, "/tip_next tip-nope"))
        await said(server, ADMIN, f"Done: week {following}'s tip", command(server, ADMIN, "/tip_next tip-delta"))
        mark = command(server, ADMIN, "/broadcast_preview")
        await said(server, ADMIN, f"Preview of week {following}'s tip (tip-delta)", mark)
        preview = await said(server, ADMIN, "This week's practical tip", mark)
        assert "list every restriction" in text_of(preview)
        ask = await said(server, ADMIN, f"Send week {this}'s tip (tip-alpha) now to the 20 subscribers",
                         command(server, ADMIN, "/broadcast_now"))  # fmt: skip
        buttons = ask["reply_markup"]["inline_keyboard"][0]
        assert [b["text"] for b in buttons] == ["Send now", "Cancel"]
        mark = len(server.sent)
        server.press_button(ADMIN, ask, buttons[0]["callback_data"])
        await said(server, ADMIN, f"Week {this} (tip-alpha): sent 19, unconfirmed 0, failed 0, unsubscribed 1", mark)
        status = await said(server, ADMIN, f"Weekly tip, week {this}", command(server, ADMIN, "/broadcast_status"))
        for line in ("Sent: 19", "Pending: 0", "Failed: 0", "Unsubscribed this week: 1 (1 had blocked the bot",
                     "Subscribers: 19", "Schedule: off"):  # fmt: skip
            assert line in text_of(status)
        await said(server, ADMIN, f"Week {this} (tip-alpha): sent 0", command(server, ADMIN, "/broadcast_now yes"))
        ask = await said(server, ADMIN, "Send week", command(server, ADMIN, "/broadcast_now"))
        mark = len(server.sent)
        server.press_button(ADMIN, ask, ask["reply_markup"]["inline_keyboard"][0][1]["callback_data"])
        await server.async_wait_for(lambda c: c["method"] == "editMessageText" and text_of(c).startswith("Cancelled"),
                                    since=mark)  # fmt: skip

    run_bot(build_app(server, settings, state), scenario)
    counts = tip_messages(server)
    assert {chat: n for chat, n in counts.items() if chat in subscribers} == {s: 1 for s in subscribers[1:]}
    assert not is_subscribed(state, subscribers[0])
    actions = [row[0] for row in state.conn.execute("SELECT action FROM audit_log WHERE actor = ?", (ADMIN,))]
    assert {"tips.tip_next", "tips.broadcast_preview", "tips.broadcast_now", "tips.broadcast_confirm",
            "tips.broadcast_status"} <= set(actions)  # fmt: skip


def test_startup_schedules_the_weekly_job_and_catches_up_a_missed_send(server, tmp_path):
    settings = tips_settings(tmp_path, **SLOT_PASSED)
    state = open_state(settings)
    add_subscribers(state, [11, 12, 13])

    async def scenario(app):
        for chat in (11, 12, 13):
            await said(server, chat, "This week's practical tip")  # nobody sent anything: the catch-up did
        job = app.job_queue.get_jobs_by_name(JOB_NAME)[0]
        assert job.next_t == next_slot(datetime.now(timezone.utc), settings.tips)

    run_bot(build_app(server, settings, state), scenario)
    assert tip_messages(server) == {11: 1, 12: 1, 13: 1}


def test_no_catch_up_before_this_weeks_slot_and_none_for_a_week_that_is_over(server, tmp_path):
    settings = tips_settings(tmp_path, weekday="sunday", time="23:59")
    if catch_up_week(datetime.now(timezone.utc), settings.tips):
        pytest.skip("it is Sunday 23:59 in London: this week's slot has just passed")
    state = open_state(settings)
    add_subscribers(state, [11, 12])

    async def scenario(app):
        app.job_queue.run_once(weekly_job, when=0, data="2020-W01", name=JOB_NAME)  # fires years late
        await asyncio.sleep(1.0)
        jobs = app.job_queue.get_jobs_by_name(JOB_NAME)
        assert [job.next_t for job in jobs] == [next_slot(datetime.now(timezone.utc), settings.tips)]

    run_bot(build_app(server, settings, state), scenario)
    assert tip_messages(server) == {}


def test_ask_about_this_gets_a_cited_answer_from_the_real_library(server, tmp_path, library_services):
    pytest.importorskip("bot.telegram.answering")
    settings = tips_settings(tmp_path)
    state = open_state(settings)
    app = build_app(server, settings, state)
    install(app, Runtime(settings, library_services, state))
    question = question_about(load_note(settings, "mca-capacity-test"))

    async def scenario(app):
        shown = await said(server, USER, "This week's practical tip", command(server, USER, "/tip"))
        mark = len(server.sent)
        server.press_button(USER, shown, "tip:ask:mca-capacity-test")
        await said(server, USER, question, mark)
        answer = await server.async_wait_for(
            lambda c: c["method"] == "sendMessage" and c["chat_id"] == USER and text_of(c) != question, since=mark)
        assert "capacity" in text_of(answer).lower() and "[1]" in text_of(answer), text_of(answer)

    run_bot(app, scenario, startup=False)


def test_through_the_real_app_start_offers_the_tip_and_forget_removes_every_trace(server, tmp_path):
    app_module = pytest.importorskip("bot.telegram.app")
    settings = tips_settings(tmp_path, telegram={"api_base_url": server.base_url,
                                                 "api_file_url": server.base_file_url}, **SLOT_PASSED)  # fmt: skip
    state = open_state(settings)
    app = app_module.build(Runtime(settings, build_services(settings), state), server.token)
    week = week_of(datetime.now(timezone.utc), settings.tips)

    async def scenario(app):
        welcome = await said(server, USER, "Welcome to Carewise", command(server, USER, "/start"))
        button = welcome["reply_markup"]["inline_keyboard"][0][0]
        server.press_button(USER, welcome, button["callback_data"])
        await said(server, USER, "Subscribed: one practical tip")
        await said(server, USER, "This week's practical tip")
        status = await said(server, ADMIN, f"Weekly tip, week {week}", command(server, ADMIN, "/broadcast_status"))
        assert "Sent: 1" in text_of(status)
        assert app.job_queue.get_jobs_by_name(JOB_NAME)  # the app's post_init armed the weekly job
        await server.async_wait_for(lambda c: c["method"] == "sendMessage" and c["chat_id"] == USER
                                    and "deleted everything" in text_of(c), since=command(server, USER, "/forget"))

    run_bot(app, scenario, startup=False, post_init=True)
    assert tip_messages(server) == {USER: 1}
    assert state.conn.execute("SELECT COUNT(*) FROM tip_subscribers WHERE user_id = ?", (USER,)).fetchone()[0] == 0
    assert state.conn.execute("SELECT COUNT(*) FROM tip_deliveries WHERE user_id = ?", (USER,)).fetchone()[0] == 0
