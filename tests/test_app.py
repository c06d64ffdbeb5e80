"""The Streamlit page (app.py + app_pages/) driven headless with streamlit.testing's AppTest."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from policy_search import ui

REPO = Path(__file__).resolve().parents[1]
CORPUS_DIR = REPO / "corpus"
PLAN_TITLES = {
    "cnipa-2013": "国家知识产权局2013年工作要点",
    "guangan-2017": "广安市建设国家知识产权试点城市工作方案",
    "hongqiao-2021": "天津市红桥区知识产权强区建设纲要（2021—2035年）",
    "shandong-2015": "山东省知识产权局2015年工作要点",
    "tianjin-2013": "天津市知识产权局2013年工作要点",
}
QUERY = "知识产权质押融资目标"

EVIL_PLAN = """测试市知识产权局2020年工作要点

一、加强知识产权运用

（一）推进<b>加粗</b>质押融资。全年知识产权质押融资达到3亿元，<script>alert(2)</script>开展专利导航 & 评估。（责任单位：市财政局、<i>市金融局</i>）

（二）做好宣传。组织知识产权宣传周活动，发放资料1000份。
"""


@pytest.fixture
def make_app(monkeypatch):
    """An AppTest of app.py pointed at an index and corpus through the environment."""
    from streamlit.testing.v1 import AppTest

    def make(index: Path, corpus: Path = CORPUS_DIR, encoder: str | None = None):
        monkeypatch.setenv("POLICY_SEARCH_INDEX", str(index))
        monkeypatch.setenv("POLICY_SEARCH_CORPUS", str(corpus))
        if encoder:
            monkeypatch.setenv("POLICY_SEARCH_ENCODER", encoder)
        return AppTest.from_file(str(REPO / "app.py"), default_timeout=60)

    return make


@pytest.fixture
def app(make_app, seed_index_hash):
    return make_app(seed_index_hash)


def build_hash_index(corpus: Path, index: Path) -> Path:
    from policy_search.encoders import HashEncoder
    from policy_search.settings import Settings
    from policy_search.store.index import build_index

    build_index(corpus, index, Settings(encoder="hash"), encoder=HashEncoder())
    return index


@pytest.fixture(scope="session")
def evil_index(tmp_path_factory) -> tuple[Path, Path]:
    """A one-plan corpus whose text, title and units carry HTML, indexed with the hash encoder."""
    root = tmp_path_factory.mktemp("evil")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "evil-2020-plan.txt").write_text(EVIL_PLAN, encoding="utf-8")
    return build_hash_index(corpus, root / "index"), corpus


def cards(at) -> list[str]:
    return [h.value for h in at.html if 'class="ps-card"' in h.value]


def attr(card: str, name: str) -> str:
    return re.search(rf'{name}="([^"]*)"', card).group(1)


def no_errors(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def search(at, query: str = QUERY):
    at.text_input(key="q").set_value(query)
    at.run()
    no_errors(at)
    return cards(at)


# ------------------------------------------------------------------ search and cards


def test_query_renders_cards_with_plan_and_section(app):
    at = app.run()
    no_errors(at)
    found = search(at)
    assert len(found) == 10
    for rank, card in enumerate(found, start=1):
        assert attr(card, "data-rank") == str(rank)
        doc = attr(card, "data-doc")
        assert f'<div class="ps-plan">{PLAN_TITLES[doc]}</div>' in card
        assert '<span class="ps-task">' in card
    assert any('<span class="ps-section">' in c for c in found)
    assert any('<span class="ps-label">责任单位</span>' in c for c in found)
    assert any('<span class="ps-label">量化目标</span>' in c for c in found)
    assert any("<mark>" in c and "质押" in c for c in found)
    assert "找到 10 条结果" in " ".join(m.value for m in at.markdown)
    # the context view and citations come with every card
    contexts = [h.value for h in at.html if 'class="ps-context"' in h.value]
    assert len(contexts) == 10 and all("ps-context-hit" in c for c in contexts)
    citations = [c.value for c in at.code if c.value.startswith("《")]
    assert len(citations) >= 10
    assert [b.label for b in at.get("download_button")] == ["下载 CSV", "下载 Excel", "下载 JSON"]


def test_real_search_puts_pledge_financing_tasks_first(make_app, seed_index_e5):
    at = make_app(seed_index_e5).run()
    found = search(at)
    assert len(found) == 10
    assert attr(found[0], "data-doc") in PLAN_TITLES
    top3 = " ".join(found[:3])
    assert top3.count("质押") >= 3 and "<mark>" in found[0]


def test_answer_panel_and_comparison_above_the_cards(make_app, seed_index_e5):
    at = make_app(seed_index_e5).run()
    search(at, "各地对知识产权质押融资提出了什么目标")
    panels = [h.value for h in at.html if 'class="ps-answer"' in h.value]
    assert len(panels) == 1 and "回答（摘自原文）" in panels[0]
    assert "15亿元" in panels[0] and 'href="#card-' in panels[0]
    tables = [h.value for h in at.html if 'class="ps-compare"' in h.value]
    assert len(tables) == 1
    for title in ("天津市知识产权局2013年工作要点", "山东省知识产权局2015年工作要点"):
        assert title in tables[0]
    # the panel comes before the first result card
    order = [h.value for h in at.html]
    first_card = next(i for i, v in enumerate(order) if 'class="ps-card"' in v)
    assert order.index(panels[0]) < first_card


def test_unanswerable_question_says_so_and_still_lists_results(make_app, seed_index_e5):
    at = make_app(seed_index_e5).run()
    found = search(at, "上海2030年商标注册费标准是多少")
    panel = next(h.value for h in at.html if "ps-answer" in h.value)
    assert "ps-answer-none" in panel and "上海" in panel
    assert found  # the related tasks still show


def test_mode_and_result_count_controls(app):
    at = app.run()
    search(at)
    at.selectbox(key="k").set_value(5).run()
    assert len(cards(at)) == 5
    at.segmented_control(key="mode").set_value("keyword").run()
    no_errors(at)
    assert at.query_params.get("mode") == "keyword" and at.query_params.get("k") == "5"
    assert "关键词检索" in " ".join(m.value for m in at.markdown)


FILTER_CASES = [
    ("f_region", "multiselect", ["山东省"], lambda c: attr(c, "data-region") == "山东省", "地区："),
    ("f_level", "multiselect", ["国家"], lambda c: attr(c, "data-doc") == "cnipa-2013", "层级："),
    (
        "f_years",
        "slider",
        (2016, 2035),
        lambda c: attr(c, "data-doc") in ("guangan-2017", "hongqiao-2021"),
        "年份：",
    ),
    ("f_plan", "multiselect", ["tianjin-2013"], lambda c: attr(c, "data-doc") == "tianjin-2013", "规划："),
    ("f_unit", "selectbox", "市财政局", lambda c: "市财政局" in c.split("责任单位", 1)[-1], "责任单位："),
    ("f_target", "toggle", True, lambda c: "量化目标" in c, "只看量化目标："),
]


@pytest.mark.parametrize(
    ("key", "kind", "value", "check", "label"), FILTER_CASES, ids=[c[0] for c in FILTER_CASES]
)
def test_each_filter_changes_the_hits_and_says_what_it_removed(app, key, kind, value, check, label):
    at = app.run()
    before = search(at)
    getattr(at, kind)(key=key).set_value(value).run()
    no_errors(at)
    after = cards(at)
    assert after and after != before
    assert all(check(c) for c in after)
    removed = [c.value for c in at.sidebar.caption if c.value.startswith(label)]
    assert removed, [c.value for c in at.sidebar.caption]
    n = int(re.search(r"排除了 (\d+) 条", removed[0]).group(1))
    assert n == sum(not check(c) for c in before) > 0
    # clearing the filters brings the unfiltered hits back
    at.button(key="clear_filters").click().run()
    assert cards(at) == before


def test_url_round_trips(make_app, seed_index_hash):
    params = {
        "q": QUERY,
        "mode": "keyword",
        "k": "5",
        "region": ["山东省", "天津市"],
        "from": "2014",
        "to": "2016",
        "unit": "协调管理处",
    }
    at = make_app(seed_index_hash)
    at.query_params.update(params)
    at.run()
    no_errors(at)
    assert at.text_input(key="q").value == QUERY
    assert at.segmented_control(key="mode").value == "keyword"
    assert at.selectbox(key="k").value == 5
    assert at.multiselect(key="f_region").value == ["山东省", "天津市"]
    assert at.slider(key="f_years").value == (2014, 2016)
    assert at.selectbox(key="f_unit").value == "协调管理处"
    assert at.toggle(key="f_target").value is False
    shared = cards(at)
    assert len(shared) == 5 and all(attr(c, "data-doc") == "shandong-2015" for c in shared)
    assert all("协调管理处" in c for c in shared)
    assert at.query_params == params  # the URL is left as it was

    # a change on the page updates the URL …
    at.toggle(key="f_target").set_value(True)
    at.selectbox(key="f_unit").set_value(None)
    at.run()
    assert at.query_params["target"] == "1" and "unit" not in at.query_params
    assert at.query_params["region"] == ["山东省", "天津市"]
    changed = cards(at)
    assert changed and changed != shared
    # … and the new URL opened elsewhere shows the same page
    again = make_app(seed_index_hash)
    again.query_params.update(at.query_params)
    again.run()
    assert again.toggle(key="f_target").value is True
    assert cards(again) == changed


def test_unit_from_the_url_may_be_any_text(make_app, seed_index_hash):
    at = make_app(seed_index_hash)
    at.query_params.update({"q": QUERY, "unit": "财政"})
    at.run()
    no_errors(at)
    found = cards(at)
    assert found and all("财政" in c.split("责任单位", 1)[-1] for c in found)
    assert at.query_params["unit"] == "财政"


def test_unknown_url_values_are_ignored(make_app, seed_index_hash):
    at = make_app(seed_index_hash)
    at.query_params.update(
        {"q": "质押", "region": "火星", "mode": "x", "k": "abc", "plan": "nope", "from": "zz"}
    )
    at.run()
    no_errors(at)
    assert at.multiselect(key="f_region").value == []
    assert len(cards(at)) == 10
    assert at.query_params == {"q": "质押"}


def test_empty_query_shows_examples_and_a_chip_runs_one(app):
    at = app.run()
    no_errors(at)
    assert cards(at) == []
    chips = at.pills(key="example")
    assert list(chips.options) == list(ui.EXAMPLES)
    assert any("点上方的示例" in i.value for i in at.info)
    assert at.text_input(key="q").placeholder == ui.PLACEHOLDER
    chips.set_value(ui.EXAMPLES[0]).run()
    no_errors(at)
    assert at.text_input(key="q").value == ui.EXAMPLES[0]
    assert len(cards(at)) == 10
    assert at.query_params["q"] == ui.EXAMPLES[0]


# ------------------------------------------------------------------ bad input and bad text


def own_script(value: str) -> bool:
    """The page's own constant label script (app.py), which is not corpus or query text."""
    return "".join(value.split()) == "".join(ui.APP_JS.split())


