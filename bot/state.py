"""The bot's SQLite state: one database file, each component migrating its own tables forward."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

# Core tables; other components (the weekly tips) call migrate() with their own steps.
CORE_STEPS: Sequence[str] = (
    """
    CREATE TABLE users (
        user_id INTEGER PRIMARY KEY,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        allowed INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE roles (
        user_id INTEGER PRIMARY KEY,
        role TEXT NOT NULL,
        granted_by INTEGER,
        granted_at TEXT NOT NULL
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor INTEGER,
        action TEXT NOT NULL,
        detail TEXT
    );
    """,
    # Issue 5: one row per question (its text only when [privacy] store_questions), the library
    # quotes behind "Show quotes", and one changeable vote per user per answer.
    """
    CREATE TABLE questions (
        answer_id TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL,
        at TEXT NOT NULL,
        answered INTEGER NOT NULL,
        urgent INTEGER NOT NULL,
        topic TEXT,
        question TEXT,
        citations TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX questions_user ON questions (user_id);
    CREATE INDEX questions_at ON questions (at);
    CREATE TABLE feedback (
        answer_id TEXT NOT NULL REFERENCES questions (answer_id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL,
        vote INTEGER NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (answer_id, user_id)
    );
    CREATE INDEX feedback_user ON feedback (user_id);
    """,
)


def now() -> str:
    """Return the current UTC time as ISO text, as every table stores it."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def days_ago(days: float) -> str:
    """Return the UTC time `days` ago in the same ISO form, for range queries."""
    return (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Stats:
    """What /stats shows: the last `days` of use, and feedback."""

    days: int
    users: int
    active_users: int
    questions: int
    answered: int
    urgent: int
    helpful: int
    unhelpful: int
    gaps: list[tuple[str, int]]


def open_db(path: Path) -> sqlite3.Connection:
    """Open (creating) the database, shared across threads, with WAL so readers never block writers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
    return conn


def migrate(conn: sqlite3.Connection, component: str, steps: Sequence[str]) -> None:
    """Apply the component's steps not yet applied, each in one transaction; existing data stays."""
    row = conn.execute("SELECT version FROM schema_versions WHERE component = ?", (component,)).fetchone()
    done = row["version"] if row else 0
    for version, script in enumerate(steps[done:], start=done + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in (s.strip() for s in script.split(";")):
                if statement:
                    conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_versions (component, version) VALUES (?, ?) "
                "ON CONFLICT(component) DO UPDATE SET version = excluded.version",
                (component, version),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


class State:
    """Users, roles, questions, feedback and the audit log; other components share its connection and lock."""

    def __init__(self, path: Path, config_admins: Sequence[int] = ()):
        self.conn = open_db(path)
        self.lock = threading.RLock()
        self.config_admins = frozenset(config_admins)
        migrate(self.conn, "core", CORE_STEPS)

    @contextmanager
    def transaction(self):
        """Run statements atomically, one writer at a time."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def is_admin(self, user_id: int | None) -> bool:
        """Return True for admins named in config or granted by an admin."""
        if user_id is None:
            return False
        if user_id in self.config_admins:
            return True
        with self.lock:
            row = self.conn.execute("SELECT 1 FROM roles WHERE user_id = ? AND role = 'admin'", (user_id,)).fetchone()
        return row is not None

    def audit(self, actor: int | None, action: str, detail: str = "") -> None:
        """Write one admin action to the audit log (who, what, when)."""
        with self.transaction() as conn:
            conn.execute("INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)", (now(), actor, action, detail))

    # Users and access ------------------------------------------------------------

    def touch(self, user_id: int) -> None:
        """Note that a user who is allowed in used the bot now."""
        stamp = now()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO users (user_id, first_seen, last_seen) VALUES (?, ?, ?) "
                "ON CONFLICT(user_id) DO UPDATE SET last_seen = excluded.last_seen",
                (user_id, stamp, stamp),
            )

    def allow(self, user_id: int) -> None:
        """Let a user in for good (an accepted invite code)."""
        stamp = now()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO users (user_id, first_seen, last_seen, allowed) VALUES (?, ?, ?, 1) "
                "ON CONFLICT(user_id) DO UPDATE SET allowed = 1",
                (user_id, stamp, stamp),
            )

    def is_allowed(self, user_id: int) -> bool:
        """Return True for a user let in by an invite code."""
        with self.lock:
            row = self.conn.execute("SELECT allowed FROM users WHERE user_id = ?", (user_id,)).fetchone()
        return bool(row and row["allowed"])

    def grant(self, actor: int, user_id: int) -> bool:
        """Make a user an admin (audited); return False if they already were one."""
        if self.is_admin(user_id):
            return False
        with self.transaction() as conn:
            conn.execute("INSERT INTO roles (user_id, role, granted_by, granted_at) VALUES (?, 'admin', ?, ?)",
                         (user_id, actor, now()))  # fmt: skip
        self.audit(actor, "grant", f"admin to {user_id}")
        return True

    def revoke(self, actor: int, user_id: int) -> bool:
        """Take a granted admin role away (audited); return False if there was none to take."""
        with self.transaction() as conn:
            removed = conn.execute("DELETE FROM roles WHERE user_id = ? AND role = 'admin'", (user_id,)).rowcount
        if removed:
            self.audit(actor, "revoke", f"admin from {user_id}")
        return bool(removed)

    def forget(self, user_id: int) -> None:
        """Delete everything kept about a user (the audit log of admin actions stays)."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM feedback WHERE user_id = ?", (user_id,))
            conn.execute("DELETE FROM questions WHERE user_id = ?", (user_id,))
            conn.execute("DELETE FROM roles WHERE user_id = ?", (user_id,))
            conn.execute("DELETE FROM users WHERE user_id = ?", (user_id,))

    # Questions and feedback ----------------------------------------------------------

    def record_question(self, answer_id: str, user_id: int, answered: bool, urgent: bool, topic: str | None,
                        citations: list[dict], question: str | None = None) -> None:
        """Keep one asked question: the outcome and the quotes behind it; its text only if given."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO questions (answer_id, user_id, at, answered, urgent, topic, question, citations) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (answer_id, user_id, now(), int(answered), int(urgent), topic, question, json.dumps(citations)),
            )

    def citations(self, answer_id: str) -> list[dict] | None:
        """Return the citations kept for an answer, or None once it has been forgotten."""
        with self.lock:
            row = self.conn.execute("SELECT citations FROM questions WHERE answer_id = ?", (answer_id,)).fetchone()
        return json.loads(row["citations"]) if row else None

    def vote(self, answer_id: str, user_id: int, vote: int) -> bool:
        """Store a user's vote (+1 or -1) on an answer, replacing an earlier one; False if the answer is gone."""
        with self.transaction() as conn:
            if not conn.execute("SELECT 1 FROM questions WHERE answer_id = ?", (answer_id,)).fetchone():
                return False
            conn.execute(
                "INSERT INTO feedback (answer_id, user_id, vote, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(answer_id, user_id) DO UPDATE SET vote = excluded.vote, at = excluded.at",
                (answer_id, user_id, vote, now()),
            )
        return True

    def expire_questions(self, retention_days: int) -> int:
        """Delete question texts older than the retention period; return how many."""
        with self.transaction() as conn:
            return conn.execute("UPDATE questions SET question = NULL WHERE question IS NOT NULL AND at < ?",
                                (days_ago(retention_days),)).rowcount  # fmt: skip

    def stats(self, days: int = 7) -> Stats:
        """Return use over the last `days`, all-time feedback and the most frequent not-covered topics."""
        since = days_ago(days)
        with self.lock:
            one = lambda sql, *args: self.conn.execute(sql, args).fetchone()[0]  # noqa: E731
            recent = "FROM questions WHERE at >= ?"
            gaps = self.conn.execute(
                f"SELECT topic, COUNT(*) AS n {recent} AND answered = 0 AND topic IS NOT NULL "
                "GROUP BY topic ORDER BY n DESC, topic LIMIT 5", (since,)).fetchall()  # fmt: skip
            return Stats(
                days=days, users=one("SELECT COUNT(*) FROM users"),
                active_users=one(f"SELECT COUNT(DISTINCT user_id) {recent}", since),
                questions=one(f"SELECT COUNT(*) {recent}", since),
                answered=one(f"SELECT COUNT(*) {recent} AND answered = 1", since),
                urgent=one(f"SELECT COUNT(*) {recent} AND urgent = 1", since),
                helpful=one("SELECT COUNT(*) FROM feedback WHERE vote > 0"),
                unhelpful=one("SELECT COUNT(*) FROM feedback WHERE vote < 0"),
                gaps=[(row["topic"], row["n"]) for row in gaps],
            )  # fmt: skip

    def close(self) -> None:
        """Close the database."""
        self.conn.close()
