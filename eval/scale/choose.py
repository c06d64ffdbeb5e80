"""The HNSW parameters and the exact/HNSW threshold the scale benchmark recommends, from its numbers."""

from __future__ import annotations

import argparse
import math
from typing import Any

from .util import HYBRID_BUDGET_MS, RECALL_TARGET, get


def hnsw_row(r: dict[str, Any], m: int, ef: int) -> dict[str, Any]:
    return next(x for x in r["sweep"] if x["index"] == "hnsw" and x["m"] == m and x["ef"] == ef)


def hnsw_lat(r: dict[str, Any], mode: str, m: int, ef: int) -> dict[str, float]:
    return r["latency"][f"{mode}/hnsw-m{m}-ef{ef}"]


def plain_recall(r: dict[str, Any], m: int, ef: int) -> float:
    return next(x["recall_engine"] for x in r["sweep_plain"] if x["m"] == m and x["ef"] == ef)


def choose(results: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    """HNSW parameters and the exact/HNSW threshold, from the measured numbers."""
    big = max(results, key=lambda r: r["n"])
    choice: dict[str, Any] = {"at": big["n"], "recall_target": RECALL_TARGET, "budget_ms": HYBRID_BUDGET_MS}
    passing = []
    for row in big["sweep"]:
        if row["index"] != "hnsw" or f"hybrid/hnsw-m{row['m']}-ef{row['ef']}" not in big["latency"]:
            continue
        hybrid = hnsw_lat(big, "hybrid", row["m"], row["ef"])
        if (
            row["recall_engine"] >= RECALL_TARGET
            and plain_recall(big, row["m"], row["ef"]) >= RECALL_TARGET
            and hybrid["p50"] <= HYBRID_BUDGET_MS
        ):
            passing.append(row)
    if not passing:
        return choice | {"m": None, "ef": None}
    # the cheapest to query; among equally fast ones the smaller graph
    row = min(passing, key=lambda x: (round(x["search_ms"], 1), x["m"], x["ef"]))
    m, ef = row["m"], row["ef"]
    hybrid = hnsw_lat(big, "hybrid", m, ef)
    choice |= {
        "m": m,
        "ef": ef,
        "ef_construction": args.ef_construction,
        "recall_engine": row["recall_engine"],
        "recall_plain": plain_recall(big, m, ef),
        "recall_tolerant": row["recall_tolerant"],
        "recall_candidates": row["recall_candidates"],
        "hybrid_overlap": hybrid["overlap"],
        "hybrid_p50": hybrid["p50"],
        "hybrid_p95": hybrid["p95"],
        "hnsw_search_ms": row["search_ms"],
        "build_s": get(big["hnsw_build_s"], m),
        "passing": [(x["m"], x["ef"]) for x in passing],
    }

    # threshold: what exact search costs a user over the chosen HNSW grows linearly with N; fit
    # extra_ms = a·N (through 0) to the measured end-to-end hybrid p50 differences, and keep exact
    # while the extra stays under ``allowance``
    def fit(pts: list[tuple[int, float]]) -> float:
        return sum(n * t for n, t in pts) / sum(n * n for n, _ in pts)

    extra = [
        (r["n"], r["latency"]["hybrid/exact"]["p50"] - hnsw_lat(r, "hybrid", m, ef)["p50"]) for r in results
    ]
    a = fit(extra)
    a_faiss = fit(
        [(r["n"], r["flat_search_ms"]["k"]["p50"] - hnsw_row(r, m, ef)["search_ms"]) for r in results]
    )
    a_1thread = fit(
        [(r["n"], r["flat_search_ms"]["k_1thread"]["p50"] - hnsw_row(r, m, ef)["search_ms"]) for r in results]
    )
    allowance = args.exact_allowance_ms
    crossing = allowance / a if a > 0 else float("inf")
    step = 5000 if crossing >= 10_000 else 1000
    choice |= {
        "extra_ms": extra,
        "extra_ms_per_100k": a * 100_000,
        "faiss_extra_ms_per_100k": a_faiss * 100_000,
        "faiss_1thread_extra_ms_per_100k": a_1thread * 100_000,
        "exact_allowance_ms": allowance,
        "crossing": crossing,
        "crossing_faiss_1thread": allowance / a_1thread if a_1thread > 0 else float("inf"),
        # no measurable saving from HNSW: exact up to (at least) the largest size measured
        "exact_max_vectors": int(crossing // step * step) if math.isfinite(crossing) else big["n"],
    }
    return choice
