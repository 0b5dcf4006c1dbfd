"""Fifty managers asking at once: every one gets exactly one answer; the time taken is printed."""

from __future__ import annotations

import time

from tests.botapi.carewise import quiet_for, server, shown, start_bot  # noqa: F401

QUESTIONS = [
    "What are the five principles of the Mental Capacity Act?",
    "When do we have to notify CQC about an allegation of abuse?",
    "What is a section 42 enquiry?",
    "How long does an urgent DoLS authorisation last?",
    "What should I do if a staff member raises a whistleblowing concern?",
    "What are the six safeguarding principles?",
    "When must we refer someone to the DBS?",
    "What is self-neglect?",
    "Can we give medicines covertly?",
    "What does Regulation 13 require?",
]
USERS = range(70001, 70051)
URGENT_USER = 70099


def test_fifty_users_asking_at_once_each_get_exactly_one_answer(start_bot, server, capsys):
    start_bot(telegram={"max_messages_per_second": 30})  # Telegram's real overall limit
    started = time.monotonic()
    for n, user in enumerate(USERS):
        server.send_text(user, QUESTIONS[n % len(QUESTIONS)])
    server.send_text(URGENT_USER, "Help, a resident has collapsed and is not breathing right now!")
    answers = [server.wait_for_messages(user, 1, timeout=120)[0] for user in USERS]
    emergency = server.wait_for_messages(URGENT_USER, 1, timeout=60)[0]
    elapsed = time.monotonic() - started
    assert all("[1]" in shown(a) for a in answers)
    assert quiet_for(server, USERS[-1], 1) == []
    extra = {u: [shown(m)[:80] for m in server.messages_to(u)] for u in USERS if len(server.messages_to(u)) != 1}
    assert not extra, extra  # exactly one answer each (one message: none is long enough to split)
    # The emergency line does not wait behind the fifty answers being worked out.
    assert shown(emergency).startswith("If someone is in immediate danger, call 999")
    assert emergency["time"] < max(a["time"] for a in answers)
    waits = sorted(a["time"] - started for a in answers)
    with capsys.disabled():
        print(f"\n50 users asking at once: all answered in {elapsed:.1f} s (median answer {waits[24]:.1f} s, "
              f"slowest {waits[-1]:.1f} s); the urgent 51st got its 999 line at {emergency['time'] - started:.1f} s")
