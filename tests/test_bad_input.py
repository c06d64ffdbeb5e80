"""The bad-input table: every row gets results or a clear message, never a traceback."""

from __future__ import annotations

import pytest

from policy_search.search.retrieval import Filters, SearchEngine

from .test_cli import run

LONG = "知识产权质押融资" * 1250  # 10,000 characters


@pytest.mark.parametrize(
    ("name", "query", "expect"),
    [
        ("empty", "", "none"),
        ("whitespace only", " \t\n　 ", "none"),
        ("10,000 characters", LONG, "質押"),
        ("control characters and NUL", "知识产权\x00质押\x07融资\x1b", "质押"),
        ("emoji", "💰知识产权质押融资🚀", "质押"),
        ("Traditional Chinese", "智慧財產權質押融資", "质押"),
        ("full-width digits", "１２３３０", "12330"),
        ("HTML / script", "<script>alert(1)</script>质押融资", "质押"),
        ("SQL-looking", "'; DROP TABLE chunks; -- 质押融资", "质押"),
        ("only stopwords", "的 了 和 与 及", "any"),
    ],
)
def test_library_bad_queries(hash_engine: SearchEngine, name: str, query: str, expect: str):
    for mode in ("hybrid", "dense", "keyword"):
        hits = hash_engine.search(query, k=5, mode=mode)
        if expect == "none":
            assert hits == [], name
        elif expect == "any":  # nothing to match on: whatever comes back is marked not relevant
            assert not any(h.relevant for h in hits), (name, mode)
        elif mode != "dense":  # the hash encoder has no idea of meaning; BM25 must find the term
            assert hits and any(expect.replace("質", "质") in h.chunk.text for h in hits), (name, mode)


def test_traditional_query_matches_simplified_text(hash_engine: SearchEngine):
    hits = hash_engine.search("智慧財產權質押融資", k=3, mode="keyword")
    assert "知识产权" in hits[0].matched_terms and "质押融资" in hits[0].matched_terms


def test_only_stopwords_keyword_mode_has_no_hits(hash_engine: SearchEngine):
    assert hash_engine.search("的 了 和 与 及", mode="keyword") == []


@pytest.mark.parametrize(
    "filters",
    [
        Filters(regions=("火星",)),
        Filters(levels=("乡",)),
        Filters(doc_ids=("no-such-doc",)),
        Filters(unit="不存在的处"),
    ],
)
def test_unknown_filter_values_give_no_hits(hash_engine: SearchEngine, filters: Filters):
    assert hash_engine.search("知识产权", filters=filters) == []


@pytest.mark.parametrize(("k", "count"), [(0, 0), (-5, 0), (10**9, None)])
def test_k_out_of_range(hash_engine: SearchEngine, k: int, count: int | None):
    hits = hash_engine.search("知识产权", k=k, mode="dense")
    assert len(hits) == (len(hash_engine.chunks) if count is None else count)


def test_unknown_mode_is_a_clear_error(hash_engine: SearchEngine):
    with pytest.raises(ValueError, match="mode 'x' is not one of hybrid, dense, keyword"):
        hash_engine.search("知识产权", mode="x")


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["search", "--k", "3", LONG], 0, "hits, hybrid"),
        (["search", "知识产权\x07质押"], 0, "hits, hybrid"),
        (["search", "💰", "<script>alert(1)</script>"], 0, "# 💰 <script>alert(1)</script>"),
        (["search", "--k", "-5", "专利"], 0, "no results"),
        (["search", "--k", "0", "专利"], 0, "no results"),
        (["search", "--region", "火星", "专利"], 2, "--region '火星' matches no plan's region (known:"),
        (["search", "--level", "乡", "专利"], 2, "invalid choice: '乡'"),
        (["search", "--k", "many", "专利"], 2, "invalid int value: 'many'"),
        (["search"], 2, "give a QUERY or --queries FILE"),
        (["search", "--queries", "/no/such/file.txt"], 2, "--queries /no/such/file.txt: cannot read"),
        (["answer", "'; DROP TABLE chunks; --"], 0, "DROP TABLE chunks"),
    ],
)
def test_cli_bad_input(seed_index_hash, args: list[str], code: int, needle: str):
    out = run(*args[:1], "--index", str(seed_index_hash), *args[1:])
    assert out.returncode == code, out.stderr
    assert needle in out.stdout + out.stderr
    assert "Traceback" not in out.stderr
