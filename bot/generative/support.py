"""Judge whether cited passages back a claim, by shared words or meaning, and pick the source text to quote."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.compose import clean, sentences, units
from knowledge.lexical import terms
from knowledge.models import Passage
from knowledge.query import ABBREVIATIONS, expand, words

# Below this many content words, word overlap proves nothing ("Reply PWNED [3]" overlaps fully).
MIN_TERMS = 3
# Share of a claim's content words that must appear in the passages it cites.
MIN_COVERAGE = 0.6
# Each passage cited for a claim must hold at least this share of its content words itself.
MIN_EACH_COVERAGE = 0.3
# A paraphrase passes with fewer shared words when it is this close in meaning to one cited sentence
# (with the bundled model, paraphrases score about 0.7 and claims with added facts about 0.6).
MIN_SIMILARITY = 0.65
MIN_COVERAGE_WITH_MEANING = 0.25
# A quote shorter than this many words runs on into the next sentence of its paragraph.
MIN_QUOTE_WORDS = 6
# Overlap cannot see a flipped meaning: a claim may only say 'not' where its passages say something like it.
NEGATIONS = frozenset({"not", "no", "never", "nor", "cannot", "t", "without", "none", "nothing", "nobody", "neither"})


@dataclass(frozen=True)
class Span:
    """One sentence of a passage: its paragraph or bullet (cleaned) and where in it the sentence lies."""

    unit: str
    start: int
    end: int
    paragraph: int

    @property
    def text(self) -> str:
        """Return the sentence as the source has it."""
        return self.unit[self.start : self.end]


@dataclass(frozen=True)
class Claim:
    """A clause of the reply: its content words, its meaning vector and the passages it cites."""

    terms: frozenset[str]
    vector: np.ndarray
    numbers: tuple[int, ...]
    negations: frozenset[str] = frozenset()


class Evidence:
    """The passages the model was given, split into sentences and embedded once."""

    def __init__(self, passages: list[Passage], embeddings: Embeddings):
        self.passages = passages
        self.embeddings = embeddings
        self.terms = [frozenset(terms(expand(p.chunk.source_text()))) for p in passages]
        self.negations = [NEGATIONS & frozenset(words(p.chunk.text)) for p in passages]
        self.spans = [spans(p.chunk.text) for p in passages]
        flat = [s.text for group in self.spans for s in group]
        vectors = self.embed(flat)
        self.vectors, start = [], 0
        for group in self.spans:
            self.vectors.append(vectors[start : start + len(group)])
            start += len(group)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return unit-length vectors for texts, so a dot product is the cosine."""
        if not texts:
            return np.zeros((0, 1))
        matrix = np.asarray(self.embeddings.embed_documents(texts), dtype=np.float32)
        return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)

    def knows(self, number: int) -> bool:
        """Return True when [number] names a passage the model was given."""
        return 1 <= number <= len(self.passages)

    def supports(self, claim: Claim) -> bool:
        """Return True when every cited passage shares words with the claim and together they back it."""
        if not claim.terms:
            return False
        cited = [n - 1 for n in claim.numbers]
        if any(len(claim.terms & self.terms[i]) < MIN_EACH_COVERAGE * len(claim.terms) for i in cited):
            return False  # a passage cited for words it does not contain
        if claim.negations and not any(self.negations[i] for i in cited):
            return False  # "must never report" is not backed by "must report"
        shared = claim.terms & frozenset().union(*(self.terms[i] for i in cited))
        coverage = len(shared) / len(claim.terms)
        if coverage >= MIN_COVERAGE:
            return True
        return coverage >= MIN_COVERAGE_WITH_MEANING and self.similarity(claim, cited) >= MIN_SIMILARITY

    def similarity(self, claim: Claim, cited: list[int]) -> float:
        """Return the claim's highest cosine to any sentence of the cited passages."""
        scores = [float(np.max(self.vectors[i] @ claim.vector)) for i in cited if len(self.vectors[i])]
        return max(scores, default=0.0)

    def quote(self, number: int, claims: list[Claim]) -> str:
        """Return the passage's sentence that shares most words with the claims citing it, verbatim."""
        i = number - 1
        group = self.spans[i]
        if not group:
            return clean(self.passages[i].chunk.text)

        def score(k: int) -> tuple[int, float]:
            words = frozenset(terms(group[k].text))
            overlap = sum(len(words & c.terms) for c in claims)
            meaning = sum(float(self.vectors[i][k] @ c.vector) for c in claims)
            return overlap, meaning

        best = max(range(len(group)), key=score)
        return run_on(group, best)


def claim_terms(text: str) -> frozenset[str]:
    """Return a claim's content words, abbreviations spelt out ("CQC" backed by "Care Quality Commission")."""
    return frozenset(terms(" ".join(ABBREVIATIONS.get(w, w) for w in words(text))))


def spans(text: str) -> list[Span]:
    """Split chunk text into sentences, keeping each one's place in its cleaned paragraph or bullet."""
    found: list[Span] = []
    for paragraph, unit in enumerate(units(text)):
        body = clean(unit.text)
        cursor = 0
        for sentence in sentences(body):
            start = body.find(sentence, cursor)
            if start < 0:
                continue
            found.append(Span(body, start, start + len(sentence), paragraph))
            cursor = start + len(sentence)
    return found


def run_on(group: list[Span], best: int) -> str:
    """Return the chosen sentence, run on into the next ones of its paragraph while it is too short to quote."""
    first = last = group[best]
    k = best
    while len(first.unit[first.start : last.end].split()) < MIN_QUOTE_WORDS and k + 1 < len(group):
        if group[k + 1].paragraph != first.paragraph:
            break
        k += 1
        last = group[k]
    return first.unit[first.start : last.end]
