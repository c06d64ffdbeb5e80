"""One wording per concept across the page, the CSV and the CLI, checked on the seed index:
层级 as 省 / 市 (never 省级), 各规划对比, no separator line or repeated section heading opening a
card, 相关度 never above 1, times in the page's zone with the zone named."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime

import pytest

from policy_search import ui
from policy_search.cli import main
from policy_search.ui.render import body_text

from .conftest import CORPUS_DIR, REPO
from .test_ui import make_chunk, make_hit

QUERIES = ["知识产权质押融资目标", "专利申请量", "知识产权宣传周", "商标品牌", "12330", "人才培训", "zzz"]


def test_level_is_one_word_on_cards_filters_csv_and_cli(hash_engine, seed_index_hash, capsys):
    levels = set(ui.LEVEL_ORDER)
    hits = [h for q in QUERIES for h in hash_engine.search(q, k=20)]
    assert {h.chunk.level for h in hits} & {"省", "市"}
    for h in hits:
        meta = ui.plan_meta(h.chunk).split(" · ")
        assert "省级" not in meta and "市级" not in meta
        assert not h.chunk.level or h.chunk.level in meta, meta
    assert set(ui.filter_options(hash_engine.chunks).levels) <= levels
    rows = list(csv.DictReader(io.StringIO(ui.results_csv(hits, "q").decode("utf-8-sig"))))
    assert {r["层级"] for r in rows} <= levels | {""}
    assert main(["docs", "--corpus", str(CORPUS_DIR)]) == 0
    out = capsys.readouterr().out
    assert "省级" not in out and "市级" not in out
    assert any("市" in line.split() for line in out.splitlines())  # the level column says 市


def test_comparison_heading_is_the_same_on_page_and_cli(seed_index_hash, capsys):
    assert main(["answer", "专利申请量目标", "--index", str(seed_index_hash)]) == 0
    out = capsys.readouterr().out
    assert "各规划对比" in out and "各计划对比" not in out
    page = (REPO / "app_pages" / "search.py").read_text(encoding="utf-8")
    assert "各规划对比" in page and "各计划对比" not in page


def test_cards_on_the_seed_index_open_with_content(hash_engine):
    """No card starts with a separator line or with the section heading its path already shows."""
    for c in hash_engine.chunks:
        hit = make_hit(c)
        text = re.search(r'<div class="ps-text">(.*?)</div>', ui.card_html(hit, ()), re.S).group(1)
        first = re.sub(r"<[^>]+>", "", text).split("\n", 1)[0].strip()
        assert first and not re.fullmatch(r"[—\-－─_=·\s]+", first), c.chunk_id
        bare = re.sub(r"^[（(]?[一二三四五六七八九十百零〇\d]{1,4}[)）、.．]?\s*", "", first)
        assert bare not in c.section, (c.chunk_id, first)


def test_body_text_drops_separators_and_repeated_headings_keeping_target_spans():
    text = "二、重点任务\n（一）加强保护\n——\n开展执法行动120次。"
    chunk = make_chunk(text, section=("重点任务", "加强保护"))
    body, skip = body_text(chunk)
    assert body == "开展执法行动120次。" and text[skip:] == body
    # a heading that is the whole text, or a line only resembling one, is kept
    assert body_text(make_chunk("一、重点任务", section=("重点任务",))) == ("一、重点任务", 0)
    assert body_text(make_chunk("重点任务很多\n内容", section=("重点任务",)))[1] == 0
    # a card built from it puts the target's emphasis on the same characters
    from policy_search.records import Target

    start = text.index("120次")
    target = Target("120次", 120.0, "次", "", "执法行动", "", start, start + 4)
    chunk = make_chunk(text, section=("重点任务", "加强保护"), targets=(target,))
    assert '<strong class="ps-tgt">120次</strong>' in ui.card_html(make_hit(chunk))


@pytest.mark.parametrize("query", QUERIES)
def test_relevance_shown_is_never_above_one(hash_engine, query):
    for h in hash_engine.search(query, k=30):
        assert 0.0 <= h.relevance <= 1.0
        shown = re.findall(r"相关度 (\d+\.\d+)", ui.card_html(h))
        assert shown and all(float(v) <= 1.0 for v in shown)
        row = next(csv.DictReader(io.StringIO(ui.results_csv([h], query).decode("utf-8-sig"))))
        assert 0.0 <= float(row["相关度"]) <= 1.0


def test_times_are_in_the_page_zone_with_the_zone_named(monkeypatch, hash_engine):
    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.delenv("POLICY_SEARCH_TZ", raising=False)
    built = hash_engine.manifest["built_at"]
    shown = ui.format_built_at(built)
    moment = datetime.fromisoformat(built)
    assert moment.utcoffset() is not None, "the index records its build time with a zone"
    assert shown.endswith("（北京时间）")
    assert shown.startswith(moment.astimezone(ui.page_timezone()[0]).strftime("%Y-%m-%d %H:%M"))
    monkeypatch.setenv("POLICY_SEARCH_TZ", "Europe/Berlin")
    assert "Europe/Berlin，UTC+0" in ui.format_built_at(built)
    monkeypatch.delenv("POLICY_SEARCH_TZ")
    doc = json.loads(ui.results_json([], ui.SearchState(query="q")))
    assert doc["exported_at"].endswith("+08:00")
