"""Fast checks of the Telegram layer's pieces: HTML splitting, escaping, limits, secrets, start-up checks, state."""

from __future__ import annotations

import html
import logging
import random
import re

import pytest
from telegram import Document

from bot.state import CORE_STEPS, State, migrate, open_db
from bot.telegram.app import start_problem
from bot.telegram.errors import Redact
from bot.telegram.formatting import answer_html, size, split_html
from bot.telegram.library import UploadError, upload_name
from bot.telegram.limits import QuestionLimiter
from knowledge.models import Answer, Citation
from tests.conftest import make_settings


def _balanced(message: str) -> bool:
    stack = []
    for match in re.finditer(r"<(/?)([a-z-]+)[^>]*>", message):
        if match.group(1):
            if not stack or stack.pop() != match.group(2):
                return False
        else:
            stack.append(match.group(2))
    return not stack


def _shown(text: str) -> str:
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]*>", "", text)))


@pytest.mark.parametrize("seed", range(20))
def test_split_keeps_every_character_within_the_limit_and_tags_balanced(seed):
    rng = random.Random(seed)
    words = ["care", "&amp;", "a&lt;b", "guarding", "😀", "x" * 300]
    paragraphs = []
    for _ in range(rng.randint(1, 25)):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 150)))
        if rng.random() < 0.3:
            text = f"<b>{text}</b>"
        if rng.random() < 0.2:
            text = f'<blockquote>{text}\n<a href="https://example.org/?a=1&amp;b=2">source</a></blockquote>'
        paragraphs.append(text)
    text = "\n\n".join(paragraphs)
    limit = rng.choice([300, 1000, 4096])
    parts = split_html(text, limit)
    assert all(size(p) <= limit and _balanced(p) for p in parts)
    assert _shown("".join(parts)) == _shown(text)


def test_split_prefers_paragraph_boundaries():
    paragraphs = [f"Paragraph {n}. " + "word " * 150 for n in range(12)]
    parts = split_html("\n\n".join(paragraphs))
    assert len(parts) > 1 and all(p.startswith("Paragraph") and p.rstrip().endswith("word") for p in parts)


def test_answer_html_escapes_text_and_links_sources():
    citation = Citation(n=1, doc_id="d", title="Care <Act> & you", section="s.42", page=None,
                        url="https://example.org/a?b=1&c=2", path="p.md", quote="q", publisher="UK Parliament")  # fmt: skip
    answer = Answer(question="q", answer="Use <care> & caution [1].", answered=True, urgent=False, citations=[citation])
    text = answer_html(answer)
    assert "Use &lt;care&gt; &amp; caution [1]." in text
    assert '[1] <a href="https://example.org/a?b=1&amp;c=2">Care &lt;Act&gt; &amp; you</a>, s.42. UK Parliament' in text


def test_uploads_are_checked_before_download():
    def document(name, size_bytes=1000):
        return Document("f", "u", file_name=name, file_size=size_bytes)

    assert upload_name(document("../../etc/Safe guide.PDF")) == "Safe-guide.PDF"
    with pytest.raises(UploadError, match="20 MB"):
        upload_name(document("big.pdf", 21 * 1024 * 1024))
    with pytest.raises(UploadError, match=r"\.exe can't be added"):
        upload_name(document("tool.exe"))


def test_limiter_allows_n_a_minute_per_user():
    now = [0.0]
    limiter = QuestionLimiter(3, clock=lambda: now[0])
    assert [limiter.allow(1) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow(2)
    now[0] = 60.5
    assert limiter.allow(1)


def test_redact_removes_the_token_from_messages_and_tracebacks():
    token = "123:SECRET"
    try:
        raise ValueError(f"https://api.telegram.org/bot{token}/getMe failed")
    except ValueError as exc:
        record = logging.LogRecord("httpx", logging.ERROR, __file__, 1, "GET %s", (f"/bot{token}/x",), (type(exc), exc, exc.__traceback__))
    Redact(token).filter(record)
    assert token not in logging.Formatter().format(record)


def test_start_up_problems_are_one_clear_line(tmp_path):
    settings = make_settings(tmp_path)
    assert "TELEGRAM_BOT_TOKEN is not set" in start_problem(settings, "", "")
    assert start_problem(settings, "1:x", "") is None
    invite = make_settings(tmp_path, telegram={"access": "invite"})
    assert "invite_code is empty" in start_problem(invite, "1:x", "")
    webhook = make_settings(tmp_path, telegram={"webhook_url": "https://bot.example.org/hook"})
    assert "TELEGRAM_WEBHOOK_SECRET" in start_problem(webhook, "1:x", "")


def test_migration_keeps_existing_users_and_roles(tmp_path):
    path = tmp_path / "old.db"
    conn = open_db(path)
    migrate(conn, "core", CORE_STEPS[:1])  # a database from before questions and feedback
    conn.execute("INSERT INTO users (user_id, first_seen, last_seen, allowed) VALUES (7, 'a', 'b', 1)")
    conn.execute("INSERT INTO roles (user_id, role, granted_at) VALUES (8, 'admin', 'c')")
    conn.close()
    state = State(path)
    assert state.is_allowed(7) and state.is_admin(8)
    state.record_question("a1", 7, True, False, "doc", [])
    assert state.vote("a1", 7, 1) and state.stats().helpful == 1
    state.close()
