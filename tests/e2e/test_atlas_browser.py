"""End to end, 指标对比 page: `streamlit run app.py` driven by headless system Chromium.

Choose an indicator, see the chart and the table, follow a row's link to its task card on the
search page. Uses the hash-encoder seed index (the model does not matter here). Set
POLICY_SEARCH_ATLAS_SCREENSHOT=docs/atlas.png to refresh the README screenshot.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .test_browser import CHROMIUM, CHROMIUM_ARGS, REPO, serve_app

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - requirements-dev.txt installs it
    sync_playwright = None  # type: ignore[assignment]

START_TIMEOUT = 120
UI_TIMEOUT = 60_000
INDICATOR = "每万人口发明专利拥有量"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def atlas_url(seed_index_hash: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log_path = tmp_path_factory.mktemp("streamlit-atlas") / "streamlit.log"
    with serve_app(seed_index_hash, REPO / "corpus", log_path) as url:
        yield url


def test_atlas_choose_indicator_see_chart_and_table_follow_link(atlas_url: str, tmp_path: Path) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(UI_TIMEOUT)
            # the page by its address as the first request of a fresh server: it must come with the
            # app's navigation (a folder named pages/ would be served bare until app.py first ran)
            page.goto(f"{atlas_url}/atlas")
            page.get_by_text("指标对比").first.wait_for()
            nav = page.locator('[data-testid="stSidebarNav"]')
            nav.get_by_text("政策检索").wait_for()
            assert "shared" not in nav.inner_text()

            # choose the indicator in the searchable list by typing part of it
            page.locator("[data-testid='stSelectbox']").first.click()
            page.keyboard.type("万人口发明")
            page.get_by_role("option", name=INDICATOR, exact=False).first.click()

            page.wait_for_function("() => document.querySelectorAll('tr.ps-atlas-row').length >= 2")
            docs = page.eval_on_selector_all("tr.ps-atlas-row", "rows => rows.map(r => r.dataset.doc)")
            assert set(docs) == {"tianjin-2013", "shandong-2015"}
            marks = page.eval_on_selector_all(".ps-atlas mark", "ms => ms.map(m => m.innerText)")
            assert "9件" in marks and "达到5件" in marks
            chart = page.locator(
                "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
            )
            chart.first.wait_for()
            assert "indicator=" in page.url
            page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")

            shot = Path(os.environ.get("POLICY_SEARCH_ATLAS_SCREENSHOT") or tmp_path / "atlas.png")
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000

            # follow the Shandong row's link: the search page shows that task's card
            link = page.locator("tr.ps-atlas-row[data-doc='shandong-2015'] a.ps-atlas-link")
            link.click()
            page.wait_for_url("**/?q=*")
            page.wait_for_function("() => document.querySelectorAll('.ps-card').length >= 1")
            first = page.locator(".ps-card").first
            assert first.get_attribute("data-doc") == "shandong-2015"
            assert "万人有效发明专利拥有量达到5件" in first.inner_text()
            assert "plan=shandong-2015" in page.url
            context.close()
        finally:
            browser.close()
