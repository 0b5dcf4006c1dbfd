"""Deterministic test doubles: an embedding whose similarity is word overlap."""

from __future__ import annotations

import hashlib
import math

from langchain_core.embeddings import Embeddings

from knowledge.lexical import terms


class WordHashEmbeddings(Embeddings):
    """Hash each stemmed word into one of 384 dimensions: texts sharing words are near."""

    dimensions = 384

    def __init__(self):
        self.calls = 0
        self.texts_embedded = 0

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * self.dimensions
        for word in terms(text) or ["empty"]:
            vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimensions] += 1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed texts, counting the calls so tests can see when nothing was embedded."""
        self.calls += 1
        self.texts_embedded += len(texts)
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        """Embed a question."""
        return self._vector(text)
