"""Which plans a search may return: the ``Filters`` record and its numpy columns.

``FilterColumns`` turns the chunks' filterable fields into arrays once, at load, so a filter
is a few vectorised comparisons over unique values instead of a Python loop over every chunk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..records import Chunk


@dataclass(frozen=True)
class Filters:
    """Restrict results to some plans. Empty fields do not filter."""

    regions: tuple[str, ...] = ()  # substring of the plan's region: 天津 matches 天津市红桥区 too
    levels: tuple[str, ...] = ()
    year_min: int | None = None  # the plan's period must overlap [year_min, year_max]
    year_max: int | None = None
    doc_ids: tuple[str, ...] = ()
    unit: str = ""  # substring of a responsible unit
    has_target: bool = False
    kinds: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return self == Filters()

    def matches(self, chunk: Chunk) -> bool:
        if self.regions and not any(r and r in chunk.region for r in self.regions):
            return False
        if self.levels and chunk.level not in self.levels:
            return False
        if self.year_min is not None or self.year_max is not None:
            first, last = period_range(chunk)
            if first is None:
                return False
            if self.year_min is not None and last < self.year_min:
                return False
            if self.year_max is not None and first > self.year_max:
                return False
        if self.doc_ids and chunk.doc_id not in self.doc_ids:
            return False
        if self.unit and not any(self.unit in u for u in chunk.units):
            return False
        if self.has_target and not chunk.has_target:
            return False
        return not (self.kinds and chunk.kind not in self.kinds)


def period_range(chunk: Chunk) -> tuple[int | None, int]:
    years = [int(y) for y in re.findall(r"\d{4}", chunk.period)]
    if not years:
        return chunk.year, chunk.year or 0
    return years[0], years[-1]


NO_YEAR = -1  # stored first year of a chunk whose plan names no year (never passes a year filter)


def year_columns(chunk: Chunk) -> tuple[int, int]:
    """(first, last) year as stored in filter columns; ``NO_YEAR`` when the plan has none."""
    first, last = period_range(chunk)
    return (NO_YEAR, last) if first is None else (first, last)


class _Categorical:
    """A string column as codes into its unique values."""

    def __init__(self, values: list[str]) -> None:
        uniques, codes = np.unique(np.array(values, dtype=object).astype(str), return_inverse=True)
        self.uniques = [str(u) for u in uniques]
        self.codes = codes.astype(np.int32)

    def where(self, keep: list[bool]) -> np.ndarray:
        return np.asarray(keep, dtype=bool)[self.codes] if self.uniques else np.zeros(0, bool)


class FilterColumns:
    """Every filterable field of the chunks as numpy arrays (built once per loaded index)."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.n = len(chunks)
        self.region = _Categorical([c.region for c in chunks])
        self.level = _Categorical([c.level for c in chunks])
        self.doc_id = _Categorical([c.doc_id for c in chunks])
        self.kind = _Categorical([c.kind for c in chunks])
        years = np.array([year_columns(c) for c in chunks], dtype=np.int64).reshape(-1, 2)
        self.first, self.last = years[:, 0], years[:, 1]
        self.has_target = np.fromiter((c.has_target for c in chunks), bool, self.n)
        self.units = sorted({u for c in chunks for u in c.units})
        code = {u: i for i, u in enumerate(self.units)}
        rows = [(i, code[u]) for i, c in enumerate(chunks) for u in c.units]
        self._unit_rows = np.array([r for r, _ in rows], dtype=np.int64)
        self._unit_codes = np.array([u for _, u in rows], dtype=np.int64)

    def units_containing(self, text: str) -> list[str]:
        return [u for u in self.units if text in u]

    def mask(self, filters: Filters) -> np.ndarray:
        out = np.ones(self.n, dtype=bool)
        if filters.regions:
            wanted = [any(r and r in v for r in filters.regions) for v in self.region.uniques]
            out &= self.region.where(wanted)
        if filters.levels:
            out &= self.level.where([v in filters.levels for v in self.level.uniques])
        if filters.year_min is not None or filters.year_max is not None:
            out &= self.first != NO_YEAR
            if filters.year_min is not None:
                out &= self.last >= filters.year_min
            if filters.year_max is not None:
                out &= self.first <= filters.year_max
        if filters.doc_ids:
            out &= self.doc_id.where([v in filters.doc_ids for v in self.doc_id.uniques])
        if filters.unit:
            wanted = np.array([filters.unit in u for u in self.units] or [False], dtype=bool)
            has = np.zeros(self.n, dtype=bool)
            has[self._unit_rows[wanted[self._unit_codes]] if len(self._unit_rows) else []] = True
            out &= has
        if filters.has_target:
            out &= self.has_target
        if filters.kinds:
            out &= self.kind.where([v in filters.kinds for v in self.kind.uniques])
        return out
