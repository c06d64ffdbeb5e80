"""The scale report (scale.md) from the workers' results."""

from __future__ import annotations

import argparse
from typing import Any

from .choose import hnsw_lat, hnsw_row, plain_recall
from .notes import BEYOND, choice_text, hot_spots, max_raw_diff, readme_table, score_line
from .util import TIE_EPS, fmt_mb, fmt_s, get, pp


def report(
    state: dict[str, Any],
    results: list[dict[str, Any]],
    choice: dict[str, Any],
    args: argparse.Namespace,
    meta: dict[str, Any],
) -> str:
    rs = sorted(results, key=lambda r: r["n"])
    parts = _method(state, rs, args, meta) + _per_size(state, rs, choice, args)
    parts += _sweep(rs, args) + _tail(state, rs, choice, args, meta)
    return "\n".join(parts) + "\n"


def _method(
    state: dict[str, Any], rs: list[dict[str, Any]], args: argparse.Namespace, meta: dict[str, Any]
) -> list[str]:
    sizes = [r["n"] for r in rs]
    thr = state["throughput"]
    ap = state["approximation"]
    cal, plain = ap["quality"]["calibrated"], ap["quality"]["plain mean"]
    enc = state["encoder"]
    nq = state["queries"]
    pe = state["pool_embed"]
    L: list[str] = [
        f"# Scale benchmark: {' / '.join(f'{n:,}' for n in sizes)} chunks",
        "",
        f"`python eval/bench_scale.py {' '.join(meta['argv'])}`".replace(" `", "`")
        + f" — run {meta['date']} on policy_search at commit {meta.get('library', 'unknown')}, "
        f"total runtime **{fmt_s(meta['total_s'])}**.",
        "",
        f"**Machine:** {meta['machine']}. Load average (1/5/15 min) {meta['load_start']} at the start, "
        f"{meta['load_end']} at the end (each size's load before/after its latency runs is in scale.json). "
        "The machine is shared with other work and these are single runs: latencies are medians of "
        f"{args.reps} interleaved runs per query, so a burst of load hits every configuration alike, "
        "but absolute numbers can move by tens of percent between runs.",
        "",
        "## What is measured and what is approximated",
        "",
        f"- **Corpus** (generated): `eval/scale_corpus.py`, seed {args.seed}, recombines sentences of the 5 "
        "seed plans into plan-like documents — plan title, issuer, region (66 real provinces, cities and "
        "districts, plus national plans), years 2008–2024, preamble, goals, 3–7 sections of tasks with "
        "enumerators and responsible units, safeguards; years shifted and numbers rescaled per sentence "
        f"variant; targets found by the library's `extract_targets`. {state['pool_size']:,} distinct "
        "texts (sentences, titles, headings, unit lists) make up every corpus.",
        f"- **Embedding throughput** (measured): {enc} embedded {thr['chunks']} generated chunks "
        f"(`contextual_text`, mean {thr['mean_chars']:.0f} chars, batch {thr['batch_size']}) in "
        f"{thr['seconds']:.1f} s = **{thr['chunks_per_s']:.1f} chunks/s** (load {thr['load']}). "
        "Full-corpus embedding times below are **extrapolated** from that rate, not measured.",
        f"- **Chunk vectors** (approximated): the pool texts were embedded once with {enc}"
        + (
            f" ({pe['texts']} texts, mean {pe['mean_chars']:.0f} chars, in {pe['seconds']:.0f} s = "
            f"{pe['texts'] / pe['seconds']:.0f} texts/s"
            f"{', cached from an earlier run' if pe.get('cached') else ''})"
            if pe.get("texts")
            else ""
        )
        + ". A chunk's vector is the normalised mean of the vectors of the texts it is made of "
        "(chunks *are* recombinations of them), plus two corrections fitted on the real sample "
        f"embeddings above: a constant shift (norm {ap['shift_norm']:.3f}; a whole-text embedding sits "
        "systematically off the mean of its sentences) and a per-chunk random residual "
        f"(σ = {ap['sigma']:.4f} per dimension) chosen so that the vector set's relative contrast "
        "(mean distance ÷ mean distance to the 10 nearest neighbours) matches the real embeddings' "
        f"({ap['contrast_real']:.3f}). Without it, averaged vectors are smoother than real ones "
        f"(contrast {plain['contrast']:.3f}) and ANN recall looks better than it would be. On the held-out "
        f"half of the sample, approximated vs real: mean cosine {cal['mean_cos']:.3f} (plain mean "
        f"{plain['mean_cos']:.3f}), the approximation finds its own chunk's real vector first for "
        f"{cal['self_top1']:.0%} ({plain['self_top1']:.0%}), 10-NN overlap {cal['neighbour_overlap@10']:.2f} "
        f"({plain['neighbour_overlap@10']:.2f}). Good enough for index speed and recall vs exact; not a "
        "stand-in for judging answer quality. The HNSW sweep on the uncorrected plain means is in "
        "scale.json (`sweep_plain`) as a sensitivity check.",
        f"- **Queries**: the {nq} real queries of `eval/queries.jsonl`, encoded by {enc} "
        f"(one query alone: p50 {state['query_encode_ms']['p50']:.1f} ms, p95 "
        f"{state['query_encode_ms']['p95']:.1f} ms — a floor under every dense and hybrid query)"
        + (
            f"; to keep the run short on a busy machine, the engine timings use the first "
            f"{rs[0]['queries']} of them."
            if rs[0].get("queries", nq) < nq
            else "."
        ),
        "- **Latency**: `SearchEngine.search(q, k=10, mode)` on engines opened with `SearchEngine.load` "
        "from index folders written by the library's writer (`store.index.write_version`: the library's "
        "`make_dense_index`, `make_sparse_index`, `Tokenizer`, `contextual_text`, chunk store), query "
        "encoding included; warm. FAISS and BLAS threads as the engine set them at load "
        f"(`Settings.threads` = 0 → {rs[0].get('serving_threads', '?')} on this machine). "
        "**Recall@10** is measured against exact (IndexFlatIP) search on the same vectors.",
        "- **Open and memory**: each index folder is opened with `SearchEngine.load` in a fresh process "
        "whose encoder is already loaded and which has already imported FAISS and bm25s (that import, "
        "a fixed cost of any process, is listed apart); RSS from /proc/self/status after opening + "
        "4 queries. Opening reads the chunk store's columns file and memory-maps the chunk records, "
        "which are parsed on first access (`chunks parsed` after 4 queries).",
        "",
        "## Per size",
        "",
    ]
    return L


