"""What every handler and job needs, typed, instead of untyped bot_data lookups."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from telegram.ext import Application, CallbackContext

from bot.services import Services
from bot.state import State
from bot.telegram.limits import QuestionLimiter
from knowledge.config import Settings

RUNTIME_KEY = "carewise"


@dataclass
class Runtime:
    """The long-lived parts of a running bot: settings, answer services and state."""

    settings: Settings
    services: Services
    state: State
    # Built from settings; only tests pass their own.
    limiter: QuestionLimiter | None = None
    # One library change (upload, removal) at a time: the pipeline is not made for concurrent writers.
    library_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Answers run in threads of their own: in asyncio's default pool they would queue ahead of the
    # event loop's own work there (DNS lookups for new connections), stalling every Bot API call.
    answer_pool: ThreadPoolExecutor | None = None

    def __post_init__(self) -> None:
        if self.limiter is None:
            self.limiter = QuestionLimiter(self.settings.telegram.questions_per_minute)
        if self.answer_pool is None:
            workers = self.settings.telegram.answer_threads
            self.answer_pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="carewise-answer")


def install(application: Application, runtime: Runtime) -> None:
    """Attach the runtime to the application, once, when it is built."""
    application.bot_data[RUNTIME_KEY] = runtime


def runtime(context: CallbackContext | Application) -> Runtime:
    """Return the runtime from a handler's or job's context (or the application itself)."""
    application = context if isinstance(context, Application) else context.application
    return application.bot_data[RUNTIME_KEY]
