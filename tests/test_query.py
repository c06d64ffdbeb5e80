"""A query is parsed once (search/parse.py) and the record serves search, answers, highlighting,
export and the page's recognised names."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError, replace
from pathlib import Path

import pytest

from policy_search import ui
from policy_search.answers.answer import answer
from policy_search.search.glossary import expand_query
from policy_search.search.parse import ParsedQuery, parse_query, query_text, region_aliases
from policy_search.search.retrieval import SearchEngine, clean_query

REPO = Path(__file__).resolve().parents[1]
# synthetic regions: a province, a city in it, and the national level
ALIASES = {r: region_aliases(r) for r in ("甲省", "甲省乙市", "全国")}


def split(text: str) -> list[str]:
    return text.lower().split()


# ------------------------------------------------------------------ the record


def test_the_record_holds_every_part_of_the_query():
    parsed = parse_query(" 乙市\x00 ２０２０ 年 專利 导航 由 丙局 负责 patent ", split, ALIASES, {"丙局"})
    assert parsed.cleaned == "乙市 2020 年 专利 导航 由 丙局 负责 patent"  # control, width, Traditional
    assert parsed.expansions == ("专利",)
    assert parsed.expanded == parsed.cleaned + " 专利"
    assert parsed.tokens == tuple(parsed.expanded.split())
    assert parsed.region_names == {"甲省乙市": "乙市"}
    assert parsed.years == (2020,)
    assert parsed.units == ("丙局",)
    # topic: no question words (年, 负责), years, places or English words
    assert parsed.topic_terms == ("专利", "导航", "由", "丙局")
    assert parsed.unnamed_terms == ("专利", "导航", "由")  # apart from the unit too
    assert parsed.coverage_terms == ("乙市", "专利", "导航", "由", "丙局")  # a place counts (its plan)
    assert str(parsed) == parsed.cleaned and query_text(parsed) == parsed.cleaned
    with pytest.raises(FrozenInstanceError):
        parsed.cleaned = "x"  # type: ignore[misc]


def test_a_query_of_names_only_has_no_unnamed_terms_and_national_names_count_as_places():
    parsed = parse_query("国家局 甲省", split, ALIASES)
    assert parsed.region_names == {"全国": "国家局", "甲省": "甲省", "甲省乙市": "甲省"}
    assert parsed.unnamed_terms == () and parsed.topic_terms == ()
    assert parse_query("", split, ALIASES).tokens == ()


def test_a_region_named_only_through_a_wider_one_is_not_shown_twice():
    wide = parse_query("甲省 专利", split, ALIASES)
    assert set(wide.region_names) == {"甲省", "甲省乙市"}  # both plans match the name
    assert wide.distinct_regions() == (("甲省", "甲省"),)
    both = parse_query("甲省 乙市 专利", split, ALIASES)
    assert [r for r, _ in both.distinct_regions()] == ["甲省", "甲省乙市"]


def test_the_engine_parses_as_the_separate_steps_did(hash_engine: SearchEngine):
    for line in (REPO / "eval" / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        query = json.loads(line)["query"]
        parsed = hash_engine.parse(query)
        assert parsed.cleaned == clean_query(query)
        assert parsed.expanded == expand_query(parsed.cleaned)
        assert list(parsed.tokens) == hash_engine.tokenizer.tokenize(parsed.expanded)
        assert parsed.region_names == hash_engine.region_boosts(parsed.expanded)
        assert hash_engine.parse(parsed) is parsed


def test_searching_the_record_or_the_text_gives_the_same_hits(hash_engine: SearchEngine):
    lines = (REPO / "eval" / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    for query in [json.loads(line)["query"] for line in lines][:25]:
        for mode in ("hybrid", "keyword"):
            by_text = hash_engine.search(query, k=10, mode=mode)
            assert by_text == hash_engine.search(hash_engine.parse(query), k=10, mode=mode)


# ------------------------------------------------------------------ tokenised once


class CountingTokenizer:
    """The engine's tokenizer, counting the calls that tokenise the query."""

    def __init__(self, inner, needle: str) -> None:
        self.inner, self.needle, self.calls = inner, needle, 0

    def tokenize(self, text: str) -> list[str]:
        if self.needle in text:
            self.calls += 1
        return self.inner.tokenize(text)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


