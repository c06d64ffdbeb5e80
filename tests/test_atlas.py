"""The targets atlas (指标对比): table, groups, units, lookup, CLI contract and the page."""

from __future__ import annotations

import csv
import importlib
import io
import json
import sys
from dataclasses import FrozenInstanceError, replace
from pathlib import Path

import pytest

from policy_search import TargetRow, targets
from policy_search.atlas import build_table, canonical_unit, convert, load_groups, lookup, table
from policy_search.cli import main
from policy_search.ingest.targets import extract_targets
from policy_search.records import Chunk
from policy_search.search.retrieval import Filters
from policy_search.ui import atlas_view

from .conftest import CORPUS_DIR, REPO

sys.path.insert(0, str(REPO / "eval"))
import targets_eval

LABELS = targets_eval.load_labels()


def make_chunk(text: str, chunk_id: str = "t/一/1", region: str = "测试市", year: int = 2020) -> Chunk:
    return Chunk(
        chunk_id=chunk_id,
        doc_id=chunk_id.split("/")[0],
        plan_title="测试市知识产权工作要点",
        issuer="测试市知识产权局",
        region=region,
        level="市",
        year=year,
        period=str(year),
        section=("一、加强运用",),
        title="推进质押融资",
        text=text,
        units=("市财政局",),
        targets=extract_targets(text, year),
        kind="task",
        start=0,
        end=len(text),
    )


# ------------------------------------------------------------------ the table


def test_rows_are_frozen_and_carry_plan_task_units_and_citation(hash_engine):
    rows = table(hash_engine)
    assert rows and all(isinstance(r, TargetRow) for r in rows)
    with pytest.raises(FrozenInstanceError):
        rows[0].value = 1.0  # type: ignore[misc]
    chunks = {c.chunk_id: c for c in hash_engine.chunks}
    for r in rows:
        c = chunks[r.chunk_id]
        assert (r.plan_title, r.region, r.level, r.year, r.task, r.units) == (
            c.plan_title,
            c.region,
            c.level,
            c.year,
            c.title,
            c.units,
        )
        assert c.text[r.sentence_start : r.sentence_end] == r.text
        assert c.text[r.number_start : r.number_end] == r.number
        assert r.kind in ("target", "achievement") and r.deadline


def test_every_row_cites_a_sentence_containing_its_number(hash_engine):
    for r in table(hash_engine):
        assert r.number in r.text, r
        assert not any(end in r.text[:-1] for end in "。；！？"), r.text  # one sentence, not more


def test_table_is_built_once_and_kept_on_the_engine(hash_engine):
    assert table(hash_engine) is table(hash_engine)
    assert hash_engine.atlas_table is table(hash_engine)


def test_wording_variants_share_a_group_and_a_narrower_measure_keeps_its_own(hash_engine):
    by_doc = {
        r.doc_id: r.group
        for r in table(hash_engine)
        if "万人" in r.indicator and "发明专利拥有量" in r.indicator and r.unit == "件"
    }
    # 每万人口发明专利拥有量 (天津) and 万人有效发明专利拥有量 (山东) are one measure ...
    assert by_doc["tianjin-2013"] == by_doc["shandong-2015"] == "每万人口发明专利拥有量"
    # ... 每万人口高价值发明专利拥有量 is a narrower one
    assert by_doc["hongqiao-2021"] == "每万人口高价值发明专利拥有量"


def test_list_items_take_the_subject_of_the_first_item():
    chunk = make_chunk("全年专利申请5万件、授权2.5万件、有效6万件。试点企业专利申请2万件、授权1.2万件。")
    rows = build_table([chunk])
    assert [(r.indicator, r.group, r.grouped) for r in rows] == [
        ("专利申请", "专利申请量", True),
        ("专利授权", "专利授权量", True),
        ("专利有效", "有效专利量", True),
        ("试点企业专利申请", "试点企业专利申请", False),  # narrower: listed under its own phrase
        ("试点企业专利授权", "试点企业专利授权", False),
    ]


def test_units_are_converted_to_the_group_canonical_unit():
    chunks = [
        make_chunk("专利权质押贷款达到15亿元。", "a/一/1", "甲市"),
        make_chunk("知识产权质押融资达到8000万元。", "b/一/1", "乙市"),
    ]
    rows = build_table(chunks)
    assert {r.group for r in rows} == {"知识产权质押融资额"}
    assert [(r.value, r.unit, r.raw_value, r.raw_unit) for r in rows] == [
        (15.0, "亿元", 15.0, "亿元"),
        (0.8, "亿元", 8000.0, "万元"),
    ]
    assert convert(5, "万件", "件") == 50000 and convert(1, "件", "亿元") is None
    assert canonical_unit(["万元", "万元", "亿元"]) == "万元"


