"""Chunk vectors of the scale benchmark: real e5 vectors of the pool texts, and each chunk's
vector approximated from them (mean + fitted shift + calibrated residual, see ``calibrate``)."""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
from typing import Any

import numpy as np
import scale_corpus as sc
from common import load_queries

from policy_search.encoders import load_encoder
from policy_search.search.glossary import expand_query
from policy_search.search.retrieval import clean_query
from policy_search.settings import Settings
from policy_search.store.index import contextual_text, text_key
from policy_search.store.vectors import safe_name

from .util import CACHE, loadavg, log, pct, timed


def mean_vectors(chunks: list[Any], pool_vecs: np.ndarray) -> np.ndarray:
    """Mean (not normalised) of each chunk's pool-text vectors, in blocks to bound memory."""
    out = np.empty((len(chunks), pool_vecs.shape[1]), np.float32)
    step = 5000
    for start in range(0, len(chunks), step):
        batch = chunks[start : start + step]
        ids = np.fromiter((i for c in batch for i in c.extra["parts"]), np.int64)
        counts = np.fromiter((len(c.extra["parts"]) for c in batch), np.int64, len(batch))
        offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))
        out[start : start + len(batch)] = np.add.reduceat(pool_vecs[ids], offsets, axis=0) / counts[:, None]
    return out


def unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)


