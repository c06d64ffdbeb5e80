"""The Milvus backend: one collection per index (milvus-lite, Milvus standalone or a cluster).

Schema: the chunk id is the primary key; ``vector`` the passage vector (IP; HNSW on a server,
FLAT on milvus-lite); ``tokens`` the project's own jieba tokens, each written as a fixed ASCII
code (``t`` + 16 hex digits) so Milvus's ``standard`` analyzer keeps every token whole and
BM25 counts exactly the project's tokens, on lite and server alike; ``sparse`` is the BM25
function's output; scalar columns for every filter. The manifest (settings, encoder, corpus
fingerprint, ingest version, document order) and term statistics live in a small companion
collection ``<name>__meta``, so staleness works as with an index folder.

Traps (milvus-lite 3.2.2, pymilvus 3.0.2): BM25 distances come back negated; index params are
honoured only nested (``params={"params": {...}}``); BM25 statistics are per segment (per shard
on a server); ``LIKE`` does not work on arrays (unit and region substrings are expanded to the
known values first); a reopened collection must be loaded; Milvus's BM25 is (k1 + 1) × the
Lucene form bm25s computes (rescaled here).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..records import Chunk
from ..search.filters import NO_YEAR, Filters, year_columns
from ..search.relevance import TermStats
from .backend import IndexInfo, Scored
from .index import IndexNotReady

META_SUFFIX = "__meta"
PIECE = 16_000  # characters per stored piece of a meta value (VARCHAR limit is 65,535 bytes)
MAX_TEXT = 65_535
BATCH = 256


@dataclass(frozen=True)
class MilvusTarget:
    uri: str  # a milvus-lite file (x.db) or http://host:19530
    token: str = ""
    collection: str = "policy_search"

    @property
    def is_lite_file(self) -> bool:
        return not self.uri.startswith(("http://", "https://", "tcp://", "grpc://"))

    def label(self) -> str:
        return f"milvus:{self.uri}#{self.collection}"


def target_from_env(env: dict[str, str] | None = None) -> MilvusTarget | None:
    """``POLICY_SEARCH_MILVUS_URI`` (+ ``POLICY_SEARCH_MILVUS_TOKEN``, ``POLICY_SEARCH_COLLECTION``)."""
    import os

    env = os.environ if env is None else env
    uri = env.get("POLICY_SEARCH_MILVUS_URI", "")
    if not uri:
        return None
    return MilvusTarget(
        uri, env.get("POLICY_SEARCH_MILVUS_TOKEN", ""), env.get("POLICY_SEARCH_COLLECTION") or "policy_search"
    )


def connect(target: MilvusTarget) -> Any:
    try:
        from pymilvus import MilvusClient
    except ImportError:  # pragma: no cover - depends on the extra
        raise IndexNotReady("the milvus backend needs `pip install policy_search[milvus]`") from None
    try:
        return MilvusClient(uri=target.uri, token=target.token, timeout=10)
    except Exception as exc:  # pymilvus raises MilvusException, grpc errors, OSError …
        first = str(exc).splitlines()[0][:160] if str(exc) else exc.__class__.__name__
        raise IndexNotReady(f"{target.label()}: cannot connect to Milvus ({first})") from None


def token_code(token: str) -> str:
    return "t" + hashlib.blake2b(token.encode(), digest_size=8).hexdigest()


def token_text(tokens: list[str]) -> str:
    return " ".join(token_code(t) for t in tokens)


def _literal(value: str) -> str:
    """A Milvus string literal: user input escaped (quotes, backslashes, control characters)."""
    return json.dumps(value, ensure_ascii=False)


def _in(field: str, values: list[str]) -> str:
    return f"{field} in [{', '.join(_literal(v) for v in values)}]"


def expression(filters: Filters, regions: list[str], units: list[str]) -> str | None:
    """The Milvus filter for ``filters`` ('' = everything, None = nothing can pass).

    Substring filters are expanded to the known regions / units first (``LIKE`` does not work
    on array fields, and the expansion keeps both substring rules identical to ``Filters``)."""
    parts: list[str] = []
    if filters.regions:
        known = [r for r in regions if any(q and q in r for q in filters.regions)]
        if not known:
            return None
        parts.append(_in("region", known))
    if filters.levels:
        parts.append(_in("level", list(filters.levels)))
    if filters.year_min is not None or filters.year_max is not None:
        parts.append(f"first_year != {NO_YEAR}")
        if filters.year_min is not None:
            parts.append(f"last_year >= {int(filters.year_min)}")
        if filters.year_max is not None:
            parts.append(f"first_year <= {int(filters.year_max)}")
    if filters.doc_ids:
        parts.append(_in("doc_id", list(filters.doc_ids)))
    if filters.unit:
        known = [u for u in units if filters.unit in u]
        if not known:
            return None
        parts.append(f"ARRAY_CONTAINS_ANY(units, [{', '.join(_literal(u) for u in known)}])")
    if filters.has_target:
        parts.append("has_target == true")
    if filters.kinds:
        parts.append(_in("kind", list(filters.kinds)))
    return " and ".join(f"({p})" for p in parts)


def chunk_row(chunk: Chunk, seq: int, vector: np.ndarray, tokens: list[str]) -> dict[str, Any]:
    data = json.dumps(chunk.to_dict(), ensure_ascii=False)
    text = token_text(tokens)[:MAX_TEXT]
    first, last = year_columns(chunk)
    digest = hashlib.sha256(f"{data}\x00{text}\x00".encode() + np.asarray(vector, np.float32).tobytes())
    return {
        "chunk_id": chunk.chunk_id,
        "vector": np.asarray(vector, np.float32).tolist(),
        "tokens": text,
        "region": chunk.region,
        "level": chunk.level,
        "first_year": first,
        "last_year": last,
        "doc_id": chunk.doc_id,
        "units": list(chunk.units)[:256],
        "has_target": bool(chunk.has_target),
        "kind": chunk.kind,
        "seq": seq,
        "chunk": data,
        "digest": digest.hexdigest(),
    }


class MilvusBackend:
    name = "milvus"
    rebuild_command = "policy-search build --backend milvus"

    def __init__(self, client: Any, target: MilvusTarget, manifest: dict[str, Any], terms: TermStats | None):
        from ..settings import Settings

        self.client, self.target = client, target
        self.info = IndexInfo(target.label(), manifest, Settings.from_dict(manifest.get("settings", {})))
        self._terms = terms
        order = {d["doc_id"]: i for i, d in enumerate(manifest.get("documents", []))}
        rows = [
            r
            for r in iterate(client, target.collection, "", ["chunk_id", "chunk", "doc_id", "seq"])
            if r["doc_id"] in order
        ]
        rows.sort(key=lambda r: (order[r["doc_id"]], r["seq"]))
        self.chunks: list[Chunk] = [Chunk.from_dict(json.loads(r["chunk"])) for r in rows]
        self._positions = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self._regions = sorted({c.region for c in self.chunks})
        self._units = sorted({u for c in self.chunks for u in c.units})
        self._masks: dict[Filters, np.ndarray] = {}
        # Milvus's BM25 is (k1 + 1) × Lucene's (the form bm25s computes): same ranking, rescaled
        # so hits report the same keyword score on both backends
        self._bm25_scale = 1.0 / (1.0 + self.info.settings.bm25_k1)
        self._search_params = (
            {"metric_type": "IP"}
            if manifest.get("dense_index") == "flat-ip"
            else {"metric_type": "IP", "params": {"ef": self.info.settings.hnsw_ef_search}}
        )

    @classmethod
    def open(cls, target: MilvusTarget) -> MilvusBackend:
        client = connect(target)
        hint = f"run `policy-search build --backend milvus --milvus-uri {target.uri}`"
        if not client.has_collection(target.collection):
            raise IndexNotReady(f"{target.label()}: no such collection; {hint}")
        meta = read_meta(client, target.collection)
        if "manifest" not in meta:
            raise IndexNotReady(f"{target.label()}: no manifest stored with the collection; {hint}")
        client.load_collection(target.collection)  # a reopened collection must be loaded
        terms = TermStats.from_dict(meta["terms"]) if "terms" in meta else None
        return cls(client, target, meta["manifest"], terms)

    # -------------------------------------------------------------- reads

    def _expr(self, filters: Filters | None) -> str | None:
        return (
            "" if filters is None or filters.is_empty() else expression(filters, self._regions, self._units)
        )

    def _search(
        self, data: Any, field: str, n: int, expr: str, params: dict[str, Any]
    ) -> list[tuple[int, float]]:
        res = self.client.search(
            self.target.collection,
            data=[data],
            anns_field=field,
            limit=max(1, min(n, 16_384)),
            filter=expr,
            search_params=params,
            output_fields=["chunk_id"],
        )
        out = []
        for hit in res[0]:
            pos = self._positions.get(hit.get("chunk_id", hit.get("id")))
            if pos is not None:
                out.append((pos, float(hit["distance"])))
        return out

    def keyword_candidates(self, tokens: list[str], n: int, filters: Filters | None) -> Scored:
        expr = self._expr(filters)
        if expr is None or not tokens or n <= 0:
            return Scored.empty()
        found = self._search(token_text(tokens), "sparse", n, expr, {"metric_type": "BM25"})
        scale = self._bm25_scale
        found = [(p, -d * scale) for p, d in found if -d > 0]  # BM25 distances come back negated
        found.sort(key=lambda x: (-x[1], x[0]))
        return Scored(np.array([p for p, _ in found], np.int64), np.array([s for _, s in found], np.float32))

    def keyword_scores(self, tokens: list[str], positions: np.ndarray) -> np.ndarray:
        out = np.zeros(len(positions), np.float32)
        if not tokens or not len(positions):
            return out
        ids = [self.chunks[int(p)].chunk_id for p in positions]
        found = dict(
            self._search(
                token_text(tokens), "sparse", len(ids), _in("chunk_id", ids), {"metric_type": "BM25"}
            )
        )
        for j, p in enumerate(positions):
            out[j] = max(0.0, -found.get(int(p), 0.0) * self._bm25_scale)
        return out

    def dense_candidates(self, qvec: np.ndarray, n: int, filters: Filters | None) -> Scored:
        expr = self._expr(filters)
        if expr is None or n <= 0 or not self.chunks:
            return Scored.empty()
        found = self._search(np.asarray(qvec, np.float32).tolist(), "vector", n, expr, self._search_params)
        return Scored(np.array([p for p, _ in found], np.int64), np.array([s for _, s in found], np.float32))

    def dense_scores(self, qvec: np.ndarray, positions: np.ndarray) -> np.ndarray:
        ids = [self.chunks[int(p)].chunk_id for p in positions]
        rows = self.client.get(self.target.collection, ids=ids, output_fields=["vector"]) if ids else []
        vecs = {r["chunk_id"]: r["vector"] for r in rows}
        dim = self.info.manifest["encoder"]["dim"]
        matrix = np.array([vecs[i] for i in ids], np.float32).reshape(len(ids), dim)
        return matrix @ np.asarray(qvec, np.float32)

    def filter_mask(self, filters: Filters) -> np.ndarray:
        mask = self._masks.get(filters)
        if mask is None:
            mask = np.zeros(len(self.chunks), bool)
            expr = self._expr(filters)
            if expr is not None:
                for r in iterate(self.client, self.target.collection, expr, ["chunk_id"]):
                    pos = self._positions.get(r["chunk_id"])
                    if pos is not None:
                        mask[pos] = True
            if len(self._masks) > 64:
                self._masks.clear()
            self._masks[filters] = mask
        return mask

    def chunk(self, chunk_id: str) -> Chunk:
        return self.chunks[self._positions[chunk_id]]

    def term_stats(self) -> TermStats | None:
        return self._terms

    def sentence_store(self) -> Any:
        """Answer sentences with their vectors stored in ``<name>__sentences`` (None: embed on demand)."""
        from .milvus_sentences import open_sentences

        return open_sentences(self.client, self.target.collection, self.chunks)

    # -------------------------------------------------------------- writes

    def upsert(self, chunks: list[Chunk], vectors: np.ndarray, tokens: list[list[str]]) -> None:
        seqs = _seqs(chunks)
        rows = [chunk_row(c, s, v, t) for c, s, v, t in zip(chunks, seqs, vectors, tokens)]
        for start in range(0, len(rows), BATCH):
            self.client.upsert(self.target.collection, rows[start : start + BATCH])

    def delete(self, chunk_ids: list[str]) -> None:
        for start in range(0, len(chunk_ids), BATCH):
            self.client.delete(
                self.target.collection, filter=_in("chunk_id", chunk_ids[start : start + BATCH])
            )


def _seqs(chunks: list[Chunk]) -> list[int]:
    seen: dict[str, int] = {}
    out = []
    for c in chunks:
        out.append(seen.get(c.doc_id, 0))
        seen[c.doc_id] = out[-1] + 1
    return out


def iterate(client: Any, collection: str, expr: str, fields: list[str]) -> list[dict[str, Any]]:
    it = client.query_iterator(collection, batch_size=1000, filter=expr, output_fields=fields)
    out: list[dict[str, Any]] = []
    while True:
        batch = it.next()
        if not batch:
            it.close()
            return out
        out.extend(batch)


def read_meta(client: Any, collection: str) -> dict[str, Any]:
    meta = collection + META_SUFFIX
    if not client.has_collection(meta):
        return {}
    client.load_collection(meta)
    pieces: dict[str, list[tuple[int, str]]] = {}
    for r in iterate(client, meta, "", ["key", "value"]):
        name, _, part = r["key"].rpartition(":")
        pieces.setdefault(name, []).append((int(part), r["value"]))
    return {k: json.loads("".join(v for _, v in sorted(parts))) for k, parts in pieces.items()}
