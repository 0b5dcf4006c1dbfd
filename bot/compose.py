"""Turn retrieved passages into readable, cited answer text: whole sentences and bullets, each marked [n]."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.relevance import Concept, relevance
from knowledge.models import Chunk, Citation

_BULLET = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9\"'(\[])")
_INLINE_MARKS = re.compile(r"\*\*|__|`")


@dataclass(frozen=True)
class Unit:
    """A bullet or a paragraph of a chunk, as written in the source."""

    text: str
    bullet: bool
    position: int


def units(text: str) -> list[Unit]:
    """Split chunk text into paragraphs and bullets, in source order."""
    found: list[Unit] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            found.append(Unit(" ".join(paragraph), False, len(found)))
            paragraph.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            flush()
        elif _BULLET.match(stripped):
            flush()
            found.append(Unit(_BULLET.sub("", stripped), True, len(found)))
        elif found and found[-1].bullet and line.startswith((" ", "\t")) and not paragraph:
            last = found.pop()
            found.append(Unit(f"{last.text} {stripped}", True, last.position))
        else:
            paragraph.append(stripped)
    flush()
    return [u for u in found if any(ch.isalnum() for ch in u.text)]


def clean(text: str) -> str:
    """Drop inline Markdown emphasis so text reads plainly (quotes are compared ignoring it anyway)."""
    return " ".join(_INLINE_MARKS.sub("", text).split())


def sentences(text: str) -> list[str]:
    """Split a paragraph into sentences."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


# How fast the prior fades as a passage's similarity falls below the best one's.
SIMILARITY_SLOPE = 1.0


@dataclass(frozen=True)
class Candidate:
    """A piece the answer may quote: a whole short passage, or one unit of a long one."""

    score: float
    rank: int
    chunk: Chunk
    units: tuple[Unit, ...]

    @property
    def size(self) -> int:
        """Return its length in characters."""
        return sum(len(u.text) for u in self.units)


def candidates(
    passages: list[tuple[Chunk, float]], question: list[Concept], short: int, prior: float
) -> list[Candidate]:
    """Score what each (passage, similarity) offers: short passages whole (they read best), long ones by unit."""
    found = []
    best_similarity = max((similarity for _, similarity in passages), default=0.0)
    # Every chunk of a section shares the section's best similarity: where the model's window cut a
    # list in two, the half that matched less well is still the same guidance.
    by_section: dict[tuple[str, str | None], float] = {}
    for chunk, similarity in passages:
        key = (chunk.doc_id, chunk.section)
        by_section[key] = max(by_section.get(key, 0.0), similarity)
    for rank, (chunk, _) in enumerate(passages):
        similarity = by_section[(chunk.doc_id, chunk.section)]
        pieces = units(chunk.text)
        if not pieces:
            continue
        # A passage as near the question as the best one keeps the whole prior; each 0.1 below costs a share.
        bonus = prior * max(0.0, 1.0 - (best_similarity - similarity) * 10 * SIMILARITY_SLOPE)
        if sum(len(u.text) for u in pieces) <= short:
            best = max((relevance(u.text, question) for u in pieces), default=0.0)
            found.append(Candidate(best + bonus, rank, chunk, tuple(pieces)))
        else:
            # A unit that shares nothing with the question is noise, however good its passage.
            scored = ((relevance(u.text, question), u) for u in pieces)
            found.extend(Candidate(score + bonus, rank, chunk, (u,)) for score, u in scored if score > 0)
    if not found and passages:
        # Nothing matched word for word: the best passage's opening still answers best.
        chunk = passages[0][0]
        found.append(Candidate(prior, 0, chunk, tuple(units(chunk.text)[:2])))
    return [c for c in found if c.units]


def select(found: list[Candidate], budget: int) -> list[tuple[Chunk, Unit]]:
    """Take the best-scoring pieces that fit the budget (the best one always), without repeats."""
    chosen: list[tuple[Chunk, Unit]] = []
    used = 0
    seen: set[str] = set()
    for candidate in sorted(found, key=lambda c: (-c.score, c.rank, c.units[0].position)):
        fresh = [u for u in candidate.units if " ".join(u.text.lower().split()) not in seen]
        size = sum(len(u.text) for u in fresh)
        if not fresh or (chosen and used + size > budget):
            continue
        for unit in fresh:
            seen.add(" ".join(unit.text.lower().split()))
            chosen.append((candidate.chunk, unit))
        used += size
    return chosen


@dataclass
class Citations:
    """Number sources as they are first cited; one number per document section."""

    items: list[Citation] = field(default_factory=list)
    _by_key: dict[tuple[str, str | None, int | None], int] = field(default_factory=dict)

    def number(self, chunk: Chunk, quote: str) -> int:
        """Return the [n] for this chunk's source, adding it with this quote if new."""
        key = (chunk.doc_id, chunk.section, chunk.page)
        if key not in self._by_key:
            n = len(self.items) + 1
            self._by_key[key] = n
            self.items.append(
                Citation(
                    n=n, doc_id=chunk.doc_id, title=chunk.title, section=chunk.section, page=chunk.page,
                    url=chunk.url, path=chunk.path, quote=clean(quote), publisher=chunk.publisher,
                )  # fmt: skip
            )
        return self._by_key[key]


def cited(unit: Unit, n: int) -> str:
    """Render one unit with its marker after every sentence."""
    text = clean(unit.text)
    body = " ".join(f"{s} [{n}]" for s in sentences(text)) if not unit.bullet else f"{text} [{n}]"
    return f"- {body}" if unit.bullet else body


def render_group(pieces: list[tuple[Chunk, Unit]], citations: Citations) -> str:
    """Render units of one source, in the source's order, bullets kept as a list."""
    lines: list[str] = []
    for chunk, unit in sorted(pieces, key=lambda p: (p[0].index, p[1].position)):
        n = citations.number(chunk, unit.text)
        line = cited(unit, n)
        if lines and not (unit.bullet and lines[-1].startswith("- ")):
            lines.append("")
        lines.append(line)
    return "\n".join(lines)
