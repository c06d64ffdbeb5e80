"""The scale benchmark's corpus generator: deterministic, exact sizes, plan-like chunks."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from policy_search.search.retrieval import SearchEngine
from policy_search.store.index import contextual_text

from .conftest import REPO

sys.path.insert(0, str(REPO / "eval"))

import scale_corpus as sc

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def pool() -> sc.SentencePool:
    return sc.build_pool(seed=7)


@pytest.fixture(scope="module")
def chunks(pool: sc.SentencePool) -> list:
    return sc.generate_chunks(1500, seed=7, pool=pool)


def test_sizes_are_exact(pool):
    for n in (0, 1, 37, 250):
        assert len(sc.generate_chunks(n, seed=7, pool=pool)) == n


def test_same_seed_same_corpus_other_seed_other_corpus(pool, chunks):
    again = sc.generate_chunks(1500, seed=7, pool=sc.build_pool(seed=7))
    assert [c.to_dict() for c in again] == [c.to_dict() for c in chunks]
    assert [c.extra["parts"] for c in again] == [c.extra["parts"] for c in chunks]
    other = sc.generate_chunks(200, seed=8)
    assert [c.text for c in other] != [c.text for c in chunks[:200]]


def test_deterministic_across_processes_whatever_the_hash_seed(chunks):
    code = (
        "import sys; sys.path.insert(0, 'eval'); import scale_corpus as sc; "
        "print('\\n'.join(c.chunk_id + c.text for c in sc.generate_chunks(300, seed=7)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PATH": "/usr/bin:/bin"},
    ).stdout
    assert out.splitlines() == [c.chunk_id + c.text for c in chunks[:300]]


def test_smaller_corpus_is_a_prefix_of_a_larger_one(pool, chunks):
    small = sc.generate_chunks(400, seed=7, pool=pool)
    assert [c.text for c in small] == [c.text for c in chunks[:400]]


def test_ids_are_unique_and_plan_like(chunks):
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    for c in chunks:
        assert re.fullmatch(r"gen-[a-z-]+-\d{4}-\d+", c.doc_id), c.doc_id
        assert c.chunk_id.startswith(c.doc_id + "/")
    assert len({c.doc_id for c in chunks}) > 20
    assert len({c.region for c in chunks}) > 15
    assert len({c.year for c in chunks}) > 8


def test_texts_are_chinese_and_plan_shaped(chunks):
    for c in chunks:
        assert c.text.strip() and c.plan_title and c.issuer and c.period
        assert len(HAN.findall(c.text)) >= 0.5 * len(c.text)
        assert len(c.text) <= 520
        assert c.level in ("国家", "省", "市", "区县")
        assert c.end - c.start == len(c.text)
    kinds = {c.kind for c in chunks}
    assert {"preamble", "task", "safeguard"} <= kinds
    tasks = [c for c in chunks if c.kind == "task"]
    assert all(c.title and c.section for c in tasks)
    assert sum(bool(c.units) for c in tasks) > 0.2 * len(tasks)


def test_targets_are_found_on_some_chunks_and_point_into_the_text(chunks):
    with_targets = [c for c in chunks if c.targets]
    assert 0.05 * len(chunks) < len(with_targets) < 0.9 * len(chunks)
    for c in with_targets:
        for t in c.targets:
            assert c.text[t.start : t.end] == t.text


def test_region_names_are_substituted(chunks):
    text = "".join(c.text for c in chunks)
    for seed_name in ("天津", "山东", "广安", "红桥"):
        assert seed_name not in text
    assert any(c.region.endswith("省") for c in chunks)
    assert any(c.region == "全国" for c in chunks) or len(chunks) < 500


def test_parts_spell_out_the_contextual_text(pool, chunks):
    for c in chunks[:300]:
        ctx = contextual_text(c)
        parts = c.extra["parts"]
        assert parts and all(0 <= i < len(pool.texts) for i in parts)
        pos = 0
        for i in parts:  # pool texts appear in order; only enumerators and punctuation between
            found = ctx.find(pool.texts[i], pos)
            assert found >= 0, (c.chunk_id, pool.texts[i])
            pos = found + len(pool.texts[i])


def test_a_generated_corpus_is_searchable(chunks):
    from policy_search.encoders import HashEncoder
    from policy_search.settings import Settings
    from policy_search.store.analysis import Tokenizer
    from policy_search.store.index import LoadedIndex, make_dense_index, make_sparse_index

    settings = Settings(encoder="hash")
    enc = HashEncoder()
    texts = [contextual_text(c) for c in chunks[:200]]
    tok = Tokenizer()
    loaded = LoadedIndex(
        REPO,
        {},
        settings,
        chunks[:200],
        make_dense_index(enc.encode_passages(texts), settings),
        make_sparse_index([tok.tokenize(t) for t in texts], settings),
    )
    engine = SearchEngine(loaded=loaded, encoder=enc, tokenizer=tok, settings=settings)
    assert len(engine.search("知识产权质押融资", k=5)) == 5


def test_generated_index_is_written_by_the_library_writer_and_opens_lazily(chunks, tmp_path):
    from scale.build import build_generated_index

    from policy_search.encoders import HashEncoder
    from policy_search.store.chunkstore import ChunkTable
    from policy_search.store.index import open_index

    version = build_generated_index(tmp_path / "idx", chunks[:300], encoder="hash")
    manifest = open_index(tmp_path / "idx").manifest
    assert manifest["counts"]["chunks"] == 300 and manifest["ingest_version"] and manifest["tokenizer"]
    assert (version / "chunks.columns.npz").is_file() and (version / "terms.json").is_file()
    engine = SearchEngine.load(tmp_path / "idx", encoder=HashEncoder())
    assert not engine.stale and isinstance(engine.chunks, ChunkTable)
    assert engine.chunks.materialised() == 0
    hits = engine.search("知识产权质押融资", k=5)
    assert len(hits) == 5 and 0 < engine.chunks.materialised() < 300
