"""Check that a quoted text really stands in its source, as ARCHITECTURE.md defines it."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_TYPOGRAPHIC = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
_MARKS = re.compile(r"[*_`#>|]")
_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.DOTALL)


def normalise(text: str) -> str:
    """Collapse whitespace, lower-case, drop Markdown marks, and plain the typographic quotes and dashes."""
    text = _MARKS.sub("", text.translate(_TYPOGRAPHIC).lower())
    return " ".join(text.split())


@lru_cache(maxsize=256)
def _source_text(path: str, mtime: float) -> str:
    """Return the normalised text of a source file (extracted for PDF and DOCX)."""
    file = Path(path)
    if file.suffix.lower() in (".md", ".markdown", ".txt"):
        text = file.read_text(encoding="utf-8-sig")
        # A note's front matter (its metadata and the questions it is searched by) is not guidance.
        front = _FRONT_MATTER.match(text)
        return normalise(text[front.end() :] if front else text)
    from ingest.loaders import load

    document = load(file, max_bytes=1 << 40)
    return normalise("\n".join([document.title] + [s.text for s in document.sections]))


def quote_in_source(quote: str, path: Path) -> bool:
    """Return True when the quote appears verbatim (after normalising) in the file at path."""
    if not path.exists():
        return False
    needle = normalise(quote)
    return bool(needle) and needle in _source_text(str(path), path.stat().st_mtime)
