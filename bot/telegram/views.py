"""What admins read: the library in pages, and the use statistics (Telegram HTML)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.state import Stats
from bot.telegram.formatting import escape
from knowledge.models import DocumentRecord

PAGE_SIZE = 10


def docs_page(records: list[DocumentRecord], page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return one page of the library listing and its ‹ › buttons."""
    pages = max(1, -(-len(records) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = records[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    lines = [f"<b>Library</b>: {len(records)} documents, page {page + 1} of {pages}", ""]
    for number, record in enumerate(shown, start=page * PAGE_SIZE + 1):
        when = f"checked {record.checked}" if record.checked else f"added {record.indexed_at[:10]}"
        status = escape(record.status or "no status")
        lines.append(f"{number}. <b>{escape(record.title)}</b>\n<code>{escape(record.doc_id)}</code> · "
                     f"{record.chunk_count} chunks · {escape(when)} · {status}")  # fmt: skip
    if not records:
        lines.append("The library is empty. Send a document to add one.")
    buttons = ([InlineKeyboardButton("‹ Previous", callback_data=f"docs:{page - 1}")] if page > 0 else []) + (
        [InlineKeyboardButton("Next ›", callback_data=f"docs:{page + 1}")] if page < pages - 1 else [])  # fmt: skip
    return "\n".join(lines), InlineKeyboardMarkup([buttons]) if buttons else None


def stats_html(stats: Stats) -> str:
    """Return /stats: users, questions, answered and not-covered rates, feedback, the most frequent gaps."""
    asked = stats.questions
    share = lambda n: f"{n} ({100 * n / asked:.0f}%)" if asked else str(n)  # noqa: E731
    lines = [
        f"<b>Carewise, last {stats.days} days</b>",
        f"Users: {stats.users} ({stats.active_users} asked something in that time)",
        f"Questions: {asked}",
        f"Answered: {share(stats.answered)}; not covered: {share(asked - stats.answered)}; urgent: {stats.urgent}",
        f"Feedback (all time): 👍 {stats.helpful} · 👎 {stats.unhelpful}",
    ]
    if stats.gaps:
        lines += ["", "<b>Most frequent not-covered topics</b>"]
        lines += [f"{i}. {escape(topic)} ({n})" for i, (topic, n) in enumerate(stats.gaps, start=1)]
    return "\n".join(lines)
