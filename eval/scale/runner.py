"""One corpus size of the scale benchmark, run in its own process (``bench_scale.py --worker N``).

Steps: generate the chunks, approximate their vectors, tokenize and build BM25, build the dense
indexes (exact, HNSW per M, IVF), write exact and HNSW index folders with the library's writer
and probe each in a fresh process (load time, RSS), sweep FAISS alone (recall vs exact), then
time ``SearchEngine.search`` on engines opened from those folders with ``SearchEngine.load``.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import shutil
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from common import load_queries

from policy_search.encoders import load_encoder
from policy_search.search.retrieval import SearchEngine
from policy_search.settings import Settings
from policy_search.store.index import (
    DENSE,
    SPARSE,
    LoadedIndex,
    make_dense_index,
    make_sparse_index,
    text_key,
)

from .build import generate, run_probe, tokenize, write_generated_index
from .measure import (
    breakdown,
    faiss_search_all,
    filtered,
    hnsw_settings,
    interleaved_latency,
    recall_at,
    rerank_top,
    thread_ab,
)
from .util import CACHE, TIE_EPS, K, dir_bytes, lat, loadavg, log, overlap, pct, proc_status_mb, timed
from .vectors import chunk_vectors, mean_vectors, unit


def worker(args: argparse.Namespace) -> None:
    n = args.worker
    cores = os.cpu_count() or 1
    res: dict[str, Any] = {"n": n, "load_start": loadavg(), "cores": cores}
    started_all = time.perf_counter()
    with np.load(CACHE / "state.npz") as data:
        pool_vecs, qvecs, pool_keys = data["pool_vecs"], data["query_vecs"], data["pool_keys"]
        shift, sigma = data["shift"], float(data["sigma"])
    (pool, chunks), res["generate_s"] = timed(generate, args.seed, n)
    if [text_key("pool", t) for t in pool.texts] != list(pool_keys):
        raise SystemExit("pool texts differ from the cached state; rerun without --worker")
    res["documents"] = len({c.doc_id for c in chunks})
    res["with_targets"] = sum(bool(c.targets) for c in chunks)
    res["mean_chars"] = statistics.fmean(len(c.text) for c in chunks)
    log(f"{n}: generated {len(chunks)} chunks of {res['documents']} plans in {res['generate_s']:.1f}s")
    vectors, res["vectors_s"] = timed(chunk_vectors, chunks, pool_vecs, shift, sigma, args.seed)
    base = Settings(encoder=args.encoder)

    tokens, res["tokenize_s"] = timed(tokenize, chunks)
    res["tokens"] = sum(len(t) for t in tokens)
    sparse, res["bm25_build_s"] = timed(make_sparse_index, tokens, base)
    log(f"{n}: tokenize {res['tokenize_s']:.1f}s, BM25 {res['bm25_build_s']:.1f}s")
    flat, hnsw, ivf = dense_indexes(res, vectors, base, args)

    tmp = Path(tempfile.mkdtemp(prefix=f"scale-{n}-", dir=args.tmp))
    try:
        folders = write_and_probe(res, tmp, chunks, vectors, tokens, flat, hnsw, sparse, base, args)
        del tokens
        gc.collect()
        faiss_sweep(res, flat, hnsw, ivf, vectors, qvecs, args, cores)
        plain_sweep(res, chunks, pool_vecs, qvecs, base, args)
        serving(res, folders, chunks, ivf, sparse, vectors, qvecs, base, args, cores)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res["worker_s"] = time.perf_counter() - started_all
    res["worker_peak_rss_mb"] = proc_status_mb("VmHWM")
    Path(args.result).write_text(json.dumps(res, ensure_ascii=False))
    log(f"{n}: done in {res['worker_s']:.0f}s")


def dense_indexes(
    res: dict[str, Any], vectors: np.ndarray, base: Settings, args: argparse.Namespace
) -> tuple[Any, dict[int, Any], Any]:
    """Exact, HNSW per M and (optionally) IVF-Flat over the same vectors, build times in ``res``."""
    import faiss

    n = len(vectors)
    flat, res["flat_add_s"] = timed(make_dense_index, vectors, replace_exact(base, n))
    hnsw: dict[int, Any] = {}
    res["hnsw_build_s"] = {}
    for m in args.m:
        hnsw[m], secs = timed(make_dense_index, vectors, hnsw_settings(base, m, args.ef_construction))
        res["hnsw_build_s"][m] = secs
        log(f"{n}: HNSW M={m} efC={args.ef_construction} built in {secs:.1f}s")
    ivf = None
    nlist = round(4 * math.sqrt(n))
    if args.ivf and n >= 39 * nlist:  # FAISS wants ≥ 39 training points per centroid
        dim = vectors.shape[1]
        ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        _, train_s = timed(ivf.train, vectors)
        _, add_s = timed(ivf.add, vectors)
        res["ivf"] = {"nlist": nlist, "train_s": train_s, "add_s": add_s}
        log(f"{n}: IVF nlist={nlist} train {train_s:.1f}s add {add_s:.1f}s")
    return flat, hnsw, ivf


def replace_exact(base: Settings, n: int) -> Settings:
    return replace(base, exact_max_vectors=max(n, 1))


def write_and_probe(
    res: dict[str, Any],
    tmp: Path,
    chunks: list[Any],
    vectors: np.ndarray,
    tokens: list[list[str]],
    flat: Any,
    hnsw: dict[int, Any],
    sparse: Any,
    base: Settings,
    args: argparse.Namespace,
) -> dict[str, Path]:
    """Index folders (library writer) and what opening each costs in a fresh process."""
    n = len(chunks)
    folders = {"flat": tmp / "flat"} | {f"hnsw{m}": tmp / f"hnsw{m}" for m in hnsw}
    settings = {"flat": replace_exact(base, n)}
    settings |= {f"hnsw{m}": hnsw_settings(base, m, args.ef_construction) for m in hnsw}
    dense = {"flat": flat} | {f"hnsw{m}": index for m, index in hnsw.items()}
    disk: dict[str, Any] = {}
    res["write_s"], res["serve"] = {}, {}
    for name, folder in folders.items():
        version, res["write_s"][name] = timed(
            write_generated_index,
            folder,
            chunks,
            vectors,
            settings[name],
            tokens,
            dense[name],
            sparse,
            args.seed,
        )
        disk[f"{name}_faiss"] = dir_bytes(version / DENSE)
        if name == "flat":
            disk["bm25"] = dir_bytes(version / SPARSE)
            disk["chunks_jsonl"] = dir_bytes(version / "chunks.jsonl")
            disk["chunks_columns"] = dir_bytes(version / "chunks.columns.npz")
            res["builder_rss_mb"] = proc_status_mb("VmRSS")
            res["builder_peak_rss_mb"] = proc_status_mb("VmHWM")
        res["serve"][name] = run_probe(folder, args.encoder)
        p = res["serve"][name]
        log(f"{n}: {name}: open {p['load_s'] * 1000:.0f} ms, RSS {p['rss_after_queries_mb']:.0f} MB")
    res["disk_bytes"] = disk
    return folders


def faiss_sweep(
    res: dict[str, Any],
    flat: Any,
    hnsw: dict[int, Any],
    ivf: Any,
    vectors: np.ndarray,
    qvecs: np.ndarray,
    args: argparse.Namespace,
    cores: int,
) -> None:
    """FAISS alone, one query at a time: recall vs exact and search time per HNSW / IVF setting."""
    import faiss

    fetch = max(Settings().candidates, K)  # what SearchEngine.dense_candidates asks FAISS for
    res["fetch"] = fetch
    faiss.omp_set_num_threads(cores)
    truth10, t10 = faiss_search_all(flat, qvecs, K, 1)
    truth, t100 = faiss_search_all(flat, qvecs, fetch, args.reps)
    faiss.omp_set_num_threads(1)
    _, t100_one = faiss_search_all(flat, qvecs, fetch, args.reps)
    faiss.omp_set_num_threads(cores)
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

    def row(searcher: Any, **knob: Any) -> dict[str, Any]:
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
            sweep.append(row(index, index="hnsw", m=m, ef=ef))
    if ivf is not None:
        for nprobe in args.nprobe:
            ivf.nprobe = nprobe
            sweep.append(row(ivf, index="ivf", nprobe=nprobe))
    res["sweep"] = sweep
    log(f"{len(vectors)}: FAISS sweep done")


def plain_sweep(
    res: dict[str, Any],
    chunks: list[Any],
    pool_vecs: np.ndarray,
    qvecs: np.ndarray,
    base: Settings,
    args: argparse.Namespace,
) -> None:
    """Sensitivity: the same HNSW sweep on uncalibrated vectors (plain normalised means)."""
    fetch = res["fetch"]
    plain = unit(mean_vectors(chunks, pool_vecs))
    plain_flat = make_dense_index(plain, replace_exact(base, len(chunks)))
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
    gc.collect()


def serving(
    res: dict[str, Any],
    folders: dict[str, Path],
    chunks: list[Any],
    ivf: Any,
    sparse: Any,
    vectors: np.ndarray,
    qvecs: np.ndarray,
    base: Settings,
    args: argparse.Namespace,
    cores: int,
) -> None:
    """``SearchEngine.search`` end to end on engines opened from the written folders (warm)."""
    n = len(chunks)
    queries = [q.query for q in load_queries()][: args.queries or None]
    encoder = load_encoder(args.encoder, base)

    def setter(index: Any = None, ef: int | None = None, nprobe: int | None = None) -> Any:
        def setup() -> None:
            if ef is not None:
                index.hnsw.efSearch = ef
            if nprobe is not None:
                index.nprobe = nprobe

        return setup

    res["engine_open_s"] = {}
    engines: dict[str, SearchEngine] = {}
    for name, folder in folders.items():
        engines[name], res["engine_open_s"][name] = timed(SearchEngine.load, folder, encoder)
    flat = engines["flat"]
    res["serving_threads"] = flat.backend.threads
    runs: list[tuple[str, SearchEngine, str, Any]] = [("keyword", flat, "keyword", setter())]
    runs += [(f"{mode}/exact", flat, mode, setter()) for mode in ("dense", "hybrid")]
    for m in args.m:
        engine = engines[f"hnsw{m}"]
        for ef in args.engine_ef:
            for mode in ("dense", "hybrid"):
                runs.append((f"{mode}/hnsw-m{m}-ef{ef}", engine, mode, setter(engine.loaded.dense, ef=ef)))
    if ivf is not None:
        ivf.make_direct_map()  # the embedded backend reconstructs IVF vectors for exact re-scoring
        manifest = {"encoder": {"name": encoder.name, "dim": int(vectors.shape[1])}}
        loaded = LoadedIndex(CACHE, manifest, base, chunks, ivf, sparse)
        engine = SearchEngine(loaded=loaded, encoder=encoder, tokenizer=flat.tokenizer, settings=base)
        for nprobe in args.engine_nprobe:
            for mode in ("dense", "hybrid"):
                runs.append((f"{mode}/ivf-np{nprobe}", engine, mode, setter(ivf, nprobe=nprobe)))
    res["load_before_latency"] = loadavg()
    log(f"{n}: timing {len(runs)} engine runs × {len(queries)} queries × {args.reps} (load {loadavg()})")
    stats, tops = interleaved_latency(runs, queries, args.reps)
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
    res["thread_ab"] = thread_ab(flat, queries, args.reps, cores)
    log(
        f"{n}: hybrid exact p50 by threads: "
        + ", ".join(f"{k} {v['p50']:.1f} ms" for k, v in res["thread_ab"].items())
    )
    res["queries"] = len(queries)
    res["breakdown_ms"] = breakdown(flat, queries, qvecs[: len(queries)], res["fetch"])
    m_f = 32 if 32 in args.m else args.m[-1]
    engines[f"hnsw{m_f}"].loaded.dense.hnsw.efSearch = args.ef_default
    res["filtered"] = {
        "exact": filtered(flat, queries),
        f"HNSW M={m_f} ef={args.ef_default}": filtered(engines[f"hnsw{m_f}"], queries),
    }
