"""Visible text of a web page, one block element per line, within the HTML limits.

Why a module of its own: a web page is the one input whose *structure* an attacker controls
(20,000 nested tags, a row of 100,000 cells). The walk is iterative and carries each node's
context down instead of looking up ancestors, so it is linear in the page; the limits in
``Settings`` (``max_html_depth``, ``max_html_cells``) bound what the text can look like, and
what they cut comes back as notes (``limits``).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from bs4 import BeautifulSoup
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Script,
    Stylesheet,
    Tag,
    TemplateString,
)

from ..settings import Settings
from .limits import html_cells_note, html_depth_note

_DROP_TAGS = frozenset(
    {
        "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe",
        "template", "svg", "head", "select", "button", "textarea", "object", "embed", "canvas",
    }
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "body", "caption", "center", "dd", "details",
        "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "h1", "h2",
        "h3", "h4", "h5", "h6", "hgroup", "hr", "li", "main", "menu", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
    }
)  # fmt: skip
_CELL_TAGS = frozenset({"td", "th"})
_CONTENT_TAGS = ["p", "article", "main", "table", "h1", "h2", "h3", "h4", "h5", "h6"]
_SKIP_STRINGS = (
    Comment,
    Declaration,
    Doctype,
    ProcessingInstruction,
    Script,
    Stylesheet,
    TemplateString,
)
_BREAK = "\n"  # marker between blocks; source newlines are collapsed before markers are added
_CELL = "\t"  # marker between table cells
_SPACES = re.compile(r"\s+")


def html_to_text(html: str) -> str:
    """``html_to_text_noted`` with the default limits, without the notes."""
    return html_to_text_noted(html, Settings.max_html_depth, Settings.max_html_cells)[0]


@dataclass
class _Cuts:
    """What the HTML limits cut while reading one page."""

    flattened: bool = False
    cells_dropped: int = 0


def html_to_text_noted(html: str, max_depth: int, max_cells: int) -> tuple[str, tuple[str, ...]]:
    """Visible body text of a web page, one block element per line, and notes on what the
    limits cut: elements nested deeper than ``max_depth`` are flattened (their text joins the
    line around them), and cells of a table beyond its first ``max_cells`` are left out.

    Scripts, styles, navigation, page headers/footers, sidebars, forms and embeds are dropped;
    whitespace inside a line is collapsed; table cells are separated by a tab. The whole body is
    kept even when one element is clearly the article (``<article>``, ``#content``,
    ``.TRS_Editor``…): the boilerplate filter in ``cleaning`` removes the navigation lines that
    remain, which is simpler than guessing containers and never loses text. Two refinements keep
    content safe: ``<header>``/``<footer>`` inside an ``<article>`` or ``<main>`` (article title,
    signature) are kept, and a ``<form>`` that wraps the page (ASP.NET sites) is kept.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "looks like a file name" for tiny pages
        soup = BeautifulSoup(html, "lxml")
    root = soup.body if soup.body is not None else soup
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        line = "".join(current)
        line = re.sub(r" *\t[ \t]*", "\t", line)
        line = re.sub(r" {2,}", " ", line).strip(" \t")
        if line:
            lines.append(line)
        current.clear()

    ends_with_cell = False  # tracked, not re-joined per cell: a 100k-cell row stays linear
    cuts = _Cuts()
    for piece in _html_pieces(root, max_depth, max_cells, cuts):
        if piece == _BREAK:
            flush()
            ends_with_cell = False
        elif piece == _CELL:
            if current and not ends_with_cell:
                current.append(_CELL)
                ends_with_cell = True
        elif piece:
            current.append(piece)
            ends_with_cell = False
    flush()
    notes = []
    if cuts.flattened:
        notes.append(html_depth_note(max_depth))
    if cuts.cells_dropped:
        notes.append(html_cells_note(max_cells, cuts.cells_dropped))
    return "\n".join(lines), tuple(notes)


@dataclass(frozen=True)
class _At:
    """Where a node lies: inside an <article>/<main>, inside a kept <form>, how deep, and the
    cell count of its nearest table (a one-item list shared by that table's cells)."""

    in_content: bool
    in_form: bool
    depth: int
    cells: list[int]


def _html_pieces(root: Tag | BeautifulSoup, max_depth: int, max_cells: int, cuts: _Cuts) -> Iterator[str]:
    """Text pieces and ``_BREAK``/``_CELL`` markers in document order (iterative: deep pages).

    Each stack entry carries where it lies (``_At``), so no tag looks up its ancestors: linear
    in the page, however deep it nests. Beyond ``max_depth`` tags add no breaks or cells (the
    text is kept, flattened); a table's cells beyond ``max_cells`` are skipped whole."""
    stack: list[tuple[object, bool, _At]] = [(root, False, _At(False, False, 0, [0]))]
    while stack:
        node, closing, at = stack.pop()
        if closing:
            yield _BREAK
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, _SKIP_STRINGS):
                yield _SPACES.sub(" ", str(node))
            continue
        if not isinstance(node, Tag) or _dropped(node, at.in_content, at.in_form):
            continue
        name = node.name
        flat = at.depth >= max_depth
        if flat:
            cuts.flattened = True
        elif name in _CELL_TAGS:
            if at.cells[0] >= max_cells:
                cuts.cells_dropped += 1
                continue
            at.cells[0] += 1
        cells = [0] if name == "table" and not flat else at.cells
        child_at = _At(
            at.in_content or name in ("article", "main"), at.in_form or name == "form", at.depth + 1, cells
        )
        if name == "br":
            yield " " if flat else _BREAK
            continue
        if name == "pre" and not flat:
            yield _BREAK
            for line in node.get_text().splitlines():
                yield _SPACES.sub(" ", line)
                yield _BREAK
            continue
        if not flat and name in _CELL_TAGS:
            yield _CELL
        if not flat and name in _BLOCK_TAGS:
            yield _BREAK
            stack.append((node, True, child_at))
        stack.extend((child, False, child_at) for child in reversed(node.contents))


def _dropped(tag: Tag, in_content: bool, in_form: bool) -> bool:
    name = tag.name
    if name not in _DROP_TAGS:
        return False
    if name in ("header", "footer"):
        return not in_content
    if name == "form":  # only the outermost form searches its subtree: disjoint, so linear
        return not in_form and tag.find(_CONTENT_TAGS) is None
    return True
