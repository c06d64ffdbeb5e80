"""The targets atlas (指标对比): every quantitative target of every plan as one comparable table.

``targets(engine, indicator, filters)`` returns one frozen ``TargetRow`` per target found in the
engine's chunks: the indicator as written, its normalised group (from
``data/indicator_groups.toml``; anything ungrouped is listed under its own phrase), the value
in the group's canonical unit, comparator, deadline, baseline, kind (target / achievement), the
plan's metadata, the task and its responsible units, and the sentence holding the number as
its citation. The table is built once per engine, lazily, and kept on the engine.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .data import DATA_DIR
from .records import Chunk, Target
from .search.retrieval import Filters

GROUPS_FILE = DATA_DIR / "indicator_groups.toml"
_SENTENCE_END = "。；！？\n"
_LIST_SEP = "、和及与"
_GROWTH_COMPARATORS = ("增长", "年均增长", "平均增长")
_GROWTH_WORDS = re.compile(r"(?:增幅|增长率?|增速)$")
# unit → (base unit, scale): 1 亿元 = 1e8 元, 1 万件 = 1e4 件
_SCALES = {
    "亿元": ("元", 1e8),
    "万元": ("元", 1e4),
    "元": ("元", 1.0),
    "万件": ("件", 1e4),
    "件": ("件", 1.0),
    "万人次": ("人次", 1e4),
    "人次": ("人次", 1.0),
    "万人": ("人", 1e4),
    "人": ("人", 1.0),
    "万家": ("家", 1e4),
    "家": ("家", 1.0),
}
_NUM = r"\d+(?:\.\d+)?"
_BASELINE_RE = re.compile(
    rf"(?P<base>(?:从|由)(?:\d{{4}}年(?:底|末)?的?)?{_NUM}\s*(?:亿元|万元|元|万件|件|万人次|人次|万人|人|万家|家|个|%)?)"
    r"(?:提高|增加|增长|提升|上升|降低|减少|下降|缩短|扩大)?(?:到|至)"
)


@dataclass(frozen=True)
class IndicatorGroup:
    """One measure and the wordings that name it (a ``[[group]]`` of the groups file)."""

    name: str
    patterns: tuple[re.Pattern[str], ...]
    unit: str = ""  # canonical unit, "" = decided from the rows
    growth: bool = False
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupRules:
    scope_words: tuple[str, ...]
    groups: tuple[IndicatorGroup, ...]


@dataclass(frozen=True)
class TargetRow:
    """One quantitative target of one plan, with everything needed to compare and cite it."""

    indicator: str  # the phrase naming what is measured, as the plan words it
    group: str  # the normalised indicator; the phrase itself when no group matches
    grouped: bool  # True when ``group`` comes from the groups file
    value: float  # in ``unit`` (the group's canonical unit)
    unit: str
    raw_value: float  # as written, in ``raw_unit``
    raw_unit: str
    number: str  # the number as written, e.g. 达到15亿元
    comparator: str  # 达到 / 不少于 / 以上 / 增长 … or ""
    deadline: str  # 2020年 as stated, else the plan period (2013, 2021–2035)
    deadline_stated: bool
    baseline: str  # e.g. 从3件 when the sentence states a starting point, else ""
    kind: str  # target / achievement
    text: str  # the sentence holding the number (the citation)
    sentence_start: int  # offsets of ``text`` inside the chunk text
    sentence_end: int
    number_start: int  # offsets of ``number`` inside the chunk text
    number_end: int
    chunk_id: str
    doc_id: str
    plan_title: str
    issuer: str
    region: str
    level: str
    year: int | None
    period: str
    section: tuple[str, ...]
    task: str
    units: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``targets --json``."""
        data = asdict(self)
        data["section"] = list(self.section)
        data["units"] = list(self.units)
        return data


# ------------------------------------------------------------------ groups file


