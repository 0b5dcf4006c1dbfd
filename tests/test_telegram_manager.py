"""Managers end to end: the real Application against the fake Bot API server, the real library and model."""

from __future__ import annotations

import html
import re
import time
from types import SimpleNamespace

import pytest

from bot import triage
from knowledge.models import Answer, Citation
from tests.botapi.carewise import MANAGER, OTHER, buttons, press, quiet_for, replies, reply, server, shown, start_bot  # noqa: F401

QUESTION = "What are the five principles of the Mental Capacity Act?"
URGENT = "A resident is being hit by another resident right now, what do I do?"


def test_start_help_and_menu(start_bot, server):
    start_bot()
    welcome = reply(server, MANAGER, "/start")
    text = shown(welcome)
    assert "do not replace your local safeguarding procedures" in text
    assert "local safeguarding procedures" in text and "999" in text
    assert "user id" in text and "/forget" in text and "don't keep the text of your messages" in text
    help_text = shown(reply(server, MANAGER, "/help"))
    assert "/forget" in help_text and "/docs" not in help_text  # no admin commands for a manager
    menu = [c["command"] for c in server.calls("setMyCommands")[0]["params"]["commands"]]
    assert menu[:3] == ["start", "help", "forget"]


def test_first_message_gets_a_cited_html_answer_with_buttons(start_bot, server, library_services):
    bot = start_bot()
    answer = reply(server, MANAGER, QUESTION)  # no /start first: access is open
    record = server.calls("sendChatAction")[0]
    assert record["chat_id"] == MANAGER and record["params"]["action"] == "typing"
    assert record["time"] < answer["time"]
    assert answer["parse_mode"] == "HTML"
    assert "[1]" in shown(answer) and "Sources" in shown(answer)
    assert re.search(r'\[1\] <a href="https?://[^"]+">', answer["params"]["text"])
    assert set(buttons(answer)) == {"Show quotes", "👍", "👎"}

    quotes = _show_quotes(server, answer)
    expected = library_services.engine.answer(QUESTION).citations
    assert all(html.unescape(c.quote) in shown(quotes) for c in expected)
    assert shown(quotes).startswith("Quotes") and "[1]" in shown(quotes)

    press(server, MANAGER, answer, buttons(answer)["👍"])
    edit = server.wait_for(lambda c: c["method"] == "editMessageReplyMarkup")
    assert "👍 ✓" in buttons(edit)
    assert server.callback_answers[-1]["text"].startswith("Thanks")
    press(server, MANAGER, answer, buttons(answer)["👎"])  # a changed mind replaces the vote
    votes = bot.runtime.state.conn.execute("SELECT user_id, vote FROM feedback").fetchall()
    assert [tuple(v) for v in votes] == [(MANAGER, -1)]


def _show_quotes(server, answer) -> dict:
    since = len(server.sent)
    server.press_button(MANAGER, answer, buttons(answer)["Show quotes"])
    return server.wait_for(lambda c: c["method"] == "sendMessage" and c["chat_id"] == MANAGER, 30, since=since)


class SlowEngine:
    """The real engine, a few seconds slower (as under load), to show what is sent before the answer."""

    def __init__(self, engine, seconds: float):
        self.engine, self.seconds = engine, seconds
        self.triager = engine.triager

    def answer(self, text):
        time.sleep(self.seconds)
        return self.engine.answer(text)


def test_urgent_message_gets_the_999_line_first_and_at_once(start_bot, server, library_services):
    assert triage.assess(URGENT).urgent
    services = SimpleNamespace(engine=SlowEngine(library_services.engine, 3), searcher=library_services.searcher)
    start_bot(services=services)
    started = time.monotonic()
    first = reply(server, MANAGER, URGENT)
    assert shown(first).startswith("If someone is in immediate danger, call 999 now.")
    assert first["time"] - started < 2, "the emergency line waited for the answer"
    calls_to_chat = [c for c in server.requests if c["chat_id"] == MANAGER]
    assert calls_to_chat[0]["method"] == "sendMessage" and "999" in shown(calls_to_chat[0])
    answer = server.wait_for_messages(MANAGER, 2, timeout=30)[1]
    assert not shown(answer).startswith("If someone is in immediate danger")  # not repeated in the answer
    assert "[1]" in shown(answer) or "library does not cover" in shown(answer).lower()


