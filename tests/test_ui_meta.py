"""Achievements on cards and in exports; metadata provenance on the corpus page."""

from __future__ import annotations

import csv
import io
import json

from policy_search import ui
from policy_search.records import Target
from policy_search.search.retrieval import Filters

from .test_ui import make_chunk, make_hit, parse


def _chunk():
    text = "过去五年登记<b>1200件</b>。到2032年，登记量达到3000件。"
    done_at = text.index("1200件")
    goal_at = text.index("达到3000件")
    done = Target("1200件", 1200, "件", "", "登记", "", done_at, done_at + 5, kind="achievement")
    goal = Target("达到3000件", 3000, "件", "达到", "登记量", "2032年", goal_at, goal_at + 7)
    return make_chunk(text, targets=(done, goal))


def test_card_shows_achievements_apart_from_targets():
    out = ui.card_html(make_hit(_chunk()))
    parse(out)
    assert '<span class="ps-goal">2032年 登记量 达到3000件</span>' in out
    assert '<span class="ps-label">已实现</span><span class="ps-done">登记 1200件</span>' in out
    assert '<strong class="ps-tgt">达到3000件</strong>' in out and 'ps-tgt">1200件' not in out
    assert "<b>" not in out


def test_exports_include_the_kind():
    hit = make_hit(_chunk())
    rows = list(csv.reader(io.StringIO(ui.results_csv([hit], "登记").decode("utf-8-sig"))))
    assert "[已实现] 登记 1200件" in rows[1][10] and "2032年 登记量 达到3000件" in rows[1][10]
    state = ui.SearchState(query="登记")
    data = json.loads(ui.results_json([hit], state))
    assert [t["kind"] for t in data["results"][0]["targets"]] == ["achievement", "target"]
    assert Filters().is_empty()


def test_provenance_rows_and_html_escape():
    doc = {
        "doc_id": "d",
        "title": "<b>示范条例</b>",
        "provenance": [
            {
                "field": "title",
                "value": "<b>示范条例</b>",
                "source": "text",
                "line": 1,
                "text": "<b>示范条例</b>",
            },
            {"field": "issuer", "value": "某部", "source": "catalog", "line": 0, "text": ""},
            {"field": "doc_number", "value": "", "source": "none", "line": 0, "text": ""},
        ],
    }
    rows = ui.provenance_rows([doc])
    assert [(r["字段"], r["来源"]) for r in rows] == [
        ("标题", "正文第1行"),
        ("发文单位", "目录文件"),
        ("文号", "未找到"),
    ]
    html = ui.provenance_html(doc)
    parse(html)
    assert "<b>" not in html and "&lt;b&gt;示范条例&lt;/b&gt;" in html
