"""Written example messages (of danger, of routine questions, of other topics), embedded once and kept on disk."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


class ExampleVectors:
    """The unit-length vectors of a fixed list of texts, cached on disk (keyed by model and texts)."""

    def __init__(self, embeddings, texts: list[str], cache_dir: Path | None = None, name: str = "examples"):
        """name: which list this is, so a new version of it replaces the old cache file."""
        self.embeddings = embeddings
        self.texts = texts
        self.cache_dir = cache_dir
        self.name = name
        self._matrix: np.ndarray | None = None
        self._lock = threading.Lock()

    def matrix(self) -> np.ndarray:
        """Return one row per text (embedding them on first use, or reading the cached rows)."""
        if self._matrix is None:
            with self._lock:
                if self._matrix is None:
                    self._matrix = self._load() if self.cache_dir else self._embed()
        return self._matrix

    def nearest(self, vector: np.ndarray, k: int = 1) -> tuple[float, str]:
        """Return the mean similarity of the k nearest texts to a unit vector, and the nearest text."""
        scores = self.matrix() @ vector
        order = np.argsort(-scores)[:k]
        return float(scores[order].mean()), self.texts[int(order[0])]

    def _embed(self) -> np.ndarray:
        vectors = np.asarray(self.embeddings.embed_documents(self.texts), dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def _load(self) -> np.ndarray:
        key = hashlib.sha1("\n".join([type(self.embeddings).__name__, *self.texts]).encode()).hexdigest()[:16]
        path = self.cache_dir / f"{self.name}-{key}.npy"
        if path.exists():
            try:
                return np.load(path)
            except (OSError, ValueError):
                pass  # a damaged cache is rebuilt below
        # Seconds on first use after a fresh clone or a library change: say why the first answer waits.
        log.warning("embedding %d example texts once (kept in %s)", len(self.texts), self.cache_dir)
        matrix = self._embed()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written whole, then renamed: another process never reads half a file.
            with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npy", delete=False) as handle:
                np.save(handle, matrix)
            os.replace(handle.name, path)
            # Each library edit makes a new routine list: drop the files of its earlier versions.
            for old in self.cache_dir.glob(f"{self.name}-*.npy"):
                if old != path:
                    old.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only cache folder only costs embedding the examples again next start
        return matrix


def library_questions(folder: Path) -> list[str]:
    """Return the questions the library's notes list as how managers ask for them (see docs/LIBRARY.md)."""
    from ingest.loaders import LoadError, load_markdown

    found: list[str] = []
    for path in sorted(folder.glob("*.md")):
        try:
            found += [question for section in load_markdown(path).sections for question in section.asked]
        except LoadError:  # a broken note is reported by ingest; here it only lacks examples
            continue
    return found
