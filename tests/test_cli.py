from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

CONTRACT = {
    "chunk_id", "doc_id", "plan_title", "issuer", "region", "level", "year", "period",
    "section", "title", "text", "units", "targets", "kind", "start", "end",
}  # fmt: skip


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """The CLI in this process (as ``python -m policy_search ARGS``): exit code, stdout, stderr.

    Saves a Python start-up and the imports per call; ``run_process`` runs the real entry point."""
    from policy_search.cli import main

    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    try:
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args), prog="python -m policy_search")
            except SystemExit as exc:  # argparse errors
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        os.chdir(before)
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def run_process(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policy_search", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_the_real_entry_point_exits_with_the_commands_code(seed_index_hash: Path):
    ok = run_process("search", "--index", str(seed_index_hash), "--k", "1", "质押融资")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("# 质押融资  (1 hits, hybrid)") and "  1. " in ok.stdout
    bad = run_process("search", "--index", str(seed_index_hash), "--region", "火星", "质押融资")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_docs_lists_documents_with_chunk_counts():
    out = run("docs")
    assert out.returncode == 0, out.stderr
    assert "天津市知识产权局2013年工作要点" in out.stdout and "shandong-2015" in out.stdout
    rows = [json.loads(line) for line in run("docs", "--json").stdout.splitlines()]
    assert len(rows) == 5 and all(r["chunks"] > 10 for r in rows)


def test_chunks_json_contract():
    out = run("chunks", "--doc", "tianjin-2013", "--json")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert all(set(r) >= CONTRACT for r in rows)
    eight = next(r for r in rows if r["chunk_id"] == "tianjin-2013/二/八")
    assert eight["title"] == "促进专利财富价值" and eight["year"] == 2013
    assert eight["targets"][0]["text"] == "达到15亿元"


def test_chunks_table_and_unknown_doc():
    out = run("chunks", "--doc", "cnipa-2013")
    assert out.returncode == 0 and "cnipa-2013/一/" in out.stdout
    bad = run("chunks", "--doc", "nope")
    assert bad.returncode != 0 and "nope" in bad.stderr and "Traceback" not in bad.stderr
    missing = run("docs", "--corpus", "no-such-folder")
    assert (
        missing.returncode == 2 and "no-such-folder" in missing.stderr and "Traceback" not in missing.stderr
    )


def test_search_batch_json_contract(seed_index_hash: Path, tmp_path: Path):
    queries = tmp_path / "queries.txt"
    queries.write_text("专利权质押贷款\n\n12330\n", encoding="utf-8")
    out = run("search", "--index", str(seed_index_hash), "--queries", str(queries), "--k", "3", "--json")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["query"] for r in rows] == ["专利权质押贷款"] * 3 + ["12330"] * 3
    assert [r["rank"] for r in rows] == [1, 2, 3, 1, 2, 3]
    fields = {"query", "rank", "score", "chunk_id", "doc_id", "plan_title", "issuer", "year", "section",
              "title", "text", "units", "targets"}  # fmt: skip
    assert all(fields <= set(r) for r in rows)
    assert "tianjin-2013/四/十六" in {r["chunk_id"] for r in rows if r["query"] == "12330"}


def test_search_table_filters_and_errors(seed_index_hash: Path, tmp_path: Path):
    out = run("search", "--index", str(seed_index_hash), "--region", "山东", "--k", "2", "专利", "执法")
    assert out.returncode == 0 and out.stdout.count("山东省知识产权局2015年工作要点") == 2
    assert "# 专利 执法" in out.stdout
    none = run("search", "--index", str(seed_index_hash), "--region", "山东", "--level", "国家", "专利")
    assert "no results; try fewer filters" in none.stdout
    missing = run("search", "--index", str(tmp_path / "none"), "专利")
    assert (
        missing.returncode == 2
        and "policy-search build" in missing.stderr
        and "Traceback" not in missing.stderr
    )


def test_unknown_filter_values_are_errors_listing_the_choices(seed_index_hash):
    index = str(seed_index_hash)
    for args, named in (
        (("--doc", "nope"), "tianjin-2013"),
        (("--region", "火星"), "山东省"),
        (("--unit", "不存在的单位"), "e.g."),
    ):
        for command in ("search", "answer"):
            out = run(command, "--index", index, *args, "质押融资")
            assert out.returncode == 2 and named in out.stderr and "Traceback" not in out.stderr, out.stderr
            assert len(out.stderr.strip().splitlines()) == 1


def test_a_wrong_option_prints_the_subcommands_usage():
    out = run("search", "--foo", "x")
    assert out.returncode == 2
    assert "policy_search search" in out.stderr and "unrecognized arguments: --foo" in out.stderr


def test_build_subcommand_builds_an_index(tmp_path):
    out = run("build", "--encoder", "hash", "--index", str(tmp_path / "idx"), "--quiet")
    assert out.returncode == 0 and "chunks: 153" in out.stdout, out.stderr
