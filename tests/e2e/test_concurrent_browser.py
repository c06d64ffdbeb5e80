"""Another browser session keeps searching while an administrator uploads a plan and the index is
rebuilt: every search answers (from the previous index) without an error, and once the new index
is ready the searches find the new plan. Real Chromium against one ``streamlit run app.py``."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, REPO, serve_app, sync_playwright, wait_idle
from tests.e2e.test_upload_browser import NEW_PLAN, PASSWORD
from tests.test_app import build_hash_index

pytestmark = pytest.mark.slow
NEW_TITLE = "测试市知识产权局2024年工作要点"
NEW_QUERY = "海棠花快速维权中心"
COPIES = 16  # the seeds 16 times over (80 plans): the incremental rebuild takes several seconds
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


@pytest.fixture(scope="module")
def busy_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("concurrent")
    corpus = root / "corpus"
    corpus.mkdir()
    for n in range(COPIES):
        for src in sorted((REPO / "corpus").glob("*.txt")):
            text = src.read_text(encoding="utf-8") + f"\n附记：副本{n}。" * (n + 1)
            (corpus / f"copy{n}-{src.name}").write_text(text, encoding="utf-8")
    index = build_hash_index(corpus, root / "index")
    with serve_app(index, corpus, root / "streamlit.log", POLICY_SEARCH_ADMIN_PASSWORD=PASSWORD) as url:
        yield url, corpus


def search_once(page, url: str) -> tuple[float, float, bool]:
    """One search as a user makes it (open the link); (started, finished, found the new plan).
    Fails on any error element or when no result card comes back."""
    started = time.monotonic()
    page.goto(f"{url}/?q={urllib.parse.quote(NEW_QUERY)}")
    page.wait_for_selector(".ps-card")
    wait_idle(page)
    errors = page.locator(ERRORS)
    assert errors.count() == 0, errors.first.inner_text()
    return started, time.monotonic(), NEW_TITLE in page.inner_text(".ps-card >> nth=0")


def test_searches_during_upload_and_rebuild_use_previous_index_then_switch(busy_app, tmp_path: Path) -> None:
    url, corpus = busy_app
    plan = tmp_path / "测试市2024年工作要点.txt"
    plan.write_text(NEW_PLAN, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            admin = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
            visitor = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
            for pg in (admin, visitor):
                pg.set_default_timeout(90_000)
            # the corpus page by its address is the fresh server's first request: with the app's menu
            admin.goto(f"{url}/corpus")
            admin.locator('[data-testid="stSidebarNav"]').get_by_text("政策检索").wait_for()
            before = search_once(visitor, url)
            assert not before[2], "the new plan is found before it was uploaded"

            admin.get_by_label("管理员密码").fill(PASSWORD)
            admin.get_by_role("button", name="登录管理").click()
            admin.locator('input[type="file"]').set_input_files(str(plan))
            clicked = time.monotonic()
            admin.get_by_role("button", name="保存并更新索引").click()
            done = admin.get_by_text("新增 1 份")

            # the visitor searches again and again while the upload and rebuild run
            during: list[tuple[float, float, bool]] = []
            while done.count() == 0:
                during.append(search_once(visitor, url))
                assert time.monotonic() - clicked < 300, "the rebuild did not finish"
            finished = time.monotonic()
            after = search_once(visitor, url)
        finally:
            browser.close()
    inside = [s for s in during if s[0] >= clicked and s[1] <= finished]
    assert len(inside) >= 2, f"only {len(inside)} searches ran during the rebuild: {during}"
    found = [s[2] for s in during]
    print(f"rebuild {finished - clicked:.1f} s; searches during it: {len(inside)}; new index from search "
          f"{found.index(True) + 1 if True in found else '-'} of {len(found)}")  # fmt: skip
    # previous index until the new one is ready, then the new one for good (never back)
    assert found == sorted(found), found
    assert not found[0], "the first search during the rebuild already used an index not yet built"
    assert after[2], "after the rebuild the new plan is not found"
    assert (corpus / plan.name).read_text(encoding="utf-8") == NEW_PLAN
