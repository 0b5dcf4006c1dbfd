"""What a failed send means for the ledger: wait, retry, give up, unsubscribe, or "may have arrived"."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import timedelta

import httpx
from telegram.error import (BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError,
                            TimedOut)  # fmt: skip
from telegram.warnings import PTBDeprecationWarning

FLOOD = "flood"          # 429: not delivered; everyone waits retry_after, then this send is tried again
RETRY = "retry"          # refused before delivery (5xx answer, no connection, pool full): back off, try again
GONE = "gone"            # 403 blocked / deactivated, or 400 chat not found: unsubscribe
FAILED = "failed"        # refused for good (another 400): record, do not retry
UNCONFIRMED = "unconfirmed"  # the request may have reached Telegram (timeout, dropped connection): never resend
ABORT = "abort"          # the whole broadcast cannot work (token refused): stop, resend later

# httpx errors raised before the request could have left this machine.
_NOT_SENT = (httpx.PoolTimeout, httpx.ConnectTimeout, httpx.ConnectError)


@dataclass(frozen=True)
class Outcome:
    """How to treat one failed send."""

    kind: str
    reason: str
    wait_s: float = 0.0


def classify(exc: BaseException) -> Outcome:
    """Sort a send's exception into what the broadcast should do next."""
    reason = str(exc)[:200]
    if isinstance(exc, RetryAfter):
        return Outcome(FLOOD, reason, retry_seconds(exc))
    if isinstance(exc, Forbidden):
        return Outcome(GONE, reason)
    if isinstance(exc, InvalidToken):
        return Outcome(ABORT, "Telegram refused the bot token")
    if isinstance(exc, BadRequest):  # a subclass of NetworkError in PTB: check it first
        return Outcome(GONE if "chat not found" in reason.lower() else FAILED, reason)
    if isinstance(exc, NetworkError):  # TimedOut included
        cause = exc.__cause__
        if isinstance(cause, _NOT_SENT):
            return Outcome(RETRY, reason or type(cause).__name__)
        if cause is None and not isinstance(exc, TimedOut) and "gateway" not in reason.lower():
            # Telegram itself answered with a 5xx: it did not take the message. A gateway (502/504)
            # answering for it may have forwarded the request, so those count as "may have arrived".
            return Outcome(RETRY, reason)
        return Outcome(UNCONFIRMED, reason or "timed out")
    if isinstance(exc, TelegramError):  # any other refusal Telegram answered with
        return Outcome(FAILED, reason)
    return Outcome(UNCONFIRMED, f"{type(exc).__name__}: {reason}")


def retry_seconds(exc: RetryAfter) -> float:
    """Return RetryAfter's wait in seconds, whichever type this PTB version gives it as."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)  # int -> timedelta migration in PTB 22
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
