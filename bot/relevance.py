"""How well a piece of text answers a question's words: each idea in the question counts once, however it is written."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from knowledge.lexical import LexicalIndex, terms
from knowledge.query import ABBREVIATIONS, PHRASES, content_words, without_personal_details

# A spelt-out form ("care quality commission") matches when this share of its words is present.
FORM_SHARE = 2 / 3


@dataclass(frozen=True)
class Concept:
    """One idea in the question: the ways the guidance may write it, and how telling it is."""

    forms: tuple[frozenset[str], ...]
    weight: float

    def found_in(self, present: set[str]) -> bool:
        """Return whether any of its forms is in a text's set of stemmed words."""
        return any(len(form & present) >= math.ceil(FORM_SHARE * len(form)) for form in self.forms)


def concepts(question: str, lexical: LexicalIndex) -> list[Concept]:
    """Return the question's ideas: an abbreviation and what it stands for, or a manager's phrase and the
    guidance's word for it, make one idea (counting both would favour passages that spell things out)."""
    question = without_personal_details(question)  # as the search does: a birth date's "12" is no idea
    lowered = question.lower()
    found: list[Concept] = []
    absorbed: set[str] = set()
    for pattern, meaning in PHRASES:
        match = re.search(pattern, lowered)
        if match:
            typed = lexical.corrected_terms(match.group(0))
            absorbed.update(content_words(match.group(0)))
            found.append(_concept(lexical, typed, [frozenset([t]) for t in terms(meaning)]))
    for word in dict.fromkeys(content_words(question)):
        if word in absorbed:
            continue
        typed = lexical.corrected_terms(word)
        spelt = [frozenset(terms(ABBREVIATIONS[word]))] if word in ABBREVIATIONS else []
        found.append(_concept(lexical, typed, spelt))
    unique: dict[tuple, Concept] = {}
    for concept in found:
        if concept.weight > 0:
            unique.setdefault(concept.forms, concept)
    return list(unique.values())


def _concept(lexical: LexicalIndex, typed: list[str], alternatives: list[frozenset[str]]) -> Concept:
    forms = tuple(dict.fromkeys([frozenset([t]) for t in typed] + [a for a in alternatives if a]))
    # Weigh it by the word the manager typed where the library uses it, else by the guidance's word.
    known_typed = [lexical.idf(t) for t in typed if lexical.df(t)]
    known_other = [lexical.idf(t) for form in alternatives for t in form if lexical.df(t)]
    weight = max(known_typed) if known_typed else max(known_other, default=0.0)
    return Concept(forms, weight)


def relevance(text: str, question: list[Concept]) -> float:
    """Return the weight of the question's ideas a text holds, damped a little for long texts."""
    present = set(terms(text))
    matched = sum(concept.weight for concept in question if concept.found_in(present))
    return matched / (1.0 + len(present) / 60.0)
