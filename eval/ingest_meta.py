"""Score the metadata read from documents without a catalog entry against a manifest.

    python eval/ingest_meta.py FOLDER --manifest FOLDER/manifest.json

The folder is loaded with the library's own loader (``load_corpus``); every document is
compared field by field with the manifest's truth. Fields whose truth is empty are skipped.
Titles are compared with all whitespace removed; issuers as the set of 、-joined names;
periods with any dash read as "-".
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

EVAL_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(EVAL_DIR.parent))

from eval.common import machine  # noqa: E402
from policy_search.ingest.corpus import load_corpus  # noqa: E402
from policy_search.records import Document  # noqa: E402

SCORED = ("title", "issuer", "level", "region", "year", "doc_number")
REPORTED = ("period", "published")
FIELDS = SCORED + REPORTED


def _norm(field: str, value: object) -> object:
    text = "" if value is None else str(value)
    if field == "issuer":
        return frozenset(re.sub(r"\s+", "", n) for n in text.split("、") if n.strip())
    if field == "period":
        return re.sub(r"[—–\-－~至]+", "-", re.sub(r"\s+", "", text))
    return re.sub(r"\s+", "", text)


def _value(doc: Document, field: str) -> object:
    return getattr(doc, field)


def score_metadata(folder: Path, manifest: Path) -> dict:
    """Per document and per field: truth, found value and right/wrong (empty truths skipped)."""
    truth = json.loads(Path(manifest).read_text(encoding="utf-8"))
    corpus = load_corpus(folder)
    by_path = {d.path: d for d in corpus.documents}
    documents: dict[str, dict[str, dict]] = {}
    totals = {f: {"right": 0, "scored": 0} for f in FIELDS}
    for entry in truth:
        doc = by_path.get(entry["file"])
        row: dict[str, dict] = {}
        for field in FIELDS:
            want = entry.get(field)
            if want in (None, ""):
                continue
            got = _value(doc, field) if doc else None
            if doc is not None and field == "title":
                source = next((p.source for p in doc.provenance if p.field == "title"), "none")
                got = got if source != "file name" else ""
            right = doc is not None and _norm(field, got) == _norm(field, want)
            row[field] = {"truth": want, "found": got, "right": right}
            totals[field]["scored"] += 1
            totals[field]["right"] += int(right)
        documents[entry["file"]] = row
    for t in totals.values():
        t["share"] = t["right"] / t["scored"] if t["scored"] else None
    return {"documents": documents, "totals": totals, "skipped": [str(s) for s in corpus.skipped]}


def render(result: dict) -> str:
    lines = ["| document | " + " | ".join(FIELDS) + " |", "|---|" + "---|" * len(FIELDS)]
    for name, row in result["documents"].items():
        cells = []
        for field in FIELDS:
            cell = row.get(field)
            cells.append("–" if cell is None else ("✓" if cell["right"] else f"✗ {cell['found'] or '∅'}"))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    totals = result["totals"]
    lines.append(
        "| **right / scored** | "
        + " | ".join(
            f"**{totals[f]['right']}/{totals[f]['scored']} ({100 * (totals[f]['share'] or 0):.0f}%)**"
            for f in FIELDS
        )
        + " |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--manifest", type=Path, help="manifest.json (default: FOLDER/manifest.json)")
    args = parser.parse_args(argv)
    manifest = args.manifest or args.folder / "manifest.json"
    for path in (args.folder, manifest):
        if not path.exists():
            print(f"{path}: not found", file=sys.stderr)
            return 2
    try:
        result = score_metadata(args.folder, manifest)
    except (ValueError, KeyError, OSError) as exc:
        print(f"{manifest}: cannot score ({exc})", file=sys.stderr)
        return 2
    print(render(result))
    print(f"\nScored fields: {', '.join(SCORED)}; reported only: {', '.join(REPORTED)}.")
    print(f"Machine: {machine()}")
    for s in result["skipped"]:
        print(f"skipped: {s}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
