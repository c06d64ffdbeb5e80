"""Build, save and open the search index (dense FAISS + sparse BM25 + chunks + manifest).

Layout of an index folder::

    index/
      CURRENT              name of the live version folder (replaced atomically)
      v-<time>-<pid>/      manifest.json, chunks.jsonl + chunks.columns.npz (chunkstore.py),
                           dense.faiss, bm25/, term stats, answer sentences
      cache/<encoder>/     content-hash → vector shards, so unchanged chunks are not re-embedded
      .build.lock          held while a build runs

A build writes a new version folder and only then points CURRENT at it, so a crash or
Ctrl-C mid-build leaves the previous index usable. The manifest stores the settings,
encoder, tokenizer dictionary and corpus fingerprint, so every reader searches the index
the way it was built.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..ingest.corpus import Corpus, corpus_files, load_corpus
from ..ingest.metadata import CATALOG_NAME
from ..ingest.version import ingest_version
from ..records import Chunk, Skipped
from ..search.relevance import TermStats, save_term_stats
from ..settings import Settings
from .chunkstore import CHUNKS as CHUNKS  # re-exported: the chunk records file name
from .chunkstore import ChunkStoreError, read_chunks
from .vectors import Progress, VectorCache, _embed, cached_vectors, safe_name

INDEX_FORMAT = 1
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
DENSE = "dense.faiss"
SPARSE = "bm25"


class EmptyCorpus(ValueError):
    """The corpus folder holds no indexable document; nothing was written."""


class IndexNotReady(Exception):
    """The index is missing or damaged; the message says which file and what to run."""


class BuildLocked(Exception):
    """Another build holds the lock on this index folder."""


@dataclass
class BuildReport:
    index_dir: str
    encoder: str
    documents: int = 0
    chunks: int = 0
    embedded: int = 0  # chunks whose vectors were computed in this build
    reused: int = 0  # chunks whose vectors came from the cache
    sentences_embedded: int = 0  # answer sentences embedded in this build (the rest were cached)
    reembedded_docs: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"index: {self.index_dir} (encoder {self.encoder})",
            f"documents: {self.documents}   chunks: {self.chunks}",
            f"embedded: {self.embedded} chunks"
            + (f" from {', '.join(self.reembedded_docs)}" if self.reembedded_docs else "")
            + f"   reused from cache: {self.reused}",
        ]
        lines += [f"skipped {s}" for s in self.skipped]
        lines += [f"note: {n}" for n in self.notes]
        lines.append(f"seconds: {self.seconds:.1f}")
        return "\n".join(lines)


# ------------------------------------------------------------------ text that gets indexed


def contextual_text(chunk: Chunk) -> str:
    """Section path · task title, then the text — what both retrievers index.

    Headings carry words the task text leaves out (宣传, 执法 …), so they count. The plan title
    is left out on purpose: measured on the dev queries, prefixing every chunk with it made
    all chunks of a plan look alike to the encoder (dense nDCG@10 0.747 → 0.718); plan names
    (山东, 红桥, 国家局, 2015年) are handled by the region/year boost in retrieval instead.
    """
    header = " · ".join(p for p in (" › ".join(chunk.section), chunk.title) if p)
    return f"{header}\n{chunk.text}" if header else chunk.text


def manifest_documents(corpus: Corpus) -> list[dict[str, Any]]:
    """The manifest's row per document (id, path, title, fingerprint, chunk count), counted in
    one pass over the chunks; every backend's build writes the same rows."""
    counts = Counter(c.doc_id for c in corpus.chunks)
    return [
        {
            "doc_id": d.doc_id,
            "path": d.path,
            "title": d.title,
            "fingerprint": d.fingerprint,
            "chunks": counts[d.doc_id],
        }
        for d in corpus.documents
    ]


def text_key(encoder_name: str, text: str) -> str:
    return hashlib.sha256(f"{encoder_name}\x00{text}".encode()).hexdigest()


def corpus_fingerprint(corpus_dir: str | Path) -> str:
    """Hash of every corpus file's name and bytes, plus the catalog and the ingestion version."""
    corpus_dir = Path(corpus_dir)
    h = hashlib.sha256(f"ingest:{ingest_version()}".encode())
    files = corpus_files(corpus_dir) if corpus_dir.is_dir() else []
    catalog = corpus_dir / CATALOG_NAME
    for path in [*files, catalog] if catalog.exists() else files:
        h.update(path.relative_to(corpus_dir).as_posix().encode())
        if path.is_symlink() or not path.is_file():  # skipped by the build; never read (FIFOs block)
            continue
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


