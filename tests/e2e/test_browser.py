"""End to end: `streamlit run app.py` in a subprocess, driven by headless system Chromium.

Uses the real e5 index (fixture ``seed_index_e5``) so the search is the one staff get.
Needs /usr/bin/chromium (``scripts/test.sh`` installs it); skipped without it, except under
CI=true where a missing browser is a failure. Set POLICY_SEARCH_SCREENSHOT=docs/screenshot.png
to refresh the README screenshot; otherwise it goes to the test's tmp folder.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from openpyxl import load_workbook

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# the look scripts/app.sh starts the page with
STREAMLIT_ARGS = [
    "--server.headless", "true",
    "--server.address", "127.0.0.1",
    "--server.fileWatcherType", "none",
    "--browser.gatherUsageStats", "false",
    "--client.toolbarMode", "minimal",
    "--theme.base", "light",
    "--theme.primaryColor", "#1d4ed8",
]  # fmt: skip
QUERY = "知识产权质押融资目标"
PLAN_TITLES = {
    "国家知识产权局2013年工作要点",
    "广安市建设国家知识产权试点城市工作方案",
    "天津市红桥区知识产权强区建设纲要（2021—2035年）",
    "山东省知识产权局2015年工作要点",
    "天津市知识产权局2013年工作要点",
}
START_TIMEOUT = 120  # seconds for streamlit to answer its health check
UI_TIMEOUT = 90_000  # ms for the page to show something (the first search loads the model)

pytestmark = pytest.mark.slow

try:
    from playwright.sync_api import Page, sync_playwright
except ImportError:  # pragma: no cover - requirements-dev.txt installs it
    sync_playwright = None  # type: ignore[assignment]


def _require_browser() -> None:
    missing = []
    if sync_playwright is None:
        missing.append("the playwright package")
    if not CHROMIUM.exists():
        missing.append(str(CHROMIUM))
    if missing:
        message = f"end-to-end test needs {' and '.join(missing)} (scripts/test.sh installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log_tail(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-3000:]
    except OSError:
        return ""


@contextmanager
def serve_app(index: Path, corpus: Path, log_path: Path, **env_extra: str) -> Iterator[str]:
    """``streamlit run app.py`` on a free 127.0.0.1 port with this index and corpus; yields its
    URL once the health check answers, and ends its whole process group afterwards."""
    _require_browser()
    port = _free_port()
    env = dict(
        os.environ, POLICY_SEARCH_INDEX=str(index), POLICY_SEARCH_CORPUS=str(corpus), PYTHONUNBUFFERED="1"
    )
    env.update(env_extra)
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), *STREAMLIT_ARGS],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown ends all of it
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}:\n{_log_tail(log_path)}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer within {START_TIMEOUT} s:\n{_log_tail(log_path)}")
            time.sleep(0.2)  # polling interval, not a wait for the page
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


@pytest.fixture(scope="module")
def app_url(seed_index_e5: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log_path = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    with serve_app(seed_index_e5, REPO / "corpus", log_path) as url:
        os.environ["_POLICY_SEARCH_E2E_LOG"] = str(log_path)
        yield url


@pytest.fixture(scope="module")
def browser(app_url: str):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, accept_downloads=True, locale="zh-CN"
    )
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_default_timeout(UI_TIMEOUT)
    yield page
    context.close()
    assert dialogs == [], f"the page opened dialogs: {dialogs}"


def wait_idle(page: Page) -> None:
    """Wait until the script run is over: no running indicator, no stale elements."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')"
    )


def card_info(page: Page) -> list[dict]:
    return page.eval_on_selector_all(
        ".ps-card",
        """cards => cards.map(c => ({
            doc: c.dataset.doc,
            region: c.dataset.region,
            plan: c.querySelector('.ps-plan')?.innerText ?? '',
            marks: [...c.querySelectorAll('.ps-text mark')].map(m => m.innerText),
        }))""",
    )


