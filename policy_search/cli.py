"""Command line: ``python -m policy_search docs|chunks|search ...`` — thin over the library."""

from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from .cli_milvus import _add_backend, _milvus_target, cmd_export
from .ingest.corpus import Corpus, load_corpus

DEFAULT_CORPUS = Path("corpus")


class UsageError(Exception):
    """A wrong argument: printed as one ``error:`` line, exit status 2."""


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _fit(s: str, width: int) -> str:
    """Pad or cut ``s`` to ``width`` terminal columns (CJK characters count double)."""
    out, used = [], 0
    for ch in s:
        w = _width(ch)
        if used + w > width:
            if out:
                out[-1] = "…" if _width(out[-1]) == 1 else "… "
            break
        out.append(ch)
        used += w
    text = "".join(out)
    return text + " " * (width - _width(text))


def print_table(rows: list[list[str]], widths: list[int]) -> None:
    for row in rows:
        print("  ".join(_fit(cell, w) for cell, w in zip(row, widths)).rstrip())


def _load(args: argparse.Namespace) -> Corpus:
    corpus = load_corpus(args.corpus)
    for skipped in corpus.skipped:
        print(f"skipped {skipped}", file=sys.stderr)
    for note in corpus.notes:
        print(f"note: {note}", file=sys.stderr)
    return corpus


def cmd_docs(args: argparse.Namespace) -> int:
    corpus = _load(args)
    counts = {d.doc_id: len(corpus.chunks_of(d.doc_id)) for d in corpus.documents}
    if args.json:
        for doc in corpus.documents:
            row = doc.to_dict()
            row["chunks"] = counts[doc.doc_id]
            if not args.removed:
                row.pop("removed")
            print(json.dumps(row, ensure_ascii=False))
        return 0
    rows = [["id", "title", "issuer", "region", "level", "year", "period", "published", "chunks"]]
    for d in corpus.documents:
        year = str(d.year or "")
        rows.append(
            [
                d.doc_id,
                d.title,
                d.issuer,
                d.region,
                d.level,
                year,
                d.period,
                d.published,
                str(counts[d.doc_id]),
            ]
        )
    print_table(rows, [max(_width(r[0]) for r in rows), 44, 26, 14, 5, 5, 10, 10, 6])
    if args.provenance:
        print()
        prov = [["id", "field", "value", "source", "line"]]
        for d in corpus.documents:
            for p in d.provenance:
                where = f"text:{p.line}" if p.source == "text" else p.source
                prov.append([d.doc_id, p.field, p.value, where, p.text])
        print_table(prov, [max(_width(r[0]) for r in prov), 10, 36, 12, 60])
    if args.removed:
        for d in corpus.documents:
            for r in d.removed:
                print(f"{d.path}:{r.line_no}: removed ({r.reason}): {r.text}")
    return 0


def cmd_chunks(args: argparse.Namespace) -> int:
    corpus = _load(args)
    chunks = corpus.chunks
    if args.doc:
        known = [d.doc_id for d in corpus.documents]
        if args.doc not in known:
            raise UsageError(f"--doc {args.doc!r} is not a document id (known: {', '.join(known)})")
        chunks = corpus.chunks_of(args.doc)
    if args.json:
        for c in chunks:
            print(json.dumps(c.to_dict(), ensure_ascii=False))
        return 0
    rows = [["chunk_id", "kind", "section › title", "units", "targets", "chars"]]
    for c in chunks:
        path = " › ".join([*c.section, c.title])
        targets = " ".join(t.text for t in c.targets)
        rows.append([c.chunk_id, c.kind, path, "、".join(c.units), targets, str(len(c.text))])
    print_table(rows, [max(_width(r[0]) for r in rows), 9, 60, 30, 24, 5])  # whole ids: --doc needs them
    return 0


def _open_engine(args: argparse.Namespace):
    """The search engine, or a one-line error (exit 2) saying how to build the index."""
    from .search.retrieval import SearchEngine
    from .store.index import IndexNotReady

    try:
        target = _milvus_target(args)
        if target is None:
            engine = SearchEngine.load(args.index)
        else:
            from .store.milvus import MilvusBackend

            engine = SearchEngine.open(MilvusBackend.open(target))
    except IndexNotReady as exc:
        raise UsageError(str(exc)) from None
    if engine.stale:
        print(f"warning: index is stale: {engine.stale_reason}", file=sys.stderr)
    return engine


