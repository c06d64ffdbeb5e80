"""Embedded (FAISS + bm25s) against Milvus (milvus-lite) at 20k and 100k generated chunks.

    python eval/bench_milvus.py                        # 20000,100000; in-process lite + lite server
    python eval/bench_milvus.py --sizes 2000 --quick   # smoke run (report under /tmp)

For each size the same generated chunks, vectors and tokens are written into three indexes —
the embedded index folder (library layout), an in-process milvus-lite collection (FLAT) and a
``milvus-lite server`` process on 127.0.0.1 (HNSW with the Settings M / efConstruction) — and
each is opened by ``SearchEngine`` in a fresh process, which runs the 71 labelled queries in
hybrid, keyword and dense mode. Build time, size on disk, resident memory and latency come from
the library's own code (``make_dense_index``, ``make_sparse_index``, ``milvus_build.sync``).

Approximated, as the report says: chunks come from ``eval/scale_corpus.py`` (seed plans'
sentences recombined); vectors are **not e5** — the ``hash:384`` encoder embeds every distinct
pool sentence, a chunk's vector is the L2-normalised mean of its sentences' vectors (the method
of ``eval/bench_scale.py`` without its e5 calibration), and queries are encoded by the same
hash encoder, so both backends see identical vectors. milvus-lite stands in for a Milvus
standalone or cluster (same pymilvus client path, not a server's memory or segment layout).
Milvus data lives under /tmp. Writes eval/reports/milvus.md and milvus.json.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from bench_milvus_report import BACKENDS, ENCODER, MODES, report
from common import EVAL_DIR, REPO, load_queries, percentile

from policy_search.encoders import load_encoder
from policy_search.settings import Settings


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def rss_mb(pid: int | str = "self", field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ------------------------------------------------------------------ corpus, vectors, tokens


def corpus(n: int, seed: int) -> tuple[list[Any], np.ndarray]:
    """``n`` generated chunks and their approximate vectors (mean of the hash vectors of their parts)."""
    import scale_corpus as sc  # eval/ is on sys.path when run as a script

    pool = sc.build_pool(seed)
    chunks = sc.generate_chunks(n, seed, pool)
    encoder = load_encoder(ENCODER)
    pool_vecs = np.asarray(encoder.encode_passages(pool.texts), np.float32)
    vectors = np.empty((n, pool_vecs.shape[1]), np.float32)
    for i, c in enumerate(chunks):
        vectors[i] = pool_vecs[list(c.extra["parts"])].mean(axis=0)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return chunks, vectors


def manifest(chunks: list[Any], settings: Settings, dim: int, dense_kind: str, backend: str) -> dict:
    from policy_search.ingest.version import ingest_version
    from policy_search.store.analysis import dictionary_fingerprint

    docs: dict[str, int] = {}
    for c in chunks:
        docs[c.doc_id] = docs.get(c.doc_id, 0) + 1
    return {
        "format": 1,
        "backend": backend,
        "ingest_version": ingest_version(),
        "encoder": {"name": ENCODER, "dim": dim},
        "settings": replace(settings, backend=backend).to_dict(),
        "tokenizer": {"name": "jieba", "dictionary": dictionary_fingerprint()},
        "corpus_dir": "/nonexistent-generated-corpus",  # generated: nothing to check for staleness
        "corpus_fingerprint": "",
        "documents": [{"doc_id": d, "chunks": k} for d, k in docs.items()],
        "counts": {"documents": len(docs), "chunks": len(chunks)},
        "dense_index": dense_kind,
    }


# ------------------------------------------------------------------ build workers


def build(args: argparse.Namespace) -> dict[str, Any]:
    from policy_search.search.relevance import TermStats
    from policy_search.store.analysis import Tokenizer
    from policy_search.store.index import contextual_text

    res: dict[str, Any] = {"load_before": loadavg()}
    started = time.perf_counter()
    chunks, vectors = corpus(args.n, args.seed)
    res["generate_s"] = time.perf_counter() - started
    settings = Settings(encoder=ENCODER)
    cache = Path(args.out).parent / f"tokens-{args.n}.pkl"  # the same tokens for every backend
    if cache.exists():
        tokens, res["tokenize_s"] = pickle.loads(cache.read_bytes())
    else:
        tokenizer = Tokenizer()
        tokenizer.tokenize("知识产权")  # jieba's dictionary outside the timing
        t = time.perf_counter()
        tokens = [tokenizer.tokenize(contextual_text(c)) for c in chunks]
        res["tokenize_s"] = time.perf_counter() - t
        cache.write_bytes(pickle.dumps((tokens, res["tokenize_s"])))
    terms = TermStats.from_tokens(tokens)
    out = Path(args.out)
    t = time.perf_counter()
    if args.backend == "embedded":
        res.update(build_embedded(out, chunks, vectors, tokens, terms, settings))
    else:
        res.update(build_milvus(args.uri, chunks, vectors, tokens, terms, settings))
    res["store_s"] = time.perf_counter() - t
    res["build_s"] = res["tokenize_s"] + res["store_s"]
    res["builder_peak_rss_mb"] = rss_mb(field="VmHWM")
    res["load_after"] = loadavg()
    return res


def build_embedded(out: Path, chunks, vectors, tokens, terms, settings: Settings) -> dict[str, Any]:
    import faiss

    from policy_search.search.relevance import save_term_stats
    from policy_search.store.index import (
        CHUNKS,
        CURRENT,
        DENSE,
        MANIFEST,
        SPARSE,
        make_dense_index,
        make_sparse_index,
    )

    version = out / "v-bench"
    version.mkdir(parents=True)
    t = time.perf_counter()
    sparse = make_sparse_index(tokens, settings)
    bm25_s = time.perf_counter() - t
    t = time.perf_counter()
    dense = make_dense_index(vectors, settings)
    dense_s = time.perf_counter() - t
    kind = "flat-ip" if len(chunks) <= settings.exact_max_vectors else "hnsw"
    faiss.write_index(dense, str(version / DENSE))
    sparse.save(str(version / SPARSE))
    save_term_stats(version, terms)
    with open(version / CHUNKS, "w", encoding="utf-8") as fh:
        for c in chunks:
            fh.write(json.dumps(c.to_dict(), ensure_ascii=False) + "\n")
    (version / MANIFEST).write_text(
        json.dumps(manifest(chunks, settings, vectors.shape[1], kind, "embedded"))
    )
    (out / CURRENT).write_text("v-bench\n")
    return {
        "bm25_s": bm25_s,
        "dense_s": dense_s,
        "dense_index": kind,
        "disk": {
            "dense": dir_bytes(version / DENSE)
            if (version / DENSE).is_dir()
            else (version / DENSE).stat().st_size,
            "bm25": dir_bytes(version / SPARSE),
            "chunks": (version / CHUNKS).stat().st_size,
            "total": dir_bytes(version),
        },
    }


def build_milvus(uri: str, chunks, vectors, tokens, terms, settings: Settings) -> dict[str, Any]:
    from policy_search.store.milvus import MilvusTarget, connect
    from policy_search.store.milvus_build import _dense_kind, sync, write_meta

    target = MilvusTarget(uri, collection="bench")
    client = connect(target)
    t = time.perf_counter()
    sync(client, target, chunks, vectors, tokens, settings)
    upsert_s = time.perf_counter() - t
    kind = _dense_kind(target)
    write_meta(
        client,
        target,
        {"manifest": manifest(chunks, settings, vectors.shape[1], kind, "milvus"), "terms": terms.to_dict()},
    )
    return {"upsert_s": upsert_s, "dense_index": kind}


# ------------------------------------------------------------------ serve worker (fresh process)


def serve(args: argparse.Namespace) -> dict[str, Any]:
    from policy_search.search.retrieval import SearchEngine

    res: dict[str, Any] = {"rss_start_mb": rss_mb(), "load_before": loadavg()}
    encoder = load_encoder(ENCODER)
    encoder.encode_queries(["知识产权"])
    t = time.perf_counter()
    if args.backend == "embedded":
        from policy_search.store.embedded import EmbeddedBackend

        backend: Any = EmbeddedBackend.open(args.out)
    else:
        from policy_search.store.milvus import MilvusBackend, MilvusTarget

        backend = MilvusBackend.open(MilvusTarget(args.uri, collection="bench"))
    engine = SearchEngine.open(backend, encoder=encoder)
    res["open_s"] = time.perf_counter() - t
    res["rss_open_mb"] = rss_mb()
    queries = [q.query for q in load_queries(split="all")]
    res["latency_ms"], res["tops"], res["keyword_scores"] = {}, {}, {}
    for mode in MODES:
        for q in queries[:3]:  # warm
            engine.search(q, 10, mode)
        times = np.empty((args.reps, len(queries)))
        for r in range(args.reps):
            for i, q in enumerate(queries):
                t = time.perf_counter()
                hits = engine.search(q, 10, mode)
                times[r, i] = (time.perf_counter() - t) * 1000
                if r == 0:
                    res["tops"].setdefault(mode, []).append([h.chunk.chunk_id for h in hits])
                    if mode == "keyword":
                        res["keyword_scores"][q] = {h.chunk.chunk_id: h.keyword_score for h in hits}
        per_query = list(np.median(times, axis=0))
        res["latency_ms"][mode] = {"p50": percentile(per_query, 50), "p95": percentile(per_query, 95)}
    res["rss_after_mb"] = rss_mb()
    res["peak_rss_mb"] = rss_mb(field="VmHWM")
    res["load_after"] = loadavg()
    return res


# ------------------------------------------------------------------ orchestration


def worker(kind: str, backend: str, n: int, out: Path, uri: str, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, f"--{kind}", backend, "--n", str(n), "--out", str(out), "--uri", uri]
    reps = args.reps if backend == "embedded" else args.milvus_reps
    cmd += ["--seed", str(args.seed), "--reps", str(reps)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} {backend} {n} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    exe = shutil.which("milvus-lite")
    cmd = [exe] if exe else [sys.executable, "-m", "milvus_lite"]
    proc = subprocess.Popen(
        [*cmd, "server", "--data-dir", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("milvus-lite server did not start") from None
            time.sleep(0.2)


def drift(base: dict, other: dict) -> dict[str, Any]:
    """Top-10 overlap and identical lists against the embedded run; keyword score differences."""
    out: dict[str, Any] = {}
    for mode in MODES:
        a, b = base["tops"][mode], other["tops"][mode]
        same = sum(len(set(x) & set(y)) for x, y in zip(a, b))
        total = sum(len(x) for x in a)
        out[mode] = {
            "overlap": same / max(total, 1),
            "identical": sum(x == y for x, y in zip(a, b)),
            "n": len(a),
        }
    rel = []
    for q, scores in base["keyword_scores"].items():
        theirs = other["keyword_scores"].get(q, {})
        rel += [abs(theirs[c] - s) / s for c, s in scores.items() if c in theirs and s > 0]
    out["keyword_score_rel_diff"] = {
        "common": len(rel),
        "median": percentile(rel, 50),
        "p95": percentile(rel, 95),
        "max": max(rel, default=0.0),
    }
    return out


def run_size(n: int, args: argparse.Namespace, root: Path) -> dict[str, Any]:
    res: dict[str, Any] = {"n": n}
    for backend in args.backends:
        where = root / f"{backend}-{n}"
        server = None
        uri = ""
        if backend == "lite":
            uri = str(where / "milvus.db")
            where.mkdir(parents=True)
        elif backend == "server":
            server, uri = start_server(where / "data")
        try:
            log(f"{n} {backend}: build")
            built = worker("build", backend, n, where, uri, args)
            log(f"{n} {backend}: built in {built['build_s']:.1f}s; serve")
            served = worker("serve", backend, n, where, uri, args)
            if server is not None:
                served["server_rss_mb"] = rss_mb(server.pid)
                served["server_peak_rss_mb"] = rss_mb(server.pid, "VmHWM")
            built.setdefault("disk", {})["total_dir"] = dir_bytes(where)
        finally:
            if server is not None:
                os.kill(server.pid, signal.SIGTERM)
                server.wait(timeout=60)
        shutil.rmtree(where, ignore_errors=True)
        res[backend] = {"build": built, "serve": served}
        lat = served["latency_ms"]["hybrid"]
        log(f"{n} {backend}: open {served['open_s']:.1f}s, hybrid p50 {lat['p50']:.1f} ms")
    for backend in args.backends:
        if backend != "embedded" and "embedded" in res:
            res[backend]["drift"] = drift(res["embedded"]["serve"], res[backend]["serve"])
    for backend in args.backends:
        res[backend]["serve"].pop("keyword_scores", None)
        res[backend]["serve"].pop("tops", None)
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--milvus-reps", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="write the report under /tmp")
    parser.add_argument("--build", choices=BACKENDS, help=argparse.SUPPRESS)
    parser.add_argument("--serve", choices=BACKENDS, help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--uri", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build or args.serve:
        args.backend = args.build or args.serve
        print(json.dumps(build(args) if args.build else serve(args)))
        return
    args.backends = [b for b in args.backends.split(",") if b]
    meta = {"load_start": loadavg()}
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-milvus-", dir="/tmp") as tmp:
        for n in (int(x) for x in args.sizes.split(",")):
            results.append(run_size(n, args, Path(tmp)))
            meta["load_end"] = loadavg()
            out_dir = Path(tmp).parent / "bench-milvus-quick" if args.quick else EVAL_DIR / "reports"
            out_dir.mkdir(exist_ok=True)
            (out_dir / "milvus.json").write_text(json.dumps({"meta": meta, "results": results}, indent=1))
            (out_dir / "milvus.md").write_text(report(results, args, meta), encoding="utf-8")
    print((out_dir / "milvus.md").read_text())


if __name__ == "__main__":
    main()
