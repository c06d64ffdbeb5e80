"""The storage seam: what retrieval needs from an index, whatever engine holds it.

Everything above this seam — query cleaning, Traditional→Simplified, the glossary, jieba
tokenisation, the encoder, fusion, boosts, names, relevance and answers — is the same Python
for every backend. A backend only stores chunks, their vectors and their jieba tokens, and
answers the questions below. Chunks are addressed by *position*: the row of the chunk in
``backend.chunks`` (the corpus order of the build), so ties break the same way everywhere.

Backends: ``embedded`` (FAISS + bm25s in this process, ``embedded.py``, the default) and
``milvus`` (``milvus.py``: milvus-lite, Milvus standalone or a cluster).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from ..ingest.version import ingest_version
from ..records import Chunk

if TYPE_CHECKING:
    from ..search.filters import Filters
    from ..search.relevance import TermStats
    from ..settings import Settings

BACKENDS = ("embedded", "milvus")


@dataclass(frozen=True)
class Scored:
    """Candidates of one retriever: positions, best first, with their raw scores."""

    positions: np.ndarray  # int64
    scores: np.ndarray  # float32: BM25 (positive) or cosine

    @classmethod
    def empty(cls) -> Scored:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.float32))


@dataclass(frozen=True)
class IndexInfo:
    """What the engine reads about an opened index besides its chunks."""

    path: Path | str  # the version folder, or ``milvus:URI#collection``
    manifest: dict[str, Any] = field(hash=False)
    settings: Settings


@runtime_checkable
class Backend(Protocol):
    name: str
    info: IndexInfo
    chunks: list[Chunk]

    def keyword_candidates(self, tokens: list[str], n: int, filters: Filters | None) -> Scored:
        """Up to ``n`` chunks passing ``filters`` with a positive BM25 score, best first."""
        ...

    def keyword_scores(self, tokens: list[str], positions: np.ndarray) -> np.ndarray:
        """BM25 of the given chunks (0 where no query token occurs)."""
        ...

    def dense_candidates(self, qvec: np.ndarray, n: int, filters: Filters | None) -> Scored:
        """Up to ``n`` chunks passing ``filters`` by inner product with ``qvec``, best first."""
        ...

    def dense_scores(self, qvec: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Exact inner products of the given chunks with ``qvec``."""
        ...

    def filter_mask(self, filters: Filters) -> np.ndarray:
        """Which positions pass ``filters`` (bool, one per chunk)."""
        ...

    def chunk(self, chunk_id: str) -> Chunk: ...

    def term_stats(self) -> TermStats | None:
        """Document frequencies stored at build time, or None (the engine computes them)."""
        ...


@runtime_checkable
class WritableBackend(Backend, Protocol):
    """A backend updated in place by chunk id (Milvus). The embedded index is instead written
    as a whole new version folder by ``build_index`` and swapped in atomically."""

    def upsert(self, chunks: list[Chunk], vectors: np.ndarray, tokens: list[list[str]]) -> None: ...

    def delete(self, chunk_ids: list[str]) -> None: ...


def stale_reason(manifest: dict[str, Any], corpus: Path, rebuild: str) -> str:
    """Why an index no longer matches the code, corpus or dictionary ('' when it does)."""
    from .analysis import dictionary_fingerprint
    from .index import corpus_fingerprint

    if manifest.get("ingest_version") != ingest_version():
        return f"the index was built by other ingestion code (chunking, metadata, targets); run `{rebuild}`"
    if corpus.is_dir() and corpus_fingerprint(corpus) != manifest.get("corpus_fingerprint"):
        return f"{corpus} changed since the index was built; run `{rebuild}`"
    if manifest.get("tokenizer", {}).get("dictionary") != dictionary_fingerprint():
        return f"the tokenizer dictionary changed since the index was built; run `{rebuild}`"
    return ""


def apply_threads(threads: int) -> int:
    """Threads per query for FAISS (OpenMP) and every loaded BLAS (numpy's and FAISS's OpenBLAS):
    ``threads``, or (0) one on machines with two cores or fewer, else the libraries' defaults.

    Applied process-wide when an engine opens; returns the number set (0: left alone). On
    2 cores, FAISS and BLAS threads fighting doubled exact hybrid latency at 100k chunks.
    """
    import os

    import faiss
    from threadpoolctl import threadpool_limits

    n = threads if threads > 0 else (1 if (os.cpu_count() or 1) <= 2 else 0)
    if n > 0:
        faiss.omp_set_num_threads(n)
        threadpool_limits(limits=n, user_api="blas")  # not used as a context manager: stays set
    return n
