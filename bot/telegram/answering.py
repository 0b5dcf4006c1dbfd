"""Send a cited answer to a chat: the emergency line first when urgent, then the answer and its buttons."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable
from contextlib import asynccontextmanager
from dataclasses import asdict

from telegram import Bot, InlineKeyboardMarkup, ReplyParameters
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import CallbackContext

from bot import triage
from bot.services import Services
from bot.telegram import texts
from bot.telegram.context import runtime
from bot.telegram.formatting import answer_buttons, answer_html, escape, split_html
from knowledge.models import Answer

log = logging.getLogger(__name__)
# Telegram shows "typing…" for 5 seconds; repeat it a little sooner while an answer is being worked out.
TYPING_EVERY_S = 4.5


async def reply_with_answer(context: CallbackContext, chat_id: int, user_id: int, question: str,
                            *, reply_to: int | None = None) -> None:  # fmt: skip
    """Answer a question in a chat (the emergency line first when urgent), with buttons; record it."""
    rt = runtime(context)
    preface = triage.emergency_preface(rt.settings.answer.safeguarding_contact)
    # Nothing precedes the emergency line: no typing, no limit check, no model work.
    urgent_sent = await is_urgent(rt.services, question) and await send_preface(context.bot, chat_id, preface, reply_to)
    if not rt.limiter.allow(user_id):
        await send_html(context.bot, chat_id, texts.SLOW_DOWN.format(n=rt.limiter.per_minute), reply_to=reply_to)
        return
    async with typing(context.bot, chat_id):
        work = asyncio.get_running_loop().run_in_executor(rt.answer_pool, answer_and_topic, rt.services, question)
        answer, topic = await work
    answer_id = secrets.token_urlsafe(9)
    kept = question if rt.settings.privacy.store_questions else None
    rt.state.record_question(answer_id, user_id, answer.answered, answer.urgent, topic,
                             [asdict(c) for c in answer.citations], kept)  # fmt: skip
    html = answer_html(answer, skip_preface=preface if urgent_sent else None)
    await send_html(context.bot, chat_id, html, answer_buttons(answer_id, bool(answer.citations)), reply_to=reply_to)
    log.info("answered user %s: answered=%s urgent=%s citations=%d %.0f ms%s", user_id, answer.answered,
             answer.urgent, len(answer.citations), answer.latency_ms,
             f" question={question!r}" if rt.settings.logging.log_message_text else "")  # fmt: skip


async def is_urgent(services: Services, text: str) -> bool:
    """Return whether a message describes immediate danger: patterns at once, written examples off the loop."""
    verdict = triage.by_pattern(text)
    if verdict is not None:
        return verdict.urgent
    try:
        # Not the answer pool: fifty answers queued there must not delay an emergency line.
        return (await asyncio.to_thread(services.engine.triager.assess, text)).urgent
    except Exception:  # the answer still says 999 first if it is urgent; a failed check must not cost it
        log.warning("urgency check by example failed", exc_info=True)
        return False


def answer_and_topic(services: Services, question: str) -> tuple[Answer, str | None]:
    """Answer (slow, so run off the event loop) and name the topic for the content-gap report."""
    answer = services.engine.answer(question)
    if answer.answered:
        return answer, answer.citations[0].doc_id if answer.citations else None
    return answer, gap_topic(services, question)


def gap_topic(services: Services, question: str) -> str:
    """Name what a not-covered question was nearest to: a known out-of-scope topic, or a library note."""
    engine = services.engine
    vector = engine.searcher.embed(question)
    outside, topic = engine.scope.nearest_outside(vector)
    passages = engine.searcher.search(question, k=1, vector=vector)
    inside = (passages[0].dense_similarity or 0.0) if passages else 0.0
    if passages and inside > outside:
        return f"near: {passages[0].chunk.title}"
    return f"outside: {topic}"


async def send_html(bot: Bot, chat_id: int, html: str, markup: InlineKeyboardMarkup | None = None,
                    reply_to: int | None = None) -> bool:  # fmt: skip
    """Send HTML in as many messages as it takes, the buttons under the last one; return True."""
    parts = split_html(html)
    reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        await bot.send_message(chat_id, part, reply_markup=markup if last else None,
                               reply_parameters=reply if i == 0 else None)  # fmt: skip
    return True


async def send_preface(bot: Bot, chat_id: int, preface: str, reply_to: int | None) -> bool:
    """Send the emergency line on its own; if that fails the answer carries it instead."""
    try:
        return await send_html(bot, chat_id, f"<b>{escape(preface)}</b>", reply_to=reply_to)
    except TelegramError as exc:
        log.warning("emergency line failed (%s); it goes with the answer", type(exc).__name__)
        return False


async def quietly(call: Awaitable, what: str) -> None:
    """Make an auxiliary call (chat action, button edit) whose failure must not stop the answer."""
    try:
        await call
    except TelegramError as exc:
        log.warning("%s failed (%s); carrying on", what, type(exc).__name__)


@asynccontextmanager
async def typing(bot: Bot, chat_id: int):
    """Show "typing…" in the chat until the block ends."""

    async def keep_typing() -> None:
        while True:
            await quietly(bot.send_chat_action(chat_id, ChatAction.TYPING), "chat action")
            await asyncio.sleep(TYPING_EVERY_S)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
