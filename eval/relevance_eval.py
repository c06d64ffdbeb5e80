"""Does "nothing relevant" mean nothing relevant? ``python eval/relevance_eval.py [--fit]``.

Runs every labelled in-domain query (``eval/queries.jsonl``, judged in ``eval/qrels.txt``) and
every out-of-domain query (``eval/ood_queries.jsonl``: nonsense, weather, sports, cooking,
entertainment, other fields, places no plan covers) through hybrid search (k=10) and counts:

- out-of-domain queries answered "nothing relevant" (no hit marked relevant) — should be high;
- in-domain queries wrongly flagged "nothing relevant" — should be near zero.

``--fit`` first fits the logistic relevance model on the dev halves of both sets (per hit:
judged relevant (rel ≥ 1) → 1, unjudged hits of in-domain queries and all hits of out-of-domain
queries → 0; features raw cosine and topic-word coverage), picks the threshold on the dev
queries, reports both splits with it, and prints the ``Settings`` values to store.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

import numpy as np
from common import EVAL_DIR, Query, add_backend_args, load_qrels, load_queries, open_engine

from policy_search.search.relevance import RelevanceModel, model_for
from policy_search.search.retrieval import SearchEngine

OOD = EVAL_DIR / "ood_queries.jsonl"
MAX_WRONGLY_FLAGGED = 0.02  # the share of in-domain queries allowed to be called "nothing relevant"


def load_ood() -> list[Query]:
    rows = [json.loads(line) for line in OOD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Query(r["qid"], r["query"], r["split"], r.get("topic", "")) for r in rows]


def features(engine: SearchEngine, queries: list[Query], k: int = 10) -> dict[str, list[tuple]]:
    """Per query: (chunk_id, cosine, coverage) of its top-k hybrid hits."""
    out = {}
    for q in queries:
        hits = engine.search(q.query, k=k, mode="hybrid")
        out[q.qid] = [(h.chunk.chunk_id, h.dense_score, h.coverage) for h in hits]
    return out


RATIOS = (2, 4, 6, 8, 10, 12, 15, 20, 25, 30, 40, 60)  # cosine weight per unit of coverage weight


def direction(feats: dict[str, list[tuple]], in_q: list[Query], ood_q: list[Query]) -> float:
    """The cosine : coverage weight ratio that best separates the queries (each scored by its
    best hit): fewest out-of-domain queries at or above the in-domain threshold, then the widest
    gap below it (in cosine units)."""

    def best(q: Query, r: float) -> float:
        return max((r * (c or 0.0) + v for _, c, v in feats[q.qid]), default=-1.0)

    def quality(r: float) -> tuple[int, float]:
        ins = sorted(best(q, r) for q in in_q)
        threshold = ins[int(MAX_WRONGLY_FLAGGED * len(ins))]
        oods = [best(q, r) for q in ood_q]
        below = [o for o in oods if o < threshold]
        return (-sum(o >= threshold for o in oods), (threshold - max(below, default=0.0)) / r)

    return max(RATIOS, key=quality)


def fit(rows: list[tuple[float, float, int]], ratio: float) -> tuple[float, float, float]:
    """Calibrate per hit: a one-feature logistic regression on ``ratio · cosine + coverage``."""
    from sklearn.linear_model import LogisticRegression

    x = np.array([[ratio * c + v] for c, v, _ in rows])
    y = np.array([label for _, _, label in rows])
    model = LogisticRegression(C=100.0, class_weight="balanced", max_iter=1000).fit(x, y)
    slope, bias = float(model.coef_[0][0]), float(model.intercept_[0])
    return slope * ratio, slope, bias


def query_max(model: RelevanceModel, feats: dict[str, list[tuple]]) -> dict[str, float]:
    out = {}
    for qid, hits in feats.items():
        if not hits:
            out[qid] = 0.0
            continue
        cos = np.array([c if c is not None else 0.0 for _, c, _ in hits])
        cov = np.array([v for _, _, v in hits])
        out[qid] = float(model.score(cos if model.uses_cosine else None, cov).max())
    return out


def pick_threshold(in_max: list[float], ood_max: list[float]) -> float:
    """The threshold rejecting the most out-of-domain queries while wrongly flagging at most
    ``MAX_WRONGLY_FLAGGED`` of the in-domain ones; halfway to the next score for a margin."""
    allowed = int(MAX_WRONGLY_FLAGGED * len(in_max))
    ranked = sorted(in_max)
    highest = ranked[allowed]  # the threshold may not exceed this in-domain score
    below = [s for s in ood_max + ranked if s < highest]
    return (highest + max(below)) / 2 if below else highest


def report(model: RelevanceModel, feats, in_q: list[Query], ood_q: list[Query]) -> dict:
    maxes = query_max(model, feats)
    rows = {}
    for split in ("dev", "test", "all"):
        ins = [q for q in in_q if split in ("all", q.split)]
        oods = [q for q in ood_q if split in ("all", q.split)]
        flagged = [q.query for q in ins if maxes[q.qid] < model.threshold]
        passed = [q.query for q in oods if maxes[q.qid] >= model.threshold]
        rows[split] = {
            "in_domain": len(ins),
            "wrongly_flagged": len(flagged),
            "ood": len(oods),
            "ood_said_nothing": len(oods) - len(passed),
            "flagged_queries": flagged,
            "ood_passed": passed,
        }
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_backend_args(parser)
    parser.add_argument("--fit", action="store_true", help="fit weights and threshold on the dev split")
    args = parser.parse_args()
    engine = open_engine(args)
    in_q, ood_q = load_queries(), load_ood()
    qrels = load_qrels()
    feats = features(engine, in_q + ood_q)
    model = model_for(engine.settings, engine.encoder.name)
    if args.fit:
        with_cosine = engine.encoder.name == engine.settings.relevance_encoder
        rows = [
            (c if c is not None else 0.0, v, int(qrels.get(q.qid, {}).get(cid, 0) >= 1))
            for q in in_q + ood_q
            if q.split == "dev"
            for cid, c, v in feats[q.qid]
        ]
        ratio = direction(
            feats, [q for q in in_q if q.split == "dev"], [q for q in ood_q if q.split == "dev"]
        )
        w_cos, w_cov, bias = fit(rows, ratio if with_cosine else 0.0)
        model = RelevanceModel(w_cos, w_cov, bias, 0.5)
        maxes = query_max(model, feats)
        dev_in = [maxes[q.qid] for q in in_q if q.split == "dev"]
        dev_ood = [maxes[q.qid] for q in ood_q if q.split == "dev"]
        model = replace(model, threshold=round(pick_threshold(dev_in, dev_ood), 4))
        if with_cosine:
            print(f"relevance_encoder = {engine.encoder.name!r}")
            print(f"relevance_weights = ({w_cos:.3f}, {w_cov:.3f}, {bias:.3f})")
            print(f"relevance_threshold = {model.threshold}")
        else:
            print(f"relevance_keyword_weights = ({w_cov:.3f}, {bias:.3f})")
            print(f"relevance_keyword_threshold = {model.threshold}")
    rows = report(model, feats, in_q, ood_q)
    lines = [
        f"Calibrated relevance ({engine.encoder.name}; weights cosine {model.w_cosine:.2f}, coverage "
        f"{model.w_coverage:.2f}, bias {model.bias:.2f}; threshold {model.threshold}), hybrid k=10:",
        "",
        '| split | out-of-domain said "nothing relevant" | in-domain wrongly flagged |',
        "|---|---|---|",
    ]
    for split, r in rows.items():
        lines.append(
            f"| {split} | {r['ood_said_nothing']}/{r['ood']} ({r['ood_said_nothing'] / r['ood']:.0%}) | "
            f"{r['wrongly_flagged']}/{r['in_domain']} ({r['wrongly_flagged'] / r['in_domain']:.1%}) |"
        )
    everything = rows["all"]
    lines += [
        "",
        "Out-of-domain queries with a hit marked relevant: "
        + ("、".join(everything["ood_passed"]) or "none"),
        "In-domain queries flagged nothing relevant: " + ("、".join(everything["flagged_queries"]) or "none"),
    ]
    text = "\n".join(lines) + "\n"
    out = EVAL_DIR / "reports" / "relevance.md"
    out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
