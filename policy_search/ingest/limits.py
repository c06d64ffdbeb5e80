"""Limits on what one file may cost, and the notes that say what a limit cut.

Why: a crafted or careless file (one 15 MB line, a table of 100,000 cells, HTML nested 20,000
deep) must neither stall the server nor be cut silently. Each limit lives in ``Settings``
(``max_line_chars``, ``max_html_depth``, ``max_html_cells``, ``max_chunk_chars``); what it cut
is reported as one English note per file and limit (the CLI prints it; the page shows it in
Chinese through ``ui.messages.note_zh``, which matches the wording below — keep them in step).

Every function here is one pass over its input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..records import Chunk
from .grammar import SENTENCE_END

_CLOSERS = "”」』）"
_SENTENCE_CUT = re.compile(rf"[{SENTENCE_END}]+[{_CLOSERS}]*")
_CLAUSE_CUT = re.compile(rf"[，、：,\t]+[{_CLOSERS}]*")  # a tab: between table cells
_CUT_KINDS = ("sentence ends", "clause punctuation", "hard cuts")


@dataclass(frozen=True)
class LineSplit:
    """One source line longer than the line limit, and how it was split."""

    line_no: int  # 1-based, in the decoded source text
    chars: int
    pieces: int
    worst: int  # 0: only at sentence ends, 1: also at clause punctuation, 2: also hard cuts


def _last_cut(pattern: re.Pattern[str], text: str, start: int, end: int) -> int | None:
    last = None
    for m in pattern.finditer(text, start, end):
        last = m.end()
    return last


def split_line(text: str, limit: int) -> tuple[list[str], int]:
    """``text`` in pieces of at most ``limit`` characters, cut after the last sentence end in
    each window, else after the last clause mark, else at ``limit``; returns the stripped,
    non-empty pieces and the worst cut used (see ``LineSplit.worst``). Linear: a window that
    ends early is followed by one that cannot, so each character is scanned at most twice."""
    pieces: list[str] = []
    worst, pos, n = 0, 0, len(text)
    while n - pos > limit:
        end = pos + limit
        cut = _last_cut(_SENTENCE_CUT, text, pos, end)
        kind = 0
        if cut is None:
            cut, kind = _last_cut(_CLAUSE_CUT, text, pos, end), 1
        if cut is None:
            cut, kind = end, 2
        pieces.append(text[pos:cut])
        worst = max(worst, kind)
        pos = cut
    pieces.append(text[pos:])
    return [p.strip() for p in pieces if p.strip()], worst


def line_note(splits: tuple[LineSplit, ...], limit: int) -> str:
    """One note for all long lines of a file ("" when there are none)."""
    if not splits:
        return ""
    longest = max(splits, key=lambda s: s.chars)
    pieces = sum(s.pieces for s in splits)
    how = _CUT_KINDS[max(s.worst for s in splits)]
    return (
        f"{len(splits)} line(s) over the {limit:,}-character line limit (longest: line "
        f"{longest.line_no}, {longest.chars:,} characters) split into {pieces:,} lines; "
        f"worst cut: {how}"
    )


def html_depth_note(limit: int) -> str:
    return f"HTML nested deeper than {limit:,} levels: the deeper elements were flattened"


def html_cells_note(limit: int, dropped: int) -> str:
    return f"a table has more than {limit:,} cells: the other {dropped:,} cells were left out"


def chunk_cut_note(cuts: int, limit: int) -> str:
    return f"{cuts:,} cut(s) inside a sentence without punctuation at the {limit:,}-character chunk limit"


def hard_cuts(text: str, chunks: list[Chunk]) -> int:
    """How many parts of long chunks begin where a sentence was cut mid-way (no punctuation
    or line end before the cut): the cuts ``max_chunk_chars`` forced."""
    cuts = 0
    prev: Chunk | None = None
    for chunk in chunks:
        if prev is not None and chunk.part > 1 and prev.end == chunk.start and chunk.start > 0:
            before = text[chunk.start - 1]
            if not before.isspace() and before not in SENTENCE_END + _CLOSERS + "，、：,":
                cuts += 1
        prev = chunk
    return cuts
