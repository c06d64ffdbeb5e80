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
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
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
from common import load_queries  # noqa: E402

from policy_search.analysis import Tokenizer, dictionary_fingerprint  # noqa: E402
from policy_search.encoders import load_encoder  # noqa: E402
from policy_search.glossary import expand_query  # noqa: E402
from policy_search.index import (  # noqa: E402
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
from policy_search.retrieval import Filters, SearchEngine, clean_query  # noqa: E402
from policy_search.settings import Settings  # noqa: E402

CACHE = EVAL_DIR / ".indexes" / "scale"
REPORTS = EVAL_DIR / "reports"
K = 10
RECALL_TARGET = 0.99
HYBRID_BUDGET_MS = 50.0


# ------------------------------------------------------------------ small helpers


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def machine() -> str:
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


def chunk_vectors(chunks: list[Any], pool_vecs: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
    """L2-normalised mean of each chunk's pool-text vectors, weighted by text length if given."""
    out = np.empty((len(chunks), pool_vecs.shape[1]), np.float32)
    step = 5000
    for start in range(0, len(chunks), step):
        batch = chunks[start : start + step]
        ids = np.fromiter((i for c in batch for i in c.extra["parts"]), np.int64)
        counts = np.fromiter((len(c.extra["parts"]) for c in batch), np.int64, len(batch))
        rows = pool_vecs[ids]
        if lengths is not None:
            rows = rows * lengths[ids, None]
        offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))
        out[start : start + len(batch)] = np.add.reduceat(rows, offsets, axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


def pool_state(args: argparse.Namespace) -> dict[str, Any]:
    """Embed (or load cached) pool sentences and queries; measure throughput on a sample."""
    settings = Settings(encoder=args.encoder)
    encoder = load_encoder(args.encoder, settings)
    pool = sc.build_pool(args.seed)
    lengths = np.asarray([len(t) for t in pool.texts], np.float32)
    state: dict[str, Any] = {"encoder": encoder.name, "pool_size": len(pool.texts)}

    # pool sentences: content-hash cache, so a re-run only embeds what changed
    cache_file = CACHE / f"pool-{_safe(encoder.name)}.npz"
    cached: dict[str, np.ndarray] = {}
    meta_file = cache_file.with_suffix(".json")
    if cache_file.exists():
        with np.load(cache_file) as data:
            cached = {str(k): v for k, v in zip(data["keys"], data["vectors"])}
    keys = [text_key(encoder.name, "passage\x00" + t) for t in pool.texts]
    missing = [i for i, k in enumerate(keys) if k not in cached]
    if missing:
        log(f"embedding {len(missing)} of {len(pool.texts)} pool sentences with {encoder.name}")
        vecs, secs = timed(encoder.encode_passages, [pool.texts[i] for i in missing])
        for i, v in zip(missing, vecs):
            cached[keys[i]] = v
        CACHE.mkdir(parents=True, exist_ok=True)
        np.savez(cache_file, keys=np.array(list(cached)), vectors=np.stack(list(cached.values())))
        meta = {"sentences": len(missing), "seconds": secs, "chars": sum(len(pool.texts[i]) for i in missing)}
        meta_file.write_text(json.dumps(meta))
        state["pool_embed"] = {**meta, "cached": False}
    else:
        meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
        state["pool_embed"] = {**meta, "cached": True}
    pool_vecs = np.stack([cached[k] for k in keys]).astype(np.float32)
    state["pool_embed"]["mean_chars"] = statistics.mean(len(t) for t in pool.texts)

    # real chunk-embedding throughput on a sample of generated chunks (never cached)
    biggest = sc.generate_chunks(max(args.sizes), args.seed, pool)
    rng = random.Random(f"sample-{args.seed}")
    sample = rng.sample(biggest, min(args.sample, len(biggest)))
    texts = [contextual_text(c) for c in sample]
    encoder.encode_passages(texts[:2])  # load the model outside the timing
    log(f"embedding {len(texts)} sample chunks for throughput")
    real, secs = timed(encoder.encode_passages, texts)
    approx = {"equal": chunk_vectors(sample, pool_vecs), "length": chunk_vectors(sample, pool_vecs, lengths)}
    quality = {w: _approx_quality(real, a) for w, a in approx.items()}
    weighting = max(quality, key=lambda w: quality[w]["mean_cos"])
    state["throughput"] = {
        "chunks": len(texts),
        "seconds": secs,
        "chunks_per_s": len(texts) / secs,
        "mean_chars": statistics.mean(len(t) for t in texts),
        "batch_size": settings.batch_size,
    }
    state["approximation"] = {"weighting": weighting, **quality}
    del biggest

    # queries, as the engine encodes them (cleaned and glossary-expanded)
    queries = [q.query for q in load_queries()]
    expanded = [expand_query(clean_query(q)) for q in queries]
    per_query = []
    qvecs = []
    for q in expanded:
        v, s = timed(encoder.encode_queries, [q])
        qvecs.append(v[0])
        per_query.append(s * 1000)
    state["query_encode_ms"] = {"p50": pct(per_query, 50), "p95": pct(per_query, 95)}
    state["queries"] = queries
    np.savez(
        CACHE / "state.npz",
        pool_vecs=pool_vecs,
        query_vecs=np.stack(qvecs).astype(np.float32),
        pool_keys=np.array([text_key("pool", t) for t in pool.texts]),
    )
    return state


def _approx_quality(real: np.ndarray, approx: np.ndarray) -> dict[str, float]:
    cos = np.sum(real * approx, axis=1)
    sims_real = real @ real.T
    sims_approx = approx @ approx.T
    off = ~np.eye(len(real), dtype=bool)
    # does the approximate vector find its own chunk's real vector first, among the sample?
    self_top1 = float(np.mean(np.argmax(approx @ real.T, axis=1) == np.arange(len(real))))
    # do approximate vectors keep the neighbourhoods? overlap of each chunk's top-10 neighbours
    k = min(10, len(real) - 1)
    overlap = []
    for i in range(len(real)):
        a = np.argsort(-np.where(off[i], sims_real[i], -9))[:k]
        b = np.argsort(-np.where(off[i], sims_approx[i], -9))[:k]
        overlap.append(len(set(a) & set(b)) / k)
    return {
        "mean_cos": float(cos.mean()),
        "min_cos": float(cos.min()),
        "self_top1": self_top1,
        "neighbour_overlap@10": float(np.mean(overlap)),
        "pairwise_cos_real": float(sims_real[off].mean()),
        "pairwise_cos_approx": float(sims_approx[off].mean()),
    }


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
    """One query at a time, as the engine searches; ids of the last rep and every timing in ms."""
    ids = np.empty((len(qvecs), k), np.int64)
    times: list[float] = []
    for _ in range(reps):
        for i, q in enumerate(qvecs):
            started = time.perf_counter()
            _, found = index.search(q.reshape(1, -1), k)
            times.append((time.perf_counter() - started) * 1000)
            ids[i] = found[0]
    return ids, times


def recall_at(found: np.ndarray, truth: np.ndarray, k: int = K) -> float:
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth)]))


