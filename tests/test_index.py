from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from policy_search.encoders import HashEncoder
from policy_search.search.retrieval import SearchEngine
from policy_search.settings import Settings
from policy_search.store import index as index_mod
from policy_search.store.index import (
    BuildLocked,
    IndexNotReady,
    build_index,
    build_lock,
    contextual_text,
    current_version,
    open_index,
)

from .conftest import CORPUS_DIR

SETTINGS = Settings(encoder="hash")


class CountingEncoder(HashEncoder):
    """The hash encoder, counting how many passages it embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.passages = 0

    def encode_passages(self, texts):
        self.passages += len(texts)
        return super().encode_passages(texts)


@pytest.fixture()
def small_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ["tianjin-2013-work-plan.txt", "cnipa-2013-work-plan.txt", "catalog.toml"]:
        shutil.copy(CORPUS_DIR / name, corpus / name)
    return corpus


def build(corpus: Path, index: Path, encoder=None):
    return build_index(corpus, index, SETTINGS, encoder=encoder or HashEncoder())


def test_contextual_text_carries_section_and_title(seed_corpus):
    chunk = next(
        c for c in seed_corpus.chunks if c.chunk_id == "shandong-2015/五/继续加大知识产权宣传教育力度"
    )
    text = contextual_text(chunk)
    assert text == f"做好知识产权宣传培训，优化知识产权文化环境 · 继续加大知识产权宣传教育力度\n{chunk.text}"


def test_build_writes_manifest_and_versions(small_corpus: Path, tmp_path: Path):
    index = tmp_path / "index"
    report = build(small_corpus, index)
    manifest = json.loads((current_version(index) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["encoder"] == {"name": "hash", "dim": 256}
    assert manifest["settings"]["encoder"] == "hash"
    assert manifest["tokenizer"]["dictionary"] and manifest["ingest_version"]
    assert {d["doc_id"] for d in manifest["documents"]} == {"tianjin-2013", "cnipa-2013"}
    assert all(len(d["fingerprint"]) == 64 for d in manifest["documents"])
    assert manifest["counts"] == {"documents": 2, "chunks": report.chunks} and report.chunks == 42 + 27
    assert manifest["dense_index"] == "flat-ip"
    assert "documents: 2" in report.summary()


def test_incremental_build_reembeds_only_changed_document(small_corpus: Path, tmp_path: Path):
    index = tmp_path / "index"
    enc = CountingEncoder()
    first = build(small_corpus, index, enc)
    # chunk vectors, then the answer sentences' vectors (both content-hash cached)
    assert first.embedded == 69 and first.reused == 0 and first.sentences_embedded > 0
    assert enc.passages == 69 + first.sentences_embedded
    again = build(small_corpus, index, enc)
    assert again.embedded == 0 and again.reused == 69 and again.sentences_embedded == 0
    assert enc.passages == 69 + first.sentences_embedded
    path = small_corpus / "cnipa-2013-work-plan.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("推动《专利法》修改进程", "加快推动《专利法》修改进程"),
        encoding="utf-8",
    )
    third = build(small_corpus, index, enc)
    assert third.reembedded_docs == ["cnipa-2013"] and third.embedded == 1
    assert third.sentences_embedded <= 1  # at most the one changed sentence
    assert enc.passages == 70 + first.sentences_embedded + third.sentences_embedded
    # only the live version and the one before it are kept
    assert len(list(index.glob("v-*"))) == 2


def test_interrupted_build_leaves_previous_index_usable(small_corpus: Path, tmp_path: Path, monkeypatch):
    index = tmp_path / "index"
    build(small_corpus, index)
    engine = SearchEngine.load(index, encoder=HashEncoder(), corpus_dir=small_corpus)
    before = [h.chunk.chunk_id for h in engine.search("专利质押贷款", k=5)]
    live = current_version(index)
    (small_corpus / "cnipa-2013-work-plan.txt").unlink()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(index_mod, "make_sparse_index", crash)
    with pytest.raises(KeyboardInterrupt):
        build(small_corpus, index)
    assert current_version(index) == live
    engine = SearchEngine.load(index, encoder=HashEncoder())
    assert [h.chunk.chunk_id for h in engine.search("专利质押贷款", k=5)] == before


def test_removed_document_disappears_on_next_build(small_corpus: Path, tmp_path: Path):
    index = tmp_path / "index"
    build(small_corpus, index)
    (small_corpus / "cnipa-2013-work-plan.txt").unlink()
    build(small_corpus, index)
    loaded = open_index(index)
    assert {c.doc_id for c in loaded.chunks} == {"tianjin-2013"}


def test_stale_index_is_flagged(small_corpus: Path, tmp_path: Path):
    index = tmp_path / "index"
    build(small_corpus, index)
    assert not SearchEngine.load(index, encoder=HashEncoder(), corpus_dir=small_corpus).stale
    (small_corpus / "new.txt").write_text(
        "一、总体要求\n新增的计划文本，内容足够长以成为一个分块。", encoding="utf-8"
    )
    engine = SearchEngine.load(index, encoder=HashEncoder(), corpus_dir=small_corpus)
    assert engine.stale and "policy-search build" in engine.stale_reason


def test_missing_index_is_one_clear_error(tmp_path: Path):
    with pytest.raises(IndexNotReady, match=r"no search index found; run `policy-search build`"):
        SearchEngine.load(tmp_path / "nowhere")


@pytest.mark.parametrize("name", ["manifest.json", "chunks.jsonl", "dense.faiss"])
def test_corrupt_files_name_the_file(small_corpus: Path, tmp_path: Path, name: str):
    index = tmp_path / "index"
    build(small_corpus, index)
    target = current_version(index) / name
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexNotReady) as info:
        SearchEngine.load(index, encoder=HashEncoder())
    message = str(info.value)
    assert name in message and "policy-search build" in message and "\n" not in message


def test_missing_bm25_folder_is_reported(small_corpus: Path, tmp_path: Path):
    index = tmp_path / "index"
    build(small_corpus, index)
    shutil.rmtree(current_version(index) / "bm25")
    with pytest.raises(IndexNotReady, match="bm25: missing"):
        SearchEngine.load(index, encoder=HashEncoder())


def test_second_build_at_once_is_refused(small_corpus: Path, tmp_path: Path):
    index = tmp_path / "index"
    with build_lock(index), pytest.raises(BuildLocked, match="another build"):
        build(small_corpus, index)
    build(small_corpus, index)  # the lock is released afterwards


def test_hnsw_above_threshold(small_corpus: Path, tmp_path: Path):
    index = tmp_path / "index"
    build_index(small_corpus, index, Settings(encoder="hash", exact_max_vectors=10), encoder=HashEncoder())
    loaded = open_index(index)
    assert loaded.manifest["dense_index"] == "hnsw" and type(loaded.dense).__name__ == "IndexHNSWFlat"
    engine = SearchEngine.load(index, encoder=HashEncoder())
    assert engine.search("专利权质押贷款", k=3, mode="dense")


def test_empty_corpus_is_one_error_and_writes_no_version(tmp_path):
    from policy_search.encoders import HashEncoder
    from policy_search.settings import Settings
    from policy_search.store.index import EmptyCorpus, build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_text("   \n", encoding="utf-8")
    with pytest.raises(EmptyCorpus, match=r"no documents to index.*empty\.txt"):
        build_index(corpus, tmp_path / "index", Settings(encoder="hash"), encoder=HashEncoder())
    assert not [p for p in (tmp_path / "index").glob("v-*")]
