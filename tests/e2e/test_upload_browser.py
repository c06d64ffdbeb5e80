"""Upload in real Chromium: an administrator uploads a new plan and finds it by search; without
the password the page offers no upload at all."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, REPO, serve_app, sync_playwright, wait_idle
from tests.test_app import build_hash_index

pytestmark = pytest.mark.slow
PASSWORD = "测试-管理员-密码"
NEW_PLAN = (
    "测试市知识产权局2024年工作要点\n\n一、强化知识产权保护\n\n"
    "（一）建设海棠花知识产权快速维权中心。全年受理快速维权案件200件。（责任单位：市知识产权局）\n\n"
    "（二）开展宣传。组织知识产权宣传周活动。\n"
)


@pytest.fixture(scope="module")
def admin_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("upload")
    corpus = root / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    index = build_hash_index(corpus, root / "index")
    with serve_app(index, corpus, root / "streamlit.log", POLICY_SEARCH_ADMIN_PASSWORD=PASSWORD) as url:
        yield url, corpus


def test_upload_as_administrator_then_search_finds_it(admin_app, tmp_path: Path) -> None:
    url, corpus = admin_app
    plan = tmp_path / "测试市2024年工作要点.txt"
    plan.write_text(NEW_PLAN, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # a visitor without the password: no upload control, the sign-in form instead
            visitor = browser.new_page(viewport={"width": 1280, "height": 900})
            visitor.set_default_timeout(90_000)
            visitor.goto(f"{url}/corpus")
            visitor.get_by_text("登录管理").wait_for()
            wait_idle(visitor)
            assert visitor.locator('input[type="file"]').count() == 0

            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(90_000)
            page.goto(f"{url}/corpus")
            page.get_by_label("管理员密码").fill("wrong")
            page.get_by_role("button", name="登录管理").click()
            page.get_by_text("密码不正确").wait_for()
            assert page.locator('input[type="file"]').count() == 0
            page.get_by_label("管理员密码").fill(PASSWORD)
            page.get_by_role("button", name="登录管理").click()
            page.locator('input[type="file"]').set_input_files(str(plan))
            page.get_by_role("button", name="保存并更新索引").click()
            page.get_by_text("新增 1 份").wait_for()
            assert (corpus / plan.name).read_text(encoding="utf-8") == NEW_PLAN

            page.goto(f"{url}/?q=海棠花快速维权中心")
            page.wait_for_selector(".ps-card")
            wait_idle(page)
            assert "测试市知识产权局2024年工作要点" in page.inner_text(".ps-card >> nth=0")
        finally:
            browser.close()
