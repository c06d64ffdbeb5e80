"""The search page's state: labels, the state and its URL form, filter options, what each
filter removed, the names recognised in the query as one-click filters, a search that never
raises, and the page's search messages."""

import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..records import Chunk
from ..search.parse import ParsedQuery, query_text
from ..search.retrieval import MAX_QUERY_CHARS, MODES, Filters, Hit, clean_query, period_range
from ..settings import Settings
from .messages import markdown_escape, plain_text

log = logging.getLogger("policy_search.ui")


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


MAX_URL_VALUES = Settings.max_url_values  # per URL filter parameter; more is no real search, only load
MAX_URL_PARAM_CHARS = Settings.max_url_param_chars  # characters read of one parameter


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


SearchFn = Callable[[str | ParsedQuery, int, str, Filters], list[Hit]]


def filter_effects(
    search: SearchFn, query: str | ParsedQuery, k: int, mode: str, filters: Filters
) -> list[FilterEffect]:
    """For each active filter: run the search without it and count the hits it excludes.

    The last entry (``name="all"``) is the same for all filters together. Empty when no
    filter is active, so an unfiltered search costs no extra searches.
    """
    names = active_filters(filters)
    if not names or not query_text(query):
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


# ------------------------------------------------------------------ names recognised in the query


@dataclass(frozen=True)
class NameFilter:
    """A name recognised in the query (region, year, unit, plan, document type) as a filter."""

    kind: str  # key of FILTER_LABELS: "regions", "years", "unit" or "doc_ids"
    name: str  # as the query wrote it
    label: str  # what the button says
    state: SearchState  # the search with this filter set
    active: bool  # the current search already has it


def name_filters(parsed: ParsedQuery, state: SearchState, options: FilterOptions) -> list[NameFilter]:
    """The names ``parsed`` recognised that the index can filter on, each with the search that
    sets its filter (the region, the year, the unit) and keeps the rest of ``state``."""
    current = restrict_state(state, options)
    out: list[NameFilter] = []

    def add(kind: str, name: str, label: str, **changes: Any) -> None:
        target = restrict_state(replace(state, **changes), options)
        out.append(NameFilter(kind, name, label, target, target == current))

    for region, alias in parsed.distinct_regions():
        if region in options.regions:
            add("regions", alias, f"地区：{region}", regions=(region,))
    span = options.year_span
    for year in parsed.years:
        if span and span[0] <= year <= span[1]:
            add("years", str(year), f"年份：{year}", year_min=year, year_max=year)
    for unit in parsed.units:
        stem = unit[:-2] if unit.endswith("部门") else unit  # 财政部门 → units containing 财政
        add("unit", unit, f"责任单位：{unit}", unit=stem)
    for doc_id in (d for d in parsed.plans if d in options.plans):
        add("doc_ids", doc_id, f"规划：{options.plans[doc_id]}", doc_ids=(doc_id,))
    for kind in parsed.doc_types:  # a document type: the plans of that type
        if ids := tuple(d for d, title in options.plans.items() if kind in title):
            add("doc_ids", kind, f"文件类型：{kind}", doc_ids=ids)
    return out


# ------------------------------------------------------------------ safe search


@dataclass
class SearchOutcome:
    query: str  # the cleaned query actually searched
    hits: list[Hit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # shown as small notices (query cut …)
    error: str = ""  # a friendly message when the search failed
    parsed: ParsedQuery | None = None  # the record searched, when the page parsed the query


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


def run_search(search: SearchFn, state: SearchState, parsed: ParsedQuery | None = None) -> SearchOutcome:
    """Search for ``state`` (``parsed``: its query, already parsed by the engine); never raises:
    failures become ``outcome.error``."""
    query = parsed.cleaned if parsed is not None else clean_query(state.query)
    outcome = SearchOutcome(query=query, notes=query_notes(state.query), parsed=parsed)
    if not query:
        return outcome
    try:
        outcome.hits = list(search(parsed or query, state.k, state.mode, state.filters()))
    except Exception as exc:  # the page must survive any input
        log.exception("search failed for %r", query[:200])
        outcome.error = f"检索时出错（{exc.__class__.__name__}），请换个检索词或稍后重试。"
    return outcome


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
