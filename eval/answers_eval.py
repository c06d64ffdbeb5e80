"""Answer accuracy and comparison coverage: ``python eval/answers_eval.py [--index index]``.

Accuracy on ``eval/answers.jsonl``: a question with an expected number or sentence is right
at 1 if the first answer item contains one of its expected strings, right at 3 if any of the
first three does; a question the corpus cannot answer is right when the answer says so.

Comparison coverage on the cross-plan queries of ``eval/queries.jsonl`` (rel-2 chunks in two
or more plans): the share of those plans that get a comparison row, and the share of rows
whose plan has any judged-relevant chunk (precision).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from common import EVAL_DIR, add_backend_args, load_qrels, load_queries, open_engine

from policy_search.answers.answer import AnswerItem, answer
from policy_search.ingest.grammar import ITEM_FAMILIES, match_at
from policy_search.search.retrieval import SearchEngine

ANSWERS = EVAL_DIR / "answers.jsonl"


_END = "。；！？!?;."


def fragment_kind(item: AnswerItem, chunk_text: str) -> str:
    """Why an answer item is not a whole statement ("" when it is), checked from the outside:
    a short numbered heading, a bracketed unit list, a heading, the plan's title, too few
    characters, or a span cut before its sentence ends."""
    text = item.text.strip()
    marker = match_at(text, 0, ITEM_FAMILIES)
    body = text[marker.end if marker else 0 :].strip().rstrip(_END + "：:，, ")
    if marker is not None and len(body) <= 20 and not any(p in body for p in "，,、"):
        return "numbered heading"
    if (body.startswith(("（", "(")) and body.endswith(("）", ")"))) or "单位：" in body:
        return "unit list"
    headings = {h.rstrip(_END) for h in (item.title, *item.section) if h}
    if body in headings and len(body) <= 30 and chunk_text[item.end :].strip():
        return "heading alone"
    if item.plan_title and item.plan_title in body and len(body) < len(item.plan_title) + 8:
        return "title line"
    if sum(ch.isalnum() for ch in body) < 8:
        return "fragment"
    if not text.endswith(tuple(_END)) and chunk_text[item.end :].strip():
        return "cut mid-sentence" if chunk_text[item.end] != "\n" else ""
    return ""


def fragments(engine: SearchEngine, questions: list[str]) -> list[tuple[str, str, str]]:
    """(question, item, why) for every answer item that is not a whole statement."""
    texts = {c.chunk_id: c.text for c in engine.chunks}
    out = []
    for q in questions:
        for item in answer(engine, q).items:
            kind = fragment_kind(item, texts[item.chunk_id])
            if kind:
                out.append((q, item.text, kind))
    return out


def load_questions() -> list[dict]:
    return [json.loads(line) for line in ANSWERS.read_text(encoding="utf-8").splitlines() if line.strip()]


def accuracy(engine: SearchEngine, questions: list[dict]) -> dict:
    rows = []
    for q in questions:
        started = time.perf_counter()
        result = answer(engine, q["question"])
        ms = (time.perf_counter() - started) * 1000
        texts = [i.text for i in result.items]
        if q["kind"] == "none":
            at1 = at3 = not result.found
        else:
            hits = [any(e in t for e in q["expected"]) for t in texts]
            at1, at3 = bool(hits[:1] and hits[0]), any(hits[:3])
        rows.append({"qid": q["qid"], "kind": q["kind"], "at1": at1, "at3": at3, "found": result.found,
                     "coverage": result.coverage, "ms": ms, "question": q["question"],
                     "first": texts[0] if texts else ""})  # fmt: skip
    n = len(rows)
    answerable = [r for r in rows if r["kind"] != "none"]
    none = [r for r in rows if r["kind"] == "none"]
    return {
        "rows": rows,
        "n": n,
        "at1": sum(r["at1"] for r in rows) / n,
        "at3": sum(r["at3"] for r in rows) / n,
        "answerable_at1": sum(r["at1"] for r in answerable) / max(1, len(answerable)),
        "answerable_at3": sum(r["at3"] for r in answerable) / max(1, len(answerable)),
        "none_right": sum(r["at1"] for r in none) / max(1, len(none)),
        "p50_ms": sorted(r["ms"] for r in rows)[n // 2],
    }


def comparison_coverage(engine: SearchEngine) -> dict:
    qrels = load_qrels()
    covered = total = relevant_rows = rows = 0
    for q in load_queries():
        plans = {c.split("/")[0] for c, rel in qrels[q.qid].items() if rel == 2}
        if len(plans) < 2:
            continue
        judged = {c.split("/")[0] for c in qrels[q.qid]}
        result = answer(engine, q.query)
        shown = {r.doc_id for r in result.comparison}
        covered += len(plans & shown)
        total += len(plans)
        relevant_rows += len(shown & judged)
        rows += len(shown)
    return {"coverage": covered / max(1, total), "precision": relevant_rows / max(1, rows), "plans": total}


def false_not_found(engine: SearchEngine) -> tuple[int, int, list[str]]:
    """How many of the retrieval queries (all answerable by construction) get "not found"."""
    queries = load_queries()
    missed = [q.query for q in queries if not answer(engine, q.query).found]
    return len(missed), len(queries), missed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_backend_args(parser)
    parser.add_argument("--verbose", action="store_true", help="print every question")
    args = parser.parse_args()
    engine = open_engine(args)
    acc = accuracy(engine, load_questions())
    comp = comparison_coverage(engine)
    missed, total, missed_queries = false_not_found(engine)
    asked = [q["question"] for q in load_questions()] + [q.query for q in load_queries()]
    broken = fragments(engine, asked)
    if args.verbose:
        for r in acc["rows"]:
            mark = "ok " if r["at1"] else ("ok3" if r["at3"] else "NO ")
            print(f"{mark} {r['qid']} [{r['kind']}] cov={r['coverage']:.2f} {r['question']}")
            print(f"    -> {r['first'][:60]}")
    lines = [
        f"Answer accuracy on {acc['n']} labelled questions (eval/answers.jsonl), not-found threshold "
        f"{engine.settings.answer_min_coverage}:",
        "",
        "| | first item | first three |",
        "|---|---|---|",
        f"| all questions | {acc['at1']:.0%} | {acc['at3']:.0%} |",
        f"| answerable only | {acc['answerable_at1']:.0%} | {acc['answerable_at3']:.0%} |",
        f"| unanswerable, said not found | {acc['none_right']:.0%} | |",
        "",
        f"Comparison table on cross-plan queries: {comp['coverage']:.0%} of the {comp['plans']} plans "
        f"with a directly answering task get a row; {comp['precision']:.0%} of rows come from a plan "
        f"with a judged-relevant task. Median answer time {acc['p50_ms']:.0f} ms.",
        "",
        f"Hold-out check of the not-found threshold: {missed} of the {total} retrieval queries in "
        f'eval/queries.jsonl (all answerable) were answered "not found"'
        + (f": {', '.join(missed_queries)}." if missed_queries else "."),
        "",
        f"Answer items that are not whole statements (unit lists, headings alone, title lines, "
        f"fragments) over all {len(asked)} labelled questions and queries: {len(broken)}"
        + "".join(f"\n- {q}: {t} ({why})" for q, t, why in broken),
    ]
    text = "\n".join(lines) + "\n"
    out = EVAL_DIR / "reports" / "answers.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
