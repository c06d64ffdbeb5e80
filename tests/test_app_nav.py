# ruff: noqa: F811 (app and make_app are fixtures imported from test_app)
"""The URL is the search page's state: a changed URL (Back, Forward, an edited link) wins over the
widgets on every run, not only on the first one."""

from __future__ import annotations

from tests.test_app import app, make_app, no_errors  # noqa: F401


def test_url_change_on_a_later_run_restores_that_search(app):
    at = app.run()
    at.text_input(key="q").set_value("专利导航").run()
    assert at.query_params["q"] in ("专利导航", ["专利导航"])
    at.text_input(key="q").set_value("商标品牌").run()
    at.multiselect(key="f_region").set_value(["山东省"]).run()
    assert at.query_params["q"] in ("商标品牌", ["商标品牌"])
    # Back: the browser puts the earlier URL back and Streamlit reruns the page
    at.query_params.clear()
    at.query_params["q"] = "专利导航"
    at.run()
    no_errors(at)
    assert at.text_input(key="q").value == "专利导航"
    assert at.multiselect(key="f_region").value == []
    assert at.query_params["q"] in ("专利导航", ["专利导航"]) and "region" not in at.query_params
    # Forward
    at.query_params["q"] = "商标品牌"
    at.query_params["region"] = "山东省"
    at.run()
    assert at.text_input(key="q").value == "商标品牌"
    assert at.multiselect(key="f_region").value == ["山东省"]


def test_card_links_to_the_whole_document_with_the_task_marked_and_the_original(app):
    import re

    at = app.run()
    at.text_input(key="q").set_value("质押融资").run()
    card = next(e.proto.body for e in at.get("html") if 'class="ps-card"' in e.proto.body)
    link = re.search(r'href="document\?([^"]+)"', card).group(1).replace("&amp;", "&")
    params = dict(p.split("=", 1) for p in link.split("&"))
    at.switch_page("app_pages/document.py")
    for k, v in params.items():
        from urllib.parse import unquote_plus

        at.query_params[k] = unquote_plus(v)
    at.run()
    no_errors(at)
    body = " ".join(e.proto.body for e in at.get("html"))
    assert body.count('id="ps-target"') == 1 and "本条" in body
    citation = at.code[0].value
    assert citation.startswith("《") and "（" in citation and " · " in citation
    original = at.get("download_button")
    assert original and "下载原件" in original[0].proto.label


def test_document_html_escapes_and_marks_one_task():
    from policy_search import ui
    from tests.test_ui import make_chunk

    a = make_chunk("<script>x</script>", chunk_id="p/1")
    b = make_chunk("第二条", chunk_id="p/2", section=("重点任务", "<b>加强</b>"))
    out = ui.document_html([a, b], b)
    assert "<script>" not in out and "<b>" not in out and out.count("本条") == 1
    assert out.count("重点任务") == 1


def test_page_files_are_not_in_a_folder_streamlit_serves_on_its_own():
    """A folder named pages/ beside app.py is served by Streamlit as bare pages (no styles, file
    names as the menu, shared.py and admin.py as pages) to the first visitor of a fresh server
    who opens a page by its address; the pages live in app_pages/ and app.py names each one."""
    from tests.test_app import REPO

    assert not (REPO / "pages").exists()
    app = (REPO / "app.py").read_text(encoding="utf-8")
    for page in sorted((REPO / "app_pages").glob("*.py")):
        if page.stem not in ("__init__", "shared", "admin"):
            assert f'"{{PAGES}}/{page.name}"' in app or f'"app_pages/{page.name}"' in app, page.name