def _choices(values, limit: int = 12) -> str:
    values = sorted(values)
    shown = ", ".join(values[:limit])
    return shown + (f", … ({len(values)} in all)" if len(values) > limit else "")


def _filters(args: argparse.Namespace, engine):
    """Filters from the shared options; a value the index does not know is a one-line error
    listing the valid choices (instead of silently returning nothing)."""
    from .search.retrieval import Filters
    from .store.chunkstore import chunk_regions, chunk_units, filter_columns

    chunks = engine.chunks  # the chunk store's columns: no chunk is parsed for these checks
    doc_ids = set(filter_columns(chunks).doc_id.uniques)
    for doc in args.doc or ():
        if doc not in doc_ids:
            raise UsageError(f"--doc {doc!r} is not a document id (known: {_choices(doc_ids)})")
    regions = {r for r in chunk_regions(chunks) if r}
    for region in args.region or ():
        if not any(region in r for r in regions):
            raise UsageError(f"--region {region!r} matches no plan's region (known: {_choices(regions)})")
    if args.unit:
        units = set(chunk_units(chunks))
        if not any(args.unit in u for u in units):
            raise UsageError(f"--unit {args.unit!r} matches no responsible unit (e.g. {_choices(units, 8)})")
    years = (args.year, args.year) if args.year else (args.year_min, args.year_max)
    return Filters(
        regions=tuple(args.region or ()),
        levels=tuple(args.level or ()),
        year_min=years[0],
        year_max=years[1],
        doc_ids=tuple(args.doc or ()),
        unit=args.unit or "",
        has_target=args.has_target,
    )


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", action="append", help="e.g. 山东; repeat for several")
    parser.add_argument("--level", action="append", choices=["国家", "省", "市", "区县"])
    parser.add_argument("--year", type=int, help="plans whose period includes this year")
    parser.add_argument("--year-min", type=int)
    parser.add_argument("--year-max", type=int)
    parser.add_argument("--doc", action="append", help="only this document id; repeatable")
    parser.add_argument("--unit", help="responsible unit contains this text")
    parser.add_argument("--has-target", action="store_true", help="only tasks with quantitative targets")


def cmd_search(args: argparse.Namespace) -> int:
    if not args.query and not args.queries:
        raise UsageError("give a QUERY or --queries FILE")
    engine = _open_engine(args)
    queries = [" ".join(args.query)] if args.query else []
    if args.queries:
        path = Path(args.queries)
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"--queries {path}: cannot read ({exc.__class__.__name__})") from None
        queries += [q.strip() for q in lines if q.strip()]
    filters = _filters(args, engine)
    for query in queries:
        hits = engine.search(query, k=args.k, mode=args.mode, filters=filters)
        if args.json:
            for hit in hits:
                print(json.dumps(hit.to_dict(query), ensure_ascii=False))
            continue
        print(f"# {query}  ({len(hits)} hits, {args.mode})")
        if not hits:
            print("  no results; try fewer filters or other words")
        elif not any(h.relevant for h in hits):
            print("  nothing relevant found; the closest results below are only weakly related")
        for hit in hits:
            c = hit.chunk
            where = " › ".join([*c.section, c.title])
            mark = "" if hit.relevant else "  (weak)"
            print(
                f"{hit.rank:>3}. {hit.score:.3f}  relevance {hit.relevance:.2f}{mark}  "
                f"{c.plan_title} ({c.issuer}, {c.period})"
            )
            print(f"      {where}   [{c.chunk_id}]")
            extra = []
            if c.units:
                extra.append("责任单位：" + "、".join(c.units))
            goals = [t.text for t in c.targets if t.kind == "target"]
            done = [t.text for t in c.targets if t.kind != "target"]
            if goals:
                extra.append("目标：" + " ".join(goals))
            if done:
                extra.append("已实现：" + " ".join(done))
            if hit.boosts:
                extra.append("boost " + " ".join(hit.boosts))
            if extra:
                print("      " + "  |  ".join(extra))
            print("      " + _fit(c.text.replace("\n", " "), 100).rstrip())
    return 0


