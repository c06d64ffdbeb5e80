"""Crashes and concurrency: killing embed.py at random points never breaks the index, two
builds at once never corrupt it, and many threads searching one engine see serial results."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from policy_search.encoders import HashEncoder
from policy_search.search.retrieval import SearchEngine
from policy_search.store.index import build_lock

from .conftest import CORPUS_DIR, REPO

QUERIES = ["知识产权质押融资", "专利行政执法", "12330", "知识产权宣传周", "商标品牌", "人才培训"]


def embed(corpus: Path, index: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(REPO / "embed.py"), "--corpus", str(corpus), "--index", str(index), "--encoder",
         "hash", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def answers(index: Path) -> list[list[str]]:
    engine = SearchEngine.load(index, encoder=HashEncoder())
    return [[h.chunk.chunk_id for h in engine.search(q, k=5)] for q in QUERIES]


@pytest.fixture()
def big_corpus(tmp_path: Path) -> Path:
    """The seeds four times over (different ids), so a build takes long enough to interrupt."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(4):
        for src in sorted(CORPUS_DIR.glob("*.txt")):
            text = src.read_text(encoding="utf-8")
            (corpus / f"copy{n}-{src.name}").write_text(
                text + f"\n附记：副本{n}。" * (n + 1), encoding="utf-8"
            )
    return corpus


def corpus_bytes(corpus: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(corpus.iterdir())}


def doc_count(index: Path) -> int:
    return len({c.doc_id for c in SearchEngine.load(index, encoder=HashEncoder()).chunks})


def kill_incremental_rebuild(big_corpus: Path, tmp_path: Path, points: int) -> dict[str, int]:
    """Build, then add one file and change another; run the incremental rebuild ``points`` times,
    each killed (SIGKILL) at an evenly spaced moment over its measured duration. Every time the
    index must load and answer exactly as the previous or as the finished build, and the corpus
    stay byte-for-byte as it was."""
    index = tmp_path / "index"
    first = embed(big_corpus, index)
    assert first.wait(timeout=300) == 0, first.stderr.read()
    before, docs_before = answers(index), doc_count(index)
    # the change: one new plan (a copy with its own text) and one plan edited
    src = sorted(big_corpus.glob("copy1-*"))[0]
    (big_corpus / "added-plan.txt").write_text(
        src.read_text(encoding="utf-8") + "\n附记：新增的规划。", encoding="utf-8"
    )
    edited = sorted(big_corpus.glob("copy2-*"))[-1]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n附记：修改后的规划。", encoding="utf-8")
    corpus = corpus_bytes(big_corpus)
    # what the finished incremental rebuild answers, and how long it takes (a copy of the index)
    timing = tmp_path / "timing-index"
    shutil.copytree(index, timing)
    started = time.perf_counter()
    full = embed(big_corpus, timing)
    assert full.wait(timeout=300) == 0, full.stderr.read()
    build_seconds = time.perf_counter() - started
    after, docs_after = answers(timing), doc_count(timing)
    assert (after, docs_after) != (before, docs_before), "the rebuild must change the answers"
    outcomes = {"previous": 0, "finished": 0}
    for i in range(points):
        proc = embed(big_corpus, index)
        time.sleep(build_seconds * (i + 0.5) / points)  # evenly over the whole build
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        now, docs = answers(index), doc_count(index)  # must load, whatever point the build died at
        if (now, docs) == (before, docs_before):
            outcomes["previous"] += 1
        else:
            assert (now, docs) == (after, docs_after), f"kill point {i}: a half-built index was swapped in"
            outcomes["finished"] += 1
        assert corpus_bytes(big_corpus) == corpus, f"kill point {i} changed the corpus"
    assert outcomes["previous"] > 0
    # after the kills, a normal build cleans up and succeeds
    final = embed(big_corpus, index)
    assert final.wait(timeout=300) == 0
    assert (answers(index), doc_count(index)) == (after, docs_after)
    assert len(list(index.glob("v-*"))) <= 2
    return outcomes


@pytest.mark.slow
def test_killing_embed_at_random_points_keeps_previous_index(big_corpus: Path, tmp_path: Path):
    kill_incremental_rebuild(big_corpus, tmp_path, points=3)


@pytest.mark.slow
def test_killing_incremental_rebuild_at_fifty_points_keeps_previous_index(big_corpus: Path, tmp_path: Path):
    outcomes = kill_incremental_rebuild(big_corpus, tmp_path, points=50)
    assert sum(outcomes.values()) == 50


def test_second_concurrent_build_is_refused_with_a_message(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    first = sorted(CORPUS_DIR.glob("*.txt"))[0]
    shutil.copy(first, corpus / first.name)
    index = tmp_path / "index"
    with build_lock(index):  # another build in progress
        proc = embed(corpus, index)
        assert proc.wait(timeout=120) == 2
        err = proc.stderr.read()
    assert "another build of this index is running" in err and "Traceback" not in err
    assert embed(corpus, index).wait(timeout=300) == 0


def test_parallel_searches_match_serial_results(hash_engine: SearchEngine):
    queries = [QUERIES[i % len(QUERIES)] + ("" if i % 3 else " 2013年") for i in range(200)]
    serial = {
        q: [(h.chunk.chunk_id, round(h.score, 9)) for h in hash_engine.search(q, k=10)] for q in set(queries)
    }

    def worker(offset: int) -> list[bool]:
        out = []
        for q in queries[offset:] + queries[:offset]:
            got = [(h.chunk.chunk_id, round(h.score, 9)) for h in hash_engine.search(q, k=10)]
            out.append(got == serial[q])
        return out

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [ok for chunk in pool.map(worker, range(0, 200, 25)) for ok in chunk]
    assert len(results) == 8 * 200 and all(results)
