"""Tell library questions from other manager questions (pay, tax, premises...) with the bundled model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from bot.examples import ExampleVectors

TOPICS_FILE = Path(__file__).resolve().parent / "data" / "out_of_scope.yaml"


class ScopeCheck:
    """Compare a question's nearness to the library with its nearness to known out-of-scope questions."""

    def __init__(self, embeddings, topics_file: Path = TOPICS_FILE, cache_dir: Path | None = None):
        self.topics: list[str] = yaml.safe_load(topics_file.read_text(encoding="utf-8"))
        self._examples = ExampleVectors(embeddings, self.topics, cache_dir, "out-of-scope")

    def nearest_outside(self, vector: np.ndarray) -> tuple[float, str]:
        """Return the similarity to, and the text of, the nearest out-of-scope topic or question."""
        return self._examples.nearest(vector)