def rerank_top(cand: np.ndarray, vectors: np.ndarray, qvecs: np.ndarray, k: int = K) -> np.ndarray:
    """What the engine's dense mode returns: the top-k of the candidates by exact cosine."""
    out = np.empty((len(qvecs), k), np.int64)
    for i, (ids, q) in enumerate(zip(cand, qvecs)):
        ids = ids[ids >= 0]
        scores = vectors[ids] @ q
        order = sorted(range(len(ids)), key=lambda j: (-scores[j], int(ids[j])))[:k]
        out[i, : len(order)] = ids[order]
        out[i, len(order) :] = -1
    return out


def engine_pass(engine: SearchEngine, queries: list[str], mode: str, reps: int) -> tuple[list[float], list]:
    for q in queries[:5]:  # warm: encoder, jieba, FAISS, caches
        engine.search(q, k=K, mode=mode)
    times: list[float] = []
    tops: list[list[str]] = []
    for r in range(reps):
        for q in queries:
            started = time.perf_counter()
            hits = engine.search(q, k=K, mode=mode)
            times.append((time.perf_counter() - started) * 1000)
            if r == 0:
                tops.append([h.chunk.chunk_id for h in hits])
    return times, tops


def overlap(a: list[list[str]], b: list[list[str]]) -> float:
    return float(np.mean([len(set(x) & set(y)) / max(len(y), 1) for x, y in zip(a, b)]))


def lat(times: list[float]) -> dict[str, float]:
    return {"p50": pct(times, 50), "p95": pct(times, 95), "mean": statistics.fmean(times)}


