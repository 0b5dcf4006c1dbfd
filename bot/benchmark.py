"""`make bench`: ingest, answer latency, cold start and memory, broadcast pace, and the model's backends."""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from pathlib import Path

from bot.bench import backends, coldstart, corpus, ingest, latency, pace, quality
from bot.bench.table import Row, machine, render, stamp, summary
from knowledge.config import Settings

COLD_QUESTIONS = 50
# Chunk texts each backend embeds for the speed comparison (the ingest row uses them all).
COMPARE_TEXTS, QUICK_TEXTS = 500, 100


def main(settings: Settings, quick: bool = False) -> int:
    """Run every measurement, print the table, and end with a one-line summary of the ratios; return 0."""
    began = time.perf_counter()
    import knowledge.lexical  # noqa: F401 - bm25s sets its logger's level on import; quiet it after

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
    backend = settings.embedding.backend
    command = "make bench" if not quick else "python -m bot bench --quick"
    header = [f"Carewise benchmarks, {stamp()}", f"machine: {machine()}", f"command: {command}",
              f"embedding backend: {backend}"]  # fmt: skip
    print("\n".join(header), flush=True)
    work = settings.resolve(Path("var"))
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-", dir=work) as tmp:
        rows, comparison = _measure(settings, Path(tmp), quick)
    lines = header + ["", render(rows), "", "Embedding backends (same chunk texts; cold start and RSS of the "
                      "answering process at the largest index; eval figures on a library-only index):",
                      backends.table(comparison), "",
                      f"total bench time {time.perf_counter() - began:.0f} s"]  # fmt: skip
    print("\n" + "\n".join(lines[len(header):]))
    last = summary(rows)
    (work / "bench").mkdir(exist_ok=True)
    (work / "bench" / ("quick.md" if quick else "last.md")).write_text("\n".join(lines + ["", last]) + "\n")
    print(last)
    # A measurement, not a test: a missed target is reported in the table, and make's own
    # "Error 1" line would otherwise follow the summary that must come last.
    return 0


def _step(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def _measure(settings: Settings, tmp: Path, quick: bool) -> tuple[list[Row], list[backends.BackendResult]]:
    backend = settings.embedding.backend
    own = settings.model_copy(update={
        "store": settings.store.model_copy(update={"path": tmp / "index", "mode": "embedded"}),
        "state": settings.state.model_copy(update={"path": tmp / "state.db"}),
    })  # fmt: skip
    _step("loading the models")
    models = {"torch": backends.load(settings, "torch")}
    if backend != "torch":
        models[backend] = backends.load(settings, backend)
    model = models[backend]

    _step("ingest: the whole pipeline, then raw encode of the same chunks")
    ingested = ingest.measure(own, model, corpus.ingest_paths(settings, quick), raw_passes=1 if quick else 2)
    rows = ingest.rows(ingested, backend)

    _step("eval figures on the library, then answer latency as filler grows the index")
    services = backends.quality_services(settings, model, tmp / "answer")
    library = settings.resolve(settings.ingest.library_dir)
    # The eval figures index the library first, as `make eval` does; quick only indexes it.
    figures = {} if quick else {backend: quality.figures(services)}
    if quick:
        services.pipeline.ingest([library], progress=False)
    filler = corpus.Filler(ingested.texts)
    questions = latency.questions(latency.QUICK_QUESTIONS if quick else latency.QUESTIONS)
    results = []
    for size in latency.QUICK_SIZES if quick else latency.SIZES:
        results.append(latency.at_size(services, filler, size, questions, models["torch"]))
        _step(f"  {results[-1].chunks} chunks: p95 {results[-1].p95_ms:.1f} ms, floor {results[-1].floor_ms:.1f} ms")
    rows += latency.rows(results, backend)

    _step("cold start and memory of a fresh answering process at the largest index")
    chunks = services.store.count()
    colds = {b: coldstart.measure(settings, tmp / "answer" / "index", b, chunks, questions[:COLD_QUESTIONS])
             for b in ([backend] if quick else backends.BACKENDS)}  # fmt: skip
    rows += coldstart.rows(colds[backend])

    _step("broadcast pace against a server enforcing 30/s")
    subscribers = pace.QUICK_SUBSCRIBERS if quick else pace.SUBSCRIBERS
    rows += pace.rows(pace.at_pace(settings, subscribers, pace.FULL_PACE))
    if not quick and settings.tips.max_per_second != pace.FULL_PACE:
        rows += pace.rows(pace.measure(settings, subscribers), targeted=False)

    _step("embedding backends: speed and (unless quick) eval figures of the others")
    texts = ingested.texts[: QUICK_TEXTS if quick else COMPARE_TEXTS]
    comparison = []
    for name in backends.BACKENDS:
        model = models.get(name) or backends.load(settings, name)
        rate, query_ms = backends.speed(model, texts, questions[:50])
        if not quick and name not in figures:
            figures[name] = backends.measure_quality(settings, model)
        comparison.append(backends.BackendResult(name, rate, query_ms, colds.get(name), figures.get(name, {})))
    return rows, comparison
