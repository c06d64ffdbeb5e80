"""Shared helpers for evaluation scripts: labelled data, runs and metrics (via ir-measures)."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

EVAL_DIR = Path(__file__).resolve().parent
REPO = EVAL_DIR.parent
sys.path.insert(0, str(REPO))  # scripts run as `python eval/run.py` from the repo root

from policy_search.search.retrieval import SearchEngine  # noqa: E402

QUERIES = EVAL_DIR / "queries.jsonl"
QRELS = EVAL_DIR / "qrels.txt"
ANCHORS = EVAL_DIR / "anchors.jsonl"


@dataclass(frozen=True)
class Query:
    qid: str
    query: str
    split: str
    type: str


def load_queries(path: Path = QUERIES, split: str | None = None) -> list[Query]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    queries = [Query(r["qid"], r["query"], r["split"], r.get("type", "")) for r in rows]
    return [q for q in queries if split in (None, "all", q.split)]


def load_qrels(path: Path = QRELS) -> dict[str, dict[str, int]]:
    """TREC qrels: ``qid 0 chunk_id rel`` → {qid: {chunk_id: rel}}."""
    qrels: dict[str, dict[str, int]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, _, doc, rel = line.split()
            qrels.setdefault(qid, {})[doc] = int(rel)
    return qrels


def run_queries(
    engine: SearchEngine, queries: Iterable[Query], mode: str, k: int = 10
) -> tuple[dict[str, dict[str, float]], list[float]]:
    """A run {qid: {chunk_id: score}} and the per-query latencies in milliseconds."""
    run: dict[str, dict[str, float]] = {}
    latencies: list[float] = []
    for q in queries:
        started = time.perf_counter()
        hits = engine.search(q.query, k=k, mode=mode)
        latencies.append((time.perf_counter() - started) * 1000)
        # ranks, not raw scores, so ties can never reorder what the user saw
        run[q.qid] = {h.chunk.chunk_id: float(k - h.rank + 1) for h in hits}
    return run, latencies


METRIC_NAMES = ("nDCG@10", "R@5", "R@10", "RR@10", "Success@1")


def score(run: dict[str, dict[str, float]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Mean metrics over the run's queries (ir-measures / pytrec_eval)."""
    per_query = score_per_query(run, qrels)
    return {m: sum(v[m] for v in per_query.values()) / max(len(per_query), 1) for m in METRIC_NAMES}


def score_per_query(
    run: dict[str, dict[str, float]], qrels: dict[str, dict[str, int]]
) -> dict[str, dict[str, float]]:
    import ir_measures

    measures = [ir_measures.parse_measure(m) for m in METRIC_NAMES]
    wanted = {qid: qrels.get(qid, {}) for qid in run}
    out: dict[str, dict[str, float]] = {qid: dict.fromkeys(METRIC_NAMES, 0.0) for qid in run}
    for metric in ir_measures.iter_calc(measures, wanted, run):
        out[metric.query_id][str(metric.measure)] = metric.value
    return out


def machine() -> str:
    """CPU model, cores, memory and Python version, for benchmark reports."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, {platform.system()}"


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))] if ordered else 0.0


def add_backend_args(parser) -> None:
    """``--index`` plus the backend options of the CLI: ``--backend``, ``--milvus-uri``,
    ``--milvus-token``, ``--collection`` (or POLICY_SEARCH_MILVUS_URI / _TOKEN / _COLLECTION)."""
    from policy_search.cli_milvus import _add_backend

    parser.add_argument("--index", default=str(REPO / "index"), help="embedded index folder")
    _add_backend(parser)


def open_engine(args, encoder=None) -> SearchEngine:
    """The engine of ``add_backend_args``'s options: the index folder, or a Milvus collection.
    A missing index or a bad option ends the script with one line naming it."""
    from policy_search.cli import UsageError
    from policy_search.cli_milvus import _milvus_target
    from policy_search.store.index import IndexNotReady

    try:
        target = _milvus_target(args)
        if target is None:
            return SearchEngine.load(args.index, encoder=encoder)
        from policy_search.store.milvus import MilvusBackend

        return SearchEngine.open(MilvusBackend.open(target), encoder=encoder)
    except (IndexNotReady, UsageError, ValueError) as exc:
        raise SystemExit(f"error: {exc}") from None
