# ruff: noqa: F811 (app_url and browser are fixtures imported from test_browser)
"""Layout in real Chromium at common widths: no control or label clipped or off screen; screenshots
go to docs/ (README); and no English words in the page text in normal use."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from tests.e2e.test_browser import QUERY, REPO, app_url, browser, wait_idle  # noqa: F401

WIDTHS = {
    "1024": (1024, 800),
    "1280": (1280, 900),
    "1440": (1440, 900),
    "1920": (1920, 1080),
    "phone": (390, 844),
}
# every visible control and label of the main area and sidebar
CONTROLS = (
    '[data-testid="stButtonGroup"] button, [data-testid="stDownloadButton"] button, '
    '[data-testid="stBaseButton-secondary"], [data-testid="stBaseButton-primary"], '
    '[data-testid="stWidgetLabel"] p, [data-testid="stSelectbox"] [data-baseweb="select"] > div'
)
CLIPPED = """(sel) => {
  const vw = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;            // hidden (a collapsed sidebar)
    const side = el.closest('[data-testid="stSidebar"]');
    if (side && side.getBoundingClientRect().right <= 1) continue;  // the sidebar is folded away
    const text = (el.innerText || '').trim().slice(0, 30);
    if (r.left < -1 || r.right > vw + 1) out.push(`off screen: ${text} ${r.left}-${r.right} of ${vw}`);
    // past the edge of its column, or of the main area or sidebar it belongs to
    const box = el.parentElement.closest(
      '[data-testid="stColumn"], [data-testid="stMainBlockContainer"], [data-testid="stSidebarUserContent"]');
    if (box) {
      const b = box.getBoundingClientRect();
      if (r.left < b.left - 1 || r.right > b.right + 1)
        out.push(`past its container: ${text} ${r.left}-${r.right} of ${b.left}-${b.right}`);
    }
    for (const t of [el, ...el.querySelectorAll('p, span, div, input')]) {
      if (t.scrollWidth > t.clientWidth + 1 && getComputedStyle(t).overflow !== 'visible')
        { out.push(`clipped: ${text} (${t.scrollWidth} > ${t.clientWidth})`); break; }
    }
    if ((el.innerText || '').includes('…') || /\\.\\.$/.test(text)) out.push(`ellipsis: ${text}`);
  }
  return out;
}"""
ALLOWED_LATIN = {
    "CSV",
    "JSON",
    "Excel",
    "PNG",
    "SVG",
    "TXT",
    "PDF",
    "DOCX",
    "HTML",
    "hash",
    "plan",
}  # formats


def open_page(browser, app_url: str, width: int, height: int, path: str = ""):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(f"{app_url}/{path}")
    return context, page


@pytest.mark.parametrize("name", list(WIDTHS))
def test_search_page_fits_each_width(browser, app_url: str, name: str) -> None:
    width, height = WIDTHS[name]
    context, page = open_page(browser, app_url, width, height, f"?q={urllib.parse.quote(QUERY)}")
    try:
        page.wait_for_function("() => document.querySelectorAll('.ps-card').length >= 3")
        for control in ("stDownloadButton", "stSelectbox", "stButtonGroup"):  # drawn, not placeholders
            page.locator(f'[data-testid="{control}"]').first.wait_for()
        wait_idle(page)
        problems = page.evaluate(CLIPPED, CONTROLS)
        assert problems == [], problems
        cards = page.eval_on_selector_all(".ps-card", "cs => cs.map(c => c.getBoundingClientRect().right)")
        assert all(r <= width + 1 for r in cards)
        page.screenshot(path=str(REPO / "docs" / f"layout-search-{name}.png"), full_page=False)
    finally:
        context.close()


@pytest.mark.parametrize("name", list(WIDTHS))
def test_corpus_page_fits_each_width(browser, app_url: str, name: str) -> None:
    width, height = WIDTHS[name]
    context, page = open_page(browser, app_url, width, height, "corpus")
    try:
        page.wait_for_selector(".ps-docs")
        wait_idle(page)
        problems = page.evaluate(CLIPPED, CONTROLS + ", .ps-docs th, .ps-docs td")
        assert problems == [], problems
        box = page.eval_on_selector(
            ".ps-docs", "t => [t.getBoundingClientRect().right, t.scrollWidth, t.clientWidth]"
        )
        assert box[0] <= width + 1 and box[1] <= box[2] + 1, box
        assert page.get_by_text("tianjin-2013", exact=True).first.is_visible()
        page.screenshot(path=str(REPO / "docs" / f"layout-corpus-{name}.png"), full_page=False)
    finally:
        context.close()


VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    // icon ligatures ("search"), styles, and the skip link (shown in Chinese through CSS) are no wording
    if (!el || el.closest('[data-testid="stIconMaterial"], style, script, [data-testid="stSkipToContent"]')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    out.push(walker.currentNode.textContent);
  }
  return out.join("\\n");
}"""


# what screen readers say and inputs show: Streamlit's own labels are English unless replaced
LABELS = """() => {
  const out = [];
  const names = ['aria-label', 'aria-roledescription', 'aria-description', 'title', 'placeholder', 'alt'];
  for (const el of document.body.querySelectorAll(names.map(a => `[${a}]`).join(', '))) {
    if (el.closest('[data-testid="stIconMaterial"]')) continue;
    for (const a of names) if (el.hasAttribute(a)) out.push(el.getAttribute(a));
  }
  return out.join("\\n");
}"""


def test_no_english_words_on_the_pages(browser, app_url: str) -> None:
    atlas = urllib.parse.quote("专利申请量")
    visits = [
        (f"?q={urllib.parse.quote(QUERY)}", "() => document.querySelectorAll('.ps-card').length >= 3"),
        ("corpus", "() => document.querySelector('.ps-docs')"),
        (f"atlas?indicator={atlas}", "() => document.querySelector('.ps-atlas')"),
        ("document?doc=tianjin-2013", "() => document.querySelector('.ps-document')"),
    ]
    context, page = open_page(browser, app_url, 1440, 900)
    texts = []
    try:
        for path, ready in visits:
            page.goto(f"{app_url}/{path}")
            page.wait_for_function(ready)
            wait_idle(page)
            page.wait_for_timeout(500)  # the label script runs as elements arrive
            texts += [page.evaluate(VISIBLE_TEXT), page.evaluate(LABELS)]
    finally:
        context.close()
    # words in the plans themselves (e.g. PCT) and file names, ids and settings are data, not wording
    data = " ".join(p.read_text(encoding="utf-8") for p in (REPO / "corpus").iterdir())
    data += " ".join(p.name for p in (REPO / "corpus").iterdir())
    words = {w for t in texts for w in re.findall(r"[A-Za-z]{3,}", t)} - ALLOWED_LATIN
    words = {w for w in words if w not in data and not _setting(w, texts)}
    assert words == set(), sorted(words)


def _setting(word: str, texts: list[str]) -> bool:
    lines = [line for t in texts for line in t.splitlines() if word in line]
    return all(
        re.search(r"POLICY_SEARCH|secrets\.toml|admin_password|e5|索引目录|文件目录", line) for line in lines
    )
