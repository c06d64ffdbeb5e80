"""The index: chunks → a saved, versioned folder (dense FAISS + BM25 over jieba tokens).

``index`` builds (lock, atomic swap, stale check) and opens it; ``vectors`` is the shared
content-hash vector cache; ``backend`` the seam retrieval talks to, with ``embedded`` (FAISS +
bm25s, the default) and ``milvus`` / ``milvus_build`` behind it; ``analysis`` is the tokenizer
the index and the queries share.
"""

from .index import BuildLocked, BuildReport, EmptyCorpus, IndexNotReady, build_index, open_index

__all__ = ["BuildLocked", "BuildReport", "EmptyCorpus", "IndexNotReady", "build_index", "open_index"]
