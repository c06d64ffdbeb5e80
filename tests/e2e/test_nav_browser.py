# ruff: noqa: F811 (app_url, browser and page are fixtures imported from test_browser)
"""Back and Forward in real Chromium restore the search (box and results) that the URL shows."""

from __future__ import annotations

import urllib.parse

from tests.e2e.test_browser import Page, app_url, browser, card_info, page, wait_idle  # noqa: F401

A, B = "专利导航", "商标品牌"


def search_for(page: Page, query: str) -> None:
    box = page.get_by_label("检索词", exact=True)
    box.fill(query)
    box.press("Enter")
    page.wait_for_function(
        "q => new URLSearchParams(location.search).get('q') === q && document.querySelector('.ps-card')",
        arg=query,
    )
    wait_idle(page)


def shown(page: Page) -> tuple[str, str, list]:
    wait_idle(page)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query).get("q", [""])[0]
    return query, page.get_by_label("检索词", exact=True).input_value(), [c["doc"] for c in card_info(page)]


def test_back_and_forward_restore_earlier_searches(app_url: str, page: Page) -> None:
    page.goto(app_url)
    page.get_by_label("检索词", exact=True).wait_for()
    search_for(page, A)
    a_cards = shown(page)[2]
    search_for(page, B)
    b_cards = shown(page)[2]

    page.go_back()
    page.wait_for_function("q => document.querySelector('input[aria-label=\"检索词\"]').value === q", arg=A)
    query, box, cards = shown(page)
    assert (query, box) == (A, A)
    assert cards == a_cards

    page.go_forward()
    page.wait_for_function("q => document.querySelector('input[aria-label=\"检索词\"]').value === q", arg=B)
    query, box, cards = shown(page)
    assert (query, box) == (B, B)
    assert cards == b_cards
