"""What a query names and how much of its topic a chunk covers, for ranking and relevance.

``topic_coverage``: the share of the query's IDF-weighted topic words a chunk covers (the
relevance evidence; see ``relevance.py``). ``name_tiers``: regions, years and responsible units
named in the query act as soft constraints — tasks on the topic that match a name rank first,
then tasks on the topic, then the rest, so a task matching only the name never outranks one on
the topic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .query import is_year_token, named_units, topic_terms
from .relevance import coverage

if TYPE_CHECKING:
    from .retrieval import SearchEngine


def topic_coverage(
    engine: SearchEngine, cleaned: str, expanded: str, indices: np.ndarray, names: set[str] | None = None
) -> np.ndarray | None:
    """Per chunk: the share of the query's IDF-weighted topic words it covers (0–1).

    With ``names`` (places, years, units the query names), those are left out: how well the
    chunk covers the topic alone; None when nothing but names and question words is left."""
    from .retrieval import period_range

    tokens = engine.tokenizer.tokenize(expanded)
    if expanded != cleaned:  # English words expanded to glossary terms: count the Chinese ones
        tokens = [t for t in tokens if not t.isascii()] or tokens
    if names is not None:
        terms = topic_terms(tokens, names)
        if not terms:
            return None
    else:
        terms = topic_terms(tokens) or list(dict.fromkeys(tokens))
    weights = [engine.terms.weight(t) for t in terms]
    years = [t for t in terms if is_year_token(t)]
    out = np.zeros(len(indices), dtype=np.float64)
    for j, i in enumerate(indices):
        chunk = engine.chunks[int(i)]
        extra: set[str] = set()
        if years:
            first, last = period_range(chunk)
            extra = {t for t in years if first is not None and first <= int(t[:4]) <= last}
        out[j] = coverage(terms, weights, engine._texts[int(i)], extra)
    return out


def name_tiers(
    engine: SearchEngine,
    query: str,
    cleaned: str,
    idx: np.ndarray,
    regions: dict[str, str],
    years: set[int],
    boosts: list[list[str]],
    final: np.ndarray,
) -> np.ndarray:
    """Names in the query (regions, years, units) as soft constraints, as a rank tier per
    candidate: tasks on the topic that match a name first, then tasks on the topic, then the
    rest — a task matching only the name never outranks one on the topic. Adds the unit
    boost to ``final`` and its reason to ``boosts``. All zeros when the query names nothing."""
    units = named_units(query, engine._unit_names)
    if not (regions or years or units):
        return np.zeros(len(idx), dtype=np.int64)
    for j, i in enumerate(idx):
        chunk_units = engine.chunks[int(i)].units
        for unit in units:
            stem = unit[:-2] if unit.endswith("部门") else unit
            if any(stem in u for u in chunk_units):
                final[j] += engine.settings.unit_boost
                boosts[j].append(f"unit:{unit}")
                break
    names = {a for r in regions for a in engine.region_aliases_of(r)} | set(regions.values()) | set(units)
    topic = topic_coverage(engine, cleaned, query, idx, names=names)
    named = np.array([bool(b) for b in boosts], dtype=np.int64)
    if topic is None:  # nothing but names: matching them is the topic
        return named
    on_topic = (topic >= engine.settings.topic_share).astype(np.int64)
    return on_topic * (1 + named)
