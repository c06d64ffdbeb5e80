"""Pure helpers for the Streamlit search page (``app.py``): no Streamlit import here.

Everything the page shows or exports is built here so it can be unit-tested without a
browser: the search state and its URL form, filter options and "what each filter removed",
a search wrapper that never raises, highlighting (escape first, then mark), result cards,
the section context view, CSV / JSON export and citation lines.

Safety rule: every piece of corpus or user text goes through ``html.escape`` before any
markup is added; markup is only ever produced by this module.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from ..records import Chunk
from ..search.retrieval import MAX_QUERY_CHARS, MODES, Filters, Hit, clean_query, period_range
from . import manage as manage
from .corpus_rows import DEFAULT_TIMEZONE as DEFAULT_TIMEZONE
from .corpus_rows import document_rows as document_rows
from .corpus_rows import document_table_html as document_table_html
from .corpus_rows import format_built_at as format_built_at
from .corpus_rows import page_timezone as page_timezone
from .corpus_rows import provenance_html as provenance_html
from .corpus_rows import provenance_rows as provenance_rows
from .document_view import document_html as document_html
from .messages import _cell as _cell
from .messages import display_path as display_path
from .messages import markdown_escape, plain_text
from .messages import message as message
from .messages import reason_zh as reason_zh

log = logging.getLogger(__name__)

# ------------------------------------------------------------------ labels

MODE_LABELS = {"hybrid": "智能混合", "dense": "语义", "keyword": "关键词"}
K_CHOICES = (5, 10, 20, 30, 50)
DEFAULT_K = 10
EXAMPLES = (
    "知识产权质押融资目标",
    "专利申请量目标",
    "知识产权执法维权",
    "知识产权人才培养",
    "高价值专利培育",
    "山东 2015 专利导航",
)
PLACEHOLDER = f"例如：{EXAMPLES[0]}"
LEVEL_ORDER = ("国家", "省", "市", "区县")
FILTER_LABELS = {
    "regions": "地区",
    "levels": "层级",
    "years": "年份",
    "doc_ids": "规划",
    "unit": "责任单位",
    "has_target": "只看量化目标",
}

# ------------------------------------------------------------------ search state <-> URL


@dataclass(frozen=True)
class SearchState:
    """Everything that defines one search; what the URL carries so a search can be shared."""

    query: str = ""
    mode: str = "hybrid"
    k: int = DEFAULT_K
    regions: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    doc_ids: tuple[str, ...] = ()
    unit: str = ""
    has_target: bool = False

    def filters(self) -> Filters:
        return Filters(
            regions=self.regions,
            levels=self.levels,
            year_min=self.year_min,
            year_max=self.year_max,
            doc_ids=self.doc_ids,
            unit=self.unit,
            has_target=self.has_target,
        )


def _last(value: str | Sequence[str] | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value[-1] if value else ""


MAX_URL_VALUES = 50  # values per URL filter parameter; more is no real search, only load
MAX_URL_PARAM_CHARS = 4_000  # characters read of one parameter


def _all(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """ "a,b" and repeated keys both work; order kept, duplicates and blanks dropped, at most
    ``MAX_URL_VALUES`` values from at most ``MAX_URL_PARAM_CHARS`` characters each."""
    if value is None:
        return ()
    values = [value] if isinstance(value, str) else list(value)[:MAX_URL_VALUES]
    out: dict[str, None] = {}
    for v in values:
        for part in str(v)[:MAX_URL_PARAM_CHARS].split(",", MAX_URL_VALUES):
            part = plain_text(part, 200)
            if part:
                out.setdefault(part, None)
            if len(out) >= MAX_URL_VALUES:
                return tuple(out)
    return tuple(out)


def _int(value: str) -> int | None:
    value = value.strip()
    if not re.fullmatch(r"-?\d{1,6}", value):
        return None
    return int(value)


def state_to_params(state: SearchState) -> dict[str, str | list[str]]:
    """URL query parameters for ``state``; defaults are left out so links stay short."""
    params: dict[str, str | list[str]] = {}
    query = plain_text(state.query)
    if query:
        params["q"] = query
    if state.mode != "hybrid":
        params["mode"] = state.mode
    if state.k != DEFAULT_K:
        params["k"] = str(state.k)
    if state.regions:
        params["region"] = list(state.regions)
    if state.levels:
        params["level"] = list(state.levels)
    if state.year_min is not None:
        params["from"] = str(state.year_min)
    if state.year_max is not None:
        params["to"] = str(state.year_max)
    if state.doc_ids:
        params["plan"] = list(state.doc_ids)
    if state.unit:
        params["unit"] = state.unit
    if state.has_target:
        params["target"] = "1"
    return params


def params_key(params: Mapping[str, str | Sequence[str]]) -> str:
    """One string per set of URL parameters (a value and a one-element list are the same)."""
    items = {k: [v] if isinstance(v, str) else list(v) for k, v in params.items()}
    return json.dumps(sorted(items.items()), ensure_ascii=False)


def state_from_params(params: Mapping[str, str | Sequence[str]]) -> SearchState:
    """Parse URL parameters; anything malformed falls back to its default, never raises."""
    mode = _last(params.get("mode")).strip().lower()
    k = _int(_last(params.get("k")))
    y0, y1 = _int(_last(params.get("from"))), _int(_last(params.get("to")))
    if y0 is not None and y1 is not None and y0 > y1:
        y0, y1 = y1, y0
    target = _last(params.get("target")).strip().lower()
    return SearchState(
        query=plain_text(_last(params.get("q"))),
        mode=mode if mode in MODES else "hybrid",
        k=min(max(k, 1), max(K_CHOICES)) if k is not None else DEFAULT_K,
        regions=_all(params.get("region")),
        levels=_all(params.get("level")),
        year_min=y0,
        year_max=y1,
        doc_ids=_all(params.get("plan")),
        unit=clean_query(_last(params.get("unit")))[:100],
        has_target=target in ("1", "true", "yes", "on"),
    )


# ------------------------------------------------------------------ filter options


@dataclass(frozen=True)
class FilterOptions:
    """The values the sidebar offers, taken from the indexed chunks."""

    regions: tuple[str, ...]
    levels: tuple[str, ...]
    year_span: tuple[int, int] | None
    plans: dict[str, str]  # doc_id → plan title, in index order
    units: tuple[str, ...]  # most frequent first


def filter_options(chunks: Iterable[Chunk]) -> FilterOptions:
    regions: dict[str, None] = {}
    levels: set[str] = set()
    plans: dict[str, str] = {}
    unit_counts: dict[str, int] = {}
    years: list[int] = []
    for c in chunks:
        if c.region:
            regions[c.region] = None
        if c.level:
            levels.add(c.level)
        plans.setdefault(c.doc_id, c.plan_title or c.doc_id)
        for u in c.units:
            unit_counts[u] = unit_counts.get(u, 0) + 1
        first, last = period_range(c)
        if first is not None:
            years += [first, last]
    order = {lv: i for i, lv in enumerate(LEVEL_ORDER)}
    return FilterOptions(
        regions=tuple(sorted(regions, key=lambda r: (r != "全国", r))),
        levels=tuple(sorted(levels, key=lambda lv: (order.get(lv, 99), lv))),
        year_span=(min(years), max(years)) if years else None,
        plans=plans,
        units=tuple(sorted(unit_counts, key=lambda u: (-unit_counts[u], u))),
    )


def restrict_state(state: SearchState, options: FilterOptions) -> SearchState:
    """Drop URL values the index does not know (so widgets never get invalid defaults)."""
    y0, y1 = state.year_min, state.year_max
    if options.year_span is None:
        y0 = y1 = None
    else:
        lo, hi = options.year_span
        y0 = None if y0 is None else min(max(y0, lo), hi)
        y1 = None if y1 is None else min(max(y1, lo), hi)
        if y0 == lo:
            y0 = None
        if y1 == hi:
            y1 = None
    k = state.k if state.k in K_CHOICES else min(K_CHOICES, key=lambda c: (abs(c - state.k), c))
    return replace(
        state,
        k=k,
        regions=tuple(r for r in state.regions if r in options.regions),
        levels=tuple(lv for lv in state.levels if lv in options.levels),
        doc_ids=tuple(d for d in state.doc_ids if d in options.plans),
        year_min=y0,
        year_max=y1,
    )


# ------------------------------------------------------------------ what each filter removed


def active_filters(filters: Filters) -> list[str]:
    """Names (keys of ``FILTER_LABELS``) of the filters that restrict anything."""
    active = []
    if filters.regions:
        active.append("regions")
    if filters.levels:
        active.append("levels")
    if filters.year_min is not None or filters.year_max is not None:
        active.append("years")
    if filters.doc_ids:
        active.append("doc_ids")
    if filters.unit:
        active.append("unit")
    if filters.has_target:
        active.append("has_target")
    return active


def _part_changes(name: str) -> dict[str, Any]:
    return {
        "regions": {"regions": ()},
        "levels": {"levels": ()},
        "years": {"year_min": None, "year_max": None},
        "doc_ids": {"doc_ids": ()},
        "unit": {"unit": ""},
        "has_target": {"has_target": False},
    }[name]


def without_filter(filters: Filters, name: str) -> Filters:
    return replace(filters, **_part_changes(name))


def only_filter(filters: Filters, name: str) -> Filters:
    kept = Filters()
    for field_name in _part_changes(name):
        kept = replace(kept, **{field_name: getattr(filters, field_name)})
    return kept


@dataclass(frozen=True)
class FilterEffect:
    name: str  # key of FILTER_LABELS, or "all"
    label: str
    removed: int  # hits of the search without this filter that this filter excludes


SearchFn = Callable[[str, int, str, Filters], list[Hit]]


def filter_effects(search: SearchFn, query: str, k: int, mode: str, filters: Filters) -> list[FilterEffect]:
    """For each active filter: run the search without it and count the hits it excludes.

    The last entry (``name="all"``) is the same for all filters together. Empty when no
    filter is active, so an unfiltered search costs no extra searches.
    """
    names = active_filters(filters)
    if not names or not clean_query(query):
        return []
    effects = []
    for name in names:
        hits = search(query, k, mode, without_filter(filters, name))
        part = only_filter(filters, name)
        removed = sum(not part.matches(h.chunk) for h in hits)
        effects.append(FilterEffect(name, FILTER_LABELS[name], removed))
    if len(names) > 1:
        hits = search(query, k, mode, Filters())
        effects.append(FilterEffect("all", "全部筛选", sum(not filters.matches(h.chunk) for h in hits)))
    return effects


# ------------------------------------------------------------------ safe search


@dataclass
class SearchOutcome:
    query: str  # the cleaned query actually searched
    hits: list[Hit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # shown as small notices (query cut …)
    error: str = ""  # a friendly message when the search failed


def query_notes(raw: str | None) -> list[str]:
    """Notes about how the raw query was cleaned (control characters, length cut)."""
    raw = raw or ""
    notes = []
    if any(unicodedata.category(ch)[0] == "C" and ch not in "\t\n\r" for ch in raw):
        notes.append("检索词中的控制字符已忽略。")
    flat = plain_text(raw, limit=len(raw))
    if len(flat) > MAX_QUERY_CHARS:
        notes.append(f"检索词过长（{len(flat):,} 字），只使用了前 {MAX_QUERY_CHARS:,} 字。")
    return notes


def run_search(search: SearchFn, state: SearchState) -> SearchOutcome:
    """Search for ``state``; never raises: failures become ``outcome.error``."""
    query = clean_query(state.query)
    outcome = SearchOutcome(query=query, notes=query_notes(state.query))
    if not query:
        return outcome
    try:
        outcome.hits = list(search(query, state.k, state.mode, state.filters()))
    except Exception as exc:  # the page must survive any input
        log.exception("search failed for %r", query[:200])
        outcome.error = f"检索时出错（{exc.__class__.__name__}），请换个检索词或稍后重试。"
    return outcome


# ------------------------------------------------------------------ query-vector cache


class CachedQueryEncoder:
    """Wraps an encoder so repeated queries (per-filter counts, reruns) are encoded once."""

    def __init__(self, encoder: Any, size: int = 512) -> None:
        self._encoder = encoder
        self._size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._encoder, name)

    def encode_queries(self, queries: Sequence[str]) -> np.ndarray:
        with self._lock:
            missing = [q for q in dict.fromkeys(queries) if q not in self._cache]
        if missing:
            vectors = np.asarray(self._encoder.encode_queries(missing), dtype=np.float32)
            with self._lock:
                for q, v in zip(missing, vectors):
                    self._cache[q] = v
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
        with self._lock:
            out = []
            for q in queries:
                if q not in self._cache:  # evicted by another thread meanwhile
                    self._cache[q] = np.asarray(self._encoder.encode_queries([q])[0], dtype=np.float32)
                self._cache.move_to_end(q)
                out.append(self._cache[q])
        return np.stack(out) if out else np.zeros((0, self._encoder.dim), np.float32)


# ------------------------------------------------------------------ highlighting


def common_terms(terms: Iterable[str], texts: Sequence[str], max_share: float = 0.6) -> frozenset[str]:
    """The terms found in more than ``max_share`` of ``texts`` (lower-cased chunk texts): 知识产权 …

    Marking those would colour nearly every line, so highlighting leaves them out.
    """
    if not texts:
        return frozenset()
    limit = max_share * len(texts)
    return frozenset(t for t in set(terms) if t and sum(t.lower() in x for x in texts) > limit)


def highlight_terms(terms: Sequence[str], common: Iterable[str] = ()) -> list[str]:
    """The matched terms worth marking: not the ``common`` ones, no lone characters, longest first.

    If every term would be dropped, all are kept so something is still marked.
    """
    terms = [t for t in dict.fromkeys(t for t in terms if t and t.strip())]
    if not terms:
        return []
    kept = [t for t in terms if len(t) > 1] or terms
    common = set(common)
    kept = [t for t in kept if t not in common] or kept
    return sorted(kept, key=lambda t: (-len(t), t))


def _spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Merged [start, end) spans of every (overlapping, case-insensitive) occurrence."""
    spans = []
    for term in terms:
        if not term:
            continue
        for m in re.finditer(f"(?=({re.escape(term)}))", text, re.IGNORECASE):
            spans.append((m.start(1), m.end(1)))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def render_text(text: str, terms: Iterable[str] = (), targets: Iterable[tuple[int, int]] = ()) -> str:
    """HTML for ``text``: escaped, matched terms in <mark>, target spans in <strong>.

    Works on runs of characters with the same marking, so overlapping terms and targets
    always give well-formed HTML, and markup never lands inside an escaped entity.
    """
    n = len(text)
    marked = [False] * (n + 1)
    target = [False] * (n + 1)
    for s, e in _spans(text, terms):
        for i in range(s, e):
            marked[i] = True
    for s, e in targets:
        for i in range(max(0, s), min(n, e)):
            target[i] = True
    out = []
    i = 0
    while i < n:
        j = i
        while j < n and marked[j] == marked[i] and target[j] == target[i]:
            j += 1
        piece = escape(text[i:j])
        if marked[i]:
            piece = f"<mark>{piece}</mark>"
        if target[i]:
            piece = f'<strong class="ps-tgt">{piece}</strong>'
        out.append(piece)
        i = j
    return "".join(out)


