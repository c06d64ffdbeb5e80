"""Regions, years and responsible units named in a query are soft constraints on the ranking."""

from __future__ import annotations

import pytest

from policy_search.search.query import named_units, topic_terms, unit_names
from policy_search.search.retrieval import SearchEngine


def test_unit_names_a_question_may_use():
    names = unit_names(["市财政局", "市知识产权局", "专利管理司"], too_common=lambda n: "知识产权" in n)
    assert {"市财政局", "财政局", "财政部门", "专利管理司", "专利管理部门"} <= names
    assert not any("知识产权" in n for n in names)
    assert named_units("哪些任务由财政局负责", names) == ("财政局",)
    assert named_units("财政部门要做什么", names) == ("财政部门",)
    assert named_units("加强专利管理", names) == ()


def test_topic_terms_leave_out_question_words_names_and_years():
    assert topic_terms(["哪些", "任务", "由", "财政局", "负责"], {"财政局"}) == ["由"]
    assert topic_terms(["山东", "专利", "导航", "专利导航", "2015"], {"山东省", "山东"}) == [
        "专利",
        "导航",
        "专利导航",
    ]


def test_tasks_of_a_named_unit_come_first(hash_engine: SearchEngine):
    hits = hash_engine.search("哪些任务由财政局负责", k=10)
    with_unit = [h.rank for h in hits if any("财政局" in u for u in h.chunk.units)]
    assert len(with_unit) >= 3 and with_unit == list(range(1, len(with_unit) + 1))
    assert all("unit:财政局" in h.boosts for h in hits[: len(with_unit)])


@pytest.mark.parametrize("query", ["山东 专利导航", "山东专利导航"])
def test_a_task_matching_only_the_region_never_outranks_one_on_the_topic(hash_engine: SearchEngine, query):
    hits = hash_engine.search(query, k=10)
    on_topic = [h.rank for h in hits if "专利导航" in h.chunk.text]
    others = [h.rank for h in hits if "专利导航" not in h.chunk.text]
    assert on_topic and max(on_topic) < min(others)
    # tasks of the named plan that are on the topic rank first
    assert hits[0].chunk.doc_id == "shandong-2015" and "专利导航" in hits[0].chunk.text
    assert any(h.chunk.doc_id != "shandong-2015" for h in hits[: len(on_topic)])


@pytest.mark.slow
def test_real_e5_named_region_and_topic(e5_engine: SearchEngine):
    hits = e5_engine.search("山东 专利导航", k=10)
    on_topic = [h.rank for h in hits if "专利导航" in h.chunk.text]
    assert on_topic[:2] == [1, 2] and max(on_topic) < min(h.rank for h in hits if h.rank not in on_topic)
