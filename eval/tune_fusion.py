"""Choose the hybrid fusion on the dev split: ``python eval/tune_fusion.py [--index index]``.

Scores keyword, dense and every fusion variant (weighted sum over a grid of dense weights,
RRF over a few k) on the dev queries only, and prints a Markdown table. The test split is
reported for the chosen settings only, so it stays an honest check.
"""

from __future__ import annotations

import argparse

from common import load_qrels, load_queries, run_queries, score

from policy_search.search.retrieval import SearchEngine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", default="index")
    args = parser.parse_args()
    engine = SearchEngine.load(args.index)
    qrels = load_qrels()
    dev = load_queries(split="dev")
    rows: list[tuple[str, dict[str, float]]] = []
    for mode in ("keyword", "dense"):
        rows.append((mode, score(run_queries(engine, dev, mode)[0], qrels)))
    for w in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        variant = engine.with_settings(fusion="weighted", dense_weight=w)
        rows.append((f"hybrid weighted w={w}", score(run_queries(variant, dev, "hybrid")[0], qrels)))
    for k in (10, 30, 60):
        variant = engine.with_settings(fusion="rrf", rrf_k=k)
        rows.append((f"hybrid rrf k={k}", score(run_queries(variant, dev, "hybrid")[0], qrels)))
    print(f"dev split: {len(dev)} queries")
    print("| configuration | nDCG@10 | Recall@10 | MRR@10 | Hit@1 |")
    print("|---|---|---|---|---|")
    for name, m in rows:
        print(f"| {name} | {m['nDCG@10']:.3f} | {m['R@10']:.3f} | {m['RR@10']:.3f} | {m['Success@1']:.3f} |")


if __name__ == "__main__":
    main()