@pytest.mark.parametrize("query", ["山东 2015 专利导航目标", "哪些任务由财政局负责", "patent pledge 融资"])
def test_search_answer_highlight_and_export_tokenise_the_query_once(hash_engine: SearchEngine, query):
    counting = CountingTokenizer(hash_engine.tokenizer, query.split()[-1])
    engine = replace(hash_engine, tokenizer=counting)
    parsed = engine.parse(query)
    hits = engine.search(parsed, k=10)
    result = answer(engine, parsed)
    state = ui.SearchState(query=query, regions=("山东省",))
    outcome = ui.run_search(lambda q, k, mode, f: engine.search(q, k, mode, f), state, parsed)
    ui.filter_effects(
        lambda q, k, mode, f: engine.search(q, k, mode, f), parsed, 10, "hybrid", state.filters()
    )
    for hit in hits:
        ui.card_html(hit, ui.highlight_terms(hit.matched_terms))
    ui.results_csv(hits, parsed)
    ui.results_json(hits, state, parsed=parsed)
    assert hits and result.hits and outcome.query == parsed.cleaned
    assert counting.calls == 1
    # the text alone: answer parses once for itself and its search
    counting.calls = 0
    answer(engine, query)
    assert counting.calls == 1


# ------------------------------------------------------------------ names as filters


def test_recognised_names_become_filters_that_keep_the_rest_of_the_search():
    options = ui.FilterOptions(
        regions=("全国", "甲省", "甲省乙市"), levels=(), year_span=(2010, 2020), plans={}, units=("市丙局",)
    )
    parsed = parse_query("甲省 2015 2030 丙部门 专利", split, ALIASES, {"丙部门"})
    state = ui.SearchState(query="甲省 2015 丙部门 专利", mode="keyword", has_target=True)
    names = ui.name_filters(parsed, state, options)
    assert [n.label for n in names] == ["地区：甲省", "年份：2015", "责任单位：丙部门"]  # 2030 is out of span
    region, year, unit = (n.state for n in names)
    assert region.regions == ("甲省",) and region.mode == "keyword" and region.has_target
    assert (year.year_min, year.year_max) == (2015, 2015)
    assert unit.unit == "丙"  # 丙部门 → units containing 丙
    assert not any(n.active for n in names)
    assert all(n.active for n in ui.name_filters(parsed, region, options) if n.kind == "regions")


def test_names_the_index_does_not_have_are_not_offered():
    options = ui.FilterOptions(regions=("全国",), levels=(), year_span=None, plans={}, units=())
    parsed = parse_query("甲省 2015", split, ALIASES)
    assert ui.name_filters(parsed, ui.SearchState(query="甲省 2015"), options) == []


# ------------------------------------------------------------------ the page


def test_page_shows_the_recognised_region_and_one_click_filters_by_it(monkeypatch, seed_index_hash):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("POLICY_SEARCH_INDEX", str(seed_index_hash))
    monkeypatch.setenv("POLICY_SEARCH_CORPUS", str(REPO / "corpus"))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    at.text_input(key="q").set_value("山东 专利导航").run()
    assert not at.exception and not at.error
    regions = [c.split('data-region="')[1].split('"')[0] for c in _cards(at)]
    assert len(set(regions)) > 1  # unfiltered: other plans too
    assert any(c.value == "检索词中识别到：" for c in at.caption)
    button = at.button(key="name_regions_地区：山东省")
    assert button.label == "地区：山东省" and not button.disabled
    button.click().run()
    assert not at.exception and not at.error
    url = ui.state_from_params(at.query_params)  # the URL carries the filter
    assert url.regions == ("山东省",) and url.query == "山东 专利导航"
    assert at.multiselect(key="f_region").value == ["山东省"]
    filtered = _cards(at)
    assert filtered and all('data-region="山东省"' in c for c in filtered)
    assert at.button(key="name_regions_地区：山东省").disabled  # already the filter


