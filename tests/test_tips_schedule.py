"""The weekly slot in the configured zone: right across the clock changes, and the ISO week it belongs to."""

from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.tips.schedule import catch_up_week, describe, next_slot, next_week, slot, week_bounds, week_of
from knowledge.config import TipsSettings

UTC = timezone.utc
LONDON = TipsSettings()  # Monday 09:00 Europe/London, the default
LONDON_ZONE = ZoneInfo("Europe/London")


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("after, expected", [
    # Last Sunday of March 2026 is the 29th: 09:00 GMT before, 09:00 BST (08:00 UTC) after.
    (utc(2026, 3, 23, 8, 59), utc(2026, 3, 23, 9, 0)),
    (utc(2026, 3, 23, 9, 0), utc(2026, 3, 30, 8, 0)),
    (utc(2026, 3, 29, 0, 30), utc(2026, 3, 30, 8, 0)),
    (utc(2026, 3, 30, 7, 59), utc(2026, 3, 30, 8, 0)),
    # Last Sunday of October 2026 is the 25th: 09:00 BST (08:00 UTC) before, 09:00 GMT after.
    (utc(2026, 10, 19, 7, 0), utc(2026, 10, 19, 8, 0)),
    (utc(2026, 10, 19, 8, 0), utc(2026, 10, 26, 9, 0)),
    (utc(2026, 10, 25, 1, 30), utc(2026, 10, 26, 9, 0)),
    (utc(2026, 10, 26, 8, 30), utc(2026, 10, 26, 9, 0)),
    # Across a year end: ISO week 53 of 2026 runs 28 Dec - 3 Jan.
    (utc(2026, 12, 28, 10, 0), utc(2027, 1, 4, 9, 0)),
])  # fmt: skip
def test_next_monday_nine_is_local_time_either_side_of_the_clock_changes(after, expected):
    assert next_slot(after, LONDON) == expected


def test_a_time_inside_the_changes_themselves_is_sent_once():
    early_sunday = TipsSettings(weekday="sunday", time=time(1, 30))
    # 01:30 does not exist on 29 March (clocks jump 01:00 -> 02:00): sent at 02:30 BST = 01:30 UTC.
    assert next_slot(utc(2026, 3, 28, 12), early_sunday) == utc(2026, 3, 29, 1, 30)
    # 01:30 happens twice on 25 October: sent at the first, 01:30 BST = 00:30 UTC, and not again.
    first = next_slot(utc(2026, 10, 24, 12), early_sunday)
    assert first == utc(2026, 10, 25, 0, 30)
    assert next_slot(first, early_sunday) == utc(2026, 11, 1, 1, 30)


def test_every_week_of_a_year_has_one_slot_on_a_local_monday_at_nine():
    moment, seen = utc(2026, 1, 1), []
    while moment.year == 2026:
        moment = next_slot(moment, LONDON)
        local = moment.astimezone(LONDON_ZONE)
        assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)
        seen.append(week_of(moment, LONDON))
    assert len(seen) == len(set(seen)) == 53  # 2026 has 53 ISO weeks, and 4 Jan 2027 closes the loop



def test_week_is_the_iso_week_on_the_local_calendar():
    # 23:30 UTC on Sunday 29 March is already Monday 00:30 BST: the next ISO week in London.
    assert week_of(utc(2026, 3, 29, 22, 59), LONDON) == "2026-W13"
    assert week_of(utc(2026, 3, 29, 23, 30), LONDON) == "2026-W14"
    assert week_of(utc(2027, 1, 1, 12), LONDON) == "2026-W53"
    assert slot("2026-W14", LONDON) == utc(2026, 3, 30, 8)
    assert week_bounds("2026-W14", LONDON) == (utc(2026, 3, 29, 23), utc(2026, 4, 5, 23))


def test_catch_up_only_after_this_weeks_slot_and_never_for_an_older_week():
    assert catch_up_week(utc(2026, 11, 23, 8, 59), LONDON) is None  # Monday before nine: wait for the job
    assert catch_up_week(utc(2026, 11, 23, 9, 0), LONDON) == "2026-W48"
    assert catch_up_week(utc(2026, 11, 29, 23, 59), LONDON) == "2026-W48"  # Sunday night: still owed
    assert catch_up_week(utc(2026, 11, 30, 8, 0), LONDON) is None  # new week, before its slot: not W48
    assert next_week(utc(2026, 11, 23, 8), LONDON) == "2026-W48"
    assert next_week(utc(2026, 11, 23, 10), LONDON) == "2026-W49"


def test_describe_reads_naturally():
    assert describe(LONDON) == "every Monday at 09:00 (Europe/London time)"
