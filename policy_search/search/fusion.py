"""Ranking scores of one candidate set: weighted min-max fusion or reciprocal-rank fusion."""

from __future__ import annotations

import numpy as np

from ..settings import Settings


def fuse_scores(dense: np.ndarray | None, keyword: np.ndarray | None, settings: Settings) -> np.ndarray:
    """Ranking scores of one candidate set from whichever retrievers ran (see module docstring)."""
    if keyword is None:
        return _minmax(dense)
    if dense is None:
        return _minmax(keyword)
    if settings.fusion == "rrf":
        fused = _rrf(dense, settings.rrf_k) + _rrf(keyword, settings.rrf_k)
        return fused / fused.max()
    if settings.fusion != "weighted":
        raise ValueError(f"fusion {settings.fusion!r} is not one of weighted, rrf")
    w = settings.dense_weight
    return w * _minmax(dense) + (1 - w) * _minmax(keyword)


def _top_indices(values: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` largest values, best first (argpartition: O(N), not a full sort)."""
    if n >= len(values):
        return np.argsort(-values, kind="stable")
    part = np.argpartition(-values, n - 1)[:n]
    return part[np.argsort(-values[part], kind="stable")]


def _minmax(values: np.ndarray) -> np.ndarray:
    values = values.astype(np.float64)
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-12:
        return np.ones_like(values) if hi > 0 else np.zeros_like(values)
    return (values - lo) / (hi - lo)


def _rrf(values: np.ndarray, k: int) -> np.ndarray:
    """Reciprocal rank of each value within the candidate set: 1 / (k + rank)."""
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.arange(1, len(values) + 1)
    return 1.0 / (k + ranks)