def highlight(text: str, terms: Iterable[str]) -> str:
    """Escape ``text`` and wrap each occurrence of ``terms`` in <mark> (overlaps merged)."""
    return render_text(text, terms)


# ------------------------------------------------------------------ cards


def section_path(chunk: Chunk) -> str:
    return " › ".join(p for p in chunk.section if p)


def task_title(chunk: Chunk) -> str:
    if chunk.title:
        return chunk.title
    text = " ".join(chunk.text.split())
    return text[:30] + ("…" if len(text) > 30 else "")


def plan_source(chunk: Chunk, doc: Mapping[str, Any] | None = None) -> str:
    """（issuer，文号，date）of a plan, from the chunk and, when known, its document's metadata."""
    doc = doc or {}
    bits = [doc.get("issuer") or chunk.issuer, doc.get("doc_number", ""), doc.get("published", "")]
    bits = [" ".join(str(b).split()) for b in bits if b]
    return f"（{'，'.join(bits)}）" if bits else ""


def citation(chunk: Chunk, doc: Mapping[str, Any] | None = None) -> str:
    """One line to paste into a report: 《plan》（issuer，文号，date） · section › path · task."""
    parts = [f"《{chunk.plan_title or chunk.doc_id}》{plan_source(chunk, doc)}"]
    if section_path(chunk):
        parts.append(section_path(chunk))
    title = task_title(chunk)
    if title and title not in chunk.section:
        parts.append(title + (f"（第{chunk.part}部分）" if chunk.part > 1 else ""))
    return " · ".join(" ".join(p.split()) for p in parts)


