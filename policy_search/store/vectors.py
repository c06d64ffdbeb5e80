"""Content-hash → vector cache shared by every backend's build, and batched embedding."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

Progress = Callable[[int, int], None]


def safe_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)[:100]


class VectorCache:
    """Content-hash → vector shards on disk, one folder per encoder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def load(self) -> dict[str, np.ndarray]:
        vectors: dict[str, np.ndarray] = {}
        if not self.folder.is_dir():
            return vectors
        for shard in sorted(self.folder.glob("shard-*.npz")):
            try:
                with np.load(shard) as data:
                    for key, vec in zip(data["keys"], data["vectors"]):
                        vectors[str(key)] = vec
            except (OSError, ValueError, KeyError):
                shard.unlink(missing_ok=True)  # a damaged shard only costs re-embedding
        return vectors

    def add(self, keys: list[str], vectors: np.ndarray) -> None:
        if not keys:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"shard-{time.time_ns()}-{os.getpid()}.npz"
        tmp = self.folder / f".{name}.tmp"
        with open(tmp, "wb") as fh:
            np.savez(fh, keys=np.array(keys), vectors=vectors.astype(np.float32))
        os.replace(tmp, self.folder / name)

    def compact(self, keep: dict[str, np.ndarray]) -> None:
        """Rewrite the cache as one shard holding only ``keep`` (drops vectors of deleted text)."""
        old = list(self.folder.glob("shard-*.npz"))
        keys = list(keep)
        self.add(keys, np.stack([keep[k] for k in keys]) if keys else np.zeros((0, 1), np.float32))
        for shard in old:
            shard.unlink(missing_ok=True)


def _embed(
    encoder: Any, texts: list[str], batch_size: int, progress: Progress | bool
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (start, vectors) per batch, reporting progress as a tqdm bar or a callback."""
    bar = None
    if progress is True:
        from tqdm import tqdm

        bar = tqdm(total=len(texts), unit="chunk", desc="embedding", leave=False)
    for start in range(0, len(texts), batch_size):
        batch = texts[start : start + batch_size]
        yield start, encoder.encode_passages(batch)
        if bar is not None:
            bar.update(len(batch))
        elif callable(progress):
            progress(min(start + batch_size, len(texts)), len(texts))
    if bar is not None:
        bar.close()


def cached_vectors(
    encoder: Any,
    texts: list[str],
    keys: list[str],
    cache_root: Path,
    batch_size: int,
    progress: Progress | bool,
) -> tuple[dict[str, np.ndarray], list[int]]:
    """Vectors of ``texts`` by content key, embedding (and caching) only the missing ones."""
    cache = VectorCache(cache_root / safe_name(encoder.name))
    cached = cache.load()
    missing = [i for i, k in enumerate(keys) if k not in cached]
    pending_keys: list[str] = []
    pending_vecs: list[np.ndarray] = []
    missing_texts = [texts[i] for i in missing]
    for start, vecs in _embed(encoder, missing_texts, batch_size, progress):
        for j, vec in enumerate(vecs):
            cached[keys[missing[start + j]]] = vec
            pending_keys.append(keys[missing[start + j]])
            pending_vecs.append(vec)
        if len(pending_keys) >= 2048:  # checkpoint: an interrupted build keeps its work
            cache.add(pending_keys, np.stack(pending_vecs))
            pending_keys, pending_vecs = [], []
    if pending_keys:
        cache.add(pending_keys, np.stack(pending_vecs))
    return cached, missing
