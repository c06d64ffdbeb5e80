"""A whole plan as HTML for the document page: headings as they change, every task, one marked."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from ..records import Chunk
from .messages import plain_text


def document_html(chunks: Sequence[Chunk], target: Chunk | None = None) -> str:
    """Every chunk of one plan in order; a change of section prints its heading path; ``target``
    is marked 本条 (all text escaped)."""
    rows = ['<div class="ps-context ps-document">']
    last: tuple[str, ...] = ()
    for c in chunks:
        if c.section != last:
            same = next(
                (i for i, (x, y) in enumerate(zip(c.section, last)) if x != y), min(len(c.section), len(last))
            )
            for depth, heading in enumerate(c.section[same:], start=same):
                text = escape(plain_text(heading, 300))
                rows.append(f'<div class="ps-doc-h ps-doc-h{min(depth, 3)}">{text}</div>')
            last = c.section
        if target is not None and c.chunk_id == target.chunk_id:
            rows.append(
                '<div class="ps-context-item ps-context-hit" id="ps-target"><span class="ps-here">本条</span>'
                f"{escape(c.text)}</div>"
            )
        else:
            rows.append(f'<div class="ps-context-item">{escape(c.text)}</div>')
    rows.append("</div>")
    return "".join(rows)
