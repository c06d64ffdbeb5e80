"""Re-join what web captures and PDF text cut apart, before the text is chunked.

Why: text reaches the chunker in pieces. A flattened table becomes dozens of one-cell lines
whose "1" looks like an item marker; a number alone on a line cuts its sentence; PDF text is
cut at the margin mid-sentence and mid-word, and where a PDF's lines were joined a stray space
sits inside a sentence (强化 源头治理); a title is wrapped over two or three lines. (What is
*removed* — boilerplate lines, navigation blocks, tables of contents — is ``cleaning``'s job.)

Joining only adds or takes away whitespace (table cells are joined with a tab), so every
non-whitespace character stays in the text. Two lines are never joined across a paragraph
boundary: a line ending with 。；！？：… or a closing bracket, or a next line starting with a
heading or list marker (``grammar.line_marker``). Every rule is one pass (or a few) over the
lines, linear in the input. Word lists that are domain knowledge live in
``data/web_noise.toml``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache

from policy_search.ingest.grammar import SENTENCE_END, line_marker

from ..data import DATA_DIR

_DATA = DATA_DIR / "web_noise.toml"
_STOP = frozenset(SENTENCE_END + "：…;!?:.")  # a line ending with one of these ends its paragraph
_CLOSING = frozenset("）)]】」』〕〉》")
_QUOTES = '”’"」』'
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_OR_PUNCT = (
    r"[\u3400-\u9fff\uf900-\ufaff\u3001-\u3003\u3008-\u3011"  # ideographs, 、。〃《》「」【】
    r"\u2014\u2018\u2019\u201c\u201d\u2026\uff01-\uff0f\uff1a\uff1b\uff1f]"  # —‘’“”… ！（），：；？
)
# one space between two CJK characters, or between CJK and a digit (2025 年): a PDF line join
_STRAY_SPACE = re.compile(rf"(?<={_CJK_OR_PUNCT}) (?={_CJK_OR_PUNCT}|\d)|(?<=\d) (?={_CJK_OR_PUNCT})")
_SENTENCE_MARKS = frozenset("。；！？")


@dataclass
class Line:
    """One non-empty, stripped source line; ``reason`` is set once the line is noise."""

    no: int  # 1-based line number in the source text
    text: str
    blank_before: bool = False  # a blank line precedes it in the source (a paragraph break)
    reason: str | None = None


@cache
def noise_words() -> dict[str, tuple[str, ...]]:
    """The word lists of ``data/web_noise.toml``."""
    with _DATA.open("rb") as handle:
        data = tomllib.load(handle)
    return {key: tuple(value) for key, value in data.items()}


def ends_paragraph(text: str) -> bool:
    """True when ``text`` ends with sentence punctuation or a closing bracket (quotes skipped)."""
    bare = text.rstrip(_QUOTES) or text
    return bare[-1] in _STOP or text[-1] in _CLOSING


def starts_paragraph(text: str) -> bool:
    """True when ``text`` starts with a heading or list marker of the structure grammar."""
    return line_marker(text) is not None


def repair_lines(lines: list[Line]) -> list[Line]:
    """Re-join what the source cut apart: PDF stray spaces and hard wraps, flattened table
    cells, lone numbers and wrapped titles. ``lines`` are the kept lines, in order."""
    lines = repair_pdf_text(lines)
    lines = join_cut_numbers(lines)
    lines = join_table_cells(lines)
    lines = join_lone_numbers(lines)
    return join_wrapped_titles(lines)


# ---------------------------------------------------------------------------------------------
# Flattened tables and lone numbers

_NUMBER = r"[<>≤≥＜＞约近超]?\d+(?:[.,]\d+)*\s*(?:%|％|‰|[\u4e00-\u9fff]{1,4})?"
_NUMBER_LINE = re.compile(_NUMBER)
_ROW_NUMBER = re.compile(r"\d{1,3}")
_SENTENCE = "sentence"  # join the way text of one sentence is joined (``_joiner``)
_BLANK_CELLS = frozenset({"—", "-", "–", "/", "／", "——"})
_MAX_CELL = 30
_SHORT_CELL = 12
_MIN_TABLE_CELLS = 6


def _is_number(text: str) -> bool:
    return len(text) <= 16 and _NUMBER_LINE.fullmatch(text) is not None


def _is_cell(text: str) -> bool:
    """Short, no sentence in it, no marker; a closing bracket may end it (外滩·中央（179街坊）)."""
    if len(text) > _MAX_CELL or any(ch in _SENTENCE_MARKS for ch in text) or text[-1] in _STOP:
        return False
    return not starts_paragraph(text)


def join_table_cells(lines: list[Line]) -> list[Line]:
    """Join a run of 6+ very short lines holding 2+ numbers (a table flattened one cell per
    line) into one line, cells separated by tabs."""
    out: list[Line] = []
    run: list[Line] = []

    def flush() -> None:
        numbers = sum(1 for cell in run if _is_number(cell.text) or cell.text in _BLANK_CELLS)
        short = sum(1 for cell in run if len(cell.text) <= _SHORT_CELL)
        if len(run) >= _MIN_TABLE_CELLS and numbers >= 2 and 2 * short >= len(run):
            out.append(Line(run[0].no, "\t".join(cell.text for cell in run), run[0].blank_before))
        else:
            out.extend(run)
        run.clear()

    for line in lines:
        if _is_cell(line.text):
            run.append(line)
        else:
            flush()
            out.append(line)
    flush()
    return out


_DIGITS = re.compile(r"\d{1,8}(?:[.:~～\-]\d{1,8})?")
_UNIT_START = frozenset("年月日号〕]）)%％万亿")
_OPENING = frozenset("（(〔[［")
_ITEM_MARK = frozenset("．.、")


def join_cut_numbers(lines: list[Line]) -> list[Line]:
    """Web captures that put every run of digits on its own line (2021 / 年 / 2 / 月 / 2 / 日,
    津工信〔 / 2021 / 〕 / 3 / 号): a digits-only line whose next line starts with what only
    follows a number (年 月 日 号 〕 ） %) is joined to that line, and to the line before it
    when that line goes on (no sentence end) or opens a bracket. A flattened table never
    splits 年 or 号 from its number, so its cells are left to ``join_table_cells``."""
    out: list[tuple[Line, list[str]]] = []
    glue = False  # the last line is a number cut from this one
    for k, line in enumerate(lines):
        text = line.text
        if glue and (text[0] in _UNIT_START or text[0] in _ITEM_MARK):
            out[-1][1].append(text)
            glue = False
            continue
        glue = False
        following = lines[k + 1].text if k + 1 < len(lines) else ""
        if len(text) <= 2 and text.isdigit() and following[:1] in _ITEM_MARK:
            glue = True  # an item number cut from its mark: 3 / ．加强保护 → 3．加强保护
            out.append((line, [text]))
            continue
        if _DIGITS.fullmatch(text) and following and following[0] in _UNIT_START:
            glue = True
            if out:
                last = out[-1][1][-1]
                goes_on = last[-1] in _OPENING or last.endswith(("〕", "]"))  # 〔2030〕 / 12 / 号
                in_sentence = not ends_paragraph(last) and "\t" not in last and not _is_heading(last)
                if goes_on or in_sentence:
                    out[-1][1].append(text)
                    continue
        out.append((line, [text]))
    return [_merged(first, pieces) for first, pieces in out]


def _is_heading(text: str) -> bool:
    return starts_paragraph(text) and len(text) <= 30


def join_lone_numbers(lines: list[Line]) -> list[Line]:
    """A number (or number + unit) alone on a line inside a sentence — the line before it does
    not end a sentence — is joined to that line and to the line after it. A row number alone
    after a finished paragraph (a table row: 7 / its text) is joined to its row with a tab."""
    out: list[tuple[Line, list[str]]] = []
    glue: str | None = None  # how the next line joins the last one: _SENTENCE, "\t" or not at all
    for line in lines:
        if glue is not None and not starts_paragraph(line.text):
            pieces = out[-1][1]
            pieces.append((_joiner(pieces[-1], line.text) if glue == _SENTENCE else glue) + line.text)
            glue = None
            continue
        glue = None
        if out and _is_number(line.text):
            prev, pieces = out[-1]
            in_sentence = not ends_paragraph(pieces[-1]) and "\t" not in pieces[-1]  # not after a row
            if in_sentence and not (len(pieces) == 1 and _is_heading(prev.text)):
                pieces.append(_joiner(pieces[-1], line.text) + line.text)
                glue = _SENTENCE
                continue
        if _ROW_NUMBER.fullmatch(line.text):
            glue = "\t"
        out.append((line, [line.text]))
    return [_merged(first, pieces) for first, pieces in out]


def _merged(first: Line, pieces: list[str]) -> Line:
    return first if len(pieces) == 1 else Line(first.no, "".join(pieces), first.blank_before)


# ---------------------------------------------------------------------------------------------
# PDF text: stray spaces and hard wraps

_FULL_LINE_SHARE = 0.8  # a line shorter than this share of a full line ends its paragraph
_MIN_JOINED_LINE = 40  # in PDF text already joined per page, shorter lines are headings/titles
# ... unless they hold a finished sentence: a heading or title never does
_LONG_LINE = 60


def has_pdf_join_spaces(lines: list[Line]) -> bool:
    """Text whose PDF lines were joined with a space: most long lines hold 2+ single spaces
    between CJK characters, about one per printed line width (one per <= 60 characters)."""
    long_lines = [line.text for line in lines if len(line.text) >= _LONG_LINE]
    counts = [len(_STRAY_SPACE.findall(text)) for text in long_lines]
    spaced = sum(1 for count in counts if count >= 2)
    chars = sum(len(text) for text in long_lines)
    return spaced >= 3 and 2 * spaced >= len(long_lines) and sum(counts) * _LONG_LINE >= chars


def is_hard_wrapped(lines: list[Line]) -> bool:
    """Text printed at a fixed width: many lines of about the full width end mid-sentence."""
    width = _typical_width([line.text for line in lines])
    if len(lines) < 6 or width < 20:
        return False
    wrapped = sum(
        1
        for line in lines
        if _FULL_LINE_SHARE * width <= len(line.text) <= 1.15 * width + 1
        and not ends_paragraph(line.text)
        and "\t" not in line.text
    )
    return wrapped >= 5 and wrapped * 100 >= 35 * len(lines)


def repair_pdf_text(lines: list[Line]) -> list[Line]:
    """Remove stray spaces and re-join hard-wrapped lines, in documents showing the pattern."""
    pdf_spaces, wrapped = has_pdf_join_spaces(lines), is_hard_wrapped(lines)
    if (pdf_spaces or wrapped) and 10 * sum(line.blank_before for line in lines) >= 9 * len(lines):
        # a blank line after every line (double-spaced text) says nothing about paragraphs
        lines = [Line(line.no, line.text) for line in lines]
    if pdf_spaces:
        lines = [Line(line.no, _STRAY_SPACE.sub("", line.text), line.blank_before) for line in lines]
        return _join_wrapped(lines, _MIN_JOINED_LINE, sentence_inside=True)
    if wrapped:
        return _join_wrapped(lines, _FULL_LINE_SHARE * _typical_width([line.text for line in lines]))
    return lines


def join_wrapped_lines(text: str) -> str:
    """Re-join lines that a PDF hard-wrapped inside a paragraph; one paragraph per line out.

    PDF text comes out one printed line per line, so a sentence is cut wherever the margin fell.
    A line is joined to the next one unless
    - it ends with sentence punctuation (。；！？：…, or ASCII ; ! ? : .) or a closing bracket
      (）)]】」』〕〉》), or
    - the next line starts with a heading or list marker (``grammar.line_marker``: 一、 /
      （一） / 1. / （1） / —— / 第一章 / 第三条 …; ``1.5亿元`` is a number, not a marker), or
    - it is clearly shorter than a full printed line (< 80% of the typical line width): a
      wrapped line runs to the margin, while headings, titles, table rows and signatures stop
      short — without this a heading would swallow the paragraph under it, or
    - a blank line follows it (a paragraph break).
    Two words of Latin text are joined with a space; Chinese text and numbers with nothing.
    """
    lines: list[Line] = []
    blank = False
    for no, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        stripped = raw.strip()
        if stripped:
            lines.append(Line(no, stripped, blank))
        blank = not stripped
    width = _typical_width([line.text for line in lines])
    return "\n".join(line.text for line in _join_wrapped(lines, _FULL_LINE_SHARE * width))


def _join_wrapped(lines: list[Line], min_length: float, sentence_inside: bool = False) -> list[Line]:
    """Join each line to the one before it when that one ran on: it is at least ``min_length``
    long (or, with ``sentence_inside``, it already holds a finished sentence)."""
    out: list[tuple[Line, list[str]]] = []
    for line in lines:
        last = out[-1][1][-1] if out else ""
        finished_sentence = sentence_inside and any(ch in _SENTENCE_MARKS for ch in last)
        long_enough = len(last) >= min_length or finished_sentence
        if out and not line.blank_before and long_enough and _continues(last, line.text):
            pieces = out[-1][1]
            pieces.append(_joiner(pieces[-1], line.text) + line.text)  # the last physical line
        else:
            out.append((line, [line.text]))
    return [_merged(first, pieces) for first, pieces in out]


def _continues(last: str, following: str) -> bool:
    """``following`` goes on with ``last``'s paragraph; a table row (tabs) is never wrapped."""
    if "\t" in last or "\t" in following:
        return False
    return not ends_paragraph(last) and not starts_paragraph(following)