def test_search_in_a_real_browser(app_url: str, page: Page, tmp_path: Path) -> None:
    page.goto(app_url)
    box = page.get_by_placeholder(f"例如：{QUERY}")
    box.wait_for()
    box.fill(QUERY)
    box.press("Enter")

    # results: at least five cards; the first names a plan and highlights 质押
    page.wait_for_function("() => document.querySelectorAll('.ps-card').length >= 5")
    wait_idle(page)
    before = card_info(page)
    assert len(before) >= 5
    assert before[0]["plan"] in PLAN_TITLES
    assert any("质押" in m for m in before[0]["marks"]), before[0]
    assert "q=" in page.url
    assert len({c["region"] for c in before}) > 1

    # screenshot once the download buttons and citations have rendered
    page.get_by_role("button", name="下载 CSV").wait_for()
    page.locator(".st-key-result_1 [data-testid='stCode']").wait_for()
    shot = Path(os.environ.get("POLICY_SEARCH_SCREENSHOT") or tmp_path / "search.png")
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000

    # the answer panel sits above the cards and links to them
    panel = page.locator(".ps-answer").first
    panel.wait_for()
    assert "回答" in panel.inner_text()
    jump = page.locator(".ps-answer a.ps-jump").first
    assert jump.count() == 1, "the first answer item links to its card"
    target = jump.get_attribute("href")
    jump.click()
    page.wait_for_function(
        "(sel) => { const r = document.querySelector(sel).getBoundingClientRect();"
        " return r.top >= -5 && r.top < window.innerHeight; }",
        arg=target,
    )

    # CSV download: BOM, opens with the csv module, one row per card
    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载 CSV").click()
    download = download_info.value
    saved = tmp_path / "results.csv"
    download.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == len(before)
    assert rows[0]["规划"] == before[0]["plan"] and rows[0]["排名"] == "1"

    # .xlsx download: opens with openpyxl and holds the CSV's rows
    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载 Excel").click()
    saved = tmp_path / "results.xlsx"
    download_info.value.save_as(saved)
    assert download_info.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(saved).active
    cells = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    assert cells == list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))

    # region filter in the sidebar narrows the cards to that region
    region = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first
    region.click()
    page.keyboard.type("山东省")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_function(
        """() => {
            const cards = [...document.querySelectorAll('.ps-card')];
            return cards.length > 0 && cards.every(c => c.dataset.region === '山东省');
        }"""
    )
    wait_idle(page)
    after = card_info(page)
    assert 0 < len(after) <= len(before)
    assert all(c["region"] == "山东省" for c in after)
    assert [c["doc"] for c in after] != [c["doc"] for c in before]
    removed = sum(c["region"] != "山东省" for c in before)
    page.get_by_text(f"地区：排除了 {removed} 条结果").wait_for()
    assert "region=" in page.url


def test_hostile_input_is_shown_as_text(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/?mode=keyword&q=%3Cscript%3Exyzzy()%3C%2Fscript%3E")
    page.get_by_text("<script>xyzzy()</script>", exact=False).first.wait_for()
    wait_idle(page)
    assert page.locator(".ps-card").count() == 0
    assert page.get_by_text("没有找到").count() >= 1
    assert not page.evaluate("() => document.documentElement.innerHTML.includes('<script>xyzzy')")


def test_several_sessions_share_one_loaded_index(app_url: str, browser) -> None:
    """Three browser sessions search at once; each gets its own results from one engine."""
    queries = {"12330": "12330", "专利导航": "专利导航", "知识产权宣传周": "宣传周"}
    contexts = [browser.new_context(viewport={"width": 1200, "height": 900}) for _ in queries]
    try:
        pages = [c.new_page() for c in contexts]
        for page, query in zip(pages, queries):
            page.set_default_timeout(UI_TIMEOUT)
            page.goto(f"{app_url}/?q={urllib.parse.quote(query)}", wait_until="commit")
        for page, (query, needle) in zip(pages, queries.items()):
            page.wait_for_function("() => document.querySelectorAll('.ps-card').length >= 3")
            wait_idle(page)
            first = page.locator(".ps-card .ps-text").first.inner_text()
            assert needle in first, (query, first[:80])
            # the box shows the query too (under load it may be painted a moment after the cards)
            page.wait_for_function(
                "([ph, q]) => document.querySelector(`input[placeholder='${ph}']`)?.value === q",
                arg=[f"例如：{QUERY}", query],
            )
    finally:
        for c in contexts:
            c.close()
    log = Path(os.environ["_POLICY_SEARCH_E2E_LOG"]).read_text(encoding="utf-8", errors="replace")
    assert log.count("policy_search: loaded index") == 1, _log_tail(
        Path(os.environ["_POLICY_SEARCH_E2E_LOG"])
    )
