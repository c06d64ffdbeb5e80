"""Which plans a search may return: the ``Filters`` record and its numpy columns.

``FilterColumns`` turns the chunks' filterable fields into arrays once, at load, so a filter
is a few vectorised comparisons over unique values instead of a Python loop over every chunk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
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

    @classmethod
    def from_parts(cls, uniques: list[str], codes: np.ndarray) -> _Categorical:
        if len(codes) and (codes.min() < 0 or codes.max() >= len(uniques)):
            raise ValueError("category code out of range")
        out = cls.__new__(cls)
        out.uniques, out.codes = uniques, codes.astype(np.int32)
        return out

    def where(self, keep: list[bool]) -> np.ndarray:
        return np.asarray(keep, dtype=bool)[self.codes] if self.uniques else np.zeros(0, bool)


class FilterColumns:
    """Every filterable field of the chunks as numpy arrays (built once per loaded index)."""

    CATEGORIES = ("region", "level", "doc_id", "kind")

    def __init__(self, chunks: Sequence[Chunk]) -> None:
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

    def arrays(self, pack: Callable[[list[str]], np.ndarray]) -> dict[str, np.ndarray]:
        """Every column as a numpy array (string lists through ``pack``), for saving with the index."""
        out: dict[str, np.ndarray] = {}
        for name in self.CATEGORIES:
            cat: _Categorical = getattr(self, name)
            out[f"{name}_uniques"], out[f"{name}_count"] = pack(cat.uniques), np.array(len(cat.uniques))
            out[f"{name}_codes"] = cat.codes
        out["units"], out["units_count"] = pack(self.units), np.array(len(self.units))
        out["unit_rows"], out["unit_codes"] = self._unit_rows, self._unit_codes
        out["first"], out["last"], out["has_target"] = self.first, self.last, self.has_target
        return out

    @classmethod
    def from_arrays(
        cls, arrays: dict[str, np.ndarray], unpack: Callable[[np.ndarray, int], list[str]]
    ) -> FilterColumns:
        """The inverse of ``arrays``; ``ValueError`` / ``KeyError`` when the arrays disagree."""
        out = cls.__new__(cls)
        out.n = len(arrays["first"])
        for name in cls.CATEGORIES:
            uniques = unpack(arrays[f"{name}_uniques"], int(arrays[f"{name}_count"]))
            setattr(out, name, _Categorical.from_parts(uniques, arrays[f"{name}_codes"]))
        out.first, out.last = arrays["first"].astype(np.int64), arrays["last"].astype(np.int64)
        out.has_target = arrays["has_target"].astype(bool)
        out.units = unpack(arrays["units"], int(arrays["units_count"]))
        out._unit_rows = arrays["unit_rows"].astype(np.int64)
        out._unit_codes = arrays["unit_codes"].astype(np.int64)
        lengths = {len(getattr(out, c).codes) for c in cls.CATEGORIES} | {len(out.last), len(out.has_target)}
        if lengths != {out.n} or len(out._unit_rows) != len(out._unit_codes):
            raise ValueError("filter columns of different lengths")
        rows, codes = out._unit_rows, out._unit_codes
        if len(codes) and (codes.max() >= len(out.units) or rows.max() >= out.n):
            raise ValueError("unit rows out of range")
        return out

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
