"""A small thread-safe cache of query vectors shared by every browser session."""

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

log = logging.getLogger("policy_search.ui")


# ------------------------------------------------------------------ query-vector cache


class CachedQueryEncoder:
    """Wraps an encoder so repeated queries (per-filter counts, reruns) are encoded once."""

    def __init__(self, encoder: Any, size: int = 512) -> None:
        self._encoder = encoder
        self._size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._encoder, name)

    def encode_queries(self, queries: Sequence[str]) -> np.ndarray:
        with self._lock:
            missing = [q for q in dict.fromkeys(queries) if q not in self._cache]
        if missing:
            vectors = np.asarray(self._encoder.encode_queries(missing), dtype=np.float32)
            with self._lock:
                for q, v in zip(missing, vectors):
                    self._cache[q] = v
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
        with self._lock:
            out = []
            for q in queries:
                if q not in self._cache:  # evicted by another thread meanwhile
                    self._cache[q] = np.asarray(self._encoder.encode_queries([q])[0], dtype=np.float32)
                self._cache.move_to_end(q)
                out.append(self._cache[q])
        return np.stack(out) if out else np.zeros((0, self._encoder.dim), np.float32)
