"""What a query names and how much of its topic a chunk covers, for ranking and relevance.

``topic_coverage``: the share of the query's IDF-weighted topic words a chunk covers (the
relevance evidence; see ``relevance.py``). ``name_tiers``: regions, years, responsible units,
plans and document types named in the query act as soft constraints — tasks on the topic that
match a name rank first, then tasks on the topic, then the rest, so a task matching only the
name never outranks one on the topic.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .query import is_year_token
from .relevance import coverage

if TYPE_CHECKING:
    from .parse import ParsedQuery
    from .retrieval import SearchEngine


def topic_coverage(engine: SearchEngine, terms: Sequence[str], indices: np.ndarray) -> np.ndarray:
    """Per chunk: the share of the IDF-weighted ``terms`` it covers (0–1).

    ``terms`` are a parsed query's ``coverage_terms`` (places count: a chunk covers a place
    when its plan is of that place) or ``unnamed_terms`` (the topic alone, apart from names)."""
    from .retrieval import period_range

    weights = [engine.terms.weight(t) for t in terms]
    years = [t for t in terms if is_year_token(t)]
    out = np.zeros(len(indices), dtype=np.float64)
    for j, i in enumerate(indices):
        chunk = engine.chunks[int(i)]
        extra: set[str] = set()
        if years:
            first, last = period_range(chunk)
            extra = {t for t in years if first is not None and first <= int(t[:4]) <= last}
        out[j] = coverage(list(terms), weights, engine._texts[int(i)], extra)
    return out


def name_tiers(
    engine: SearchEngine, parsed: ParsedQuery, idx: np.ndarray, boosts: list[list[str]], final: np.ndarray
) -> np.ndarray:
    """Names in the query (regions, years, units, plans, document types) as soft constraints, as
    a rank tier per candidate: tasks on the topic that match a name first, then tasks on the topic, then the
    rest — a task matching only the name never outranks one on the topic. Adds the unit
    boost to ``final`` and its reason to ``boosts``. All zeros when the query names nothing."""
    if not parsed.names_anything:
        return np.zeros(len(idx), dtype=np.int64)
    for j, i in enumerate(idx):
        chunk = engine.chunks[int(i)]
        if chunk.doc_id in parsed.plans:
            boosts[j].append(f"plan:{chunk.doc_id}")
        kinds = [t for t in parsed.doc_types if t in chunk.plan_title]
        if kinds:
            boosts[j].append(f"type:{kinds[0]}")
        chunk_units = chunk.units
        for unit in parsed.units:
            stem = unit[:-2] if unit.endswith("部门") else unit
            if any(stem in u for u in chunk_units):
                final[j] += engine.settings.unit_boost
                boosts[j].append(f"unit:{unit}")
                break
    # a plan named by its title outweighs the other names
    named = np.array([bool(b) + any(r.startswith("plan:") for r in b) for b in boosts], dtype=np.int64)
    if not parsed.unnamed_terms:  # nothing but names: matching them is the topic
        return named
    topic = topic_coverage(engine, parsed.unnamed_terms, idx)
    on_topic = (topic >= engine.settings.topic_share).astype(np.int64)
    return on_topic * (1 + named)
