"""Milvus vs embedded backend on the labelled queries: top-10 overlap, metrics, latency, size.

    python eval/milvus_parity.py                   # real e5 encoder (builds the seed index, ~20 s)
    python eval/milvus_parity.py --encoder hash    # deterministic hash encoder, seconds

Builds the seed index with the library's writer in a temporary folder, exports it into an
in-process milvus-lite collection (no re-embedding), and searches both with the same engine
code. A second collection is written in five flushed batches (several segments) to measure how
segment-level BM25 statistics move the keyword ranking. Writes eval/reports/milvus_parity.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import EVAL_DIR, REPO, load_qrels, load_queries, machine, percentile, run_queries, score

from policy_search.encoders import load_encoder
from policy_search.records import Chunk
from policy_search.search.retrieval import SearchEngine
from policy_search.settings import Settings
from policy_search.store.analysis import Tokenizer
from policy_search.store.embedded import faiss_vectors
from policy_search.store.index import build_index, contextual_text, current_version, open_index
from policy_search.store.milvus import MilvusBackend, MilvusTarget, connect
from policy_search.store.milvus_build import export_to_milvus, sync
from policy_search.store.milvus_sentences import SENTENCES_SUFFIX

MODES = ("hybrid", "dense", "keyword")


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def segmented_copy(index_dir: Path, target: MilvusTarget, batches: int) -> None:
    """The same index written as ``batches`` flushed upserts: several segments, per-segment BM25."""
    import numpy as np

    loaded = open_index(index_dir)
    vectors = np.array(faiss_vectors(loaded.dense), dtype=np.float32)
    tok = Tokenizer()
    tokens = [tok.tokenize(contextual_text(c)) for c in loaded.chunks]
    client = connect(target)
    n = len(loaded.chunks)
    step = -(-n // batches)
    chunks: list[Chunk] = loaded.chunks
    for start in range(0, n, step):  # a growing prefix each time: earlier rows unchanged, new ones added
        end = min(n, start + step)
        sync(client, target, chunks[:end], vectors[:end], tokens[:end], loaded.settings)
    export_to_milvus(index_dir, target)  # writes the meta (no row changes)


def answer_parity(index_dir: Path, tmp_path: Path, embedded: SearchEngine, encoder) -> list[str]:
    """First-time answer latency (no sentence vector memoised yet) and identical answer items:
    embedded, Milvus with stored sentence vectors, Milvus embedding its sentences on demand."""
    from answers_eval import load_questions

    from policy_search.answers.answer import answer

    questions = [q["question"] for q in load_questions()]
    engines = {"embedded": embedded}
    for name, keep in (
        ("Milvus, sentence vectors stored", True),
        ("Milvus, sentences embedded on demand", False),
    ):
        target = MilvusTarget(str(tmp_path / f"answers-{keep}.db"), collection="answers")
        export_to_milvus(index_dir, target)
        if not keep:
            connect(target).drop_collection("answers" + SENTENCES_SUFFIX)
        engines[name] = SearchEngine.open(
            MilvusBackend.open(target), encoder=encoder, corpus_dir=REPO / "corpus"
        )
    want: list = []
    lines = [
        "",
        f"Answers to the {len(questions)} labelled questions (eval/answers.jsonl), each engine freshly "
        "opened, so every answer is a first one (no sentence vector memoised):",
        "",
        "| engine | first-answer p50 / p95 ms | items identical to embedded |",
        "|---|---|---|",
    ]
    for name, engine in engines.items():
        times, items = [], []
        for q in questions:
            engine.query_vector("")
            started = time.perf_counter()
            a = answer(engine, q)
            times.append((time.perf_counter() - started) * 1000)
            items.append([i.to_dict() for i in a.items])
        want = want or items
        same = sum(x == y for x, y in zip(items, want))
        p50, p95 = percentile(times, 50), percentile(times, 95)
        lines.append(f"| {name} | {p50:.0f} / {p95:.0f} | {same}/{len(questions)} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default=Settings().encoder)
    args = parser.parse_args()
    queries = load_queries(split="all")
    qrels = load_qrels()
    settings = Settings(encoder=args.encoder)
    encoder = load_encoder(args.encoder, settings)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        index_dir = tmp_path / "index"
        build_index(REPO / "corpus", index_dir, settings, encoder=encoder)
        started = time.perf_counter()
        target = MilvusTarget(str(tmp_path / "milvus.db"), collection="seed")
        export_to_milvus(index_dir, target)
        export_s = time.perf_counter() - started
        embedded = SearchEngine.load(index_dir, encoder=encoder, corpus_dir=REPO / "corpus")
        milvus = SearchEngine.open(MilvusBackend.open(target), encoder=encoder, corpus_dir=REPO / "corpus")
        seg_target = MilvusTarget(str(tmp_path / "segmented.db"), collection="seg")
        segmented_copy(index_dir, seg_target, 5)
        segmented = SearchEngine.open(
            MilvusBackend.open(seg_target), encoder=encoder, corpus_dir=REPO / "corpus"
        )
        n = len(embedded.chunks)
        lines = [
            "# Milvus backend parity (eval/milvus_parity.py)",
            "",
            f"Encoder `{encoder.name}`, {len(queries)} labelled queries, {n} seed chunks; milvus-lite 3.2.2 "
            f"in process (FLAT index), pymilvus 3.0.2. Machine: {machine()}; load average "
            f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])} at the start (shared machine).",
            "",
            "| mode | top-10 overlap | identical lists | nDCG@10 embedded | nDCG@10 milvus "
            "| p50 / p95 ms embedded | p50 / p95 ms milvus | 5-segment overlap |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for mode in MODES:
            for engine in (embedded, milvus, segmented):  # warm-up
                engine.search(queries[0].query, 10, mode)
            run_e, lat_e = run_queries(embedded, queries, mode)
            run_m, lat_m = run_queries(milvus, queries, mode)
            run_s, _ = run_queries(segmented, queries, mode)
            same = sum(len(set(run_e[q]) & set(run_m[q])) for q in run_e)
            same_s = sum(len(set(run_e[q]) & set(run_s[q])) for q in run_e)
            total = sum(len(run_e[q]) for q in run_e)
            identical = sum(list(run_e[q]) == list(run_m[q]) for q in run_e)
            lines.append(
                f"| {mode} | {same}/{total} ({same / total:.1%}) | {identical}/{len(run_e)} "
                f"| {score(run_e, qrels)['nDCG@10']:.3f} | {score(run_m, qrels)['nDCG@10']:.3f} "
                f"| {percentile(lat_e, 50):.1f} / {percentile(lat_e, 95):.1f} "
                f"| {percentile(lat_m, 50):.1f} / {percentile(lat_m, 95):.1f} "
                f"| {same_s}/{total} ({same_s / total:.1%}) |"
            )
        lines += answer_parity(index_dir, tmp_path, embedded, encoder)
        version = current_version(index_dir)
        emb_bytes = folder_bytes(version) if version else 0
        mil_bytes = folder_bytes(tmp_path / "milvus.db")
        lines += [
            "",
            f"Export of the embedded index into milvus-lite: {export_s:.1f} s (no re-embedding).",
            "",
            f"On disk per chunk ({n} chunks, dim {encoder.dim}): embedded version folder "
            f"{emb_bytes / n / 1024:.1f} KiB (vectors, BM25, chunks, sentences), milvus-lite data folder "
            f"{mil_bytes / n / 1024:.1f} KiB (vectors, tokens, sparse BM25 vectors, chunk JSON, scalar "
            "columns, answer-sentence collection; milvus-lite's own files, not a server's segment layout).",
        ]
    suffix = "" if args.encoder == Settings().encoder else f"_{args.encoder}"
    out = EVAL_DIR / "reports" / f"milvus_parity{suffix}.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
