"""A query, parsed once: ``ParsedQuery`` is what search, answers and the page share.

``parse_query`` cleans the text (control characters, width, Traditional → Simplified), adds the
Chinese glossary terms of its English words, tokenises it once, and recognises the names it
contains — regions of the indexed plans (with the alias the query used), years, responsible
units — and from those the topic words each stage weighs. ``SearchEngine.parse`` calls it with
the engine's tokenizer, region aliases and unit names; ``SearchEngine.search``, ``answer`` and
the page accept the record, so nothing downstream re-cleans or re-tokenises the query.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..data import DATA_DIR
from ..ingest.normalize import normalize_char_width, to_simplified
from ..settings import Settings
from .glossary import translate_terms
from .query import named_units, topic_terms

MAX_QUERY_CHARS = (
    Settings.max_query_chars
)  # longer queries are cut: nothing useful is lost, latency stays bounded
NATIONAL = "全国"  # the region of national plans
_NATIONAL_RE = re.compile(
    r"国家知识产权局|国家局|国知局|全国|国家(?!级|知识产权(?:试点|示范|战略|培训)|专利)"
)
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_QUOTED_RE = re.compile(r"《([^》]{4,100})》")


def _read_doc_types() -> tuple[str, ...]:
    lines = (DATA_DIR / "query_doc_types.txt").read_text(encoding="utf-8").splitlines()
    return tuple(w.strip() for w in lines if w.strip() and not w.startswith("#"))


QUERY_DOC_TYPES = _read_doc_types()  # data/query_doc_types.txt


def named_doc_types(query: str, types: Iterable[str] = QUERY_DOC_TYPES) -> tuple[str, ...]:
    """Document types named in the query (工作要点, 实施细则 …), longest first, none inside another."""
    found: list[str] = []
    for word in sorted(types, key=len, reverse=True):
        if word in query and not any(word in f for f in found):
            found.append(word)
    return tuple(found)


def named_plans(query: str, titles: Mapping[str, str]) -> tuple[str, ...]:
    """Plans (doc id → title) the query names: by their whole title, or a 《…》 quote that is
    the title or part of it (at least four characters)."""
    quoted = _QUOTED_RE.findall(query)
    out = []
    for doc_id, title in titles.items():
        if title and (title in query or any(q in title for q in quoted)):
            out.append(doc_id)
    return tuple(out)


def clean_query(query: str | None) -> str:
    """Drop control characters (NUL …), collapse whitespace, cut overlong input, and bring
    full-width digits and Traditional characters to the corpus's canonical forms."""
    query = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in query or "")
    query = " ".join(query.split())[:MAX_QUERY_CHARS]
    return to_simplified(normalize_char_width(query))


def region_aliases(region: str) -> set[str]:
    """Names a user may type for a region: 四川省广安市 → 广安市, 广安, 四川省, 四川 …"""
    if not region:
        return set()
    if region == NATIONAL:
        return {NATIONAL}
    names = {region}
    for part in re.findall(r".+?(?:自治区|省|市|区|县|旗)", region):
        names.add(part)
        short = re.sub(r"(?:自治区|省|市|区|县|旗)$", "", part)
        if len(short) >= 2:
            names.add(short)
    return names


def mentioned_years(query: str) -> set[int]:
    return {int(y) for y in _YEAR_RE.findall(query)}


