"""Cost benchmark: adversarial inputs at sizes n, 4n and 16n, and how their cost grows.

    python eval/bench_cost.py [--quick] [--out eval/reports/cost.md]

For each family of crafted input (one-line target lists, nested HTML, wide tables, many short
lines, one huge line, long URL filter lists, long queries) it times ingestion (load + clean +
chunk), an index build, a search and an answer, and reports the growth exponent
log(t(16n) / t(n)) / log 16: about 1 for linear cost, 2 for quadratic. The index is built with
the deterministic hash encoder, so the figures measure our code, not the model.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import machine

from policy_search.answers.answer import answer
from policy_search.encoders import HashEncoder
from policy_search.ingest.corpus import load_corpus
from policy_search.search.retrieval import SearchEngine
from policy_search.settings import Settings
from policy_search.store.index import build_index
from policy_search.ui import state_from_params

QUESTION = "专利质押融资目标是多少"


def _doc_families() -> dict[str, tuple[int, Callable[[int], tuple[str, str]]]]:
    return {
        "one-line target list": (500, lambda n: ("targets.txt", "专利质押融资达到1亿元" * n)),
        "nested HTML": (
            1000,
            lambda n: (
                "page.html",
                "<html><body>" + "<header>" * n + "导航" + "</header>" * n + "<p>正文。</p>",
            ),
        ),
        "wide table (one row)": (
            6000,
            lambda n: ("table.html", "<table><tr>" + "<td>格</td>" * n + "</tr></table>"),
        ),
        "many short lines": (4000, lambda n: ("lines.txt", "\n".join(f"短句{i}" for i in range(n)))),
        "one huge line": (20_000, lambda n: ("huge.txt", "推进知识产权保护工作，" * n)),
    }


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _doc_costs(name: str, text: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        (corpus / name).write_text(text, encoding="utf-8")
        index = Path(tmp) / "index"
        costs = {"ingest": _timed(lambda: load_corpus(corpus))}
        costs["build"] = _timed(
            lambda: build_index(corpus, index, Settings(encoder="hash"), encoder=HashEncoder())
        )
        engine = SearchEngine.load(index, encoder=HashEncoder(), corpus_dir=corpus)
        costs["search"] = _timed(lambda: engine.search(QUESTION, k=10))
        costs["answer"] = _timed(lambda: answer(engine, QUESTION))
        costs["max chunk"] = max(len(c.text) for c in engine.chunks)
    return costs


def _exponent(t1: float, t16: float) -> float:
    return math.log(max(t16, 1e-6) / max(t1, 1e-6)) / math.log(16)


def run(quick: bool) -> str:
    sizes = (1, 4) if quick else (1, 4, 16)
    rows = [
        "| family | n | stage | " + " | ".join(f"{s}n (s)" for s in sizes) + " | exponent |",
        "|---|---|---|" + "---|" * len(sizes) + "---|",
    ]
    for family, (n, make) in _doc_families().items():
        results = [_doc_costs(*make(n * s)) for s in sizes]
        for stage in ("ingest", "build", "search", "answer"):
            times = [r[stage] for r in results]
            exp = _exponent(times[0], times[-1]) * math.log(16) / math.log(sizes[-1])
            cells = " | ".join(f"{t:.3f}" for t in times)
            rows.append(f"| {family} | {n} | {stage} | {cells} | {exp:.2f} |")
        chunk_cells = " | ".join(str(int(r["max chunk"])) for r in results)
        rows.append(f"| {family} | {n} | longest chunk (chars) | {chunk_cells} | |")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(__file__).resolve().parents[1] / "corpus"
        index = Path(tmp) / "index"
        build_index(corpus, index, Settings(encoder="hash"), encoder=HashEncoder())
        engine = SearchEngine.load(index, encoder=HashEncoder(), corpus_dir=corpus)
        for family, n, make in (
            (
                "long URL filter list",
                5000,
                lambda m: {"region": ",".join(f"r{i}" for i in range(m)), "q": "质押"},
            ),
            ("long query", 1000, lambda m: "知识产权质押融资" * m),
        ):
            times = []
            for s in sizes:
                value = make(n * s)
                if isinstance(value, dict):
                    times.append(
                        _timed(lambda v=value: engine.search("质押", filters=state_from_params(v).filters()))
                    )
                else:
                    times.append(_timed(lambda v=value: (engine.search(v), answer(engine, v))))
            exp = _exponent(times[0], times[-1]) * math.log(16) / math.log(sizes[-1])
            cells = " | ".join(f"{t:.3f}" for t in times)
            rows.append(f"| {family} | {n} | search + answer | {cells} | {exp:.2f} |")
    head = (
        f"Measured on {machine()}; `python eval/bench_cost.py`{' --quick' if quick else ''}, single runs.\n\n"
    )
    return head + "\n".join(rows) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="sizes n and 4n only")
    parser.add_argument("--out", type=Path, help="also write the table to this Markdown file")
    args = parser.parse_args()
    report = run(args.quick)
    print(report)
    if args.out:
        args.out.write_text("# Cost benchmark\n\n" + report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
