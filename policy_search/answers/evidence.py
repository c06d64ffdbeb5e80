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
from pathlib import Path
from typing import Any

import numpy as np

from ..data import DATA_DIR
from ..ingest.grammar import ITEM_FAMILIES, match_at
from ..ingest.grammar import sentences as split_sentences
from ..records import Chunk

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
MAX_HEADING_CHARS = 30  # a heading or lead-in line is at most this long


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
