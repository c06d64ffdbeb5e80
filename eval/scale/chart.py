"""The scale report's chart (scale.png)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from common import machine

from .choose import hnsw_lat, hnsw_row
from .util import HYBRID_BUDGET_MS, get


def m_color(m: int, args: argparse.Namespace) -> str:
    palette = ("tab:brown", "tab:orange", "tab:pink", "tab:cyan")
    return palette[args.m.index(m) % len(palette)]


def chart(
    results: list[dict[str, Any]],
    state: dict[str, Any],
    choice: dict[str, Any],
    path: Path,
    args: argparse.Namespace,
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rs = sorted(results, key=lambda r: r["n"])
    x = [r["n"] for r in rs]
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(18, 6))
    lines = [
        ("keyword (BM25)", [r["latency"]["keyword"]["p50"] for r in rs], "tab:green", "-", "o"),
        ("dense, exact", [r["latency"]["dense/exact"]["p50"] for r in rs], "tab:blue", "-", "o"),
        ("hybrid, exact", [r["latency"]["hybrid/exact"]["p50"] for r in rs], "tab:red", "-", "o"),
    ]
    if choice.get("m") is not None:
        m, ef = choice["m"], choice["ef"]
        lines += [
            (
                f"dense, HNSW M={m} ef={ef}",
                [hnsw_lat(r, "dense", m, ef)["p50"] for r in rs],
                "tab:blue",
                "--",
                "s",
            ),
            (
                f"hybrid, HNSW M={m} ef={ef}",
                [hnsw_lat(r, "hybrid", m, ef)["p50"] for r in rs],
                "tab:red",
                "--",
                "s",
            ),
            (
                f"FAISS HNSW M={m} ef={ef} search alone",
                [hnsw_row(r, m, ef)["search_ms"] for r in rs],
                "tab:gray",
                "--",
                "s",
            ),
        ]
    lines += [
        (
            f"FAISS exact search alone (k={rs[0]['fetch']})",
            [r["flat_search_ms"]["k"]["p50"] for r in rs],
            "tab:gray",
            "-",
            "^",
        ),
        ("e5 query encoding", [state["query_encode_ms"]["p50"]] * len(x), "tab:purple", ":", None),
    ]
    for label, y, color, ls, mk in lines:
        ax1.plot(x, y, color=color, linestyle=ls, marker=mk, label=label)
    ax1.axhline(HYBRID_BUDGET_MS, color="black", linewidth=0.8, linestyle="-.")
    ax1.annotate(
        f"{HYBRID_BUDGET_MS:.0f} ms hybrid budget", (x[-1], HYBRID_BUDGET_MS * 1.1), fontsize=8, ha="right"
    )
    if choice.get("exact_max_vectors"):
        for ax in (ax1, ax2):
            ax.axvline(choice["exact_max_vectors"], color="black", linewidth=0.8, linestyle=":")
        ax1.annotate(
            f" recommended exact_max_vectors = {choice['exact_max_vectors']:,}",
            (choice["exact_max_vectors"], HYBRID_BUDGET_MS * 0.8),
            fontsize=8,
            rotation=90,
            va="top",
            ha="right",
        )
    ax1.set_title("Warm query latency, p50 (SearchEngine.search, k=10)")
    ax1.set_ylabel("milliseconds per query")

    builds = [
        (
            "e5 embedding (extrapolated)",
            [n / state["throughput"]["chunks_per_s"] for n in x],
            "tab:purple",
            ":",
        ),
        ("tokenize (jieba)", [r["tokenize_s"] for r in rs], "tab:olive", "-"),
        ("BM25 index", [r["bm25_build_s"] for r in rs], "tab:green", "-"),
        ("FAISS exact add", [r["flat_add_s"] for r in rs], "tab:gray", "-"),
    ]
    for m in args.m:
        builds.append(
            (
                f"FAISS HNSW M={m} add",
                [get(r["hnsw_build_s"], m) for r in rs],
                m_color(m, args),
                "--",
            )
        )
    for label, y, color, ls in builds:
        ax2.plot(x, y, color=color, linestyle=ls, marker="o", label=label)
    ax2.set_title("Build time")
    ax2.set_ylabel("seconds")

    mem = [
        (
            "RSS serving (load + 4 queries), exact",
            [r["serve"]["flat"]["rss_after_queries_mb"] for r in rs],
            "tab:red",
            "-",
        ),
        ("dense.faiss, exact", [r["disk_bytes"]["flat_faiss"] / 1e6 for r in rs], "tab:gray", "-"),
        ("bm25/", [r["disk_bytes"]["bm25"] / 1e6 for r in rs], "tab:green", "-"),
        ("chunks.jsonl", [r["disk_bytes"]["chunks_jsonl"] / 1e6 for r in rs], "tab:olive", "-"),
    ]
    for m in args.m:
        mem.append(
            (
                f"dense.faiss, HNSW M={m}",
                [r["disk_bytes"][f"hnsw{m}_faiss"] / 1e6 for r in rs],
                m_color(m, args),
                "--",
            )
        )
    for label, y, color, ls in mem:
        ax3.plot(x, y, color=color, linestyle=ls, marker="o", label=label)
    ax3.set_title("Index size on disk and process memory")
    ax3.set_ylabel("MB")
    for ax in (ax1, ax2, ax3):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("chunks (log scale)")
        ax.set_xticks(x)
        ax.set_xticklabels([f"{n:,}" for n in x])
        ax.minorticks_off() if len(x) > 1 else None
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    fig.suptitle(f"policy_search scale benchmark — {machine()}; shared machine, single runs", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ------------------------------------------------------------------ main
