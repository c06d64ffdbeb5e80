from __future__ import annotations

from pathlib import Path

import pytest

from policy_search.ingest.corpus import Corpus, load_corpus
from policy_search.records import Document

REPO = Path(__file__).resolve().parents[1]
CORPUS_DIR = REPO / "corpus"


@pytest.fixture(scope="session")
def seed_corpus() -> Corpus:
    """The five bundled seed plans, loaded once per test session."""
    return load_corpus(CORPUS_DIR)


def make_doc(text: str, doc_id: str = "t", title: str = "测试计划") -> Document:
    """A document record for chunker tests, without going through files."""
    return Document(
        doc_id=doc_id,
        path=f"{doc_id}.txt",
        title=title,
        issuer="测试局",
        region="测试市",
        level="市",
        year=2020,
        period="2020",
        published="",
        doc_number="",
        text=text,
        fingerprint="0",
        format="txt",
    )


@pytest.fixture(scope="session")
def seed_index_hash(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed corpus indexed with the fast deterministic hash encoder."""
    from policy_search.encoders import HashEncoder
    from policy_search.settings import Settings
    from policy_search.store.index import build_index

    index_dir = tmp_path_factory.mktemp("hash-index") / "index"
    build_index(CORPUS_DIR, index_dir, Settings(encoder="hash"), encoder=HashEncoder())
    return index_dir


@pytest.fixture(scope="session")
def hash_engine(seed_index_hash: Path):
    from policy_search.search.retrieval import SearchEngine

    return SearchEngine.load(seed_index_hash, corpus_dir=CORPUS_DIR)


@pytest.fixture(scope="session")
def seed_index_e5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed corpus indexed with the real bundled e5 encoder (about 15 s)."""
    from policy_search.store.index import build_index

    index_dir = tmp_path_factory.mktemp("e5-index") / "index"
    build_index(CORPUS_DIR, index_dir)
    return index_dir


@pytest.fixture(scope="session")
def e5_engine(seed_index_e5: Path):
    from policy_search.search.retrieval import SearchEngine

    return SearchEngine.load(seed_index_e5, corpus_dir=CORPUS_DIR)


_REAL_MODEL_FIXTURES = {"seed_index_e5", "e5_engine"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Anything using the real bundled model is slow, marked or not: the fast lane
    (`pytest -m "not slow"`) never builds the e5 index."""
    for item in items:
        if _REAL_MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
