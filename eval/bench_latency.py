"""Warm query latency per mode and index build time on the seed corpus.

``python eval/bench_latency.py [--repeat 5] [--skip-build]`` prints a Markdown report and
writes it to eval/reports/latency.md. Not a test: numbers depend on the machine, which the
report names.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, load_queries, machine, percentile

from policy_search.search.retrieval import MODES, SearchEngine
from policy_search.store.index import build_index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", default=str(REPO / "index"))
    parser.add_argument("--repeat", type=int, default=5, help="passes over the query set per mode")
    parser.add_argument("--skip-build", action="store_true", help="only measure queries")
    args = parser.parse_args()

    lines = ["# Latency on the seed corpus", "", f"Machine: {machine()}", ""]
    if not args.skip_build:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            full = build_index(REPO / "corpus", Path(tmp) / "index")
            full_s = time.perf_counter() - started
            started = time.perf_counter()
            again = build_index(REPO / "corpus", Path(tmp) / "index")
            again_s = time.perf_counter() - started
        lines += [
            "| build | chunks | embedded | seconds |",
            "|---|---|---|---|",
            f"| from scratch (e5-small-q4) | {full.chunks} | {full.embedded} | {full_s:.1f} |",
            f"| again, nothing changed | {again.chunks} | {again.embedded} | {again_s:.1f} |",
            "",
        ]
    engine = SearchEngine.load(args.index)
    queries = [q.query for q in load_queries()]
    lines += [
        f"Warm query latency over {len(queries)} eval queries × {args.repeat} passes, k=10, one thread:",
        "",
        "| mode | p50 ms | p95 ms | mean ms |",
        "|---|---|---|---|",
    ]
    for mode in MODES:
        for q in queries[:5]:  # warm-up: encoder, jieba and FAISS caches
            engine.search(q, k=10, mode=mode)
        times = []
        for _ in range(args.repeat):
            for q in queries:
                started = time.perf_counter()
                engine.search(q, k=10, mode=mode)
                times.append((time.perf_counter() - started) * 1000)
        p50, p95, mean = percentile(times, 50), percentile(times, 95), statistics.mean(times)
        lines.append(f"| {mode} | {p50:.1f} | {p95:.1f} | {mean:.1f} |")
    report = "\n".join(lines) + "\n"
    out = REPO / "eval" / "reports" / "latency.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")
    sys.stdout.write(report)


if __name__ == "__main__":
    main()