def test_danger_only_the_written_examples_recognise_still_gets_the_999_line_first(start_bot, server, library_services):
    message = "his lips have gone a funny colour and hes making a gurgling noise, staff dont know what to do"
    assert not triage.assess(message).urgent and library_services.engine.triager.assess(message).urgent
    start_bot(services=SimpleNamespace(engine=SlowEngine(library_services.engine, 3), searcher=library_services.searcher))
    started = time.monotonic()
    first = reply(server, MANAGER, message)
    assert shown(first).startswith("If someone is in immediate danger, call 999 now.")
    assert first["time"] - started < 2, "the emergency line waited for the answer"


def test_group_answers_only_when_mentioned_or_replied_to(start_bot, server):
    start_bot()
    group = -500
    server.send_text(MANAGER, QUESTION, chat_id=group, chat_type="supergroup")
    assert quiet_for(server, group, 1.5) == []
    mentioned = server.send_text(MANAGER, f"@carewise_test_bot {QUESTION}", chat_id=group, chat_type="supergroup")
    answer = server.wait_for_messages(group, 1, timeout=30)[0]
    assert answer["params"]["reply_parameters"]["message_id"] == mentioned["message"]["message_id"]
    assert "[1]" in shown(answer)
    server.send_text(OTHER, "Who should we tell about a section 42 enquiry?", chat_id=group, chat_type="supergroup",
                     reply_to_message_id=answer["message_id"])  # fmt: skip
    assert "[1]" in shown(server.wait_for_messages(group, 2, timeout=30)[1])


def test_rate_limit_answers_the_excess_politely(start_bot, server):
    start_bot(telegram={"questions_per_minute": 2})
    texts = [shown(reply(server, MANAGER, q)) for q in (QUESTION, "What is a DoLS authorisation?", "What is neglect?")]
    assert "[1]" in texts[0] and "[1]" in texts[1]
    assert "2 questions in the last minute" in texts[2] and "wait" in texts[2]
    assert len(server.messages_to(MANAGER)) == 3  # exactly one reply each


def test_forget_deletes_everything_about_the_user(start_bot, server):
    bot = start_bot()
    answer = reply(server, MANAGER, QUESTION)
    press(server, MANAGER, answer, buttons(answer)["👍"])
    reply(server, OTHER, QUESTION)
    assert "deleted everything" in shown(reply(server, MANAGER, "/forget"))
    conn = bot.runtime.state.conn
    for table in ("users", "questions", "feedback", "roles"):
        assert conn.execute(f"SELECT COUNT(*) FROM {table} WHERE user_id = ?", (MANAGER,)).fetchone()[0] == 0, table
    assert conn.execute("SELECT COUNT(*) FROM questions WHERE user_id = ?", (OTHER,)).fetchone()[0] == 1
    press(server, MANAGER, answer, buttons(answer)["Show quotes"])
    assert "no longer stored" in server.callback_answers[-1]["text"]


def test_question_text_is_kept_only_when_configured(start_bot, server, tmp_path):
    bot = start_bot()
    reply(server, MANAGER, QUESTION)
    bot.runtime.state.conn.execute("PRAGMA wal_checkpoint(FULL)")
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("carewise.db*"))
    assert QUESTION.encode() not in stored
    bot.stop()

    kept = start_bot(privacy={"store_questions": True, "retention_days": 30})
    reply(server, OTHER, QUESTION)
    state = kept.runtime.state
    assert state.conn.execute("SELECT question FROM questions WHERE user_id = ?", (OTHER,)).fetchone()[0] == QUESTION
    state.conn.execute("UPDATE questions SET at = '2000-01-01T00:00:00+00:00'")
    assert state.expire_questions(30) == 1
    assert state.conn.execute("SELECT COUNT(*) FROM questions WHERE question IS NOT NULL").fetchone()[0] == 0