def worker(args: argparse.Namespace) -> None:
    import faiss

    n = args.worker
    res: dict[str, Any] = {"n": n}
    started_all = time.perf_counter()
    with np.load(CACHE / "state.npz") as data:
        pool_vecs, qvecs, pool_keys = data["pool_vecs"], data["query_vecs"], data["pool_keys"]
    queries = [q.query for q in load_queries()]
    (pool, chunks), secs = timed(lambda: _generate(args.seed, n))
    if [text_key("pool", t) for t in pool.texts] != list(pool_keys):
        raise SystemExit("pool texts differ from the cached state; rerun without --worker")
    res["generate_s"] = secs
    res["documents"] = len({c.doc_id for c in chunks})
    res["with_targets"] = sum(bool(c.targets) for c in chunks)
    res["mean_chars"] = statistics.fmean(len(c.text) for c in chunks)
    log(f"{n}: generated {len(chunks)} chunks of {res['documents']} plans in {secs:.1f}s")

    lengths = np.asarray([len(t) for t in pool.texts], np.float32) if args.weighting == "length" else None
    vectors, secs = timed(chunk_vectors, chunks, pool_vecs, lengths)
    res["vectors_s"] = secs
    base = Settings(encoder=args.encoder)

    texts, secs = timed(lambda: [contextual_text(c) for c in chunks])
    res["contextual_text_s"] = secs
    tokenizer = Tokenizer()
    tokenizer.tokenize("知识产权")  # jieba init outside the timing
    tokens, secs = timed(list, map(tokenizer.tokenize, texts))
    res["tokenize_s"] = secs
    res["tokens"] = sum(len(t) for t in tokens)
    del texts
    sparse, secs = timed(make_sparse_index, tokens, base)
    res["bm25_build_s"] = secs
    del tokens
    gc.collect()
    log(f"{n}: tokenize {res['tokenize_s']:.1f}s, BM25 {res['bm25_build_s']:.1f}s")

    # ---- dense indexes: exact, HNSW per M, IVF
    flat_settings = replace(base, exact_max_vectors=n)
    flat, secs = timed(make_dense_index, vectors, flat_settings)
    res["flat_add_s"] = secs
    hnsw: dict[int, Any] = {}
    res["hnsw_build_s"] = {}
    for m in args.m:
        s = replace(base, exact_max_vectors=0, hnsw_m=m, hnsw_ef_construction=args.ef_construction)
        hnsw[m], secs = timed(make_dense_index, vectors, s)
        res["hnsw_build_s"][m] = secs
        log(f"{n}: HNSW M={m} efC={args.ef_construction} built in {secs:.1f}s")
    ivf = None
    if args.ivf and n >= 5000:
        nlist = round(4 * math.sqrt(n))
        quantizer = faiss.IndexFlatIP(vectors.shape[1])
        ivf = faiss.IndexIVFFlat(quantizer, vectors.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
        _, train_s = timed(ivf.train, vectors)
        _, add_s = timed(ivf.add, vectors)
        res["ivf"] = {"nlist": nlist, "train_s": train_s, "add_s": add_s}
        log(f"{n}: IVF nlist={nlist} train {train_s:.1f}s add {add_s:.1f}s")

    # ---- sizes on disk, in the library's layout
    tmp = Path(tempfile.mkdtemp(prefix=f"scale-{n}-", dir=args.tmp))
    try:
        disk: dict[str, Any] = {}
        flat_dir = tmp / "flat"
        version = write_index(flat_dir, chunks, flat, sparse, flat_settings, "flat-ip")
        disk["flat_faiss"] = dir_bytes(version / DENSE)
        disk["bm25"] = dir_bytes(version / SPARSE)
        disk["chunks_jsonl"] = dir_bytes(version / CHUNKS)
        for m, index in hnsw.items():
            path = tmp / f"hnsw{m}.faiss"
            faiss.write_index(index, str(path))
            disk[f"hnsw{m}_faiss"] = dir_bytes(path)
        if ivf is not None:
            faiss.write_index(ivf, str(tmp / "ivf.faiss"))
            disk["ivf_faiss"] = dir_bytes(tmp / "ivf.faiss")
        res["disk_bytes"] = disk
        res["builder_rss_mb"] = proc_status_mb("VmRSS")
        res["builder_peak_rss_mb"] = proc_status_mb("VmHWM")
        # a fresh process opens each index as the app would
        res["serve"] = {"flat": run_probe(flat_dir, args.encoder)}
        for m, index in hnsw.items():
            s = replace(base, exact_max_vectors=0, hnsw_m=m, hnsw_ef_construction=args.ef_construction)
            folder = tmp / f"hnsw{m}"
            write_index(folder, chunks, index, sparse, s, "hnsw")
            res["serve"][f"hnsw{m}"] = run_probe(folder, args.encoder)
            shutil.rmtree(folder)
        log(
            f"{n}: serve probe: load {res['serve']['flat']['load_s']:.1f}s, "
            f"RSS {res['serve']['flat']['rss_after_queries_mb']:.0f} MB (flat)"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # ---- FAISS-only sweep: recall@10 vs exact and search time, one query at a time
    fetch = max(base.candidates, K, 16)  # what SearchEngine.dense_candidates asks FAISS for
    truth, t_flat10 = faiss_search_all(flat, qvecs, K, args.reps)
    cand_flat, t_flat100 = faiss_search_all(flat, qvecs, fetch, args.reps)
    exact_top = rerank_top(cand_flat, vectors, qvecs)
    res["fetch"] = fetch
    res["flat_search_ms"] = {"k10": lat(t_flat10), f"k{fetch}": lat(t_flat100)}
    sweep = []
    for m, index in hnsw.items():
        for ef in args.ef:
            index.hnsw.efSearch = ef
            ids10, t10 = faiss_search_all(index, qvecs, K, args.reps)
            ids100, t100 = faiss_search_all(index, qvecs, fetch, args.reps)
            sweep.append(
                {
                    "index": "hnsw",
                    "m": m,
                    "ef": ef,
                    "recall_raw": recall_at(ids10, truth),
                    "recall_engine": recall_at(rerank_top(ids100, vectors, qvecs), exact_top),
                    "search_ms_k10": lat(t10)["p50"],
                    f"search_ms_k{fetch}": lat(t100)["p50"],
                    "search_ms_p95": lat(t100)["p95"],
                }
            )
    if ivf is not None:
        for nprobe in args.nprobe:
            ivf.nprobe = nprobe
            ids10, t10 = faiss_search_all(ivf, qvecs, K, args.reps)
            ids100, t100 = faiss_search_all(ivf, qvecs, fetch, args.reps)
            sweep.append(
                {
                    "index": "ivf",
                    "nprobe": nprobe,
                    "recall_raw": recall_at(ids10, truth),
                    "recall_engine": recall_at(rerank_top(ids100, vectors, qvecs), exact_top),
                    "search_ms_k10": lat(t10)["p50"],
                    f"search_ms_k{fetch}": lat(t100)["p50"],
                    "search_ms_p95": lat(t100)["p95"],
                }
            )
    res["sweep"] = sweep
    log(f"{n}: FAISS sweep done")

    # ---- end-to-end: SearchEngine.search (query encoding included), warm
    encoder = load_encoder(args.encoder, base)
    manifest = {"encoder": {"name": encoder.name, "dim": int(vectors.shape[1])}}

    def engine_over(dense: Any, settings: Settings) -> SearchEngine:
        loaded = LoadedIndex(CACHE, manifest, settings, chunks, dense, sparse)
        return SearchEngine(loaded=loaded, encoder=encoder, tokenizer=tokenizer, settings=settings)

    engine_flat, secs = timed(engine_over, flat, flat_settings)
    res["engine_init_s"] = {"flat": secs}
    latency: dict[str, Any] = {}
    kw_times, _ = engine_pass(engine_flat, queries, "keyword", args.reps)
    latency["keyword"] = lat(kw_times)
    tops: dict[str, Any] = {}
    for mode in ("dense", "hybrid"):
        t, tops[mode] = engine_pass(engine_flat, queries, mode, args.reps)
        latency[f"{mode}/exact"] = lat(t)
    engine_sweep = []
    for m, index in hnsw.items():
        engine, secs = timed(engine_over, index, replace(base, exact_max_vectors=0, hnsw_m=m))
        res["engine_init_s"][f"hnsw{m}"] = secs
        for ef in args.ef:
            index.hnsw.efSearch = ef
            row: dict[str, Any] = {"index": "hnsw", "m": m, "ef": ef}
            for mode in ("dense", "hybrid"):
                t, top = engine_pass(engine, queries, mode, args.reps)
                row[mode] = lat(t)
                row[f"{mode}_overlap"] = overlap(top, tops[mode])
            engine_sweep.append(row)
        del engine
    if ivf is not None:
        ivf.make_direct_map()  # SearchEngine reconstructs every vector for exact re-scoring
        engine = engine_over(ivf, base)
        for nprobe in args.nprobe:
            ivf.nprobe = nprobe
            row = {"index": "ivf", "nprobe": nprobe}
            for mode in ("dense", "hybrid"):
                t, top = engine_pass(engine, queries, mode, args.reps)
                row[mode] = lat(t)
                row[f"{mode}_overlap"] = overlap(top, tops[mode])
            engine_sweep.append(row)
        del engine
    res["latency"] = latency
    res["engine_sweep"] = engine_sweep
    log(
        f"{n}: engine latency: keyword p50 {latency['keyword']['p50']:.1f} ms, "
        f"hybrid/exact p50 {latency['hybrid/exact']['p50']:.1f} ms"
    )

    # ---- where a hybrid query's time goes (flat engine), and filtered queries
    res["breakdown_ms"] = breakdown(engine_flat, queries, qvecs, fetch)
    m_mid = args.m[-1]
    hnsw[m_mid].hnsw.efSearch = args.ef_default
    engine_h = engine_over(hnsw[m_mid], replace(base, exact_max_vectors=0, hnsw_m=m_mid))
    res["filtered"] = {
        "flat": filtered(engine_flat, queries),
        f"hnsw{m_mid}_ef{args.ef_default}": filtered(engine_h, queries),
    }
    res["worker_s"] = time.perf_counter() - started_all
    res["worker_peak_rss_mb"] = proc_status_mb("VmHWM")
    Path(args.result).write_text(json.dumps(res, ensure_ascii=False))
    log(f"{n}: done in {res['worker_s']:.0f}s")


def _generate(seed: int, n: int) -> tuple[sc.SentencePool, list[Any]]:
    pool = sc.build_pool(seed)
    return pool, sc.generate_chunks(n, seed, pool)


def breakdown(engine: SearchEngine, queries: list[str], qvecs: np.ndarray, fetch: int) -> dict[str, float]:
    """p50 of each step of a hybrid search, timed one step at a time."""
    steps: dict[str, list[float]] = {
        k: []
        for k in (
            "tokenize",
            "bm25_get_scores",
            "top_candidates",
            "encode_query",
            "faiss_search",
            "total_hybrid",
        )
    }
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


FILTERS = {
    "region 苏州": Filters(regions=("苏州",)),
    "years 2020–2021": Filters(year_min=2020, year_max=2021),
    "level 区县 + has_target": Filters(levels=("区县",), has_target=True),
}


def filtered(engine: SearchEngine, queries: list[str]) -> dict[str, Any]:
    """First-use cost of a filter (its mask) and warm hybrid latency with it."""
    out: dict[str, Any] = {}
    for name, f in FILTERS.items():
        engine._masks.clear()
        mask, mask_s = timed(engine.filter_mask, f)
        times = []
        for q in queries[:30]:
            started = time.perf_counter()
            engine.search(q, k=K, mode="hybrid", filters=f)
            times.append((time.perf_counter() - started) * 1000)
        out[name] = {"allowed": int(mask.sum()), "mask_ms": mask_s * 1000, **lat(times)}
    return out


# ------------------------------------------------------------------ choose, report, chart


def choose(results: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    """HNSW parameters and the exact/HNSW threshold, from the measured numbers."""
    big = max(results, key=lambda r: r["n"])
    fetch = big["fetch"]
    engine_rows = {(r["m"], r["ef"]): r for r in big["engine_sweep"] if r["index"] == "hnsw"}
    ok = []
    for row in big["sweep"]:
        if row["index"] != "hnsw":
            continue
        e = engine_rows[(row["m"], row["ef"])]
        passes = row["recall_engine"] >= RECALL_TARGET and e["hybrid"]["p50"] <= HYBRID_BUDGET_MS
        if passes:
            ok.append((row["m"], row["ef"], row, e))
    choice: dict[str, Any] = {"at": big["n"], "recall_target": RECALL_TARGET, "budget_ms": HYBRID_BUDGET_MS}
    if ok:
        m, ef, row, e = min(ok, key=lambda t: (t[0], t[1]))  # smallest M, then smallest efSearch
        choice.update(
            m=m,
            ef=ef,
            recall_engine=row["recall_engine"],
            recall_raw=row["recall_raw"],
            hybrid_p50=e["hybrid"]["p50"],
            build_s=_get(big["hnsw_build_s"], m),
        )
    else:
        choice.update(m=None, ef=None)

    # threshold: exact stays while its dense search (k=fetch) costs at most a few ms more than
    # HNSW's; exact FAISS time grows linearly in N, so fit ms = a·N through the measurements
    pts = [(r["n"], r["flat_search_ms"][f"k{fetch}"]["p50"]) for r in results]
    a = sum(n * t for n, t in pts) / sum(n * n for n, _ in pts)
    hnsw_ms = None
    if choice.get("m") is not None:
        hnsw_ms = next(
            r[f"search_ms_k{fetch}"]
            for r in big["sweep"]
            if r["index"] == "hnsw" and r["m"] == choice["m"] and r["ef"] == choice["ef"]
        )
    allowance = args.exact_allowance_ms
    crossing = (allowance + (hnsw_ms or 0.0)) / a if a > 0 else float("inf")
    threshold = _nice(crossing)
    choice.update(
        flat_ms_per_100k=a * 100_000,
        hnsw_search_ms=hnsw_ms,
        exact_allowance_ms=allowance,
        crossing=crossing,
        exact_max_vectors=threshold,
    )
    return choice


def _nice(x: float) -> int:
    """Round down to 1, 2 or 5 × 10^k."""
    if not math.isfinite(x) or x <= 0:
        return 0
    exp = 10 ** math.floor(math.log10(x))
    return int(max(m for m in (1, 2, 5, 10) if m * exp <= x) * exp)


def fmt_s(x: float) -> str:
    if x >= 600:
        return f"{x / 60:.0f} min"
    if x >= 100:
        return f"{x:.0f} s"
    return f"{x:.1f} s" if x >= 1 else f"{x * 1000:.0f} ms"


def fmt_mb(b: float) -> str:
    return f"{b / 1e6:.1f} MB" if b >= 1e5 else f"{b / 1e3:.0f} kB"


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
    w = ap["weighting"]
    fetch = rs[0]["fetch"]
    cols = " | ".join(f"{n:,}" for n in sizes)
    sep = "|".join(["---"] * (len(sizes) + 1))
    L: list[str] = []
    L += [
        "# Scale benchmark: 1k → 100k chunks",
        "",
        f"`python eval/bench_scale.py --sizes {','.join(map(str, sizes))}` — run {meta['date']}, "
        f"total {fmt_s(meta['total_s'])}.",
        "",
        f"**Machine:** {meta['machine']}. Load average (1/5/15 min) {meta['load_start']} at the start, "
        f"{meta['load_end']} at the end: the machine is shared with other work, and every number is "
        "a single run.",
        "",
        "## How the corpus and vectors are made",
        "",
        f"- Corpus: `eval/scale_corpus.py` (seed {args.seed}) recombines sentences of the 5 seed plans "
        "into plan-like documents (plan title, issuer, region from 66 real provinces/cities/districts "
        "plus national plans, years 2008–2024, preamble, goals, 3–7 sections of tasks with "
        "enumerators and responsible units, safeguards). Years are shifted and numbers rescaled "
        "per sentence variant; targets are found by the library's `extract_targets`. "
        f"{state['pool_size']:,} distinct sentences/headings/titles make up every corpus.",
        f"- Embedding throughput (**measured**): e5-small-q4 embedded {thr['chunks']} generated chunks "
        f"(`contextual_text`, mean {thr['mean_chars']:.0f} chars) in {thr['seconds']:.1f} s = "
        f"**{thr['chunks_per_s']:.1f} chunks/s** (batch {thr['batch_size']}). The full-corpus times "
        "below are **extrapolated** from that rate, not measured.",
        f"- Chunk vectors (**approximated**): the {state['pool_size']:,} pool texts were embedded with "
        "e5-small-q4 once"
        + (
            f" ({state['pool_embed'].get('sentences', '?')} texts in "
            f"{state['pool_embed'].get('seconds', float('nan')):.0f} s"
            + (", cached from an earlier run" if state["pool_embed"].get("cached") else "")
            + ")"
            if state["pool_embed"]
            else ""
        )
        + f"; each chunk's vector is the L2-normalised {'length-weighted ' if w == 'length' else ''}mean "
        "of the vectors of the texts it is made of (headings, title, sentences, units — chunks *are* "
        f"recombinations of them). On the {thr['chunks']} sample chunks, against their real e5 "
        f"vectors: mean cosine **{ap[w]['mean_cos']:.3f}** (min {ap[w]['min_cos']:.3f}); the approximate "
        f"vector finds its own chunk's real vector first for {ap[w]['self_top1']:.0%} of them; "
        f"10-nearest-neighbour overlap {ap[w]['neighbour_overlap@10']:.2f}; mean pairwise cosine "
        f"{ap[w]['pairwise_cos_approx']:.3f} approximated vs {ap[w]['pairwise_cos_real']:.3f} real "
        f"(the other weighting, {'equal' if w == 'length' else 'length'}: mean cosine "
        f"{ap['equal' if w == 'length' else 'length']['mean_cos']:.3f}). "
        "So neighbourhoods are close but not identical to a real embedding; the vector set is "
        "realistic enough for index speed and recall, not for judging answer quality.",
        f"- Queries: the {len(state['queries'])} real queries of `eval/queries.jsonl`, encoded by e5 "
        f"(single-query encoding p50 {state['query_encode_ms']['p50']:.1f} ms, "
        f"p95 {state['query_encode_ms']['p95']:.1f} ms — a floor under every dense/hybrid query).",
        "- Latency: `SearchEngine.search(q, k=10, mode)` on an engine built in memory from the "
        f"generated chunks, the FAISS index and the BM25 index; warm (5 queries first), "
        f"{args.reps} passes × {len(state['queries'])} queries, one query at a time. "
        "Recall@10 is measured against exact (IndexFlatIP) search on the same vectors.",
        "",
        "## Per size",
        "",
        f"| | {cols} |",
        f"|{sep}|",
    ]

    def row(label: str, values: list[str]) -> None:
        L.append(f"| {label} | " + " | ".join(values) + " |")

    row("plans", [f"{r['documents']:,}" for r in rs])
    row("chunks with targets", [f"{r['with_targets'] / r['n']:.0%}" for r in rs])
    row("e5 embedding, full corpus (**extrapolated**)", [fmt_s(r["n"] / thr["chunks_per_s"]) for r in rs])
    row("tokenize (jieba, contextual_text)", [fmt_s(r["tokenize_s"]) for r in rs])
    row("BM25 index (bm25s)", [fmt_s(r["bm25_build_s"]) for r in rs])
    row("FAISS IndexFlatIP add", [fmt_s(r["flat_add_s"]) for r in rs])
    for m in args.m:
        row(
            f"FAISS HNSW M={m} add (efC={args.ef_construction})",
            [fmt_s(_get(r["hnsw_build_s"], m)) for r in rs],
        )
    if any("ivf" in r for r in rs):
        row(
            "FAISS IVF train + add (nlist≈4√N)",
            [fmt_s(r["ivf"]["train_s"] + r["ivf"]["add_s"]) if "ivf" in r else "—" for r in rs],
        )
    row("disk: dense.faiss exact", [fmt_mb(r["disk_bytes"]["flat_faiss"]) for r in rs])
    for m in args.m:
        row(f"disk: dense.faiss HNSW M={m}", [fmt_mb(r["disk_bytes"][f"hnsw{m}_faiss"]) for r in rs])
    row("disk: bm25/", [fmt_mb(r["disk_bytes"]["bm25"]) for r in rs])
    row("disk: chunks.jsonl", [fmt_mb(r["disk_bytes"]["chunks_jsonl"]) for r in rs])
    row("`SearchEngine.load` (fresh process, exact)", [fmt_s(r["serve"]["flat"]["load_s"]) for r in rs])
    row(
        "RSS after load + 4 queries, exact",
        [f"{r['serve']['flat']['rss_after_queries_mb']:.0f} MB" for r in rs],
    )
    for m in args.m:
        row(
            f"RSS after load + 4 queries, HNSW M={m}",
            [f"{r['serve'][f'hnsw{m}']['rss_after_queries_mb']:.0f} MB" for r in rs],
        )
    row("builder peak RSS (all indexes of the size)", [f"{r['builder_peak_rss_mb']:.0f} MB" for r in rs])
    row("keyword p50 / p95 ms", [_pp(r["latency"]["keyword"]) for r in rs])
    row("dense, exact p50 / p95 ms", [_pp(r["latency"]["dense/exact"]) for r in rs])
    row("hybrid, exact p50 / p95 ms", [_pp(r["latency"]["hybrid/exact"]) for r in rs])
    if choice.get("m") is not None:
        cm, ce = choice["m"], choice["ef"]
        for mode in ("dense", "hybrid"):
            row(f"{mode}, HNSW M={cm} ef={ce} p50 / p95 ms", [_pp(_eng(r, cm, ce)[mode]) for r in rs])
        row(
            f"HNSW M={cm} ef={ce} recall@10 vs exact (engine / raw FAISS k=10)",
            [f"{_sw(r, cm, ce)['recall_engine']:.3f} / {_sw(r, cm, ce)['recall_raw']:.3f}" for r in rs],
        )
        row(
            f"hybrid top-10 overlap, HNSW M={cm} ef={ce} vs exact",
            [f"{_eng(r, cm, ce)['hybrid_overlap']:.3f}" for r in rs],
        )
    row(
        f"FAISS exact search, k={fetch}, p50 ms",
        [f"{r['flat_search_ms'][f'k{fetch}']['p50']:.2f}" for r in rs],
    )
    L.append("")
    L += [
        f"Two recalls: *engine* is what `SearchEngine` returns in dense mode — it asks FAISS for "
        f"`candidates` = {fetch} ids and re-scores them with exact cosine, so its top-10 is the exact "
        "top-10 whenever those ten are among HNSW's 100; FAISS takes ef = max(efSearch, k), so with "
        f"k={fetch} every efSearch below {fetch} searches with ef={fetch}. *Raw* is plain FAISS top-10 "
        "with k=10 (what the index alone gives, the usual ANN-benchmark number).",
        "",
        "## HNSW (and IVF) sweep",
        "",
        f"FAISS search times are one query at a time, p50 over {args.reps}×{len(state['queries'])}; "
        "engine columns are end-to-end `SearchEngine.search` p50 (query encoding included) and the "
        "overlap of the top-10 with the exact engine's top-10.",
        "",
        "| N | index | M | efSearch / nprobe | build s | recall@10 engine | recall@10 raw "
        f"| FAISS ms k={fetch} | dense p50 ms | hybrid p50 ms | hybrid p95 ms | hybrid top-10 overlap |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rs:
        for s in r["sweep"]:
            if s["index"] == "hnsw":
                e = _eng(r, s["m"], s["ef"])
                L.append(
                    f"| {r['n']:,} | HNSW | {s['m']} | {s['ef']} | {_get(r['hnsw_build_s'], s['m']):.1f} | "
                    f"{s['recall_engine']:.3f} | {s['recall_raw']:.3f} | {s[f'search_ms_k{fetch}']:.2f} | "
                    f"{e['dense']['p50']:.1f} | {e['hybrid']['p50']:.1f} | {e['hybrid']['p95']:.1f} | "
                    f"{e['hybrid_overlap']:.3f} |"
                )
            else:
                e = next(x for x in r["engine_sweep"] if x["index"] == "ivf" and x["nprobe"] == s["nprobe"])
                b = r["ivf"]["train_s"] + r["ivf"]["add_s"]
                L.append(
                    f"| {r['n']:,} | IVF{r['ivf']['nlist']} | — | {s['nprobe']} | {b:.1f} | "
                    f"{s['recall_engine']:.3f} | {s['recall_raw']:.3f} | {s[f'search_ms_k{fetch}']:.2f} | "
                    f"{e['dense']['p50']:.1f} | {e['hybrid']['p50']:.1f} | {e['hybrid']['p95']:.1f} | "
                    f"{e['hybrid_overlap']:.3f} |"
                )
        L.append(
            f"| {r['n']:,} | exact | — | — | {r['flat_add_s']:.2f} | 1 | 1 | "
            f"{r['flat_search_ms'][f'k{fetch}']['p50']:.2f} | {r['latency']['dense/exact']['p50']:.1f} | "
            f"{r['latency']['hybrid/exact']['p50']:.1f} | {r['latency']['hybrid/exact']['p95']:.1f} | 1 |"
        )
    big = rs[-1]
    L += [
        "",
        f"## Where a hybrid query's time goes at {big['n']:,} chunks (exact index, p50 ms per step)",
        "",
    ]
    L += ["| step | p50 ms |", "|---|---|"]
    L += [f"| {k} | {v:.2f} |" for k, v in big["breakdown_ms"].items()]
    L += ["", "## Filtered hybrid queries (first use builds the filter mask; then warm, 30 queries)", ""]
    L += [
        "| N | index | filter | chunks allowed | mask build ms | warm p50 ms | warm p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rs:
        for idx_name, fl in r["filtered"].items():
            for fname, v in fl.items():
                L.append(
                    f"| {r['n']:,} | {idx_name} | {fname} | {v['allowed']:,} | {v['mask_ms']:.0f} | "
                    f"{v['p50']:.1f} | {v['p95']:.1f} |"
                )
    L += ["", "## Choice", ""]
    L += choice_text(choice, rs, args)
    L += ["", "## Beyond one machine", "", *BEYOND]
    L += ["", "## For the README", "", readme_table(rs, choice, state, meta)]
    return "\n".join(L) + "\n"


def _get(d: dict[Any, Any], m: int) -> Any:
    return d[str(m)] if str(m) in d else d[m]


def _pp(x: dict[str, float]) -> str:
    return f"{x['p50']:.1f} / {x['p95']:.1f}"


def _eng(r: dict[str, Any], m: int, ef: int) -> dict[str, Any]:
    return next(x for x in r["engine_sweep"] if x["index"] == "hnsw" and x["m"] == m and x["ef"] == ef)


def _sw(r: dict[str, Any], m: int, ef: int) -> dict[str, Any]:
    return next(x for x in r["sweep"] if x["index"] == "hnsw" and x["m"] == m and x["ef"] == ef)


def choice_text(choice: dict[str, Any], rs: list[dict[str, Any]], args: argparse.Namespace) -> list[str]:
    if choice.get("m") is None:
        return [
            f"No HNSW setting reached recall@10 ≥ {RECALL_TARGET} with hybrid p50 ≤ "
            f"{HYBRID_BUDGET_MS:.0f} ms at {choice['at']:,} chunks; keep exact search."
        ]
    big = rs[-1]
    fetch = big["fetch"]
    return [
        "Recommended `Settings`:",
        "",
        "```python",
        f"exact_max_vectors = {choice['exact_max_vectors']:_}",
        f"hnsw_m = {choice['m']}",
        f"hnsw_ef_construction = {args.ef_construction}",
        f"hnsw_ef_search = {choice['ef']}",
        "```",
        "",
        f"- **HNSW parameters.** At {choice['at']:,} chunks the smallest M, then the smallest efSearch, "
        f"whose engine recall@10 vs exact is ≥ {RECALL_TARGET} and whose hybrid p50 is ≤ "
        f"{HYBRID_BUDGET_MS:.0f} ms: M={choice['m']}, efSearch={choice['ef']} — recall@10 "
        f"{choice['recall_engine']:.3f} through the engine ({choice['recall_raw']:.3f} raw FAISS k=10), "
        f"hybrid p50 {choice['hybrid_p50']:.1f} ms, build {choice['build_s']:.0f} s. "
        f"efConstruction {args.ef_construction} (the library default) was kept: the build cost is "
        "in the table, and the recall margin comes from efSearch, which is free to change at query time.",
        f"- **Threshold.** Exact search costs ~{choice['flat_ms_per_100k']:.1f} ms per 100k vectors per "
        f"query (k={fetch}, linear fit through the measured sizes) while HNSW M={choice['m']} "
        f"ef={choice['ef']} costs {choice['hnsw_search_ms']:.2f} ms at {choice['at']:,}. Exact is kept while "
        f"it costs at most {choice['exact_allowance_ms']:.0f} ms more per query than HNSW (well under "
        "the e5 query encoding every dense/hybrid query pays, and within run-to-run noise), i.e. up to "
        f"~{choice['crossing']:,.0f} vectors, rounded down to **{choice['exact_max_vectors']:,}**. "
        "Below that, HNSW would save less than the allowance, costs a graph build, a bigger file "
        "and more memory, and gives up exactness (and exact search with filters never has to "
        "widen its search).",
    ]


BEYOND = [
    "Everything here is one process on one machine: the dense index, the BM25 index and the chunk "
    "records all sit in RAM (about 0.5–1 GB at 100k; see the RSS rows) and one core answers a query. "
    "Beyond what one machine holds — or to serve many users — the index maps onto an existing "
    "distributed engine rather than a home-made cluster (on paper; nothing of this is built):",
    "",
    "- **Elasticsearch / OpenSearch**: one engine for both halves. Chunks become documents with "
    "`text` analysed by a Chinese analyzer (IK / smartcn, or pre-tokenised jieba tokens — the same "
    "tokens `Tokenizer` gives today, so BM25 stays comparable), `dense_vector` (384-d, cosine, HNSW "
    "with `m` / `ef_construction` as chosen here, `num_candidates` ≈ our `candidates`), and keyword "
    "fields `region`, `level`, `year`, `period`, `doc_id`, `units`, `has_target`, `kind` for "
    "`Filters`. Hybrid = a `knn` + `match` query combined by RRF (the library's `fusion='rrf'`) or by "
    "a linear combination of normalised scores (our `weighted` fusion); region/year boosts become "
    "`should` clauses. Shards split the corpus, replicas add query throughput.",
    "- **Milvus or Qdrant**: HNSW per shard/segment with the same M/ef, payload (Qdrant) or scalar "
    "(Milvus) fields for region/level/year and filtered search *inside* the graph walk — which "
    "removes the widening loop of `dense_candidates`. Both now also have sparse/BM25-style vectors "
    "and a built-in fusion query (Qdrant Query API with RRF, Milvus hybrid search), or BM25 can stay "
    "in a separate engine with fusion in `SearchEngine` as now.",
    "- Query encoding (e5, ~10 ms per query on 2 cores) is stateless and scales out as a plain "
    "service behind the search engine; index builds run offline with the content-hash vector cache.",
]


def readme_table(
    rs: list[dict[str, Any]], choice: dict[str, Any], state: dict[str, Any], meta: dict[str, Any]
) -> str:
    sizes = [r["n"] for r in rs]
    thr = state["throughput"]
    lines = [
        f"Measured on {meta['machine']} (shared machine, single runs; `python eval/bench_scale.py`, "
        "full report in `eval/reports/scale.md`). Vectors are approximated from embedded sentences; "
        "embedding time is extrapolated from a measured sample.",
        "",
        "| chunks | " + " | ".join(f"{n:,}" for n in sizes) + " |",
        "|" + "|".join(["---"] * (len(sizes) + 1)) + "|",
        f"| e5 embedding (extrapolated, {thr['chunks_per_s']:.1f} chunks/s) | "
        + " | ".join(fmt_s(n / thr["chunks_per_s"]) for n in sizes)
        + " |",
        "| tokenize + BM25 build | "
        + " | ".join(fmt_s(r["tokenize_s"] + r["bm25_build_s"]) for r in rs)
        + " |",
    ]
    if choice.get("m") is not None:
        m, ef = choice["m"], choice["ef"]
        lines.append(
            f"| HNSW M={m} build | " + " | ".join(fmt_s(_get(r["hnsw_build_s"], m)) for r in rs) + " |"
        )
        lines.append(
            "| index on disk (exact / HNSW, + BM25 + chunks) | "
            + " | ".join(
                f"{fmt_mb(r['disk_bytes']['flat_faiss'] + _rest(r))} / "
                f"{fmt_mb(r['disk_bytes'][f'hnsw{m}_faiss'] + _rest(r))}"
                for r in rs
            )
            + " |"
        )
        lines.append(
            "| RSS serving (exact) | "
            + " | ".join(f"{r['serve']['flat']['rss_after_queries_mb']:.0f} MB" for r in rs)
            + " |"
        )
        lines.append(
            "| keyword p50 ms | " + " | ".join(f"{r['latency']['keyword']['p50']:.1f}" for r in rs) + " |"
        )
        lines.append(
            "| hybrid p50 ms, exact / HNSW | "
            + " | ".join(
                f"{r['latency']['hybrid/exact']['p50']:.1f} / {_eng(r, m, ef)['hybrid']['p50']:.1f}"
                for r in rs
            )
            + " |"
        )
        lines.append(
            f"| HNSW M={m} ef={ef} recall@10 vs exact | "
            + " | ".join(f"{_sw(r, m, ef)['recall_engine']:.3f}" for r in rs)
            + " |"
        )
    return "\n".join(lines)


def _rest(r: dict[str, Any]) -> int:
    return r["disk_bytes"]["bm25"] + r["disk_bytes"]["chunks_jsonl"]


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
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(17, 5.6))
    series = [
        ("keyword (BM25)", [r["latency"]["keyword"]["p50"] for r in rs], "tab:green", "-", "o"),
        ("dense, exact", [r["latency"]["dense/exact"]["p50"] for r in rs], "tab:blue", "-", "o"),
        ("hybrid, exact", [r["latency"]["hybrid/exact"]["p50"] for r in rs], "tab:red", "-", "o"),
    ]
    if choice.get("m") is not None:
        m, ef = choice["m"], choice["ef"]
        series += [
            (
                f"dense, HNSW M={m} ef={ef}",
                [_eng(r, m, ef)["dense"]["p50"] for r in rs],
                "tab:blue",
                "--",
                "s",
            ),
            (
                f"hybrid, HNSW M={m} ef={ef}",
                [_eng(r, m, ef)["hybrid"]["p50"] for r in rs],
                "tab:red",
                "--",
                "s",
            ),
        ]
    fetch = rs[0]["fetch"]
    series.append(
        (
            f"FAISS exact search only (k={fetch})",
            [r["flat_search_ms"][f"k{fetch}"]["p50"] for r in rs],
            "tab:gray",
            ":",
            "^",
        )
    )
    for label, y, color, ls, mk in series:
        ax1.plot(x, y, color=color, linestyle=ls, marker=mk, label=label)
    ax1.axhline(HYBRID_BUDGET_MS, color="black", linewidth=0.8, linestyle="-.")
    ax1.text(x[0], HYBRID_BUDGET_MS * 1.08, f"{HYBRID_BUDGET_MS:.0f} ms budget", fontsize=8)
    ax1.set_title("Warm query latency, p50 (SearchEngine.search, k=10)")
    ax1.set_ylabel("ms per query")

    builds = [
        (
            "e5 embedding (extrapolated)",
            [n / state["throughput"]["chunks_per_s"] for n in x],
            "tab:purple",
            ":",
        ),
        ("tokenize (jieba)", [r["tokenize_s"] for r in rs], "tab:olive", "-"),
        ("BM25 index", [r["bm25_build_s"] for r in rs], "tab:green", "-"),
        ("FAISS flat add", [r["flat_add_s"] for r in rs], "tab:gray", "-"),
    ]
    for m in args.m:
        builds.append(
            (
                f"HNSW M={m} build",
                [_get(r["hnsw_build_s"], m) for r in rs],
                "tab:orange" if m == args.m[-1] else "tab:brown",
                "--",
            )
        )
    for label, y, color, ls in builds:
        ax2.plot(x, y, color=color, linestyle=ls, marker="o", label=label)
    ax2.set_title("Build time")
    ax2.set_ylabel("seconds")

    mem = [
        ("dense.faiss exact", [r["disk_bytes"]["flat_faiss"] / 1e6 for r in rs], "tab:gray", "-"),
        ("bm25/ on disk", [r["disk_bytes"]["bm25"] / 1e6 for r in rs], "tab:green", "-"),
        ("chunks.jsonl", [r["disk_bytes"]["chunks_jsonl"] / 1e6 for r in rs], "tab:olive", "-"),
        ("RSS serving, exact", [r["serve"]["flat"]["rss_after_queries_mb"] for r in rs], "tab:red", "-"),
    ]
    for m in args.m:
        mem.append(
            (
                f"dense.faiss HNSW M={m}",
                [r["disk_bytes"][f"hnsw{m}_faiss"] / 1e6 for r in rs],
                "tab:orange" if m == args.m[-1] else "tab:brown",
                "--",
            )
        )
    for label, y, color, ls in mem:
        ax3.plot(x, y, color=color, linestyle=ls, marker="o", label=label)
    ax3.set_title("Size on disk and resident memory")
    ax3.set_ylabel("MB")
    for ax in (ax1, ax2, ax3):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("chunks")
        ax.set_xticks(x)
        ax.set_xticklabels([f"{n:,}" for n in x])
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7.5, loc="upper left")
    fig.suptitle(f"policy_search at scale — {machine()} (shared, single runs)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated chunk counts")
    parser.add_argument("--quick", action="store_true", help="smoke run: sizes 300,3000, hash encoder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--encoder", default=None, help="default e5-small-q4 (hash with --quick)")
    parser.add_argument(
        "--sample", type=int, default=200, help="chunks embedded for real to measure throughput"
    )
    parser.add_argument("--reps", type=int, default=2, help="passes over the queries per latency measurement")
    parser.add_argument("--m", default="16,32", help="HNSW M values")
    parser.add_argument("--ef", default="16,32,64,128,256", help="HNSW efSearch values")
    parser.add_argument("--ef-construction", type=int, default=200)
    parser.add_argument("--ef-default", type=int, default=128, help="efSearch for the filtered-query runs")
    parser.add_argument("--nprobe", default="8,16,32,64", help="IVF nprobe values")
    parser.add_argument("--no-ivf", dest="ivf", action="store_false")
    parser.add_argument(
        "--exact-allowance-ms",
        type=float,
        default=2.0,
        help="extra ms per query exact search may cost over HNSW before HNSW takes over",
    )
    parser.add_argument("--out", default=None, help="report folder (default eval/reports)")
    parser.add_argument("--tmp", default=None, help="scratch folder for index files")
    parser.add_argument("--weighting", default="equal", help=argparse.SUPPRESS)
    parser.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--result", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--probe", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.sizes = "300,3000" if args.sizes == parser.get_default("sizes") else args.sizes
        args.encoder = args.encoder or "hash"
        args.sample = min(args.sample, 40)
        args.reps = 1
        args.ef = "16,64" if args.ef == parser.get_default("ef") else args.ef
        args.nprobe = "8,32" if args.nprobe == parser.get_default("nprobe") else args.nprobe
    args.encoder = args.encoder or "e5-small-q4"
    args.sizes = sorted(parse_ints(args.sizes))
    args.m = parse_ints(args.m)
    args.ef = parse_ints(args.ef)
    args.nprobe = parse_ints(args.nprobe)

    if args.probe:
        probe(args.probe, args.encoder)
        return
    if args.worker is not None:
        worker(args)
        return

    started = time.perf_counter()
    out_dir = Path(args.out) if args.out else (CACHE / "quick" if args.quick else REPORTS)
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = {
        "machine": machine(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_start": loadavg(),
        "argv": sys.argv[1:],
    }
    log(f"machine: {meta['machine']}; load {meta['load_start']}")
    CACHE.mkdir(parents=True, exist_ok=True)
    state = pool_state(args)
    args.weighting = state["approximation"]["weighting"]
    thr = state["throughput"]
    log(
        f"e5 throughput {thr['chunks_per_s']:.1f} chunks/s; approximation mean cos "
        f"{state['approximation'][args.weighting]['mean_cos']:.3f} ({args.weighting} weights)"
    )
    results = []
    for n in args.sizes:
        result_file = CACHE / f"result-{n}.json"
        cmd = [
            sys.executable,
            __file__,
            "--worker",
            str(n),
            "--result",
            str(result_file),
            "--seed",
            str(args.seed),
            "--encoder",
            args.encoder,
            "--reps",
            str(args.reps),
            "--m",
            ",".join(map(str, args.m)),
            "--ef",
            ",".join(map(str, args.ef)),
            "--ef-construction",
            str(args.ef_construction),
            "--ef-default",
            str(args.ef_default),
            "--nprobe",
            ",".join(map(str, args.nprobe)),
            "--weighting",
            args.weighting,
        ]
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
    args_dict = {k: v for k, v in vars(args).items() if k not in ("worker", "result", "probe")}
    (out_dir / "scale.json").write_text(
        json.dumps(
            {"meta": meta, "args": args_dict, "state": state, "choice": choice, "sizes": results},
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    (out_dir / "scale.md").write_text(report(state, results, choice, args, meta), encoding="utf-8")
    chart(results, state, choice, out_dir / "scale.png", args)
    log(f"wrote {out_dir}/scale.md, scale.json, scale.png in {fmt_s(meta['total_s'])}")
    print(json.dumps(choice, indent=1))


if __name__ == "__main__":
    main()
