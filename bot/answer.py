"""A manager's question in, a cited answer out: urgent first, honest when not covered, extractive by default."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot import triage
from bot.compose import Citations, Unit, candidates, render_group, select, units
from bot.referral import not_covered
from bot.relevance import concepts
from bot.scope import ScopeCheck
from knowledge.config import AnswerSettings
from knowledge.models import Answer, Chunk, Passage
from knowledge.query import split_questions, without_personal_details
from knowledge.search import Searcher

DECISION = re.compile(
    r"\b(should (i|we)|do (i|we) (have|need) to|must (i|we)|is it (ok|okay|alright|acceptable|lawful|legal)|"
    r"can (i|we)|am i allowed|are we allowed|is (this|it|that) (a )?safeguarding|would (this|it) be|"
    r"have (i|we) got to|what should (i|we) do)\b"
)
# Notes that hold the principles a decision is weighed against.
CAPACITY_WORDS = re.compile(r"\b(capacity|mca|consent|best interests?|restrain|restraint|dols|liberty|covert|refus)")
CAPACITY_PRINCIPLES = ["mca-five-principles", "positive-risk-taking-and-capacity"]
SAFEGUARDING_PRINCIPLES = ["six-safeguarding-principles", "making-safeguarding-personal"]
RECORDING_NOTES = ["recording-and-defensible-decisions"]
RECORD_PROMPT = "Record your decision, the options you considered, who you consulted and your reasons, at the time you make it."
# A passage this far below the best one adds more noise than help.
RELEVANCE_MARGIN = 0.2
# How many of the best sections the answer may quote from.
POOL = 5
# A passage this short is quoted whole or not at all: it reads better than a fragment.
SHORT_PASSAGE = 450
# How much being the best-ranked passage counts against a piece's own match with the question.
RANK_PRIOR = 3.0


@dataclass
class _Found:
    question: str
    passages: list[Passage]
    confidence: float
    vector: np.ndarray


def _is_sources(chunk: Chunk) -> bool:
    return (chunk.section or "").strip().lower() == "sources"


class AnswerEngine:
    """Answer questions from the library, citing every sentence."""

    def __init__(self, searcher: Searcher, settings: AnswerSettings, generator=None, *,
                 examples_dir: Path | None = None, routine_examples: Sequence[str] = ()):  # fmt: skip
        self.searcher = searcher
        self.settings = settings
        self.generator = generator
        self.scope = ScopeCheck(searcher.embeddings, cache_dir=examples_dir)
        self.triager = triage.Triager(searcher.embeddings, cache_dir=examples_dir, routine=routine_examples)

    def answer(self, question: str) -> Answer:
        """Return the answer to one message."""
        started = time.perf_counter()
        vector = self.searcher.embed(question)
        verdict = self.triager.assess(question, vector)
        found = self.retrieve(question, vector)
        # Named danger now is the library's subject whatever else the message says: what to do first is
        # guidance. (A resemblance to examples is not sure enough to override the not-covered check.)
        covered = [f for f in found if self.covers(f) or (verdict.named and f.confidence >= self.settings.min_confidence)]
        if covered:
            text, citations, mode = self._compose(question, covered, found)
        else:
            text, citations, mode = not_covered(question, self.settings.safeguarding_contact, verdict.urgent), [], "extractive"
        if verdict.urgent:
            text = f"{triage.emergency_preface(self.settings.safeguarding_contact)}\n\n{text}"
        return Answer(
            question=question, answer=text, answered=bool(covered), urgent=verdict.urgent, citations=citations,
            latency_ms=(time.perf_counter() - started) * 1000, mode=mode,
        )  # fmt: skip

    def retrieve(self, question: str, vector: np.ndarray | None = None) -> list[_Found]:
        """Retrieve for the whole message, or for each of its questions when it asks several."""
        parts = split_questions(question)
        if len(parts) == 1:
            return [self._retrieve(question, vector)]
        found = [self._retrieve(part) for part in parts]
        # A question that only makes sense with the rest of the message is judged on the whole.
        return found if any(self.covers(f) for f in found) else [self._retrieve(question, vector)]

    def covers(self, found: _Found) -> bool:
        """Decide whether the library covers a question (explained in config.toml, [answer])."""
        settings = self.settings
        if found.confidence >= settings.sure_confidence:
            return True
        if found.confidence < settings.min_confidence:
            return False
        outside, _topic = self.scope.nearest_outside(found.vector)
        return found.confidence - outside >= settings.scope_margin

    def _retrieve(self, question: str, vector: np.ndarray | None = None) -> _Found:
        vector = self.searcher.embed(question) if vector is None else vector
        passages = self.searcher.search(question, vector=vector)
        best = max((p.dense_similarity or 0.0 for p in passages[:5]), default=0.0)
        return _Found(question, passages, best, vector)

    def _compose(self, question: str, covered: list[_Found], found: list[_Found]):
        if self.generator is not None:
            # The model (perhaps a hosted one) gets the question without phone numbers, dates or addresses.
            generated = self.generator.generate(without_personal_details(question), [p for f in covered for p in self._relevant(f)])
            if generated is not None:
                return generated.text, generated.citations, "generative"
        citations = Citations()
        budget = self.settings.max_chars
        parts: list[str] = []
        for f in covered:
            body = self._guidance(f, citations, budget // len(covered))
            parts.append(body if len(covered) == 1 else f"On \u201c{f.question}\u201d:\n{body}")
        for f in found:
            if f not in covered:
                parts.append(f"The library does not cover \u201c{f.question}\u201d: check your own policies or ask your local authority safeguarding team.")
        text = "\n\n".join(parts)
        if DECISION.search(question.lower()):
            text = "What the guidance says\n" + text + self._judgement(question, covered[0], citations)
        return text, citations.items, "extractive"

    def _relevant(self, found: _Found) -> list[Passage]:
        """Return the passages of the POOL best sections (every retrieved chunk of each: a section cut in
        two to fit the model's window is still one piece of guidance, such as a list of five principles)."""
        floor = max(self.settings.min_confidence, found.confidence - RELEVANCE_MARGIN)
        sections: set[tuple[str, str | None]] = set()
        pool = []
        for passage in found.passages:
            # A note's "Sources" list says where the guidance comes from; it answers nothing itself.
            if (passage.dense_similarity or 0.0) < floor or _is_sources(passage.chunk):
                continue
            section = (passage.chunk.doc_id, passage.chunk.section)
            if section in sections or len(sections) < POOL:
                sections.add(section)
                pool.append(passage)
        return pool

    def _guidance(self, found: _Found, citations: Citations, budget: int) -> str:
        """Quote the pieces of the relevant passages that best answer the question, grouped by source."""
        question = concepts(found.question, self.searcher.lexical)
        relevant = [(p.chunk, p.dense_similarity or 0.0) for p in self._relevant(found)]
        passages = [chunk for chunk, _ in relevant]
        chosen = select(candidates(relevant, question, SHORT_PASSAGE, RANK_PRIOR), budget)
        groups: dict[str, list[tuple[Chunk, Unit]]] = {}
        for chunk, unit in sorted(chosen, key=lambda piece: passages.index(piece[0])):
            groups.setdefault(chunk.doc_id, []).append((chunk, unit))
        return "\n\n".join(render_group(pieces, citations) for pieces in groups.values())

    def _judgement(self, question: str, found: _Found, citations: Citations) -> str:
        """Add what to weigh, what to record and who to involve, each cited."""
        vector = found.vector
        principles = CAPACITY_PRINCIPLES if CAPACITY_WORDS.search(question.lower()) else SAFEGUARDING_PRINCIPLES
        sections = []
        weigh = self.searcher.nearest_in(vector, principles, k=1)
        if weigh:
            sections.append(("What to weigh", [(weigh[0].chunk, u) for u in units(weigh[0].chunk.text)[:2]]))
        top_doc = found.passages[0].chunk.doc_id
        record = self._section_units(top_doc, "record") or self._nearest_units(vector, RECORDING_NOTES)
        if record:
            sections.append(("What to record", record))
        involve = self._section_units(top_doc, "escalat") or self._section_units(top_doc, "who")
        if involve:
            sections.append(("Who to involve", involve))
        rendered = [f"{title}\n{render_group(pieces, citations)}" for title, pieces in sections]
        rendered.append(RECORD_PROMPT if not record else "")
        return "".join(f"\n\n{part}" for part in rendered if part)

    def _section_units(self, doc_id: str, heading_word: str) -> list[tuple[Chunk, Unit]]:
        for chunk in self.searcher.document_chunks(doc_id):
            if chunk.section and heading_word in chunk.section.lower():
                return [(chunk, u) for u in units(chunk.text)[:2]]
        return []

    def _nearest_units(self, vector: np.ndarray, doc_ids: list[str]) -> list[tuple[Chunk, Unit]]:
        nearest = self.searcher.nearest_in(vector, doc_ids, k=1)
        return [(nearest[0].chunk, u) for u in units(nearest[0].chunk.text)[:2]] if nearest else []
