"""Which tip each week gets: the next not yet used, or an admin's choice, fixed once chosen."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from bot.state import State, now
from bot.tips.catalogue import Catalogue, Tip
from bot.tips.schema import ensure


class WeekStartedError(Exception):
    """The week's tip can no longer be changed because sending has begun."""


@dataclass(frozen=True)
class WeekTip:
    """A week and the tip chosen for it (text kept, so the week's message never changes)."""

    week: str
    tip: Tip
    chosen_by: int | None = None


def _row(conn: sqlite3.Connection, week: str) -> WeekTip | None:
    row = conn.execute("SELECT * FROM tip_weeks WHERE week = ?", (week,)).fetchone()
    if row is None:
        return None
    return WeekTip(week, Tip(row["tip_id"], row["note_id"], row["text"]), row["chosen_by"])


def _next_tip(conn: sqlite3.Connection, catalogue: Catalogue) -> Tip:
    """Return the least-used tip, first in file order: every tip is used once before any repeats."""
    used = dict(conn.execute("SELECT tip_id, COUNT(*) FROM tip_weeks GROUP BY tip_id").fetchall())
    return min(catalogue.tips, key=lambda tip: used.get(tip.id, 0))  # min keeps the first of equals


def week_tip(state: State, week: str, catalogue: Catalogue) -> WeekTip:
    """Return the week's tip, choosing and fixing it if nobody has yet."""
    ensure(state)
    with state.transaction() as conn:  # one writer: two callers can never fix different tips
        chosen = _row(conn, week)
        if chosen is None:
            tip = _next_tip(conn, catalogue)
            conn.execute(
                "INSERT INTO tip_weeks (week, tip_id, note_id, text, chosen_at) VALUES (?, ?, ?, ?, ?)",
                (week, tip.id, tip.note, tip.text, now()),
            )
            chosen = WeekTip(week, tip)
        return chosen


def peek_tip(state: State, week: str, catalogue: Catalogue) -> WeekTip:
    """Return the tip the week has or would get, without fixing it."""
    ensure(state)
    with state.lock:
        return _row(state.conn, week) or WeekTip(week, _next_tip(state.conn, catalogue))


def choose_tip(state: State, week: str, tip: Tip, admin_id: int) -> None:
    """Fix an admin's choice of tip for a week that has not started sending."""
    ensure(state)
    with state.transaction() as conn:
        if conn.execute("SELECT 1 FROM tip_deliveries WHERE week = ? LIMIT 1", (week,)).fetchone():
            raise WeekStartedError(f"week {week} has already started sending, so its tip is fixed")
        conn.execute(
            "INSERT INTO tip_weeks (week, tip_id, note_id, text, chosen_at, chosen_by) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (week) DO UPDATE SET tip_id = excluded.tip_id, note_id = excluded.note_id, "
            "text = excluded.text, chosen_at = excluded.chosen_at, chosen_by = excluded.chosen_by",
            (week, tip.id, tip.note, tip.text, now(), admin_id),
        )
