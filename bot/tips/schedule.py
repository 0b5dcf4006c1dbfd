"""When tips go out: the weekly slot in the configured time zone, and the ISO week it belongs to."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from knowledge.config import WEEKDAYS, TipsSettings


def zone(tips: TipsSettings) -> ZoneInfo:
    """Return the configured time zone."""
    return ZoneInfo(tips.timezone)


def week_of(moment: datetime, tips: TipsSettings) -> str:
    """Return the ISO week ("2026-W48") that moment falls in, on the configured zone's calendar."""
    year, week, _ = moment.astimezone(zone(tips)).isocalendar()
    return f"{year}-W{week:02d}"


def _monday(week: str) -> date:
    """Return the Monday of an ISO week key."""
    year, _, number = week.partition("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def _local(day: date, clock: time, tips: TipsSettings) -> datetime:
    """Return a local wall-clock time on day as an aware UTC datetime."""
    # zoneinfo resolves a wall time that does not exist (the spring-forward gap) with the offset
    # in force before the change, so 01:30 on the last Sunday of March is sent at 02:30 BST; a
    # time that happens twice in October (fold=0) is its first occurrence. Both are sent once.
    return datetime.combine(day, clock, tzinfo=zone(tips)).astimezone(timezone.utc)


def slot(week: str, tips: TipsSettings) -> datetime:
    """Return the moment (UTC) that week's tip is due: the configured weekday and time."""
    day = _monday(week) + timedelta(days=WEEKDAYS.index(tips.weekday))
    return _local(day, tips.time, tips)


def week_bounds(week: str, tips: TipsSettings) -> tuple[datetime, datetime]:
    """Return the start and end (UTC) of an ISO week in the configured zone."""
    monday = _monday(week)
    return _local(monday, time(0), tips), _local(monday + timedelta(days=7), time(0), tips)


def next_slot(after: datetime, tips: TipsSettings) -> datetime:
    """Return the first weekly slot strictly after the given moment."""
    week = week_of(after, tips)
    due = slot(week, tips)
    if due > after:
        return due
    following = _monday(week) + timedelta(days=7)
    year, number, _ = following.isocalendar()
    return slot(f"{year}-W{number:02d}", tips)


def next_week(after: datetime, tips: TipsSettings) -> str:
    """Return the week of the next slot: this week until its slot has passed, then the next."""
    return week_of(next_slot(after, tips), tips)


def catch_up_week(now: datetime, tips: TipsSettings) -> str | None:
    """Return this week if its slot has passed (a send may be owed), else None; never an older week."""
    week = week_of(now, tips)
    return week if now >= slot(week, tips) else None


def describe(tips: TipsSettings) -> str:
    """Return the schedule in words, e.g. "every Monday at 09:00 (Europe/London time)"."""
    return f"every {tips.weekday.capitalize()} at {tips.time:%H:%M} ({tips.timezone} time)"


def when(moment: datetime, tips: TipsSettings) -> str:
    """Return a moment as local words, e.g. "Monday 30 March 2026, 09:00 BST"."""
    local = moment.astimezone(zone(tips))
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M %Z}"
