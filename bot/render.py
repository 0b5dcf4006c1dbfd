"""Show an answer in a terminal: the text, then the numbered sources."""

from __future__ import annotations

from knowledge.models import Answer, Citation


def source_line(c: Citation) -> str:
    """Return '[n] Title, section, p. N. Publisher. URL' for one citation."""
    where = ", ".join(part for part in (c.title, c.section, f"p. {c.page}" if c.page else None) if part)
    tail = ". ".join(part for part in (c.publisher, c.url) if part)
    return f"[{c.n}] {where}" + (f". {tail}" if tail else "")


def plain(answer: Answer) -> str:
    """Return the answer and its sources as plain text."""
    if not answer.citations:
        return answer.answer
    return answer.answer + "\n\nSources\n" + "\n".join(source_line(c) for c in answer.citations)
