"""Warm answer latency at growing index sizes, against PyTorch embedding the question alone."""

from __future__ import annotations

import itertools
import statistics
import time
from dataclasses import dataclass

from bot.bench.corpus import Filler, grow
from bot.bench.table import Row

SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 5_000)
QUESTIONS, QUICK_QUESTIONS = 200, 60
WARM_UP = 20
FLOOR_RATIO, LIMIT_MS = 3.0, 150.0


def questions(n: int) -> list[str]:
    """Return n messages from the question set, cycling through it."""
    from bot.evaluate import load_questions

    return list(itertools.islice(itertools.cycle([q.q for q in load_questions()]), n))


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, int(round(share * len(ordered))) - 1)]


@dataclass
class Latency:
    """Median and p95 answer time at one index size, and the floor measured alongside."""

    chunks: int
    median_ms: float
    p95_ms: float
    floor_ms: float
    n: int


def _ms(work, *args) -> float:
    started = time.perf_counter()
    work(*args)
    return (time.perf_counter() - started) * 1000


def at_size(services, filler: Filler, size: int, texts: list[str], torch_model) -> Latency:
    """Grow the index to about size chunks, then time engine.answer over the questions, warm.

    The floor (PyTorch embedding each question alone) is timed in its own pass just before: timed
    in turn with each answer, the other runtime's idle threads doubled PyTorch's time.
    """
    store, engine = services.store, services.engine
    if size > store.count():
        grow(store, filler, size - store.count())
    services.searcher.refresh()  # picks up the new documents and rebuilds the lexical index
    for text in texts[:WARM_UP]:
        engine.answer(text)
        torch_model.embed_query(text)
    floors = [_ms(torch_model.embed_query, text) for text in texts]
    engine.answer(texts[0])
    times = [_ms(engine.answer, text) for text in texts]
    return Latency(store.count(), statistics.median(times), percentile(times, 0.95), statistics.median(floors), len(times))


def rows(results: list[Latency], backend: str) -> list[Row]:
    """Return one row per index size; targets apply at 10k (ratio) and 100k (absolute)."""
    out = []
    for r in results:
        ratio = r.p95_ms / r.floor_ms
        target, ok = "", None
        if 5_000 <= r.chunks < 50_000:
            target, ok = f"p95 <= {FLOOR_RATIO:.0f}x floor", ratio <= FLOOR_RATIO
        elif r.chunks >= 50_000:
            target, ok = f"p95 < {LIMIT_MS:.0f} ms", r.p95_ms < LIMIT_MS
        size = f"{r.chunks / 1000:.0f}k" if r.chunks >= 1000 else str(r.chunks)
        out.append(Row(
            f"answer p95 @ {size} chunks (median {r.median_ms:.1f} ms, n={r.n}; {backend})", r.p95_ms, "ms",
            f"torch embeds question {r.floor_ms:.1f} ms", ratio, target, ok, key=f"p95/floor@{size}",
        ))  # fmt: skip
    return out
