"""Run Carewise's real Application against the fake Bot API server in a background thread.

Tests then play users synchronously: ``server.send_text(...)`` and ``server.wait_for(...)``.
"""
from __future__ import annotations

import asyncio
import threading

from bot.telegram.app import ALLOWED_UPDATES, build
from bot.telegram.context import Runtime

from .server import BotApiServer


class RunningBot:
    """The bot polling the fake server from its own thread and event loop, until stopped."""

    def __init__(self, runtime: Runtime, server: BotApiServer, webhook: dict | None = None):
        self.runtime, self.server, self.webhook = runtime, server, webhook
        self.application = build(runtime, server.token)
        self._ready, self._error = threading.Event(), []
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), name="carewise-bot", daemon=True)

    async def _main(self) -> None:
        app = self.application
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        try:
            await app.initialize()
            await app.post_init(app)
            await app.start()
            if self.webhook:  # what Application.run_webhook does, minus its own event loop and signals
                await app.updater.start_webhook(**self.webhook)
            else:
                await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
        except BaseException as exc:  # surfaced in start()
            self._error.append(exc)
            self._ready.set()
            return
        self._ready.set()
        await self._stop.wait()
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

    def start(self) -> "RunningBot":
        self._thread.start()
        self._ready.wait(30)
        if self._error:
            raise self._error[0]
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(30)

    def __enter__(self) -> "RunningBot":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
