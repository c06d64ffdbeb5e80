"""Ingestion: file → text → repaired text → metadata → outline → chunks (with units and targets).

``loaders`` (bytes → text), ``normalize`` and ``cleaning``/``repair`` (web and PDF noise),
``metadata`` (+ ``meta_text``, ``meta_sign``, ``gazetteer``, ``cnnum``), ``grammar`` (the one
copy of heading markers and sentence ends), ``outline`` (parts, layout, heading tree),
``chunking``, ``units``, ``targets``, ``corpus`` (a folder → documents and chunks) and
``version`` (the ingest version that makes an index built by other code stale).
"""

from .chunking import check_coverage, chunk_document
from .corpus import Corpus, load_corpus
from .loaders import LoadError
from .metadata import CatalogError
from .version import ingest_version

__all__ = [
    "CatalogError",
    "Corpus",
    "LoadError",
    "check_coverage",
    "chunk_document",
    "ingest_version",
    "load_corpus",
]