def target_label(t: Any) -> str:
    label = t.text if not t.indicator or t.indicator in t.text else f"{t.indicator} {t.text}"
    return f"{t.deadline} {label}" if t.deadline and t.deadline not in label else label


def export_target_label(t: Any) -> str:
    """Target label for exports: achievements (results already reached) are marked 已实现."""
    label = target_label(t)
    return f"[已实现] {label}" if getattr(t, "kind", "target") == "achievement" else label


def plan_meta(chunk: Chunk) -> str:
    parts = [chunk.issuer, chunk.region, f"{chunk.level}级" if chunk.level in ("省", "市") else chunk.level]
    parts.append(chunk.period or (str(chunk.year) if chunk.year else ""))
    return " · ".join(p for p in parts if p)


NOTHING_RELEVANT = "未找到相关内容"


def nothing_relevant(hits: Sequence[Hit]) -> bool:
    """True when there are hits but none reaches the calibrated relevance threshold."""
    return bool(hits) and not any(h.relevant for h in hits)


def relevance_percent(score: float) -> int:
    return round(100 * min(max(score, 0.0), 1.0))


def card_html(hit: Hit, terms: Sequence[str] | None = None) -> str:
    """One result card. ``terms`` defaults to the hit's matched terms."""
    c = hit.chunk
    terms = hit.matched_terms if terms is None else terms
    pct = relevance_percent(hit.relevance)  # the calibrated score, comparable across queries
    weak = "" if hit.relevant else '<span class="ps-weak">弱相关</span>'
    path = section_path(c)
    title = task_title(c)
    where = (f'<span class="ps-section">{escape(path)}</span> › ' if path else "") + (
        f'<span class="ps-task">{escape(title)}</span>'
    )
    rows = [
        f'<div class="ps-card" id="card-{hit.rank}" data-rank="{hit.rank}" data-doc="{escape(c.doc_id)}" '
        f'data-region="{escape(c.region)}">',
        '<div class="ps-head">',
        f'<span class="ps-rank">{hit.rank}</span>',
        '<div class="ps-headtext">',
        f'<div class="ps-plan">{escape(c.plan_title or c.doc_id)}</div>',
        f'<div class="ps-meta">{escape(plan_meta(c))}</div>',
        "</div>",
        f'<div class="ps-score" title="相关度 {hit.relevance:.2f}（排序分 {hit.score:.2f}）">'
        f'<div class="ps-bar"><span style="width:{pct}%"></span></div>'
        f'<span class="ps-score-num">{weak}相关度 {hit.relevance:.2f}</span></div>',
        "</div>",
        f'<div class="ps-path">{where}</div>',
    ]
    if c.units:
        tags = "".join(f'<span class="ps-tag">{escape(u)}</span>' for u in c.units)
        rows.append(f'<div class="ps-row"><span class="ps-label">责任单位</span>{tags}</div>')
    goals = [t for t in c.targets if getattr(t, "kind", "target") != "achievement"]
    done = [t for t in c.targets if getattr(t, "kind", "target") == "achievement"]
    if goals:
        chips = "".join(f'<span class="ps-goal">{escape(target_label(t))}</span>' for t in goals)
        rows.append(f'<div class="ps-row"><span class="ps-label">量化目标</span>{chips}</div>')
    if done:
        chips = "".join(f'<span class="ps-done">{escape(target_label(t))}</span>' for t in done)
        rows.append(f'<div class="ps-row"><span class="ps-label">已实现</span>{chips}</div>')
    spans = [(t.start, t.end) for t in goals]
    rows.append(f'<div class="ps-text">{render_text(c.text, terms, spans)}</div>')
    if hit.boosts:
        why = "、".join(_boost_label(b) for b in hit.boosts)
        rows.append(f'<div class="ps-why">{escape(why)}</div>')
    rows.append(
        f'<div class="ps-open"><a href="{escape(document_link(c))}" target="_self">全文与原件 ›</a></div>'
    )
    rows.append("</div>")
    return "".join(rows)


