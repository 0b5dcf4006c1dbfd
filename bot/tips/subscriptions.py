"""Who gets the weekly tip: subscribe, unsubscribe, forget."""

from __future__ import annotations

from bot.state import State, now
from bot.tips.schema import ensure


def subscribe(state: State, user_id: int) -> bool:
    """Subscribe a user; return False if they already were."""
    ensure(state)
    with state.transaction() as conn:
        row = conn.execute("SELECT unsubscribed_at FROM tip_subscribers WHERE user_id = ?", (user_id,)).fetchone()
        if row is not None and row["unsubscribed_at"] is None:
            return False
        conn.execute(
            "INSERT INTO tip_subscribers (user_id, subscribed_at) VALUES (?, ?) ON CONFLICT (user_id) "
            "DO UPDATE SET subscribed_at = excluded.subscribed_at, unsubscribed_at = NULL, reason = NULL",
            (user_id, now()),
        )
        return True


def unsubscribe(state: State, user_id: int, reason: str = "user") -> bool:
    """Unsubscribe a user, noting why ("user", or what Telegram said); return False if they were not."""
    ensure(state)
    with state.lock:
        cursor = state.conn.execute(
            "UPDATE tip_subscribers SET unsubscribed_at = ?, reason = ? WHERE user_id = ? AND unsubscribed_at IS NULL",
            (now(), reason, user_id),
        )
    return cursor.rowcount == 1


def is_subscribed(state: State, user_id: int) -> bool:
    """Return True if the user gets the weekly tip."""
    ensure(state)
    with state.lock:
        row = state.conn.execute(
            "SELECT 1 FROM tip_subscribers WHERE user_id = ? AND unsubscribed_at IS NULL", (user_id,)
        ).fetchone()
    return row is not None


def subscriber_count(state: State) -> int:
    """Return how many users get the weekly tip."""
    ensure(state)
    with state.lock:
        return state.conn.execute("SELECT COUNT(*) FROM tip_subscribers WHERE unsubscribed_at IS NULL").fetchone()[0]


def forget(state: State, user_id: int) -> None:
    """Delete the user's subscription and every delivery record of theirs (for /forget)."""
    ensure(state)
    with state.transaction() as conn:
        conn.execute("DELETE FROM tip_deliveries WHERE user_id = ?", (user_id,))
        conn.execute("DELETE FROM tip_subscribers WHERE user_id = ?", (user_id,))
