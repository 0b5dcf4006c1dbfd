"""Answers as Telegram HTML, split into messages of at most 4,096 characters without breaking tags."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from knowledge.models import Answer, Citation

LIMIT = 4096
# A tag, an entity, a paragraph break, a line break, spaces, a run of text (bounded, so a long word
# can still be cut), or any one character: cuts only ever fall between these tokens.
_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|\n\n|\n| +|[^<&\n ]{1,64}|.", re.S)
_TAG = re.compile(r"<(/?)([a-zA-Z-]+)")
# Where a cut reads best, best first.
_BREAKS = ("\n\n", "\n", " ")


def escape(text: str) -> str:
    """Escape text for Telegram HTML (only <, > and & are special outside attributes)."""
    return html.escape(text, quote=False)


def size(text: str) -> int:
    """Return the length Telegram counts: UTF-16 code units of the text as shown (tags off, entities decoded)."""
    return _units(html.unescape(re.sub(r"<[^>]*>", "", text)))


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _token_size(token: str) -> int:
    """Return what one token adds to the shown text."""
    if token.startswith("<"):
        return 0
    return _units(html.unescape(token)) if token.startswith("&") else _units(token)


def link(label: str, url: str | None) -> str:
    """Return an escaped label, linked when there is a web address."""
    if url and re.match(r"https?://", url):
        return f'<a href="{html.escape(url, quote=True)}">{escape(label)}</a>'
    return escape(label)


def source_html(c: Citation) -> str:
    """Return '[n] Title, section, p. N. Publisher' with the title linked to the source."""
    where = ", ".join(part for part in (c.section, f"p. {c.page}" if c.page else None) if part)
    tail = (f", {escape(where)}" if where else "") + (f". {escape(c.publisher)}" if c.publisher else "")
    return f"[{c.n}] {link(c.title, c.url)}{tail}"


def answer_html(answer: Answer, skip_preface: str | None = None) -> str:
    """Return the whole answer as Telegram HTML: the text with [n] markers, then the sources list."""
    text = answer.answer
    if skip_preface and text.startswith(skip_preface):
        # The emergency preface was already sent on its own, first.
        text = text[len(skip_preface):].lstrip()
    body = escape(text)
    if not answer.citations:
        return body
    return body + "\n\n<b>Sources</b>\n" + "\n".join(source_html(c) for c in answer.citations)


def answer_buttons(answer_id: str, has_quotes: bool, vote: int = 0) -> InlineKeyboardMarkup:
    """Return the buttons under an answer: Show quotes, and 👍 / 👎 with the user's vote ticked."""
    rows = [[InlineKeyboardButton("Show quotes", callback_data=f"ans:quotes:{answer_id}")]] if has_quotes else []
    rows.append([
        InlineKeyboardButton("👍" + (" ✓" if vote > 0 else ""), callback_data=f"ans:vote:{answer_id}:up"),
        InlineKeyboardButton("👎" + (" ✓" if vote < 0 else ""), callback_data=f"ans:vote:{answer_id}:down"),
    ])  # fmt: skip
    return InlineKeyboardMarkup(rows)


def quotes_html(citations: Iterable[dict]) -> str:
    """Return the exact quoted source text behind each [n], as kept with the answer."""
    parts = []
    for c in citations:
        where = ", ".join(str(part) for part in (c.get("title"), c.get("section")) if part)
        parts.append(f"[{c['n']}] <b>{link(where, c.get('url'))}</b>\n<blockquote>{escape(c['quote'])}</blockquote>")
    return "<b>Quotes</b>\n\n" + "\n\n".join(parts) if parts else "This answer has no quotes."


def split_html(text: str, limit: int = LIMIT) -> list[str]:
    """Split HTML into messages within the limit: at paragraphs, else lines, else spaces; tags closed and reopened."""
    messages: list[str] = []
    while text:
        if size(text) <= limit:
            messages.append(text)
            break
        head, opened = _cut(text, limit)
        reopen = "".join(tag for _, tag in opened)
        messages.append(head + "".join(f"</{name}>" for name, _ in reversed(opened)))
        text = reopen + text[len(head):].lstrip(" \n") if text[len(head):].strip() else ""
    return [m.strip() for m in messages if m.strip()]


def _cut(text: str, limit: int) -> tuple[str, list[tuple[str, str]]]:
    """Return the longest well-placed prefix that fits with its open tags closed, and those open tags."""
    opened: list[tuple[str, str]] = []
    used = 0  # size shown so far (tags count nothing), so a cut always carries some text
    breaks: dict[str, tuple[int, int, list]] = {}  # kind -> (position, size so far, open tags) of the last one
    last: tuple[int, list] = (0, [])
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        kind = token if token in _BREAKS else " " if token.startswith(" ") else None
        if kind and used:
            breaks[kind] = (match.start(), used, list(opened))
        after = _apply(opened, token)
        if used + _token_size(token) > limit and used:
            break
        opened, used = after, used + _token_size(token)
        last = (match.end(), list(opened))
    # The best kind of break that keeps at least half a message; else the latest break; else any token edge.
    good = [breaks[k] for k in _BREAKS if k in breaks and breaks[k][1] >= limit // 2]
    latest = max(breaks.values(), key=lambda b: b[0], default=None)
    chosen = good[0] if good else latest
    return (text[: chosen[0]], chosen[2]) if chosen else (text[: last[0]], last[1])


def _apply(opened: list[tuple[str, str]], token: str) -> list[tuple[str, str]]:
    """Return the open tags after this token."""
    tag = _TAG.match(token)
    if not tag:
        return opened
    return opened[:-1] if tag.group(1) else opened + [(tag.group(2).lower(), token)]
