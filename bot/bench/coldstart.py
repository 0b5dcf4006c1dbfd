"""Cold start (process start to the first answer) and peak RSS of `python -m bot ask --json -`."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.bench.table import Row
from knowledge.config import Settings

START_LIMIT_S, RSS_LIMIT_MB = 5.0, 1536.0


@dataclass
class ColdStart:
    """One answering process: seconds to its first answer, and its peak resident memory."""

    backend: str
    chunks: int
    seconds: float
    peak_rss_mb: float
    answers: int


def child_env(settings: Settings, store: Path, backend: str, state: Path) -> dict[str, str]:
    """Return the environment that points a child `python -m bot` at this store and backend."""
    return {
        **os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
        "CAREWISE_STORE__PATH": str(store), "CAREWISE_STATE__PATH": str(state),
        "CAREWISE_EMBEDDING__BACKEND": backend,
        "CAREWISE_EMBEDDING__ONNX_DIR": str(settings.resolve(settings.embedding.onnx_dir)),
        "CAREWISE_LOGGING__LEVEL": "WARNING",
    }  # fmt: skip


def measure(settings: Settings, store: Path, backend: str, chunks: int, questions: list[str]) -> ColdStart:
    """Start a fresh answering process, time its first answer, feed it the rest, and read its peak RSS."""
    config = settings.root / "config.toml"
    with tempfile.TemporaryDirectory(prefix="carewise-cold-") as tmp, open(Path(tmp) / "stderr", "w+") as err:
        env = child_env(settings, store, backend, Path(tmp) / "state.db")
        command = [sys.executable, "-m", "bot", "--config", str(config), "ask", "--json", "-"]
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=settings.root, env=env, stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=err, text=True)  # fmt: skip
        child.stdin.write(questions[0] + "\n")
        child.stdin.flush()
        first = child.stdout.readline()
        seconds = time.perf_counter() - started
        # The rest is small enough for the pipe buffer, so writing it all cannot block.
        child.stdin.write("".join(q + "\n" for q in questions[1:]))
        child.stdin.flush()
        answers = (1 if first else 0) + sum(1 for _ in zip(range(len(questions) - 1), child.stdout))
        # Read the peak while it waits for more input: a child's ru_maxrss counts the parent's pages
        # at fork, so it would report at least the bench's own size.
        peak_mb = _peak_rss_mb(child.pid) if answers == len(questions) else 0.0
        child.stdin.close()
        child.wait()
        if answers < len(questions) or child.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"the answering process failed ({child.returncode}): {err.read()[-1500:]}")
    return ColdStart(backend, chunks, seconds, peak_mb, answers)


def _peak_rss_mb(pid: int) -> float:
    """Return a live process's peak resident memory (VmHWM) in MB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return kb / 1024


def rows(result: ColdStart) -> list[Row]:
    """Return the cold-start and memory rows."""
    size = f"{result.chunks / 1000:.0f}k"
    return [
        Row(f"cold start to first answer ({result.backend}, {size} index)", result.seconds, "s",
            "", result.seconds / START_LIMIT_S, f"< {START_LIMIT_S:.0f} s", result.seconds < START_LIMIT_S,
            key="cold/limit"),
        Row(f"peak RSS answering {result.answers} questions ({result.backend}, {size} index)", result.peak_rss_mb, "MB",
            "", result.peak_rss_mb / RSS_LIMIT_MB, f"< {RSS_LIMIT_MB / 1024:.1f} GB", result.peak_rss_mb < RSS_LIMIT_MB,
            key="rss/limit"),
    ]  # fmt: skip
