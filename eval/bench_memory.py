"""Memory benchmark: peak resident memory of an index build from one huge single-line file.

    python eval/bench_memory.py [--sizes 0.01 1 4 15] [--e5] [--out eval/reports/memory.md]

Each size runs in a fresh process (so one run's peak cannot hide another's): it writes a corpus
holding one .txt file of that many MB on a single line, builds an index with the deterministic
hash encoder, and reports the process's peak resident memory (VmHWM) after the imports and at
the end, the time, the number of chunks and the longest chunk. A 0.01 MB file gives the fixed
cost (libraries, jieba's dictionary), so "per MB" is the growth above it. Two kinds of line:
clauses (推进知识产权保护工作，… — clause marks, no sentence end) and no punctuation at all
(the chunk limit must cut it hard). ``--e5`` also times the default encoder on the 1 MB file,
to estimate how long embedding a large file takes (the hash encoder measures only our code).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from common import machine

ROOT = Path(__file__).resolve().parents[1]
LINES = {"clauses": "推进知识产权保护工作，", "no punctuation": "推进知识产权保护工作"}

_CHILD = r"""
import json, sys, tempfile, time
from pathlib import Path

def hwm():
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) / 1024 for l in fh if l.startswith("VmHWM"))

from policy_search.encoders import HashEncoder, load_encoder
from policy_search.search.retrieval import SearchEngine
from policy_search.settings import Settings
from policy_search.store.index import build_index

mb, unit, encoder_name = float(sys.argv[1]), sys.argv[2], sys.argv[3]
settings = Settings(encoder=encoder_name)
encoder = HashEncoder() if encoder_name == "hash" else load_encoder(encoder_name, settings)
after_imports = hwm()
with tempfile.TemporaryDirectory() as tmp:
    corpus = Path(tmp) / "corpus"
    corpus.mkdir()
    (corpus / "huge.txt").write_text(unit * int(mb * 1024 * 1024 / len(unit.encode())), encoding="utf-8")
    started = time.perf_counter()
    build_index(corpus, Path(tmp) / "index", settings, encoder=encoder)
    seconds = time.perf_counter() - started
    peak = hwm()
    chunks = SearchEngine.load(Path(tmp) / "index", encoder=encoder, corpus_dir=corpus).chunks
print(json.dumps({"imports": after_imports, "peak": peak, "seconds": seconds,
                  "chunks": len(chunks), "longest": max(len(c.text) for c in chunks)}))
"""


def measure(mb: float, unit: str, encoder: str = "hash") -> dict:
    """Build from one ``mb``-MB line of ``unit`` repeated, in a fresh process; its figures."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(mb), unit, encoder],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(sizes: list[float], e5: bool) -> str:
    rows = [
        "| line | file (MB) | peak RSS (MiB) | above the 0.01 MB build (MiB) | per MB of file | "
        "build (s) | chunks | longest chunk |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, unit in LINES.items():
        base = None
        for mb in sizes:
            r = measure(mb, unit)
            base = r["peak"] if base is None else base
            above = r["peak"] - base
            per_mb = f"{above / mb:.1f}" if mb >= 1 else ""
            rows.append(
                f"| {kind} | {mb:g} | {r['peak']:.0f} | {above:.0f} | {per_mb} | {r['seconds']:.1f} | "
                f"{r['chunks']:,} | {r['longest']} |"
            )
    text = "\n".join(rows) + "\n"
    if e5:
        r = measure(1, LINES["clauses"], "e5-small-q4")
        estimate = r["seconds"] * 15 / 60
        text += (
            f"\nDefault encoder (e5-small-q4) on the 1 MB line: {r['seconds']:.0f} s for "
            f"{r['chunks']:,} chunks, peak {r['peak']:.0f} MiB; a 15 MB line would take about "
            f"{estimate:.0f} minutes to embed (linear in the chunks).\n"
        )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    head = f"Measured on {machine()}; `python eval/bench_memory.py`, single runs; load average {load}.\n\n"
    return head + text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.01, 1, 4, 15])
    parser.add_argument("--e5", action="store_true", help="also time the default encoder on 1 MB")
    parser.add_argument("--out", type=Path, help="also write the table to this Markdown file")
    args = parser.parse_args()
    report = run(sorted(args.sizes), args.e5)
    print(report)
    if args.out:
        args.out.write_text("# Memory benchmark\n\n" + report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
