"""An index built by other ingestion code is reported stale: the version is derived from what
the code does to fixed fixtures, not from a number someone has to remember to bump."""

from __future__ import annotations

import importlib
import re

import pytest

from policy_search.ingest import chunking, outline
from policy_search.ingest.version import fixtures, ingest_output, ingest_version
from policy_search.search.retrieval import SearchEngine

from .conftest import CORPUS_DIR

# the rules module (the package root's ``targets`` is the atlas function of the same name)
targets = importlib.import_module("policy_search.ingest.targets")


@pytest.fixture
def fresh_version():
    ingest_version.cache_clear()
    yield
    ingest_version.cache_clear()


def test_fixtures_cover_every_layout():
    names = set(fixtures())
    assert {"plan-with-notice.txt", "regulation.txt", "runon.txt", "pdf-wrap.txt"} <= names
    kinds = {c["kind"] for name, raw in fixtures().items() for c in ingest_output(name, raw)[1:]}
    assert {"notice", "article", "task"} <= kinds


@pytest.mark.parametrize(
    "patch",
    [
        lambda mp: mp.setattr(chunking, "_KIND_RULES", ()),  # a section-kind rule
        lambda mp: mp.setattr(outline, "_SHORT_GAP", 0),  # a run-on heading rule
        lambda mp: mp.setattr(targets, "TARGET_RE", re.compile(r"(?!x)x")),  # the targets rule
    ],
)
def test_changing_an_ingestion_rule_makes_the_index_stale(seed_index_hash, fresh_version, monkeypatch, patch):
    engine = SearchEngine.load(seed_index_hash, corpus_dir=CORPUS_DIR)
    assert not engine.stale, engine.stale_reason
    before = ingest_version()
    ingest_version.cache_clear()
    patch(monkeypatch)
    assert ingest_version() != before
    engine = SearchEngine.load(seed_index_hash, corpus_dir=CORPUS_DIR)
    assert engine.stale and "ingestion code" in engine.stale_reason