def _boost_label(boost: str) -> str:
    kind, _, value = boost.partition(":")
    labels = {"region": f"检索词提到地区「{value}」", "year": f"检索词提到年份 {value}"}
    labels["unit"] = f"检索词提到责任单位「{value}」"
    return labels.get(kind, boost)


# ------------------------------------------------------------------ context view


def section_chunks(chunks: Sequence[Chunk], chunk: Chunk) -> list[Chunk]:
    """All chunks of ``chunk``'s document that share its section path, in document order."""
    same = [c for c in chunks if c.doc_id == chunk.doc_id and c.section == chunk.section]
    if not any(c.chunk_id == chunk.chunk_id for c in same):
        same.append(chunk)
    return sorted(same, key=lambda c: (c.start, c.part))


def context_html(section: Sequence[Chunk], chunk: Chunk, terms: Sequence[str] = (), window: int = 12) -> str:
    """The whole section with ``chunk`` marked; very long sections show ``window`` items each side."""
    at = next((i for i, c in enumerate(section) if c.chunk_id == chunk.chunk_id), 0)
    lo, hi = max(0, at - window), min(len(section), at + window + 1)
    path = section_path(chunk) or "（未分节）"
    rows = [
        '<div class="ps-context">',
        f'<div class="ps-context-path">{escape(chunk.plan_title)} › {escape(path)}'
        f"（本节共 {len(section)} 条）</div>",
    ]
    if lo > 0:
        rows.append(f'<div class="ps-context-more">… 前面还有 {lo} 条</div>')
    for c in section[lo:hi]:
        if c.chunk_id == chunk.chunk_id:
            spans = [(t.start, t.end) for t in c.targets]
            rows.append(
                '<div class="ps-context-item ps-context-hit"><span class="ps-here">本条</span>'
                f"{render_text(c.text, terms, spans)}</div>"
            )
        else:
            rows.append(f'<div class="ps-context-item">{escape(c.text)}</div>')
    if hi < len(section):
        rows.append(f'<div class="ps-context-more">… 后面还有 {len(section) - hi} 条</div>')
    rows.append("</div>")
    return "".join(rows)


