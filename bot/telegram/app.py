"""Carewise on Telegram: build the Application and register every handler and job, in one place."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import sys
from datetime import timedelta
from urllib.parse import urlparse

from telegram import Bot, BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler,
                          ContextTypes, Defaults, MessageHandler, TypeHandler, filters)  # fmt: skip

from bot.services import build_services
from bot.state import State
from bot.telegram import access, admin, errors, manager, texts
from bot.telegram.answering import quietly
from bot.telegram.context import Runtime, install, runtime
from bot.tips import handlers as tips
from knowledge.config import Settings

log = logging.getLogger(__name__)
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
COMMANDS = {
    # managers
    "start": manager.start, "help": manager.help_command, "forget": manager.forget,
    # admins (each handler checks the role: grants change at run time)
    "docs": admin.docs, "remove": admin.remove, "stats": admin.stats, "grant": admin.grant, "revoke": admin.revoke,
}  # fmt: skip


def build(rt: Runtime, token: str) -> Application:
    """Return the Application for this runtime, every handler registered."""
    telegram = rt.settings.telegram
    timeout = telegram.request_timeout_s
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(telegram.api_base_url)
        .base_file_url(telegram.api_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(AIORateLimiter(overall_max_rate=telegram.max_messages_per_second, overall_time_period=1,
                                     max_retries=3))
        # Updates are handled concurrently, so one slow answer never holds up other users.
        .concurrent_updates(True)
        .connect_timeout(timeout).read_timeout(timeout).write_timeout(timeout).pool_timeout(timeout)
        .post_init(post_init)
        .build()
    )  # fmt: skip
    install(application, rt)
    register(application)
    return application


def register(application: Application) -> None:
    """Register every handler and the error handler. Order matters: in a group, the first match wins."""
    # Group -1 runs first for every update: refuse users without access, ignore group chatter not for us.
    application.add_handler(TypeHandler(Update, access.gate), group=-1)
    # Commands, then the weekly tips' own commands and "tip:" buttons (issue 6).
    application.add_handlers([CommandHandler(name, callback) for name, callback in COMMANDS.items()])
    application.add_handlers(tips.handlers())
    # Buttons under answers, /docs pages and the /remove confirmation.
    application.add_handlers([
        CallbackQueryHandler(manager.show_quotes, pattern=r"^ans:quotes:[\w-]+$"),
        CallbackQueryHandler(manager.vote, pattern=r"^ans:vote:[\w-]+:(up|down)$"),
        CallbackQueryHandler(admin.docs_turn, pattern=r"^docs:-?\d+$"),
        CallbackQueryHandler(admin.remove_confirmed, pattern=r"^rm:"),
    ])  # fmt: skip
    # A document is an upload (admins only); any other text is a question.
    application.add_handler(MessageHandler(filters.Document.ALL, admin.upload))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, manager.question))
    # Last: commands the bot does not have, and messages it cannot read.
    application.add_handler(MessageHandler(filters.COMMAND, manager.unknown_command))
    application.add_handler(MessageHandler(~filters.TEXT, manager.not_text))
    application.add_error_handler(errors.on_error)


async def post_init(application: Application) -> None:
    """Set the command menu, start the weekly tips, and schedule the clean-up of old question texts."""
    rt = runtime(application)
    await set_menu(application, rt)
    await tips.on_startup(application)
    # Always scheduled: texts kept while store_questions was on still expire after it is turned off.
    application.job_queue.run_repeating(expire_questions, interval=timedelta(hours=6), first=0,
                                        name="privacy-retention")  # fmt: skip


async def set_menu(application: Application, rt: Runtime) -> None:
    """Set the command menu: managers' commands for everyone, admin commands too in config admins' chats."""
    # The menu is a convenience: failing to set it (e.g. for an admin who never opened a chat with the
    # bot) must not stop the bot.
    everyone = texts.MANAGER_COMMANDS + texts.TIP_COMMANDS
    await quietly(application.bot.set_my_commands([BotCommand(*c) for c in everyone]), "command menu")
    for admin_id in rt.settings.telegram.admin_ids:
        commands = [BotCommand(*c) for c in everyone + texts.ADMIN_COMMANDS + texts.TIP_ADMIN_COMMANDS]
        await quietly(application.bot.set_my_commands(commands, scope=BotCommandScopeChat(admin_id)), "admin menu")


async def expire_questions(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete question texts kept longer than [privacy] retention_days."""
    rt = runtime(context)
    if deleted := rt.state.expire_questions(rt.settings.privacy.retention_days):
        log.info("privacy: deleted %d question texts older than %d days", deleted, rt.settings.privacy.retention_days)


