"""The ingestion version: a hash of what the ingestion code makes of fixed synthetic documents.

A hand-bumped number goes stale the day someone edits a rule and forgets it. Instead the
fixtures in ``data/ingest_fixtures.txt`` (every layout the code handles) are run through
cleaning, metadata, chunking, units and targets, and the output is hashed: any change in
behaviour changes the version, and an index built by older ingestion code is reported stale.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from ..data import DATA_DIR

FIXTURES = DATA_DIR / "ingest_fixtures.txt"


def fixtures() -> dict[str, str]:
    """File name → raw text of each fixture document."""
    docs: dict[str, list[str]] = {}
    name = ""
    for line in FIXTURES.read_text(encoding="utf-8").splitlines():
        if line.startswith("=== "):
            name = line[4:].strip()
            docs[name] = []
        elif name:
            docs[name].append(line)
    return {k: "\n".join(v) for k, v in docs.items()}


def ingest_output(name: str, raw: str) -> list[dict]:
    """Document metadata and chunks the code produces for one raw text (JSON-ready)."""
    from .chunking import chunk_document
    from .corpus import document_from_text

    doc = document_from_text(name, raw)
    out: list[dict] = [doc.to_dict(with_text=True)]
    out.extend(c.to_dict() for c in chunk_document(doc))
    return out


@cache
def ingest_version() -> str:
    """16 hex digits that change whenever ingestion behaviour changes."""
    h = hashlib.sha256()
    for name, raw in sorted(fixtures().items()):
        h.update(json.dumps(ingest_output(name, raw), ensure_ascii=False, sort_keys=True).encode())
    return h.hexdigest()[:16]