def test_script_query_is_shown_as_text(app):
    at = app.run()
    evil = "<script>alert(1)</script>"
    search(at, evil)
    assert at.text_input(key="q").value == evil
    for element in [*at.html, *at.markdown, *at.caption, *at.warning]:
        if own_script(element.value):
            continue
        assert "<script" not in element.value and "alert(1)" not in element.value
    # keyword mode with words no plan contains: the no-hits message quotes the query as text
    at.segmented_control(key="mode").set_value("keyword")
    search(at, "<script>xyzzy()</script>")
    message = " ".join(w.value for w in at.warning)
    assert "没有找到" in message and "\\<script\\>xyzzy\\(\\)\\</script\\>" in message


def test_corpus_markup_is_shown_as_text(make_app, evil_index):
    index, corpus = evil_index
    at = make_app(index, corpus).run()
    found = search(at, "加粗 质押")
    assert found
    card = next(c for c in found if "加粗" in c)
    assert "&lt;b&gt;加粗&lt;/b&gt;" in card
    assert (
        "&lt;script&gt;alert(2)&lt;/script&gt;" in card or "&lt;script&gt;alert（2）&lt;/script&gt;" in card
    )
    assert "&lt;i&gt;市金融局&lt;/i&gt;" in card and "&amp;" in card
    for element in at.html:
        if own_script(element.value):
            continue
        assert "<b>" not in element.value and "<script" not in element.value and "<i>" not in element.value


