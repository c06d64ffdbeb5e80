"""The Milvus backend against the embedded one: same top-10, same filters, incremental updates,
staleness, a `milvus-lite server` process, and a real Milvus when POLICY_SEARCH_MILVUS_URI is set."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("pymilvus", reason="pymilvus is not installed (pip install -r requirements-milvus.txt)")
pytest.importorskip(
    "milvus_lite", reason="milvus-lite is not installed (pip install -r requirements-milvus.txt)"
)

from policy_search.encoders import HashEncoder
from policy_search.search.retrieval import Filters, SearchEngine
from policy_search.settings import Settings
from policy_search.store.milvus import MilvusBackend, MilvusTarget, expression
from policy_search.store.milvus_build import build_milvus, export_to_milvus

from .conftest import CORPUS_DIR, REPO
from .test_index import CountingEncoder as _CountingHash

QUERIES = [json.loads(line)["query"] for line in (REPO / "eval" / "queries.jsonl").open(encoding="utf-8")]


def ids(hits) -> list[str]:
    return [h.chunk.chunk_id for h in hits]


@pytest.fixture(scope="module")
def milvus_engine(seed_index_hash: Path, tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    target = MilvusTarget(str(tmp_path_factory.mktemp("milvus") / "seed.db"), collection="seed")
    export_to_milvus(seed_index_hash, target)
    return SearchEngine.open(MilvusBackend.open(target), encoder=HashEncoder(), corpus_dir=CORPUS_DIR)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
def test_top10_matches_on_seed_queries(hash_engine, milvus_engine, mode):
    for q in QUERIES[:8]:
        assert ids(hash_engine.search(q, 10, mode)) == ids(milvus_engine.search(q, 10, mode)), q


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
def test_top10_matches_the_embedded_backend(hash_engine, milvus_engine, mode):
    """Measured on all 71 labelled queries with the hash encoder: identical top-10 lists."""
    same = total = 0
    for q in QUERIES:
        a, b = ids(hash_engine.search(q, 10, mode)), ids(milvus_engine.search(q, 10, mode))
        same += len(set(a) & set(b))
        total += len(a)
        assert a == b, q
    assert total > 0 and same == total


def test_scores_match(hash_engine, milvus_engine):
    a = hash_engine.search("知识产权质押融资", 10)
    b = milvus_engine.search("知识产权质押融资", 10)
    for x, y in zip(a, b):
        assert x.dense_score == pytest.approx(y.dense_score, abs=1e-6)
        assert x.keyword_score == pytest.approx(y.keyword_score, rel=1e-4)
        assert x.score == pytest.approx(y.score, abs=1e-6)


FILTERS = {
    "region": Filters(regions=("山东",)),
    "region_substring_two": Filters(regions=("天津", "广安")),
    "level": Filters(levels=("市",)),
    "years": Filters(year_min=2016, year_max=2020),
    "year_max": Filters(year_max=2013),
    "doc": Filters(doc_ids=("cnipa-2013",)),
    "unit": Filters(unit="财政"),
    "has_target": Filters(has_target=True),
    "kind": Filters(kinds=("task",)),
    "combined": Filters(regions=("天津",), has_target=True),
    "nothing": Filters(regions=("火星",)),
    "quotes": Filters(doc_ids=('x") or (chunk_id != "',), unit='"'),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_every_filter_gives_the_same_set(hash_engine, milvus_engine, name):
    f = FILTERS[name]
    expected = hash_engine.filter_mask(f)
    assert milvus_engine.filter_mask(f).tolist() == expected.tolist()
    assert expected.tolist() == [f.matches(c) for c in hash_engine.chunks]
    q = "知识产权质押融资"
    assert ids(milvus_engine.search(q, 10, filters=f)) == ids(hash_engine.search(q, 10, filters=f))


def test_user_input_is_escaped_in_expressions():
    expr = expression(Filters(doc_ids=('a"b\\',), levels=("市",)), [], [])
    assert expr == '(level in ["市"]) and (doc_id in ["a\\"b\\\\"])'
    assert expression(Filters(unit="不存在"), [], ["市财政局"]) is None  # nothing can pass


def _small_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ["tianjin-2013-work-plan.txt", "cnipa-2013-work-plan.txt", "catalog.toml"]:
        shutil.copy(CORPUS_DIR / name, corpus / name)
    return corpus


def _upserted(report) -> tuple[int, int]:
    note = next(n for n in report.notes if n.startswith("milvus:"))
    parts = note.replace(",", "").split()
    return int(parts[2]), int(parts[5])


@pytest.mark.slow  # full lane (several builds / a server process)
def test_incremental_update_and_staleness(tmp_path: Path):
    corpus = _small_corpus(tmp_path)
    target = MilvusTarget(str(tmp_path / "inc.db"), collection="inc")
    settings = Settings(encoder="hash")
    first = build_milvus(corpus, target, settings, HashEncoder(), cache_root=tmp_path / "cache")
    assert _upserted(first) == (first.chunks, 0)
    engine = SearchEngine.open(MilvusBackend.open(target), encoder=HashEncoder(), corpus_dir=corpus)
    assert not engine.stale and len(engine.chunks) == first.chunks
    cnipa = sum(c.doc_id == "cnipa-2013" for c in engine.chunks)

    again = build_milvus(corpus, target, settings, HashEncoder(), cache_root=tmp_path / "cache")
    assert _upserted(again) == (0, 0) and again.embedded == 0

    path = corpus / "tianjin-2013-work-plan.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("知识产权", "知识产权", 1).rstrip()
        + "\n加强专利质押融资试点工作，全年完成质押融资十亿元。\n",
        encoding="utf-8",
    )
    (corpus / "cnipa-2013-work-plan.txt").unlink()
    assert SearchEngine.open(MilvusBackend.open(target), encoder=HashEncoder(), corpus_dir=corpus).stale

    third = build_milvus(corpus, target, settings, HashEncoder(), cache_root=tmp_path / "cache")
    upserted, deleted = _upserted(third)
    assert deleted == cnipa and 1 <= upserted < third.chunks and third.reembedded_docs == ["tianjin-2013"]
    engine = SearchEngine.open(MilvusBackend.open(target), encoder=HashEncoder(), corpus_dir=corpus)
    assert not engine.stale
    assert {c.doc_id for c in engine.chunks} == {"tianjin-2013"}
    assert all(h.chunk.doc_id == "tianjin-2013" for h in engine.search("专利", 20))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(seed_index_hash: Path, tmp_path_factory: pytest.TempPathFactory):
    """`milvus-lite server` on a free 127.0.0.1 port, holding the seed index; stopped by its PID."""
    port = _free_port()
    exe = shutil.which("milvus-lite") or ""
    cmd = [exe] if exe else [sys.executable, "-m", "milvus_lite"]
    data = tmp_path_factory.mktemp("served") / "data"
    proc = subprocess.Popen(
        [*cmd, "server", "--data-dir", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "milvus-lite server did not start"
                time.sleep(0.2)
        target = MilvusTarget(f"http://127.0.0.1:{port}", collection="served")
        export_to_milvus(seed_index_hash, target)
        yield target
    finally:
        os.kill(proc.pid, 15)
        proc.wait(timeout=30)


@pytest.mark.slow  # full lane (several builds / a server process)
def test_search_through_a_milvus_lite_server_process(served: MilvusTarget, hash_engine):
    engine = SearchEngine.open(MilvusBackend.open(served), encoder=HashEncoder(), corpus_dir=CORPUS_DIR)
    q = "知识产权质押融资"
    assert ids(engine.search(q, 10)) == ids(hash_engine.search(q, 10))
    f = Filters(unit="财政")
    assert ids(engine.search(q, 10, filters=f)) == ids(hash_engine.search(q, 10, filters=f))


@pytest.mark.slow
def test_cli_and_page_through_a_milvus_lite_server_process(served: MilvusTarget, hash_engine, monkeypatch):
    want = ids(hash_engine.search("知识产权质押融资", 10))
    uri = ["--milvus-uri", served.uri, "--collection", served.collection]
    cli = subprocess.run(
        [sys.executable, "-m", "policy_search", "search", "知识产权质押融资", "--json", *uri],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    assert [json.loads(line)["chunk_id"] for line in cli.stdout.splitlines()] == want
    pytest.importorskip("streamlit", reason="streamlit is not installed")
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("POLICY_SEARCH_MILVUS_URI", served.uri)
    monkeypatch.setenv("POLICY_SEARCH_COLLECTION", served.collection)
    monkeypatch.setenv("POLICY_SEARCH_CORPUS", str(CORPUS_DIR))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    at.text_input(key="q").set_value("知识产权质押融资")
    at.run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    cards = [h.value for h in at.html if 'class="ps-card"' in h.value]
    docs = [h.chunk.doc_id for h in hash_engine.search("知识产权质押融资", 10)]
    assert [re.search(r'data-doc="([^"]*)"', c).group(1) for c in cards] == docs


@pytest.mark.skipif(
    not os.environ.get("POLICY_SEARCH_MILVUS_URI"),
    reason="set POLICY_SEARCH_MILVUS_URI (and POLICY_SEARCH_MILVUS_TOKEN) to test against a real Milvus",
)
def test_real_milvus(seed_index_hash: Path, hash_engine):
    from policy_search.store.milvus import target_from_env

    env = target_from_env()
    assert env is not None
    target = MilvusTarget(env.uri, env.token, "policy_search_test")
    export_to_milvus(seed_index_hash, target)
    engine = SearchEngine.open(MilvusBackend.open(target), encoder=HashEncoder(), corpus_dir=CORPUS_DIR)
    got = ids(engine.search("知识产权质押融资", 10))
    want = ids(hash_engine.search("知识产权质押融资", 10))
    assert len(set(got) & set(want)) >= 8  # HNSW and per-shard BM25 statistics may move a few


def test_unreachable_server_is_one_clear_error():
    from policy_search.store.index import IndexNotReady

    with pytest.raises(IndexNotReady, match=r"127\.0\.0\.1:.*cannot connect to Milvus"):
        MilvusBackend.open(MilvusTarget(f"http://127.0.0.1:{_free_port()}", collection="x"))


@pytest.mark.slow
def test_eval_run_takes_the_backend_options(tmp_path: Path):
    """eval/run.py on a milvus-lite collection scores exactly as on the embedded index of the same corpus."""
    from policy_search.store.index import build_index

    corpus = _small_corpus(tmp_path)
    settings = Settings(encoder="hash")
    target = MilvusTarget(str(tmp_path / "eval.db"), collection="evalrun")
    build = subprocess.run(  # another process: a milvus-lite file is locked by the process that opens it
        [
            sys.executable,
            "-m",
            "policy_search",
            "build",
            "--backend",
            "milvus",
            "--milvus-uri",
            target.uri,
            "--collection",
            "evalrun",
            "--corpus",
            str(corpus),
            "--index",
            str(tmp_path / "cache"),
            "--encoder",
            "hash",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    build_index(corpus, tmp_path / "index", settings, encoder=HashEncoder())
    summaries = {}
    for name, opts in {
        "milvus": ["--backend", "milvus", "--milvus-uri", target.uri, "--collection", "evalrun"],
        "embedded": ["--index", str(tmp_path / "index")],
    }.items():
        reports = tmp_path / f"reports-{name}"
        run = subprocess.run(
            [sys.executable, "eval/run.py", *opts, "--modes", "keyword,hybrid", "--reports", str(reports)],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=300,
        )
        assert run.returncode == 0, run.stderr[-2000:]
        summaries[name] = json.loads((reports / "summary.json").read_text(encoding="utf-8"))
    assert set(summaries["milvus"]) == {"keyword", "hybrid"}
    assert summaries["milvus"]["hybrid"]["test"]["nDCG@10"] > 0
    assert summaries["milvus"] == summaries["embedded"]
    bad = subprocess.run(
        [
            sys.executable,
            "eval/run.py",
            "--backend",
            "milvus",
            "--milvus-uri",
            target.uri,
            "--collection",
            "x",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert bad.returncode != 0 and bad.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "Traceback" not in bad.stderr


ANSWER_QUESTIONS = ["红桥区知识产权质押融资目标是多少", "专利申请量的目标", "知识产权保护工作有哪些措施"]


@pytest.mark.slow  # full lane (a Milvus build with answer sentences)
def test_answers_read_sentence_vectors_stored_in_milvus(seed_index_hash: Path, hash_engine, tmp_path: Path):
    from policy_search.answers.answer import answer
    from policy_search.store.milvus_sentences import MilvusSentences

    target = MilvusTarget(str(tmp_path / "answers.db"), collection="answers")
    export_to_milvus(seed_index_hash, target)  # the index folder's sentence vectors, not re-embedded
    encoder = _CountingHash()
    engine = SearchEngine.open(MilvusBackend.open(target), encoder=encoder, corpus_dir=CORPUS_DIR)
    assert isinstance(engine.sentences, MilvusSentences)
    assert len(engine.sentences) == len(hash_engine.sentences)
    for q in ANSWER_QUESTIONS:
        want, got = answer(hash_engine, q), answer(engine, q)
        assert got.found == want.found and want.found, q
        assert [i.to_dict() for i in got.items] == [i.to_dict() for i in want.items], q
    assert encoder.passages == 0 and engine.sentences.embedded == 0 and engine.sentences.fetched > 0


@pytest.mark.slow  # full lane (several builds / a server process)
def test_sentences_follow_incremental_builds(tmp_path: Path):
    from policy_search.answers.answer import answer
    from policy_search.store.index import build_index
    from policy_search.store.milvus import connect, iterate

    corpus = _small_corpus(tmp_path)
    target = MilvusTarget(str(tmp_path / "s.db"), collection="s")
    settings = Settings(encoder="hash")
    first = build_milvus(corpus, target, settings, HashEncoder(), cache_root=tmp_path / "cache")
    assert first.sentences_embedded > 0
    # the embedded build of the same corpus reuses the same sentence cache: nothing to embed
    again = build_index(corpus, tmp_path, settings, encoder=HashEncoder())  # its cache: tmp_path/cache
    assert again.sentences_embedded == 0
    second = build_milvus(corpus, target, settings, HashEncoder(), cache_root=tmp_path / "cache")
    assert second.sentences_embedded == 0 and "milvus sentences: upserted 0, deleted 0" in second.notes
    (corpus / "cnipa-2013-work-plan.txt").unlink()
    third = build_milvus(corpus, target, settings, HashEncoder(), cache_root=tmp_path / "cache")
    note = next(n for n in third.notes if n.startswith("milvus sentences:"))
    assert "upserted 0" in note and "deleted 0" not in note
    client = connect(target)
    rows = iterate(client, "s__sentences", "", ["chunk_id"])
    assert rows and all(not r["chunk_id"].startswith("cnipa-2013") for r in rows)
    encoder = _CountingHash()
    engine = SearchEngine.open(MilvusBackend.open(target), encoder=encoder, corpus_dir=corpus)
    assert len(rows) == len(engine.sentences)
    assert answer(engine, "专利申请量的目标").items and encoder.passages == 0
