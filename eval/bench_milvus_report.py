"""The report of ``eval/bench_milvus.py``: tables of build, size, memory, latency and ranking
drift, and sizing extrapolated from the measured per-chunk growth."""

from __future__ import annotations

import argparse

from common import machine

from policy_search.settings import Settings

ENCODER = "hash:384"
MODES = ("hybrid", "keyword", "dense")
BACKENDS = ("embedded", "lite", "server")


# ------------------------------------------------------------------ report

LABEL = {
    "embedded": "embedded (FAISS + bm25s)",
    "lite": "milvus-lite in process",
    "server": "milvus-lite server",
}


def rss_total(r: dict) -> float:
    return r["serve"]["rss_after_mb"] + r["serve"].get("server_rss_mb", 0.0)


def sizing(results: list[dict], dim: int) -> list[str]:
    """Per-chunk marginal disk and RSS between the two largest sizes, extrapolated to 1M / 10M."""
    if len(results) < 2:
        return []
    lo, hi = results[-2], results[-1]
    span = hi["n"] - lo["n"]
    lines = [
        "",
        f"## Sizing from the marginal cost between {lo['n']:,} and {hi['n']:,} chunks",
        "",
        f"Per chunk = (value at {hi['n']:,} − value at {lo['n']:,}) / {span:,}; 1M / 10M = value at "
        f"{hi['n']:,} + per chunk × the extra chunks. Vectors alone are 4 × {dim} = {4 * dim} bytes a chunk.",
        "",
        "| backend | disk / chunk | RSS / chunk (client + server) | disk 1M | RSS 1M | disk 10M | RSS 10M |",
        "|---|---|---|---|---|---|---|",
    ]
    for b in BACKENDS:
        if b not in lo or b not in hi:
            continue
        d = (hi[b]["build"]["disk"]["total_dir"] - lo[b]["build"]["disk"]["total_dir"]) / span
        m = (rss_total(hi[b]) - rss_total(lo[b])) * 2**20 / span
        ext = [
            (
                hi[b]["build"]["disk"]["total_dir"] + d * (t - hi["n"]),
                rss_total(hi[b]) * 2**20 + m * (t - hi["n"]),
            )
            for t in (1_000_000, 10_000_000)
        ]
        lines.append(
            f"| {LABEL[b]} | {d / 1024:.1f} KiB | {m / 1024:.1f} KiB "
            + "".join(f"| {x / 2**30:.1f} GiB | {y / 2**30:.1f} GiB " for x, y in ext)
            + "|"
        )
    emb = hi.get("embedded", {}).get("build", {})
    if emb.get("dense_index") == "hnsw":
        over = emb["disk"]["dense"] / hi["n"] - 4 * dim
        lines += [
            "",
            f"FAISS HNSW (M = {Settings().hnsw_m}) at {hi['n']:,}: {emb['disk']['dense'] / hi['n']:.0f} "
            f"bytes a chunk on disk, {over:.0f} of them graph links on top of the {4 * dim}-byte vector.",
        ]
    return lines


def report(results: list[dict], args: argparse.Namespace, meta: dict) -> str:
    lines = [
        "# Embedded vs Milvus backend at scale (eval/bench_milvus.py)",
        "",
        f"Machine: {machine()}; load average {meta['load_start']} before, {meta['load_end']} after "
        "(other jobs shared the 2 cores). Single runs; latency = median of "
        f"{args.reps} (embedded) / {args.milvus_reps} (Milvus) runs of each of the 71 labelled "
        "queries, p50 / p95 over queries.",
        "",
        "Chunks: `eval/scale_corpus.py` (seed plans' sentences recombined, seed "
        f"{args.seed}). **Vectors are not e5**: `{ENCODER}` (feature hashing, 384-d like e5-small) "
        "embeds each distinct pool sentence, a chunk's vector is the normalised mean of its "
        "sentences' vectors, queries use the same encoder — identical vectors for both backends. "
        "Build = jieba tokenisation + writing the index (no embedding time, no answer sentences). "
        "**milvus-lite 3.2.2 (pymilvus 3.0.2) stands in for a real Milvus server**: the client "
        "path is the same, its memory and segment layout are not a standalone's or a cluster's. "
        "In-process lite uses a FLAT index; the `milvus-lite server` process gets HNSW with the "
        "Settings M / efConstruction (as a real server would); embedded is exact up to 20,000 "
        "chunks and HNSW above. RSS = the searching process after the runs (+ the server process).",
        "",
        "| chunks | backend | build s (tokenize + store) | disk MB | open s | RSS MB | hybrid p50 / p95 ms "
        "| keyword p50 ms | dense p50 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for res in results:
        for b in BACKENDS:
            if b not in res:
                continue
            bu, se = res[b]["build"], res[b]["serve"]
            lat = se["latency_ms"]
            rss = f"{se['rss_after_mb']:.0f}" + (
                f" + {se['server_rss_mb']:.0f}" if "server_rss_mb" in se else ""
            )
            lines.append(
                f"| {res['n']:,} | {LABEL[b]} ({bu['dense_index']}) | {bu['build_s']:.1f} "
                f"({bu['tokenize_s']:.1f} + {bu['store_s']:.1f}) | {bu['disk']['total_dir'] / 1e6:.1f} "
                f"| {se['open_s']:.1f} | {rss} | {lat['hybrid']['p50']:.1f} / {lat['hybrid']['p95']:.1f} "
                f"| {lat['keyword']['p50']:.1f} | {lat['dense']['p50']:.1f} |"
            )
    lines += [
        "",
        "## Ranking against the embedded backend (BM25 statistics per segment, HNSW)",
        "",
        "| chunks | backend | hybrid overlap / identical | keyword overlap / identical "
        "| dense overlap / identical | keyword score rel. diff median / p95 / max |",
        "|---|---|---|---|---|---|",
    ]
    for res in results:
        for b in ("lite", "server"):
            if b not in res or "drift" not in res[b]:
                continue
            d = res[b]["drift"]
            cells = "".join(f"| {d[m]['overlap']:.1%} / {d[m]['identical']}/{d[m]['n']} " for m in MODES)
            k = d["keyword_score_rel_diff"]
            lines.append(
                f"| {res['n']:,} | {LABEL[b]} {cells}| {k['median']:.2%} / {k['p95']:.2%} / {k['max']:.2%} |"
            )
    lines += sizing(results, 384)
    return "\n".join(lines) + "\n"
