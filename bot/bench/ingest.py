"""Ingest throughput of the whole pipeline against raw `encode` of the same model on the same chunk texts."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bot.bench.table import Row
from knowledge.config import Settings
from knowledge.store import ChromaStore

TARGET = 0.8


@dataclass
class IngestResult:
    """What the ingest measurement found, and the texts it embedded (reused by later measurements)."""

    chunks: int
    files: int
    failed: int
    pipeline_seconds: float
    raw_seconds: float
    texts: list[str]

    @property
    def pipeline_rate(self) -> float:
        return self.chunks / self.pipeline_seconds

    @property
    def raw_rate(self) -> float:
        return len(self.texts) / self.raw_seconds


def _timed(work, *args) -> float:
    started = time.perf_counter()
    work(*args)
    return time.perf_counter() - started


def measure(settings: Settings, embeddings, paths: list[Path], raw_passes: int = 2) -> IngestResult:
    """Index the paths into the settings' (empty) store, then encode the same chunk texts raw.

    Raw is the faster of raw_passes runs: on a shared machine a burst of load must not flatter the ratio.
    """
    from ingest.pipeline import Pipeline

    store = ChromaStore.open(settings)
    pipeline = Pipeline(settings, store, lambda: embeddings)
    pipeline.count_tokens("warm the tokenizer")  # loading it is start-up, not throughput
    report = pipeline.ingest(paths, progress=False)
    texts = [chunk.embedding_text() for chunk in store.all_chunks()]
    raw = min(_timed(embeddings.embed_documents, texts) for _ in range(raw_passes))
    return IngestResult(report.chunks_added, len(report.results), len(report.failed), report.seconds, raw, texts)


def rows(result: IngestResult, backend: str) -> list[Row]:
    """Return the ingest row of the table."""
    ratio = result.pipeline_rate / result.raw_rate
    return [Row(
        f"ingest ({result.chunks} chunks, {result.files} files, {result.failed} failed; {backend})",
        result.pipeline_rate, "chunks/s", f"raw encode {result.raw_rate:.1f} chunks/s", ratio,
        f">= {TARGET} of raw", ratio >= TARGET, key="ingest/raw",
    )]  # fmt: skip