def run(settings: Settings) -> int:
    """Run the bot until stopped: long polling, or a webhook when [telegram] webhook_url is set."""
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    telegram = settings.telegram
    secret = os.environ.get(telegram.webhook_secret_env, "").strip() if telegram.webhook_url else ""
    problem = start_problem(settings, token, secret)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    errors.redact_logs(token, secret)
    quiet_logs(settings)
    try:
        asyncio.run(check_token(token, settings))
    except TelegramError as exc:
        return refused(exc, f"Telegram cannot be reached at {telegram.api_base_url}: {type(exc).__name__}")
    log.info("loading the model and the index")
    services = build_services(settings)
    services.engine.answer("warm up")  # load the model, index and scope topics once, before the first user
    state = State(settings.resolve(settings.state.path), telegram.admin_ids)
    application = build(Runtime(settings, services, state), token)
    try:
        if telegram.webhook_url:
            application.run_webhook(**webhook_options(settings, secret))
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except TelegramError as exc:
        return refused(exc, f"Telegram: {type(exc).__name__}: {str(exc).replace(token, '<redacted>')}")
    finally:
        state.close()
    return 0


def refused(exc: TelegramError, other: str) -> int:
    """Print one line for a Telegram failure at start-up and return the exit status (2: a bad token)."""
    if isinstance(exc, InvalidToken):
        print("Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather.", file=sys.stderr)
        return 2
    print(other, file=sys.stderr)
    return 1


def webhook_options(settings: Settings, secret: str) -> dict:
    """Return how to listen for Telegram's webhook calls: the path of webhook_url, checked by the secret."""
    telegram = settings.telegram
    path = urlparse(telegram.webhook_url).path.lstrip("/")
    return dict(listen=telegram.webhook_listen, port=telegram.webhook_port, url_path=path,
                webhook_url=telegram.webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)  # fmt: skip


async def check_token(token: str, settings: Settings) -> None:
    """Ask Telegram who we are, so a wrong token fails in a second rather than after the model loads."""
    telegram = settings.telegram
    async with Bot(token, base_url=telegram.api_base_url, base_file_url=telegram.api_file_url):
        pass


def start_problem(settings: Settings, token: str, secret: str) -> str | None:
    """Return one line saying why the bot cannot start with these settings, or None."""
    telegram = settings.telegram
    if not token:
        return "TELEGRAM_BOT_TOKEN is not set: put the token @BotFather gave you in that environment variable."
    if telegram.access == "invite" and not telegram.invite_code:
        return "config: [telegram] access is 'invite' but invite_code is empty (set CAREWISE_TELEGRAM__INVITE_CODE)."
    if telegram.webhook_url and not secret:
        return (f"config: [telegram] webhook_url is set but the webhook secret is not: "
                f"set the environment variable {telegram.webhook_secret_env}.")  # fmt: skip
    if telegram.webhook_url and importlib.util.find_spec("tornado") is None:
        return "webhook mode needs python-telegram-bot's webhooks extra: pip install 'python-telegram-bot[webhooks]'."
    return None


def quiet_logs(settings: Settings) -> None:
    """Keep request URLs (which carry the token) and update contents (message text) out of the log."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if not settings.logging.log_message_text:
        # At DEBUG, python-telegram-bot logs whole updates, message text included.
        logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLogger().getEffectiveLevel()))
