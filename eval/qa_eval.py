"""Retrieval and answers on a folder of third-party questions: ``python eval/qa_eval.py FOLDER``.

FOLDER holds ``docs/`` (plain-text notices) and ``queries.json`` (a list of ``{"qid", "q",
"answer", "rel": [[file, anchor, gain], …]}``; anchors NFKC-normalised, whitespace removed).
The docs are indexed into a temporary index (no catalog: metadata as the texts give it), then:

- retrieval (hybrid, k=10): a hit is relevant when its normalised text contains an anchor
  (each anchor credited once, at its first hit) → nDCG@10, Recall@10, MRR@10;
- answers: an answer item is right when its normalised text contains the first 12 characters
  of the anchor → share right at the first item and within the first three.

Reported for all questions and without those naming a place their document never mentions
(a robustness check). ``--keep DIR`` keeps the built index between runs (rebuilt incrementally).
Writes ``eval/reports/qa.md`` with the folder's name, never its text.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

from common import EVAL_DIR, machine

from policy_search.answers.answer import answer
from policy_search.search.retrieval import SearchEngine
from policy_search.settings import Settings
from policy_search.store.index import build_index

ANCHOR_PREFIX = 12


def norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def load(folder: Path) -> list[dict]:
    return json.loads((folder / "queries.json").read_text(encoding="utf-8"))


def retrieval_scores(engine: SearchEngine, queries: list[dict], k: int = 10) -> dict[str, float]:
    ndcg = mrr = recall = 0.0
    for q in queries:
        anchors = [(a, g) for _, a, g in q["rel"]]
        hits = engine.search(q["q"], k=k, mode="hybrid")
        credited: set[str] = set()
        dcg, first = 0.0, 0
        for rank, hit in enumerate(hits, start=1):
            text = norm(hit.chunk.text)
            for a, g in anchors:
                if a not in credited and a in text:
                    credited.add(a)
                    dcg += (2**g - 1) / math.log2(rank + 1)
                    first = first or rank
        ideal = sum(
            (2**g - 1) / math.log2(i + 2) for i, (_, g) in enumerate(sorted(anchors, key=lambda x: -x[1]))
        )
        ndcg += dcg / ideal if ideal else 0.0
        mrr += 1 / first if first else 0.0
        recall += len(credited) / max(1, len(anchors))
    n = max(1, len(queries))
    return {"nDCG@10": ndcg / n, "MRR@10": mrr / n, "R@10": recall / n}


def answer_scores(engine: SearchEngine, queries: list[dict]) -> tuple[dict[str, float], list[dict]]:
    rows = []
    for q in queries:
        started = time.perf_counter()
        result = answer(engine, q["q"])
        ms = (time.perf_counter() - started) * 1000
        prefixes = [a[:ANCHOR_PREFIX] for _, a, _ in q["rel"]]
        right = [any(p in norm(i.text) for p in prefixes) for i in result.items]
        rows.append({"qid": q["qid"], "at1": bool(right[:1] and right[0]), "at3": any(right[:3]),
                     "found": result.found, "ms": ms, "q": q["q"]})  # fmt: skip
    n = max(1, len(rows))
    return {
        "at1": sum(r["at1"] for r in rows) / n,
        "at3": sum(r["at3"] for r in rows) / n,
        "found": sum(r["found"] for r in rows) / n,
    }, rows


def wrong_place(q: dict, docs: Path, places: list[str]) -> bool:
    """The question names a province or city its document never mentions."""
    text = "".join((docs / f).read_text(encoding="utf-8") for f, _, _ in q["rel"])
    return any(p in q["q"] and p not in text for p in places)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder", type=Path)
    parser.add_argument("--encoder", default=Settings().encoder)
    parser.add_argument("--keep", type=Path, help="build the index here (reused when present)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    docs = args.folder / "docs"
    queries = load(args.folder)
    with tempfile.TemporaryDirectory() as tmp:
        index = args.keep or Path(tmp) / "index"
        # incremental: a kept index only re-embeds what changed
        build_index(docs, index, Settings(encoder=args.encoder), progress=True)
        engine = SearchEngine.load(index, corpus_dir=docs)
        from policy_search.answers.answer import _places

        places = sorted(_places())
        subsets = {
            "all": queries,
            "without wrong-place questions": [q for q in queries if not wrong_place(q, docs, places)],
        }
        n_docs = len(list(docs.glob("*")))
        lines = [
            f"# Third-party questions: {args.folder.name}",
            "",
            f"Machine: {machine()}",
            "",
            f"{n_docs} documents indexed without a catalog ({len(engine.chunks)} chunks, "
            f"encoder {engine.encoder.name}); {len(queries)} questions.",
            "",
            "| questions | n | nDCG@10 | MRR@10 | Recall@10 | answer in first item | in first three "
            "| found |",
            "|---|---|---|---|---|---|---|---|",
        ]
        all_rows: list[dict] = []
        for name, qs in subsets.items():
            r = retrieval_scores(engine, qs)
            a, rows = answer_scores(engine, qs)
            all_rows = all_rows or rows
            lines.append(
                f"| {name} | {len(qs)} | {r['nDCG@10']:.3f} | {r['MRR@10']:.3f} | {r['R@10']:.3f} | "
                f"{a['at1']:.0%} | {a['at3']:.0%} | {a['found']:.0%} |"
            )
        ms = sorted(r["ms"] for r in all_rows)
        lines += ["", f"Median answer time {ms[len(ms) // 2]:.0f} ms."]
    if args.verbose:
        for r in all_rows:
            print(("ok " if r["at1"] else "ok3" if r["at3"] else "NO ") + f" {r['q']}")
    text = "\n".join(lines) + "\n"
    (EVAL_DIR / "reports" / "qa.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