def _cards(at) -> list[str]:
    return [h.value for h in at.html if 'class="ps-card"' in h.value]


def test_a_parsed_query_is_a_valid_record(hash_engine: SearchEngine):
    parsed = hash_engine.parse("天津 2013年 专利权质押 目标")
    assert isinstance(parsed, ParsedQuery)
    assert hash(parsed) == hash(hash_engine.parse("天津 2013年 专利权质押 目标"))  # cache keys


# ------------------------------------------------------------------ plans and document types


def test_document_types_and_plans_named_in_a_query_are_recognised():
    titles = {"jia-2020": "甲省知识产权局2020年工作要点", "yi-2021": "乙市专利促进实施细则"}
    typed = parse_query("工作要点 专利导航", split, ALIASES, titles=titles)
    assert typed.doc_types == ("工作要点",) and typed.plans == () and typed.names_anything
    assert typed.unnamed_terms == ("专利导航",)  # the type is a name, not the topic
    quoted = parse_query("《乙市专利促进实施细则》 奖励", split, ALIASES, titles=titles)
    assert quoted.plans == ("yi-2021",)
    assert quoted.doc_types == ()  # the type inside a named plan's title names that plan only
    whole = parse_query("甲省知识产权局2020年工作要点 质押融资", split, ALIASES, {"知识产权局"}, titles)
    assert whole.plans == ("jia-2020",) and whole.units == ()  # 知识产权局 here is the plan's title
    plain = parse_query("有哪些措施和方案 专利", split, ALIASES, titles=titles)
    assert plain.doc_types == () and plain.plans == ()  # ordinary question words are not types


def test_tasks_of_a_named_plan_or_document_type_on_the_topic_rank_first(tmp_path: Path):
    from policy_search.encoders import HashEncoder
    from policy_search.settings import Settings
    from policy_search.store.index import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    task = "开展知识产权质押融资试点，扩大融资规模。"
    for name, title in (
        ("a", "甲省知识产权局2020年工作要点"),
        ("b", "乙市知识产权局2020年工作要点"),
        ("c", "丙市知识产权强市建设纲要"),
    ):
        body = f"{title}\n一、主要任务\n（一）质押融资。{task}\n（二）人才培养。加强知识产权人才队伍建设。\n"
        (corpus / f"{name}.txt").write_text(body, encoding="utf-8")
    build_index(corpus, tmp_path / "index", Settings(encoder="hash"), encoder=HashEncoder())
    engine = SearchEngine.load(tmp_path / "index", encoder=HashEncoder(), corpus_dir=corpus)
    hits = engine.search("纲要 质押融资", k=6)
    assert "纲要" in hits[0].chunk.plan_title and "type:纲要" in hits[0].boosts
    hits = engine.search("《乙市知识产权局2020年工作要点》 质押融资", k=6)
    assert hits[0].chunk.plan_title.startswith("乙市") and "质押融资" in hits[0].chunk.text
    assert any(b.startswith("plan:") for b in hits[0].boosts)
    # a task of the named plan off the topic never outranks tasks on the topic
    off = [h.rank for h in hits if "质押融资" not in h.chunk.text]
    on = [h.rank for h in hits if "质押融资" in h.chunk.text]
    assert max(on) < min(off)


def test_named_plans_and_document_types_become_plan_filters():
    titles = {
        "jia-2020": "甲省知识产权局2020年工作要点",
        "yi-2021": "乙市专利促进实施细则",
        "bing": "丙市工作要点",
    }
    options = ui.FilterOptions(regions=(), levels=(), year_span=None, plans=titles, units=())
    parsed = parse_query("《乙市专利促进实施细则》 工作要点 奖励", split, ALIASES, titles=titles)
    names = ui.name_filters(parsed, ui.SearchState(query=parsed.cleaned), options)
    assert [n.label for n in names] == ["规划：乙市专利促进实施细则", "文件类型：工作要点"]
    assert names[0].state.doc_ids == ("yi-2021",)
    assert names[1].state.doc_ids == ("jia-2020", "bing")  # every plan of that type