def cmd_answer(args: argparse.Namespace) -> int:
    from .answers.answer import LLMConfig, answer

    engine = _open_engine(args)
    llm = None
    endpoint = args.llm_endpoint or os.environ.get("POLICY_SEARCH_LLM_ENDPOINT", "")
    if endpoint:
        model = args.llm_model or os.environ.get("POLICY_SEARCH_LLM_MODEL", "")
        if not model:
            raise UsageError("--llm-endpoint needs --llm-model (or POLICY_SEARCH_LLM_MODEL)")
        llm = LLMConfig(endpoint, model, os.environ.get("POLICY_SEARCH_LLM_API_KEY", ""))
    filters = _filters(args, engine)
    result = answer(engine, " ".join(args.question), filters=filters, llm=llm)
    if result.generation_error:
        print(f"warning: generated answer unavailable: {result.generation_error}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
        return 0
    print(f"# {result.question}")
    if not result.found:
        print(result.message)
        for hit in result.hits[:3]:
            c = hit.chunk
            print(f"  相关：{c.plan_title} · {' › '.join([*c.section, c.title])}  [{c.chunk_id}]")
        return 0
    if result.generated:
        print(f"\n{result.generated}\n")
    for n, item in enumerate(result.items, start=1):
        print(f"[{n}] {item.text}")
        print(f"    — {item.plan_title} · {' › '.join([*item.section, item.title])}  [{item.chunk_id}]")
        if item.targets:
            print("    目标：" + "；".join(f"{t.indicator} {t.text}" for t in item.targets))
    if len(result.comparison) > 1:
        print("\n各规划对比：")
        for row in result.comparison:
            targets = "、".join(t.text for t in row.targets) or "—"
            print(f"  {row.plan_title}（{row.period}）  {row.title}  目标：{targets}  [{row.chunk_id}]")
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    """The targets atlas: every quantitative target, or those of one indicator (fuzzy)."""
    import csv

    from .atlas import lookup, table, targets
    from .ui import _cell

    engine = _open_engine(args)
    indicator = " ".join(args.indicator).strip()
    if indicator and not lookup(table(engine), indicator):
        raise UsageError(f"no indicator matches {indicator!r}; run `targets` without one to list them")
    rows = targets(engine, indicator or None, _filters(args, engine))
    if args.json:
        for row in rows:
            print(json.dumps(row.to_dict(), ensure_ascii=False))
        return 0
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        fields = list(rows[0].to_dict()) if rows else ["indicator"]
        writer.writerow(fields)
        for row in rows:
            data = row.to_dict()
            writer.writerow([_cell("、".join(v) if isinstance(v, list) else v) for v in data.values()])
        return 0
    out = [["group", "value", "comparator", "deadline", "kind", "region", "plan", "chunk_id"]]
    for r in rows:
        value = f"{r.value:g}{r.unit}"
        out.append([r.group, value, r.comparator, r.deadline, r.kind, r.region, r.plan_title, r.chunk_id])
    print_table(out, [26, 12, 8, 10, 11, 12, 30, 40])
    print(f"{len(rows)} targets")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from .encoders import EncoderError
    from .ingest.metadata import CatalogError
    from .settings import Settings
    from .store.index import BuildLocked, EmptyCorpus, build_index

    settings = Settings(
        encoder=args.encoder,
        batch_size=args.batch_size,
        device=args.device,
        query_prompt=args.query_prompt,
        passage_prompt=args.passage_prompt,
    )
    try:
        target = _milvus_target(args)
        if target is None:
            report = build_index(args.corpus, args.index, settings, progress=not args.quiet)
        else:
            from .store.milvus_build import build_milvus

            cache = Path(args.index) / "cache"
            report = build_milvus(args.corpus, target, settings, cache_root=cache, progress=not args.quiet)
    except KeyboardInterrupt:
        print("interrupted: the previous index (if any) is unchanged", file=sys.stderr)
        return 130
    except (EncoderError, BuildLocked, CatalogError, EmptyCorpus) as exc:
        raise UsageError(str(exc)) from None
    print(report.summary())
    return 0


def _add_build(sub) -> None:
    from .encoders import ENCODER_CHOICES
    from .settings import Settings

    defaults = Settings()
    build = sub.add_parser(
        "build",
        help="build or update the index from the corpus (only new or changed text is embedded)",
        description="Build or update the index. Only new or changed chunks are embedded; the new "
        "index is swapped in atomically, so an interrupted build leaves the previous one usable.",
    )
    build.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of policy texts")
    build.add_argument("--index", default="index", help="index folder (default: index)")
    build.add_argument(
        "--encoder",
        default=defaults.encoder,
        help=f"encoder name (default: {defaults.encoder}); choices: {', '.join(ENCODER_CHOICES)}",
    )
    build.add_argument("--batch-size", type=int, default=defaults.batch_size)
    build.add_argument("--device", default=defaults.device, help="for st: encoders, e.g. cpu or cuda")
    build.add_argument("--query-prompt", default=defaults.query_prompt, help="st: encoders only")
    build.add_argument("--passage-prompt", default=defaults.passage_prompt, help="st: encoders only")
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_backend(build)
    build.set_defaults(func=cmd_build)


def build_parser(prog: str = "policy-search") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Search Chinese policy documents.")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_build(sub)

    docs = sub.add_parser("docs", help="list documents with metadata and chunk counts")
    docs.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    docs.add_argument("--json", action="store_true", help="one JSON object per document")
    docs.add_argument("--removed", action="store_true", help="also list removed boilerplate lines")
    docs.add_argument(
        "--provenance", action="store_true", help="also show where each metadata value came from"
    )
    docs.set_defaults(func=cmd_docs)

    chunks = sub.add_parser("chunks", help="print chunks (a table, or JSON lines with --json)")
    chunks.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    chunks.add_argument("--doc", help="only this document id")
    chunks.add_argument("--json", action="store_true", help="one JSON object per chunk")
    chunks.set_defaults(func=cmd_chunks)

    search = sub.add_parser("search", help="search the index (run `policy-search build` first)")
    search.add_argument("query", nargs="*", help="the question or keywords")
    search.add_argument("--queries", help="a file with one query per line")
    search.add_argument("--index", default="index")
    search.add_argument("--k", type=int, default=10, help="number of results (default 10)")
    search.add_argument("--mode", choices=["hybrid", "dense", "keyword"], default="hybrid")
    _add_filters(search)
    _add_backend(search)
    search.add_argument("--json", action="store_true", help="one JSON object per hit per line")
    search.set_defaults(func=cmd_search)

    ans = sub.add_parser("answer", help="answer a question with cited sentences and a per-plan comparison")
    ans.add_argument("question", nargs="+")
    ans.add_argument("--index", default="index")
    _add_filters(ans)
    _add_backend(ans)
    ans.add_argument("--json", action="store_true", help="one JSON object: question, answer, comparison")
    ans.add_argument("--llm-endpoint", help="OpenAI-compatible base URL, e.g. http://localhost:11434/v1")
    ans.add_argument("--llm-model", help="model name at that endpoint, e.g. qwen2.5:7b-instruct")
    ans.set_defaults(func=cmd_answer)
    tg = sub.add_parser(
        "targets", help="every quantitative target of every plan, or of one indicator (指标对比)"
    )
    tg.add_argument("indicator", nargs="*", help="an indicator or part of one, e.g. 质押融资; none: all")
    tg.add_argument("--index", default="index")
    _add_filters(tg)
    _add_backend(tg)
    fmt = tg.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON object per target row")
    fmt.add_argument("--csv", action="store_true", help="CSV with a header row")
    tg.set_defaults(func=cmd_targets)
    ex = sub.add_parser("export", help="copy an embedded index into Milvus without re-embedding")
    ex.add_argument("--index", default="index", help="the embedded index folder to copy")
    _add_backend(ex)
    ex.set_defaults(func=cmd_export)
    for name, command in sub.choices.items():
        command.set_defaults(parser=command)
        command.prog = f"{prog} {name}"
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "policy-search") -> int:
    parser = build_parser(prog)
    args, extra = parser.parse_known_args(argv)
    if extra:  # the subcommand's own usage, not the top-level one
        args.parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # piped into `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (UsageError, FileNotFoundError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("POLICY_SEARCH_DEBUG"):
            raise
        print(
            f"error: unexpected {exc.__class__.__name__}: {exc} (POLICY_SEARCH_DEBUG=1 shows details)",
            file=sys.stderr,
        )
        return 1
