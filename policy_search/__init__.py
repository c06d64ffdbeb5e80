"""policy_search: semantic search and question answering over Chinese IP policy plans.

Pipeline stages, one module each: loaders/cleaning → corpus (documents) → chunking →
encoders / analysis → index (dense + sparse) → retrieval.
"""

from .chunking import check_coverage, chunk_document
from .corpus import Corpus, load_corpus
from .ingest_version import ingest_version
from .records import Chunk, Document, Removed, Skipped, Target
from .settings import Settings

__all__ = [
    "Chunk",
    "Corpus",
    "Document",
    "Removed",
    "Settings",
    "Skipped",
    "Target",
    "check_coverage",
    "chunk_document",
    "ingest_version",
    "load_corpus",
]
