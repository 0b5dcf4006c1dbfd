"""Keep only the reply's sentences that cite given passages which back them; renumber and quote the sources."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bot.compose import Citations
from bot.generative.reply import Line, Sentence, parse, renumber
from bot.generative.support import MIN_TERMS, NEGATIONS, Claim, Evidence, claim_terms
from knowledge.lexical import terms
from knowledge.models import Citation
from knowledge.query import words


@dataclass
class Checked:
    """The surviving answer text with its citations, and what was dropped and why (counts only)."""

    text: str
    citations: list[Citation]
    kept: int
    total: int
    dropped: Counter = field(default_factory=Counter)


def check(reply: str, evidence: Evidence) -> Checked:
    """Drop uncited, unknown-cited and unsupported sentences; number the sources 1..m in order of use."""
    lines = parse(reply)
    every = [s for line in lines for s in line.sentences]
    claims = claims_of(every, evidence)
    dropped: Counter = Counter()
    kept: dict[int, list[Claim]] = {}
    for index, sentence in enumerate(every):
        reason = verdict(sentence, claims[index], evidence)
        if reason:
            dropped[reason] += 1
        else:
            kept[index] = claims[index]
    mapping, citations = number_sources([c for index in kept for c in kept[index]], evidence)
    text = render(lines, kept, mapping)
    return Checked(text, citations, len(kept), len(every), dropped)


def claims_of(every: list[Sentence], evidence: Evidence) -> list[list[Claim]]:
    """Return each sentence's cited clauses as claims, embedding all of them in one call."""
    pending: list[tuple[int, str, tuple[int, ...]]] = []
    for index, sentence in enumerate(every):
        for clause in sentence.clauses:
            if clause.numbers:
                # A clause with no content words ("[1] and [2]") is judged on its whole sentence.
                text = clause.text.strip() if terms(clause.text) else sentence.plain
                pending.append((index, text, tuple(clause.numbers)))
    vectors = evidence.embed([text for _, text, _ in pending])
    claims: list[list[Claim]] = [[] for _ in every]
    for (index, text, numbers), vector in zip(pending, vectors):
        negations = NEGATIONS & frozenset(words(text))
        claims[index].append(Claim(claim_terms(text), vector, numbers, negations))
    return claims


def verdict(sentence: Sentence, claims: list[Claim], evidence: Evidence) -> str:
    """Return why a sentence must go, or '' to keep it."""
    if not sentence.cited:
        return "uncited"
    if any(not evidence.knows(n) for c in claims for n in c.numbers):
        return "unknown passage"
    if len(terms(sentence.plain)) < MIN_TERMS:
        return "too short to check"
    if not all(evidence.supports(c) for c in claims):
        return "unsupported"
    return ""


def number_sources(claims: list[Claim], evidence: Evidence) -> tuple[dict[int, int], list[Citation]]:
    """Map passage numbers to source numbers in order of first use, each quoting its best sentence."""
    citations = Citations()
    mapping: dict[int, int] = {}
    for claim in claims:
        for number in claim.numbers:
            if number not in mapping:
                backing = [c for c in claims if number in c.numbers]
                quote = evidence.quote(number, backing)
                mapping[number] = citations.number(evidence.passages[number - 1].chunk, quote)
    return mapping, citations.items


def render(lines: list[Line], kept: dict[int, list[Claim]], mapping: dict[int, int]) -> str:
    """Rebuild the kept sentences as paragraphs and bullets, markers renumbered."""
    out: list[str] = []
    index = 0
    for line in lines:
        survivors = []
        for sentence in line.sentences:
            if index in kept:
                survivors.append(renumber(sentence.text, mapping))
            index += 1
        if survivors:
            if out and out[-1] and not (line.bullet and out[-1].startswith("- ")):
                out.append("")  # paragraphs apart, a list kept together
            out.append(("- " if line.bullet else "") + " ".join(survivors))
    return "\n".join(out).strip()
