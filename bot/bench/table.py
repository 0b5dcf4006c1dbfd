"""The bench's rows, the table they print as, the closing summary line and the machine they ran on."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from datetime import datetime, timezone


@dataclass
class Row:
    """One figure with what makes it comparable across machines, and its target."""

    name: str
    value: float
    unit: str
    floor: str = ""  # what the ratio is taken against, e.g. "raw encode 60.1 chunks/s"
    ratio: float | None = None
    target: str = ""
    ok: bool | None = None  # None: no target
    key: str = ""  # short name in the summary line

    def cells(self) -> list[str]:
        """Return the row as table cells."""
        verdict = "" if self.ok is None else ("ok" if self.ok else "MISSED")
        ratio = "" if self.ratio is None else f"{self.ratio:.2f}"
        return [self.name, f"{self.value:,.1f} {self.unit}".strip(), self.floor, ratio, self.target, verdict]


HEADER = ["figure", "value", "floor / reference", "ratio", "target", "verdict"]


def render(rows: list[Row]) -> str:
    """Return the rows as a Markdown table (readable in a terminal too)."""
    cells = [HEADER] + [row.cells() for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(HEADER))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def summary(rows: list[Row]) -> str:
    """Return the one-line summary of the ratios (the last line of `make bench`)."""
    keyed = [r for r in rows if r.key]
    missed = [r.key for r in rows if r.ok is False and r.key]
    parts = [f"{r.key} {r.ratio:.2f}" if r.ratio is not None else f"{r.key} {r.value:.2f}" for r in keyed]
    verdict = "all targets met" if not missed else f"missed: {', '.join(missed)}"
    return f"BENCH {verdict} | " + ", ".join(parts)


def machine() -> str:
    """Describe the machine: CPU model, cores, memory, Python."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), model)
        with open("/proc/meminfo", encoding="utf-8") as info:
            kb = int(next(line.split()[1] for line in info if line.startswith("MemTotal")))
        memory = f"{kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        memory = "RAM unknown"
    return f"{model}, {os.cpu_count()} cores, {memory}, Python {platform.python_version()}, load {_load()}"


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def stamp() -> str:
    """Return the date and time of the run, UTC."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