def test_long_query_and_control_characters_never_break_the_page(app):
    at = app.run()
    found = search(at, "质押融资" * 1250 + "\x00\x07\x1b[31m")
    assert len(found) == 10
    notes = " ".join(c.value for c in at.caption)
    assert "检索词过长" in notes and "只使用了前 2,000 字" in notes and "控制字符" in notes
    assert len(at.query_params["q"]) <= 2000


def test_no_hits_suggests_relaxing_filters(app):
    at = app.run()
    at.segmented_control(key="mode").set_value("keyword")
    at.multiselect(key="f_region").set_value(["山东省"])
    at.toggle(key="f_target").set_value(True)
    search(at, "质押")
    assert cards(at) == []
    assert any("放宽" in w.value for w in at.warning)
    at.button(key="clear_filters_main").click().run()
    no_errors(at)
    assert cards(at)


def test_switching_pages_keeps_the_search(app):
    at = app.run()
    search(at, "质押")
    at.multiselect(key="f_region").set_value(["山东省"]).run()
    shown = cards(at)
    at.switch_page("app_pages/corpus.py").run()
    at.switch_page("app_pages/search.py").run()
    no_errors(at)
    assert at.text_input(key="q").value == "质押"
    assert at.multiselect(key="f_region").value == ["山东省"]
    assert cards(at) == shown


