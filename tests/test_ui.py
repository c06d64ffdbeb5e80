"""Unit tests of the page helpers in policy_search.ui (no Streamlit, no browser)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import datetime
from html.parser import HTMLParser

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy_search import ui
from policy_search.records import Chunk, Target
from policy_search.search.retrieval import MAX_QUERY_CHARS, Filters, Hit

# ------------------------------------------------------------------ fixtures


def make_chunk(text: str = "推进知识产权质押融资。", **changes) -> Chunk:
    base = Chunk(
        chunk_id="p/一/1",
        doc_id="p",
        plan_title="测试市知识产权工作要点",
        issuer="测试市知识产权局",
        region="测试市",
        level="市",
        year=2020,
        period="2020",
        section=("重点任务", "加强运用"),
        title="推进质押融资",
        text=text,
        units=("市财政局", "市金融局"),
        targets=(),
        kind="task",
        start=0,
        end=len(text),
    )
    return replace(base, **changes)


def make_hit(
    chunk: Chunk, rank: int = 1, score: float = 0.8, terms: tuple[str, ...] = (), relevance: float = 0.9
) -> Hit:
    return Hit(
        chunk=chunk, rank=rank, score=score, dense_score=0.5, keyword_score=3.0, matched_terms=terms,
        relevance=relevance, relevant=relevance >= 0.5,
    )  # fmt: skip


class TagChecker(HTMLParser):
    """Records start tags and checks every tag is closed in order."""

    VOID = frozenset({"br", "img", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> in {self.stack}"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> TagChecker:
    checker = TagChecker()
    checker.feed(html)
    checker.close()
    assert checker.stack == [], f"unclosed tags {checker.stack}"
    return checker


# ------------------------------------------------------------------ highlighting


def test_highlight_escapes_markup_then_marks_terms():
    out = ui.highlight("<b>质押</b>融资<script>alert(1)</script>", ["质押"])
    assert out == "&lt;b&gt;<mark>质押</mark>&lt;/b&gt;融资&lt;script&gt;alert(1)&lt;/script&gt;"


def test_highlight_merges_overlapping_terms():
    out = ui.highlight("开展知识产权质押融资工作", ["知识产权质押", "质押融资", "融资"])
    assert out == "开展<mark>知识产权质押融资</mark>工作"


def test_highlight_marks_every_occurrence_case_insensitively():
    assert ui.highlight("IP and ip", ["ip"]) == "<mark>IP</mark> and <mark>ip</mark>"
    assert ui.highlight("aaa", ["aa"]) == "<mark>aaa</mark>"


def test_highlight_never_marks_inside_an_entity_or_a_term_with_markup():
    assert ui.highlight("a&b", ["amp"]) == "a&amp;b"
    assert ui.highlight("x<b>y", ["<b>"]) == "x<mark>&lt;b&gt;</mark>y"
    assert ui.highlight('"quoted"', ["quot"]) == "&quot;<mark>quot</mark>ed&quot;"


def test_render_text_nests_marks_and_targets_well_formed():
    text = "专利权质押贷款达到15亿元。"
    start = text.index("达到")
    out = ui.render_text(text, ["质押贷款达到"], [(start, start + 6)])
    checker = parse(out)
    assert "".join(checker.text) == text
    assert '<strong class="ps-tgt"><mark>达到</mark></strong>' in out
    assert out.count("<mark>") == 2  # one run outside the target, one inside


@given(st.text(max_size=60), st.lists(st.text(min_size=1, max_size=4), max_size=4))
def test_render_text_is_always_well_formed_and_keeps_the_text(text, terms):
    out = ui.render_text(text, terms, [(1, 5)])
    checker = parse(out)
    assert "".join(checker.text) == text
    assert "<script" not in out


def test_highlight_terms_drops_common_and_single_character_terms():
    texts = ["知识产权工作"] * 8 + ["知识产权质押融资"] * 2
    common = ui.common_terms(["知识产权", "质押", "融资", "权", ""], texts)
    assert common == {"知识产权", "权"}
    assert ui.highlight_terms(["知识产权", "质押", "融资", "权"], common) == ["融资", "质押"]
    # if every term is common, keep them so something is still marked
    assert ui.highlight_terms(["知识产权"], common) == ["知识产权"]
    assert ui.highlight_terms(["1"]) == ["1"]
    assert ui.highlight_terms([], common) == []
    assert ui.common_terms(["质押"], []) == frozenset()


# ------------------------------------------------------------------ cards and context


def test_card_shows_plan_section_units_targets_and_escapes_everything():
    text = "推进<b>质押</b>融资，贷款达到15亿元。"
    start = text.index("达到")
    target = Target("达到15亿元", 15, "亿元", "达到", "贷款", "2020年", start, start + 6)
    chunk = make_chunk(
        text, targets=(target,), units=("<i>市财政局</i>",), plan_title="<script>x</script>计划"
    )
    out = ui.card_html(make_hit(chunk, rank=3, score=1.2, terms=("质押",)))
    parse(out)
    assert "<script" not in out and "<b>" not in out and "<i>" not in out
    assert "&lt;script&gt;x&lt;/script&gt;计划" in out
    assert "&lt;b&gt;<mark>质押</mark>&lt;/b&gt;" in out
    assert '<span class="ps-section">重点任务 › 加强运用</span>' in out
    assert '<span class="ps-task">推进质押融资</span>' in out
    assert '<span class="ps-tag">&lt;i&gt;市财政局&lt;/i&gt;</span>' in out
    assert '<span class="ps-goal">2020年 贷款 达到15亿元</span>' in out
    assert '<strong class="ps-tgt">达到15亿元</strong>' in out
    assert (
        'data-rank="3"' in out and 'style="width:90%"' in out
    )  # the calibrated relevance, not the rank score


def test_card_relevance_bar_and_boost_note():
    hit = replace(
        make_hit(make_chunk(), score=1.15, relevance=0.42), boosts=("region:山东", "year:2015", "unit:财政局")
    )
    out = ui.card_html(hit)
    # the bar shows the calibrated relevance (same meaning for every query), not the ranking score
    assert 'style="width:42%"' in out and "相关度 0.42" in out and "弱相关" not in out.split("title=")[0]
    assert "检索词提到地区「山东」" in out and "检索词提到年份 2015" in out
    assert "检索词提到责任单位「财政局」" in out


def test_card_marks_a_weakly_related_hit():
    weak = ui.card_html(make_hit(make_chunk(), score=1.0, relevance=0.07))
    assert '<span class="ps-weak">弱相关</span>相关度 0.07' in weak and 'style="width:7%"' in weak
    assert "ps-weak" not in ui.card_html(make_hit(make_chunk(), relevance=0.8))
    assert ui.nothing_relevant([make_hit(make_chunk(), relevance=0.07)])
    assert not ui.nothing_relevant(
        [make_hit(make_chunk(), relevance=0.07), make_hit(make_chunk(), relevance=0.8)]
    )
    assert not ui.nothing_relevant([])


def test_context_marks_the_task_in_its_whole_section():
    a = make_chunk("（一）第一条<b>。", chunk_id="p/一/1", start=0, end=8)
    b = make_chunk("（二）质押融资。", chunk_id="p/一/2", start=10, end=18)
    c = make_chunk("（三）第三条。", chunk_id="p/一/3", start=20, end=27)
    other = make_chunk("别的章节。", chunk_id="p/二/1", section=("其他",), start=30, end=35)
    section = ui.section_chunks([c, other, b, a], b)
    assert [x.chunk_id for x in section] == ["p/一/1", "p/一/2", "p/一/3"]
    out = ui.context_html(section, b, ["质押"])
    parse(out)
    assert out.index("第一条") < out.index("质押") < out.index("第三条")
    assert '<div class="ps-context-item ps-context-hit"><span class="ps-here">本条</span>' in out
    assert "（二）<mark>质押</mark>融资。" in out and "&lt;b&gt;" in out
    assert "本节共 3 条" in out


def test_context_of_a_long_section_shows_a_window():
    chunks = [make_chunk(f"第{i}条。", chunk_id=f"p/{i}", start=i * 10, end=i * 10 + 5) for i in range(40)]
    out = ui.context_html(chunks, chunks[20], window=3)
    assert "前面还有 17 条" in out and "后面还有 16 条" in out
    assert "第17条" in out and "第23条" in out and "第16条" not in out


# ------------------------------------------------------------------ citation and export


def test_citation_line_is_plan_section_task():
    assert (
        ui.citation(make_chunk())
        == "《测试市知识产权工作要点》（测试市知识产权局） · 重点任务 › 加强运用 · 推进质押融资"
    )
    no_section = make_chunk(section=(), title="", issuer="")
    assert ui.citation(no_section) == "《测试市知识产权工作要点》 · 推进知识产权质押融资。"
    doc = {"issuer": "测试市知识产权局", "doc_number": "测知发〔2020〕1号", "published": "2020-03-05"}
    assert ui.citation(make_chunk(), doc).startswith(
        "《测试市知识产权工作要点》（测试市知识产权局，测知发〔2020〕1号，2020-03-05） · 重点任务"
    )
    assert ui.citation(make_chunk(part=2)).endswith("推进质押融资（第2部分）")


def test_csv_has_bom_opens_with_csv_module_and_defuses_formulas():
    hits = [
        make_hit(make_chunk('=HYPERLINK("http://x")，质押,融资\n第二行'), rank=1),
        make_hit(make_chunk(chunk_id="p/一/2"), rank=2, score=0.5),
    ]
    data = ui.results_csv(hits, "质押 融资")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(ui.CSV_COLUMNS)
    assert len(rows) == 3
    first = dict(zip(rows[0], rows[1]))
    assert first["排名"] == "1" and first["规划"] == "测试市知识产权工作要点"
    assert first["原文"] == '\'=HYPERLINK("http://x")，质押,融资\n第二行'
    assert first["责任单位"] == "市财政局、市金融局"
    assert first["引用"] == ui.citation(hits[0].chunk)
    assert first["检索词"] == "质押 融资"


def test_json_export_has_the_search_and_citations():
    hits = [make_hit(make_chunk(), terms=("质押",))]
    state = ui.SearchState(query="质押\x00融资", regions=("测试市",), has_target=True)
    doc = json.loads(ui.results_json(hits, state, now=datetime(2024, 1, 2, 3, 4, 5)).decode("utf-8"))
    assert doc["query"] == "质押 融资"
    assert doc["filters"] == {"region": ["测试市"], "target": "1"}
    assert doc["exported_at"] == "2024-01-02T03:04:05"
    assert doc["count"] == 1
    row = doc["results"][0]
    assert row["citation"] == ui.citation(hits[0].chunk)
    assert row["plan_title"] == "测试市知识产权工作要点" and row["region"] == "测试市"


# ------------------------------------------------------------------ state <-> URL


def test_state_round_trips_through_url_params():
    state = ui.SearchState(
        query="质押 融资",
        mode="keyword",
        k=20,
        regions=("山东省", "天津市"),
        levels=("省",),
        year_min=2014,
        year_max=2016,
        doc_ids=("shandong-2015",),
        unit="财政",
        has_target=True,
    )
    params = ui.state_to_params(state)
    assert params == {
        "q": "质押 融资",
        "mode": "keyword",
        "k": "20",
        "region": ["山东省", "天津市"],
        "level": ["省"],
        "from": "2014",
        "to": "2016",
        "plan": ["shandong-2015"],
        "unit": "财政",
        "target": "1",
    }
    assert ui.state_from_params(params) == state
    assert ui.state_to_params(ui.SearchState()) == {}


def test_bad_url_params_fall_back_to_defaults():
    state = ui.state_from_params(
        {
            "q": ["a", "<script>x\x00</script>"],
            "mode": "evil",
            "k": "many",
            "from": "20x",
            "to": "2016",
            "region": ["山东省,天津市", "", "山东省"],
            "target": "maybe",
        }
    )
    assert state.query == "<script>x </script>"
    assert (state.mode, state.k, state.year_min, state.year_max) == ("hybrid", ui.DEFAULT_K, None, 2016)
    assert state.regions == ("山东省", "天津市")
    assert state.has_target is False
    assert ui.state_from_params({"from": "2020", "to": "2010", "k": "999"}) == ui.SearchState(
        year_min=2010, year_max=2020, k=50
    )
    assert ui.state_from_params({"q": "质" * 5000}).query == "质" * MAX_QUERY_CHARS


@given(
    st.builds(
        ui.SearchState,
        query=st.text(max_size=30),
        mode=st.sampled_from(["hybrid", "dense", "keyword"]),
        k=st.sampled_from(ui.K_CHOICES),
        regions=st.lists(
            st.text(alphabet="山东天津市省区", min_size=1, max_size=5), max_size=3, unique=True
        ).map(tuple),
        year_min=st.none() | st.integers(2000, 2010),
        year_max=st.none() | st.integers(2011, 2040),
        has_target=st.booleans(),
    )
)
def test_any_clean_state_round_trips(state):
    state = replace(state, query=ui.plain_text(state.query))
    assert ui.state_from_params(ui.state_to_params(state)) == state


def test_restrict_state_drops_values_the_index_does_not_know(hash_engine):
    options = ui.filter_options(hash_engine.chunks)
    assert options.levels == ("国家", "省", "市", "区县")
    assert options.regions[0] == "全国" and "山东省" in options.regions
    assert options.year_span == (2013, 2035)
    assert options.plans["shandong-2015"] == "山东省知识产权局2015年工作要点"
    state = ui.SearchState(
        regions=("火星", "山东省"), levels=("村",), doc_ids=("nope",), year_min=1990, year_max=2035, k=7
    )
    assert ui.restrict_state(state, options) == ui.SearchState(regions=("山东省",), k=5)


# ------------------------------------------------------------------ search wrapper and filter counts


def test_run_search_cleans_the_query_and_notes_a_cut():
    seen = []

    def search(q, k, mode, filters):
        seen.append((q, k, mode, filters))
        return []

    outcome = ui.run_search(search, ui.SearchState(query="质押\x07" + "融" * 5000, k=5))
    assert outcome.error == "" and outcome.hits == []
    assert len(seen[0][0]) == MAX_QUERY_CHARS and "\x07" not in seen[0][0]
    assert any("控制字符" in n for n in outcome.notes)
    assert any("只使用了前 2,000 字" in n for n in outcome.notes)
    assert ui.run_search(search, ui.SearchState(query="  \x00 ")).query == ""
    assert len(seen) == 1  # an empty query does not search


def test_run_search_turns_failures_into_a_message():
    def broken(*_):
        raise RuntimeError("boom")

    outcome = ui.run_search(broken, ui.SearchState(query="质押"))
    assert outcome.hits == [] and "RuntimeError" in outcome.error


def test_filter_effects_count_what_each_filter_removed(hash_engine):
    def search(q, k, mode, filters):
        return hash_engine.search(q, k=k, mode=mode, filters=filters)

    query = "知识产权质押融资目标"
    assert ui.filter_effects(search, query, 10, "hybrid", Filters()) == []
    filters = Filters(regions=("山东省",), has_target=True)
    effects = ui.filter_effects(search, query, 10, "hybrid", filters)
    assert [e.name for e in effects] == ["regions", "has_target", "all"]
    unfiltered = search(query, 10, "hybrid", Filters())
    expected_all = sum(not filters.matches(h.chunk) for h in unfiltered)
    assert effects[-1].removed == expected_all > 0
    only_target = search(query, 10, "hybrid", Filters(has_target=True))
    assert effects[0].removed == sum("山东省" not in h.chunk.region for h in only_target)
    assert ui.effect_line(effects[0]).startswith("地区：")


def test_without_and_only_filter_split_a_filter():
    filters = Filters(regions=("a",), year_min=2010, year_max=2012, unit="u")
    assert ui.active_filters(filters) == ["regions", "years", "unit"]
    assert ui.without_filter(filters, "years") == Filters(regions=("a",), unit="u")
    assert ui.only_filter(filters, "years") == Filters(year_min=2010, year_max=2012)


def test_no_hits_message_suggests_relaxing_filters_and_escapes_the_query():
    with_filters = ui.no_hits_message(
        "[x](javascript:y)", Filters(regions=("a",)), [ui.FilterEffect("regions", "地区", 3)]
    )
    assert "放宽" in with_filters and "地区 排除的结果最多" in with_filters
    assert "\\[x\\]\\(javascript\\:y\\)" in with_filters
    assert "换个说法" in ui.no_hits_message("质押", Filters(), [])


def test_query_vector_cache_encodes_each_query_once():
    class Counting:
        name, dim = "fake", 2

        def __init__(self):
            self.calls = []

        def encode_queries(self, queries):
            self.calls.append(list(queries))
            return np.array([[len(q), 1.0] for q in queries], dtype=np.float32)

    inner = Counting()
    cached = ui.CachedQueryEncoder(inner, size=2)
    assert cached.name == "fake"
    assert cached.encode_queries(["ab", "ab", "c"]).tolist() == [[2, 1], [2, 1], [1, 1]]
    cached.encode_queries(["ab"])
    assert inner.calls == [["ab", "c"]]
    cached.encode_queries(["d"])  # evicts the least recently used ("c")
    cached.encode_queries(["c"])
    assert inner.calls[-1] == ["c"]


# ------------------------------------------------------------------ corpus page


def test_document_rows_mark_new_changed_and_deleted_files(hash_engine):
    manifest = hash_engine.manifest
    docs = [
        {"doc_id": d["doc_id"], "title": d["title"], "fingerprint": d["fingerprint"], "issuer": "x"}
        for d in manifest["documents"]
    ]
    rows = ui.document_rows(manifest, hash_engine.chunks, docs)
    assert len(rows) == 5 and {r["状态"] for r in rows} == {"已索引"}
    shandong = next(r for r in rows if r["编号"] == "shandong-2015")
    assert shandong["任务条目"] == sum(c.doc_id == "shandong-2015" for c in hash_engine.chunks)
    assert shandong["量化目标条目"] == sum(
        c.doc_id == "shandong-2015" and c.has_target for c in hash_engine.chunks
    )
    changed = [dict(docs[0], fingerprint="other"), *docs[2:], {"doc_id": "new", "title": "新规划"}]
    status = {r["编号"]: r["状态"] for r in ui.document_rows(manifest, hash_engine.chunks, changed)}
    assert status[docs[0]["doc_id"]] == "文件有改动，需重建"
    assert status[docs[1]["doc_id"]] == "文件已删除，需重建"
    assert status["new"] == "新文件，需重建"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2026-11-21T05:24:31+00:00", "2026-11-21 13:24（北京时间）"),
        ("2026-11-21T05:24:31", "2026-11-21 05:24"),
        ("", "未知"),
        ("garbage", "garbage"),
    ],
)
def test_format_built_at(value, shown, monkeypatch):
    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.delenv("POLICY_SEARCH_TZ", raising=False)
    assert ui.format_built_at(value) == shown


# ------------------------------------------------------------------ answer panel and comparison


def _answer_fixture():
    from policy_search.answers.answer import Answer, AnswerItem, ComparisonRow
    from policy_search.records import Target

    target = Target("达到15亿元", 15.0, "亿元", "达到", "专利权质押贷款", "", 9, 15)
    item = AnswerItem(
        text="全年专利权质押贷款达到15亿元<b>。", chunk_id="t/二/八", doc_id="t", plan_title="天津<script>计划",
        issuer="局", year=2013, period="2013", section=("二、<i>节</i>",), title="促进专利财富价值",
        start=100, end=118, score=1.0, targets=(Target(target.text, 15.0, "亿元", "达到", "x", "", 109, 115),),
        units=(),
    )  # fmt: skip
    row = ComparisonRow(
        doc_id="t", plan_title="天津<script>计划", issuer="局", region="天津市", year=2013, period="2013",
        chunk_id="t/二/八", section=("节",), title="促进专利财富价值", text="全年…<b>", targets=(target,), units=(),
        score=1.0,
    )  # fmt: skip
    return Answer("质押融资目标", True, "", items=[item], comparison=[row, row])


def test_answer_panel_escapes_and_links_to_cards():
    from policy_search import ui

    html = ui.answer_html(_answer_fixture(), {"t/二/八": 3})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;" in html and "<b>。" not in html
    assert 'href="#card-3"' in html and "第3条结果" in html
    assert "达到15亿元" in html


def test_answer_panel_not_found_and_unlinked():
    from policy_search import ui
    from policy_search.answers.answer import Answer

    html = ui.answer_html(Answer("q", False, "语料中没有<上海>的政策文件"), {})
    assert "ps-answer-none" in html and "&lt;上海&gt;" in html
    assert "href" not in ui.answer_html(_answer_fixture(), {})


def test_comparison_table_rows():
    from policy_search import ui

    html = ui.comparison_html(_answer_fixture().comparison, {"t/二/八": 1})
    assert html.count("<tr>") == 3  # header + two rows
    assert "达到15亿元" in html and 'href="#card-1"' in html and "<script>" not in html


def test_cards_carry_anchor_ids():
    from policy_search import ui
    from policy_search.records import Chunk
    from policy_search.search.retrieval import Hit

    chunk = Chunk(
        "t/一", "t", "计划", "局", "市", "市", 2020, "2020", (), "标题", "正文", (), (), "task", 0, 2
    )
    assert 'id="card-4"' in ui.card_html(Hit(chunk, 4, 0.5, None, None))


def test_huge_url_parameters_are_cut_not_processed():
    # before: a 493 KB region=r0,r1,… link took 37 s (membership test in a growing list)
    from policy_search.ui import MAX_URL_VALUES, state_from_params

    big = ",".join(f"r{i}" for i in range(60_000))
    state = state_from_params(
        {"region": big, "q": "质押" * 250_000, "plan": [f"p{i}" for i in range(100_000)]}
    )
    assert len(state.regions) == MAX_URL_VALUES and state.regions[:2] == ("r0", "r1")
    assert len(state.doc_ids) == MAX_URL_VALUES
    assert 0 < len(state.query) <= 2000


def test_page_messages_are_plain_text_without_links_or_images():
    from policy_search.ui import display_path, message

    shown = message("catalog.toml: ![x](http://evil.example/p.png) 见 www.example.com **粗体**")
    assert "](" not in shown and "**" not in shown
    assert "http://" not in shown and "www." not in shown  # no auto-link: a word joiner breaks it
    assert display_path("/srv/secret/place/corpus") == "…/corpus"
    assert display_path("corpus") == "corpus"


def test_corpus_table_cells_never_start_a_formula():
    from policy_search.ui import document_rows

    docs = [
        {"doc_id": "x", "title": '=HYPERLINK("http://e.example")', "path": "=cmd.txt", "fingerprint": "f"}
    ]
    rows = document_rows({"documents": []}, [], docs)
    assert all(not str(v).startswith(("=", "+", "-", "@")) for row in rows for v in row.values())


def test_skip_reasons_are_shown_in_chinese(tmp_path):
    import os

    from policy_search.ingest.corpus import load_corpus

    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.doc").write_text("x", encoding="utf-8")
    (tmp_path / "c.txt").write_bytes(b"\x00\x01binary\x00")
    (tmp_path / "d.pdf").write_bytes(b"%PDF-1.4 broken")
    (tmp_path / "e.txt").write_text("一、总体要求\n加强保护，推进工作。", encoding="utf-8")
    (tmp_path / "f.txt").write_text("一、总体要求\n加强保护，推进工作。", encoding="utf-8")
    os.symlink(tmp_path / "e.txt", tmp_path / "g.txt")
    skipped = load_corpus(tmp_path).skipped
    shown = {s.path: ui.reason_zh(s.reason) for s in skipped}
    assert shown == {
        "a.txt": "空文件（0 字节）",
        "b.doc": "不支持的文件类型 '.doc'（支持 .txt .md .html .htm .docx .pdf）",
        "c.txt": "二进制文件，不是文本",
        "d.pdf": "PDF 文件损坏或无法读取",
        "f.txt": "与 e.txt 内容相同，只收录一次",
        "g.txt": "符号链接：出于安全考虑不读取",
    }