def load_groups(path: str | Path = GROUPS_FILE) -> GroupRules:
    """The indicator groups of ``path`` (a bad pattern is a ``ValueError`` naming the group)."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    groups = []
    for entry in data.get("group", []):
        try:
            patterns = tuple(re.compile(p) for p in entry.get("patterns", []))
        except re.error as exc:
            raise ValueError(f"{path}: group {entry.get('name')!r}: bad pattern ({exc})") from None
        groups.append(
            IndicatorGroup(
                name=str(entry["name"]),
                patterns=patterns,
                unit=str(entry.get("unit", "")),
                growth=bool(entry.get("growth", False)),
                keywords=tuple(entry.get("keywords", ())),
            )
        )
    scope = tuple(sorted(data.get("scope_words", []), key=len, reverse=True))
    return GroupRules(scope_words=scope, groups=tuple(groups))


@lru_cache(maxsize=1)
def default_groups() -> GroupRules:
    return load_groups(GROUPS_FILE)


def strip_scope(phrase: str, rules: GroupRules) -> str:
    """``phrase`` without leading where/when words (全市, 当年 …) and list particles."""
    changed = True
    while changed and phrase:
        changed = False
        phrase = phrase.lstrip(_LIST_SEP + "并且，,  ")
        for word in rules.scope_words:
            if phrase.startswith(word) and len(phrase) > len(word):
                phrase, changed = phrase[len(word) :], True
                break
    return phrase.strip()


def is_growth(comparator: str, indicator: str) -> bool:
    return comparator in _GROWTH_COMPARATORS or bool(_GROWTH_WORDS.search(indicator))


def match_group(indicator: str, growth: bool, rules: GroupRules) -> IndicatorGroup | None:
    """The first group one of whose patterns matches the whole (scope-stripped) indicator."""
    phrase = strip_scope(indicator, rules)
    for group in rules.groups:
        if group.growth != growth:
            continue
        if any(p.fullmatch(phrase) for p in group.patterns):
            return group
    return None


# ------------------------------------------------------------------ one chunk → rows


def sentence_span(text: str, pos: int) -> tuple[int, int]:
    """The sentence of ``text`` around offset ``pos`` (ends at 。；！？ or a line break)."""
    start = pos
    while start > 0 and text[start - 1] not in _SENTENCE_END:
        start -= 1
    end = pos
    while end < len(text) and text[end] not in _SENTENCE_END:
        end += 1
    if end < len(text):
        end += 1  # keep the full stop
    while start < end and text[start].isspace():
        start += 1
    return start, end


def _clause_before(text: str, pos: int, floor: int) -> str:
    start = pos
    while start > floor and text[start - 1] not in "，,。；！？\n":
        start -= 1
    return text[start:pos]


def _clean(phrase: str) -> str:
    phrase = re.sub(r"(?:分别|均|都|总量的)$", "", phrase.strip())
    phrase = re.sub(r"(?:达到|达)$", "", phrase)
    return phrase.strip(" 　、，,：:（）()")


def row_indicator(
    chunk: Chunk, target: Target, previous: Target | None, previous_indicator: str, sentence_start: int
) -> str:
    """The indicator phrase, completing the elliptical items of a list the extractor sees alone:

    - 专利申请5万件、授权2.5万件 → the second item's 授权 takes the first item's subject (专利授权);
    - 分别达到22.5个月、5个月和4个月 → later items take the first item's indicator;
    - 立案数，较去年增幅不低于30% → a phrase starting 较 / 比 takes the clause before it;
    - a bare verb (组织20期) takes the clause before it.
    """
    text = chunk.text
    phrase = target.indicator.strip()
    if previous is not None and previous.end <= target.start:
        between = text[previous.end : target.start]
        if between and all(ch in _LIST_SEP + " " for ch in between):
            return previous_indicator  # 22.5个月、5个月和4个月
        short = between.strip(_LIST_SEP + " ")
        if len(short) <= 2 and short and not re.search(r"[，。；]", between):
            base = previous_indicator
            if len(base) > len(short):
                return base[: len(base) - len(short)] + short  # 专利申请 → 专利授权
    phrase = _clean(phrase)
    if len(phrase.lstrip("并且和及")) <= 2 and target.start >= len(target.indicator):
        after = text[target.end : target.end + 20]
        after = re.split(r"[，。；！？、（）\n]", after)[0]
        if len(after) >= 2 and target.indicator.strip() in text[max(0, target.start - 6) : target.start]:
            return _clean(phrase.lstrip("并且和及") + after)  # 并培育2-3个区县进入… → 培育区县进入…
    if re.match(r"^(?:较|比)", phrase) or len(phrase.lstrip("并且和及")) <= 2:
        lead = target.start - len(target.indicator) if phrase else target.start
        clause_end = text.rfind("，", sentence_start, max(sentence_start, lead))
        if clause_end > sentence_start:
            before = _clean(_clause_before(text, clause_end, sentence_start))
            if before:
                return before + phrase
    return phrase


def _is_qualifier(text: str, end: int) -> bool:
    """超过1000件的高校: a number followed by 的 defines a class, it is not a figure to reach."""
    return text[end : end + 1] == "的"


def _baseline(sentence: str) -> str:
    m = _BASELINE_RE.search(sentence)
    return m.group("base") if m else ""


def chunk_rows(chunk: Chunk, rules: GroupRules) -> list[TargetRow]:
    """The rows of one chunk (before unit conversion: value = raw value)."""
    rows = []
    previous: Target | None = None
    previous_indicator = ""
    for target in sorted(chunk.targets, key=lambda t: t.start):
        s0, s1 = sentence_span(chunk.text, target.start)
        if previous is not None and previous.start < s0:
            previous = None  # only items of the same sentence continue a list
        if _is_qualifier(chunk.text, target.end):
            continue
        indicator = row_indicator(chunk, target, previous, previous_indicator, s0) or target.text
        growth = is_growth(target.comparator, indicator)
        group = match_group(indicator, growth, rules)
        name = group.name if group else strip_scope(indicator, rules) or indicator
        rows.append(
            TargetRow(
                indicator=indicator,
                group=name,
                grouped=group is not None,
                value=target.value,
                unit=target.unit,
                raw_value=target.value,
                raw_unit=target.unit,
                number=target.text,
                comparator=target.comparator,
                deadline=target.deadline or chunk.period,
                deadline_stated=bool(target.deadline),
                baseline=_baseline(chunk.text[s0 : target.start]),
                kind=target.kind,
                text=chunk.text[s0:s1],
                sentence_start=s0,
                sentence_end=s1,
                number_start=target.start,
                number_end=target.end,
                chunk_id=chunk.chunk_id,
                doc_id=chunk.doc_id,
                plan_title=chunk.plan_title,
                issuer=chunk.issuer,
                region=chunk.region,
                level=chunk.level,
                year=chunk.year,
                period=chunk.period,
                section=chunk.section,
                task=chunk.title,
                units=chunk.units,
            )
        )
        previous, previous_indicator = target, indicator
    return rows


# ------------------------------------------------------------------ units


def canonical_unit(units: Iterable[str], preferred: str = "") -> str:
    """One unit for a group: the group's own when convertible, else the most frequent."""
    units = list(units)
    if preferred and all(_SCALES.get(u, (u,))[0] == _SCALES.get(preferred, (preferred,))[0] for u in units):
        return preferred
    counts: dict[str, int] = {}
    for u in units:
        counts[u] = counts.get(u, 0) + 1
    return max(counts, key=lambda u: (counts[u], _SCALES.get(u, ("", 1.0))[1])) if counts else preferred


