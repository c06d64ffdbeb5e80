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