def _per_size(
    state: dict[str, Any], rs: list[dict[str, Any]], choice: dict[str, Any], args: argparse.Namespace
) -> list[str]:
    sizes = [r["n"] for r in rs]
    thr, fetch = state["throughput"], rs[0]["fetch"]
    L: list[str] = [
        "| | " + " | ".join(f"{n:,} chunks" for n in sizes) + " |",
        "|" + "|".join(["---"] * (len(sizes) + 1)) + "|",
    ]

    def row(label: str, values: list[str]) -> None:
        L.append(f"| {label} | " + " | ".join(values) + " |")

    row("plans / chunks with targets", [f"{r['documents']:,} / {r['with_targets'] / r['n']:.0%}" for r in rs])
    row(
        f"e5 embedding at {thr['chunks_per_s']:.1f} chunks/s (**extrapolated**)",
        [fmt_s(r["n"] / thr["chunks_per_s"]) for r in rs],
    )
    row("tokenize (jieba over `contextual_text`)", [fmt_s(r["tokenize_s"]) for r in rs])
    row("BM25 index (bm25s)", [fmt_s(r["bm25_build_s"]) for r in rs])
    row("FAISS exact (IndexFlatIP) add", [fmt_s(r["flat_add_s"]) for r in rs])
    for m in args.m:
        row(
            f"FAISS HNSW M={m} add, efConstruction {args.ef_construction}",
            [fmt_s(get(r["hnsw_build_s"], m)) for r in rs],
        )
    if any("ivf" in r for r in rs):
        row(
            "FAISS IVF-Flat train + add (nlist = 4√N)",
            [fmt_s(r["ivf"]["train_s"] + r["ivf"]["add_s"]) if "ivf" in r else "—" for r in rs],
        )
    row("disk: dense.faiss exact", [fmt_mb(r["disk_bytes"]["flat_faiss"]) for r in rs])
    for m in args.m:
        row(f"disk: dense.faiss HNSW M={m}", [fmt_mb(r["disk_bytes"][f"hnsw{m}_faiss"]) for r in rs])
    row("disk: bm25/", [fmt_mb(r["disk_bytes"]["bm25"]) for r in rs])
    row("disk: chunks.jsonl", [fmt_mb(r["disk_bytes"]["chunks_jsonl"]) for r in rs])
    row("disk: chunks.columns.npz", [fmt_mb(r["disk_bytes"]["chunks_columns"]) for r in rs])
    row("import faiss + bm25s, fresh process", [fmt_s(r["serve"]["flat"]["import_s"]) for r in rs])
    for name, label in [("flat", "exact")] + [(f"hnsw{m}", f"HNSW M={m}") for m in args.m]:
        opens = [fmt_s(r["serve"][name]["load_s"]) for r in rs]
        row(f"`SearchEngine.load` (open), fresh process: {label}", opens)
    row(
        "chunks parsed after open + 4 queries (exact)",
        [f"{r['serve']['flat']['chunks_parsed']:,}" for r in rs],
    )
    row(
        "process RSS after load + 4 queries: exact",
        [f"{r['serve']['flat']['rss_after_queries_mb']:.0f} MB" for r in rs],
    )
    for m in args.m:
        row(
            f"process RSS after load + 4 queries: HNSW M={m}",
            [f"{r['serve'][f'hnsw{m}']['rss_after_queries_mb']:.0f} MB" for r in rs],
        )
    row(
        "builder process peak RSS (generator + all indexes)",
        [f"{r['builder_peak_rss_mb']:.0f} MB" for r in rs],
    )
    row("keyword p50 / p95 ms", [pp(r["latency"]["keyword"]) for r in rs])
    row("dense, exact p50 / p95 ms", [pp(r["latency"]["dense/exact"]) for r in rs])
    row("hybrid, exact p50 / p95 ms", [pp(r["latency"]["hybrid/exact"]) for r in rs])
    if choice.get("m") is not None:
        m, ef = choice["m"], choice["ef"]
        row(f"dense, HNSW M={m} ef={ef} p50 / p95 ms", [pp(hnsw_lat(r, "dense", m, ef)) for r in rs])
        row(f"hybrid, HNSW M={m} ef={ef} p50 / p95 ms", [pp(hnsw_lat(r, "hybrid", m, ef)) for r in rs])
        row(
            f"HNSW M={m} ef={ef}: dense recall@10 vs exact",
            [f"{hnsw_row(r, m, ef)['recall_engine']:.3f}" for r in rs],
        )
        row(
            f"HNSW M={m} ef={ef}: hybrid top-10 overlap with exact",
            [f"{hnsw_lat(r, 'hybrid', m, ef)['overlap']:.3f}" for r in rs],
        )
    row(
        f"FAISS exact search alone, k={fetch}, p50 ms (1 thread)",
        [
            f"{r['flat_search_ms']['k']['p50']:.2f} ({r['flat_search_ms']['k_1thread']['p50']:.2f})"
            for r in rs
        ],
    )
    row(
        f"hybrid, exact, p50 ms, threads: {' / '.join(rs[0]['thread_ab'])} (separate blocks)",
        [" / ".join(f"{v['p50']:.1f}" for v in r["thread_ab"].values()) for r in rs],
    )
    return L