# ------------------------------------------------------------------ export

CSV_COLUMNS = (
    "排名",
    "相关度",
    "规划",
    "发文单位",
    "地区",
    "层级",
    "期间",
    "章节",
    "任务",
    "责任单位",
    "量化目标",
    "原文",
    "引用",
    "检索词",
    "chunk_id",
)


def results_csv(hits: Sequence[Hit], query: str) -> bytes:
    """UTF-8 with BOM (Excel then reads the Chinese correctly), one row per result."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for h in hits:
        c = h.chunk
        row = [
            h.rank,
            f"{h.relevance:.3f}",
            c.plan_title,
            c.issuer,
            c.region,
            c.level,
            c.period,
            section_path(c),
            task_title(c),
            "、".join(c.units),
            "；".join(export_target_label(t) for t in c.targets),
            c.text,
            citation(c),
            clean_query(query),
            c.chunk_id,
        ]
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def results_json(hits: Sequence[Hit], state: SearchState, now: datetime | None = None) -> bytes:
    """The results with the search that produced them (``search --json`` fields plus citation)."""
    query = clean_query(state.query)
    results = []
    for h in hits:
        row = h.to_dict(query)
        row.update(
            region=h.chunk.region,
            level=h.chunk.level,
            period=h.chunk.period,
            citation=citation(h.chunk),
        )
        results.append(row)
    filters = {k: v for k, v in state_to_params(state).items() if k not in ("q", "mode", "k")}
    doc = {
        "query": query,
        "mode": state.mode,
        "k": state.k,
        "filters": filters,
        "exported_at": (now or datetime.now()).isoformat(timespec="seconds"),
        "count": len(results),
        "results": results,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def citations_text(hits: Sequence[Hit], docs: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    docs = docs or {}
    return "\n".join(f"{h.rank}. {citation(h.chunk, docs.get(h.chunk.doc_id))}" for h in hits)


def document_link(chunk: Chunk) -> str:
    """The page that shows a chunk's whole document with the chunk highlighted."""
    from urllib.parse import urlencode

    return "document?" + urlencode({"doc": chunk.doc_id, "chunk": chunk.chunk_id})