def _typical_width(texts: list[str]) -> int:
    """Length of a full printed line: the longest line, or the 90th percentile once there are
    enough lines for a stray long one (a merged table row) to be an outlier."""
    lengths = sorted(len(text) for text in texts if text)
    if len(lengths) < 10:
        return lengths[-1] if lengths else 0
    return lengths[int(0.9 * (len(lengths) - 1))]


def _joiner(last: str, following: str) -> str:
    """A space between two words of Latin text; nothing in Chinese, nor inside a number."""
    left, right = last[-1], following[0]
    words = left.isascii() and right.isascii() and left.isalnum() and right.isalnum()
    if not words or (left.isdigit() and right.isdigit()) or _CJK.search(last):
        return ""
    return " "


# ---------------------------------------------------------------------------------------------
# Titles wrapped over two or three lines

_MAX_TITLE_LINE = 40
_DATE_END = re.compile(r"[\d年月日号]$")  # a date or number line is not the start of a title


def join_wrapped_titles(lines: list[Line]) -> list[Line]:
    """Join a title wrapped over 2-3 short lines: no line ends a sentence or starts with a
    marker, and only the last ends with a document type (通知 / 意见 / 条例 / 办法 …)."""
    types = noise_words()["document_types"]
    out: list[Line] = []
    i = 0
    while i < len(lines):
        span = _title_span(lines, i, types)
        parts = lines[i : i + span]
        text = parts[0].text
        for part in parts[1:]:
            text += _joiner(text, part.text) + part.text
        out.append(parts[0] if span == 1 else Line(parts[0].no, text, parts[0].blank_before))
        i += span
    return out


def _title_part(text: str) -> bool:
    return len(text) <= _MAX_TITLE_LINE and not ends_paragraph(text) and not starts_paragraph(text)


def _title_span(lines: list[Line], i: int, types: tuple[str, ...]) -> int:
    """How many lines from ``i`` make one wrapped title (1 when none)."""
    first = lines[i].text
    if len(first) < 8 or not _title_part(first) or first.endswith(types) or _DATE_END.search(first):
        return 1
    for span in (2, 3):
        if i + span > len(lines):
            return 1
        part = lines[i + span - 1].text
        if not _title_part(part) or part.startswith("关于"):  # a title starting on its own line
            return 1
        if part.endswith(types):
            return span
        if _DATE_END.search(part):  # a signature's date: what follows is a new title
            return 1
    return 1
