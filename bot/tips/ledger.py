"""The delivery ledger: one row per (week, user), committed before every send, so nobody gets a week's tip twice."""

from __future__ import annotations

from dataclasses import dataclass

from bot.state import State, now
from bot.tips.schema import FAILED, GONE, RESENDABLE, RETRYING, SENDING, SENT, UNCONFIRMED, ensure

# Exactly once, and why a crash never causes a second send. A row saying SENDING is committed *before*
# each Bot API call, and a user is only ever sent to when they have no row for the week, or their row
# proves nothing sent so far can have arrived (RESENDABLE: refused outright with a 429, a 5xx, a 403
# or a 400, or the connection never opened). A row left at SENDING by a crash, or a call that timed
# out or lost its connection after the request left, means "may have been delivered": the Bot API
# offers no way to ask, and Telegram (like the fake server) delivers a message whose client gave up.
# Those become UNCONFIRMED and are never resent. So nobody gets a week's tip twice, at the price of
# possibly none for the few sends in flight at the moment of a crash or a timeout.


@dataclass(frozen=True)
class WeekCounts:
    """Where a week's broadcast stands."""

    sent: int
    unconfirmed: int
    pending: int
    in_flight: int
    failed: int
    gone: int
    unsubscribed: int


def pending(state: State, week: str, resend: tuple[str, ...] = RESENDABLE) -> list[int]:
    """Return subscribers still owed the week's tip: no row yet, or no send so far can have arrived."""
    ensure(state)
    marks = ", ".join("?" * len(resend))
    with state.lock:
        rows = state.conn.execute(
            "SELECT s.user_id FROM tip_subscribers s "
            "LEFT JOIN tip_deliveries d ON d.week = ? AND d.user_id = s.user_id "
            f"WHERE s.unsubscribed_at IS NULL AND (d.user_id IS NULL OR d.status IN ({marks})) "
            "ORDER BY s.subscribed_at, s.user_id",
            (week, *resend),
        ).fetchall()
    return [row[0] for row in rows]


def claim(state: State, week: str, tip_id: str, user_id: int) -> bool:
    """Commit "sending" for a subscriber still owed the tip; False means do not send (had it, or left)."""
    with state.lock:  # each statement commits on its own (autocommit), before the send
        cursor = state.conn.execute(
            "INSERT INTO tip_deliveries (week, user_id, tip_id, status, attempts, updated_at) "
            "SELECT ?, ?, ?, ?, 1, ? WHERE EXISTS "
            "(SELECT 1 FROM tip_subscribers WHERE user_id = ? AND unsubscribed_at IS NULL) "
            "ON CONFLICT (week, user_id) DO UPDATE SET status = excluded.status, attempts = attempts + 1, "
            "updated_at = excluded.updated_at WHERE tip_deliveries.status IN (?, ?, ?)",
            (week, user_id, tip_id, SENDING, now(), user_id, *RESENDABLE),
        )
    return cursor.rowcount == 1


def record(state: State, week: str, user_id: int, status: str, error: str | None = None,
           message_id: int | None = None) -> None:  # fmt: skip
    """Record what became of a send; GONE also unsubscribes the user, in the same transaction."""
    stamp = now()
    with state.transaction() as conn:
        conn.execute(
            "UPDATE tip_deliveries SET status = ?, error = ?, message_id = ?, updated_at = ? "
            "WHERE week = ? AND user_id = ?",
            (status, error, message_id, stamp, week, user_id),
        )
        if status == GONE:
            conn.execute(
                "UPDATE tip_subscribers SET unsubscribed_at = ?, reason = ? "
                "WHERE user_id = ? AND unsubscribed_at IS NULL",
                (stamp, error, user_id),
            )


def recover(state: State) -> int:
    """Mark sends interrupted by a stop as unconfirmed (never resent); call before any broadcast runs."""
    ensure(state)
    with state.lock:
        cursor = state.conn.execute(
            "UPDATE tip_deliveries SET status = ?, error = 'interrupted mid-send', updated_at = ? WHERE status = ?",
            (UNCONFIRMED, now(), SENDING),
        )
    return cursor.rowcount


def status_of(state: State, week: str, user_id: int) -> str | None:
    """Return the user's delivery status for the week, or None if there is no row."""
    ensure(state)
    with state.lock:
        row = state.conn.execute(
            "SELECT status FROM tip_deliveries WHERE week = ? AND user_id = ?", (week, user_id)
        ).fetchone()
    return row[0] if row else None


def counts(state: State, week: str, since: str, until: str) -> WeekCounts:
    """Count the week's deliveries by state, and the unsubscriptions between since and until (UTC ISO)."""
    ensure(state)
    with state.lock:
        by_status = dict(state.conn.execute(
            "SELECT status, COUNT(*) FROM tip_deliveries WHERE week = ? GROUP BY status", (week,)
        ).fetchall())  # fmt: skip
        owed = len(pending(state, week, resend=(RETRYING,)))  # failed ones are counted as failed
        left = state.conn.execute(
            "SELECT COUNT(*) FROM tip_subscribers WHERE unsubscribed_at >= ? AND unsubscribed_at < ?", (since, until)
        ).fetchone()[0]
    return WeekCounts(sent=by_status.get(SENT, 0), unconfirmed=by_status.get(UNCONFIRMED, 0), pending=owed,
                      in_flight=by_status.get(SENDING, 0), failed=by_status.get(FAILED, 0),
                      gone=by_status.get(GONE, 0), unsubscribed=left)  # fmt: skip