def test_growth_rates_are_not_mixed_with_levels_and_qualifiers_are_not_targets():
    chunk = make_chunk(
        "到2020年，全市发明专利授权量年均增长10%以上。全市发明专利授权量达到500件。"
        "培育2家专利申请超过1000件的高校。"
    )
    rows = build_table([chunk])
    groups = {r.number: r.group for r in rows}
    assert groups["年均增长10%以上"] == "发明专利授权量增长率"
    assert groups["达到500件"] == "发明专利授权量"
    assert "超过1000件" not in groups  # defines which universities count; not a figure to reach
    assert groups["2家"]
    assert next(r for r in rows if r.number == "年均增长10%以上").deadline == "2020年"


def test_a_stated_baseline_is_kept():
    rows = build_table([make_chunk("每万人口发明专利拥有量从2020年的3.5件提高到2025年的6件。", year=2021)])
    assert [(r.baseline, r.value, r.deadline) for r in rows if r.value == 6.0] == [
        ("从2020年的3.5件", 6.0, "2025年")
    ]


def test_users_extend_the_groups_file(tmp_path):
    path = tmp_path / "groups.toml"
    path.write_text(
        'scope_words = ["全市"]\n[[group]]\nname = "大讲堂期数"\npatterns = [".*大讲堂.*"]\n', "utf-8"
    )
    rows = build_table([make_chunk("全市专利信息大讲堂达到20期。")], load_groups(path))
    assert [(r.group, r.grouped) for r in rows] == [("大讲堂期数", True)]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[group]]\nname = "坏"\npatterns = ["("]\n', "utf-8")
    with pytest.raises(ValueError, match="坏"):
        load_groups(bad)


# ------------------------------------------------------------------ library: targets()


def test_fuzzy_lookup_finds_the_groups_a_user_means(hash_engine):
    rows = table(hash_engine)
    assert lookup(rows, "质押融资") == ["知识产权质押融资额"]
    assert "每万人口高价值发明专利拥有量" in lookup(rows, "高价值专利")
    assert lookup(rows, "每万人口发明专利拥有量") == ["每万人口发明专利拥有量"]
    assert lookup(rows, "完全无关的词语xyz") == []


def test_targets_filters_by_indicator_region_level_and_year(hash_engine):
    every = targets(hash_engine)
    assert len(every) == len(table(hash_engine))
    pledge = targets(hash_engine, "质押融资")
    assert pledge and {r.group for r in pledge} == {"知识产权质押融资额"}
    assert {r.value for r in pledge} == {15.0} and {r.unit for r in pledge} == {"亿元"}
    shandong = targets(hash_engine, filters=Filters(regions=("山东",)))
    assert shandong and {r.region for r in shandong} == {"山东省"}
    assert {r.level for r in targets(hash_engine, filters=Filters(levels=("区县",)))} == {"区县"}
    in_2025 = targets(hash_engine, filters=Filters(year_min=2025, year_max=2025))
    assert {r.doc_id for r in in_2025} == {"hongqiao-2021"}


def test_each_group_set_by_two_or_more_seed_plans_lists_each_plans_figure(hash_engine):
    plans: dict[str, dict[str, set[float]]] = {}
    for label in LABELS:
        if label["group"]:
            plans.setdefault(label["group"], {}).setdefault(label["chunk_id"].split("/")[0], set())
            plans[label["group"]][label["chunk_id"].split("/")[0]].add(label["value"])
    shared = {g: p for g, p in plans.items() if len(p) >= 2}
    assert len(shared) >= 2
    for group, by_plan in shared.items():
        rows = targets(hash_engine, group)
        for doc, values in by_plan.items():
            assert values <= {r.raw_value for r in rows if r.doc_id == doc}, (group, doc)


def test_seed_extraction_meets_the_issue_targets():
    report = targets_eval.evaluate(CORPUS_DIR, LABELS)
    assert report["precision"] >= 0.95 and report["recall"] >= 0.90
    assert report["groups_right"] >= 0.90 and report["cited"] == 1.0
    assert report["cross_plan_figures"] == 1.0


def test_package_root_targets_is_the_atlas_and_the_rules_module_stays_importable():
    assert callable(targets)
    assert importlib.import_module("policy_search.ingest.targets").extract_targets is extract_targets


# ------------------------------------------------------------------ CLI


