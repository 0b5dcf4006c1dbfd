"""Per-user question limit: a sliding one-minute window kept in memory."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable


class QuestionLimiter:
    """Allow each user at most `per_minute` questions in any 60 seconds."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self._asked: dict[int, deque[float]] = defaultdict(deque)

    def allow(self, user_id: int) -> bool:
        """Count one question and return False when it is over the limit (over-limit ones are not counted)."""
        now = self.clock()
        asked = self._asked[user_id]
        while asked and now - asked[0] >= 60:
            asked.popleft()
        if len(asked) >= self.per_minute:
            return False
        asked.append(now)
        return True

    def forget(self, user_id: int) -> None:
        """Drop what is remembered about a user."""
        self._asked.pop(user_id, None)
