"""Many searches at once through one engine: ``python eval/bench_load.py [--threads 8] [--per-thread 500]``.

Every thread runs the labelled queries round-robin through the same loaded engine (real e5
encoder); the script checks each result equals the serial result for that query and reports
throughput. Not a test (timing depends on the machine); tests/test_faults.py checks equality.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor

from common import REPO, load_queries

from policy_search.search.retrieval import SearchEngine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", default=str(REPO / "index"))
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--per-thread", type=int, default=500)
    parser.add_argument("--mode", default="hybrid")
    args = parser.parse_args()
    engine = SearchEngine.load(args.index)
    queries = [q.query for q in load_queries()]

    def key(q: str) -> list[tuple[str, float]]:
        return [(h.chunk.chunk_id, round(h.score, 9)) for h in engine.search(q, k=10, mode=args.mode)]

    started = time.perf_counter()
    serial = {q: key(q) for q in queries}
    serial_qps = len(queries) / (time.perf_counter() - started)

    def worker(offset: int) -> tuple[int, int]:
        same = 0
        for i in range(args.per_thread):
            q = queries[(offset + i) % len(queries)]
            same += key(q) == serial[q]
        return same, args.per_thread

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        results = list(pool.map(worker, range(0, args.threads * 7, 7)))
    seconds = time.perf_counter() - started
    same = sum(s for s, _ in results)
    total = sum(n for _, n in results)
    print(f"{args.threads} threads × {args.per_thread} {args.mode} queries: {total} in {seconds:.1f} s")
    print(f"throughput {total / seconds:.0f} queries/s (serial {serial_qps:.0f} queries/s)")
    print(f"identical to serial results: {same}/{total}; errors: 0")


if __name__ == "__main__":
    main()
