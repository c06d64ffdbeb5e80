"""The default backend: FAISS (dense) + bm25s (BM25) in this process, from an index folder.

Vectors are held once: ``vectors`` is a read-only view of the FAISS index's own storage (no
``reconstruct_n`` copy). Filters are vectorised over columns read at load (``FilterColumns``);
chunks are parsed on first access (``chunkstore.ChunkTable``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..records import Chunk
from ..search.filters import FilterColumns, Filters
from ..search.fusion import _top_indices
from ..search.relevance import TermStats, load_term_stats
from .backend import IndexInfo, Scored, apply_threads
from .chunkstore import chunk_ids, filter_columns
from .index import LoadedIndex, open_index

BRUTE_FORCE_FILTERED = 50_000  # filtered dense search scores allowed chunks directly up to here
MAX_MASKS = 64


def faiss_vectors(dense: Any) -> np.ndarray:
    """The vectors stored in a flat or HNSW-flat FAISS index, as a view (not a copy)."""
    import faiss

    n, d = dense.ntotal, dense.d
    if n == 0:
        return np.zeros((0, d), np.float32)
    storage = faiss.downcast_index(dense.storage) if hasattr(dense, "storage") else dense
    if not hasattr(storage, "get_xb"):  # another index type: fall back to a copy
        return dense.reconstruct_n(0, n)
    view = faiss.rev_swig_ptr(storage.get_xb(), n * d).reshape(n, d)
    view.flags.writeable = False
    return view


class EmbeddedBackend:
    name = "embedded"

    def __init__(self, loaded: LoadedIndex) -> None:
        self.loaded = loaded
        self.info = IndexInfo(loaded.path, loaded.manifest, loaded.settings)
        self.chunks: Sequence[Chunk] = loaded.chunks
        self.threads = apply_threads(loaded.settings.threads)
        self.vectors = faiss_vectors(loaded.dense)
        self.columns: FilterColumns = filter_columns(self.chunks)  # read at open, not from the chunks
        self._positions = {cid: i for i, cid in enumerate(chunk_ids(self.chunks))}
        self._masks: dict[Filters, np.ndarray] = {}
        self._last_keyword: tuple[tuple[str, ...], np.ndarray] | None = None

    @classmethod
    def open(cls, index_dir: str | Path) -> EmbeddedBackend:
        return cls(open_index(index_dir))

    # -------------------------------------------------------------- reads

    def filter_mask(self, filters: Filters) -> np.ndarray:
        mask = self._masks.get(filters)
        if mask is None:
            mask = self.columns.mask(filters)
            if len(self._masks) > MAX_MASKS:
                self._masks.clear()
            self._masks[filters] = mask
        return mask

    def _allowed(self, filters: Filters | None) -> np.ndarray | None:
        return None if filters is None or filters.is_empty() else self.filter_mask(filters)

    def all_keyword_scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 of every chunk; the last query's scores are kept (candidates, then their scores)."""
        key = tuple(tokens)
        if self._last_keyword is not None and self._last_keyword[0] == key:
            return self._last_keyword[1]
        if not tokens or not self.chunks:
            scores = np.zeros(len(self.chunks), np.float32)
        else:
            scores = np.asarray(self.loaded.sparse.get_scores(tokens), dtype=np.float32)
        self._last_keyword = (key, scores)
        return scores

    def keyword_candidates(self, tokens: list[str], n: int, filters: Filters | None) -> Scored:
        scores = self.all_keyword_scores(tokens)
        allowed = self._allowed(filters)
        masked = scores if allowed is None else np.where(allowed, scores, -1.0)
        top = np.asarray([i for i in _top_indices(masked, n) if masked[i] > 0], dtype=np.int64)
        return Scored(top, scores[top])

    def keyword_scores(self, tokens: list[str], positions: np.ndarray) -> np.ndarray:
        return self.all_keyword_scores(tokens)[positions]

    def dense_scores(self, qvec: np.ndarray, positions: np.ndarray) -> np.ndarray:
        return self.vectors[positions] @ qvec

    def dense_candidates(self, qvec: np.ndarray, n: int, filters: Filters | None) -> Scored:
        """Top ``n`` allowed chunks by cosine; widens the FAISS search until enough pass the filter."""
        dense = self.loaded.dense
        total = dense.ntotal
        allowed = self._allowed(filters)
        if total == 0 or n <= 0:
            return Scored.empty()
        if allowed is not None and int(allowed.sum()) <= BRUTE_FORCE_FILTERED:
            # a filter leaves few chunks: exact cosine over just those beats widening the ANN search
            ids = np.flatnonzero(allowed)
            scores = self.vectors[ids] @ qvec
            top = _top_indices(scores, min(n, len(ids)))
            return Scored(ids[top].astype(np.int64), scores[top])
        want = min(n, total if allowed is None else int(allowed.sum()))
        fetch = min(total, max(n, 16))
        while True:
            sims, ids = dense.search(qvec.reshape(1, -1), fetch)
            keep = [j for j, i in enumerate(ids[0]) if i >= 0 and (allowed is None or allowed[i])]
            if len(keep) >= want or fetch >= total:
                keep = keep[:n]
                return Scored(ids[0][keep].astype(np.int64), sims[0][keep].astype(np.float32))
            fetch = min(total, fetch * 4)

    def chunk(self, chunk_id: str) -> Chunk:
        return self.chunks[self._positions[chunk_id]]

    def position(self, chunk_id: str) -> int:
        return self._positions[chunk_id]

    def term_stats(self) -> TermStats | None:
        return load_term_stats(Path(self.loaded.path))
