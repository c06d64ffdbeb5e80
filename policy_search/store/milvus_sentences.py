"""Answer-sentence vectors in Milvus: a companion collection ``<name>__sentences``.

The embedded index stores every answer sentence's span and vector at build time
(``sentences.npz``); on Milvus the spans are recomputed from the chunks at open (the same
``statement_spans`` code, guarded by the ingest version) and the vectors live in a second
collection keyed by a hash of (chunk id, start, sentence text). An answer fetches the vectors
of its candidate sentences by key in one ``get`` — nothing is embedded at question time, and
nothing but the spans is held in memory. Builds take the vectors from the same content-hash
sentence cache as the embedded build, and upsert / delete only sentences whose key changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..answers.evidence import SentenceStore
from ..records import Chunk

SENTENCES_SUFFIX = "__sentences"
BATCH = 512
MAX_MEMO = 200_000  # sentence vectors kept after their first fetch (about 300 MB at 384-d)


def sentence_key(chunk_id: str, start: int, text: str) -> str:
    return hashlib.blake2b(f"{chunk_id}\x00{start}\x00{text}".encode(), digest_size=16).hexdigest()


def store_keys(chunks: Sequence[Chunk], store: SentenceStore) -> list[str]:
    return [
        sentence_key(chunks[int(r)].chunk_id, int(s), chunks[int(r)].text[int(s) : int(e)])
        for r, s, e in zip(store.chunk_rows, store.starts, store.ends)
    ]


def _create(client: Any, name: str, dim: int) -> None:
    from pymilvus import DataType

    s = client.create_schema(auto_id=False)
    s.add_field("key", DataType.VARCHAR, is_primary=True, max_length=32)
    s.add_field("chunk_id", DataType.VARCHAR, max_length=512)
    s.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    ip = client.prepare_index_params()
    ip.add_index("vector", index_type="FLAT", metric_type="IP")  # read by key, never searched
    client.create_collection(name, schema=s, index_params=ip)


def sync_sentences(
    client: Any, collection: str, chunks: Sequence[Chunk], store: SentenceStore
) -> tuple[int, int]:
    """Upsert the sentences whose key is new and delete vanished ones; (upserted, deleted)."""
    from .milvus import iterate

    if store.vectors is None or len(store.vectors) != len(store.starts):
        raise ValueError("sentence vectors are missing; build them first")
    name = collection + SENTENCES_SUFFIX
    if not client.has_collection(name):
        _create(client, name, int(store.vectors.shape[1]) if len(store.vectors) else 1)
    client.load_collection(name)
    stored = {r["key"] for r in iterate(client, name, "", ["key"])}
    keys = store_keys(chunks, store)
    rows = [
        {"key": k, "chunk_id": chunks[int(r)].chunk_id, "vector": store.vectors[i].tolist()}
        for i, (k, r) in enumerate(zip(keys, store.chunk_rows))
        if k not in stored
    ]
    rows = list({row["key"]: row for row in rows}.values())
    gone = sorted(stored - set(keys))
    for start in range(0, len(rows), BATCH):
        client.upsert(name, rows[start : start + BATCH])
    for start in range(0, len(gone), BATCH):
        batch = ", ".join(f'"{k}"' for k in gone[start : start + BATCH])  # hex keys: nothing to escape
        client.delete(name, filter=f"key in [{batch}]")
    client.flush(name)
    return len(rows), len(gone)


class MilvusSentences(SentenceStore):
    """Spans from the chunks; vectors fetched by key on first use (embedded only if absent)."""

    def __init__(self, base: SentenceStore, client: Any, name: str, chunks: Sequence[Chunk]) -> None:
        super().__init__(base.chunk_rows, base.starts, base.ends, None)
        self.client, self.name, self.chunks = client, name, chunks
        self.fetched = self.embedded = 0  # sentence vectors read from Milvus / embedded here

    def vectors_of(self, rows: Sequence[int], texts: Sequence[str], encoder: Any) -> np.ndarray:
        with self._lock:
            out = {int(r): self._memo[int(r)] for r in rows if int(r) in self._memo}
        missing = list({int(r): t for r, t in zip(rows, texts) if int(r) not in out}.items())
        if missing:
            keys = [
                sentence_key(self.chunks[int(self.chunk_rows[r])].chunk_id, int(self.starts[r]), t)
                for r, t in missing
            ]
            got = {
                row["key"]: row["vector"]
                for row in self.client.get(self.name, ids=list(dict.fromkeys(keys)), output_fields=["vector"])
            }
            found = {r: np.asarray(got[k], np.float32) for (r, _), k in zip(missing, keys) if k in got}
            rest = [(r, t) for r, t in missing if r not in found]
            if rest:  # a collection built before these sentences were stored
                vecs = encoder.encode_passages([t for _, t in rest])
                found.update({r: np.asarray(v, np.float32) for (r, _), v in zip(rest, vecs)})
            out.update(found)
            with self._lock:
                if len(self._memo) > MAX_MEMO:
                    self._memo.clear()
                self._memo.update(found)
                self.fetched += len(found) - len(rest)
                self.embedded += len(rest)
        return np.stack([out[int(r)] for r in rows])


def open_sentences(client: Any, collection: str, chunks: Sequence[Chunk]) -> MilvusSentences | None:
    """The stored sentences of ``collection``, or None when it has none (embed on demand)."""
    name = collection + SENTENCES_SUFFIX
    if not client.has_collection(name):
        return None
    client.load_collection(name)
    return MilvusSentences(SentenceStore.from_chunks(chunks), client, name, chunks)
