"""Build or update a Milvus collection incrementally (upsert / delete by chunk id), or export
an embedded index folder into one without re-embedding. Vectors come from the same
content-hash cache as the embedded build."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..answers.evidence import SentenceStore, build_sentences
from ..ingest.corpus import load_corpus
from ..ingest.version import ingest_version
from ..records import Chunk
from ..search.relevance import TermStats, load_term_stats
from ..settings import Settings
from .index import (
    BuildReport,
    EmptyCorpus,
    contextual_text,
    corpus_fingerprint,
    manifest_documents,
    open_index,
    text_key,
)
from .milvus import META_SUFFIX, PIECE, MilvusBackend, MilvusTarget, _seqs, chunk_row, connect, iterate
from .milvus_sentences import sync_sentences
from .vectors import Progress, _embed, cached_vectors, safe_name


def create_collection(client: Any, target: MilvusTarget, dim: int, settings: Settings) -> None:
    from pymilvus import DataType, Function, FunctionType

    s = client.create_schema(auto_id=False)
    s.add_field("chunk_id", DataType.VARCHAR, is_primary=True, max_length=512)
    s.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    s.add_field(
        "tokens",
        DataType.VARCHAR,
        max_length=65_535,
        enable_analyzer=True,
        analyzer_params={"tokenizer": "standard"},
    )
    s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    for name in ("region", "level", "doc_id", "kind"):
        s.add_field(name, DataType.VARCHAR, max_length=512)
    s.add_field("first_year", DataType.INT64)
    s.add_field("last_year", DataType.INT64)
    s.add_field("units", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=256, max_length=512)
    s.add_field("has_target", DataType.BOOL)
    s.add_field("seq", DataType.INT64)
    s.add_field("chunk", DataType.VARCHAR, max_length=65_535)
    s.add_field("digest", DataType.VARCHAR, max_length=64)
    s.add_function(
        Function(
            name="bm25",
            function_type=FunctionType.BM25,
            input_field_names=["tokens"],
            output_field_names=["sparse"],
        )
    )
    ip = client.prepare_index_params()
    if target.is_lite_file:
        ip.add_index("vector", index_type="FLAT", metric_type="IP")
    else:  # nested params: the flat form is silently ignored
        hnsw = {"M": settings.hnsw_m, "efConstruction": settings.hnsw_ef_construction}
        ip.add_index("vector", index_type="HNSW", metric_type="IP", params={"params": hnsw})
    bm25 = {"bm25_k1": settings.bm25_k1, "bm25_b": settings.bm25_b}
    ip.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params={"params": bm25})
    client.create_collection(target.collection, schema=s, index_params=ip)


def write_meta(client: Any, target: MilvusTarget, values: dict[str, Any]) -> None:
    from pymilvus import DataType

    meta = target.collection + META_SUFFIX
    if client.has_collection(meta):
        client.drop_collection(meta)
    s = client.create_schema(auto_id=False)
    s.add_field("key", DataType.VARCHAR, is_primary=True, max_length=128)
    s.add_field("value", DataType.VARCHAR, max_length=65_535)
    s.add_field("v", DataType.FLOAT_VECTOR, dim=2)  # Milvus requires a vector field
    ip = client.prepare_index_params()
    ip.add_index("v", index_type="FLAT", metric_type="L2")
    client.create_collection(meta, schema=s, index_params=ip)
    rows = []
    for key, value in values.items():
        text = json.dumps(value, ensure_ascii=False)
        for i in range(0, max(len(text), 1), PIECE):
            rows.append({"key": f"{key}:{i // PIECE}", "value": text[i : i + PIECE], "v": [0.0, 0.0]})
    for start in range(0, len(rows), 64):
        client.insert(meta, rows[start : start + 64])


def sync(
    client: Any,
    target: MilvusTarget,
    chunks: list[Chunk],
    vectors: np.ndarray,
    tokens: list[list[str]],
    settings: Settings,
) -> tuple[int, int]:
    """Upsert changed or new chunks and delete vanished ones; returns (upserted, deleted)."""
    if not client.has_collection(target.collection):
        create_collection(client, target, vectors.shape[1], settings)
    client.load_collection(target.collection)
    stored = {
        r["chunk_id"]: r["digest"] for r in iterate(client, target.collection, "", ["chunk_id", "digest"])
    }
    rows = [chunk_row(c, s, v, t) for c, s, v, t in zip(chunks, _seqs(chunks), vectors, tokens)]
    changed = [r for r in rows if stored.get(r["chunk_id"]) != r["digest"]]
    gone = sorted(set(stored) - {c.chunk_id for c in chunks})
    backend = MilvusBackend.__new__(MilvusBackend)
    backend.client, backend.target = client, target
    for start in range(0, len(changed), 256):
        client.upsert(target.collection, changed[start : start + 256])
    MilvusBackend.delete(backend, gone)
    client.flush(target.collection)
    return len(changed), len(gone)


def _manifest(
    settings: Settings,
    encoder_name: str,
    dim: int,
    corpus_dir: Any,
    documents: list[dict],
    dense_kind: str,
    n_chunks: int,
) -> dict:
    from .analysis import dictionary_fingerprint

    return {
        "format": 1,
        "backend": "milvus",
        "ingest_version": ingest_version(),
        "encoder": {"name": encoder_name, "dim": dim},
        "settings": replace(settings, backend="milvus").to_dict(),
        "tokenizer": {"name": "jieba", "dictionary": dictionary_fingerprint()},
        "corpus_dir": str(corpus_dir),
        "corpus_fingerprint": corpus_fingerprint(corpus_dir),
        "documents": documents,
        "counts": {"documents": len(documents), "chunks": n_chunks},
        "dense_index": dense_kind,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _dense_kind(target: MilvusTarget) -> str:
    return "flat-ip" if target.is_lite_file else "hnsw"


def build_milvus(
    corpus_dir: str | Path,
    target: MilvusTarget,
    settings: Settings | None = None,
    encoder: Any = None,
    cache_root: str | Path = "index/cache",
    progress: Progress | bool = False,
) -> BuildReport:
    """Build or update ``target`` from ``corpus_dir``; only changed chunks are embedded and upserted."""
    from ..encoders import load_encoder
    from .analysis import Tokenizer

    started = time.perf_counter()
    settings = settings or Settings()
    encoder = encoder or load_encoder(settings.encoder, settings)
    settings = replace(settings, encoder=encoder.name)
    corpus = load_corpus(corpus_dir, settings)
    report = BuildReport(target.label(), encoder.name, skipped=corpus.skipped, notes=corpus.notes)
    if not corpus.chunks:
        raise EmptyCorpus(f"{corpus_dir}: no documents to index")
    chunks = corpus.chunks
    texts = [contextual_text(c) for c in chunks]
    keys = [text_key(encoder.name, t) for t in texts]
    cached, missing = cached_vectors(encoder, texts, keys, Path(cache_root), settings.batch_size, progress)
    report.embedded, report.reused = len(missing), len(chunks) - len(missing)
    report.reembedded_docs = sorted({chunks[i].doc_id for i in missing})
    vectors = np.stack([cached[k] for k in keys]).astype(np.float32)
    tokens = [Tokenizer().tokenize(t) for t in texts]
    client = connect(target)
    upserted, deleted = sync(client, target, chunks, vectors, tokens, settings)
    sentences, report.sentences_embedded = build_sentences(
        chunks,
        encoder,
        Path(cache_root) / f"{safe_name(encoder.name)}-sentences",
        settings.batch_size,
        _embed,
        text_key,
    )
    s_up, s_del = sync_sentences(client, target.collection, chunks, sentences)
    documents = manifest_documents(corpus)
    manifest = _manifest(
        settings, encoder.name, encoder.dim, corpus_dir, documents, _dense_kind(target), len(chunks)
    )
    write_meta(client, target, {"manifest": manifest, "terms": TermStats.from_tokens(tokens).to_dict()})
    report.documents, report.chunks = len(corpus.documents), len(chunks)
    report.notes.append(f"milvus: upserted {upserted} chunks, deleted {deleted}")
    report.notes.append(f"milvus sentences: upserted {s_up}, deleted {s_del}")
    report.seconds = time.perf_counter() - started
    return report


def export_to_milvus(index_dir: str | Path, target: MilvusTarget) -> tuple[int, int]:
    """Copy an embedded index folder into ``target`` (its vectors, no re-embedding)."""
    from .analysis import Tokenizer
    from .embedded import faiss_vectors

    loaded = open_index(index_dir)
    vectors = np.array(faiss_vectors(loaded.dense), dtype=np.float32)
    tokenizer = Tokenizer()
    tokens = [tokenizer.tokenize(contextual_text(c)) for c in loaded.chunks]
    client = connect(target)
    counts = sync(client, target, loaded.chunks, vectors, tokens, loaded.settings)
    sentences = SentenceStore.load(loaded.path, len(loaded.chunks))
    if sentences is not None and sentences.vectors is not None and len(sentences.vectors):
        sync_sentences(client, target.collection, loaded.chunks, sentences)  # else: embedded on demand
    manifest = {**loaded.manifest, "backend": "milvus", "dense_index": _dense_kind(target)}
    manifest["settings"] = replace(loaded.settings, backend="milvus").to_dict()
    terms = load_term_stats(loaded.path) or TermStats.from_tokens(tokens)
    write_meta(client, target, {"manifest": manifest, "terms": terms.to_dict()})
    return counts
