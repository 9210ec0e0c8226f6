"""Timing, results and reporting shared by the benchmarks."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from typing import Any


@dataclass
class Row:
    """One comparison: qdispatch against a reference measured in the same run."""

    name: str
    unit: str  # "s", "ms", "jobs/s", "circuits"
    qdispatch: list[float]
    reference: list[float] | None
    reference_name: str
    target: str  # in words, e.g. "≤ 1.15× reference"
    check: Callable[[Row], bool] | None = field(default=None, repr=False)
    note: str = ""

    @property
    def q(self) -> float:
        return statistics.median(self.qdispatch)

    @property
    def r(self) -> float | None:
        return statistics.median(self.reference) if self.reference else None

    @property
    def ratio(self) -> float | None:
        return self.q / self.r if self.r else None

    @property
    def met(self) -> bool | None:
        return self.check(self) if self.check else None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("check")
        data.update(
            median=self.q,
            reference_median=self.r,
            ratio=self.ratio,
            met=self.met,
            spread=spread(self.qdispatch),
            reference_spread=spread(self.reference) if self.reference else None,
        )
        return data


def ratio_at_most(limit: float) -> Callable[[Row], bool]:
    return lambda row: row.ratio is not None and row.ratio <= limit


def ratio_at_least(limit: float) -> Callable[[Row], bool]:
    return lambda row: row.ratio is not None and row.ratio >= limit


def at_most(limit: float) -> Callable[[Row], bool]:
    return lambda row: row.q <= limit


def equals_reference(row: Row) -> bool:
    return row.r is not None and row.q == row.r


def spread(values: list[float]) -> tuple[float, float]:
    return (min(values), max(values))


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def repeat(fn: Callable[[], Any], times: int) -> list[float]:
    return [timed(fn)[0] for _ in range(times)]


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.3f} s" if value >= 0.01 else f"{value * 1000:.2f} ms"
    if unit == "ms":
        return f"{value:.2f} ms"
    if unit == "jobs/s":
        return f"{value:.1f} jobs/s"
    return f"{value:g} {unit}"


def table(rows: list[Row]) -> str:
    header = ("benchmark", "qdispatch (median)", "reference (median)", "ratio", "target", "met")
    lines = [
        [
            r.name,
            fmt(r.q, r.unit) + _range(r.qdispatch, r.unit),
            fmt(r.r, r.unit) + (f"  [{r.reference_name}]" if r.reference_name else ""),
            f"{r.ratio:.3f}×" if r.ratio is not None else "—",
            r.target,
            {True: "yes", False: "NO", None: "—"}[r.met],
        ]
        for r in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines, strict=True)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    return "\n".join(out)


def _range(values: list[float], unit: str) -> str:
    if len(values) < 2:
        return ""
    low, high = spread(values)
    return f" ({fmt(low, unit)}–{fmt(high, unit)})"


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                cpu,
            )
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    packages = {}
    for name in ("qiskit", "qiskit-aer", "sqlalchemy", "mcp", "qdispatch-core"):
        try:
            packages[name] = version(name)
        except Exception:
            packages[name] = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory / 1024**3, 1),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "load_average_at_start": os.getloadavg(),
        "packages": packages,
        "git_commit": _git_commit(),
    }


def _git_commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except Exception:
        return None
