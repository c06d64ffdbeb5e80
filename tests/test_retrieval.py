from __future__ import annotations

import itertools

import numpy as np
import pytest

from policy_search.search.retrieval import Filters, SearchEngine, fuse_scores, region_aliases
from policy_search.settings import Settings


def ids(hits) -> list[str]:
    return [h.chunk.chunk_id for h in hits]


def test_weighted_fusion_matches_hand_computation():
    dense = np.array([0.9, 0.5, 0.7])
    keyword = np.array([0.0, 10.0, 5.0])
    fused = fuse_scores(dense, keyword, Settings(fusion="weighted", dense_weight=0.25))
    # dense min-max → [1, 0, 0.5]; keyword → [0, 1, 0.5]
    assert fused == pytest.approx([0.25, 0.75, 0.5])


def test_rrf_fusion_matches_hand_computation():
    dense = np.array([0.9, 0.5, 0.7])  # ranks 1, 3, 2
    keyword = np.array([0.0, 10.0, 5.0])  # ranks 3, 1, 2
    fused = fuse_scores(dense, keyword, Settings(fusion="rrf", rrf_k=60))
    raw = np.array([1 / 61 + 1 / 63, 1 / 63 + 1 / 61, 2 / 62])
    assert fused == pytest.approx(raw / raw.max())


def test_single_retriever_scores_are_normalised():
    assert fuse_scores(None, np.array([2.0, 4.0, 3.0]), Settings()) == pytest.approx([0, 1, 0.5])
    assert fuse_scores(np.array([0.2, 0.2]), None, Settings()) == pytest.approx([1, 1])


def test_region_aliases():
    assert {"广安", "广安市", "四川", "四川省"} <= region_aliases("四川省广安市")
    assert {"天津", "红桥", "红桥区"} <= region_aliases("天津市红桥区")


@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
def test_no_duplicates_and_ranks(hash_engine: SearchEngine, mode: str):
    hits = hash_engine.search("知识产权质押融资", k=20, mode=mode)
    assert len(hits) == 20
    assert len(set(ids(hits))) == 20
    assert [h.rank for h in hits] == list(range(1, 21))
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))


def test_keyword_mode_finds_exact_term(hash_engine: SearchEngine):
    hits = hash_engine.search("12330", k=3, mode="keyword")
    # exactly two tasks mention the 12330 hotline
    assert set(ids(hits)) == {"tianjin-2013/四/十六", "shandong-2015/三/深入开展知识产权维权援助"}
    assert all("12330" in h.matched_terms and h.dense_score is None for h in hits)


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        (Filters(regions=("山东",)), lambda c: c.doc_id == "shandong-2015"),
        (Filters(regions=("天津",)), lambda c: c.doc_id in {"tianjin-2013", "hongqiao-2021"}),
        (Filters(levels=("区县",)), lambda c: c.doc_id == "hongqiao-2021"),
        (Filters(year_min=2016, year_max=2018), lambda c: c.doc_id in {"guangan-2017", "hongqiao-2021"}),
        (Filters(year_max=2014), lambda c: c.doc_id in {"tianjin-2013", "cnipa-2013"}),
        (Filters(doc_ids=("cnipa-2013",)), lambda c: c.doc_id == "cnipa-2013"),
        (Filters(unit="协调管理处"), lambda c: any("协调管理处" in u for u in c.units)),
        (Filters(has_target=True), lambda c: bool(c.targets)),
    ],
)
def test_each_filter(hash_engine: SearchEngine, filters: Filters, check):
    hits = hash_engine.search("知识产权", k=10, mode="hybrid", filters=filters)
    assert hits and all(check(h.chunk) for h in hits)
    unfiltered = hash_engine.search("知识产权", k=10, mode="hybrid")
    assert ids(hits) != ids(unfiltered) or all(check(h.chunk) for h in unfiltered)


def test_filter_never_returns_fewer_hits_than_exist(hash_engine: SearchEngine):
    cnipa = [c for c in hash_engine.chunks if c.doc_id == "cnipa-2013"]
    hits = hash_engine.search("专利", k=100, mode="dense", filters=Filters(doc_ids=("cnipa-2013",)))
    assert sorted(ids(hits)) == sorted(c.chunk_id for c in cnipa)
    # a narrow filter far down the dense ranking still gets all its chunks
    few = hash_engine.search("党风廉政建设", k=50, mode="dense", filters=Filters(unit="专利文献部"))
    assert len(few) == sum(1 for c in hash_engine.chunks if any("专利文献部" in u for u in c.units)) >= 1


def test_filter_matching_nothing_gives_no_hits(hash_engine: SearchEngine):
    assert hash_engine.search("专利", filters=Filters(regions=("西藏",))) == []


def test_region_named_in_query_boosts_that_plan(hash_engine: SearchEngine):
    plain = hash_engine.search("知识产权宣传培训", k=10)
    boosted = hash_engine.search("山东知识产权宣传培训", k=10)
    assert boosted[0].chunk.doc_id == "shandong-2015" and "region:山东" in boosted[0].boosts
    assert sum(h.chunk.doc_id == "shandong-2015" for h in boosted) > sum(
        h.chunk.doc_id == "shandong-2015" for h in plain
    )
    national = hash_engine.search("国家局 专利审查质量", k=3)
    assert national[0].chunk.doc_id == "cnipa-2013" and national[0].boosts == ("region:国家局",)
    # 国家知识产权试点城市 names a programme, not the national plan
    assert not any("region" in b for h in hash_engine.search("国家知识产权试点城市", k=5) for b in h.boosts)


