"""Answer sentences: which sentences of a chunk are whole statements, and their vectors.

An answer item must be a complete statement from a plan — never a unit list such as
（办公室） or （责任单位：…）, a heading alone (（二）加强组织领导。), a plan's title
line or a fragment; the heading path and task title are shown apart, as the item's context.

The spans and their vectors are computed when the index is built and stored beside it
(``sentences.npz``; vectors content-hash cached like chunk vectors), so answering a question
embeds nothing but the question. An index built before they were stored gets the spans from
its chunks and embeds sentences on first use, memoised on the store — which belongs to one
engine and goes away with it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from ..data import DATA_DIR
from ..ingest.grammar import FAMILY, ITEM_FAMILIES, match_at
from ..ingest.grammar import sentences as split_sentences
from ..records import Chunk
from ..settings import Settings

SENTENCES_FILE = "sentences.npz"
MIN_STATEMENT_CHARS = 8  # fewer letters, digits or CJK characters than this is a fragment
_WORD = re.compile(r"[\w\u4e00-\u9fff]")
_END = "。；！？!?;."
_ASIDE = re.compile(r"[（(][^（）()]*[）)]")  # a whole sentence in brackets: a unit list or an aside
_UNIT_LABEL = re.compile(r"(?:责任|牵头|配合|主办|协办|参与)单位[:：]")
_DOC_TITLE = re.compile(r"^关于印发.*的通知$")
_SIGNATURE = re.compile(
    r"(?:\d{4}|[〇零一二三四五六七八九]{4})年\d{1,2}月\d{1,2}日(?:印发|发布)?$|(?:\d{4}|[〇零一二三四五六七八九]{4})年[一二三四五六七八九十\d]{1,3}月[一二三四五六七八九十\d]{1,3}日(?:印发|发布)?$"
)
_PURPOSE = re.compile(r"^(?:为了?|根据|按照|依据|经).*(?:如下|通知|通告|公告|方案|安排)$")
_NOTICE_TYPES = ("提示", "公开信", "倡议书", "告知书", "一封信", "须知", "问答", "指引")  # notice titles
_COVERING = re.compile(r"现(?:印发|转发)给你们|请(?:认真)?(?:遵照|贯彻)?执行$|请结合实际认真贯彻落实$")
MAX_HEADING_CHARS = 30  # a heading or lead-in line is at most this long (statement spans, build time)


@lru_cache(maxsize=1)
def _doc_types() -> tuple[str, ...]:
    """Words a document title ends with (通知, 工作要点 …), from data/doc_types.txt."""
    lines = (DATA_DIR / "doc_types.txt").read_text(encoding="utf-8")
    return tuple(w for line in lines.splitlines() if not line.startswith("#") for w in line.split())


def _strip_marker(text: str, start: int, end: int) -> int:
    """Where the statement starts once leading list markers (（二）, 11., ——) are skipped."""
    while True:
        marker = match_at(text, start, ITEM_FAMILIES)
        if marker is None or marker.end >= end:
            return start
        start = marker.end
        while start < end and text[start].isspace():
            start += 1


def fragment_reason(
    sentence: str, chunk: Chunk, had_marker: bool = False, last: bool = False, first_line: bool = False
) -> str:
    """Why ``sentence`` (a span of ``chunk``'s text) is not a whole statement; "" when it is.

    ``had_marker``: a list marker was cut off its start; ``last``: nothing follows it in the chunk
    (a closing line without a full stop is a statement, a line followed by text is a heading);
    ``first_line``: it opens its document (a line without a sentence end there is the title)."""
    body = sentence.strip().rstrip(_END + "：:，, ").strip()
    words = len(_WORD.findall(body))
    if words < MIN_STATEMENT_CHARS:
        return "fragment"
    if _ASIDE.fullmatch(body) or _UNIT_LABEL.search(body):
        return "unit list"
    headings = {h.strip().rstrip(_END) for h in (chunk.title, *chunk.section) if h}
    if body in headings and words <= MAX_HEADING_CHARS and not last:  # a task's title, then its text
        return "heading"
    title = chunk.plan_title
    if title and (body == title or (title in body and words - len(_WORD.findall(title)) <= 6)):
        return "title line"
    unended = not sentence.rstrip().endswith(tuple(_END))
    no_comma = not any(p in body for p in "，,；;")
    if _DOC_TITLE.match(body) or (unended and no_comma and body.endswith(_doc_types() + _NOTICE_TYPES)):
        return "title line"
    if unended and first_line and "\n" in chunk.text:
        return "title line"
    if _COVERING.search(body):
        return "covering note"  # …现印发给你们，请认真贯彻执行
    if unended and (_SIGNATURE.search(body) or body.startswith(("附件", "附:", "附："))):
        return "signature"  # 某某办公室2021年3月1日印发 / 附件：1.…
    if sentence.rstrip().endswith(("：", ":")) and (words <= MAX_HEADING_CHARS or _PURPOSE.match(body)):
        return "lead-in"  # 各区县知识产权局、各有关单位： / 为…，现将有关事项通知如下：
    has_clause = any(p in body for p in "，,、：:")
    if not has_clause and words <= 20 and (had_marker or (unended and not last)):
        return "heading"  # a short numbered line, or a line without a sentence end
    return ""


def statement_spans(chunk: Chunk) -> list[tuple[int, int]]:
    """Spans of ``chunk.text`` that are whole statements (a leading list marker such as （1） stays
    with its statement; a marker followed by a heading alone is not a statement)."""
    out = []
    text = chunk.text
    end = len(text.rstrip())
    for s, e in split_sentences(text):
        while s < e and text[s] in "、，,；;":  # a stray separator left at the start
            s += 1
        start = _strip_marker(text, s, e)
        first_line = chunk.start == 0 and not text[:s].strip()
        if not fragment_reason(text[start:e], chunk, start > s, last=e >= end, first_line=first_line):
            out.append((s, e))
    return out


_COLON = re.compile(r"[：:]\s*")


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def list_run(text: str, start: int, end: int, settings: Settings | None = None) -> tuple[int, int] | None:
    """The whole short list (1. … 2. … 3. …) the statement at ``start``–``end`` is an item of, as
    one span from its first item to the end of its last; None when it is not in such a list.

    An item runs from its marker to the next item's marker (the last one to its line's end), on
    one line; every item is at most ``answer_list_item_chars`` and the list ``answer_list_chars``
    long (``settings``), so a list answer (申报方式 1. … 2. … 3. …) is returned whole."""
    cfg = settings or Settings()
    # items open a sentence, or follow the colon of a lead-in (须知如下：（1）…； （2）…)
    starts = [s for s, _ in split_sentences(text)]
    starts += [c.end() for c in _COLON.finditer(text)]
    marks = [(s, m) for s in sorted(set(starts)) if (m := match_at(text, s, ITEM_FAMILIES)) is not None]
    owner = next((k for k in range(len(marks) - 1, -1, -1) if marks[k][0] < end), None)
    if owner is None:
        return None
    family, number = marks[owner][1].family, marks[owner][1].number

    def sibling(k: int, step: int) -> int | None:
        """The next (step 1) or previous (step -1) item of the same list, if any."""
        j = k + step
        while 0 <= j < len(marks):
            m = marks[j][1]
            if m.family == family and (m.number == 0 or m.number == marks[k][1].number + step):
                return j
            if m.rank <= FAMILY[family].rank:  # a higher heading or a new list ends it
                return None
            j += step
        return None

    first = last = owner
    while number != 1 and (prev := sibling(first, -1)) is not None:
        first, number = prev, marks[prev][1].number
    while (nxt := sibling(last, 1)) is not None:
        last = nxt
    if first == last:
        return None
    last_end = _line_end(text, marks[last][0])
    bounds = [marks[k][0] for k in range(first, last + 1)] + [last_end]
    if any("\n" in text[a:b].strip() for a, b in pairwise(bounds)):
        return None  # an item over several lines is a section with its own text, not a list item
    if any(m.family != family for p, m in marks if bounds[0] <= p < last_end):
        return None  # items with lists of their own are sections, not a short list
    if any(b - a > cfg.answer_list_item_chars for a, b in pairwise(bounds)):
        return None
    run_end = len(text[: bounds[-1]].rstrip())
    first_start = min(start, bounds[0])  # a lead-in sentence that opens the list stays with it
    if run_end - first_start > cfg.answer_list_chars or run_end < end:
        return None
    return first_start, run_end


_LABEL_LINE = re.compile(r"\s*[\w\u4e00-\u9fff（）() ]{1,8}[：:]\s*\S")  # 联系人：某某 / 电话：…


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def label_block(text: str, start: int, end: int, settings: Settings | None = None) -> tuple[int, int] | None:
    """Consecutive short ``label：value`` lines (联系人 / 电话 / 地址 on three lines) around the
    statement, as one span; a line broken inside its label (地 / 址：…) stays with its block.
    Lines at most ``answer_label_line_chars``, the block at most ``answer_paragraph_chars``."""
    cfg = settings or Settings()
    max_line = cfg.answer_label_line_chars
    ls, le = _line_start(text, start), _line_end(text, end)
    if not _LABEL_LINE.match(text[ls:le]) or le - ls > max_line:
        return None
    first, last = ls, le
    while first > 0:
        prev = _line_start(text, first - 1)
        line = text[prev : first - 1]
        if not _LABEL_LINE.match(line) or len(line) > max_line:
            break
        first = prev
    while last < len(text):
        nxt = _line_end(text, last + 1)
        line = text[last + 1 : nxt]
        short = len(line.strip()) <= 2 and nxt < len(text)  # 地 / 址：… split over two lines
        if not (short or _LABEL_LINE.match(line)) or len(line) > max_line:
            break
        last = nxt
    if (first, last) == (ls, le) or last - first > cfg.answer_paragraph_chars:
        return None
    return first, len(text[:last].rstrip())


def paragraph(
    text: str,
    start: int,
    end: int,
    statements: Sequence[tuple[int, int]],
    settings: Settings | None = None,
) -> tuple[int, int]:
    """The statement's paragraph: the whole statements next to it on its line (nothing but spaces
    between them), with a short heading (``answer_heading_chars``) that opens the line
    (三、培育高价值专利。) or stands on the line right above (二、强化专利导航), at most
    ``answer_paragraph_chars`` long (``settings``); else the statement."""
    cfg = settings or Settings()
    max_chars, max_heading = cfg.answer_paragraph_chars, cfg.answer_heading_chars
    k = next((n for n, (s, _) in enumerate(statements) if s == start), None)
    if k is None:
        return start, end
    first = last = k
    while first > 0 and not text[statements[first - 1][1] : statements[first][0]].strip():
        first -= 1
    while last + 1 < len(statements) and not text[statements[last][1] : statements[last + 1][0]].strip():
        last += 1
    ps, pe = statements[first][0], statements[last][1]
    if pe - ps > max_chars:
        ps, pe = statements[first][0], end
        if pe - ps > max_chars:
            return start, end
    ls = _line_start(text, ps)
    lead = text[ls:ps].strip()
    if lead and (len(lead) > max_heading or _UNIT_LABEL.search(lead)):
        return ps, pe
    if lead:  # 三、培育高价值专利。支持企业…: the line's own heading opens the answer (no marker)
        return _strip_marker(text, ls + text[ls:].index(lead[0]), pe), pe
    if ls > 0:
        hs = _line_start(text, ls - 1)
        heading = text[hs : ls - 1].strip()
        marked = match_at(heading, 0) is not None
        short = len(heading) <= max_heading and pe - hs <= max_chars
        # not a unit list, an addressee (各区县知识产权局：) or the document's title (关于…的通知)
        addressee = heading.endswith(("：", ":"))
        plain = not (addressee or _UNIT_LABEL.search(heading) or _DOC_TITLE.match(heading))
        plain = plain and (marked or not heading.endswith(_doc_types() + _NOTICE_TYPES))
        if heading and short and plain and (marked or not heading.endswith(tuple(_END))):
            return _strip_marker(text, hs + text[hs:].index(heading[0]), pe), pe
    return ps, pe


def answer_span(
    text: str,
    start: int,
    end: int,
    statements: Sequence[tuple[int, int]] = (),
    settings: Settings | None = None,
) -> tuple[int, int]:
    """The span an answer item quotes for the statement ``start``–``end`` of ``text`` (one of the
    chunk's ``statements``): the whole list when it is one item of a short list; the whole block of
    short ``label：value`` lines; else its paragraph of whole statements (with its heading); never
    with a unit list (（责任单位：…）) inside. Length limits: ``settings`` (the engine's), else the
    defaults."""
    for whole in (list_run, label_block):
        span = whole(text, start, end, settings)
        if span is not None and not _UNIT_LABEL.search(text[span[0] : span[1]]):
            return span
    return paragraph(text, start, end, statements, settings)


class SentenceStore:
    """Statement spans of every chunk of one index and (when built) their vectors."""

    _lock = threading.Lock()

    def __init__(self, chunk_rows: np.ndarray, starts: np.ndarray, ends: np.ndarray, vectors: Any) -> None:
        self.chunk_rows = chunk_rows.astype(np.int64)
        self.starts = starts.astype(np.int64)
        self.ends = ends.astype(np.int64)
        self.vectors: np.ndarray | None = vectors
        self._memo: dict[int, np.ndarray] = {}  # vectors embedded on first use (older indexes)
        bounds = np.searchsorted(self.chunk_rows, np.arange(int(self.chunk_rows.max(initial=-1)) + 2))
        self._bounds = bounds

    @classmethod
    def from_chunks(cls, chunks: Sequence[Chunk]) -> SentenceStore:
        rows, starts, ends = [], [], []
        for i, chunk in enumerate(chunks):
            for s, e in statement_spans(chunk):
                rows.append(i)
                starts.append(s)
                ends.append(e)
        return cls(np.array(rows, np.int64), np.array(starts, np.int64), np.array(ends, np.int64), None)

    def __len__(self) -> int:
        return len(self.starts)

    def rows_of(self, chunk_row: int) -> range:
        """Store rows of one chunk's statements, in text order."""
        if chunk_row + 1 >= len(self._bounds):
            return range(0)
        return range(int(self._bounds[chunk_row]), int(self._bounds[chunk_row + 1]))

    def vectors_of(self, rows: Sequence[int], texts: Sequence[str], encoder: Any) -> np.ndarray:
        """Vectors of the given rows; stored ones are read, missing ones embedded and memoised."""
        if self.vectors is not None:
            return self.vectors[np.asarray(rows, dtype=np.int64)]
        missing = [(r, t) for r, t in zip(rows, texts) if r not in self._memo]
        if missing:
            vecs = encoder.encode_passages([t for _, t in missing])
            with self._lock:
                self._memo.update({r: np.asarray(v, np.float32) for (r, _), v in zip(missing, vecs)})
        return np.stack([self._memo[r] for r in rows])

    def save(self, folder: Path) -> None:
        vectors = self.vectors if self.vectors is not None else np.zeros((0, 0), np.float32)
        with open(folder / SENTENCES_FILE, "wb") as fh:
            np.savez(fh, chunks=self.chunk_rows, starts=self.starts, ends=self.ends, vectors=vectors)

    @classmethod
    def load(cls, folder: Path, n_chunks: int) -> SentenceStore | None:
        """The stored store, or None when absent or not matching the chunks (older index)."""
        try:
            with np.load(folder / SENTENCES_FILE) as data:
                rows, starts, ends = data["chunks"], data["starts"], data["ends"]
                vectors = data["vectors"].astype(np.float32)
        except (OSError, ValueError, KeyError):
            return None
        if len(vectors) != len(starts) or (len(rows) and int(rows.max()) >= n_chunks):
            return None
        return cls(rows, starts, ends, vectors)


def build_sentences(
    chunks: Sequence[Chunk],
    encoder: Any,
    cache_dir: Path,
    batch_size: int,
    embed: Callable[..., Any],
    text_key: Callable[[str, str], str],
) -> tuple[SentenceStore, int]:
    """Statement spans of ``chunks`` with their vectors, embedding only text not in the cache;
    also how many sentences had to be embedded."""
    from ..store.index import VectorCache

    store = SentenceStore.from_chunks(chunks)
    texts = [chunks[int(r)].text[s:e] for r, s, e in zip(store.chunk_rows, store.starts, store.ends)]
    keys = [text_key(encoder.name, t) for t in texts]
    cache = VectorCache(cache_dir)
    cached = cache.load()
    missing = [i for i, k in enumerate(dict.fromkeys(keys)) if k not in cached]
    unique = list(dict.fromkeys(keys))
    todo = [unique[i] for i in missing]
    key_text = dict(zip(keys, texts))
    new_keys: list[str] = []
    new_vecs: list[np.ndarray] = []
    for start, vecs in embed(encoder, [key_text[k] for k in todo], batch_size, False):
        for j, vec in enumerate(vecs):
            cached[todo[start + j]] = vec
            new_keys.append(todo[start + j])
            new_vecs.append(np.asarray(vec, np.float32))
    if new_keys:
        cache.add(new_keys, np.stack(new_vecs))
    dim = encoder.dim
    store.vectors = (
        np.stack([cached[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, dim), np.float32)
    )
    if len(cached) > 2 * max(len(unique), 1):
        cache.compact({k: cached[k] for k in unique})
    return store, len(todo)
