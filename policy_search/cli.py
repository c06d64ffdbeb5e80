"""Command line: ``python -m policy_search docs|chunks|search ...`` — thin over the library."""

from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from .corpus import Corpus, load_corpus

DEFAULT_CORPUS = Path("corpus")


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _fit(s: str, width: int) -> str:
    """Pad or cut ``s`` to ``width`` terminal columns (CJK characters count double)."""
    out, used = [], 0
    for ch in s:
        w = _width(ch)
        if used + w > width:
            if out:
                out[-1] = "…" if _width(out[-1]) == 1 else "… "
            break
        out.append(ch)
        used += w
    text = "".join(out)
    return text + " " * (width - _width(text))


def print_table(rows: list[list[str]], widths: list[int]) -> None:
    for row in rows:
        print("  ".join(_fit(cell, w) for cell, w in zip(row, widths)).rstrip())


def _load(args: argparse.Namespace) -> Corpus:
    corpus = load_corpus(args.corpus)
    for skipped in corpus.skipped:
        print(f"skipped {skipped}", file=sys.stderr)
    for note in corpus.notes:
        print(f"note: {note}", file=sys.stderr)
    return corpus


def cmd_docs(args: argparse.Namespace) -> int:
    corpus = _load(args)
    counts = {d.doc_id: len(corpus.chunks_of(d.doc_id)) for d in corpus.documents}
    if args.json:
        for doc in corpus.documents:
            row = doc.to_dict()
            row["chunks"] = counts[doc.doc_id]
            if not args.removed:
                row.pop("removed")
            print(json.dumps(row, ensure_ascii=False))
        return 0
    rows = [["id", "title", "issuer", "region", "level", "period", "published", "chunks"]]
    for d in corpus.documents:
        rows.append(
            [d.doc_id, d.title, d.issuer, d.region, d.level, d.period, d.published, str(counts[d.doc_id])]
        )
    print_table(rows, [16, 44, 26, 14, 5, 10, 10, 6])
    if args.removed:
        for d in corpus.documents:
            for r in d.removed:
                print(f"{d.path}:{r.line_no}: removed ({r.reason}): {r.text}")
    return 0


def cmd_chunks(args: argparse.Namespace) -> int:
    corpus = _load(args)
    chunks = corpus.chunks
    if args.doc:
        known = [d.doc_id for d in corpus.documents]
        if args.doc not in known:
            raise SystemExit(f"error: --doc {args.doc!r} is not a document id (known: {', '.join(known)})")
        chunks = corpus.chunks_of(args.doc)
    if args.json:
        for c in chunks:
            print(json.dumps(c.to_dict(), ensure_ascii=False))
        return 0
    rows = [["chunk_id", "kind", "section › title", "units", "targets", "chars"]]
    for c in chunks:
        path = " › ".join([*c.section, c.title])
        targets = " ".join(t.text for t in c.targets)
        rows.append([c.chunk_id, c.kind, path, "、".join(c.units), targets, str(len(c.text))])
    print_table(rows, [30, 9, 60, 30, 24, 5])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m policy_search", description="Search Chinese IP policy plans."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    docs = sub.add_parser("docs", help="list documents with metadata and chunk counts")
    docs.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    docs.add_argument("--json", action="store_true", help="one JSON object per document")
    docs.add_argument("--removed", action="store_true", help="also list removed boilerplate lines")
    docs.set_defaults(func=cmd_docs)

    chunks = sub.add_parser("chunks", help="print chunks (a table, or JSON lines with --json)")
    chunks.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    chunks.add_argument("--doc", help="only this document id")
    chunks.add_argument("--json", action="store_true", help="one JSON object per chunk")
    chunks.set_defaults(func=cmd_chunks)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # piped into `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (FileNotFoundError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