def test_year_named_in_query_boosts_plans_of_that_year(hash_engine: SearchEngine):
    hits = hash_engine.search("2015年 专利行政执法", k=5)
    assert hits[0].chunk.doc_id == "shandong-2015" and "year:2015" in hits[0].boosts
    outline = hash_engine.search("2030年 知识产权保护", k=5)
    assert any(h.chunk.doc_id == "hongqiao-2021" and "year:2030" in h.boosts for h in outline)


@pytest.mark.parametrize("query", ["", "   ", "\x00\x01"])
def test_empty_queries_give_no_hits(hash_engine: SearchEngine, query: str):
    assert hash_engine.search(query) == []


def test_k_bounds(hash_engine: SearchEngine):
    assert hash_engine.search("专利", k=0) == []
    assert hash_engine.search("专利", k=-3) == []
    assert len(hash_engine.search("专利", k=10_000, mode="dense")) == len(hash_engine.chunks)
    with pytest.raises(ValueError, match="mode 'fuzzy' is not one of"):
        hash_engine.search("专利", mode="fuzzy")


def test_hit_json_contract(hash_engine: SearchEngine):
    row = hash_engine.search("专利权质押贷款", k=1)[0].to_dict("专利权质押贷款")
    for key in ["query", "rank", "score", "chunk_id", "doc_id", "plan_title", "issuer", "year",
                "section", "title", "text", "units", "targets"]:  # fmt: skip
        assert key in row


@pytest.mark.slow
def test_real_e5_hybrid_finds_pledge_financing_tasks(e5_engine: SearchEngine):
    hits = e5_engine.search("知识产权质押融资目标", k=5)
    top = set(ids(hits))
    assert {"tianjin-2013/二/八", "hongqiao-2021/二/三/11", "guangan-2017/四/二/1"} <= top
    assert any(h.chunk.doc_id == "shandong-2015" and "质押融资" in h.chunk.title for h in hits)
    assert all(h.dense_score is not None and h.keyword_score is not None for h in hits)
    assert e5_engine.manifest["encoder"] == {"name": "e5-small-q4", "dim": 384}
    assert not e5_engine.stale


@pytest.mark.slow
def test_real_e5_dense_understands_a_paraphrase(e5_engine: SearchEngine):
    hits = e5_engine.search("政府机关自身作风怎么改进", k=5, mode="dense")
    assert "tianjin-2013/八/三十一" in ids(hits)


@pytest.mark.slow
def test_real_e5_english_query_is_expanded_with_the_glossary(e5_engine: SearchEngine):
    hits = e5_engine.search("patent pledge financing targets", k=5)
    assert "tianjin-2013/二/八" in ids(hits)
    assert "质押融资" in hits[0].matched_terms or "质押" in hits[0].matched_terms


def test_filtered_dense_search_widens_faiss_when_many_chunks_pass(hash_engine: SearchEngine, monkeypatch):
    import policy_search.store.embedded as embedded

    brute = hash_engine.search("党风廉政建设", k=50, mode="dense", filters=Filters(unit="专利文献部"))
    monkeypatch.setattr(embedded, "BRUTE_FORCE_FILTERED", 0)  # force the widening FAISS path
    widened = hash_engine.search("党风廉政建设", k=50, mode="dense", filters=Filters(unit="专利文献部"))
    assert ids(widened) == ids(brute) and len(widened) >= 1


def test_filter_columns_agree_with_filters_matches(hash_engine: SearchEngine):
    """The vectorised columns give exactly the per-chunk rule for every filter field."""
    chunks = hash_engine.chunks
    cases = [
        Filters(regions=("山东",)),
        Filters(levels=("市",)),
        Filters(year_min=2016, year_max=2020),
        Filters(year_max=2012),
        Filters(doc_ids=(chunks[0].doc_id,)),
        Filters(unit="财政"),
        Filters(has_target=True),
        Filters(kinds=("task",)),
        Filters(regions=("天津",), has_target=True, unit="局"),
    ]
    for f in cases:
        expected = [f.matches(c) for c in chunks]
        assert hash_engine.filter_mask(f).tolist() == expected, f


def test_embedded_vectors_are_a_view_of_the_faiss_index(hash_engine: SearchEngine):
    backend = hash_engine.backend
    assert not backend.vectors.flags.owndata and backend.vectors.shape == (len(hash_engine.chunks), 256)


def test_threads_setting_pins_faiss(monkeypatch):
    import faiss

    from policy_search.store.backend import apply_threads

    before = faiss.omp_get_max_threads()
    try:
        monkeypatch.setattr("os.cpu_count", lambda: 2)
        assert apply_threads(0) == 1 and faiss.omp_get_max_threads() == 1
        assert apply_threads(2) == 2 and faiss.omp_get_max_threads() == 2
        monkeypatch.setattr("os.cpu_count", lambda: 16)
        assert apply_threads(0) == 0  # FAISS's own default on bigger machines
    finally:
        faiss.omp_set_num_threads(before)