@pytest.mark.parametrize("access", ["allowlist", "invite"])
def test_refused_users_get_one_clear_reply_and_nothing_else(start_bot, server, access):
    bot = start_bot(telegram={"access": access, "allowlist_ids": [MANAGER], "invite_code": "CARE-2026"})
    refused = shown(replies(server, OTHER, QUESTION, 1)[0])
    assert ("invited care managers" in refused and str(OTHER) in refused) if access == "allowlist" else "invite code" in refused
    assert quiet_for(server, OTHER, 1) == [] and not server.calls("sendChatAction")
    assert bot.runtime.state.conn.execute("SELECT COUNT(*) FROM users WHERE user_id = ?", (OTHER,)).fetchone()[0] == 0
    if access == "invite":
        assert "isn't valid" in shown(reply(server, OTHER, "/start WRONG"))
        assert "Welcome to Carewise" in shown(reply(server, OTHER, "/start CARE-2026"))
        assert "[1]" in shown(reply(server, OTHER, QUESTION))
    else:
        assert "[1]" in shown(reply(server, MANAGER, QUESTION))


def test_failures_of_auxiliary_calls_and_flood_limits_do_not_stop_the_answer(start_bot, server):
    start_bot()
    server.fail("sendChatAction", 500, "Internal Server Error", times=None)
    server.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)  # the rate limiter retries
    answer = reply(server, MANAGER, QUESTION)
    assert "[1]" in shown(answer) and server.rejected_429 == 1
    server.fail("editMessageReplyMarkup", 400, "Bad Request: message can't be edited")
    press(server, MANAGER, answer, buttons(answer)["👍"])
    assert server.callback_answers[-1]["text"].startswith("Thanks")


class BrokenEngine:
    """An engine that fails, to exercise the global error handler."""

    def answer(self, text):
        raise RuntimeError("index unavailable")


def test_an_unexpected_error_gets_an_apology_with_a_reference(start_bot, server, caplog):
    start_bot(services=SimpleNamespace(engine=BrokenEngine()))
    secret_question = "Is it lawful to lock the door of a resident with dementia at night?"
    apology = shown(reply(server, MANAGER, secret_question))
    ref = re.search(r"Reference: (\w+)", apology).group(1)
    record = next(r for r in caplog.records if ref in r.getMessage())
    assert record.exc_info and "index unavailable" in caplog.text
    assert "lock the door" not in caplog.text


class LongEngine:
    """An engine whose answer is far longer than one Telegram message, full of characters HTML must escape."""

    def answer(self, text):
        citation = Citation(n=1, doc_id="d", title="Tom & Jerry <guide>", section=None, page=None,
                            url="https://example.org/?a=1&b=2", path="p.md", quote="a quote", publisher=None)  # fmt: skip
        body = "\n\n".join(f"Paragraph {n}: if x < y && y > z then record it [1]. " * 12 for n in range(20))
        return Answer(question=text, answer=body, answered=True, urgent=False, citations=[citation])


def test_a_long_answer_is_split_into_valid_html_messages(start_bot, server):
    start_bot(services=SimpleNamespace(engine=LongEngine()))
    server.send_text(MANAGER, QUESTION)
    parts = server.wait_for_messages(MANAGER, 3, timeout=30)
    time.sleep(0.5)
    parts = server.messages_to(MANAGER)
    assert not [r for r in server.requests if r["error"]]  # Telegram's parser accepted every part
    assert all(len(shown(p)) <= 4096 for p in parts)
    assert all(shown(p).startswith("Paragraph") for p in parts[:-1]) and "Sources" in shown(parts[-1])
    assert [bool(buttons(p)) for p in parts] == [False] * (len(parts) - 1) + [True]
    assert "if x < y && y > z" in shown(parts[0])