def noise(n: int, dim: int, seed: int, first: int = 0) -> np.ndarray:
    """Standard normal rows for chunks first..first+n-1, the same rows whatever the corpus size."""
    block = 1000
    out = np.empty((n, dim), np.float32)
    for b in range(first // block, (first + n - 1) // block + 1 if n else 0):
        rows = np.random.default_rng([seed, b]).standard_normal((block, dim)).astype(np.float32)
        lo, hi = max(first, b * block), min(first + n, (b + 1) * block)
        out[lo - first : hi - first] = rows[lo - b * block : hi - b * block]
    return out


def chunk_vectors(
    chunks: list[Any], pool_vecs: np.ndarray, shift: np.ndarray, sigma: float, seed: int
) -> np.ndarray:
    """Calibrated approximation of each chunk's embedding (see ``calibrate``)."""
    mean = mean_vectors(chunks, pool_vecs) + shift
    if sigma > 0:
        mean += sigma * noise(len(chunks), pool_vecs.shape[1], seed)
    return unit(mean)


def contrast(vectors: np.ndarray) -> float:
    """Mean distance to the others over mean distance to the 10 nearest (higher = easier for ANN)."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, np.nan)
    dist = np.sqrt(np.maximum(0.0, 2 - 2 * sims))
    k = min(10, len(vectors) - 1)
    nearest = np.sort(np.where(np.isnan(dist), np.inf, dist), axis=1)[:, :k].mean(axis=1)
    return float(np.mean(np.nanmean(dist, axis=1) / nearest))


def calibrate(real: np.ndarray, means: np.ndarray, seed: int) -> dict[str, Any]:
    """Fit the approximation on half the sample, report it on the other half.

    approx = unit(mean of the chunk's pool vectors + shift + sigma·z). ``shift`` is the mean
    residual real − mean (a whole-text embedding sits systematically off the mean of its
    sentences); ``sigma`` adds a per-chunk random residual so that the set's relative contrast
    (mean distance / mean distance to the 10 nearest) matches the real embeddings' — without
    it, averaged vectors are smoother than real ones and ANN search looks easier than it is.
    """
    fit, held = np.arange(0, len(real), 2), np.arange(1, len(real), 2)
    shift = (real[fit] - unit(means[fit])).mean(axis=0)
    z = np.random.default_rng([seed, 999_999]).standard_normal(means.shape).astype(np.float32)
    target = contrast(real)
    residual = float(np.linalg.norm(real - unit(means), axis=1).mean()) / math.sqrt(real.shape[1])
    grid = [round(0.05 * i, 2) for i in range(0, 21)]
    fits = {g: contrast(unit(means + shift + g * residual * z)) for g in grid}
    best = min(grid, key=lambda g: abs(fits[g] - target))
    sigma = best * residual
    variants = {
        "plain mean": unit(means),
        "mean + shift": unit(means + shift),
        "calibrated": unit(means + shift + sigma * z),
    }
    quality = {
        name: _approx_quality(real[held], v[held]) | {"contrast": contrast(v)} for name, v in variants.items()
    }
    return {
        "shift_norm": float(np.linalg.norm(shift)),
        "sigma": sigma,
        "sigma_of_residual": best,
        "contrast_real": target,
        "quality": quality,
        "_shift": shift,
    }


def _approx_quality(real: np.ndarray, approx: np.ndarray) -> dict[str, float]:
    cos = np.sum(real * approx, axis=1)
    off = ~np.eye(len(real), dtype=bool)
    sims_real, sims_approx = real @ real.T, approx @ approx.T
    k = min(10, len(real) - 1)
    overlap = []
    for i in range(len(real)):
        a = np.argsort(-np.where(off[i], sims_real[i], -9))[:k]
        b = np.argsort(-np.where(off[i], sims_approx[i], -9))[:k]
        overlap.append(len(set(a) & set(b)) / k)
    return {
        "mean_cos": float(cos.mean()),
        "min_cos": float(cos.min()),
        # does the approximate vector find its own chunk's real vector first, among the half-sample?
        "self_top1": float(np.mean(np.argmax(approx @ real.T, axis=1) == np.arange(len(real)))),
        "neighbour_overlap@10": float(np.mean(overlap)),
        "pairwise_cos_real": float(sims_real[off].mean()),
        "pairwise_cos_approx": float(sims_approx[off].mean()),
    }


def pool_state(args: argparse.Namespace) -> dict[str, Any]:
    """Embed (or load cached) pool texts and queries; measure throughput; calibrate vectors."""
    settings = Settings(encoder=args.encoder)
    encoder = load_encoder(args.encoder, settings)
    pool = sc.build_pool(args.seed)
    state: dict[str, Any] = {"encoder": encoder.name, "pool_size": len(pool.texts)}

    # pool texts: content-hash cache, so a re-run only embeds what changed
    cache_file = CACHE / f"pool-{safe_name(encoder.name)}.npz"
    meta_file = cache_file.with_suffix(".json")
    cached: dict[str, np.ndarray] = {}
    if cache_file.exists():
        with np.load(cache_file) as data:
            cached = {str(k): v for k, v in zip(data["keys"], data["vectors"])}
    keys = [text_key(encoder.name, "passage\x00" + t) for t in pool.texts]
    missing = [i for i, k in enumerate(keys) if k not in cached]
    if missing:
        log(f"embedding {len(missing)} of {len(pool.texts)} pool texts with {encoder.name}")
        vecs, secs = timed(encoder.encode_passages, [pool.texts[i] for i in missing])
        for i, v in zip(missing, vecs):
            cached[keys[i]] = v
        np.savez(cache_file, keys=np.array(list(cached)), vectors=np.stack(list(cached.values())))
        meta = {
            "texts": len(missing),
            "seconds": secs,
            "mean_chars": statistics.fmean(len(pool.texts[i]) for i in missing),
        }
        meta_file.write_text(json.dumps(meta))
        state["pool_embed"] = {**meta, "cached": False}
    else:
        meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
        state["pool_embed"] = {**meta, "cached": True}
    pool_vecs = np.stack([cached[k] for k in keys]).astype(np.float32)

    # real chunk-embedding throughput on a sample of generated chunks (never cached)
    biggest = sc.generate_chunks(max(args.sizes), args.seed, pool)
    sample = random.Random(f"sample-{args.seed}").sample(biggest, min(args.sample, len(biggest)))
    del biggest
    texts = [contextual_text(c) for c in sample]
    encoder.encode_passages(texts[:2])  # load the model outside the timing
    log(f"embedding {len(texts)} sample chunks for throughput (load {loadavg()})")
    real, secs = timed(encoder.encode_passages, texts)
    state["throughput"] = {
        "chunks": len(texts),
        "seconds": secs,
        "chunks_per_s": len(texts) / secs,
        "mean_chars": statistics.fmean(len(t) for t in texts),
        "batch_size": settings.batch_size,
        "load": loadavg(),
    }
    cal = calibrate(real, mean_vectors(sample, pool_vecs), args.seed)
    shift = cal.pop("_shift")
    state["approximation"] = cal

    # queries, as the engine encodes them (cleaned and glossary-expanded)
    queries = [q.query for q in load_queries()]
    qvecs, per_query = [], []
    for q in queries:
        v, s = timed(encoder.encode_queries, [expand_query(clean_query(q))])
        qvecs.append(v[0])
        per_query.append(s * 1000)
    state["query_encode_ms"] = {"p50": pct(per_query, 50), "p95": pct(per_query, 95)}
    state["queries"] = len(queries)
    np.savez(
        CACHE / "state.npz",
        pool_vecs=pool_vecs,
        query_vecs=np.stack(qvecs).astype(np.float32),
        pool_keys=np.array([text_key("pool", t) for t in pool.texts]),
        shift=shift.astype(np.float32),
        sigma=np.float32(cal["sigma"]),
    )
    return state
