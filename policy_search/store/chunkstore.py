"""The chunk store of an index version: ``chunks.jsonl`` plus ``chunks.columns.npz``.

``chunks.jsonl`` holds one JSON record per chunk (``Chunk.to_dict``), as it always has.
``chunks.columns.npz`` (written since the lazy store) holds what opening needs without parsing
that file: the byte offset of every line, every chunk id, and the filter columns
(``FilterColumns.arrays``). Opening reads only the columns file and memory-maps the JSON
lines; a ``Chunk`` is parsed the first time its position is read (``ChunkTable``), so a
100k-chunk index opens in tens of milliseconds instead of seconds.

An index written before the columns file existed is still opened: its chunks are parsed
eagerly into a plain list, as before (slower, but nothing to rebuild).
"""

from __future__ import annotations

import json
import mmap
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, overload

import numpy as np

from ..records import Chunk

if TYPE_CHECKING:  # imported where used: search/ imports this package
    from ..search.filters import FilterColumns

CHUNKS = "chunks.jsonl"
COLUMNS = "chunks.columns.npz"
_SEP = "\x00"  # joins string lists into one UTF-8 array (ids and names never contain it)


class ChunkStoreError(ValueError):
    """The chunk store of a version folder is missing or damaged (the message names the file)."""


def _pack(strings: Sequence[str]) -> np.ndarray:
    return np.frombuffer(_SEP.join(strings).encode("utf-8"), dtype=np.uint8)


def _unpack(data: np.ndarray, count: int) -> list[str]:
    if count == 0:
        return []
    out = data.tobytes().decode("utf-8").split(_SEP)
    if len(out) != count:
        raise ValueError(f"expected {count} strings, found {len(out)}")
    return out


def write_chunks(version: Path, chunks: Sequence[Chunk]) -> None:
    """Write ``chunks.jsonl`` and its columns file into a version folder."""
    from ..search.filters import FilterColumns

    offsets = np.zeros(len(chunks) + 1, dtype=np.int64)
    with open(version / CHUNKS, "wb") as fh:
        for i, chunk in enumerate(chunks):
            line = (json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n").encode("utf-8")
            fh.write(line)
            offsets[i + 1] = offsets[i] + len(line)
    arrays = {f"col_{k}": v for k, v in FilterColumns(chunks).arrays(_pack).items()}
    with open(version / COLUMNS, "wb") as fh:
        np.savez(fh, offsets=offsets, ids=_pack([c.chunk_id for c in chunks]), **arrays)


def read_chunks(version: Path) -> list[Chunk] | ChunkTable:
    """The chunks of a version folder: a lazy ``ChunkTable``, or a list for an older index."""
    path = version / CHUNKS
    if not path.is_file():
        raise ChunkStoreError(f"{path}: missing")
    if not (version / COLUMNS).exists():  # written before the columns file: parse it all
        try:
            with open(path, encoding="utf-8") as fh:
                return [Chunk.from_dict(json.loads(line)) for line in fh if line.strip()]
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise ChunkStoreError(f"{path}: damaged ({exc.__class__.__name__})") from None
    return ChunkTable.open(version)


class ChunkTable(Sequence[Chunk]):
    """Chunks by position, parsed from the memory-mapped JSON lines on first access.

    ``ids`` (every chunk id) and ``columns`` (``FilterColumns``) are read from the columns file
    at open, so nothing that scans every chunk's metadata needs the records themselves.
    """

    def __init__(self, path: Path, offsets: np.ndarray, ids: list[str], columns: FilterColumns) -> None:
        self.path = path
        self.ids = ids
        self.columns = columns
        self._offsets = offsets
        self._rows: list[Chunk | None] = [None] * len(ids)
        with open(path, "rb") as fh:
            size = fh.seek(0, 2)
            self._buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""

    @classmethod
    def open(cls, version: Path) -> ChunkTable:
        from ..search.filters import FilterColumns

        path, cols = version / CHUNKS, version / COLUMNS
        try:
            with np.load(cols, allow_pickle=False) as data:
                offsets = data["offsets"]
                n = len(offsets) - 1
                ids = _unpack(data["ids"], n)
                arrays = {k[4:]: data[k] for k in data.files if k.startswith("col_")}
            columns = FilterColumns.from_arrays(arrays, lambda a, count: _unpack(a, count))
        except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
            raise ChunkStoreError(f"{cols}: damaged ({exc.__class__.__name__})") from None
        size = path.stat().st_size
        if (
            offsets.ndim != 1
            or n < 0
            or columns.n != n
            or (n and (offsets[0] != 0 or np.any(np.diff(offsets) <= 0)))
            or int(offsets[-1]) != size
        ):
            raise ChunkStoreError(f"{path}: damaged (does not match {COLUMNS})")
        return cls(path, offsets, ids, columns)

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, i: int) -> Chunk: ...
    @overload
    def __getitem__(self, i: slice) -> list[Chunk]: ...
    def __getitem__(self, i: int | slice) -> Chunk | list[Chunk]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        chunk = self._rows[i]  # IndexError / negative positions as for a list
        if chunk is None:
            i = i % len(self._rows)
            line = self._buf[int(self._offsets[i]) : int(self._offsets[i + 1])]
            try:
                chunk = Chunk.from_dict(json.loads(line))
            except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
                reason = exc.__class__.__name__
                raise ChunkStoreError(f"{self.path}: line {i + 1} damaged ({reason})") from None
            self._rows[i] = chunk  # one slot write: safe with concurrent readers
        return chunk

    def __iter__(self) -> Iterator[Chunk]:
        for i in range(len(self._rows)):
            yield self[i]

    def materialised(self) -> int:
        """How many chunks have been parsed so far."""
        return sum(c is not None for c in self._rows)


def chunk_ids(chunks: Sequence[Chunk]) -> list[str]:
    """Every chunk id in position order (from the columns file when the store has one)."""
    return chunks.ids if isinstance(chunks, ChunkTable) else [c.chunk_id for c in chunks]


def filter_columns(chunks: Sequence[Chunk]) -> FilterColumns:
    """The filter columns of ``chunks`` (read at open for a ``ChunkTable``, else built)."""
    from ..search.filters import FilterColumns

    return chunks.columns if isinstance(chunks, ChunkTable) else FilterColumns(chunks)


def chunk_regions(chunks: Sequence[Chunk]) -> list[str]:
    """The distinct regions of ``chunks``."""
    if isinstance(chunks, ChunkTable):
        return list(chunks.columns.region.uniques)
    return sorted({c.region for c in chunks})


def chunk_units(chunks: Sequence[Chunk]) -> list[str]:
    """The distinct responsible units of ``chunks``."""
    if isinstance(chunks, ChunkTable):
        return list(chunks.columns.units)
    return sorted({u for c in chunks for u in c.units})