def _sweep(rs: list[dict[str, Any]], args: argparse.Namespace) -> list[str]:
    fetch = rs[0]["fetch"]
    L: list[str] = []
    L += [
        "",
        "**Recall@10** is what the engine's dense mode returns: `SearchEngine` asks FAISS for "
        f"`candidates` = {fetch} ids and ranks them by exact cosine. It equals plain FAISS k=10 recall "
        f"(largest difference in this run: {max_raw_diff(rs):.3f}): FAISS 1.15's HNSW beam is efSearch "
        f"whatever k is, so asking for {fetch} ids does not find the top-10 any better. The ids past the "
        "first efSearch or so are poor candidates for the fusion (`recall@100` column).",
        "",
        "## HNSW and IVF sweep",
        "",
        f"FAISS ms: one query at a time, k={fetch}, p50 over queries of the median of {args.reps} runs. "
        "*Tie-tolerant* recall counts a result whose exact score is within "
        f"{TIE_EPS:g} of the 10th exact score (ann-benchmarks' k-NN recall). *Plain vectors*: the "
        "same HNSW setting on uncalibrated mean vectors (sensitivity check). Engine columns "
        "(end-to-end `SearchEngine.search`, query encoding included; `hybrid overlap` = share of the "
        "exact engine's hybrid top-10 also returned) are timed for efSearch "
        f"{', '.join(map(str, args.engine_ef))} and nprobe {', '.join(map(str, args.engine_nprobe))}.",
        "",
        "Exact scores, median over queries — "
        + "; ".join(score_line(r) for r in rs)
        + ". Every generated chunk recombines the same few thousand texts, so the top scores are packed "
        "tight; where the 10th and 11th differ by ~1e-4, strict recall@10 mostly measures the order of "
        "near-ties, which the tie-tolerant column forgives.",
        "",
        "| chunks | index | M | efSearch / nprobe | build s | recall@10 | tie-tolerant | plain vectors "
        "| recall@100 (candidates) | FAISS ms | dense p50 ms | hybrid p50 / p95 ms | hybrid overlap |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rs:
        lt = r["latency"]
        L.append(
            f"| {r['n']:,} | exact | — | — | {r['flat_add_s']:.2f} | 1 | 1 | 1 | 1 | "
            f"{r['flat_search_ms']['k']['p50']:.2f} | {lt['dense/exact']['p50']:.1f} | "
            f"{pp(lt['hybrid/exact'])} | 1 |"
        )
        for s in r["sweep"]:
            if s["index"] == "hnsw":
                key, build = f"hnsw-m{s['m']}-ef{s['ef']}", get(r["hnsw_build_s"], s["m"])
                label, m, knob = "HNSW", str(s["m"]), s["ef"]
                pr = f"{plain_recall(r, s['m'], s['ef']):.3f}"
            else:
                key, build = f"ivf-np{s['nprobe']}", r["ivf"]["train_s"] + r["ivf"]["add_s"]
                label, m, knob, pr = f"IVF{r['ivf']['nlist']}", "—", s["nprobe"], "—"
            if f"dense/{key}" in lt:
                d, h = lt["dense/" + key], lt["hybrid/" + key]
                eng = f"{d['p50']:.1f} | {pp(h)} | {h['overlap']:.3f}"
            else:
                eng = "— | — | —"
            L.append(
                f"| {r['n']:,} | {label} | {m} | {knob} | {build:.1f} | {s['recall_engine']:.3f} | "
                f"{s['recall_tolerant']:.3f} | {pr} | {s['recall_candidates']:.3f} | {s['search_ms']:.2f} "
                f"| {eng} |"
            )
    return L


def _tail(
    state: dict[str, Any],
    rs: list[dict[str, Any]],
    choice: dict[str, Any],
    args: argparse.Namespace,
    meta: dict[str, Any],
) -> list[str]:
    L: list[str] = []
    big = rs[-1]
    L += [
        "",
        f"## Where a hybrid query's time goes at {big['n']:,} chunks "
        "(exact index; p50 of each step timed alone)",
        "",
        "| step | p50 ms |",
        "|---|---|",
    ]
    L += [f"| {k} | {v:.2f} |" for k, v in big["breakdown_ms"].items()]
    L += [
        "",
        "## Filtered hybrid queries",
        "",
        "First use of a filter builds its mask (numpy over the filter columns read at open; memoised "
        "afterwards); then "
        f"{min(30, rs[0].get('queries', 30))} queries, twice (p50/p95 of the per-query median). "
        "`FAISS calls` and `FAISS k max` show how "
        "`dense_candidates` searched (0 calls: it scored the allowed chunks directly).",
        "",
        "| chunks | index | filter | allowed | mask build ms | FAISS calls / query | FAISS k max "
        "| p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rs:
        for idx_name, fl in r["filtered"].items():
            for fname, v in fl.items():
                L.append(
                    f"| {r['n']:,} | {idx_name} | {fname} | {v['allowed']:,} | {v['mask_ms']:.0f} | "
                    f"{v['faiss_calls_per_query']:.1f} | {v['max_k']:,} | {v['p50']:.1f} | {v['p95']:.1f} |"
                )
    L += ["", f"## Slow spots in the library at {big['n']:,} chunks", "", *hot_spots(rs, state)]
    L += ["", "## Choice", ""]
    L += choice_text(choice, rs, args)
    L += ["", "## Beyond one machine", "", *BEYOND]
    L += ["", "## For the README", "", readme_table(rs, choice, state, meta)]
    return L