def convert(value: float, unit: str, to: str) -> float | None:
    """``value`` in ``unit`` expressed in ``to`` (亿元 ↔ 万元 ↔ 元 …); None when not convertible."""
    if unit == to:
        return value
    a, b = _SCALES.get(unit), _SCALES.get(to)
    if a is None or b is None or a[0] != b[0]:
        return None
    return round(value * a[1] / b[1], 6)


def _with_units(rows: list[TargetRow], rules: GroupRules) -> list[TargetRow]:
    preferred = {g.name: g.unit for g in rules.groups}
    by_group: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_group.setdefault(row.group, []).append(i)
    out = list(rows)
    for name, idx in by_group.items():
        unit = canonical_unit((rows[i].raw_unit for i in idx), preferred.get(name, ""))
        for i in idx:
            value = convert(rows[i].raw_value, rows[i].raw_unit, unit)
            if value is not None:
                out[i] = replace(rows[i], value=value, unit=unit)
    return out


# ------------------------------------------------------------------ the table


def build_table(chunks: Sequence[Chunk], rules: GroupRules | None = None) -> tuple[TargetRow, ...]:
    """Every target row of ``chunks``, in index order."""
    rules = rules or default_groups()
    rows = [row for chunk in chunks for row in chunk_rows(chunk, rules)]
    return tuple(_with_units(rows, rules))


def table(engine: Any) -> tuple[TargetRow, ...]:
    """The engine's targets table, built on first use and kept on the engine."""
    cached = getattr(engine, "atlas_table", None)
    if cached is None:
        cached = build_table(engine.chunks)
        engine.atlas_table = cached
    return cached


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def lookup(rows: Sequence[TargetRow], query: str, rules: GroupRules | None = None) -> list[str]:
    """Group names matching ``query``, best first: exact name, substring of a name, keyword or
    indicator, then close spellings (质押融资 → 知识产权质押融资额)."""
    rules = rules or default_groups()
    q = _fold(query)
    if not q:
        return []
    names = list(dict.fromkeys(r.group for r in rows))
    keywords = {g.name: g.keywords for g in rules.groups}
    exact = [n for n in names if _fold(n) == q]
    if exact:
        return exact
    hits = [
        n for n in names if q in _fold(n) or any(q in _fold(k) or _fold(k) in q for k in keywords.get(n, ()))
    ]
    hits += [r.group for r in rows if q in _fold(r.indicator) and r.group not in hits]
    if hits:
        return list(dict.fromkeys(hits))
    return difflib.get_close_matches(query, names, n=5, cutoff=0.5)


def targets(engine: Any, indicator: str | None = None, filters: Filters | None = None) -> list[TargetRow]:
    """Target rows of the engine's plans: all of them, or those of the groups ``indicator`` names
    (fuzzy: 质押融资 finds 知识产权质押融资额); ``filters`` as for search (region, level, year …)."""
    rows: Sequence[TargetRow] = table(engine)
    if filters is not None and not filters.is_empty():
        allowed = {c.chunk_id for c in engine.chunks if filters.matches(c)}
        rows = [r for r in rows if r.chunk_id in allowed]
    if indicator:
        wanted = set(lookup(table(engine), indicator))
        rows = [r for r in rows if r.group in wanted]
    return list(rows)
