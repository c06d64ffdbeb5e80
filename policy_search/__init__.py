"""policy_search: semantic search and question answering over Chinese policy documents.

One folder per stage of the data: ``ingest`` (file → text → outline → chunks, with metadata,
units and targets) → ``encoders`` → ``store`` (the saved index) → ``search`` (ranked hits) →
``answers``; ``atlas`` (every target of every plan), ``ui`` (Streamlit-free page helpers),
``cli``. The public API::

    from policy_search import build_index, SearchEngine, Filters, answer

    build_index("corpus", "index")
    engine = SearchEngine.load("index")
    hits = engine.search("知识产权质押融资目标", k=5, filters=Filters(regions=("山东",)))
    parsed = engine.parse("山东 专利导航")  # one record: tokens, names; search/answer accept it
    result = answer(engine, "山东要设立什么样的质押融资风险资金")
"""

from .answers import Answer, AnswerItem, ComparisonRow, GenerationError, answer

# The targets atlas: ``policy_search.targets`` is the function; the extraction rules are the
# module ``policy_search.ingest.targets``.
from .atlas import TargetRow, targets
from .encoders import Encoder, EncoderError, load_encoder
from .ingest.chunking import check_coverage, chunk_document
from .ingest.corpus import Corpus, load_corpus
from .ingest.loaders import LoadError
from .ingest.metadata import CatalogError
from .ingest.version import ingest_version
from .records import Chunk, Document, Removed, Skipped, Target
from .search.parse import ParsedQuery
from .search.retrieval import Filters, Hit, SearchEngine
from .settings import Settings
from .store.index import BuildLocked, BuildReport, EmptyCorpus, IndexNotReady, build_index, open_index

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
    "ParsedQuery",
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
