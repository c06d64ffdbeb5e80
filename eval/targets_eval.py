"""Targets atlas accuracy: ``python eval/targets_eval.py [CORPUS_DIR] [LABELS] [--json]``.

Defaults: ``corpus/`` and ``eval/targets_labels.jsonl`` (every figure the five seed plans set:
chunk id, the number as written, value, unit, indicator group or null when no group fits, kind).
The table is built straight from the corpus (no index, no model). A table row matches a label
when it has the label's chunk id, its number text contains the label's number and the values
agree; each label matches at most one row.

- precision: matched rows / table rows of the labelled documents
- recall: matched labels / labels
- groups right: matched rows whose group equals the label's (null = listed under its own phrase)
- kind right: matched rows whose kind (target / achievement) equals the label's
- cited: rows whose sentence contains their number
- cross-plan: for each group that two or more plans set a figure for (in the labels), the share
  of those plans' figures the table lists under that group
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

EVAL_DIR = Path(__file__).resolve().parent
REPO = EVAL_DIR.parent
sys.path.insert(0, str(REPO))

from policy_search.atlas import TargetRow, build_table  # noqa: E402
from policy_search.ingest.corpus import load_corpus  # noqa: E402

LABELS = EVAL_DIR / "targets_labels.jsonl"


def load_labels(path: Path = LABELS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def match(rows: list[TargetRow], labels: list[dict]) -> list[tuple[dict, TargetRow | None]]:
    """Each label with the row it matches (or None); greedy, one row per label."""
    used: set[int] = set()
    pairs = []
    for label in labels:
        found = None
        for i, row in enumerate(rows):
            if i in used or row.chunk_id != label["chunk_id"]:
                continue
            if label["number"] in row.number and abs(row.raw_value - label["value"]) < 1e-9:
                found = i
                break
        if found is not None:
            used.add(found)
        pairs.append((label, rows[found] if found is not None else None))
    return pairs


def evaluate(corpus_dir: Path, labels: list[dict]) -> dict:
    started = time.perf_counter()
    corpus = load_corpus(corpus_dir)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    table = list(build_table(corpus.chunks))
    build_ms = (time.perf_counter() - started) * 1000
    docs = {label["chunk_id"].split("/")[0] for label in labels}
    rows = [r for r in table if r.doc_id in docs]
    pairs = match(rows, labels)
    matched = [(label, row) for label, row in pairs if row is not None]
    matched_ids = {id(row) for _, row in matched}
    group_ok = [label.get("group") == (row.group if row.grouped else None) for label, row in matched]
    kind_ok = [label.get("kind", "target") == row.kind for label, row in matched]
    cited = [r.number in r.text for r in table]
    plans_by_group: dict[str, set[str]] = {}
    for label in labels:
        if label.get("group"):
            plans_by_group.setdefault(label["group"], set()).add(label["chunk_id"].split("/")[0])
    shared = {g for g, plans in plans_by_group.items() if len(plans) >= 2}
    cross = [(label, row) for label, row in pairs if label.get("group") in shared]
    cross_ok = [row is not None and row.grouped and row.group == label["group"] for label, row in cross]

    def share(flags: list[bool]) -> float:
        return round(sum(flags) / len(flags), 4) if flags else 0.0

    return {
        "corpus": str(corpus_dir),
        "documents": len(docs),
        "labels": len(labels),
        "rows": len(rows),
        "matched": len(matched),
        "precision": share([id(r) in matched_ids for r in rows]),
        "recall": share([row is not None for _, row in pairs]),
        "groups_right": share(group_ok),
        "kind_right": share(kind_ok),
        "cited": share(cited),
        "cross_plan_groups": sorted(shared),
        "cross_plan_figures": share(cross_ok),
        "missed": [f"{label['chunk_id']} {label['number']}" for label, row in pairs if row is None],
        "extra": [f"{r.chunk_id} {r.number}" for r in rows if id(r) not in matched_ids],
        "wrong_group": [
            f"{label['chunk_id']} {label['number']}: {row.group if row.grouped else None} ≠ {label['group']}"
            for (label, row), ok in zip(matched, group_ok)
            if not ok
        ],
        "load_s": round(load_s, 2),
        "build_ms": round(build_ms, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=REPO / "corpus")
    parser.add_argument("labels", nargs="?", type=Path, default=LABELS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = evaluate(args.corpus, load_labels(args.labels))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"corpus {report['corpus']}: {report['documents']} documents, {report['labels']} labelled figures")
    print(f"table rows {report['rows']}, matched {report['matched']}")
    for key in ("precision", "recall", "groups_right", "kind_right", "cited", "cross_plan_figures"):
        print(f"  {key:<20} {report[key]:.1%}")
    print(f"  cross-plan groups: {', '.join(report['cross_plan_groups']) or '—'}")
    for key in ("missed", "extra", "wrong_group"):
        for item in report[key]:
            print(f"  {key}: {item}")
    print(f"corpus load {report['load_s']} s, table build {report['build_ms']} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
