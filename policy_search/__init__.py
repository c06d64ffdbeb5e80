"""policy_search: semantic search and question answering over Chinese policy documents.

Stages, one module each: loaders → cleaning/repair → metadata → grammar/outline/chunking →
encoders / analysis → index (dense + sparse) → retrieval → answers. The public API::

    from policy_search import build_index, SearchEngine, Filters, answer

    build_index("corpus", "index")
    engine = SearchEngine.load("index")
    hits = engine.search("知识产权质押融资目标", k=5, filters=Filters(regions=("山东",)))
    result = answer(engine, "山东要设立什么样的质押融资风险资金")
"""

from .answers import Answer, AnswerItem, ComparisonRow, GenerationError, answer

# The targets atlas. The package attribute ``targets`` is this function; the extraction-rules
# module stays importable (``from policy_search.targets import extract_targets``). It is
# loaded by .answers above, so no later first import of it replaces the function.
from .atlas import TargetRow, targets
from .chunking import check_coverage, chunk_document
from .corpus import Corpus, load_corpus
from .encoders import Encoder, EncoderError, load_encoder
from .index import BuildLocked, BuildReport, EmptyCorpus, IndexNotReady, build_index, open_index
from .ingest_version import ingest_version
from .loaders import LoadError
from .metadata import CatalogError
from .records import Chunk, Document, Removed, Skipped, Target
from .retrieval import Filters, Hit, SearchEngine
from .settings import Settings

__all__ = [
    "Answer",
    "AnswerItem",
    "BuildLocked",
    "BuildReport",
    "CatalogError",
    "Chunk",
    "ComparisonRow",
    "Corpus",
    "Document",
    "EmptyCorpus",
    "Encoder",
    "EncoderError",
    "Filters",
    "GenerationError",
    "Hit",
    "IndexNotReady",
    "LoadError",
    "Removed",
    "SearchEngine",
    "Settings",
    "Skipped",
    "Target",
    "TargetRow",
    "answer",
    "build_index",
    "check_coverage",
    "chunk_document",
    "ingest_version",
    "load_corpus",
    "load_encoder",
    "open_index",
    "targets",
]