# ------------------------------------------------------------------ index life cycle and corpus page


def corpus_table(at) -> list[dict[str, str]]:
    """The rows of the corpus page's HTML table, as text."""
    import html as html_lib

    body = next(e.proto.body for e in at.get("html") if 'class="ps-docs"' in e.proto.body)
    head = [html_lib.unescape(h) for h in re.findall(r"<th>(.*?)</th>", body)]
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1])
    cells = [[html_lib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)] for r in rows]
    return [dict(zip(head, c, strict=True)) for c in cells]


def test_corpus_page_lists_documents_and_index_status(app, monkeypatch):
    monkeypatch.setenv("POLICY_SEARCH_ADMIN_PASSWORD", "pw")
    at = app
    at.session_state["admin_ok"] = True
    at.run()
    at.switch_page("app_pages/corpus.py").run()
    no_errors(at)
    table = corpus_table(at)
    assert sorted(r["编号"] for r in table) == sorted(PLAN_TITLES)
    assert {r["状态"] for r in table} == {"已索引"}
    assert sum(int(r["任务条目"]) for r in table) == 153
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["规划文件"] == "5" and metrics["语义模型"] == "hash" and metrics["索引状态"] == "最新"
    assert at.button(key="rebuild_corpus_page").label == "重新建立索引"


def test_stale_index_shows_a_notice_and_rebuilds(make_app, tmp_path, monkeypatch):
    monkeypatch.setenv("POLICY_SEARCH_ADMIN_PASSWORD", "pw")
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    index = build_hash_index(corpus, tmp_path / "index")
    with open(corpus / "shandong-2015-work-plan.txt", "a", encoding="utf-8") as fh:
        fh.write("\n六、新增任务\n\n——开展知识产权新增测试工作。\n")
    at = make_app(index, corpus)
    at.session_state["admin_ok"] = True
    at.run()
    no_errors(at)
    assert any("有改动" in w.value for w in at.warning)
    at.switch_page("app_pages/corpus.py").run()
    assert {m.label: m.value for m in at.metric}["索引状态"] == "已过期"
    assert any("文件有改动" in r["状态"] for r in corpus_table(at))
    at.button(key="rebuild_corpus_page").click().run()
    no_errors(at)
    assert {m.label: m.value for m in at.metric}["索引状态"] == "最新"
    assert not any("有改动" in w.value for w in at.warning)


def test_missing_index_is_built_on_first_start(make_app, tmp_path):
    index = tmp_path / "fresh-index"
    at = make_app(index, encoder="hash").run()
    no_errors(at)
    assert (index / "CURRENT").exists()
    found = search(at)
    assert len(found) == 10


def test_nonsense_says_nothing_relevant_and_marks_the_cards_weak(app):
    at = app.run()
    found = search(at, "xqzv 蓝色香蕉飞船 qwerty")
    assert found and all("弱相关" in card for card in found)
    assert any("未找到相关内容" in w.value for w in at.warning)
    assert "未找到相关内容" in " ".join(m.value for m in at.markdown)
    at2 = app.run()
    relevant = search(at2, "专利权质押贷款")
    assert "弱相关" not in relevant[0] and not any("未找到相关内容" in w.value for w in at2.warning)


def test_a_link_with_too_many_filter_values_says_what_was_cut(make_app, seed_index_hash):
    at = make_app(seed_index_hash)
    many = ",".join(["山东省"] + [f"r{i}" for i in range(ui.MAX_URL_VALUES + 5)])
    at.query_params.update({"q": "质押", "region": many})
    at.run()
    no_errors(at)
    captions = " ".join(c.value for c in at.caption)
    assert f"链接中的「地区」筛选值过多或过长，只使用了前 {ui.MAX_URL_VALUES:,} 个" in captions
    assert at.multiselect(key="f_region").value == ["山东省"]  # the first values still apply
    # an ordinary link says nothing of the kind
    plain = make_app(seed_index_hash)
    plain.query_params.update({"q": "质押", "region": "山东省,天津市"})
    plain.run()
    assert "链接中的" not in " ".join(c.value for c in plain.caption)
