"""Score retrieval configurations on the labelled queries and write a report.

``python eval/run.py [--index index] [--encoder NAME ...] [--modes keyword,dense,hybrid,...]``
``python eval/run.py --backend milvus --milvus-uri URI [--milvus-token T] [--collection NAME]``

For every configuration and split (dev, test) it computes nDCG@10, Recall@5/10, MRR@10 and
Hit@1 with ir-measures, paired t-tests against the default hybrid (per-query nDCG@10 and
MRR@10), the worst queries of the default hybrid, and per-mode latency; it writes
``eval/reports/report.md``, ``eval/reports/ndcg.png`` and one TREC run file per
configuration and split under ``eval/reports/runs/``. Tune only on dev; test is reported.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import (
    METRIC_NAMES,
    REPO,
    Query,
    add_backend_args,
    load_qrels,
    load_queries,
    open_engine,
    percentile,
    run_queries,
    score,
    score_per_query,
)

from policy_search.encoders import EncoderError, load_encoder
from policy_search.search.retrieval import SearchEngine
from policy_search.store.index import build_index

REPORTS = REPO / "eval" / "reports"
LABELS = {
    "nDCG@10": "nDCG@10",
    "R@5": "Recall@5",
    "R@10": "Recall@10",
    "RR@10": "MRR@10",
    "Success@1": "Hit@1",
}
# name → (mode, settings changes)
VARIANTS: dict[str, tuple[str, dict]] = {
    "keyword": ("keyword", {}),
    "dense": ("dense", {}),
    "hybrid": ("hybrid", {}),
    "hybrid-rrf": ("hybrid", {"fusion": "rrf", "rrf_k": 60}),
    "hybrid-w0.3": ("hybrid", {"dense_weight": 0.3}),
    "hybrid-w0.7": ("hybrid", {"dense_weight": 0.7}),
    "hybrid-noboost": ("hybrid", {"region_boost": 0.0, "year_boost": 0.0}),
}
DEFAULT_MODES = "keyword,dense,hybrid,hybrid-rrf,hybrid-w0.3,hybrid-w0.7,hybrid-noboost"


@dataclass
class Result:
    name: str
    encoder: str
    build_seconds: float
    runs: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)  # split → run
    per_query: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    means: dict[str, dict[str, float]] = field(default_factory=dict)
    latency_ms: list[float] = field(default_factory=list)


def engine_for(encoder_name: str | None, index: Path) -> SearchEngine:
    """The main index, or an index of the seed corpus built for another encoder."""
    if encoder_name is None:
        return SearchEngine.load(index)
    encoder = load_encoder(encoder_name)
    folder = REPO / "eval" / ".indexes" / "".join(ch if ch.isalnum() else "_" for ch in encoder.name)[-80:]
    print(f"building an index for {encoder.name} in {folder} …", file=sys.stderr)
    build_index(REPO / "corpus", folder, encoder=encoder, progress=True)
    return SearchEngine.load(folder, encoder=encoder)


def evaluate(
    engine: SearchEngine, name: str, mode: str, changes: dict, queries: list[Query], qrels
) -> Result:
    variant = engine.with_settings(**changes) if changes else engine
    result = Result(name, engine.manifest["encoder"]["name"], engine.manifest.get("build_seconds", 0.0))
    for q in queries[:3]:
        variant.search(q.query, mode=mode)  # warm-up
    for split in ("dev", "test"):
        split_queries = [q for q in queries if q.split == split]
        run, latencies = run_queries(variant, split_queries, mode)
        result.runs[split] = run
        result.latency_ms += latencies
        result.per_query[split] = score_per_query(run, qrels)
        result.means[split] = score(run, qrels)
    return result


def paired_p(a: list[float], b: list[float]) -> float:
    from scipy.stats import ttest_rel

    if all(x == y for x, y in zip(a, b)):
        return 1.0
    return float(ttest_rel(a, b).pvalue)


def write_trec(result: Result) -> None:
    folder = REPORTS / "runs"
    folder.mkdir(parents=True, exist_ok=True)
    for split, run in result.runs.items():
        lines = []
        for qid, docs in run.items():
            for rank, (doc, s) in enumerate(sorted(docs.items(), key=lambda kv: -kv[1]), start=1):
                lines.append(f"{qid} Q0 {doc} {rank} {s:.4f} {result.name}")
        (folder / f"{result.name}.{split}.trec").write_text("\n".join(lines) + "\n", encoding="utf-8")


def chart(results: list[Result], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [r.name for r in results]
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(names)), 4))
    width = 0.38
    xs = range(len(names))
    for offset, split in ((-width / 2, "dev"), (width / 2, "test")):
        values = [r.means[split]["nDCG@10"] for r in results]
        bars = ax.bar([x + offset for x in xs], values, width, label=split)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks(list(xs), names, rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_ylabel("nDCG@10")
    ax.set_title("Retrieval quality on the labelled queries")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def report(results: list[Result], queries: list[Query], qrels, engine: SearchEngine) -> str:
    base = next(r for r in results if r.name == "hybrid")
    counts = {s: sum(q.split == s for q in queries) for s in ("dev", "test")}
    lines = [
        "# Retrieval evaluation",
        "",
        f"Queries: {len(queries)} ({counts['dev']} dev, {counts['test']} test); "
        f"judgements: {sum(len(v) for v in qrels.values())} in `eval/qrels.txt`. "
        f"Index: {engine.manifest['counts']['chunks']} chunks, "
        f"encoder `{engine.manifest['encoder']['name']}`, "
        f"built in {engine.manifest.get('build_seconds', 0):.1f} s.",
        "",
        "† = differs from `hybrid` with p < 0.05 (paired t-test over the split's queries).",
        "",
    ]
    for split in ("dev", "test"):
        lines += [
            f"## {split} split",
            "",
            "| configuration | " + " | ".join(LABELS[m] for m in METRIC_NAMES) + " |",
        ]
        lines.append("|---" * (len(METRIC_NAMES) + 1) + "|")
        for r in results:
            cells = []
            for m in METRIC_NAMES:
                cell = f"{r.means[split][m]:.3f}"
                if r is not base and m in ("nDCG@10", "RR@10"):
                    qids = sorted(base.per_query[split])
                    p = paired_p(
                        [r.per_query[split][q][m] for q in qids], [base.per_query[split][q][m] for q in qids]
                    )
                    cell += " †" if p < 0.05 else ""
                cells.append(cell)
            lines.append(f"| {r.name} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [
        "## Latency (all queries, one pass, warm)",
        "",
        "| configuration | p50 ms | p95 ms |",
        "|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {percentile(r.latency_ms, 50):.1f} | {percentile(r.latency_ms, 95):.1f} |"
        )
    lines += ["", "## Worst queries of `hybrid` (nDCG@10)", ""]
    by_id = {q.qid: q for q in queries}
    scored = [(base.per_query[q.split][q.qid]["nDCG@10"], q.qid) for q in queries]
    for value, qid in sorted(scored)[:10]:
        q = by_id[qid]
        run = base.runs[q.split][qid]
        top = sorted(run, key=lambda d: -run[d])[:3]
        missed = [d for d, rel in qrels.get(qid, {}).items() if rel == 2 and d not in run]
        lines.append(f"- **{qid}** ({q.split}, {q.type}) {q.query} — nDCG@10 {value:.2f}")
        lines.append(f"  - top 3: {', '.join(f'`{d}` ({qrels.get(qid, {}).get(d, 0)})' for d in top)}")
        if missed:
            lines.append(f"  - rel-2 not in top 10: {', '.join(f'`{d}`' for d in missed)}")
    return "\n".join(lines) + "\n"


def main() -> int:
    global REPORTS
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_backend_args(parser)
    parser.add_argument("--reports", default=str(REPORTS), help="where to write the report")
    parser.add_argument("--modes", default=DEFAULT_MODES, help=f"comma list of {', '.join(VARIANTS)}")
    parser.add_argument(
        "--encoder",
        action="append",
        default=[],
        help="also evaluate this encoder (dense + hybrid); repeatable",
    )
    args = parser.parse_args()
    REPORTS = Path(args.reports)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in modes if m not in VARIANTS]
    if unknown or "hybrid" not in modes:
        print(f"error: --modes must include hybrid and use only {', '.join(VARIANTS)}", file=sys.stderr)
        return 2
    queries, qrels = load_queries(), load_qrels()
    try:
        engine = open_engine(args)
        extra = [(name, engine_for(name, Path(args.index))) for name in args.encoder]
    except (EncoderError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from tqdm import tqdm

    jobs = [(engine, m, *VARIANTS[m]) for m in modes]
    for name, eng in extra:
        parts = [p for p in re.split(r"[/\\]", name.split(":", 1)[-1]) if p] or [name]
        label = parts[-2] if parts[-1] == "model" and len(parts) > 1 else parts[-1]
        jobs += [(eng, f"{m}[{label}]", *VARIANTS[m]) for m in ("dense", "hybrid")]
    results = []
    started = time.perf_counter()
    for eng, name, mode, changes in tqdm(jobs, desc="configurations", unit="config"):
        results.append(evaluate(eng, name, mode, changes, queries, qrels))
    REPORTS.mkdir(parents=True, exist_ok=True)
    for r in results:
        write_trec(r)
    chart(results, REPORTS / "ndcg.png")
    text = report(results, queries, qrels, engine)
    (REPORTS / "report.md").write_text(text, encoding="utf-8")
    summary = {r.name: {s: r.means[s] for s in r.means} for r in results}
    (REPORTS / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(text)
    print(
        f"wrote {REPORTS / 'report.md'}, ndcg.png, runs/ in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
