"""Warm answer latency on the seed index: ``python eval/bench_answers.py [--index index]``.

Each of the labelled questions (``eval/answers.jsonl``) and retrieval queries
(``eval/queries.jsonl``) is answered once to warm the engine (encoder, jieba, stored sentence
vectors), then each is answered again as a new question would be — its query vector not kept
from the pass before — and timed: search, sentence scoring, comparison. Writes
``eval/reports/answers_latency.md``. Not a test: numbers depend on the machine it names.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from answers_eval import load_questions
from common import REPO, load_queries, machine, percentile

from policy_search.answers.answer import answer
from policy_search.search.retrieval import SearchEngine


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", default=str(REPO / "index"))
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the questions")
    args = parser.parse_args()
    engine = SearchEngine.load(args.index)
    questions = [q["question"] for q in load_questions()] + [q.query for q in load_queries()]
    for q in questions:  # warm-up pass
        answer(engine, q)
    times = []
    for _ in range(args.repeat):
        for q in questions:
            engine.query_vector("")  # forget the previous query vector: every question is new
            started = time.perf_counter()
            answer(engine, q)
            times.append((time.perf_counter() - started) * 1000)
    p50, p95, mean = percentile(times, 50), percentile(times, 95), statistics.mean(times)
    text = (
        "# Answer latency on the seed index\n\n"
        f"Machine: {machine()}\n\n"
        f"{len(questions)} questions × {args.repeat} passes, warm engine, each answered as a new question "
        "(query embedded, hybrid search k=30, sentence scoring from stored vectors, comparison):\n\n"
        "| p50 ms | p95 ms | mean ms |\n|---|---|---|\n"
        f"| {p50:.1f} | {p95:.1f} | {mean:.1f} |\n"
    )
    out = REPO / "eval" / "reports" / "answers_latency.md"
    out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
