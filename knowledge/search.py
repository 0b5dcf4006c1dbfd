"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused, current versions only."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.config import SearchSettings
from knowledge.lexical import LexicalIndex
from knowledge.models import Chunk, DocumentRecord, Passage
from knowledge.query import search_text
from knowledge.store import ChromaStore

# How often a long-running reader checks whether another process changed the library.
REFRESH_SECONDS = 30.0
# Bump when the saved lexical index changes shape, so caches written before are rebuilt.
LEXICAL_FORMAT = 2
# How many documents' chunks (with vectors) to keep in memory for nearest_in and document_chunks.
DOCUMENT_CACHE = 256


def generation(documents: Mapping[str, DocumentRecord]) -> str:
    """Return a fingerprint of which version of which document is current."""
    lines = sorted(f"{d.doc_id}:{d.version}" for d in documents.values())
    return hashlib.sha1("\n".join(lines).encode()).hexdigest()


def lexical_index(store: ChromaStore, folder: Path, documents: Mapping[str, DocumentRecord]) -> LexicalIndex:
    """Return the BM25 index for the current documents, rebuilding the cached one if it is stale."""
    wanted = generation(documents)
    cache = folder / "bm25"
    stamp = cache / "generation.json"
    if stamp.exists() and json.loads(stamp.read_text()) == {"generation": wanted, "format": LEXICAL_FORMAT}:
        return LexicalIndex.load(cache)
    current = {d.doc_id: d.version for d in documents.values()}
    index = LexicalIndex.build(
        (c.id, c.embedding_text()) for c in store.all_chunks() if current.get(c.doc_id) == c.version
    )
    index.save(cache)
    stamp.write_text(json.dumps({"generation": wanted, "format": LEXICAL_FORMAT}))
    return index


class Searcher:
    """Find the passages of the library that best match a question."""

    def __init__(self, store: ChromaStore, embeddings: Embeddings, settings: SearchSettings, folder: Path):
        self.store = store
        self.embeddings = embeddings
        self.settings = settings
        self.folder = folder
        self._lock = threading.Lock()
        self._checked_at = 0.0
        self.documents: dict[str, DocumentRecord] = {}
        self._lexical = LexicalIndex(None, [], [])
        self._by_document: dict[tuple[str, str], tuple[list[Chunk], np.ndarray]] = {}
        self._cache_lock = threading.Lock()
        self.refresh()

    def refresh(self) -> None:
        """Reload the manifest and, if the library changed, the lexical index."""
        with self._lock:
            documents = self.store.documents()
            if generation(documents) != generation(self.documents) or not self._lexical.ids:
                self._lexical = lexical_index(self.store, self.folder, documents)
            self.documents = documents
            self._checked_at = time.monotonic()

    def embed(self, query: str) -> np.ndarray:
        """Return the question's vector (personal details dropped, abbreviations expanded), for reuse across searches."""
        return np.asarray(self.embeddings.embed_query(search_text(query)), dtype=np.float32)

    def search(
        self, query: str, k: int | None = None, method: str | None = None, vector: np.ndarray | None = None
    ) -> list[Passage]:
        """Return the k best passages for a question, best first."""
        if time.monotonic() - self._checked_at > REFRESH_SECONDS:
            self.refresh()
        k = k or self.settings.top_k
        method = method or self.settings.method
        text = search_text(query)
        vector = self.embed(query) if vector is None else vector
        dense = self._dense(vector) if method in ("dense", "hybrid") else []
        lexical = self._lexical.search(text, self.settings.candidates) if method in ("lexical", "hybrid") else []
        return self._fuse(dense, lexical, vector, k)

    @property
    def lexical(self) -> LexicalIndex:
        """Return the current lexical index (term weights for choosing what to quote)."""
        return self._lexical

    def nearest_in(self, vector: np.ndarray, doc_ids: list[str], k: int) -> list[Passage]:
        """Return the k chunks of these documents nearest to a question vector."""
        # Exact, over a few cached documents: Chroma's filtered query scans its metadata and took
        # about 180 ms at 100k chunks.
        pairs = [p for p in (self._document_vectors(d) for d in doc_ids if d in self.documents) if p[0]]
        chunks = [c for found, _ in pairs for c in found]
        if not chunks:
            return []
        matrix = np.concatenate([vectors for _, vectors in pairs])
        scores = matrix @ vector / (np.linalg.norm(matrix, axis=1) * (np.linalg.norm(vector) or 1.0))
        best = np.argsort(-scores)[:k]
        return [Passage(chunks[i], float(scores[i]), dense_similarity=float(scores[i])) for i in best]

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        """Return the current chunks of one document, in order."""
        return self._document_vectors(doc_id)[0] if doc_id in self.documents else []

    def _document_vectors(self, doc_id: str) -> tuple[list[Chunk], np.ndarray]:
        """Return one document's current chunks, in order, with their vectors (cached: a version never changes)."""
        key = (doc_id, self.documents[doc_id].version)
        cached = self._by_document.get(key)
        if cached is None:
            ordered = self.store.document_chunks(*key)
            found, vectors = self.store.get_chunks_with_vectors([c.id for c in ordered]) if ordered else ([], [])
            by_id = {c.id: v for c, v in zip(found, vectors)}
            chunks = [c for c in ordered if c.id in by_id]
            cached = (chunks, np.asarray([by_id[c.id] for c in chunks], dtype=np.float32))
            with self._cache_lock:
                if len(self._by_document) >= DOCUMENT_CACHE:
                    self._by_document.pop(next(iter(self._by_document)))
                self._by_document[key] = cached
        return cached

    def _dense(self, vector: np.ndarray) -> list[tuple[Chunk, float]]:
        # Over-fetch a little: chunks of a superseded version (left by a crash) are skipped.
        found = self.store.query(vector.tolist(), self.settings.candidates + 10)
        return [(c, s) for c, s in found if self._is_current(c)][: self.settings.candidates]

    def _is_current(self, chunk: Chunk) -> bool:
        record = self.documents.get(chunk.doc_id)
        return record is not None and record.version == chunk.version

    def _fuse(self, dense, lexical, vector: np.ndarray, k: int) -> list[Passage]:
        weight, rrf_k = self.settings.dense_weight, self.settings.rrf_k
        if not lexical:
            weight = 1.0
        elif not dense:
            weight = 0.0
        scores: dict[str, float] = {}
        for rank, (chunk, _) in enumerate(dense):
            scores[chunk.id] = scores.get(chunk.id, 0.0) + weight / (rrf_k + rank + 1)
        for rank, (chunk_id, _) in enumerate(lexical):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + (1 - weight) / (rrf_k + rank + 1)
        best = sorted(scores, key=scores.get, reverse=True)[:k]
        chunks = {c.id: c for c, _ in dense}
        similarity = {c.id: s for c, s in dense}
        lexical_scores = dict(lexical)
        missing = [i for i in best if i not in chunks]
        if missing:
            for chunk, vec in zip(*self.store.get_chunks_with_vectors(missing)):
                chunks[chunk.id] = chunk
                similarity[chunk.id] = float(np.dot(vec, vector))
        return [
            Passage(
                chunk=chunks[i],
                score=scores[i],
                dense_similarity=similarity.get(i),
                lexical_score=lexical_scores.get(i),
            )
            for i in best
            if i in chunks and self._is_current(chunks[i])
        ]
