"""What the bench indexes: the real-size ingest corpus, and filler chunks that grow an index to a size."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from knowledge.config import Settings
from knowledge.models import Chunk, DocumentRecord
from knowledge.query import words
from knowledge.store import ChromaStore

# Real files nobody on the project wrote (some broken on purpose), beside the repository.
CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"
FILLER_PER_DOC = 100
QUICK_NOTES = 15
FILLER_WORDS = 90
DIMENSIONS = 384


def ingest_paths(settings: Settings, quick: bool) -> list[Path]:
    """Return the bundled library plus the shared real-world PDFs and DOCX files (quick: 15 library notes)."""
    library = settings.resolve(settings.ingest.library_dir)
    if quick:
        return sorted(library.glob("*.md"))[:QUICK_NOTES]
    return [library] + [CORPORA / name for name in ("real-pdfs", "real-docx") if (CORPORA / name).is_dir()]


class Filler:
    """Make synthetic chunks: text drawn from the library's own words (plus rarer made-up words, so the
    vocabulary grows as a real library's does) and random unit vectors (embedding 100k texts on two
    cores would take an hour; random vectors sit far from every question, like off-topic guidance)."""

    def __init__(self, library_texts: list[str], seed: int = 7):
        self.rng = np.random.default_rng(seed)
        counts = Counter(w for text in library_texts for w in words(text))
        self.vocabulary = np.array(list(counts))
        weights = np.array(list(counts.values()), dtype=np.float64)
        self.weights = weights / weights.sum()
        syllables = ["ka", "ro", "mi", "ten", "sul", "ver", "do", "pla", "nix", "tor", "bel", "qua", "fen", "ist"]
        self.rare = np.array([a + b + c + d for a in syllables for b in syllables for c in syllables for d in syllables])
        self.rng.shuffle(self.rare)
        # Zipf-like: a few made-up words are common, most are rare, so the vocabulary keeps growing with size.
        ranks = 1.0 / (np.arange(len(self.rare)) + 20.0)
        self.rare_weights = ranks / ranks.sum()
        self.made = 0

    def chunks(self, n: int) -> tuple[list[Chunk], np.ndarray, list[DocumentRecord]]:
        """Return n more filler chunks, their vectors and the manifest records of their documents."""
        chunks, records = [], []
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        common = self.rng.choice(self.vocabulary, size=(n, FILLER_WORDS), p=self.weights)
        rare = self.rng.choice(self.rare, size=(n, FILLER_WORDS // 10), p=self.rare_weights)
        for i in range(n):
            number = self.made + i
            doc_id = f"filler-{number // FILLER_PER_DOC:05d}"
            text = " ".join(list(common[i]) + list(rare[i])) + "."
            chunks.append(Chunk(
                id=f"{doc_id}:v1:{number % FILLER_PER_DOC}", doc_id=doc_id, version="v1", index=number % FILLER_PER_DOC,
                text=text, title=f"Filler guidance {doc_id}", section=f"Part {number % FILLER_PER_DOC}",
                path=f"filler/{doc_id}.md",
            ))  # fmt: skip
            if number % FILLER_PER_DOC == FILLER_PER_DOC - 1 or i == n - 1:
                records.append(DocumentRecord(
                    doc_id=doc_id, version="v1", title=f"Filler guidance {doc_id}", path=f"filler/{doc_id}.md",
                    content_hash="filler", chunk_count=number % FILLER_PER_DOC + 1, indexed_at=stamp,
                ))  # fmt: skip
        self.made += n
        vectors = self.rng.standard_normal((n, DIMENSIONS)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return chunks, vectors, records


def grow(store: ChromaStore, filler: Filler, n: int) -> None:
    """Add n filler chunks to the store, with their documents in the manifest."""
    step = 20_000
    for start in range(0, n, step):
        chunks, vectors, records = filler.chunks(min(step, n - start))
        store.add_chunks(chunks, vectors.tolist())
        store.set_documents(records)
