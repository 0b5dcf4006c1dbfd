"""Tell library questions from other manager questions (pay, tax, premises...) with the bundled model."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np
import yaml

TOPICS_FILE = Path(__file__).resolve().parent / "data" / "out_of_scope.yaml"


class ScopeCheck:
    """Compare a question's nearness to the library with its nearness to known out-of-scope topics."""

    def __init__(self, embeddings, topics_file: Path = TOPICS_FILE):
        self.embeddings = embeddings
        self.topics: list[str] = yaml.safe_load(topics_file.read_text(encoding="utf-8"))

    @cached_property
    def _vectors(self) -> np.ndarray:
        return np.asarray(self.embeddings.embed_documents(self.topics), dtype=np.float32)

    def nearest_outside(self, vector: np.ndarray) -> tuple[float, str]:
        """Return the similarity to, and the name of, the nearest out-of-scope topic."""
        scores = self._vectors @ vector
        best = int(np.argmax(scores))
        return float(scores[best]), self.topics[best]