def named_regions(query: str, aliases: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Regions (of ``aliases``: region → its names) named in the query → the name it used."""
    named: dict[str, str] = {}
    for region, names in aliases.items():
        if region == NATIONAL:
            m = _NATIONAL_RE.search(query)
            if m:
                named[region] = m.group(0)
            continue
        for alias in sorted(names, key=len, reverse=True):
            if alias in query:
                named[region] = alias
                break
    return dict(sorted(named.items(), key=lambda item: (query.find(item[1]), item[0])))


@dataclass(frozen=True)
class ParsedQuery:
    """One query as every stage reads it; made by ``parse_query`` (``SearchEngine.parse``)."""

    raw: str  # as typed
    cleaned: str  # ``clean_query(raw)``: what is shown, exported and put in the URL
    expanded: str  # cleaned plus the glossary terms of its English words: what is searched
    expansions: tuple[str, ...]  # those glossary terms
    tokens: tuple[str, ...]  # tokens of ``expanded`` (BM25, matched terms for highlighting)
    regions: tuple[tuple[str, str], ...]  # (region of a plan, the name the query used for it)
    years: tuple[int, ...]  # years named, ascending
    units: tuple[str, ...]  # responsible units named, longest first
    plans: tuple[str, ...]  # doc ids of plans named by title or a 《…》 quote
    doc_types: tuple[str, ...]  # document types named (工作要点, 实施细则 …; data/query_doc_types.txt)
    topic_terms: tuple[str, ...]  # topic words apart from question words, years and places (answers)
    coverage_terms: tuple[str, ...]  # the words relevance coverage weighs (places count, see names.py)
    unnamed_terms: tuple[str, ...]  # topic words apart from every name; empty: the query is all names

    @property
    def region_names(self) -> dict[str, str]:
        """Region → the name the query used for it."""
        return dict(self.regions)

    @property
    def names_anything(self) -> bool:
        return bool(self.regions or self.years or self.units or self.plans or self.doc_types)

    def distinct_regions(self) -> tuple[tuple[str, str], ...]:
        """The recognised regions less those named only through a wider one: 天津 names
        天津市, and 天津市红桥区 only when the query also says 红桥."""
        named = [r for r, _ in self.regions]

        def implied(region: str) -> bool:
            for wider in named:
                if wider != region and wider in region:
                    own = region_aliases(region) - region_aliases(wider)
                    if not any(a in self.expanded for a in own):
                        return True
            return False

        return tuple((r, alias) for r, alias in self.regions if not implied(r))

    def __str__(self) -> str:
        return self.cleaned


def parse_query(
    query: str | None,
    tokenize: Any,
    aliases: Mapping[str, Iterable[str]],
    unit_names: Iterable[str] = (),
    titles: Mapping[str, str] | None = None,
) -> ParsedQuery:
    """Parse ``query`` once: ``tokenize`` (text → tokens) is called exactly once, on the
    expanded text; ``aliases`` maps each region of the index to its names."""
    raw = query or ""
    cleaned = clean_query(raw)
    expansions = tuple(translate_terms(cleaned))
    expanded = f"{cleaned} {' '.join(expansions)}" if expansions else cleaned
    tokens = tuple(tokenize(expanded)) if expanded else ()
    regions = named_regions(expanded, aliases)
    titles = titles or {}
    plans = named_plans(expanded, titles)
    rest = expanded  # a named plan's title names that plan, not units or document types
    for doc_id in plans:
        rest = rest.replace(titles[doc_id], " ")
    units = named_units(rest, unit_names)
    types = named_doc_types(rest)
    # English words expanded to glossary terms: the Chinese ones count as the topic
    chinese = [t for t in tokens if not t.isascii()] or list(tokens) if expansions else list(tokens)
    places = {a for r in regions for a in aliases.get(r, ())} | set(regions.values())
    named = places | set(units) | set(types) | {titles[d] for d in plans}
    if NATIONAL in regions:  # a question on the national plan calls it 国家 or 国家局
        places |= {"国家", "国家局", NATIONAL}
    topic = topic_terms(tokens, places)
    if expansions:
        topic = [t for t in topic if not t.isascii()] or topic
    return ParsedQuery(
        raw=raw,
        cleaned=cleaned,
        expanded=expanded,
        expansions=expansions,
        tokens=tokens,
        regions=tuple(regions.items()),
        years=tuple(sorted(mentioned_years(expanded))),
        units=units,
        plans=plans,
        doc_types=types,
        topic_terms=tuple(topic),
        coverage_terms=tuple(topic_terms(chinese) or dict.fromkeys(chinese)),
        unnamed_terms=tuple(topic_terms(chinese, named)),
    )


def query_text(query: str | ParsedQuery | None) -> str:
    """The cleaned text of a query, parsed or not (for exports and messages)."""
    return query.cleaned if isinstance(query, ParsedQuery) else clean_query(query)