# ------------------------------------------------------------------ build


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    lock_path = index_dir / ".build.lock"
    with open(lock_path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked(
                f"{lock_path}: another build of this index is running; wait for it to finish"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def make_dense_index(vectors: np.ndarray, settings: Settings) -> Any:
    """Exact inner product up to ``exact_max_vectors``, HNSW above it."""
    import faiss

    dim = vectors.shape[1]
    if len(vectors) <= settings.exact_max_vectors:
        index = faiss.IndexFlatIP(dim)
    else:
        index = faiss.IndexHNSWFlat(dim, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = settings.hnsw_ef_construction
        index.hnsw.efSearch = settings.hnsw_ef_search
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def make_sparse_index(token_lists: list[list[str]], settings: Settings) -> Any:
    import bm25s

    retriever = bm25s.BM25(k1=settings.bm25_k1, b=settings.bm25_b, method=settings.bm25_method)
    retriever.index(token_lists, show_progress=False)
    return retriever


def build_index(
    corpus_dir: str | Path = "corpus",
    index_dir: str | Path = "index",
    settings: Settings | None = None,
    encoder: Any = None,
    progress: Progress | bool = False,
) -> BuildReport:
    """Build or update the index from ``corpus_dir``; only new or changed text is embedded."""
    from ..encoders import load_encoder
    from .analysis import Tokenizer

    started = time.perf_counter()
    settings = settings or Settings()
    index_dir = Path(index_dir)
    encoder = encoder or load_encoder(settings.encoder, settings)
    if encoder.name != settings.encoder:
        from dataclasses import replace

        settings = replace(settings, encoder=encoder.name)
    with build_lock(index_dir):
        corpus = load_corpus(corpus_dir, settings)
        report = BuildReport(str(index_dir), encoder.name, skipped=corpus.skipped, notes=corpus.notes)
        chunks = corpus.chunks
        if not chunks:
            skipped = (
                f"; {len(corpus.skipped)} file(s) skipped, first: {corpus.skipped[0]}"
                if corpus.skipped
                else ""
            )
            raise EmptyCorpus(f"{corpus_dir}: no documents to index{skipped}")
        texts = [contextual_text(c) for c in chunks]
        keys = [text_key(encoder.name, t) for t in texts]
        cache_root = index_dir / "cache"
        cached, missing = cached_vectors(encoder, texts, keys, cache_root, settings.batch_size, progress)
        report.embedded, report.reused = len(missing), len(chunks) - len(missing)
        report.reembedded_docs = sorted({chunks[i].doc_id for i in missing})
        cache = VectorCache(index_dir / "cache" / safe_name(encoder.name))
        dim = encoder.dim
        vectors = np.stack([cached[k] for k in keys]) if keys else np.zeros((0, dim), np.float32)
        tokenizer = Tokenizer()
        tokens = [tokenizer.tokenize(t) for t in texts]
        from ..answers.evidence import build_sentences  # answer sentences and their vectors

        sentence_cache = index_dir / "cache" / f"{safe_name(encoder.name)}-sentences"
        sentences, report.sentences_embedded = build_sentences(
            chunks, encoder, sentence_cache, settings.batch_size, _embed, text_key
        )
        report.documents, report.chunks = len(corpus.documents), len(chunks)
        manifest = {
            "encoder": {"name": encoder.name, "dim": dim},
            "corpus_dir": str(corpus_dir),
            "corpus_fingerprint": corpus_fingerprint(corpus_dir),
            "documents": manifest_documents(corpus),
            "skipped": [{"path": s.path, "reason": s.reason} for s in corpus.skipped],
            "notes": list(corpus.notes),  # what a limit cut, per file (shown on the corpus page)
            "counts": {"documents": report.documents, "chunks": report.chunks},
        }
        write_version(index_dir, chunks, vectors, tokens, settings, manifest, sentences, started)
        report.seconds = time.perf_counter() - started
        if len(cached) > 2 * max(len(keys), 1):
            cache.compact({k: cached[k] for k in keys})
    return report


def write_version(
    index_dir: Path,
    chunks: Sequence[Chunk],
    vectors: np.ndarray,
    tokens: list[list[str]],
    settings: Settings,
    manifest: dict[str, Any],
    sentences: Any = None,
    started: float | None = None,
    dense: Any = None,
    sparse: Any = None,
) -> Path:
    """Write one complete version folder and make it the live one; returns the folder.

    ``vectors`` and ``tokens`` are one row per chunk (``contextual_text``); ``manifest`` holds
    the caller's fields (encoder, corpus, documents, counts), to which the format, code and
    tokenizer versions, settings and dense index kind are added. ``sentences`` (a
    ``SentenceStore``) is optional: without it the engine splits answer sentences on first use.
    ``dense`` / ``sparse``: FAISS and BM25 indexes already built over ``vectors`` / ``tokens``
    (else built here with ``make_dense_index`` / ``make_sparse_index``). The caller holds
    ``build_lock``. Used by ``build_index`` and by eval/scale (generated corpora).
    """
    import faiss

    from .analysis import dictionary_fingerprint
    from .chunkstore import write_chunks

    started = time.perf_counter() if started is None else started
    version = index_dir / f"v-{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}"
    version.mkdir(parents=True)
    dense = make_dense_index(vectors, settings) if dense is None else dense
    faiss.write_index(dense, str(version / DENSE))
    (make_sparse_index(tokens, settings) if sparse is None else sparse).save(str(version / SPARSE))
    save_term_stats(version, TermStats.from_tokens(tokens))  # IDF for relevance and answers
    if sentences is not None:
        sentences.save(version)
    write_chunks(version, chunks)
    manifest = {
        "format": INDEX_FORMAT,
        "ingest_version": ingest_version(),
        "settings": settings.to_dict(),
        "tokenizer": {"name": "jieba", "dictionary": dictionary_fingerprint()},
        **manifest,
        "dense_index": "hnsw" if hasattr(dense, "hnsw") else "flat-ip",
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_seconds": round(time.perf_counter() - started, 3),
    }
    (version / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    _fsync_tree(version)
    _point_current(index_dir, version.name)
    _prune_versions(index_dir)
    return version


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())


def _point_current(index_dir: Path, version_name: str) -> None:
    tmp = index_dir / f".{CURRENT}.tmp-{os.getpid()}"
    tmp.write_text(version_name + "\n", encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / CURRENT)  # atomic: readers see the old or the new version


def _prune_versions(index_dir: Path) -> None:
    """Keep the live version and the one before it (a reader may still be opening it)."""
    versions = sorted(p for p in index_dir.glob("v-*") if p.is_dir())
    live = current_version(index_dir)
    keep = {live.name} if live else set()
    older = [v for v in versions if v.name not in keep]
    if older:
        keep.add(older[-1].name)
    for v in versions:
        if v.name not in keep:
            shutil.rmtree(v, ignore_errors=True)


# ------------------------------------------------------------------ open


def current_version(index_dir: str | Path) -> Path | None:
    index_dir = Path(index_dir)
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return index_dir / name if name else None


def read_manifest(index_dir: str | Path) -> dict[str, Any]:
    """The live manifest; raises ``IndexNotReady`` naming the missing or damaged file."""
    version = current_version(index_dir)
    hint = "run `policy-search build` to build it"
    if version is None or not version.is_dir():
        raise IndexNotReady(f"{index_dir}: no search index found; {hint}")
    path = version / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexNotReady(f"{path}: missing; {hint}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexNotReady(f"{path}: damaged ({exc.__class__.__name__}); {hint}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != INDEX_FORMAT:
        raise IndexNotReady(f"{path}: not an index of format {INDEX_FORMAT}; {hint}")
    return manifest


@dataclass
class LoadedIndex:
    """Everything a search engine needs, read from one index version."""

    path: Path
    manifest: dict[str, Any]
    settings: Settings
    chunks: Sequence[Chunk]  # a lazy ``ChunkTable`` (or a list for an index built before it)
    dense: Any
    sparse: Any


def open_index(index_dir: str | Path) -> LoadedIndex:
    import bm25s
    import faiss

    manifest = read_manifest(index_dir)
    version = current_version(index_dir)
    assert version is not None
    hint = "run `policy-search build` to rebuild it"
    try:
        chunks = read_chunks(version)
    except ChunkStoreError as exc:
        raise IndexNotReady(f"{exc}; {hint}") from None
    dense_path = version / DENSE
    try:
        dense = faiss.read_index(str(dense_path))
    except (RuntimeError, OSError) as exc:
        reason = "missing" if not dense_path.exists() else f"damaged ({str(exc).splitlines()[0][:80]})"
        raise IndexNotReady(f"{dense_path}: {reason}; {hint}") from None
    sparse_path = version / SPARSE
    try:
        sparse = bm25s.BM25.load(str(sparse_path))
    except Exception as exc:  # bm25s raises many kinds on damaged files
        reason = "missing" if not sparse_path.exists() else f"damaged ({exc.__class__.__name__})"
        raise IndexNotReady(f"{sparse_path}: {reason}; {hint}") from None
    n_sparse = int(sparse.scores["num_docs"]) if hasattr(sparse, "scores") else len(chunks)
    if dense.ntotal != len(chunks) or n_sparse != len(chunks):
        raise IndexNotReady(
            f"{version}: parts disagree ({len(chunks)} chunks, {dense.ntotal} vectors, "
            f"{n_sparse} BM25 documents); {hint}"
        )
    settings = Settings.from_dict(manifest.get("settings", {}))
    return LoadedIndex(version, manifest, settings, chunks, dense, sparse)
