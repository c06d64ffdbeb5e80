from __future__ import annotations

from pathlib import Path

import pytest

from policy_search.corpus import Corpus, load_corpus
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
