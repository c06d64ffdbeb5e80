"""Small helpers of the scale benchmark: paths, timing, /proc readings, percentiles, formatting."""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

EVAL_DIR = Path(__file__).resolve().parent.parent
REPO = EVAL_DIR.parent
CACHE = EVAL_DIR / ".indexes" / "scale"
REPORTS = EVAL_DIR / "reports"
K = 10
TIE_EPS = 1e-3  # ann-benchmarks' k-NN recall: a result within 1e-3 of the k-th exact score counts
RECALL_TARGET = 0.99
HYBRID_BUDGET_MS = 50.0


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def library_version() -> str:
    """The commit of the measured policy_search code, and whether it had uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "policy_search"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" + uncommitted changes in policy_search/" if dirty else "")


def loadavg() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except (OSError, ValueError):
        return []


def proc_status_mb(field: str) -> float:
    """VmRSS / VmHWM of this process in MB, from /proc/self/status."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return float("nan")


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def dir_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def timed(fn: Any, *args: Any, **kw: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - started


def parse_ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


# ------------------------------------------------------------------ vectors


def lat(times: list[float]) -> dict[str, float]:
    return {"p50": pct(times, 50), "p95": pct(times, 95), "mean": statistics.fmean(times)}


def overlap(a: list[list[str]], b: list[list[str]]) -> float:
    return float(np.mean([len(set(x) & set(y)) / max(len(y), 1) for x, y in zip(a, b)]))


def get(d: dict[Any, Any], key: Any) -> Any:
    return d[str(key)] if str(key) in d else d[key]


def fmt_s(x: float) -> str:
    if x >= 5400:
        return f"{x / 3600:.1f} h"
    if x >= 600:
        return f"{x / 60:.0f} min"
    if x >= 100:
        return f"{x:.0f} s"
    return f"{x:.1f} s" if x >= 1 else f"{x * 1000:.0f} ms"


def fmt_mb(b: float) -> str:
    return f"{b / 1e6:.1f} MB" if b >= 1e5 else f"{b / 1e3:.0f} kB"


def pp(x: dict[str, float]) -> str:
    return f"{x['p50']:.1f} / {x['p95']:.1f}"
