"""The lazy chunk store (store/chunkstore.py) and the thread settings applied at open."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from policy_search.encoders import HashEncoder
from policy_search.ingest.corpus import load_corpus
from policy_search.search.filters import FilterColumns, Filters
from policy_search.search.retrieval import SearchEngine
from policy_search.settings import Settings
from policy_search.store.backend import apply_threads
from policy_search.store.chunkstore import COLUMNS, ChunkStoreError, ChunkTable
from policy_search.store.index import IndexNotReady, build_index, current_version, open_index

from .conftest import CORPUS_DIR

SETTINGS = Settings(encoder="hash")
FILTERS = [
    Filters(regions=("天津",)),
    Filters(levels=("国家",)),
    Filters(year_min=2014, year_max=2016),
    Filters(doc_ids=("cnipa-2013",)),
    Filters(unit="知识产权局"),
    Filters(has_target=True),
    Filters(kinds=("task",), regions=("天津",)),
]
QUERIES = ["专利权质押贷款", "知识产权宣传", "执法维权"]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ["tianjin-2013-work-plan.txt", "cnipa-2013-work-plan.txt", "catalog.toml"]:
        shutil.copy(CORPUS_DIR / name, folder / name)
    return folder


@pytest.fixture()
def index(corpus: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "index"
    build_index(corpus, folder, SETTINGS, encoder=HashEncoder())
    return folder


def results(index: Path) -> list[list[tuple[str, float]]]:
    engine = SearchEngine.load(index, encoder=HashEncoder())
    return [[(h.chunk.chunk_id, round(h.score, 6)) for h in engine.search(q, k=8)] for q in QUERIES]


def test_round_trip_is_lazy_and_equal(corpus: Path, index: Path):
    expected = load_corpus(corpus, SETTINGS).chunks
    loaded = open_index(index)
    assert isinstance(loaded.chunks, ChunkTable)
    assert loaded.chunks.materialised() == 0  # opening parsed no chunk
    assert loaded.chunks.ids == [c.chunk_id for c in expected]
    assert loaded.chunks[5] == expected[5] and loaded.chunks.materialised() == 1
    assert loaded.chunks[-1] == expected[-1] and loaded.chunks[2:4] == expected[2:4]
    assert list(loaded.chunks) == expected
    with pytest.raises(IndexError):
        loaded.chunks[len(expected)]


def test_filter_columns_read_at_open_equal_built_ones(corpus: Path, index: Path):
    expected = load_corpus(corpus, SETTINGS).chunks
    stored = open_index(index).chunks.columns
    built = FilterColumns(expected)
    assert stored.units == built.units and stored.region.uniques == built.region.uniques
    for f in FILTERS:
        mask = stored.mask(f)
        assert mask.tolist() == [f.matches(c) for c in expected]
        assert np.array_equal(mask, built.mask(f))
    assert any(stored.mask(f).any() and not stored.mask(f).all() for f in FILTERS)


def test_index_without_columns_file_still_opens_and_searches_the_same(index: Path):
    before = results(index)
    (current_version(index) / COLUMNS).unlink()  # as written before the columns file existed
    loaded = open_index(index)
    assert isinstance(loaded.chunks, list) and len(loaded.chunks) == 69
    assert results(index) == before


def test_damaged_columns_file_is_one_clear_error(index: Path):
    target = current_version(index) / COLUMNS
    target.write_bytes(target.read_bytes()[:100])
    with pytest.raises(IndexNotReady) as info:
        SearchEngine.load(index, encoder=HashEncoder())
    assert COLUMNS in str(info.value) and "policy-search build" in str(info.value)


def test_columns_file_of_another_chunks_file_is_refused(index: Path):
    chunks = current_version(index) / "chunks.jsonl"
    chunks.write_bytes(chunks.read_bytes() + b'{"chunk_id": "x"}\n')
    with pytest.raises(IndexNotReady, match=r"chunks\.jsonl: damaged"):
        open_index(index)


def test_damaged_record_names_the_line(index: Path):
    chunks = current_version(index) / "chunks.jsonl"
    data = bytearray(chunks.read_bytes())
    data[0:1] = b"["  # same length: the offsets still match
    chunks.write_bytes(bytes(data))
    loaded = open_index(index)
    assert loaded.chunks[1].chunk_id
    with pytest.raises(ChunkStoreError, match=r"chunks\.jsonl: line 1 damaged"):
        loaded.chunks[0]


def _blas_threads() -> set[int]:
    from threadpoolctl import threadpool_info

    return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}


def test_threads_setting_pins_faiss_and_blas(corpus: Path, tmp_path: Path):
    import faiss

    before_faiss, before_blas = faiss.omp_get_max_threads(), max(_blas_threads())
    try:
        assert apply_threads(2) == 2
        assert faiss.omp_get_max_threads() == 2 and _blas_threads() == {2}
        folder = tmp_path / "one"
        build_index(corpus, folder, Settings(encoder="hash", threads=1), encoder=HashEncoder())
        engine = SearchEngine.load(folder, encoder=HashEncoder())
        assert engine.backend.threads == 1
        assert faiss.omp_get_max_threads() == 1 and _blas_threads() == {1}
    finally:
        apply_threads(before_faiss)
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=before_blas, user_api="blas")


def test_cli_filter_checks_and_unknown_places_parse_no_chunk(index: Path):
    import argparse

    from policy_search.answers.answer import unknown_places
    from policy_search.cli import UsageError, _filters

    engine = SearchEngine.load(index, encoder=HashEncoder())
    table = engine.chunks
    assert isinstance(table, ChunkTable)
    before = table.materialised()
    args = argparse.Namespace(
        doc=["tianjin-2013"], region=["天津"], unit="专利管理司", level=None, year=None,
        year_min=None, year_max=None, has_target=False,
    )  # fmt: skip
    assert _filters(args, engine).doc_ids == ("tianjin-2013",)
    with pytest.raises(UsageError, match="cnipa-2013"):
        _filters(argparse.Namespace(**{**vars(args), "doc": ["nope"]}), engine)
    assert unknown_places(engine, "天津质押融资目标") == []
    assert table.materialised() == before  # the checks read the columns, not the chunks
