"""Read a model's reply as lines of sentences, each split into clauses and the [n] markers that follow them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# [2], [1, 3], [1-3]: what a model writes when asked to cite [n].
MARKER = re.compile(r"\[\s*(\d{1,3}(?:\s*[,;\-\u2013]\s*\d{1,3})*)\s*\]")
# A sentence ends at . ! or ? plus any closing quotes and the markers placed after it.
_END = re.compile(r"[.!?][\"')\u201d\u2019]*(?:\s*\[[^\]\n]{1,20}\])*(?=\s+[A-Z0-9\"'(\u201c\u2018\[])")
_BULLET = re.compile(r"^\s*(?:[-*+\u2022]|\d{1,2}[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s+")
_EMPHASIS = re.compile(r"\*\*|__|`")
# A range wider than this is not a citation anyone means.
_WIDEST_RANGE = 20
_RANGE = re.compile(r"(\d+)\s*[\-\u2013]\s*(\d+)")


@dataclass
class Clause:
    """Words of a sentence and the passage numbers cited right after them (empty when uncited)."""

    text: str
    numbers: list[int] = field(default_factory=list)


@dataclass
class Sentence:
    """One sentence of the reply as written, with its clauses."""

    text: str
    clauses: list[Clause]

    @property
    def cited(self) -> bool:
        """Return True when the sentence carries at least one [n] marker."""
        return any(c.numbers for c in self.clauses)

    @property
    def plain(self) -> str:
        """Return the sentence without its markers."""
        return " ".join(MARKER.sub(" ", self.text).split())


@dataclass
class Line:
    """A paragraph or bullet of the reply; an empty line separates paragraphs."""

    bullet: bool
    sentences: list[Sentence]


def parse(reply: str) -> list[Line]:
    """Split a reply into lines and sentences, dropping Markdown headings marks and emphasis."""
    lines: list[Line] = []
    for raw in reply.splitlines():
        text = _EMPHASIS.sub("", _HEADING.sub("", raw)).strip()
        bullet = bool(_BULLET.match(text))
        text = _BULLET.sub("", text).strip()
        lines.append(Line(bullet, [sentence(s) for s in split_sentences(text)]))
    return lines


def split_sentences(text: str) -> list[str]:
    """Split text after each sentence's end and the markers that belong to it."""
    found, start = [], 0
    for match in _END.finditer(text):
        found.append(text[start : match.end()])
        start = match.end()
    found.append(text[start:])
    return [s.strip() for s in found if s.strip()]


def sentence(text: str) -> Sentence:
    """Split one sentence into clauses, each with the markers that follow it."""
    clauses: list[Clause] = []
    last = 0
    for match in MARKER.finditer(text):
        between = text[last : match.start()]
        numbers = numbers_in(match.group(1))
        if clauses and not between.strip(" ,;"):
            clauses[-1].numbers.extend(numbers)  # "[1][2]" or "[1], [2]": one group
        else:
            clauses.append(Clause(between, numbers))
        last = match.end()
    tail = text[last:]
    if clauses:
        clauses[-1].text += tail  # words after the last marker belong to its claim
    else:
        clauses.append(Clause(tail, []))
    return Sentence(text, clauses)


def numbers_in(group: str) -> list[int]:
    """Return the passage numbers in a marker's inside, expanding ranges; 0 marks a nonsense range."""
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", group.strip()):
        span = _RANGE.fullmatch(part)
        if span is None:
            numbers.append(int(part) if part.isdigit() else 0)
            continue
        start, end = int(span.group(1)), int(span.group(2))
        numbers.extend(range(start, end + 1) if 0 < end - start <= _WIDEST_RANGE else [0])
    return numbers


def renumber(text: str, mapping: dict[int, int]) -> str:
    """Rewrite every marker in a sentence to the new numbers, one [n] each, without repeats in a group."""

    def replace(match: re.Match) -> str:
        new = list(dict.fromkeys(mapping[n] for n in numbers_in(match.group(1))))
        return " ".join(f"[{n}]" for n in new)

    rewritten = MARKER.sub(replace, text)
    # "[1][1]" or "[1] [1]" after two passages of one section merged into one source.
    return re.sub(r"(\[\d+\])(?:\s*\1)+", r"\1", re.sub(r"\](?=\[)", "] ", rewritten))
