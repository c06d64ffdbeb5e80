"""Generated corpora → index folders written by the library's own writer (``write_version``).

For another benchmark (e.g. a Milvus one) that wants the same corpus and an index::

    import sys; sys.path.insert(0, "eval")          # or run a script that lives in eval/
    from scale.build import build_generated_index, generate
    pool, chunks = generate(seed=0, n=10_000)      # deterministic plan-like chunks
    build_generated_index("/tmp/idx-10k", chunks)  # hash vectors; SearchEngine.load(...) opens it

``build_generated_index(folder, chunks, encoder="e5-small-q4")`` embeds every chunk for real
(about 11 chunks/s on 2 cores); ``eval/bench_scale.py`` instead passes approximated vectors
(``vectors.chunk_vectors``) to ``write_generated_index``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import scale_corpus as sc

from policy_search.encoders import load_encoder
from policy_search.records import Chunk
from policy_search.search.retrieval import SearchEngine
from policy_search.settings import Settings
from policy_search.store.analysis import Tokenizer
from policy_search.store.index import build_lock, contextual_text, write_version

from .util import EVAL_DIR, proc_status_mb, timed


def generate(seed: int, n: int) -> tuple[sc.SentencePool, list[Chunk]]:
    """The sentence pool of ``seed`` and the first ``n`` generated chunks."""
    pool = sc.build_pool(seed)
    return pool, sc.generate_chunks(n, seed, pool)


def tokenize(chunks: list[Chunk]) -> list[list[str]]:
    """jieba tokens of every chunk's ``contextual_text``, as the library's build indexes them."""
    tokenizer = Tokenizer()
    return [tokenizer.tokenize(contextual_text(c)) for c in chunks]


def write_generated_index(
    folder: str | Path,
    chunks: list[Chunk],
    vectors: np.ndarray,
    settings: Settings,
    tokens: list[list[str]] | None = None,
    dense: Any = None,
    sparse: Any = None,
    seed: int = 0,
) -> Path:
    """Write an index version of generated chunks with ``write_version``; returns the version folder.

    The manifest names no corpus folder (``generated:...`` is never a directory), so the engine
    does not flag the index stale for a missing corpus. Answer sentences are not stored: the
    engine splits them on first use of ``answer``.
    """
    folder = Path(folder)
    docs = Counter(c.doc_id for c in chunks)
    titles = {c.doc_id: c.plan_title for c in chunks}
    manifest = {
        "encoder": {"name": settings.encoder, "dim": int(vectors.shape[1])},
        "corpus_dir": f"generated:eval/scale_corpus.py seed={seed} n={len(chunks)}",
        "documents": [{"doc_id": d, "title": titles[d], "chunks": k} for d, k in docs.items()],
        "counts": {"documents": len(docs), "chunks": len(chunks)},
    }
    with build_lock(folder):
        return write_version(
            folder,
            chunks,
            vectors,
            tokens if tokens is not None else tokenize(chunks),
            settings,
            manifest,
            dense=dense,
            sparse=sparse,
        )


def build_generated_index(
    folder: str | Path, chunks: list[Chunk], encoder: str = "hash", settings: Settings | None = None
) -> Path:
    """Embed ``chunks`` with ``encoder`` (``contextual_text``) and write their index folder."""
    settings = replace(settings or Settings(), encoder=encoder)
    enc = load_encoder(encoder, settings)
    texts = [contextual_text(c) for c in chunks]
    step = settings.batch_size
    vectors = np.concatenate([enc.encode_passages(texts[i : i + step]) for i in range(0, len(texts), step)])
    return write_generated_index(folder, chunks, vectors.astype(np.float32), settings)


def probe(index_dir: str, encoder_name: str) -> None:
    """Run in a fresh process: open the index like the app does, query it, report time and memory."""
    rss0 = proc_status_mb("VmRSS")
    encoder = load_encoder(encoder_name)
    encoder.encode_queries(["知识产权"])  # the model's own load is not the index's
    rss_model = proc_status_mb("VmRSS")
    # importing the index libraries is a fixed cost of the process, whatever the index size
    _, import_s = timed(lambda: (__import__("faiss"), __import__("bm25s")))
    engine, secs = timed(SearchEngine.load, index_dir, encoder)
    rss_loaded = proc_status_mb("VmRSS")
    first = timed(engine.search, "知识产权质押融资", 10, "hybrid")[1]
    for q in ("专利导航", "维权援助中心建设", "知识产权人才培养"):
        engine.search(q, k=10, mode="hybrid")
    out = {
        "import_s": import_s,
        "load_s": secs,
        "first_query_s": first,
        "rss_start_mb": rss0,
        "rss_model_mb": rss_model,
        "rss_loaded_mb": rss_loaded,
        "rss_after_queries_mb": proc_status_mb("VmRSS"),
        "peak_rss_mb": proc_status_mb("VmHWM"),
        "chunks_parsed": getattr(engine.chunks, "materialised", lambda: len(engine.chunks))(),
    }
    print(json.dumps(out))


def run_probe(index_dir: Path, encoder_name: str) -> dict[str, float]:
    out = subprocess.run(
        [
            sys.executable,
            str(EVAL_DIR / "bench_scale.py"),
            "--probe",
            str(index_dir),
            "--encoder",
            encoder_name,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])
