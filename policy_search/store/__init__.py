"""The index: chunks → a saved, versioned folder (dense FAISS + BM25 over jieba tokens).

``index`` builds (vector cache, lock, atomic swap, stale check) and opens it; ``analysis`` is
the tokenizer the index and the queries share.
"""

from .index import BuildLocked, BuildReport, EmptyCorpus, IndexNotReady, build_index, open_index

__all__ = ["BuildLocked", "BuildReport", "EmptyCorpus", "IndexNotReady", "build_index", "open_index"]
