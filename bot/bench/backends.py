"""The embedding model through PyTorch and ONNX Runtime (fp32, int8): speed, start, memory, quality."""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.bench import coldstart, quality
from knowledge.config import Settings

BACKENDS = ("torch", "onnx", "onnx-int8")


@dataclass
class BackendResult:
    """One backend's figures."""

    backend: str
    docs_per_s: float
    query_ms: float
    cold: coldstart.ColdStart | None = None
    figures: dict[str, float] = field(default_factory=dict)


def load(settings: Settings, backend: str):
    """Load and warm one backend's model."""
    from knowledge.embeddings import load_embeddings

    model = load_embeddings(backend, settings.embedding.batch_size, settings.resolve(settings.embedding.onnx_dir))
    model.embed_documents(["warm up", "a second, longer sentence to warm up the batch path"])
    return model


def speed(model, texts: list[str], queries: list[str]) -> tuple[float, float]:
    """Return (chunk texts embedded per second, median ms per single question)."""
    started = time.perf_counter()
    model.embed_documents(texts)
    rate = len(texts) / (time.perf_counter() - started)
    times = []
    for query in queries:
        started = time.perf_counter()
        model.embed_query(query)
        times.append((time.perf_counter() - started) * 1000)
    return rate, statistics.median(times)


def quality_services(settings: Settings, model, folder: Path):
    """Return services on a fresh embedded store in folder that use this model."""
    from bot.services import build_services

    own = settings.model_copy(update={
        "store": settings.store.model_copy(update={"path": folder / "index", "mode": "embedded"}),
        "state": settings.state.model_copy(update={"path": folder / "state.db"}),
        "embedding": settings.embedding.model_copy(update={"backend": model.backend}),
    })  # fmt: skip
    services = build_services(own)
    services.__dict__["embeddings"] = model
    return services


def measure_quality(settings: Settings, model) -> dict[str, float]:
    """Return the eval figures with this model, on a library-only index in a temp folder."""
    with tempfile.TemporaryDirectory(prefix="carewise-quality-") as tmp:
        return quality.figures(quality_services(settings, model, Path(tmp)))


def table(results: list[BackendResult]) -> str:
    """Return the comparison as a Markdown table."""
    names = [name for name in (results[0].figures if results and results[0].figures else {})]
    header = ["backend", "chunks/s", "query ms", "cold start s", "peak RSS MB"] + names
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in results:
        cold = [f"{r.cold.seconds:.1f}", f"{r.cold.peak_rss_mb:.0f}"] if r.cold else ["", ""]
        cells = [r.backend, f"{r.docs_per_s:.1f}", f"{r.query_ms:.2f}"] + cold
        cells += [f"{r.figures[n]:.3f}" for n in names if n in r.figures]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