def test_cli_targets_json_is_one_object_per_row(seed_index_hash, capsys):
    assert main(["targets", "质押融资", "--index", str(seed_index_hash), "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines
    required = {"indicator", "group", "value", "unit", "comparator", "deadline", "kind", "text"}
    required |= {"plan_title", "region", "level", "year", "chunk_id"}
    for line in lines:
        row = json.loads(line)
        assert required <= set(row)
        assert row["group"] == "知识产权质押融资额" and row["unit"] == "亿元"
        assert row["text"] and any(ch.isdigit() for ch in row["text"])


def test_cli_targets_lists_every_row_and_filters(seed_index_hash, hash_engine, capsys):
    assert main(["targets", "--index", str(seed_index_hash), "--json"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(table(hash_engine))
    assert main(["targets", "--index", str(seed_index_hash), "--json", "--level", "区县"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows and {r["level"] for r in rows} == {"区县"}


def test_cli_targets_csv_and_unknown_indicator(seed_index_hash, capsys):
    assert main(["targets", "专利申请量", "--index", str(seed_index_hash), "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and {r["group"] for r in rows} == {"专利申请量"}
    assert main(["targets", "zzzz没有这个", "--index", str(seed_index_hash)]) == 2
    assert "no indicator matches" in capsys.readouterr().err


def test_csv_cells_never_start_a_formula():
    chunk = make_chunk("=HYPERLINK(1)专利权质押贷款达到15亿元。")
    chunk = replace(chunk, plan_title="=cmd|' /C calc'!A0", units=("@SUM(1)",))
    data = atlas_view.rows_csv(build_table([chunk])).decode("utf-8-sig")
    for row in list(csv.reader(io.StringIO(data)))[1:]:
        assert all(cell[:1] not in ("=", "+", "-", "@") for cell in row), row


# ------------------------------------------------------------------ page helpers


def test_table_html_escapes_corpus_text_and_links_to_the_task():
    chunk = make_chunk("<script>x()</script>专利权质押贷款达到15亿元。")
    chunk = replace(chunk, plan_title="<b>计划</b>", title="推进<i>质押</i>")
    html = atlas_view.table_html(build_table([chunk]))
    assert "<script>" not in html and "<b>计划" not in html and "&lt;script&gt;" in html
    assert "<mark>达到15亿元</mark>" in html
    assert 'href="./?q=%E6%8E%A8%E8%BF%9B%3Ci%3E' in html and "plan=t" in html


def test_url_state_round_trips_and_resolves_a_fuzzy_indicator(hash_engine):
    from policy_search import ui

    state = atlas_view.AtlasState(indicator="质押融资", regions=("天津市",), year_min=2013)
    params = atlas_view.state_to_params(state)
    assert params == {"indicator": "质押融资", "region": ["天津市"], "from": "2013"}
    assert atlas_view.state_from_params(params) == state
    options = ui.filter_options(hash_engine.chunks)
    restricted = atlas_view.restrict(state, options, table(hash_engine))
    assert restricted.indicator == "知识产权质押融资额" and restricted.regions == ("天津市",)
    assert atlas_view.state_from_params({"indicator": ["x" * 10_000]}).indicator == "x" * 2000


# ------------------------------------------------------------------ the page (AppTest)


@pytest.fixture
def atlas_app(monkeypatch, seed_index_hash):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("POLICY_SEARCH_INDEX", str(seed_index_hash))
    monkeypatch.setenv("POLICY_SEARCH_CORPUS", str(CORPUS_DIR))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("app_pages/atlas.py")
    return at


def _table(at) -> str:
    return next((h.value for h in at.html if "ps-atlas-row" in h.value), "")


def test_page_choose_an_indicator_and_see_each_plans_figure(atlas_app):
    at = atlas_app.run()
    assert not at.exception
    box = at.selectbox(key="a_indicator")
    assert box.value is None and "（2 份规划" in box.options[0]
    at = box.select("每万人口发明专利拥有量").run()
    assert not at.exception
    html = _table(at)
    assert html.count('class="ps-atlas-row"') == 2
    assert 'data-doc="tianjin-2013"' in html and 'data-doc="shandong-2015"' in html
    assert "<mark>9件</mark>" in html and "<mark>达到5件</mark>" in html
    assert html.count('class="ps-atlas-link"') == 2
    assert at.query_params["indicator"] in ("每万人口发明专利拥有量", ["每万人口发明专利拥有量"])
    assert any(b.label == "下载 CSV" for b in at.get("download_button"))
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    assert spec["encoding"]["x"]["field"] == "地区" and spec["encoding"]["color"]["field"] == "层级"
    assert {"规划", "期限"} <= {t["field"] for t in spec["encoding"]["tooltip"]}


def test_page_reads_a_shared_link_with_a_fuzzy_indicator_and_filters(atlas_app):
    atlas_app.query_params["indicator"] = "质押融资"
    atlas_app.query_params["region"] = "天津市"
    at = atlas_app.run()
    assert not at.exception
    assert at.selectbox(key="a_indicator").value == "知识产权质押融资额"
    html = _table(at)
    assert html.count('class="ps-atlas-row"') == 2 and "15亿元" in html
    at.multiselect(key="a_region").set_value(["山东省"]).run()
    assert not _table(at)
    assert any("没有规划" in w.value for w in at.warning)


def test_readme_reports_the_measured_figures():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert "指标对比 / targets atlas" in text and "docs/atlas.png" in text
    assert Path(REPO / "eval" / "targets_labels.jsonl").exists()
