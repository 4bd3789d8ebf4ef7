"""Helpers shared by the benchmarks: timing percentiles and peak memory."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable, Iterable


def timed(function: Callable[[str], object], inputs: Iterable[str]) -> tuple[list[float], list[object]]:
    """Milliseconds per call, and the results."""
    times, results = [], []
    for item in inputs:
        start = time.perf_counter()
        results.append(function(item))
        times.append((time.perf_counter() - start) * 1000)
    return times, results


def percentiles(times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered):.2f} ms, p99 {p99:.2f} ms, n={len(ordered)}"


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
