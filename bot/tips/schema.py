"""The weekly tips' tables in the bot's state database, migrated forward like every component's."""

from __future__ import annotations

from collections.abc import Sequence

from bot.state import State, migrate

# Delivery states (tip_deliveries.status). A row is committed *before* each send, so a crash can
# never lead to a second send; the price is that a crash during a send loses that one message.
SENDING = "sending"    # a send may be in flight; never resent (see UNCONFIRMED)
RETRYING = "retrying"  # every send so far was refused outright (429, 5xx, no connection): safe to resend
SENT = "sent"          # Telegram accepted it
UNCONFIRMED = "unconfirmed"  # the send timed out or the bot stopped mid-send: probably delivered, not resent
FAILED = "failed"      # refused for good, or still refused after [tips] max_attempts
GONE = "gone"          # the user blocked the bot, deleted their account or the chat is gone: unsubscribed
# Certainly not delivered, so a later send for the week (a restart, /broadcast_now) may try again:
# a failure, or a user who blocked the bot and has since subscribed again. One run tries each user once.
RESENDABLE = (RETRYING, FAILED, GONE)

TIPS_STEPS: Sequence[str] = (
    """
    CREATE TABLE tip_subscribers (
        user_id INTEGER PRIMARY KEY,
        subscribed_at TEXT NOT NULL,
        unsubscribed_at TEXT,
        reason TEXT
    );
    CREATE TABLE tip_weeks (
        week TEXT PRIMARY KEY,
        tip_id TEXT NOT NULL,
        note_id TEXT NOT NULL,
        text TEXT NOT NULL,
        chosen_at TEXT NOT NULL,
        chosen_by INTEGER
    );
    CREATE TABLE tip_deliveries (
        week TEXT NOT NULL REFERENCES tip_weeks (week),
        user_id INTEGER NOT NULL,
        tip_id TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        message_id INTEGER,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (week, user_id)
    );
    CREATE INDEX tip_deliveries_by_status ON tip_deliveries (week, status);
    """,
)


def ensure(state: State) -> None:
    """Create or migrate the tips tables; cheap when they are current."""
    with state.lock:
        migrate(state.conn, "tips", TIPS_STEPS)