# ------------------------------------------------------------------ page text


def no_hits_message(query: str, filters: Filters, effects: Sequence[FilterEffect]) -> str:
    """What to tell the user when a search finds nothing (Markdown; the query, as typed, is escaped)."""
    shown = f"与「{markdown_escape(query)}」相关的" if plain_text(query) else ""
    if active_filters(filters):
        helpful = [e.label for e in effects if e.removed and e.name != "all"]
        hint = f"（{'、'.join(helpful)} 排除的结果最多）" if helpful else ""
        return f"没有找到{shown}、符合当前筛选条件的结果。可以放宽或清除左侧的筛选条件{hint}。"
    return f"没有找到{shown}结果。可以换个说法、用更短的关键词，或切换到「语义」检索。"


def effect_line(effect: FilterEffect) -> str:
    if effect.removed == 0:
        return f"{effect.label}：未排除结果"
    return f"{effect.label}：排除了 {effect.removed} 条结果"


# ------------------------------------------------------------------ corpus page


def _card_link(chunk_id: str, rank_of: Mapping[str, int]) -> str:
    rank = rank_of.get(chunk_id)
    return f' <a class="ps-jump" href="#card-{rank}">→ 第{rank}条结果</a>' if rank else ""


def answer_html(result: Any, rank_of: Mapping[str, int]) -> str:
    """The answer panel: cited sentences with their targets emphasised, or a plain not-found.

    ``rank_of`` maps chunk ids to the rank of their result card, for the links.
    """
    if not result.found:
        return f'<div class="ps-answer ps-answer-none">{escape(result.message)}</div>'
    rows = ['<div class="ps-answer"><div class="ps-answer-head">回答（摘自原文）</div><ol>']
    for item in result.items:
        spans = [(t.start - item.start, t.end - item.start) for t in item.targets]
        where = " › ".join([*item.section, item.title])
        rows.append(
            f'<li><span class="ps-answer-text">{render_text(item.text, (), spans)}</span>'
            f'<div class="ps-answer-cite">—《{escape(item.plan_title)}》 · {escape(where)}'
            f"{_card_link(item.chunk_id, rank_of)}</div></li>"
        )
    rows.append("</ol>")
    if result.generated:
        rows.append(
            '<div class="ps-generated"><b>生成的概述</b>（仅依据上面的摘录）：'
            f"{escape(result.generated)}</div>"
        )
    if result.generation_error:
        rows.append(f'<div class="ps-why">生成回答不可用：{escape(result.generation_error)}</div>')
    rows.append("</div>")
    return "".join(rows)


def comparison_html(rows: Sequence[Any], rank_of: Mapping[str, int]) -> str:
    """One row per plan: its best task, the targets it sets on the topic, and a link to its card."""
    out = [
        '<table class="ps-compare"><thead><tr><th>规划</th><th>章节 › 任务</th><th>量化目标</th>'
        "<th>原文</th></tr></thead><tbody>"
    ]
    for row in rows:
        goals = (
            "".join(f'<span class="ps-goal">{escape(target_label(t))}</span> ' for t in row.targets) or "—"
        )
        where = " › ".join([*row.section, row.title])
        out.append(
            f"<tr><td><b>{escape(row.plan_title)}</b><br>"
            f'<span class="ps-meta">{escape(row.period)}</span></td>'
            f"<td>{escape(where)}{_card_link(row.chunk_id, rank_of)}</td><td>{goals}</td>"
            f"<td>{escape(row.text)}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


APP_CSS = "<style>\n" + (Path(__file__).with_name("style.css")).read_text(encoding="utf-8") + "</style>\n"
