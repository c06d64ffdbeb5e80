"""Scale benchmark: build and query the index at 1k, 10k and 100k generated chunks.

    python eval/bench_scale.py                     # sizes 1000,10000,100000 (~15-25 min, 2 cores)
    python eval/bench_scale.py --sizes 1000,20000  # other sizes
    python eval/bench_scale.py --quick             # smoke run: tiny sizes, hash encoder, ~1 min

Writes eval/reports/scale.md, scale.json and scale.png (``--quick`` writes them under
eval/.indexes/scale/quick/ instead, so a smoke run never overwrites the real report).

The code lives in ``eval/scale/``: ``build`` (generated corpus → index folder, reusable by
other benchmarks), ``vectors`` (pool embeddings, approximated chunk vectors), ``runner`` (one
size), ``measure`` (timings), ``choose`` / ``report`` / ``notes`` / ``chart`` (the report).

What is real and what is approximated (the report says the same):

* Corpus: ``eval/scale_corpus.py`` recombines sentences of the seed plans into plan-like
  chunks, deterministically for ``--seed``.
* Embedding throughput: real e5-small-q4 on ``--sample`` generated chunks; the full
  embedding time of each size is *extrapolated* from it, not measured.
* Chunk vectors: every distinct pool sentence is embedded once with the real encoder
  (cached in eval/.indexes/scale/), and a chunk's vector is the L2-normalised mean of the
  vectors of the sentences it is made of. The sample chunks measure how close that comes
  to embedding the chunk itself.
* Queries: the 71 real queries of eval/queries.jsonl, encoded by the real encoder — the
  latency runs go through ``SearchEngine.search``, query encoding included.
* Everything else is the library's own code: ``make_dense_index``, ``make_sparse_index``,
  ``Tokenizer``, ``contextual_text``; index folders are written by the library's writer
  (``store.index.write_version``) and opened with ``SearchEngine.load``, in a fresh process
  to measure open time and resident memory, and in the worker for the latency runs.

Each size runs in its own process, so memory numbers of one size are not inflated by the
previous one. All numbers are single runs on whatever else the machine is doing; the
report records the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import machine  # first: puts the repository on sys.path
from scale.build import probe
from scale.chart import chart
from scale.choose import choose
from scale.report import report
from scale.runner import worker
from scale.util import CACHE, REPORTS, fmt_s, library_version, loadavg, log, parse_ints
from scale.vectors import pool_state


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated chunk counts")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: sizes 300,30000, hash encoder, 1 rep"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--encoder", default=None, help="default e5-small-q4 (hash with --quick)")
    parser.add_argument(
        "--sample", type=int, default=200, help="chunks embedded for real (throughput, calibration)"
    )
    parser.add_argument("--reps", type=int, default=3, help="runs per query and configuration")
    parser.add_argument(
        "--queries", type=int, default=0, help="time only the first N labelled queries (0: all)"
    )
    parser.add_argument("--m", default="16,32,48", help="HNSW M values")
    parser.add_argument("--ef", default="32,64,128,256,512,1024,2048", help="HNSW efSearch values")
    parser.add_argument(
        "--engine-ef", default="128,256,512,1024,2048", help="efSearch values also timed end-to-end"
    )
    parser.add_argument("--ef-construction", type=int, default=200)
    parser.add_argument("--ef-default", type=int, default=1024, help="efSearch of the filtered-query runs")
    parser.add_argument("--nprobe", default="16,64,256,512", help="IVF nprobe values")
    parser.add_argument("--engine-nprobe", default="256,512", help="nprobe values also timed end-to-end")
    parser.add_argument("--no-ivf", dest="ivf", action="store_false", help="skip IVF-Flat")
    parser.add_argument(
        "--exact-allowance-ms",
        type=float,
        default=5.0,
        help="extra ms per query exact search may cost over HNSW before HNSW takes over",
    )
    parser.add_argument("--out", default=None, help="report folder (default eval/reports)")
    parser.add_argument("--tmp", default=None, help="scratch folder for index files")
    parser.add_argument(
        "--render", action="store_true", help="only rewrite scale.md and scale.png from scale.json"
    )
    parser.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--result", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--probe", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    argv = sys.argv[1:]
    if args.quick:
        args.sizes = "300,30000" if args.sizes == parser.get_default("sizes") else args.sizes
        args.encoder = args.encoder or "hash"
        args.sample = min(args.sample, 60)
        args.reps = 1
        args.m = "16,32" if args.m == parser.get_default("m") else args.m
        args.ef = "16,64,256" if args.ef == parser.get_default("ef") else args.ef
        args.engine_ef = "64,256" if args.engine_ef == parser.get_default("engine_ef") else args.engine_ef
        args.nprobe = "8,32" if args.nprobe == parser.get_default("nprobe") else args.nprobe
        args.engine_nprobe = (
            "32" if args.engine_nprobe == parser.get_default("engine_nprobe") else args.engine_nprobe
        )
    args.encoder = args.encoder or "e5-small-q4"
    args.sizes = sorted(parse_ints(args.sizes))
    args.m = parse_ints(args.m)
    args.ef = parse_ints(args.ef)
    args.nprobe = parse_ints(args.nprobe)
    args.engine_ef = parse_ints(args.engine_ef)
    args.engine_nprobe = parse_ints(args.engine_nprobe)

    if args.probe:
        probe(args.probe, args.encoder)
        return
    if args.worker is not None:
        worker(args)
        return

    started = time.perf_counter()
    out_dir = Path(args.out) if args.out else (CACHE / "quick" if args.quick else REPORTS)
    out_dir.mkdir(parents=True, exist_ok=True)
    if args.render:
        saved = json.loads((out_dir / "scale.json").read_text(encoding="utf-8"))
        run_args = argparse.Namespace(**saved["args"])
        results, state, meta = saved["sizes"], saved["state"], saved["meta"]
        choice = choose(results, run_args)
        (out_dir / "scale.md").write_text(report(state, results, choice, run_args, meta), encoding="utf-8")
        chart(results, state, choice, out_dir / "scale.png", run_args)
        log(f"rewrote {out_dir}/scale.md and scale.png from scale.json")
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {
        "machine": machine(),
        "library": library_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_start": loadavg(),
        "argv": argv,
    }
    log(f"machine: {meta['machine']}; load {meta['load_start']}")
    state = pool_state(args)
    ap = state["approximation"]
    log(
        f"{state['encoder']}: {state['throughput']['chunks_per_s']:.1f} chunks/s; approximation: "
        f"contrast real {ap['contrast_real']:.3f}, sigma {ap['sigma']:.4f}, held-out mean cos "
        f"{ap['quality']['calibrated']['mean_cos']:.3f}"
    )
    results = []
    for n in args.sizes:
        result_file = CACHE / f"result-{n}.json"
        cmd = [
            sys.executable, __file__, "--worker", str(n), "--result", str(result_file),
            "--seed", str(args.seed), "--encoder", args.encoder, "--reps", str(args.reps),
            "--queries", str(args.queries),
            "--m", ",".join(map(str, args.m)), "--ef", ",".join(map(str, args.ef)),
            "--ef-construction", str(args.ef_construction), "--ef-default", str(args.ef_default),
            "--nprobe", ",".join(map(str, args.nprobe)),
            "--engine-ef", ",".join(map(str, args.engine_ef)),
            "--engine-nprobe", ",".join(map(str, args.engine_nprobe)),
        ]  # fmt: skip
        if not args.ivf:
            cmd.append("--no-ivf")
        if args.tmp:
            cmd += ["--tmp", args.tmp]
        log(f"size {n}: starting worker")
        subprocess.run(cmd, check=True)
        results.append(json.loads(result_file.read_text()))
    choice = choose(results, args)
    meta["load_end"] = loadavg()
    meta["total_s"] = time.perf_counter() - started
    settings = {k: v for k, v in vars(args).items() if k not in ("worker", "result", "probe")}
    (out_dir / "scale.json").write_text(
        json.dumps(
            {"meta": meta, "args": settings, "state": state, "choice": choice, "sizes": results},
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    (out_dir / "scale.md").write_text(report(state, results, choice, args, meta), encoding="utf-8")
    chart(results, state, choice, out_dir / "scale.png", args)
    log(f"wrote {out_dir}/scale.md, scale.json, scale.png; total {fmt_s(meta['total_s'])}")
    print(json.dumps(choice, indent=1))


if __name__ == "__main__":
    main()
