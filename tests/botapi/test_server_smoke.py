"""Smoke tests: the fake Bot API server drives a real python-telegram-bot Application."""
from __future__ import annotations

import asyncio
import json
import socket
import threading
import urllib.error
import urllib.request

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes,
                          MessageHandler, filters)

from . import BotApiServer

TOKEN = "123:ABC"
USER = 4242


@pytest.fixture
def server():
    with BotApiServer(token=TOKEN, bot_username="carewise_test_bot") as srv:
        yield srv


def run_bot(server: BotApiServer, scenario) -> None:
    """Run a real PTB Application against the fake server while `scenario(app)` runs."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text("hi")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(update.message.text)

    async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        file = await context.bot.get_file(update.message.document.file_id)
        data = await file.download_as_bytearray()
        await update.message.reply_text(f"got {update.message.document.file_name}: {bytes(data)!r}")

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("noted")
        await update.callback_query.edit_message_text(f"you chose {update.callback_query.data}")

    async def main() -> None:
        app = (ApplicationBuilder().token(TOKEN).base_url(server.base_url)
               .base_file_url(server.base_file_url).build())
        app.add_handler(CommandHandler("start", start))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        app.add_handler(MessageHandler(filters.Document.ALL, document))
        app.add_handler(CallbackQueryHandler(button))
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=1)
            try:
                await asyncio.wait_for(scenario(app), 15)
            finally:
                await app.updater.stop()
                await app.stop()

    asyncio.run(main())


def test_start_echo_and_group_command(server):
    async def scenario(app):
        server.send_text(USER, "/start")
        first = await server.async_wait_for(lambda c: c["method"] == "sendMessage")
        assert (first["chat_id"], first["text"]) == (USER, "hi")
        server.send_text(USER, "hello there")
        msgs = await server.async_wait_for_messages(USER, 2)
        assert msgs[1]["text"] == "hello there"
        upd = server.send_text(USER, "/start@carewise_test_bot", chat_type="group")
        chat_id = upd["message"]["chat"]["id"]
        assert chat_id < 0
        assert (await server.async_wait_for_messages(chat_id, 1))[0]["text"] == "hi"

    run_bot(server, scenario)
    assert [c["method"] for c in server.sent][:2] == ["getMe", "deleteWebhook"]


def test_injected_429_surfaces_as_retry_after(server):
    async def scenario(app):
        server.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        with pytest.raises(RetryAfter):
            await app.bot.send_message(USER, "first try")
        await app.bot.send_message(USER, "second try")
        server.block(777)
        with pytest.raises(Forbidden, match="blocked"):
            await app.bot.send_message(777, "x")
        with pytest.raises(BadRequest, match="(?i)can't parse entities"):
            await app.bot.send_message(USER, "a <br> b", parse_mode="HTML")
        server.rate_limit(2)
        await app.bot.send_message(USER, "r1")
        await app.bot.send_message(USER, "r2")
        with pytest.raises(RetryAfter):
            await app.bot.send_message(USER, "r3")

    run_bot(server, scenario)
    assert [m["text"] for m in server.messages_to(USER)] == ["second try", "r1", "r2"]
    assert server.rejected_429 == 2
    assert len(server.calls("sendMessage", include_failed=True)) == 7


def test_document_roundtrip(server):
    payload = bytes(range(256)) * 3

    async def scenario(app):
        upd = server.send_document(USER, payload, "scan.pdf", "application/pdf")
        reply = await server.async_wait_for(lambda c: c["method"] == "sendMessage")
        assert reply["text"] == f"got scan.pdf: {payload!r}"
        file = await app.bot.get_file(upd["message"]["document"]["file_id"])
        assert bytes(await file.download_as_bytearray()) == payload
        sent = await app.bot.send_document(USER, document=b"report", filename="r.txt", caption="Your report")
        record = server.calls("sendDocument")[-1]
        assert (record["document_bytes"], record["text"]) == (b"report", "Your report")
        assert sent.document.file_name == "r.txt"

    run_bot(server, scenario)


def test_callback_query_reaches_handler(server):
    async def scenario(app):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes")]])
        msg = await app.bot.send_message(USER, "Continue?", reply_markup=markup)
        record = server.calls("sendMessage")[-1]
        assert record["reply_markup"] == {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}
        server.press_button(USER, record, "yes")
        edit = await server.async_wait_for(lambda c: c["method"] == "editMessageText")
        assert (edit["message_id"], edit["text"]) == (msg.message_id, "you chose yes")
        assert server.callback_answers[0]["text"] == "noted"

    run_bot(server, scenario)


def test_raw_http_errors_and_clean_stop():
    threads_before = set(threading.enumerate())
    srv = BotApiServer().start()
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(f"{srv.base_url}999:WRONG/getMe", timeout=5)
    assert exc.value.code == 401
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(f"{srv.base_url}123:ABC/frobnicate", timeout=5)
    assert exc.value.code == 404
    assert json.loads(exc.value.read())["description"] == "Not Found: method not found"
    assert srv.unknown_methods == ["frobnicate"]
    req = urllib.request.Request(f"{srv.base_url}123:ABC/sendMessage?chat_id=5",
                                 data=json.dumps({"text": "json body"}).encode(),
                                 headers={"Content-Type": "application/json"})
    assert json.loads(urllib.request.urlopen(req, timeout=5).read())["result"]["text"] == "json body"
    assert srv.sent[-1]["chat_id"] == 5
    port = srv.port
    srv.stop()
    assert set(threading.enumerate()) <= threads_before
    with BotApiServer() as again:  # port is free again / new server starts fine
        assert again.port
    with socket.socket() as s:  # nothing listens any more (TIME_WAIT may linger: use SO_REUSEADDR)
        assert s.connect_ex(("127.0.0.1", port)) != 0
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
